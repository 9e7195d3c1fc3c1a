// close_facilities: facilities chosen by ids, match or capacity_below are removed.
#include "kinds.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::CloseFacilities& m) {
    p.reader.check_keys(p.node, p.where, {"name", "ids", "match", "capacity_below"});
    read_selection(p.reader, p.node, p.where, m.select);
    if (!p.node["ids"] && !p.node["match"] && !p.node["capacity_below"])
        p.reader.error(p.node, p.where, "say which facilities: ids: [...], match: {field: value}, capacity_below: N");
}

void apply(const modification::CloseFacilities& m, FacilityStep& step) {
    const Scenario& s = step.scenario;
    auto attrs = [](const geodata::PointFeature& p) -> const std::map<std::string, std::string>& { return p.attributes; };
    const auto picked = select(step.current->label, m.select, step.points, attrs, s.id_field, s.capacity_field, "facility",
                               s.facilities.file.string());
    std::vector<geodata::PointFeature> kept;
    for (std::size_t i = 0, k = 0; i < step.points.size(); ++i) {
        if (k < picked.size() && picked[k] == i) {
            ++k;
            continue;
        }
        kept.push_back(std::move(step.points[i]));
    }
    step.points = std::move(kept);
}

}  // namespace accessplan::scenarios::detail
