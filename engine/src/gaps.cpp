#include "accessplan/engine/gaps.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "flood_fill.hpp"

namespace accessplan {

namespace {

/// find_gap_clusters on `label`, which is either a grid of zeros beside `nearest` or `nearest` itself (consumed). A
/// claimed cell holds -3 - (its nearest facility) until it is visited (the facility read back there, with no list
/// beside the fill's stack), then -1 - (its cluster's first id): both below any facility id (-1 = none), until the
/// cells are relabelled by rank at the end. `Index`: the fill's stack cells.
template <typename Index>
GapResult gap_clusters(const Grid<float>& children, const Grid<float>& minutes, const Grid<std::int32_t>& nearest,
                       Grid<std::int32_t>& label, double threshold_min, const Grid<std::uint8_t>* area_flags,
                       const Grid<std::uint8_t>* include, double min_children, double min_cell_children) {
    const GridSpec& spec = children.spec();
    require_same_grid(spec, "children", minutes.spec(), "travel time");
    require_same_grid(spec, "children", nearest.spec(), "nearest facility");
    const std::size_t n = children.size();
    auto in_gap = [&](std::size_t i) {
        if (include && (*include)[i] == 0) return false;
        const float c = children[i];
        if (!(c > 0.0f) || c < min_cell_children) return false;
        const float t = minutes[i];
        return !std::isfinite(t) || !within_minutes(t, threshold_min);
    };
    constexpr std::int32_t unclaimed_below = -1;  // a claimed cell's value is below this
    std::vector<GapCluster> found;
    std::vector<Index> stack;
    for (std::size_t start = 0; start < n; ++start) {
        if (label[start] < unclaimed_below || !in_gap(start)) continue;
        const auto id = static_cast<std::int32_t>(found.size() + 1);
        GapCluster g;
        g.first_cell = start;
        double reachable = 0.0, weighted = 0.0, max_t = -1.0;
        std::map<std::int32_t, std::pair<double, double>> by_facility;  // children, children x time
        label[start] = -3 - nearest[start];  // (read before it is written when `label` is `nearest`)
        auto claim = [&](std::size_t j) {
            if (label[j] < unclaimed_below || !in_gap(j)) return false;
            label[j] = -3 - nearest[j];
            return true;
        };
        flood_fill_8(spec, start, stack, claim, [&](std::size_t i) {
            const std::int32_t facility = -3 - label[i];
            label[i] = -1 - id;
            ++g.cells;
            const double c = children[i];
            g.children += c;
            const float t = minutes[i];
            if (!std::isfinite(t)) {
                g.unreachable_children += c;
            } else {
                reachable += c;
                weighted += c * t;
                max_t = std::max(max_t, static_cast<double>(t));
                auto& f = by_facility[facility];
                f.first += c;
                f.second += c * t;
            }
            if (area_flags) {
                const std::uint8_t fl = (*area_flags)[i];
                if (fl & area_class::island) g.island_children += c;
                if (fl & area_class::border) g.border_children += c;
                if (fl & area_class::remote) g.remote_children += c;
            }
        });
        const double nan = std::numeric_limits<double>::quiet_NaN();
        g.mean_min = reachable > 0.0 ? weighted / reachable : nan;
        g.max_min = max_t >= 0.0 ? max_t : nan;
        double best = -1.0;
        for (const auto& [facility, cw] : by_facility)
            if (cw.first > best) {
                best = cw.first;
                g.nearest_facility = facility;
                g.nearest_facility_min = cw.first > 0.0 ? cw.second / cw.first : nan;
            }
        found.push_back(g);
    }
    // Rank by children (ties: first cell), drop small clusters, relabel cells by rank.
    std::vector<std::size_t> order(found.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return found[a].children != found[b].children ? found[a].children > found[b].children
                                                      : found[a].first_cell < found[b].first_cell;
    });
    std::vector<std::int32_t> rank_of(found.size() + 1, 0);
    GapResult result;
    for (std::size_t k : order) {
        if (found[k].children < min_children) continue;
        found[k].rank = static_cast<std::int32_t>(result.clusters.size() + 1);
        rank_of[k + 1] = found[k].rank;
        result.clusters.push_back(found[k]);
    }
    for (std::size_t i = 0; i < n; ++i)
        label[i] = label[i] < unclaimed_below ? rank_of[static_cast<std::size_t>(-1 - label[i])] : 0;
    result.cluster = std::move(label);
    return result;
}

/// gap_clusters with the fill's stack in 4-byte cells where the grid allows (all of them up to 2^32 cells).
GapResult gap_clusters_sized(const Grid<float>& children, const Grid<float>& minutes, const Grid<std::int32_t>& nearest,
                             Grid<std::int32_t>& label, double threshold_min, const Grid<std::uint8_t>* area_flags,
                             const Grid<std::uint8_t>* include, double min_children, double min_cell_children) {
    if (children.size() <= std::numeric_limits<std::uint32_t>::max())
        return gap_clusters<std::uint32_t>(children, minutes, nearest, label, threshold_min, area_flags, include, min_children,
                                           min_cell_children);
    return gap_clusters<std::size_t>(children, minutes, nearest, label, threshold_min, area_flags, include, min_children,
                                     min_cell_children);
}

}  // namespace

GapResult find_gap_clusters(const Grid<float>& children, const Grid<float>& minutes, const Grid<std::int32_t>& nearest,
                            double threshold_min, const Grid<std::uint8_t>* area_flags,
                            const Grid<std::uint8_t>* include, double min_children, double min_cell_children) {
    Grid<std::int32_t> label(children.spec(), 0);
    return gap_clusters_sized(children, minutes, nearest, label, threshold_min, area_flags, include, min_children,
                              min_cell_children);
}

GapResult find_gap_clusters(const Grid<float>& children, const Grid<float>& minutes, Grid<std::int32_t>&& nearest,
                            double threshold_min, const Grid<std::uint8_t>* area_flags,
                            const Grid<std::uint8_t>* include, double min_children, double min_cell_children) {
    Grid<std::int32_t> label = std::move(nearest);  // the clusters are made in the nearest grid itself
    return gap_clusters_sized(children, minutes, label, label, threshold_min, area_flags, include, min_children,
                              min_cell_children);
}

}  // namespace accessplan
