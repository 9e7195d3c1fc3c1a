#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/travel_time.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

namespace accessplan {

namespace {

void check_threshold(double threshold_min) {
    if (!(threshold_min > 0.0)) throw InputError(fmt::format("threshold {} minutes; expected a time above 0", threshold_min));
}

// One populated, reachable cell: its time, its children and the summaries (bit k = summary k) it counts in.
struct Reached {
    float minutes;
    float children;
    std::uint32_t in;
};

// Stable LSD radix sort by time (3 passes of 11 bits): the bits of a float >= 0 order as the float does. Cells with
// equal times keep their cell order. Several times faster than a comparison sort on the 10^5-10^6 cells of a run.
void sort_by_minutes(std::vector<Reached>& cells) {
    std::vector<Reached> buffer(cells.size());
    auto key = [](const Reached& r) {
        std::uint32_t bits;
        std::memcpy(&bits, &r.minutes, sizeof bits);
        return bits;
    };
    for (int shift = 0; shift < 32; shift += 11) {
        std::array<std::size_t, 2049> start{};
        for (const Reached& r : cells) ++start[((key(r) >> shift) & 2047u) + 1];
        for (std::size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
        for (const Reached& r : cells) buffer[start[(key(r) >> shift) & 2047u]++] = r;
        cells.swap(buffer);
    }
}

// Accumulates up to 32 summaries in one pass over the cells (in a fixed order) and one sort of the reachable cells:
// the work of one summary, whatever the number of area classes.
class SummaryBuilder {
public:
    SummaryBuilder(double threshold_min, std::size_t count) : m_threshold(threshold_min), m_s(count), m_stats(count) {
        check_threshold(threshold_min);
        if (count > 32) throw InternalError("SummaryBuilder: at most 32 summaries in one pass");
    }

    void add(const Grid<float>& children, const Grid<float>& minutes, std::size_t i, std::uint32_t in) {
        if (in == 0) return;
        const float cf = children[i];
        if (std::isnan(cf) || cf < 0.0f)
            throw InputError(fmt::format("children grid: cell (col {}, row {}) holds {}; expected a count >= 0",
                                         i % children.cols(), i / children.cols(), cf));
        if (cf == 0.0f) return;
        const double c = cf;
        const float t = minutes[i] + 0.0f;  // -0 as +0, for the radix sort
        if (t < 0.0f)
            throw InputError(fmt::format("travel-time grid: cell (col {}, row {}) holds {} minutes; times cannot be negative",
                                         i % minutes.cols(), i / minutes.cols(), t));
        const bool reachable = std::isfinite(t);
        const bool within = reachable && within_minutes(t, m_threshold);
        std::size_t band = 0;
        while (reachable && band < travel_time_band_limits.size() && t > travel_time_band_limits[band]) ++band;
        for (std::uint32_t bits = in; bits != 0; bits &= bits - 1) {
            const auto k = static_cast<std::size_t>(__builtin_ctz(bits));
            AccessSummary& s = m_s[k];
            s.children += c;
            if (!reachable) {
                s.unreachable += c;
                continue;
            }
            if (within) s.within_threshold += c;
            s.bands[band] += c;
            m_stats[k].total += c;
            m_stats[k].weighted_time += c * t;
        }
        if (reachable) m_reachable.push_back({t, cf, in});
    }

    std::vector<AccessSummary> finish() {
        sort_by_minutes(m_reachable);
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        for (std::size_t k = 0; k < m_s.size(); ++k) {
            AccessSummary& s = m_s[k];
            const Stats& st = m_stats[k];
            if (!(st.total > 0.0)) {
                s.mean_min = s.median_min = s.p90_min = nan;
                continue;
            }
            s.mean_min = st.weighted_time / st.total;
            // Smallest time t such that the children with time <= t reach share q of the total.
            const std::uint32_t bit = 1u << k;
            double cumulative = 0.0, last = nan;
            s.median_min = s.p90_min = nan;
            for (const Reached& r : m_reachable) {
                if (!(r.in & bit)) continue;
                cumulative += r.children;
                last = r.minutes;
                if (std::isnan(s.median_min) && cumulative >= 0.5 * st.total) s.median_min = r.minutes;
                if (cumulative >= 0.9 * st.total) {
                    s.p90_min = r.minutes;
                    break;
                }
            }
            if (std::isnan(s.median_min)) s.median_min = last;
            if (std::isnan(s.p90_min)) s.p90_min = last;
        }
        return m_s;
    }

private:
    struct Stats {
        double total = 0.0, weighted_time = 0.0;
    };
    double m_threshold;
    std::vector<AccessSummary> m_s;
    std::vector<Stats> m_stats;
    std::vector<Reached> m_reachable;
};

}  // namespace

std::vector<AccessSummary> summarize_access_masks(const Grid<float>& children, const Grid<float>& minutes,
                                                  double threshold_min, const std::vector<const Grid<std::uint8_t>*>& masks) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    for (const auto* m : masks)
        if (m) require_same_grid(minutes.spec(), "travel time", m->spec(), "area mask");
    SummaryBuilder b(threshold_min, masks.size());
    for (std::size_t i = 0; i < children.size(); ++i) {
        std::uint32_t in = 0;
        for (std::size_t k = 0; k < masks.size(); ++k)
            if (!masks[k] || (*masks[k])[i] != 0) in |= 1u << k;
        b.add(children, minutes, i, in);
    }
    return b.finish();
}

AccessSummary summarize_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                               const Grid<std::uint8_t>* include) {
    return summarize_access_masks(children, minutes, threshold_min, {include}).front();
}

AccessSummary summarize_access_cells(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const std::vector<std::uint32_t>& cells) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    SummaryBuilder b(threshold_min, 1);
    for (const std::uint32_t i : cells) b.add(children, minutes, i, 1u);
    return b.finish().front();
}

double travel_time_gini(const Grid<float>& children, const Grid<float>& minutes, double cap_min) {
    require_same_grid(children.spec(), "children", minutes.spec(), "travel time");
    std::vector<std::pair<double, double>> v;  // (time, children)
    for (std::size_t i = 0; i < children.size(); ++i)
        if (children[i] > 0.0f) v.emplace_back(std::min<double>(minutes[i], cap_min), children[i]);  // (NaN/inf: the cap)
    for (auto& [t, w] : v)
        if (!(t <= cap_min)) t = cap_min;
    std::sort(v.begin(), v.end());
    double weight = 0.0, sum = 0.0;
    for (const auto& [t, w] : v) {
        weight += w;
        sum += w * t;
    }
    if (!(weight > 0.0) || !(sum > 0.0)) return 0.0;
    // Sorted ascending: sum_i w_i t_i (2 C_i - w_i - W) / (W^2 mean), C_i the cumulative weight through i.
    double cumulative = 0.0, g = 0.0;
    for (const auto& [t, w] : v) {
        cumulative += w;
        g += w * t * (2.0 * cumulative - w - weight);
    }
    return g / (weight * sum);
}

}  // namespace accessplan
