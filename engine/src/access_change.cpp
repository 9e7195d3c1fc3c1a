#include "accessplan/engine/access_change.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "flood_fill.hpp"

namespace accessplan {

namespace {

void require_same_grid(const GridSpec& spec, const GridSpec& other) {
    if (!spec.same_grid_as(other))
        throw InputError("compare: the two runs are on different analysis grids; compare runs of the same study area, "
                         "cell size and CRS");
}

}  // namespace

AccessStatus access_status(float minutes, double threshold_min) noexcept {
    if (!std::isfinite(minutes)) return AccessStatus::unreachable;
    return within_minutes(minutes, threshold_min) ? AccessStatus::within : AccessStatus::beyond;
}

double AccessChange::net_change() const noexcept {
    return std::abs(within_after - within_before) + std::abs(unreachable_after - unreachable_before);
}

bool changed_more(const AccessChange& a, const AccessChange& b) noexcept {
    if (a.net_change() != b.net_change()) return a.net_change() > b.net_change();
    if (a.status_changes() != b.status_changes()) return a.status_changes() > b.status_changes();
    return a.faster + a.slower > b.faster + b.slower;
}

Grid<std::uint8_t> status_change(const Grid<float>& before, const Grid<float>& after, double threshold) {
    return status_change(before, after, threshold, threshold);
}

Grid<std::uint8_t> status_change(const Grid<float>& before, const Grid<float>& after, double threshold_before,
                                 double threshold_after) {
    require_same_grid(before.spec(), after.spec());
    Grid<std::uint8_t> out(before.spec(), 0);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = status_change_code(access_status(before[i], threshold_before), access_status(after[i], threshold_after));
    return out;
}

AccessComparison compare_access(const Grid<float>& before, const Grid<float>& after, const Grid<float>& children,
                                double threshold, const Grid<std::uint8_t>* flags, const ZoneGrid* zones,
                                std::size_t zone_count, double min_area_children) {
    return compare_access(before, after, children, threshold, threshold, flags, zones, zone_count, min_area_children);
}

AccessComparison compare_access(const Grid<float>& before, const Grid<float>& after, const Grid<float>& children,
                                double threshold_before, double threshold_after, const Grid<std::uint8_t>* flags,
                                const ZoneGrid* zones, std::size_t zone_count, double min_area_children) {
    require_same_grid(before.spec(), after.spec());
    require_same_grid(before.spec(), children.spec());
    if (flags) require_same_grid(before.spec(), flags->spec());
    if (zones) require_same_grid(before.spec(), zones->spec());
    auto reachable = [](float t) { return std::isfinite(t); };
    using S = AccessStatus;
    AccessComparison out;
    const auto& filters = area_class_filters();
    for (const auto& f : filters) out.by_class.emplace_back(f.name, AccessChange{});
    out.by_zone.assign(zone_count, {});
    // -1 lost, +1 gained, 0 neither
    std::vector<std::int8_t> change(before.size(), 0);
    for (std::size_t i = 0; i < before.size(); ++i) {
        const double c = children[i];
        if (!(c > 0.0)) continue;
        const S sa = access_status(before[i], threshold_before), sb = access_status(after[i], threshold_after);
        const bool a = sa == S::within, b = sb == S::within;
        change[i] = static_cast<std::int8_t>(b && !a ? 1 : (a && !b ? -1 : 0));
        auto add = [&](AccessChange& x) {
            x.children += c;
            x.within_before += a ? c : 0.0;
            x.within_after += b ? c : 0.0;
            x.gained += change[i] > 0 ? c : 0.0;
            x.lost += change[i] < 0 ? c : 0.0;
            if (reachable(before[i]) && reachable(after[i])) {
                x.faster += after[i] < before[i] ? c : 0.0;
                x.slower += after[i] > before[i] ? c : 0.0;
            }
            x.unreachable_before += sa == S::unreachable ? c : 0.0;
            x.unreachable_after += sb == S::unreachable ? c : 0.0;
            x.unreachable_to_within += sa == S::unreachable && sb == S::within ? c : 0.0;
            x.within_to_unreachable += sa == S::within && sb == S::unreachable ? c : 0.0;
            x.unreachable_to_beyond += sa == S::unreachable && sb == S::beyond ? c : 0.0;
            x.beyond_to_unreachable += sa == S::beyond && sb == S::unreachable ? c : 0.0;
        };
        const std::uint8_t fl = flags ? (*flags)[i] : 0;
        for (std::size_t k = 0; k < filters.size(); ++k)
            if (filters[k].includes(fl)) add(out.by_class[k].second);
        if (zones)
            if (const std::int32_t z = (*zones)[i]; z > 0 && static_cast<std::size_t>(z) <= zone_count)
                add(out.by_zone[static_cast<std::size_t>(z - 1)]);
    }
    // Connected areas of gain and of loss.
    std::vector<std::uint8_t> seen(before.size(), 0);
    std::vector<std::size_t> stack;
    const GridSpec& spec = before.spec();
    for (std::size_t start = 0; start < before.size(); ++start) {
        if (change[start] == 0 || seen[start]) continue;
        const std::int8_t sign = change[start];
        seen[start] = 1;
        ChangedArea area;
        area.gained = sign > 0;
        double wx = 0.0, wy = 0.0, tb = 0.0, cb = 0.0, ta = 0.0, ca = 0.0;
        std::array<double, 8> by_flags{};
        flood_fill_8(
            spec, start, stack,
            [&](std::size_t j) {
                if (seen[j] || change[j] != sign) return false;
                seen[j] = 1;
                return true;
            },
            [&](std::size_t i) {
                const double c = children[i];
                ++area.cells;
                area.children += c;
                const double x = spec.transform.x_of(static_cast<double>(i % spec.cols));
                const double y = spec.transform.y_of(static_cast<double>(i / spec.cols));
                wx += c * x;
                wy += c * y;
                if (reachable(before[i])) {
                    tb += c * before[i];
                    cb += c;
                }
                if (reachable(after[i])) {
                    ta += c * after[i];
                    ca += c;
                }
                by_flags[flags ? ((*flags)[i] & 7u) : 0u] += c;
            });
        if (area.children < min_area_children) continue;
        area.x = wx / area.children;
        area.y = wy / area.children;
        area.mean_before_min = cb > 0.0 ? tb / cb : std::numeric_limits<double>::infinity();
        area.mean_after_min = ca > 0.0 ? ta / ca : std::numeric_limits<double>::infinity();
        area.flags = static_cast<std::uint8_t>(std::max_element(by_flags.begin(), by_flags.end()) - by_flags.begin());
        out.areas.push_back(area);
    }
    std::stable_sort(out.areas.begin(), out.areas.end(), [](const ChangedArea& a, const ChangedArea& b) { return a.children > b.children; });
    for (std::size_t k = 0; k < out.areas.size(); ++k) out.areas[k].rank = static_cast<int>(k + 1);
    return out;
}

}  // namespace accessplan
