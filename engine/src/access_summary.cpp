#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/travel_time.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

namespace accessplan {
namespace {
double weighted_quantile(std::vector<std::pair<float, double>>& values, double total, double q) {
    // Smallest time t such that the children with time <= t reach share q of the total.
    const double target = q * total;
    double cumulative = 0.0;
    for (const auto& [t, w] : values) {
        cumulative += w;
        if (cumulative >= target) return t;
    }
    return values.empty() ? std::numeric_limits<double>::quiet_NaN() : values.back().first;
}
}  // namespace

AccessSummary summarize_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                               const Grid<std::uint8_t>* include) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    if (include) require_same_grid(minutes.spec(), "travel time", include->spec(), "area mask");
    if (!(threshold_min > 0.0))
        throw InputError(fmt::format("threshold {} minutes; expected a time above 0", threshold_min));
    AccessSummary s;
    std::vector<std::pair<float, double>> reachable;
    double reachable_total = 0.0, weighted_time = 0.0;
    for (std::size_t i = 0; i < children.size(); ++i) {
        if (include && (*include)[i] == 0) continue;
        const double c = children[i];
        if (std::isnan(c) || c < 0.0)
            throw InputError(fmt::format("children grid: cell (col {}, row {}) holds {}; expected a count >= 0",
                                         i % children.cols(), i / children.cols(), c));
        if (c == 0.0) continue;
        s.children += c;
        const float t = minutes[i];
        if (!std::isfinite(t)) {
            s.unreachable += c;
            continue;
        }
        if (within_minutes(t, threshold_min)) s.within_threshold += c;
        std::size_t band = 0;
        while (band < travel_time_band_limits.size() && t > travel_time_band_limits[band]) ++band;
        s.bands[band] += c;
        reachable.emplace_back(t, c);
        reachable_total += c;
        weighted_time += c * t;
    }
    if (reachable_total > 0.0) {
        std::sort(reachable.begin(), reachable.end());
        s.mean_min = weighted_time / reachable_total;
        s.median_min = weighted_quantile(reachable, reachable_total, 0.5);
        s.p90_min = weighted_quantile(reachable, reachable_total, 0.9);
    } else {
        s.mean_min = s.median_min = s.p90_min = std::numeric_limits<double>::quiet_NaN();
    }
    return s;
}

}  // namespace accessplan
