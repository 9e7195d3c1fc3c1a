#include "accessplan/engine/snap.hpp"

#include <cmath>
#include <limits>

namespace accessplan {

SnapResult snap_to_passable(const Grid<float>& friction, double x, double y, double tolerance_m) {
    const GridSpec& spec = friction.spec();
    const GeoTransform& t = spec.transform;
    const double unit = spec.crs.metres_per_unit;
    SnapResult result;
    if (auto cell = spec.cell_at(x, y); cell && std::isfinite(friction[*cell])) {
        result.status = SnapStatus::on_cell;
        result.cell = *cell;
        return result;
    }
    // Window of cells whose centres may lie within the tolerance.
    const double tol_units = tolerance_m / unit;
    const double c0 = std::floor((x - tol_units - t.origin_x) / t.pixel_width);
    const double c1 = std::floor((x + tol_units - t.origin_x) / t.pixel_width);
    const double r0 = std::floor((y + tol_units - t.origin_y) / t.pixel_height);
    const double r1 = std::floor((y - tol_units - t.origin_y) / t.pixel_height);
    const double max_c = static_cast<double>(spec.cols) - 1.0, max_r = static_cast<double>(spec.rows) - 1.0;
    const bool inside = spec.cell_at(x, y).has_value();
    if (c1 < 0.0 || r1 < 0.0 || c0 > max_c || r0 > max_r) {
        result.status = inside ? SnapStatus::no_passable : SnapStatus::outside_grid;
        return result;
    }
    const auto clamp = [](double v, double hi) { return static_cast<std::size_t>(std::min(std::max(v, 0.0), hi)); };
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t r = clamp(r0, max_r); r <= clamp(r1, max_r); ++r)
        for (std::size_t c = clamp(c0, max_c); c <= clamp(c1, max_c); ++c) {
            if (!std::isfinite(friction(c, r))) continue;
            const double d = std::hypot(t.x_of(static_cast<double>(c)) - x, t.y_of(static_cast<double>(r)) - y) * unit;
            if (d <= tolerance_m && d < best) {
                best = d;
                result.cell = r * spec.cols + c;
            }
        }
    if (std::isfinite(best)) {
        result.status = SnapStatus::moved;
        result.moved_m = best;
    } else {
        result.status = inside ? SnapStatus::no_passable : SnapStatus::outside_grid;
    }
    return result;
}

PlacedSources place_sources(const Grid<float>& friction, const std::vector<std::pair<double, double>>& points,
                            const std::vector<std::int32_t>& ids, double tolerance_m) {
    PlacedSources out;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const SnapResult snap = snap_to_passable(friction, points[i].first, points[i].second, tolerance_m);
        out.status.push_back(snap.status);
        if (!snap.placed()) {
            out.unplaced.push_back(i);
            continue;
        }
        if (snap.status == SnapStatus::moved) ++out.moved;
        out.cells.push_back({snap.cell, ids.empty() ? static_cast<std::int32_t>(i + 1) : ids.at(i)});
    }
    return out;
}

const char* to_string(SnapStatus status) noexcept {
    switch (status) {
        case SnapStatus::on_cell: return "on_cell";
        case SnapStatus::moved: return "moved";
        case SnapStatus::outside_grid: return "outside_grid";
        case SnapStatus::no_passable: return "no_passable";
    }
    return "unknown";
}

}  // namespace accessplan
