// set_threshold: a service's threshold in minutes (applied as the scenario is read).
#include "kinds.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::SetThreshold& m) {
    p.reader.check_keys(p.node, p.where, {"name", "service", "threshold_min"});
    m.service = p.reader.text(p.node, "service", p.where, true).value_or("");
    m.threshold_min = p.reader.number(p.node, "threshold_min", p.where, 0.0, true).value_or(0.0);
    auto& services = p.scenario.services;
    auto svc = std::find_if(services.begin(), services.end(), [&](const Service& v) { return v.name == m.service; });
    if (svc != services.end()) svc->threshold_min = m.threshold_min;
    else if (!m.service.empty())
        p.reader.error(p.node["service"], p.where + ".service", fmt::format("'{}' is not a service", m.service));
}

}  // namespace accessplan::scenarios::detail
