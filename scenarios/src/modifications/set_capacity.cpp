// set_capacity: a new capacity for the facilities chosen by ids, match or capacity_below.
#include "kinds.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::SetCapacity& m) {
    p.reader.check_keys(p.node, p.where, {"name", "ids", "match", "capacity_below", "capacity"});
    read_selection(p.reader, p.node, p.where, m.select);
    if (!p.node["ids"] && !p.node["match"] && !p.node["capacity_below"])
        p.reader.error(p.node, p.where, "say which facilities: ids: [...], match: {field: value}, capacity_below: N");
    m.capacity = p.reader.number(p.node, "capacity", p.where, 0.0, true).value_or(0.0);
}

void apply(const modification::SetCapacity& m, FacilityStep& step) {
    const Scenario& s = step.scenario;
    auto attrs = [](const geodata::PointFeature& p) -> const std::map<std::string, std::string>& { return p.attributes; };
    for (std::size_t i : select(step.current->label, m.select, step.points, attrs, s.id_field, s.capacity_field, "facility",
                                s.facilities.file.string()))
        step.points[i].attributes[s.capacity_field] = fmt::format("{}", m.capacity);
}

}  // namespace accessplan::scenarios::detail
