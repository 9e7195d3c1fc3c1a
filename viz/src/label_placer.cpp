#include "accessplan/viz/label_placer.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace accessplan::viz {
namespace {

struct Segment {
    double x0, y0, x1, y1;
};

double cross(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

/// True when the two segments cross properly (touching does not count: leaders may meet at an end point).
bool segments_cross(const Segment& a, const Segment& b) {
    const double d1 = cross(a.x1 - a.x0, a.y1 - a.y0, b.x0 - a.x0, b.y0 - a.y0);
    const double d2 = cross(a.x1 - a.x0, a.y1 - a.y0, b.x1 - a.x0, b.y1 - a.y0);
    const double d3 = cross(b.x1 - b.x0, b.y1 - b.y0, a.x0 - b.x0, a.y0 - b.y0);
    const double d4 = cross(b.x1 - b.x0, b.y1 - b.y0, a.x1 - b.x0, a.y1 - b.y0);
    return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 != 0 && d2 != 0 && d3 != 0 && d4 != 0;
}

Box centred(double cx, double cy, double w, double h) { return {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}; }

/// Directions of the candidate rings, best first: the four diagonals (a label beside its point, not over the
/// features along a row or column), then the four sides; farther rings add the eight between them.
std::vector<std::pair<double, double>> directions(bool fine) {
    std::vector<double> degrees{45, -45, 135, -135, 0, 180, 90, -90};
    if (fine)
        for (double d : {22.5, -22.5, 157.5, -157.5, 67.5, -67.5, 112.5, -112.5}) degrees.push_back(d);
    std::vector<std::pair<double, double>> out;
    for (double d : degrees) {
        const double a = d * M_PI / 180.0;
        out.emplace_back(std::cos(a), -std::sin(a));  // page y points down: 45 degrees is up and to the right
    }
    return out;
}

}  // namespace

bool Box::intersects(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }

bool Box::contains(const Box& o) const { return x0 <= o.x0 && o.x1 <= x1 && y0 <= o.y0 && o.y1 <= y1; }

Box Box::inflated(double d) const { return {x0 - d, y0 - d, x1 + d, y1 + d}; }

bool segment_crosses(const Box& box, double x0, double y0, double x1, double y1) {
    // Liang-Barsky clipping: the part of the segment inside the box, if any, has positive length.
    double t0 = 0.0, t1 = 1.0;
    const double dx = x1 - x0, dy = y1 - y0;
    const std::array<double, 4> p{-dx, dx, -dy, dy};
    const std::array<double, 4> q{x0 - box.x0, box.x1 - x0, y0 - box.y0, box.y1 - y0};
    for (std::size_t i = 0; i < 4; ++i) {
        if (p[i] == 0.0) {
            if (q[i] <= 0.0) return false;  // parallel to this edge and outside (or on it)
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0) t0 = std::max(t0, t);
        else t1 = std::min(t1, t);
        if (t0 >= t1) return false;
    }
    return t1 - t0 > 1e-9;
}

std::pair<double, double> leader_end(const Box& box, double x, double y) {
    return {std::clamp(x, box.x0, box.x1), std::clamp(y, box.y0, box.y1)};
}

LabelLayout place_labels(const std::vector<LabelRequest>& requests, const Box& frame, const std::vector<Box>& obstacles,
                         const LabelOptions& options) {
    LabelLayout layout;
    std::vector<Box> points;  // every request's point, which no other label may cover
    points.reserve(requests.size());
    for (const auto& r : requests) points.push_back(centred(r.x, r.y, 2 * options.point_radius, 2 * options.point_radius));
    std::vector<Segment> leaders;
    const auto near_dirs = directions(false), far_dirs = directions(true);

    for (std::size_t i = 0; i < requests.size(); ++i) {
        const LabelRequest& r = requests[i];
        auto free = [&](const Box& box, bool leader) {
            if (!frame.contains(box)) return false;
            for (const auto& o : obstacles)
                if (box.intersects(o)) return false;
            const Box spaced = box.inflated(options.gap);
            for (const auto& p : layout.placed)
                if (spaced.intersects(p.box)) return false;
            for (std::size_t j = 0; j < points.size(); ++j)
                if (j != i && box.intersects(points[j])) return false;
            if (leader && box.intersects(points[i])) return false;  // away from its point: clear of it
            for (const auto& s : leaders)
                if (segment_crosses(box, s.x0, s.y0, s.x1, s.y1)) return false;
            if (leader) {
                const auto [ex, ey] = leader_end(box, r.x, r.y);
                const Segment s{r.x, r.y, ex, ey};
                for (const auto& p : layout.placed)
                    if (segment_crosses(p.box, s.x0, s.y0, s.x1, s.y1)) return false;
                for (const auto& o : obstacles)
                    if (segment_crosses(o, s.x0, s.y0, s.x1, s.y1)) return false;
                // Through another point, the reader cannot tell whose leader it is; unless the two dots overlap
                // (they read as one place then, and a leader from inside a crowd must cross its neighbours).
                for (std::size_t j = 0; j < points.size(); ++j)
                    if (j != i && std::hypot(requests[j].x - r.x, requests[j].y - r.y) >= 2 * options.point_radius &&
                        segment_crosses(points[j], s.x0, s.y0, s.x1, s.y1))
                        return false;
                for (const auto& o : leaders)
                    if (segments_cross(s, o)) return false;
            }
            return true;
        };
        auto take = [&](const Box& box, bool leader) {
            layout.placed.push_back({i, box, leader});
            if (leader) {
                const auto [ex, ey] = leader_end(box, r.x, r.y);
                leaders.push_back({r.x, r.y, ex, ey});
            }
        };
        const Box on_point = centred(r.x, r.y, r.width, r.height);
        if (free(on_point, false)) {
            take(on_point, false);
            continue;
        }
        // Rings: the box's edge at `clearance` from its point, then farther by half the box's smaller side.
        const double step = std::max(1.0, std::min(r.width, r.height) / 2);
        const double clearance = options.point_radius + options.gap;
        bool placed = false;
        for (int ring = 0; !placed; ++ring) {
            const double d = clearance + ring * step;
            if (d > options.max_leader) break;
            for (const auto& [ux, uy] : ring < 2 ? near_dirs : far_dirs) {
                // The centre at distance d beyond the box's extent in this direction (its support).
                const double support = std::abs(ux) * r.width / 2 + std::abs(uy) * r.height / 2;
                const Box box = centred(r.x + ux * (d + support), r.y + uy * (d + support), r.width, r.height);
                if (free(box, true)) {
                    take(box, true);
                    placed = true;
                    break;
                }
            }
        }
        if (!placed) layout.dropped.push_back(i);
    }
    return layout;
}

}  // namespace accessplan::viz
