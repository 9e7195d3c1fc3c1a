#pragma once
// Zonal statistics per admin unit, and zones from unit centre points (nearest centre, i.e. Voronoi cells on the grid).

#include <cstdint>
#include <vector>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/grid.hpp"

namespace accessplan {

struct ZoneAccess {
    AccessSummary access;
    double island_children = 0.0;  ///< children in island cells of the zone
    double border_children = 0.0;
    double remote_children = 0.0;
    double e2sfca_per_1000 = 0.0;  ///< children-weighted mean accessibility (filled by the pipeline)
};

/// Access summary per zone 1..zone_count of `zone_ids` (0 = no zone; ignored), with children per area class from
/// `area_flags` (optional). Zone totals add up to the grid totals over zoned cells.
std::vector<ZoneAccess> zonal_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const Grid<std::int32_t>& zone_ids, std::size_t zone_count,
                                     const Grid<std::uint8_t>* area_flags = nullptr);

/// Zone number (1..N, in the order of `centres`) of the nearest centre for every cell where `inside` is non-zero
/// (Boost.Geometry R-tree nearest query); 0 elsewhere.
Grid<std::int32_t> nearest_centre_zones(const GridSpec& spec, const std::vector<std::pair<double, double>>& centres,
                                        const Grid<std::uint8_t>& inside);

}  // namespace accessplan
