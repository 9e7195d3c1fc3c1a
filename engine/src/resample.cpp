#include "accessplan/engine/resample.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "flood_fill.hpp"

namespace accessplan {
namespace {

struct Pt {
    double x, y;
};

// Polygon with at most 4 + 4 vertices after clipping a quad by 4 half-planes.
struct Poly {
    std::array<Pt, 12> p;
    int n = 0;
};

double shoelace(const Poly& poly) {
    double a = 0.0;
    for (int i = 0; i < poly.n; ++i) {
        const Pt& u = poly.p[i];
        const Pt& v = poly.p[(i + 1) % poly.n];
        a += u.x * v.y - v.x * u.y;
    }
    return 0.5 * a;
}

// Clip against x >= k (axis 0, sign +1), x <= k (axis 0, sign -1), same for y (axis 1).
Poly clip(const Poly& in, int axis, double k, double sign) {
    Poly out;
    if (in.n == 0) return out;
    auto inside = [&](const Pt& q) { return sign * ((axis == 0 ? q.x : q.y) - k) >= 0.0; };
    for (int i = 0; i < in.n; ++i) {
        const Pt& a = in.p[i];
        const Pt& b = in.p[(i + 1) % in.n];
        const bool ia = inside(a), ib = inside(b);
        if (ia && out.n < 12) out.p[out.n++] = a;
        if (ia != ib && out.n < 12) {
            const double av = axis == 0 ? a.x : a.y, bv = axis == 0 ? b.x : b.y;
            const double t = (k - av) / (bv - av);
            out.p[out.n++] = {a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
        }
    }
    return out;
}

}  // namespace

ResampleReport area_weighted_sum(const std::vector<float>& values, std::size_t cols, std::size_t rows,
                                 const std::vector<double>& corner_x, const std::vector<double>& corner_y,
                                 Grid<double>& target, const Grid<std::uint8_t>* allowed, CellCounts* unplaced,
                                 const Grid<std::uint8_t>* tally) {
    if (values.size() != cols * rows || corner_x.size() != (cols + 1) * (rows + 1) || corner_y.size() != corner_x.size())
        throw InternalError(fmt::format("area_weighted_sum: {} values and {} corners do not fit a {}x{} source",
                                        values.size(), corner_x.size(), cols, rows));
    if (allowed) {
        require_same_grid(target.spec(), "resampled counts", allowed->spec(), "allowed cells");
        if (!unplaced) throw InternalError("area_weighted_sum: a mask needs a list for the unplaced counts");
    }
    if (tally) require_same_grid(target.spec(), "resampled counts", tally->spec(), "tally cells");
    struct Piece {
        std::size_t cell;
        double area;
    };
    std::vector<Piece> pieces;
    const GridSpec& spec = target.spec();
    const GeoTransform& t = spec.transform;
    ResampleReport report;
    const double w = t.pixel_width, h = t.pixel_height;  // h < 0 (north-up)
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const float v = values[r * cols + c];
            if (!(v > 0.0f) || !std::isfinite(v)) continue;
            report.source_total += v;
            Poly quad;
            quad.n = 4;
            const std::size_t i00 = r * (cols + 1) + c, i01 = i00 + 1, i11 = i00 + cols + 2, i10 = i00 + cols + 1;
            quad.p[0] = {corner_x[i00], corner_y[i00]};
            quad.p[1] = {corner_x[i01], corner_y[i01]};
            quad.p[2] = {corner_x[i11], corner_y[i11]};
            quad.p[3] = {corner_x[i10], corner_y[i10]};
            bool finite = true;
            double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
            for (int k = 0; k < 4; ++k) {
                finite &= std::isfinite(quad.p[k].x) && std::isfinite(quad.p[k].y);
                minx = std::min(minx, quad.p[k].x);
                maxx = std::max(maxx, quad.p[k].x);
                miny = std::min(miny, quad.p[k].y);
                maxy = std::max(maxy, quad.p[k].y);
            }
            if (!finite) continue;
            const double area = std::abs(shoelace(quad));
            if (!(area > 0.0)) continue;
            // Target cell range touched by the footprint's bounding box.
            const double fc0 = std::floor((minx - t.origin_x) / w), fc1 = std::floor((maxx - t.origin_x) / w);
            const double fr0 = std::floor((maxy - t.origin_y) / h), fr1 = std::floor((miny - t.origin_y) / h);
            if (fc1 < 0 || fr1 < 0 || fc0 >= static_cast<double>(spec.cols) || fr0 >= static_cast<double>(spec.rows))
                continue;
            const auto c0 = static_cast<std::size_t>(std::max(fc0, 0.0));
            const auto c1 = static_cast<std::size_t>(std::min(fc1, static_cast<double>(spec.cols) - 1));
            const auto r0 = static_cast<std::size_t>(std::max(fr0, 0.0));
            const auto r1 = static_cast<std::size_t>(std::min(fr1, static_cast<double>(spec.rows) - 1));
            pieces.clear();
            double in_grid = 0.0, on_allowed = 0.0;  // areas
            for (std::size_t tr = r0; tr <= r1; ++tr) {
                const double top = t.origin_y + static_cast<double>(tr) * h, bottom = top + h;
                Poly band = clip(clip(quad, 1, top, -1.0), 1, bottom, 1.0);
                if (band.n < 3) continue;
                for (std::size_t tc = c0; tc <= c1; ++tc) {
                    const double left = t.origin_x + static_cast<double>(tc) * w, right = left + w;
                    Poly piece = clip(clip(band, 0, left, 1.0), 0, right, -1.0);
                    if (piece.n < 3) continue;
                    const std::size_t cell = tr * spec.cols + tc;
                    const double a = std::abs(shoelace(piece));
                    pieces.push_back({cell, a});
                    in_grid += a;
                    if (allowed && (*allowed)[cell]) on_allowed += a;
                }
            }
            const double kept = v * (in_grid / area);
            report.kept_total += kept;
            if (tally)
                for (const Piece& p : pieces)
                    if ((*tally)[p.cell]) report.tallied += v * (p.area / area);
            if (!allowed) {
                for (const Piece& p : pieces) target[p.cell] += v * (p.area / area);
            } else if (on_allowed > 0.0) {  // all of the cell's people inside the grid, onto its allowed cells
                for (const Piece& p : pieces)
                    if ((*allowed)[p.cell]) target[p.cell] += kept * (p.area / on_allowed);
                report.moved_in_cell += kept * (1.0 - on_allowed / in_grid);
            } else {
                for (const Piece& p : pieces) unplaced->emplace_back(p.cell, v * (p.area / area));
                report.unplaced += kept;
            }
        }
    return report;
}

namespace {

/// place_on_nearest's search, its cell numbers in `Index`: a breadth-first pass from every allowed cell at once, then
/// each waiting count onto the allowed cell that reached its cell first.
template <typename Index>
void place_waiting(Grid<double>& counts, const std::vector<std::pair<std::size_t, double>>& waiting,
                   const Grid<std::uint8_t>& allowed, std::size_t max_steps, NearestPlacement& out) {
    const GridSpec& spec = counts.spec();
    const std::size_t n = counts.size();
    constexpr Index none = std::numeric_limits<Index>::max();
    std::vector<Index> nearest, frontier, next;
    assign_advised(nearest, n, none);
    for (std::size_t i = 0; i < n; ++i)
        if (allowed[i]) {
            nearest[i] = static_cast<Index>(i);
            // Only cells beside a cell not allowed start the pass (the others reach only allowed cells, already
            // taken: the same result without every land cell in the first frontier, 0.13 GB at national size).
            bool edge = false;
            for_each_neighbour_8(spec, i, [&](std::size_t j) { edge |= allowed[j] == 0; });
            if (edge) frontier.push_back(static_cast<Index>(i));
        }
    for (std::size_t step = 0; step < max_steps && !frontier.empty(); ++step) {
        next.clear();
        for (const Index i : frontier)
            for_each_neighbour_8(spec, i, [&](std::size_t j) {
                if (nearest[j] != none) return;
                nearest[j] = nearest[i];
                next.push_back(static_cast<Index>(j));
            });
        frontier.swap(next);
    }
    for (const auto& [i, count] : waiting) {
        if (nearest[i] == none) {
            out.not_placed += count;
        } else {
            counts[nearest[i]] += count;
            out.moved += count;
        }
    }
}

}  // namespace

NearestPlacement place_on_nearest(Grid<double>& counts, const CellCounts& unplaced, const Grid<std::uint8_t>& allowed,
                                  std::size_t max_steps) {
    const GridSpec& spec = counts.spec();
    require_same_grid(spec, "counts", allowed.spec(), "allowed cells");
    NearestPlacement out;
    const std::size_t n = counts.size();
    // Each cell's counts summed in the order they fell, the cells in index order.
    std::vector<std::pair<std::size_t, double>> waiting(unplaced.begin(), unplaced.end());
    std::stable_sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::size_t kept = 0;
    for (std::size_t k = 0; k < waiting.size(); ++k) {
        if (waiting[k].first >= n) throw InternalError("place_on_nearest: an unplaced count lies off the grid");
        if (kept > 0 && waiting[kept - 1].first == waiting[k].first) waiting[kept - 1].second += waiting[k].second;
        else waiting[kept++] = waiting[k];
    }
    waiting.resize(kept);
    waiting.erase(std::remove_if(waiting.begin(), waiting.end(), [](const auto& w) { return !(w.second > 0.0); }), waiting.end());
    if (waiting.empty()) return out;
    // Breadth-first from every allowed cell at once: nearest[i] is the allowed cell that reached i first (4 bytes a
    // cell on grids of up to 2^32 - 1 cells, 8 beyond).
    if (n < std::numeric_limits<std::uint32_t>::max()) place_waiting<std::uint32_t>(counts, waiting, allowed, max_steps, out);
    else place_waiting<std::size_t>(counts, waiting, allowed, max_steps, out);
    return out;
}

}  // namespace accessplan
