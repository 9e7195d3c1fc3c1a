#pragma once
// Zonal statistics per admin unit, and zones from unit centre points (nearest centre, i.e. Voronoi cells on the grid).

#include <cstdint>
#include <vector>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/grid.hpp"

namespace accessplan {

/// Zone ids per cell, 1-based (0 = no zone), in 2 bytes a cell when there are at most 65,535 zones (every admin level
/// of a country), else 4: half the memory of int32 ids at national size.
class ZoneGrid {
public:
    ZoneGrid() = default;
    /// `ids` (0..zone_count), narrowed when zone_count fits in 2 bytes.
    ZoneGrid(Grid<std::int32_t> ids, std::size_t zone_count);

    std::int32_t operator[](std::size_t i) const noexcept { return m_narrow ? m_small[i] : m_wide[i]; }
    const GridSpec& spec() const noexcept { return m_narrow ? m_small.spec() : m_wide.spec(); }
    std::size_t size() const noexcept { return m_narrow ? m_small.size() : m_wide.size(); }
    bool empty() const noexcept { return size() == 0; }
    /// fn(grid) with the grid as held: Grid<std::uint16_t> or Grid<std::int32_t> (a loop over millions of cells, or a
    /// raster written in its own type).
    template <typename Fn>
    decltype(auto) visit(Fn&& fn) const {
        return m_narrow ? fn(m_small) : fn(m_wide);
    }

private:
    Grid<std::uint16_t> m_small;
    Grid<std::int32_t> m_wide;
    bool m_narrow = false;
};

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
std::vector<ZoneAccess> zonal_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const ZoneGrid& zone_ids, std::size_t zone_count,
                                     const Grid<std::uint8_t>* area_flags = nullptr);

/// Zone number (1..N, in the order of `centres`) of the nearest centre for every cell where `inside` is non-zero
/// (Boost.Geometry R-tree nearest query); 0 elsewhere.
Grid<std::int32_t> nearest_centre_zones(const GridSpec& spec, const std::vector<std::pair<double, double>>& centres,
                                        const Grid<std::uint8_t>& inside);

}  // namespace accessplan
