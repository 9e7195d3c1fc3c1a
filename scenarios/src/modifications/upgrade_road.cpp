// upgrade_road: roads chosen by id/match on the road layer (or drawn as a line) get a new class and/or speeds.
#include "kinds.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::UpgradeRoad& m) {
    Reader& r = p.reader;
    r.check_keys(p.node, p.where, {"name", "ids", "id_field", "match", "line", "highway", "speed_kmh"});
    read_selection(r, p.node, p.where, m.select);
    m.id_field = r.text(p.node, "id_field", p.where, false).value_or("osm_id");
    if (p.node["line"]) m.line = lon_lat_list(r, p.node, "line", p.where, 2);
    if (m.select.ids.empty() && m.select.match.empty() && !p.node["line"])
        r.error(p.node, p.where, "say which roads: ids: [...] (with id_field), match: {name: ...} or line: [[lon, lat], ...]");
    parse_road_class(p, m.road_class, "");
    parse_speeds(p, m.speed_kmh);
    if (m.road_class.empty() && !p.node["speed_kmh"])
        r.error(p.node, p.where, "say what changes: highway: <new class> and/or speed_kmh: {mode: km/h}");
}

void apply(const modification::UpgradeRoad& m, RoadStep& step) {
    const Scenario& s = step.scenario;
    std::vector<const OGRGeometry*> geoms;
    if (!m.select.ids.empty() || !m.select.match.empty()) {
        if (step.roads.empty())
            throw InputError(fmt::format("{}: the scenario has no roads (travel.roads) to upgrade; draw the road with line: "
                                         "instead", step.current->label));
        auto attrs = [](const geodata::Feature& f) -> const std::map<std::string, std::string>& { return f.attributes; };
        for (std::size_t i : select(step.current->label, m.select, step.roads, attrs, m.id_field, "", "road",
                                    s.roads ? s.roads->file.string() : "travel.roads")) {
            if (!m.road_class.empty()) step.roads[i].attributes[s.road_class_field] = m.road_class;
            if (step.roads[i].geometry) geoms.push_back(step.roads[i].geometry.get());
        }
    }
    apply_road_line(m.line, m.road_class, m.speed_kmh, std::move(geoms), step);
}

}  // namespace accessplan::scenarios::detail
