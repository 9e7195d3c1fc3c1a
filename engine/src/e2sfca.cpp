#include "accessplan/engine/e2sfca.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "accessplan/engine/parallel.hpp"

namespace accessplan {

DecayWeight::DecayWeight(const E2sfcaOptions& o) : m_limit(o.catchment_min), m_gaussian(o.decay == Decay::gaussian) {
    if (m_gaussian) {
        m_beta = -o.catchment_min * o.catchment_min / std::log(o.gaussian_weight_at_limit);
    } else {
        for (const auto& [limit, weight] : o.steps) m_steps.emplace_back(limit * o.catchment_min, weight);
    }
}

double DecayWeight::operator()(double t) const noexcept {
    if (!within_minutes(t, m_limit) || t < 0.0) return 0.0;
    if (m_gaussian) return std::exp(-t * t / m_beta);
    for (const auto& [limit, weight] : m_steps)
        if (within_minutes(t, limit)) return weight;
    return 0.0;
}

double e2sfca_weight(double t, const E2sfcaOptions& o) { return DecayWeight(o)(t); }

namespace {

void check_options(const E2sfcaOptions& options) {
    if (!(options.catchment_min > 0.0))
        throw InputError(fmt::format("E2SFCA catchment {} minutes; expected > 0", options.catchment_min));
    if (options.decay == Decay::gaussian && !(options.gaussian_weight_at_limit > 0.0 && options.gaussian_weight_at_limit < 1.0))
        throw InputError("E2SFCA Gaussian weight at the catchment limit must be between 0 and 1");
}

void check_supply(const std::vector<SupplyPoint>& facilities) {
    for (const auto& f : facilities)
        if (!(f.supply > 0.0) || !std::isfinite(f.supply))
            throw InputError(fmt::format("E2SFCA: a facility has supply {}; expected a positive capacity", f.supply));
}

}  // namespace

Grid<float> e2sfca(const Grid<float>& friction, const std::vector<SupplyPoint>& facilities, const Grid<float>& children,
                   const TravelTimeOptions& travel, const E2sfcaOptions& options) {
    require_same_grid(friction.spec(), "friction", children.spec(), "children");
    check_options(options);
    check_supply(facilities);
    TravelTimeOptions bounded = travel;
    bounded.max_minutes = catchment_search_limit(options.catchment_min);
    std::vector<SourceCell> sources;
    sources.reserve(facilities.size());
    for (std::size_t j = 0; j < facilities.size(); ++j) sources.push_back({facilities[j].cell, static_cast<std::int32_t>(j)});
    return e2sfca(facilities, compute_catchments(friction, sources, bounded), children, options);
}

Grid<float> e2sfca(const std::vector<SupplyPoint>& facilities, std::vector<Catchment> catchments,
                   const Grid<float>& children, const E2sfcaOptions& options) {
    std::vector<const Catchment*> of(catchments.size());
    for (std::size_t j = 0; j < catchments.size(); ++j) of[j] = &catchments[j];
    return e2sfca(facilities, of, children, options);
}

Grid<float> e2sfca(const std::vector<SupplyPoint>& facilities, const std::vector<const Catchment*>& catchments,
                   const Grid<float>& children, const E2sfcaOptions& options) {
    check_options(options);
    check_supply(facilities);
    if (catchments.size() != facilities.size())
        throw InternalError(fmt::format("e2sfca: {} catchments for {} facilities", catchments.size(), facilities.size()));
    // Each facility's weighted demand is summed on its own thread (cells in search order); the access sums then run
    // in facility order: thread-independent. A cell's weight is the decay of its time, as a float, in both steps.
    const DecayWeight weight(options);
    const auto w = [&weight](const ReachedCell& r) { return static_cast<float>(weight(r.minutes)); };
    std::vector<double> ratio(facilities.size(), 0.0);
    std::vector<std::pair<std::size_t, std::size_t>> span(facilities.size(), {children.size(), 0});  // cells [first, last]
    parallel_for(facilities.size(), [&](std::size_t j) {
        double demand = 0.0;
        for (const ReachedCell& r : *catchments[j]) {
            if (r.cell >= children.size())
                throw InternalError(fmt::format("e2sfca: catchment cell {} outside the {}-cell grid", r.cell, children.size()));
            demand += static_cast<double>(children[r.cell]) * w(r);
            span[j].first = std::min<std::size_t>(span[j].first, r.cell);
            span[j].second = std::max<std::size_t>(span[j].second, r.cell);
        }
        if (demand > 0.0) ratio[j] = facilities[j].supply / demand;  // else nobody to serve: its supply reaches no one
    });
    // Step 2 in facility order: the same sums whatever the thread count. A band of cells at a time (options.band_cells
    // doubles), each band's sums in facility order as the whole grid's would be; a catchment is read only for the
    // bands its cells span.
    Grid<float> out(children.spec(), 0.0f);
    const std::size_t cells = children.size(), band = std::max<std::size_t>(1, options.band_cells);
    std::vector<double> access;
    for (std::size_t start = 0; start < cells; start += band) {
        const std::size_t end = std::min(cells, start + band);
        assign_advised(access, end - start, 0.0);
        for (std::size_t j = 0; j < facilities.size(); ++j) {
            if (ratio[j] == 0.0 || span[j].second < start || span[j].first >= end) continue;
            for (const ReachedCell& r : *catchments[j])
                if (r.cell >= start && r.cell < end) access[r.cell - start] += ratio[j] * w(r);
        }
        for (std::size_t i = start; i < end; ++i) out[i] = static_cast<float>(access[i - start]);
    }
    return out;
}

}  // namespace accessplan
