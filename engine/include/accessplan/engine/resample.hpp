#pragma once
// Sum-preserving (area-weighted) resampling of count rasters such as population: each source cell's count is shared
// among the target cells its footprint overlaps, in proportion to the overlapping area. Nothing is invented or lost
// except what falls outside the target grid (which is reported).

#include <cstdint>
#include <utility>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

struct ResampleReport {
    double source_total = 0.0;   ///< sum of finite, positive source values
    double kept_total = 0.0;     ///< what landed inside the target grid
    // With a mask of allowed cells (dasymetric: people live on land):
    double moved_in_cell = 0.0;  ///< moved from masked-out to allowed cells within the same source cell's footprint
    double unplaced = 0.0;       ///< of source cells whose footprint holds no allowed cell (left to place_on_nearest)
    double moved_nearby = 0.0;   ///< of those, moved to the nearest allowed cell (geodata::resample_counts)
    double not_placed = 0.0;     ///< of those, with no allowed cell within reach: not in the result
    /// With tally cells: of kept_total, what fell on them, as without the mask (before anything was moved).
    double tallied = 0.0;
};

/// Counts waiting to be placed: (cell, count) in the order they fell; a cell may appear more than once.
using CellCounts = std::vector<std::pair<std::size_t, double>>;

/// What place_on_nearest did.
struct NearestPlacement {
    double moved = 0.0;       ///< moved to the nearest allowed cell
    double not_placed = 0.0;  ///< no allowed cell within reach: left out of `counts`
};

/// Distributes `values` (cols x rows, row-major; NaN or <= 0 cells carry nothing) onto `target`.
/// `corner_x/corner_y` hold the (cols+1) x (rows+1) source cell corners, already transformed to the target CRS
/// (corner (c, r) at index r*(cols+1)+c); non-finite corners drop that cell (counted as not kept).
/// Each source cell footprint is taken as the quadrilateral of its four projected corners and clipped against the
/// target cells (Sutherland & Hodgman 1974).
/// With `allowed` (same grid as `target`), each source cell's count goes only to the allowed cells of its footprint,
/// in proportion to their overlapping areas (sum-preserving per source cell); a footprint without an allowed cell
/// adds its count to `unplaced` (required then) where it fell, for place_on_nearest. With `tally` (same grid), the
/// report's `tallied` sums what fell on its non-zero cells as without the mask (the people inside a boundary as read).
ResampleReport area_weighted_sum(const std::vector<float>& values, std::size_t cols, std::size_t rows,
                                 const std::vector<double>& corner_x, const std::vector<double>& corner_y,
                                 Grid<double>& target, const Grid<std::uint8_t>* allowed = nullptr,
                                 CellCounts* unplaced = nullptr, const Grid<std::uint8_t>* tally = nullptr);

/// Moves every count of `unplaced` to the nearest allowed cell of `counts` (nearest in 8-neighbour steps, ties to the
/// first found in a fixed order), at most `max_steps` cells away; what has none within reach is not placed. The counts
/// of one cell are summed in the order they fell, and the cells placed in index order.
NearestPlacement place_on_nearest(Grid<double>& counts, const CellCounts& unplaced, const Grid<std::uint8_t>& allowed,
                                  std::size_t max_steps);

}  // namespace accessplan
