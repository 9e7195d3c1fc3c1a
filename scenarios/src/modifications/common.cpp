#include "kinds.hpp"

#include "accessplan/engine/numbers.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"

namespace accessplan::scenarios::detail {

std::unique_ptr<OGRGeometry> line_in(const std::vector<LonLat>& points, const Crs& crs) {
    std::vector<double> x, y;
    for (const auto& p : points) {
        x.push_back(p.lon);
        y.push_back(p.lat);
    }
    geodata::CoordinateTransform(geodata::wgs84(), crs).transform(x.size(), x.data(), y.data());
    auto line = std::make_unique<OGRLineString>();
    for (std::size_t k = 0; k < x.size(); ++k) line->addPoint(x[k], y[k]);
    return line;
}

std::unique_ptr<OGRGeometry> polygon_in(const std::vector<LonLat>& points, const Crs& crs) {
    auto line = line_in(points, crs);
    auto ring = std::make_unique<OGRLinearRing>();
    for (const auto& p : *line->toLineString()) ring->addPoint(p.getX(), p.getY());
    ring->closeRings();
    auto polygon = std::make_unique<OGRPolygon>();
    polygon->addRingDirectly(ring.release());
    return polygon;
}

std::optional<Grid<std::uint8_t>> area_cells(const std::optional<LayerRef>& file, const std::vector<LonLat>& polygon,
                                             const std::string& label, const GridSpec& grid) {
    std::vector<std::unique_ptr<OGRGeometry>> owned;
    std::vector<geodata::Feature> features;
    if (file) features = read_layer(*file, grid.crs);
    std::vector<const OGRGeometry*> geoms;
    for (const auto& f : features)
        if (f.geometry) geoms.push_back(f.geometry.get());
    if (file && geoms.empty())
        throw InputError(fmt::format("{}: {} has no polygons{}; check the file and its filter", label, file->file.string(),
                                     file->where.empty() ? "" : " (where " + file->where + ")"));
    if (!polygon.empty()) {
        owned.push_back(polygon_in(polygon, grid.crs));
        geoms.push_back(owned.back().get());
    }
    if (geoms.empty()) return std::nullopt;
    return geodata::rasterize_mask(geoms, grid, false);
}

bool same_id(const std::string& a, const std::string& b) {
    if (a == b) return true;
    const auto x = parse_number(a), y = parse_number(b);  // "12" and "12.0" name the same facility
    return x && y && *x == *y;
}

std::string attribute(const std::map<std::string, std::string>& attributes, const std::string& key) {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
}


void parse_road_class(ParseStep& p, std::string& road_class, const char* fallback) {
    road_class = p.reader.text(p.node, "highway", p.where, false).value_or(fallback);
    if (road_class.empty()) return;
    auto cls = road_class_from_osm(road_class);
    if (!cls || *cls == RoadClass::none)
        p.reader.error(p.node["highway"], p.where + ".highway",
                       fmt::format("'{}' is not a road class; use OSM highway values such as primary, secondary, tertiary, "
                                   "track", road_class));
}

void parse_speeds(ParseStep& p, std::map<std::string, double>& speed_kmh) {
    if (!p.node["speed_kmh"]) return;
    const YAML::Node sp = p.node["speed_kmh"];
    if (!sp.IsMap()) {
        p.reader.error(sp, p.where + ".speed_kmh", "expected travel mode: speed in km/h, e.g. {motorbike: 40, walking: 4.5}");
        return;
    }
    for (const auto& e : sp) {
        const std::string mode = e.first.as<std::string>();
        if (!p.scenario.modes.count(mode)) {
            p.reader.error(e.first, p.where + ".speed_kmh." + mode, fmt::format("'{}' is not a travel mode", mode));
            continue;
        }
        if (auto v = p.reader.number(sp, mode, p.where + ".speed_kmh", 0.0)) speed_kmh[mode] = *v;
    }
}

void parse_drawn_road(ParseStep& p, std::vector<LonLat>& line, std::string& road_class, std::map<std::string, double>& speed_kmh) {
    p.reader.check_keys(p.node, p.where, {"name", "line", "highway", "speed_kmh"});
    line = lon_lat_list(p.reader, p.node, "line", p.where, 2);
    parse_road_class(p, road_class, "tertiary");
    parse_speeds(p, speed_kmh);
}

void apply_road_line(const std::vector<LonLat>& points, const std::string& road_class,
                     const std::map<std::string, double>& speed_kmh, std::vector<const OGRGeometry*> geoms, RoadStep& step) {
    std::unique_ptr<OGRGeometry> line;
    if (!points.empty()) {
        line = line_in(points, step.grid.crs);
        geoms.push_back(line.get());
    }
    if (!speed_kmh.empty())
        step.speed_edits.emplace(step.index, FrictionEdit{step.current->label, geodata::rasterize_mask(geoms, step.grid, true),
                                                          speed_kmh, 1.0});
    if (line && !road_class.empty()) {
        geodata::Feature f;
        f.fid = -static_cast<std::int64_t>(step.index) - 1;
        f.geometry = std::move(line);
        f.attributes[step.scenario.road_class_field] = road_class;
        step.roads.push_back(std::move(f));
    }
}

}  // namespace accessplan::scenarios::detail
