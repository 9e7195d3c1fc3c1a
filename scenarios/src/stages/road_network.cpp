#include "road_network.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <limits>

#include <ogr_geometry.h>

namespace accessplan::scenarios::detail {
namespace {

std::string tag(const std::map<std::string, std::string>& tags, const std::string& key) {
    const auto it = tags.find(key);
    return it == tags.end() ? std::string() : it->second;
}

// The access keys of a mode, most specific first (OSM wiki "Key:access", transport mode hierarchy).
std::vector<std::string> access_keys(const std::string& osm_access) {
    if (osm_access == "motorcycle") return {"motorcycle", "motor_vehicle", "vehicle", "access"};
    if (osm_access == "bicycle") return {"bicycle", "vehicle", "access"};
    return {"foot", "access"};
}

void add_points(const OGRLineString& line, std::vector<RoadLine>& out, const RoadLine& proto) {
    RoadLine l = proto;
    l.points.reserve(static_cast<std::size_t>(line.getNumPoints()));
    for (int i = 0; i < line.getNumPoints(); ++i) l.points.emplace_back(line.getX(i), line.getY(i));
    if (l.points.size() >= 2) out.push_back(std::move(l));
}

}  // namespace

bool road_open_to(const std::map<std::string, std::string>& tags, const std::string& osm_access) {
    for (const std::string& key : access_keys(osm_access)) {
        const std::string v = tag(tags, key);
        if (v.empty()) continue;
        // The most specific key present decides; "no" and "private" close the road to the public.
        return !(v == "no" || v == "private" || v == "use_sidepath");
    }
    return true;
}

int road_direction(const std::map<std::string, std::string>& tags, const std::string& osm_access) {
    auto direction = [](const std::string& v) -> std::optional<int> {
        if (v == "yes" || v == "true" || v == "1") return 1;
        if (v == "-1" || v == "reverse") return -1;
        if (v == "no" || v == "false" || v == "0") return 0;
        return std::nullopt;  // absent, or reversible/alternating: both ways
    };
    if (const auto d = direction(tag(tags, "oneway:" + osm_access))) return *d;
    if (osm_access == "foot") return 0;  // one-ways bind vehicles, not people on foot
    if (const auto d = direction(tag(tags, "oneway"))) return *d;
    if (tag(tags, "junction") == "roundabout" || tag(tags, "highway") == "motorway") return 1;
    return 0;
}

std::vector<RoadLine> road_lines(const std::vector<geodata::Feature>& roads, const std::string& class_field,
                                 const TravelMode& mode, double join_m) {
    std::vector<RoadLine> lines;
    std::vector<std::size_t> drawn;  // lines of drawn roads
    for (const auto& f : roads) {
        if (!f.geometry) continue;
        const auto cls = road_class_from_osm(f.attribute(class_field));
        if (!cls || *cls == RoadClass::none) continue;
        RoadLine proto;
        proto.speed_kmh = road_open_to(f.attributes, mode.osm_access) ? mode.road_speed_kmh[static_cast<std::size_t>(*cls)] : 0.0;
        proto.direction = road_direction(f.attributes, mode.osm_access);
        const std::string bridge = tag(f.attributes, "bridge"), tunnel = tag(f.attributes, "tunnel");
        proto.access_along = (bridge.empty() || bridge == "no") &&
                             (tunnel.empty() || tunnel == "no" || tunnel == "building_passage") && *cls != RoadClass::motorway;
        const auto flat = wkbFlatten(f.geometry->getGeometryType());
        const std::size_t before = lines.size();
        if (flat == wkbLineString) {
            add_points(*f.geometry->toLineString(), lines, proto);
        } else if (flat == wkbMultiLineString) {
            for (const OGRLineString* part : *f.geometry->toMultiLineString()) add_points(*part, lines, proto);
        }
        if (f.fid < 0)
            for (std::size_t k = before; k < lines.size(); ++k) drawn.push_back(k);
    }
    // A drawn road's ends move onto the nearest vertex of a road of the layer (a junction), when one is that close.
    std::vector<bool> is_drawn(lines.size(), false);
    for (std::size_t k : drawn) is_drawn[k] = true;
    for (std::size_t k : drawn) {
        for (auto* end : {&lines[k].points.front(), &lines[k].points.back()}) {
            double best = join_m;
            std::optional<std::pair<double, double>> to;
            for (std::size_t j = 0; j < lines.size(); ++j) {
                if (is_drawn[j]) continue;
                for (const auto& p : lines[j].points)
                    if (const double d = std::hypot(p.first - end->first, p.second - end->second); d <= best) best = d, to = p;
            }
            if (to) *end = *to;
        }
    }
    return lines;
}

RoadNetworks build_road_networks(const std::map<std::string, TravelMode>& modes, const std::vector<geodata::Feature>& roads,
                                 const std::string& class_field, const std::map<std::string, Grid<float>>& friction,
                                 const std::vector<FrictionEdit>& edits, const Grid<std::uint8_t>* border,
                                 const Grid<float>* elevation) {
    RoadNetworks out;
    if (friction.empty()) return out;
    const GridSpec& grid = friction.begin()->second.spec();
    // Floods slow every mode's roads; the border cuts them.
    Grid<float> factor(grid, 1.0f);
    for (const auto& e : edits)
        if (e.speed_kmh.empty() && e.flood_speed_factor != 1.0)
            for (std::size_t i = 0; i < factor.size(); ++i)
                if (e.cells[i]) factor[i] = static_cast<float>(factor[i] * e.flood_speed_factor);
    if (border)
        for (std::size_t i = 0; i < factor.size(); ++i)
            if ((*border)[i]) factor[i] = 0.0f;
    for (const auto& [name, f] : friction) {
        const TravelMode& mode = modes.at(name);
        // A modification's road speed for this mode (the last one wins, as on the raster).
        Grid<float> speed(grid, std::numeric_limits<float>::quiet_NaN());
        bool any_speed = false;
        for (const auto& e : edits)
            if (const auto it = e.speed_kmh.find(name); it != e.speed_kmh.end())
                for (std::size_t i = 0; i < speed.size(); ++i)
                    if (e.cells[i]) speed[i] = static_cast<float>(it->second), any_speed = true;
        RoadNetworkInputs in;
        in.offroad_friction = &f;
        in.speed_factor = &factor;
        in.speed_kmh = any_speed ? &speed : nullptr;
        in.elevation_m = elevation && mode.slope_aware ? elevation : nullptr;
        RoadNetworkStats stats;
        const double join_m = std::max(grid.transform.cell_width(), grid.transform.cell_height());
        out.by_mode[name] = std::make_shared<const TravelNetwork>(
            build_road_network(grid, road_lines(roads, class_field, mode, join_m), in, &stats));
        out.stats[name] = stats;
    }
    return out;
}

}  // namespace accessplan::scenarios::detail
