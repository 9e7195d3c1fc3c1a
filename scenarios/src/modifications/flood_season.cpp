// flood_season: within polygons (a file or an inline ring), travel slows by speed_factor or stops, in its months.
#include "kinds.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::FloodSeason& m) {
    Reader& r = p.reader;
    const YAML::Node& node = p.node;
    const std::string& w = p.where;
    r.check_keys(node, w, {"name", "file", "layer", "where", "polygon", "speed_factor", "impassable", "months"});
    if (node["file"]) m.file = r.layer_fields(node, w);
    if (node["polygon"]) m.polygon = lon_lat_list(r, node, "polygon", w, 3);
    if (!node["file"] && !node["polygon"]) r.error(node, w, "say where: file: (flood polygons) or polygon: [[lon, lat], ...]");
    m.impassable = flag(r, node, "impassable", w).value_or(false);
    if (node["speed_factor"]) {
        m.speed_factor = r.number(node, "speed_factor", w, 0.0).value_or(1.0);
        if (m.speed_factor > 1.0)
            r.error(node["speed_factor"], w + ".speed_factor",
                    fmt::format("{} would make travel faster; a flood slows travel: use a factor in (0, 1]", m.speed_factor));
    } else if (!m.impassable) {
        r.error(node, w, "say how travel changes: speed_factor: 0.3 (of the dry-season speed) or impassable: true");
    }
    m.months = months_of(r, node, w);
}

void apply(const modification::FloodSeason& m, FrictionStep& step) {
    if (step.scenario.month && !in_months(m.months, *step.scenario.month)) return;
    if (auto cells = area_cells(m.file, m.polygon, step.current->label, step.grid))
        step.edits.push_back({step.current->label, std::move(*cells), {}, m.impassable ? 0.0 : m.speed_factor});
}

}  // namespace accessplan::scenarios::detail
