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

namespace {

// Accumulates one summary; cells are added one by one, in a fixed order.
class SummaryBuilder {
public:
    explicit SummaryBuilder(double threshold_min) : m_threshold(threshold_min) {}

    void add(const Grid<float>& children, const Grid<float>& minutes, std::size_t i) {
        const double c = children[i];
        if (std::isnan(c) || c < 0.0)
            throw InputError(fmt::format("children grid: cell (col {}, row {}) holds {}; expected a count >= 0",
                                         i % children.cols(), i / children.cols(), c));
        if (c == 0.0) return;
        m_s.children += c;
        const float t = minutes[i];
        if (!std::isfinite(t)) {
            m_s.unreachable += c;
            return;
        }
        if (within_minutes(t, m_threshold)) m_s.within_threshold += c;
        std::size_t band = 0;
        while (band < travel_time_band_limits.size() && t > travel_time_band_limits[band]) ++band;
        m_s.bands[band] += c;
        m_reachable.emplace_back(t, c);
        m_reachable_total += c;
        m_weighted_time += c * t;
    }

    AccessSummary finish() {
        if (m_reachable_total > 0.0) {
            std::sort(m_reachable.begin(), m_reachable.end());
            m_s.mean_min = m_weighted_time / m_reachable_total;
            m_s.median_min = weighted_quantile(m_reachable, m_reachable_total, 0.5);
            m_s.p90_min = weighted_quantile(m_reachable, m_reachable_total, 0.9);
        } else {
            m_s.mean_min = m_s.median_min = m_s.p90_min = std::numeric_limits<double>::quiet_NaN();
        }
        return m_s;
    }

private:
    double m_threshold;
    AccessSummary m_s;
    std::vector<std::pair<float, double>> m_reachable;
    double m_reachable_total = 0.0, m_weighted_time = 0.0;
};

void check_threshold(double threshold_min) {
    if (!(threshold_min > 0.0)) throw InputError(fmt::format("threshold {} minutes; expected a time above 0", threshold_min));
}

}  // namespace

AccessSummary summarize_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                               const Grid<std::uint8_t>* include) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    if (include) require_same_grid(minutes.spec(), "travel time", include->spec(), "area mask");
    check_threshold(threshold_min);
    SummaryBuilder b(threshold_min);
    for (std::size_t i = 0; i < children.size(); ++i)
        if (!include || (*include)[i] != 0) b.add(children, minutes, i);
    return b.finish();
}

AccessSummary summarize_access_cells(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const std::vector<std::size_t>& cells) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    check_threshold(threshold_min);
    SummaryBuilder b(threshold_min);
    for (std::size_t i : cells) b.add(children, minutes, i);
    return b.finish();
}

}  // namespace accessplan
