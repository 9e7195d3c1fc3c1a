#include "accessplan/engine/e2sfca.hpp"

#include <cmath>

#include <fmt/format.h>

namespace accessplan {

double e2sfca_weight(double t, const E2sfcaOptions& o) {
    if (!within_minutes(t, o.catchment_min) || t < 0.0) return 0.0;
    if (o.decay == Decay::gaussian) {
        const double beta = -o.catchment_min * o.catchment_min / std::log(o.gaussian_weight_at_limit);
        return std::exp(-t * t / beta);
    }
    for (const auto& [limit, weight] : o.steps)
        if (within_minutes(t, limit * o.catchment_min)) return weight;
    return 0.0;
}

Grid<float> e2sfca(const Grid<float>& friction, const std::vector<SupplyPoint>& facilities, const Grid<float>& children,
                   const TravelTimeOptions& travel, const E2sfcaOptions& options) {
    require_same_grid(friction.spec(), "friction", children.spec(), "children");
    if (!(options.catchment_min > 0.0))
        throw InputError(fmt::format("E2SFCA catchment {} minutes; expected > 0", options.catchment_min));
    if (options.decay == Decay::gaussian && !(options.gaussian_weight_at_limit > 0.0 && options.gaussian_weight_at_limit < 1.0))
        throw InputError("E2SFCA Gaussian weight at the catchment limit must be between 0 and 1");
    for (const auto& f : facilities)
        if (!(f.supply > 0.0) || !std::isfinite(f.supply))
            throw InputError(fmt::format("E2SFCA: a facility has supply {}; expected a positive capacity", f.supply));
    TravelTimeOptions bounded = travel;
    bounded.max_minutes = options.catchment_min * (1.0 + 1e-6);  // as within_minutes
    // Catchment of every facility (computed in parallel), then summed in facility order: thread-independent.
    std::vector<SourceCell> sources;
    sources.reserve(facilities.size());
    for (std::size_t j = 0; j < facilities.size(); ++j) sources.push_back({facilities[j].cell, static_cast<std::int32_t>(j)});
    const auto reached = compute_catchments(friction, sources, bounded);
    std::vector<std::vector<std::pair<std::size_t, float>>> catchments(facilities.size());
    for (std::size_t j = 0; j < facilities.size(); ++j) {
        catchments[j].reserve(reached[j].size());
        for (const auto& [i, t] : reached[j]) catchments[j].emplace_back(i, static_cast<float>(e2sfca_weight(t, options)));
    }
    std::vector<double> access(friction.size(), 0.0);
    for (std::size_t j = 0; j < facilities.size(); ++j) {
        double demand = 0.0;
        for (const auto& [i, w] : catchments[j]) demand += static_cast<double>(children[i]) * w;
        if (!(demand > 0.0)) continue;  // nobody to serve: its supply reaches no one
        const double ratio = facilities[j].supply / demand;
        for (const auto& [i, w] : catchments[j]) access[i] += ratio * w;
    }
    Grid<float> out(friction.spec(), 0.0f);
    for (std::size_t i = 0; i < access.size(); ++i) out[i] = static_cast<float>(access[i]);
    return out;
}

}  // namespace accessplan
