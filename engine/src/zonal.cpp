#include "accessplan/engine/zonal.hpp"

#include <cstdint>
#include <limits>
#include <utility>

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <fmt/format.h>

#include "accessplan/engine/area_classes.hpp"

namespace accessplan {

ZoneGrid::ZoneGrid(Grid<std::int32_t> ids, std::size_t zone_count) {
    m_narrow = zone_count <= std::numeric_limits<std::uint16_t>::max();
    if (!m_narrow) {
        m_wide = std::move(ids);
        return;
    }
    m_small = Grid<std::uint16_t>(ids.spec(), 0);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::int32_t z = ids[i];
        if (z < 0 || static_cast<std::size_t>(z) > zone_count)
            throw InternalError(fmt::format("zones: id {} outside 0..{}", z, zone_count));
        m_small[i] = static_cast<std::uint16_t>(z);
    }
}

namespace {

template <typename Id>
std::vector<ZoneAccess> zonal_access_on(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                        const Grid<Id>& zone_ids, std::size_t zone_count,
                                        const Grid<std::uint8_t>* area_flags) {
    require_same_grid(minutes.spec(), "travel time", zone_ids.spec(), "zones");
    if (area_flags) require_same_grid(minutes.spec(), "travel time", area_flags->spec(), "area classes");
    // Every zone's summary in one pass over the grid (no list of each zone's cells: a national grid's were 4 bytes a
    // zoned cell), then the children per area class the same way.
    const std::vector<AccessSummary> summaries = summarize_access_zones(children, minutes, threshold_min, zone_ids, zone_count);
    std::vector<ZoneAccess> out(zone_count);
    for (std::size_t z = 0; z < zone_count; ++z) out[z].access = summaries[z];
    if (!area_flags) return out;
    for (std::size_t i = 0; i < zone_ids.size(); ++i) {
        const std::int32_t z = zone_ids[i];
        if (z <= 0) continue;
        ZoneAccess& zone = out[static_cast<std::size_t>(z - 1)];
        const double c = children[i];
        if ((*area_flags)[i] & area_class::island) zone.island_children += c;
        if ((*area_flags)[i] & area_class::border) zone.border_children += c;
        if ((*area_flags)[i] & area_class::remote) zone.remote_children += c;
    }
    return out;
}

}  // namespace

std::vector<ZoneAccess> zonal_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const Grid<std::int32_t>& zone_ids, std::size_t zone_count,
                                     const Grid<std::uint8_t>* area_flags) {
    return zonal_access_on(children, minutes, threshold_min, zone_ids, zone_count, area_flags);
}

std::vector<ZoneAccess> zonal_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const ZoneGrid& zone_ids, std::size_t zone_count,
                                     const Grid<std::uint8_t>* area_flags) {
    return zone_ids.visit([&](const auto& ids) {
        return zonal_access_on(children, minutes, threshold_min, ids, zone_count, area_flags);
    });
}

Grid<std::int32_t> nearest_centre_zones(const GridSpec& spec, const std::vector<std::pair<double, double>>& centres,
                                        const Grid<std::uint8_t>& inside) {
    namespace bg = boost::geometry;
    namespace bgi = boost::geometry::index;
    using Point = bg::model::point<double, 2, bg::cs::cartesian>;
    using Value = std::pair<Point, std::int32_t>;
    require_same_grid(spec, "zones", inside.spec(), "study area");
    std::vector<Value> values;
    for (std::size_t k = 0; k < centres.size(); ++k)
        values.emplace_back(Point(centres[k].first, centres[k].second), static_cast<std::int32_t>(k + 1));
    bgi::rtree<Value, bgi::quadratic<16>> tree(values.begin(), values.end());
    Grid<std::int32_t> zones(spec, 0);
    if (values.empty()) return zones;
    std::vector<Value> hit;
    for (std::size_t r = 0; r < spec.rows; ++r)
        for (std::size_t c = 0; c < spec.cols; ++c) {
            if (!inside(c, r)) continue;
            hit.clear();
            tree.query(bgi::nearest(Point(spec.transform.x_of(double(c)), spec.transform.y_of(double(r))), 1),
                       std::back_inserter(hit));
            zones(c, r) = hit.front().second;
        }
    return zones;
}

}  // namespace accessplan
