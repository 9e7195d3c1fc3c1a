// new_bridge: a new road that spans a river or water (checked: else it is a new_road).
#include "kinds.hpp"

#include "accessplan/engine/travel_model.hpp"
#include "accessplan/geodata/analysis_grid.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::NewBridge& m) {
    parse_drawn_road(p, m.line, m.road_class, m.speed_kmh);
}

void apply(const modification::NewBridge& m, RoadStep& step) { apply_road_line(m.line, m.road_class, m.speed_kmh, {}, step); }

void apply(const modification::NewBridge& m, BridgeStep& step) {
    auto line = line_in(m.line, step.grid.crs);
    const Grid<std::uint8_t> cells = geodata::rasterize_mask({line.get()}, step.grid, true);
    bool crosses = false, inside = false;
    for (std::size_t i = 0; i < cells.size() && !crosses; ++i) {
        if (!cells[i]) continue;
        inside = true;
        crosses = step.landcover[i] == landcover::water || (step.rivers && (*step.rivers)[i]);
    }
    if (!inside)
        throw InputError(fmt::format("{}: the bridge lies outside the analysis grid; check its [longitude, latitude] points",
                                     step.current->label));
    if (!crosses)
        throw InputError(fmt::format("{}: the line crosses no river (travel.rivers) or water cell; a bridge must span one "
                                     "(draw it from bank to bank), or say new_road", step.current->label));
}

}  // namespace accessplan::scenarios::detail
