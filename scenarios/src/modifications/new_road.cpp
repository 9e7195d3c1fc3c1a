// new_road: a road drawn as a line of [lon, lat] points, with its class (default tertiary) and optional speeds.
#include "kinds.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::NewRoad& m) {
    p.reader.check_keys(p.node, p.where, {"name", "line", "highway", "speed_kmh"});
    m.line = lon_lat_list(p.reader, p.node, "line", p.where, 2);
    parse_road_class(p, m.road_class, "tertiary");
    parse_speeds(p, m.speed_kmh);
}

void apply(const modification::NewRoad& m, RoadStep& step) { apply_road_line(m.line, m.road_class, m.speed_kmh, {}, step); }

}  // namespace accessplan::scenarios::detail
