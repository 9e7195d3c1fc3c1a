// close_ferry: ferries taken out of service by name (the ferries layer's, earlier new_ferry modifications'),
// optionally only in some months.
#include "kinds.hpp"

#include <fmt/ranges.h>

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::CloseFerry& m) {
    Reader& r = p.reader;
    const std::string& w = p.where;
    r.check_keys(p.node, w, {"name", "names", "months"});
    const YAML::Node names = p.node["names"];
    if (!names || !names.IsSequence() || names.size() == 0)
        r.error(p.node, w + ".names", "the ferries to close, by name: names: [\"Phà ...\"] (the ferries layer's name field, "
                                      "or a new_ferry's name)");
    else
        for (const auto& n : names) {
            if (n.IsScalar() && !n.as<std::string>().empty()) m.names.push_back(n.as<std::string>());
            else r.error(n, w + ".names", "expected ferry names (text)");
        }
    m.months = months_of(r, p.node, w);
}

void apply(const modification::CloseFerry& m, FerryStep& step) {
    for (const auto& name : m.names)
        if (std::find(step.all_names.begin(), step.all_names.end(), name) == step.all_names.end())
            throw InputError(fmt::format("{}: no ferry is named '{}'; the ferries: {}", step.current->label, name,
                                         step.all_names.empty() ? std::string("none (no travel.ferries, no new_ferry before it)")
                                                                : fmt::format("{}", fmt::join(step.all_names, ", "))));
    const Scenario& s = step.scenario;
    if (s.month && !in_months(m.months, *s.month)) return;
    std::erase_if(step.links, [&](const FerryLink& l) {
        return std::find(m.names.begin(), m.names.end(), l.name) != m.names.end();
    });
}

}  // namespace accessplan::scenarios::detail
