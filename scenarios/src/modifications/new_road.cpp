// new_road: a road drawn as a line of [lon, lat] points, with its class (default tertiary) and optional speeds.
#include "kinds.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::NewRoad& m) {
    parse_drawn_road(p, m.line, m.road_class, m.speed_kmh);
}

void apply(const modification::NewRoad& m, RoadStep& step) { apply_road_line(m.line, m.road_class, m.speed_kmh, {}, step); }

}  // namespace accessplan::scenarios::detail
