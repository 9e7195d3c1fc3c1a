#pragma once
// Sum-preserving (area-weighted) resampling of count rasters such as population: each source cell's count is shared
// among the target cells its footprint overlaps, in proportion to the overlapping area. Nothing is invented or lost
// except what falls outside the target grid (which is reported).

#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

struct ResampleReport {
    double source_total = 0.0;   ///< sum of finite, positive source values
    double kept_total = 0.0;     ///< what landed inside the target grid
};

/// Distributes `values` (cols x rows, row-major; NaN or <= 0 cells carry nothing) onto `target`.
/// `corner_x/corner_y` hold the (cols+1) x (rows+1) source cell corners, already transformed to the target CRS
/// (corner (c, r) at index r*(cols+1)+c); non-finite corners drop that cell (counted as not kept).
/// Each source cell footprint is taken as the quadrilateral of its four projected corners and clipped against the
/// target cells (Sutherland & Hodgman 1974).
ResampleReport area_weighted_sum(const std::vector<float>& values, std::size_t cols, std::size_t rows,
                                 const std::vector<double>& corner_x, const std::vector<double>& corner_y,
                                 Grid<double>& target);

}  // namespace accessplan
