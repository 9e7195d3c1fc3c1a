// new_ferry: a ferry between two ports ([lon, lat]), with crossing time, headway and months of operation.
#include "kinds.hpp"

#include "accessplan/geodata/crs.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::NewFerry& m) {
    Reader& r = p.reader;
    const std::string& w = p.where;
    r.check_keys(p.node, w, {"name", "from", "to", "crossing_min", "headway_min", "bidirectional", "months"});
    for (auto [key, target] : {std::pair{"from", &m.from}, {"to", &m.to}}) {
        if (!p.node[key]) r.error(p.node, w + "." + key, "missing; the port as [longitude, latitude]");
        else if (auto pt = lon_lat(r, p.node[key], w + "." + key)) *target = *pt;
    }
    m.crossing_min = r.number(p.node, "crossing_min", w, 0.0, true).value_or(0.0);
    m.headway_min = r.number(p.node, "headway_min", w, -1e-12).value_or(0.0);
    m.bidirectional = flag(r, p.node, "bidirectional", w).value_or(true);
    m.months = months_of(r, p.node, w);
}

void apply(const modification::NewFerry& m, FerryStep& step) {
    const Scenario& s = step.scenario;
    const std::string name = step.current->name.empty() ? "new ferry" : step.current->name;
    step.all_names.push_back(name);
    if (s.month && !in_months(m.months, *s.month)) return;
    FerryLink l;
    l.name = name;
    l.source = step.current->label;
    l.x0 = m.from.lon;
    l.y0 = m.from.lat;
    l.x1 = m.to.lon;
    l.y1 = m.to.lat;
    geodata::CoordinateTransform t(geodata::wgs84(), step.crs);
    t.transform_point(l.x0, l.y0);
    t.transform_point(l.x1, l.y1);
    l.crossing_min = m.crossing_min;
    l.headway_min = m.headway_min;
    l.bidirectional = m.bidirectional;
    step.links.push_back(std::move(l));
}

}  // namespace accessplan::scenarios::detail
