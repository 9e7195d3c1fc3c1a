#include "accessplan/engine/travel_time.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <exception>

#include <fmt/format.h>
#include <omp.h>

namespace accessplan {
namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

// Min-heap of (time, cell) packed in 64 bits: non-negative IEEE floats order like their bit patterns, so comparing
// the packed integers orders by time, then by cell index (a deterministic tie-break). 4-ary for cache locality.
class PackedHeap {
public:
    bool empty() const noexcept { return m_items.empty(); }
    void clear() noexcept { m_items.clear(); }

    static std::uint64_t pack(float time, std::uint32_t cell) noexcept {
        return (static_cast<std::uint64_t>(std::bit_cast<std::uint32_t>(time)) << 32) | cell;
    }
    static float time_of(std::uint64_t item) noexcept { return std::bit_cast<float>(static_cast<std::uint32_t>(item >> 32)); }
    static std::uint32_t cell_of(std::uint64_t item) noexcept { return static_cast<std::uint32_t>(item); }

    void push(std::uint64_t item) {
        std::size_t i = m_items.size();
        m_items.push_back(item);
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (m_items[parent] <= item) break;
            m_items[i] = m_items[parent];
            i = parent;
        }
        m_items[i] = item;
    }

    std::uint64_t pop() {
        const std::uint64_t top = m_items.front();
        const std::uint64_t last = m_items.back();
        m_items.pop_back();
        const std::size_t n = m_items.size();
        if (n == 0) return top;
        std::size_t i = 0;
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) break;
            std::size_t best = first;
            const std::size_t end = std::min(first + 4, n);
            for (std::size_t c = first + 1; c < end; ++c)
                if (m_items[c] < m_items[best]) best = c;
            if (m_items[best] >= last) break;
            m_items[i] = m_items[best];
            i = best;
        }
        m_items[i] = last;
        return top;
    }

private:
    std::vector<std::uint64_t> m_items;
};

struct Move {
    int dc, dr;
    double length_m;
    bool knight;
    // For knight's moves: the two cells passed between, relative to the start cell.
    int ac, ar, bc, br;
};

std::vector<Move> make_moves(Neighbourhood neighbours, double dx, double dy) {
    std::vector<Move> moves;
    const double diag = std::hypot(dx, dy);
    for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
            if (dr == 0 && dc == 0) continue;
            const double len = (dr == 0) ? dx : (dc == 0) ? dy : diag;
            moves.push_back({dc, dr, len, false, 0, 0, 0, 0});
        }
    if (neighbours == Neighbourhood::sixteen) {
        for (int sr : {-1, 1})
            for (int sc : {-1, 1}) {
                // Two rows, one column: passes between (0, sr) and (sc, sr).
                moves.push_back({sc, 2 * sr, std::hypot(dx, 2.0 * dy), true, 0, sr, sc, sr});
                // One row, two columns: passes between (sc, 0) and (sc, sr).
                moves.push_back({2 * sc, sr, std::hypot(2.0 * dx, dy), true, sc, 0, sc, sr});
            }
    }
    return moves;
}

void validate_inputs(const Grid<float>& friction, const std::vector<SourceCell>& sources,
                     const TravelTimeOptions& options) {
    require_projected_grid(friction.spec(), "friction grid");
    const std::size_t n = friction.size();
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw InputError(fmt::format("friction grid: {} cells is more than the solver's limit of {} cells; "
                                     "use a coarser cell size or a smaller study area",
                                     n, std::numeric_limits<std::uint32_t>::max()));
    for (std::size_t i = 0; i < n; ++i) {
        const float f = friction[i];
        if (std::isnan(f) || f < 0.0f)
            throw InputError(fmt::format("friction grid: cell (col {}, row {}) has friction {} minutes per metre; "
                                         "expected a value >= 0 or +inf for impassable",
                                         i % friction.cols(), i / friction.cols(), f));
    }
    for (const SourceCell& s : sources) {
        if (s.cell >= n)
            throw InputError(fmt::format("source {}: cell index {} is outside the {}-cell grid", s.id, s.cell, n));
        if (s.id < 0) throw InputError(fmt::format("source id {} is negative; ids must be >= 0", s.id));
    }
    if (options.elevation_m != nullptr)
        require_same_grid(friction.spec(), "friction grid", options.elevation_m->spec(), "elevation grid");
    for (const ExtraEdge& e : options.extra_edges) {
        if (e.from >= n || e.to >= n)
            throw InputError(fmt::format("extra edge {} -> {}: a cell index is outside the {}-cell grid", e.from, e.to, n));
        if (!(e.minutes >= 0.0) || !std::isfinite(e.minutes))
            throw InputError(fmt::format("extra edge {} -> {}: {} minutes; expected a finite time >= 0", e.from, e.to, e.minutes));
    }
    if (std::isnan(options.max_minutes) || options.max_minutes < 0.0)
        throw InputError(fmt::format("max_minutes is {}; expected a time >= 0 (or no cut-off)", options.max_minutes));
}

// Per-thread scratch, allocated once per solve.
class Solver {
public:
    Solver(const Grid<float>& friction, const TravelTimeOptions& options)
        : m_friction(friction),
          m_options(options),
          m_cols(static_cast<std::int64_t>(friction.cols())),
          m_rows(static_cast<std::int64_t>(friction.rows())),
          m_moves(make_moves(options.neighbours, friction.spec().cell_width_m(), friction.spec().cell_height_m())) {
        // Incoming extra edges, grouped by their `to` cell (the search runs from facilities outward).
        m_incoming = options.extra_edges;
        std::sort(m_incoming.begin(), m_incoming.end(), [](const ExtraEdge& a, const ExtraEdge& b) {
            return a.to != b.to ? a.to < b.to : a.from < b.from;
        });
        if (!m_incoming.empty()) {
            m_has_incoming.assign(friction.size(), 0);
            for (const ExtraEdge& e : m_incoming) m_has_incoming[e.to] = 1;
        }
    }

    TravelTimeResult run(const std::vector<SourceCell>& sources) {
        TravelTimeResult result{Grid<float>(m_friction.spec(), inf), Grid<std::int32_t>(m_friction.spec(), no_facility)};
        float* time = result.minutes.data();
        std::int32_t* nearest = result.nearest.data();
        const float* f = m_friction.data();
        const float* dem = m_options.elevation_m ? m_options.elevation_m->data() : nullptr;
        const double cutoff = m_options.max_minutes;

        m_heap.clear();
        for (const SourceCell& s : sources) {
            if (!std::isfinite(f[s.cell])) continue;  // a facility on an impassable cell reaches nobody
            if (time[s.cell] == 0.0f && nearest[s.cell] <= s.id) continue;
            time[s.cell] = 0.0f;
            nearest[s.cell] = s.id;
            m_heap.push(PackedHeap::pack(0.0f, static_cast<std::uint32_t>(s.cell)));
        }

        while (!m_heap.empty()) {
            const std::uint64_t item = m_heap.pop();
            const std::uint32_t u = PackedHeap::cell_of(item);
            const float tu = PackedHeap::time_of(item);
            if (tu > time[u]) continue;  // stale entry
            const std::int64_t ur = u / m_cols;
            const std::int64_t uc = u - ur * m_cols;
            const double fu = f[u];
            const bool interior = ur >= 2 && uc >= 2 && ur < m_rows - 2 && uc < m_cols - 2;
            const std::int32_t uid = nearest[u];

            for (const Move& m : m_moves) {
                // Home at v travels to u: the move v -> u. Its cells are symmetric, so offsets from u work.
                if (!interior) {
                    const std::int64_t vr = ur + m.dr, vc = uc + m.dc;
                    if (vr < 0 || vc < 0 || vr >= m_rows || vc >= m_cols) continue;
                }
                const std::int64_t v = u + m.dr * m_cols + m.dc;
                double fsum = fu + f[v];
                double cost;
                if (m.knight) {
                    fsum += f[u + m.ar * m_cols + m.ac] + f[u + m.br * m_cols + m.bc];
                    cost = fsum * 0.25 * m.length_m;
                } else {
                    cost = fsum * 0.5 * m.length_m;
                }
                if (!std::isfinite(cost)) continue;
                if (dem != nullptr) {
                    const double slope = (static_cast<double>(dem[u]) - dem[v]) / m.length_m;  // climb from v to u
                    cost /= tobler_speed_factor(slope);
                }
                relax(time, nearest, static_cast<std::size_t>(v), tu, cost, uid, cutoff);
            }

            if (!m_has_incoming.empty() && m_has_incoming[u]) {
                auto it = std::lower_bound(m_incoming.begin(), m_incoming.end(), u,
                                           [](const ExtraEdge& e, std::size_t cell) { return e.to < cell; });
                for (; it != m_incoming.end() && it->to == u; ++it) {
                    if (!std::isfinite(f[it->from])) continue;
                    relax(time, nearest, it->from, tu, it->minutes, uid, cutoff);
                }
            }
        }
        return result;
    }

private:
    void relax(float* time, std::int32_t* nearest, std::size_t v, float tu, double cost, std::int32_t uid,
               double cutoff) {
        const double tv = static_cast<double>(tu) + cost;
        if (tv > cutoff) return;
        const float tvf = static_cast<float>(tv);
        if (tvf < time[v]) {
            time[v] = tvf;
            nearest[v] = uid;
            m_heap.push(PackedHeap::pack(tvf, static_cast<std::uint32_t>(v)));
        }
    }

    const Grid<float>& m_friction;
    const TravelTimeOptions& m_options;
    std::int64_t m_cols, m_rows;
    std::vector<Move> m_moves;
    std::vector<ExtraEdge> m_incoming;
    std::vector<std::uint8_t> m_has_incoming;
    PackedHeap m_heap;
};

}  // namespace

double tobler_speed_factor(double slope) noexcept {
    return std::exp(-3.5 * std::abs(slope + 0.05)) / std::exp(-3.5 * 0.05);
}

TravelTimeResult compute_travel_time(const Grid<float>& friction_min_per_m, const std::vector<SourceCell>& sources,
                                     const TravelTimeOptions& options) {
    validate_inputs(friction_min_per_m, sources, options);
    Solver solver(friction_min_per_m, options);
    return solver.run(sources);
}

std::vector<TravelTimeResult> compute_travel_times(const Grid<float>& friction_min_per_m,
                                                   const std::vector<std::vector<SourceCell>>& source_sets,
                                                   const TravelTimeOptions& options) {
    for (const auto& sources : source_sets) validate_inputs(friction_min_per_m, sources, options);
    std::vector<TravelTimeResult> results(source_sets.size());
    std::exception_ptr failure;
#pragma omp parallel
    {
        Solver solver(friction_min_per_m, options);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t i = 0; i < source_sets.size(); ++i) {
            try {
                results[i] = solver.run(source_sets[i]);
            } catch (...) {
#pragma omp critical(accessplan_travel_time_failure)
                if (!failure) failure = std::current_exception();
            }
        }
    }
    if (failure) std::rethrow_exception(failure);
    return results;
}

}  // namespace accessplan
