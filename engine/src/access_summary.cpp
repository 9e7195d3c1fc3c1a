#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/travel_time.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <optional>
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

// The bits of a float >= 0 order as the float does: its top 12 bits below the sign (the exponent and 4 bits of the
// mantissa) put a time in one of 4,096 bins, each a sixteenth of a doubling wide (4 minutes between 64 and 128).
constexpr std::size_t bins = 4096;
std::uint32_t bits_of(float t) {
    std::uint32_t bits;
    std::memcpy(&bits, &t, sizeof bits);
    return bits;
}
std::size_t bin_of(float t) { return (bits_of(t) >> 19) & (bins - 1); }

// One cell's figures for every summary it counts in.
struct CellFigures {
    double children;
    float minutes;
    bool reachable, within;
    std::size_t band, bin;
};

// Accumulates up to `count` summaries in one pass over the cells (in a fixed order): sums, bands, and the children
// per time bin. The median and 90th percentile are then exact with a second pass that keeps only the cells of the
// bin each falls in, sorted: no list of every reachable cell (12 bytes a populated cell, twice with a sort's buffer:
// 0.8 GB for all of Vietnam at 100 m). The work of one summary, whatever the number of area classes or zones.
class SummaryBuilder {
public:
    SummaryBuilder(double threshold_min, std::size_t count)
        : m_threshold(threshold_min), m_s(count), m_stats(count), m_bin_children(count * bins, 0.0),
          m_bin_first(count * bins, std::numeric_limits<float>::infinity()) {
        check_threshold(threshold_min);
    }

    // The figures of cell i, or none for a cell without children. InputError for a bad count or time.
    std::optional<CellFigures> figures(const Grid<float>& children, const Grid<float>& minutes, std::size_t i) const {
        const float cf = children[i];
        if (std::isnan(cf) || cf < 0.0f)
            throw InputError(fmt::format("children grid: cell (col {}, row {}) holds {}; expected a count >= 0",
                                         i % children.cols(), i / children.cols(), cf));
        if (cf == 0.0f) return std::nullopt;
        const float t = minutes[i] + 0.0f;  // -0 as +0, for the bins
        if (t < 0.0f)
            throw InputError(fmt::format("travel-time grid: cell (col {}, row {}) holds {} minutes; times cannot be negative",
                                         i % minutes.cols(), i / minutes.cols(), t));
        CellFigures f{cf, t, std::isfinite(t), false, 0, 0};
        f.within = f.reachable && within_minutes(t, m_threshold);
        while (f.reachable && f.band < travel_time_band_limits.size() && t > travel_time_band_limits[f.band]) ++f.band;
        if (f.reachable) f.bin = bin_of(t);
        return f;
    }

    // Pass 1: the cell counts in summary k.
    void add(const CellFigures& f, std::size_t k) {
        AccessSummary& s = m_s[k];
        s.children += f.children;
        if (!f.reachable) {
            s.unreachable += f.children;
            return;
        }
        if (f.within) s.within_threshold += f.children;
        s.bands[f.band] += f.children;
        Stats& st = m_stats[k];
        st.total += f.children;
        st.weighted_time += f.children * f.minutes;
        st.last = std::max(st.last, f.minutes);
        m_bin_children[k * bins + f.bin] += f.children;
        m_bin_first[k * bins + f.bin] = std::min(m_bin_first[k * bins + f.bin], f.minutes);
    }

    // Pass 2 and the result. visit(fn) calls fn(i, k) for every cell i and summary k that pass 1 added (in any order).
    // A quantile q is the smallest time t such that the children at times <= t reach q of the summary's reachable
    // children (the largest time where rounding leaves the sum just short).
    template <typename Visit>
    std::vector<AccessSummary> finish(const Grid<float>& children, const Grid<float>& minutes, Visit&& visit) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        constexpr std::array<double, 2> shares{0.5, 0.9};
        const std::size_t count = m_s.size();
        // Per summary and quantile: the bin where the children reach the share, and the children in the bins before.
        std::vector<Quantile> quantiles(count * shares.size());
        bool any = false;
        for (std::size_t k = 0; k < count; ++k) {
            const Stats& st = m_stats[k];
            if (!(st.total > 0.0)) continue;
            for (std::size_t q = 0; q < shares.size(); ++q) {
                Quantile& qu = quantiles[k * shares.size() + q];
                qu.target = shares[q] * st.total;
                double before = 0.0;
                for (std::size_t b = 0; b < bins; ++b) {
                    const double in_bin = m_bin_children[k * bins + b];
                    if (in_bin > 0.0 && before + in_bin >= qu.target) {
                        qu.bin = b;
                        qu.before = before;
                        any = true;
                        break;
                    }
                    before += in_bin;
                }
            }
        }
        if (any)
            visit([&](std::size_t i, std::size_t k) {
                const float t = minutes[i] + 0.0f;
                if (!(children[i] > 0.0f) || !std::isfinite(t)) return;
                for (std::size_t q = 0; q < shares.size(); ++q) {
                    Quantile& qu = quantiles[k * shares.size() + q];
                    if (qu.bin == bins || bin_of(t) != qu.bin) continue;
                    qu.cells.push_back({t, static_cast<std::uint32_t>(i), children[i]});
                }
            });
        for (std::size_t k = 0; k < count; ++k) {
            AccessSummary& s = m_s[k];
            const Stats& st = m_stats[k];
            if (!(st.total > 0.0)) {
                s.mean_min = s.median_min = s.p90_min = nan;
                continue;
            }
            s.mean_min = st.weighted_time / st.total;
            for (std::size_t q = 0; q < shares.size(); ++q) {
                Quantile& qu = quantiles[k * shares.size() + q];
                double found = st.last;  // (also where rounding leaves the bins' sums short of the share)
                if (qu.bin != bins) {
                    // Where rounding leaves this bin's sum in time order short of the share: the next bin's first time.
                    for (std::size_t b = qu.bin + 1; b < bins; ++b)
                        if (m_bin_children[k * bins + b] > 0.0) {
                            found = m_bin_first[k * bins + b];
                            break;
                        }
                    // Equal times in cell order: the same answer in any order, and the same sums on every run.
                    std::sort(qu.cells.begin(), qu.cells.end(), [](const Binned& a, const Binned& b) {
                        return a.minutes != b.minutes ? a.minutes < b.minutes : a.cell < b.cell;
                    });
                    double cumulative = qu.before;
                    for (const Binned& c : qu.cells) {
                        cumulative += c.children;
                        if (cumulative >= qu.target) {
                            found = c.minutes;
                            break;
                        }
                    }
                }
                (q == 0 ? s.median_min : s.p90_min) = found;
            }
        }
        return m_s;
    }

private:
    struct Stats {
        double total = 0.0, weighted_time = 0.0;
        float last = 0.0f;  ///< the largest reachable time
    };
    struct Binned {
        float minutes;
        std::uint32_t cell;
        float children;
    };
    struct Quantile {
        double target = 0.0, before = 0.0;
        std::size_t bin = bins;  ///< bins: none (no reachable children)
        std::vector<Binned> cells;
    };
    double m_threshold;
    std::vector<AccessSummary> m_s;
    std::vector<Stats> m_stats;
    std::vector<double> m_bin_children;  ///< per summary and bin
    std::vector<float> m_bin_first;      ///< per summary and bin: its smallest time
};

// Summaries of the cells for_each(fn) gives as fn(i, in): cell i counts in summary k where bit k of `in` is set.
template <typename ForEach>
std::vector<AccessSummary> summarize_bits(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                          std::size_t count, ForEach&& for_each) {
    if (count > 32) throw InternalError("summaries: at most 32 in one pass");
    SummaryBuilder b(threshold_min, count);
    for_each([&](std::size_t i, std::uint32_t in) {
        if (in == 0) return;
        const auto f = b.figures(children, minutes, i);
        if (!f) return;
        for (std::uint32_t bits = in; bits != 0; bits &= bits - 1) b.add(*f, static_cast<std::size_t>(std::countr_zero(bits)));
    });
    return b.finish(children, minutes, [&](auto&& fn) {
        for_each([&](std::size_t i, std::uint32_t in) {
            for (std::uint32_t bits = in; bits != 0; bits &= bits - 1) fn(i, static_cast<std::size_t>(std::countr_zero(bits)));
        });
    });
}

template <typename Id>
std::vector<AccessSummary> summarize_by_id(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                           const Grid<Id>& ids, std::size_t count) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    require_same_grid(minutes.spec(), "travel time", ids.spec(), "zones");
    SummaryBuilder b(threshold_min, count);
    auto zone = [&](std::size_t i) -> std::size_t {
        const auto id = ids[i];
        if (id <= 0) return count;
        if (static_cast<std::size_t>(id) > count)
            throw InternalError(fmt::format("summaries by zone: zone id {} above the zone count {}", id, count));
        return static_cast<std::size_t>(id) - 1;
    };
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (const std::size_t z = zone(i); z < count)
            if (const auto f = b.figures(children, minutes, i)) b.add(*f, z);
    return b.finish(children, minutes, [&](auto&& fn) {
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (const std::size_t z = zone(i); z < count) fn(i, z);
    });
}

}  // namespace

std::vector<AccessSummary> summarize_access_masks(const Grid<float>& children, const Grid<float>& minutes,
                                                  double threshold_min, const std::vector<const Grid<std::uint8_t>*>& masks) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    for (const auto* m : masks)
        if (m) require_same_grid(minutes.spec(), "travel time", m->spec(), "area mask");
    return summarize_bits(children, minutes, threshold_min, masks.size(), [&](auto&& fn) {
        for (std::size_t i = 0; i < children.size(); ++i) {
            std::uint32_t in = 0;
            for (std::size_t k = 0; k < masks.size(); ++k)
                if (!masks[k] || (*masks[k])[i] != 0) in |= 1u << k;
            fn(i, in);
        }
    });
}

std::vector<AccessSummary> summarize_access_labels(const Grid<float>& children, const Grid<float>& minutes,
                                                   double threshold_min, const Grid<std::uint8_t>& labels,
                                                   const std::array<std::uint32_t, 256>& membership, std::size_t count) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    require_same_grid(minutes.spec(), "travel time", labels.spec(), "area labels");
    return summarize_bits(children, minutes, threshold_min, count, [&](auto&& fn) {
        for (std::size_t i = 0; i < children.size(); ++i) fn(i, membership[labels[i]]);
    });
}

std::vector<AccessSummary> summarize_access_zones(const Grid<float>& children, const Grid<float>& minutes,
                                                  double threshold_min, const Grid<std::int32_t>& zone_ids,
                                                  std::size_t zone_count) {
    return summarize_by_id(children, minutes, threshold_min, zone_ids, zone_count);
}

std::vector<AccessSummary> summarize_access_zones(const Grid<float>& children, const Grid<float>& minutes,
                                                  double threshold_min, const Grid<std::uint16_t>& zone_ids,
                                                  std::size_t zone_count) {
    return summarize_by_id(children, minutes, threshold_min, zone_ids, zone_count);
}

AccessSummary summarize_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                               const Grid<std::uint8_t>* include) {
    return summarize_access_masks(children, minutes, threshold_min, {include}).front();
}

AccessSummary summarize_access_cells(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const std::vector<std::uint32_t>& cells) {
    require_same_grid(minutes.spec(), "travel time", children.spec(), "children");
    return summarize_bits(children, minutes, threshold_min, 1, [&](auto&& fn) {
        for (const std::uint32_t i : cells) fn(i, 1u);
    }).front();
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
