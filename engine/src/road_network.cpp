#include "accessplan/engine/road_network.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

namespace accessplan {
namespace {

struct PointKey {
    std::uint64_t x, y;
    bool operator==(const PointKey&) const = default;
};
struct PointKeyHash {
    std::size_t operator()(const PointKey& k) const noexcept { return std::hash<std::uint64_t>{}(k.x * 0x9E3779B97F4A7C15ull ^ k.y); }
};
PointKey key_of(const std::pair<double, double>& p) noexcept {
    // +0.0 and -0.0 are one place
    return {std::bit_cast<std::uint64_t>(p.first + 0.0), std::bit_cast<std::uint64_t>(p.second + 0.0)};
}

// A stretch of a line inside one cell (or outside the grid: cell = npos).
struct Piece {
    double xa, ya, xb, yb;
    double length_m;
    std::size_t cell;
    double forward_min, backward_min;  // +inf where the road cannot be travelled
    bool ends_at_vertex;               // its end b is a vertex of the line (not a cell boundary)
    std::size_t vertex;                // that vertex's index in the line
};

constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
constexpr double inf = std::numeric_limits<double>::infinity();

class Builder {
public:
    Builder(const GridSpec& grid, const RoadNetworkInputs& in) : m_grid(grid), m_in(in), m_cells(grid.cell_count()) {
        m_linked_cell.assign(m_cells, 0);
    }

    TravelNetwork build(const std::vector<RoadLine>& lines, RoadNetworkStats* stats) {
        // Vertices used more than once (junctions) and the lines' ends are nodes shared by every line through them.
        std::unordered_map<PointKey, std::uint32_t, PointKeyHash> uses;
        for (const RoadLine& l : lines)
            for (const auto& p : l.points) {
                if (!std::isfinite(p.first) || !std::isfinite(p.second))
                    throw InputError("road network: a road has a point with NaN or infinite coordinates");
                ++uses[key_of(p)];
            }
        for (const RoadLine& l : lines) add_line(l, uses);
        m_net.nodes = m_node_count;
        if (stats) {
            stats->lines = m_lines;
            stats->nodes = m_node_count;
            stats->road_arcs = m_road_arcs;
            stats->links = m_links;
            stats->cells_with_road = static_cast<std::size_t>(std::count(m_linked_cell.begin(), m_linked_cell.end(), 1));
            stats->length_km = m_length_m / 1000.0;
        }
        return std::move(m_net);
    }

private:
    std::uint32_t vertex_of_node(std::uint32_t node) const { return static_cast<std::uint32_t>(m_cells + node); }

    std::uint32_t new_node() { return m_node_count++; }

    std::uint32_t shared_node(const std::pair<double, double>& p) {
        auto [it, added] = m_shared.try_emplace(key_of(p), 0);
        if (added) it->second = new_node();
        return it->second;
    }

    // Grid coordinates: column and row as real numbers (cell (c, r) spans [c, c + 1) x [r, r + 1)).
    double gx(double x) const { return (x - m_grid.transform.origin_x) / m_grid.transform.pixel_width; }
    double gy(double y) const { return (y - m_grid.transform.origin_y) / m_grid.transform.pixel_height; }

    std::size_t cell_of(double cx, double cy) const {
        if (!(cx >= 0.0) || !(cy >= 0.0)) return npos;
        const auto c = static_cast<std::size_t>(cx), r = static_cast<std::size_t>(cy);
        if (c >= m_grid.cols || r >= m_grid.rows) return npos;
        return r * m_grid.cols + c;
    }

    double elevation(double x, double y) const {
        const Grid<float>& dem = *m_in.elevation_m;
        const double cx = std::clamp(gx(x) - 0.5, 0.0, static_cast<double>(m_grid.cols - 1));
        const double cy = std::clamp(gy(y) - 0.5, 0.0, static_cast<double>(m_grid.rows - 1));
        const auto c0 = static_cast<std::size_t>(cx), r0 = static_cast<std::size_t>(cy);
        const std::size_t c1 = std::min(c0 + 1, m_grid.cols - 1), r1 = std::min(r0 + 1, m_grid.rows - 1);
        const double fx = cx - static_cast<double>(c0), fy = cy - static_cast<double>(r0);
        const double top = dem(c0, r0) * (1.0 - fx) + dem(c1, r0) * fx;
        const double bottom = dem(c0, r1) * (1.0 - fx) + dem(c1, r1) * fx;
        return top * (1.0 - fy) + bottom * fy;
    }

    // The line cut where it crosses cell boundaries, with each piece's travel time in both directions.
    std::vector<Piece> pieces_of(const RoadLine& line) const {
        std::vector<Piece> pieces;
        const double unit = m_grid.crs.metres_per_unit;
        std::vector<double> ts;
        for (std::size_t i = 0; i + 1 < line.points.size(); ++i) {
            const auto [x0, y0] = line.points[i];
            const auto [x1, y1] = line.points[i + 1];
            const double seg_m = std::hypot(x1 - x0, y1 - y0) * unit;
            if (!(seg_m > 0.0)) continue;
            const double a0 = gx(x0), a1 = gx(x1), b0 = gy(y0), b1 = gy(y1);
            ts.assign({0.0, 1.0});
            auto crossings = [&](double u0, double u1, double limit) {
                if (u0 == u1) return;
                const double lo = std::max(std::ceil(std::min(u0, u1)), 0.0), hi = std::min(std::floor(std::max(u0, u1)), limit);
                for (double k = lo; k <= hi; k += 1.0)
                    if (const double t = (k - u0) / (u1 - u0); t > 0.0 && t < 1.0) ts.push_back(t);
            };
            crossings(a0, a1, static_cast<double>(m_grid.cols));
            crossings(b0, b1, static_cast<double>(m_grid.rows));
            // A line through a cell corner crosses a column and a row boundary at one point; rounding may put the
            // two crossings an ulp apart, and the sliver between them in a cell the line only touches. One crossing.
            std::sort(ts.begin(), ts.end());
            ts.erase(std::unique(ts.begin(), ts.end(), [](double a, double b) { return b - a < 1e-9; }), ts.end());
            ts.back() = 1.0;
            for (std::size_t k = 0; k + 1 < ts.size(); ++k) {
                const double ta = ts[k], tb = ts[k + 1], tm = 0.5 * (ta + tb);
                Piece p{x0 + (x1 - x0) * ta, y0 + (y1 - y0) * ta, x0 + (x1 - x0) * tb, y0 + (y1 - y0) * tb, seg_m * (tb - ta),
                        cell_of(a0 + (a1 - a0) * tm, b0 + (b1 - b0) * tm), inf, inf, k + 2 == ts.size(), i + 1};
                times(line, p);
                pieces.push_back(p);
            }
        }
        return pieces;
    }

    void times(const RoadLine& line, Piece& p) const {
        if (p.cell == npos || !(p.length_m > 0.0)) return;
        double speed = line.speed_kmh;
        if (m_in.speed_kmh && !std::isnan((*m_in.speed_kmh)[p.cell])) speed = (*m_in.speed_kmh)[p.cell];
        if (m_in.speed_factor) speed *= (*m_in.speed_factor)[p.cell];
        if (!(speed > 0.0) || !std::isfinite(speed)) return;
        const double minutes = p.length_m * 60.0 / (speed * 1000.0);
        double forward = minutes, backward = minutes;
        if (m_in.elevation_m) {
            const double slope = (elevation(p.xb, p.yb) - elevation(p.xa, p.ya)) / p.length_m;  // climb from a to b
            forward /= tobler_speed_factor(slope);
            backward /= tobler_speed_factor(-slope);
        }
        p.forward_min = line.direction >= 0 ? forward : inf;
        p.backward_min = line.direction <= 0 ? backward : inf;
    }

    // Links cell <-> node at the off-road speed over `distance_m`.
    void link(std::size_t cell, std::uint32_t node, double distance_m) {
        const float f = (*m_in.offroad_friction)[cell];
        if (!std::isfinite(f)) return;
        const auto minutes = static_cast<float>(distance_m * static_cast<double>(f));
        m_net.arcs.push_back({static_cast<std::uint32_t>(cell), vertex_of_node(node), minutes});
        m_net.arcs.push_back({vertex_of_node(node), static_cast<std::uint32_t>(cell), minutes});
        m_linked_cell[cell] = 1;
        ++m_links;
    }

    void link_end(const std::pair<double, double>& p, std::uint32_t node) {
        if (m_end_linked.size() <= node) m_end_linked.resize(node + 1, 0);
        if (m_end_linked[node]) return;
        m_end_linked[node] = 1;
        const auto at = m_grid.cell_at(p.first, p.second);
        if (!at) return;
        const std::size_t cell = *at;
        const double cx = m_grid.transform.x_of(static_cast<double>(cell % m_grid.cols));
        const double cy = m_grid.transform.y_of(static_cast<double>(cell / m_grid.cols));
        link(cell, node, std::hypot(p.first - cx, p.second - cy) * m_grid.crs.metres_per_unit);
    }

    void add_line(const RoadLine& line, const std::unordered_map<PointKey, std::uint32_t, PointKeyHash>& uses) {
        if (line.points.size() < 2) return;
        std::vector<Piece> pieces = pieces_of(line);
        if (pieces.empty()) return;
        bool usable = false;
        for (const Piece& p : pieces)
            if (p.forward_min != inf || p.backward_min != inf) {
                usable = true;
                m_length_m += p.length_m;
            }
        if (!usable) return;
        ++m_lines;

        // Where each run of pieces in one cell is nearest the cell's centre: the access point of that cell.
        std::vector<double> access_at(pieces.size(), -1.0);  // parameter in [0, 1] along the piece, -1 = none
        std::vector<double> access_dist(pieces.size(), 0.0);
        if (line.access_along) {
            for (std::size_t first = 0; first < pieces.size();) {
                std::size_t last = first;
                while (last + 1 < pieces.size() && pieces[last + 1].cell == pieces[first].cell) ++last;
                const std::size_t cell = pieces[first].cell;
                if (cell != npos) {
                    const double cx = m_grid.transform.x_of(static_cast<double>(cell % m_grid.cols));
                    const double cy = m_grid.transform.y_of(static_cast<double>(cell / m_grid.cols));
                    double best = inf, best_t = 0.0;
                    std::size_t best_piece = first;
                    for (std::size_t k = first; k <= last; ++k) {
                        const Piece& p = pieces[k];
                        const double dx = p.xb - p.xa, dy = p.yb - p.ya, len2 = dx * dx + dy * dy;
                        const double t = len2 > 0.0 ? std::clamp(((cx - p.xa) * dx + (cy - p.ya) * dy) / len2, 0.0, 1.0) : 0.0;
                        const double d = std::hypot(p.xa + t * dx - cx, p.ya + t * dy - cy);
                        if (d < best) best = d, best_t = t, best_piece = k;
                    }
                    access_at[best_piece] = best_t;
                    access_dist[best_piece] = best * m_grid.crs.metres_per_unit;
                }
                first = last + 1;
            }
        }

        // Walk the line from node to node, summing the pieces' times between them.
        std::uint32_t prev = shared_node(line.points.front());
        if (!line.access_along) link_end(line.points.front(), prev);
        double forward = 0.0, backward = 0.0;
        auto arrive = [&](std::uint32_t node) {
            if (node == prev) return;  // a loop back onto itself with nothing between
            if (forward != inf) m_net.arcs.push_back({vertex_of_node(prev), vertex_of_node(node), static_cast<float>(forward)});
            if (backward != inf) m_net.arcs.push_back({vertex_of_node(node), vertex_of_node(prev), static_cast<float>(backward)});
            m_road_arcs += (forward != inf) + (backward != inf);
            prev = node;
            forward = backward = 0.0;
        };
        for (std::size_t k = 0; k < pieces.size(); ++k) {
            const Piece& p = pieces[k];
            if (access_at[k] >= 0.0) {
                const double t = access_at[k];
                forward += part(p.forward_min, t);
                backward += part(p.backward_min, t);
                const std::uint32_t node = new_node();
                arrive(node);
                link(p.cell, node, access_dist[k]);
                forward = part(p.forward_min, 1.0 - t);
                backward = part(p.backward_min, 1.0 - t);
            } else {
                forward += p.forward_min;
                backward += p.backward_min;
            }
            if (p.ends_at_vertex) {
                const auto& v = line.points[p.vertex];
                const bool last = p.vertex + 1 == line.points.size();
                if (last || uses.at(key_of(v)) > 1) {
                    const std::uint32_t node = shared_node(v);
                    arrive(node);
                    if (last && !line.access_along) link_end(v, node);
                }
            }
        }
    }

    // The time over a share t of a piece: nothing (not NaN) for t = 0 of an impassable one.
    static double part(double minutes, double t) { return t > 0.0 ? minutes * t : 0.0; }

    const GridSpec& m_grid;
    const RoadNetworkInputs& m_in;
    std::size_t m_cells;
    TravelNetwork m_net;
    std::uint32_t m_node_count = 0;
    std::unordered_map<PointKey, std::uint32_t, PointKeyHash> m_shared;
    std::vector<std::uint8_t> m_linked_cell, m_end_linked;
    std::size_t m_lines = 0, m_road_arcs = 0, m_links = 0;
    double m_length_m = 0.0;
};

}  // namespace

TravelNetwork build_road_network(const GridSpec& grid, const std::vector<RoadLine>& lines, const RoadNetworkInputs& inputs,
                                 RoadNetworkStats* stats) {
    require_projected_grid(grid, "road network grid");
    if (inputs.offroad_friction == nullptr) throw InternalError("build_road_network: no off-road friction");
    require_same_grid(grid, "road network grid", inputs.offroad_friction->spec(), "off-road friction");
    if (inputs.speed_factor) require_same_grid(grid, "road network grid", inputs.speed_factor->spec(), "road speed factors");
    if (inputs.speed_kmh) require_same_grid(grid, "road network grid", inputs.speed_kmh->spec(), "road speeds");
    if (inputs.elevation_m) require_same_grid(grid, "road network grid", inputs.elevation_m->spec(), "elevation grid");
    return Builder(grid, inputs).build(lines, stats);
}

}  // namespace accessplan
