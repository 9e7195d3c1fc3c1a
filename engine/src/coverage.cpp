#include "accessplan/engine/coverage.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace accessplan {

namespace {

void check_facilities(const std::vector<CoverageFacility>& facilities) {
    for (const auto& f : facilities)
        if (!(f.capacity > 0.0) || !std::isfinite(f.capacity))
            throw InputError(fmt::format("coverage: facility {} has capacity {}; expected a positive number of children",
                                         f.id, f.capacity));
}

}  // namespace

CoverageResult capacity_coverage(const Grid<float>& friction, const std::vector<CoverageFacility>& facilities,
                                 const Grid<float>& children, const TravelTimeOptions& travel, double catchment_min) {
    require_same_grid(friction.spec(), "friction", children.spec(), "children");
    if (!(catchment_min > 0.0)) throw InputError(fmt::format("coverage catchment {} minutes; expected > 0", catchment_min));
    check_facilities(facilities);
    TravelTimeOptions bounded = travel;
    bounded.max_minutes = catchment_search_limit(catchment_min);
    std::vector<SourceCell> sources;
    for (const auto& f : facilities) sources.push_back({f.cell, f.id});
    const std::vector<Catchment> catchments = compute_catchments(friction, sources, bounded);  // in parallel
    std::vector<const Catchment*> views;
    for (const auto& c : catchments) views.push_back(&c);
    return capacity_coverage(facilities, views, children);
}

CoverageResult capacity_coverage(const std::vector<CoverageFacility>& facilities,
                                 const std::vector<const Catchment*>& catchments, const Grid<float>& children) {
    check_facilities(facilities);
    if (catchments.size() != facilities.size())
        throw InternalError(fmt::format("capacity_coverage: {} catchments for {} facilities", catchments.size(), facilities.size()));
    CoverageResult r;
    r.uncovered = children;
    r.load.assign(facilities.size(), 0.0);
    std::vector<std::pair<float, std::size_t>> reach;
    for (std::size_t j = 0; j < facilities.size(); ++j) {  // absorption is sequential, in the given order
        reach.clear();
        for (const auto& [i, t] : *catchments[j]) {
            if (i >= children.size())
                throw InternalError(fmt::format("capacity_coverage: catchment cell {} outside the {}-cell grid", i, children.size()));
            if (r.uncovered[i] > 0.0f) reach.emplace_back(t, std::size_t{i});
        }
        std::sort(reach.begin(), reach.end());  // nearest first; ties by cell index
        double left = facilities[j].capacity;
        for (const auto& [minutes, i] : reach) {
            if (left <= 0.0) break;
            const double take = std::min<double>(left, r.uncovered[i]);
            r.uncovered[i] = static_cast<float>(r.uncovered[i] - take);
            left -= take;
            r.load[j] += take;
        }
        r.covered += r.load[j];
    }
    for (float c : r.uncovered.values())
        if (c > 0.0f) r.uncovered_total += c;
    return r;
}

}  // namespace accessplan
