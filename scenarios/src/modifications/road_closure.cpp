// road_closure: road segments cut by a landslide, a flood or a fallen bridge — chosen by id (id_field), by an OGR SQL
// `where:` on the road layer, or by polygons (the part of every road inside them) — in its months (all year when
// none are given). The closed segments are taken out of the road layer before it is rasterised, so travel there falls
// back to the land cover's speed (and rivers are crossed only where a bridge still stands). inputs.cpp keeps every
// cell's friction at least what it was without the closures, so a closure never makes any cell faster.
#include "kinds.hpp"

#include <algorithm>
#include <set>

#include <fmt/ranges.h>

#include "accessplan/geodata/vector_io.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::RoadClosure& m) {
    Reader& r = p.reader;
    const YAML::Node& node = p.node;
    const std::string& w = p.where;
    r.check_keys(node, w, {"name", "ids", "id_field", "where", "polygons", "polygon", "months"});
    if (const YAML::Node ids = node["ids"]) {
        if (!ids.IsSequence() || ids.size() == 0) r.error(ids, w + ".ids", "expected a non-empty list of road ids");
        for (std::size_t k = 0; ids.IsSequence() && k < ids.size(); ++k) {
            if (ids[k].IsScalar()) m.ids.push_back(ids[k].as<std::string>());
            else r.error(ids[k], w + ".ids", "expected road ids (numbers or text)");
        }
    }
    m.id_field = r.text(node, "id_field", w, false).value_or(m.id_field);
    m.where = r.text(node, "where", w, false).value_or("");
    m.polygons = r.layer(node, "polygons", w, false);
    if (node["polygon"]) m.polygon = lon_lat_list(r, node, "polygon", w, 3);
    if (!node["ids"] && !node["where"] && !node["polygons"] && !node["polygon"])
        r.error(node, w, "say which roads are cut: ids: [...] (with id_field), where: \"<OGR SQL on the road layer>\", "
                         "polygons: {file: ..., layer: ..., where: ...} or polygon: [[lon, lat], ...]");
    if (!p.scenario.roads && (node["ids"] || node["where"]))
        r.error(node, w, "the scenario has no roads (travel.roads) to close by id or where:");
    m.months = months_of(r, node, w);
}

void apply(const modification::RoadClosure& m, RoadStep& step) {
    const Scenario& s = step.scenario;
    if (!step.closures || (s.month && !in_months(m.months, *s.month))) return;
    const std::string& label = step.current->label;
    const std::string file = s.roads ? s.roads->file.string() : "travel.roads";
    std::vector<bool> closed(step.roads.size(), false);
    if (!m.ids.empty()) {
        if (std::none_of(step.roads.begin(), step.roads.end(), [&](const auto& f) { return f.attributes.count(m.id_field) != 0; })) {
            std::set<std::string> fields;
            for (const auto& f : step.roads)
                for (const auto& [k, v] : f.attributes) fields.insert(k);
            throw InputError(fmt::format("{}: the roads of {} have no field '{}' (id_field); their fields are {}. Close "
                                         "them by where:, by polygon:, or set id_field", label, file, m.id_field,
                                         fmt::join(fields, ", ")));
        }
        FacilitySelection sel;
        sel.ids = m.ids;
        auto attrs = [](const geodata::Feature& f) -> const std::map<std::string, std::string>& { return f.attributes; };
        for (std::size_t i : select(label, sel, step.roads, attrs, m.id_field, "", "road", file)) closed[i] = true;
    }
    if (!m.where.empty()) {
        if (is_osm_file(s.roads->file))
            throw InputError(fmt::format("{}: where: cannot filter an OpenStreetMap file's roads; close them by ids: (osm_id) "
                                         "or by polygon:", label));
        geodata::ReadOptions o;
        o.layer = s.roads->layer;
        o.where = s.roads->where.empty() ? m.where : fmt::format("({}) AND ({})", s.roads->where, m.where);
        std::set<std::int64_t> fids;
        for (const auto& f : geodata::read_features(s.roads->file, step.grid.crs, o)) fids.insert(f.fid);
        std::size_t matched = 0;
        for (std::size_t i = 0; i < step.roads.size(); ++i)
            if (step.roads[i].fid >= 0 && fids.count(step.roads[i].fid)) {
                closed[i] = true;
                ++matched;
            }
        if (matched == 0)
            throw InputError(fmt::format("{}: where \"{}\" selects no road in {}; check the field names and values "
                                         "(accessplan info {} lists them)", label, m.where, file, file));
    }
    if (m.polygons || !m.polygon.empty()) {
        std::vector<std::unique_ptr<OGRGeometry>> areas;
        if (m.polygons)
            for (auto& f : read_layer(*m.polygons, step.grid.crs)) {
                const auto flat = f.geometry ? wkbFlatten(f.geometry->getGeometryType()) : wkbUnknown;
                if (flat == wkbPolygon || flat == wkbMultiPolygon) areas.push_back(std::move(f.geometry));
            }
        if (m.polygons && areas.empty())
            throw InputError(fmt::format("{}: {} has no polygons{}; a closure cuts roads inside polygons (points and lines "
                                         "close nothing): check the layer and its filter", label, m.polygons->file.string(),
                                         m.polygons->where.empty() ? "" : " (where " + m.polygons->where + ")"));
        if (!m.polygon.empty()) areas.push_back(polygon_in(m.polygon, step.grid.crs));
        std::size_t cut = 0;
        for (std::size_t i = 0; i < step.roads.size(); ++i) {
            auto& geometry = step.roads[i].geometry;
            if (closed[i] || !geometry) continue;
            for (const auto& area : areas) {
                if (!geometry || !geometry->Intersects(area.get())) continue;
                std::unique_ptr<OGRGeometry> rest(geometry->Difference(area.get()));
                ++cut;
                if (!rest || rest->IsEmpty()) {
                    closed[i] = true;
                    break;
                }
                geometry = std::move(rest);
            }
        }
        if (cut == 0)
            throw InputError(fmt::format("{}: the closure's polygons cross no road of {}; check where they are", label, file));
    }
    std::vector<geodata::Feature> open;
    for (std::size_t i = 0; i < step.roads.size(); ++i)
        if (!closed[i]) open.push_back(std::move(step.roads[i]));
    step.roads = std::move(open);
}

}  // namespace accessplan::scenarios::detail
