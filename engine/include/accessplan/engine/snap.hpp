#pragma once
// Placing point features (facilities, ferry ports, candidate sites) on the analysis grid.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/travel_time.hpp"

namespace accessplan {

enum class SnapStatus {
    on_cell,       ///< the point's own cell is passable
    moved,         ///< moved to the nearest passable cell within the tolerance
    outside_grid,  ///< the point is farther than the tolerance from the grid
    no_passable,   ///< no passable cell within the tolerance
};

struct SnapResult {
    SnapStatus status = SnapStatus::no_passable;
    std::size_t cell = 0;         ///< valid for on_cell and moved
    double moved_m = 0.0;         ///< distance from the point to the chosen cell's centre (0 for on_cell)
    bool placed() const noexcept { return status == SnapStatus::on_cell || status == SnapStatus::moved; }
};

/// Snaps map point (x, y) to a passable cell (finite friction) of `friction`: its own cell when passable, otherwise
/// the passable cell whose centre is nearest within `tolerance_m` (ties: lowest cell index). Points outside the grid
/// are snapped too when a passable cell lies within the tolerance.
SnapResult snap_to_passable(const Grid<float>& friction, double x, double y, double tolerance_m);

const char* to_string(SnapStatus status) noexcept;

/// Search sources placed on the grid (snap_to_passable), with what could not be placed.
struct PlacedSources {
    std::vector<SourceCell> cells;  ///< in the order of the points placed
    std::vector<std::size_t> unplaced;  ///< indices of the points not placed
    std::vector<SnapStatus> status;     ///< per point
    std::size_t moved = 0;              ///< placed on another cell than their own
};

/// Places map points (x, y in the grid's CRS) as search sources. A point's id is ids[i], or its position 1, 2, ...
/// when `ids` is empty (as facilities without an id field are numbered): the one rule of the CLI, Python and runs.
PlacedSources place_sources(const Grid<float>& friction, const std::vector<std::pair<double, double>>& points,
                            const std::vector<std::int32_t>& ids, double tolerance_m);

}  // namespace accessplan
