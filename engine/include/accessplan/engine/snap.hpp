#pragma once
// Placing point features (facilities, ferry ports, candidate sites) on the analysis grid.

#include <cstddef>
#include <optional>
#include <vector>

#include "accessplan/engine/grid.hpp"

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

}  // namespace accessplan
