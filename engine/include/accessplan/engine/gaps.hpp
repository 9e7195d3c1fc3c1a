#pragma once
// Access gaps: 8-connected clusters of cells whose children are beyond a service's threshold (or cannot reach any
// facility), ranked by the children they hold — where a new facility would matter most.

#include <cstdint>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

struct GapCluster {
    std::int32_t rank = 0;            ///< 1 = most children
    double children = 0.0;
    double unreachable_children = 0.0;
    double island_children = 0.0, border_children = 0.0, remote_children = 0.0;
    double mean_min = 0.0;            ///< children-weighted, over reachable cells (NaN when none)
    double max_min = 0.0;             ///< over reachable cells (NaN when none)
    std::int32_t nearest_facility = -1;   ///< the facility most of its reachable children go to (-1 if none)
    double nearest_facility_min = 0.0;    ///< children-weighted mean time to it
    std::size_t cells = 0;
    std::size_t first_cell = 0;       ///< lowest cell index, for stable ordering
};

struct GapResult {
    Grid<std::int32_t> cluster;       ///< rank of the cell's cluster, 0 = not in a gap
    std::vector<GapCluster> clusters; ///< by rank
};

/// Clusters of gap cells (at least `min_cell_children` children, time > threshold or unreachable) inside `include`
/// (optional); clusters with fewer than `min_children` children are dropped. Ties in children are ordered by their
/// first cell. The cell minimum keeps thinly scattered children from chaining whole districts into one "gap"; they
/// still count in every summary.
GapResult find_gap_clusters(const Grid<float>& children, const Grid<float>& minutes, const Grid<std::int32_t>& nearest,
                            double threshold_min, const Grid<std::uint8_t>* area_flags,
                            const Grid<std::uint8_t>* include, double min_children = 1.0, double min_cell_children = 0.0);

/// The same with the nearest-facility grid consumed: it becomes the cluster grid (one grid of ids, not two: half a
/// gigabyte at national size), for a caller that has no later use for it.
GapResult find_gap_clusters(const Grid<float>& children, const Grid<float>& minutes, Grid<std::int32_t>&& nearest,
                            double threshold_min, const Grid<std::uint8_t>* area_flags,
                            const Grid<std::uint8_t>* include, double min_children = 1.0, double min_cell_children = 0.0);

}  // namespace accessplan
