#include "accessplan/engine/travel_time.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <exception>
#include <queue>
#include <tuple>

#include <fmt/format.h>
#include <omp.h>

namespace accessplan {
namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

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
        m_delta = choose_delta(friction);
        if (!m_incoming.empty()) {
            m_has_incoming.assign(friction.size(), 0);
            for (const ExtraEdge& e : m_incoming) m_has_incoming[e.to] = 1;
        }
    }

    // Bucket width: 0.35 x the median straight-move cost over a sample of passable cells. Narrower buckets re-process
    // fewer cells, wider ones sweep memory in longer runs; 0.35 was the fastest on bench/ surfaces (bench/RESULTS.md).
    static double choose_delta(const Grid<float>& friction) {
        std::vector<float> sample;
        const std::size_t n = friction.size(), step = std::max<std::size_t>(1, n / 65536);
        for (std::size_t i = 0; i < n; i += step)
            if (std::isfinite(friction[i]) && friction[i] > 0.0f) sample.push_back(friction[i]);
        if (sample.empty()) return 1.0;
        std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(sample.size() / 2), sample.end());
        return std::max(1e-9, 0.35 * static_cast<double>(sample[sample.size() / 2]) * friction.spec().cell_width_m());
    }

    TravelTimeResult run(const std::vector<SourceCell>& sources) {
        return m_options.elevation_m != nullptr ? run_impl<true>(sources) : run_impl<false>(sources);
    }

    void update(TravelTimeResult& result, const std::vector<SourceCell>& sources, const std::vector<std::int32_t>& removed_ids) {
        if (m_options.elevation_m != nullptr) update_impl<true>(result, sources, removed_ids);
        else update_impl<false>(result, sources, removed_ids);
    }

private:
    // The search works directly in the output grids: friction (read), time and nearest facility (written).
    struct Cells {
        const float* friction;
        float* time;
        std::int32_t* nearest;
    };

    // Move geometry in index space: offsets of each move and of the two cells a knight's move passes between.
    struct MoveTable {
        std::size_t count = 0;
        std::array<std::int64_t, 16> off{}, off_a{}, off_b{};
        std::array<double, 16> half_len{}, quarter_len{}, len{};
    };

    MoveTable move_table() const {
        MoveTable t;
        t.count = m_moves.size();
        for (std::size_t k = 0; k < t.count; ++k) {
            const Move& m = m_moves[k];
            t.off[k] = m.dr * m_cols + m.dc;
            t.off_a[k] = m.ar * m_cols + m.ac;
            t.off_b[k] = m.br * m_cols + m.bc;
            t.half_len[k] = 0.5 * m.length_m;
            t.quarter_len[k] = 0.25 * m.length_m;
            t.len[k] = m.length_m;
        }
        return t;
    }

    // Delta-stepping (Meyer & Sanders 2003): cells wait in buckets of width delta minutes; a bucket is processed in
    // rounds, each round in cell-index order (a sweep through memory instead of jumps between wavefronts), and a cell
    // improved into the current bucket is processed again. Costs are never negative, so every time in a bucket is
    // final once the bucket empties: the result is exact, as with Dijkstra. Buckets live in a sliding window of
    // kWindow; cells due later wait in an overflow list until the window moves on.
    template <bool WithSlope>
    TravelTimeResult run_impl(const std::vector<SourceCell>& sources) {
        TravelTimeResult result{Grid<float>(m_friction.spec(), inf), Grid<std::int32_t>(m_friction.spec(), no_facility)};
        const Cells cells{m_friction.data(), result.minutes.data(), result.nearest.data()};
        search<WithSlope, false>(cells, sources, nullptr, {});
        return result;
    }

    template <bool WithSlope>
    void update_impl(TravelTimeResult& result, const std::vector<SourceCell>& sources,
                     const std::vector<std::int32_t>& removed_ids) {
        const Cells cells{m_friction.data(), result.minutes.data(), result.nearest.data()};
        std::vector<std::uint32_t> seeds;
        if (!removed_ids.empty()) {
            // Forget every cell a removed source was nearest to, then re-expand the cells bordering them: their
            // values still hold, and they offer the forgotten cells their next-best times.
            std::vector<std::int32_t> removed = removed_ids;
            std::sort(removed.begin(), removed.end());
            std::vector<std::uint8_t> reset(m_friction.size(), 0);
            bool any = false;
            for (std::size_t i = 0; i < m_friction.size(); ++i)
                if (cells.nearest[i] != no_facility && std::binary_search(removed.begin(), removed.end(), cells.nearest[i])) {
                    cells.time[i] = inf;
                    cells.nearest[i] = no_facility;
                    reset[i] = 1;
                    any = true;
                }
            if (any) {
                const MoveTable mv = move_table();
                for (std::size_t i = 0; i < m_friction.size(); ++i) {
                    if (!reset[i]) continue;
                    for_each_predecessor(i, mv, [&](std::size_t u) {
                        if (!reset[u] && cells.time[u] != inf) seeds.push_back(static_cast<std::uint32_t>(u));
                    });
                }
            }
        }
        // New extra edges: re-expand the cells they lead into (cheap: ferries are few).
        for (const ExtraEdge& e : m_incoming)
            if (cells.time[e.to] != inf) seeds.push_back(static_cast<std::uint32_t>(e.to));
        search<WithSlope, false>(cells, sources, nullptr, seeds);
    }

public:
    /// Cells reached from `sources` as (cell, minutes), in search order (deterministic for a given input). Reuses this solver's scratch and resets only
    /// the cells the search touched, so many small searches cost what they reach, not the grid size.
    Catchment run_sparse(const std::vector<SourceCell>& sources) {
        if (m_scratch_time.size() != m_friction.size()) {
            m_scratch_time.assign(m_friction.size(), inf);
            m_scratch_nearest.assign(m_friction.size(), no_facility);
        }
        const Cells cells{m_friction.data(), m_scratch_time.data(), m_scratch_nearest.data()};
        m_touched.clear();
        if (m_options.elevation_m != nullptr) search<true, true>(cells, sources, &m_touched, {});
        else search<false, true>(cells, sources, &m_touched, {});
        Catchment reached;
        reached.reserve(m_touched.size());
        for (std::uint32_t c : m_touched) {
            if (m_scratch_time[c] == inf) continue;  // a duplicate entry, already collected
            reached.push_back({c, m_scratch_time[c]});
            m_scratch_time[c] = inf;
            m_scratch_nearest[c] = no_facility;
        }
        return reached;
    }

private:
    /// Track: record every cell given a time in `touched` (bounded catchment searches); off for full-grid searches,
    /// whose hot loop should not pay for it. `reexpand`: cells whose current values are offered to their neighbours
    /// again (an update of an earlier result).
    template <bool WithSlope, bool Track>
    void search(const Cells& cells, const std::vector<SourceCell>& sources, std::vector<std::uint32_t>* touched,
                const std::vector<std::uint32_t>& reexpand) {
        const MoveTable moves = move_table();
        const double inv_delta = 1.0 / m_delta;
        constexpr std::size_t kWindow = 1u << 14;
        m_buckets.assign(kWindow, {});
        m_overflow.clear();
        m_suspects.clear();
        std::size_t base = 0;  // absolute index of m_buckets[0]
        auto bucket_of = [inv_delta](float t) { return static_cast<std::size_t>(static_cast<double>(t) * inv_delta); };
        auto enqueue = [&](float t, std::uint32_t cell) {
            if constexpr (Track) touched->push_back(cell);
            const std::size_t b = bucket_of(t);
            if (b - base < kWindow) m_buckets[b - base].push_back(cell);
            else m_overflow.push_back(cell);
        };

        for (const SourceCell& s : sources) {
            if (!std::isfinite(cells.friction[s.cell])) continue;  // a facility on an impassable cell reaches nobody
            if (cells.time[s.cell] == 0.0f && cells.nearest[s.cell] <= s.id) continue;
            cells.time[s.cell] = 0.0f;
            cells.nearest[s.cell] = s.id;
            enqueue(0.0f, static_cast<std::uint32_t>(s.cell));
        }
        for (const std::uint32_t c : reexpand) enqueue(cells.time[c], c);

        std::vector<std::uint32_t> round;
        for (;;) {
            for (std::size_t b = 0; b < kWindow; ++b) {
                while (!m_buckets[b].empty()) {
                    round.swap(m_buckets[b]);
                    sort_cells(round);
                    for (const std::uint32_t u : round) {
                        const float tu = cells.time[u];
                        if (bucket_of(tu) != base + b) continue;  // improved into an earlier bucket meanwhile
                        expand<WithSlope>(cells, moves, u, tu, enqueue);
                    }
                    round.clear();
                }
            }
            // Slide the window to the earliest cell still due beyond it (entries of cells improved since are stale).
            const std::size_t window_end = base + kWindow;
            std::size_t next = std::numeric_limits<std::size_t>::max();
            for (std::uint32_t c : m_overflow)
                if (const std::size_t b = bucket_of(cells.time[c]); b >= window_end) next = std::min(next, b);
            if (next == std::numeric_limits<std::size_t>::max()) break;
            base = next;
            std::vector<std::uint32_t> waiting;
            waiting.swap(m_overflow);
            for (std::uint32_t c : waiting)
                if (bucket_of(cells.time[c]) >= window_end) enqueue(cells.time[c], c);
        }
        if constexpr (!Track) {  // a full-grid search: give the frontier's memory back
            std::vector<std::vector<std::uint32_t>>().swap(m_buckets);
            std::vector<std::uint32_t>().swap(m_overflow);
            if (!m_suspects.empty()) settle_ties<WithSlope>(cells, sources, moves);
        }
    }

    // Relaxes the moves into cell u (time tu) from all its neighbours v: home at v travels v -> u.
    template <bool WithSlope, typename Enqueue>
    void expand(const Cells& cells, const MoveTable& mv, std::uint32_t u, float tu, Enqueue& enqueue) {
        const double cutoff = m_options.max_minutes;
        const std::int64_t ui = u;
        const std::int64_t ur = ui / m_cols;
        const std::int64_t uc = ui - ur * m_cols;
        const double fu = cells.friction[u];
        const std::int32_t uid = cells.nearest[u];
        const bool interior = ur >= 2 && uc >= 2 && ur < m_rows - 2 && uc < m_cols - 2;

        if (interior && !WithSlope) {
            // Branch-free evaluation of every move, then updates for the few that improve a neighbour.
            float cand[16];
            for (std::size_t k = 0; k < 8; ++k)
                cand[k] = static_cast<float>(static_cast<double>(tu) + (fu + cells.friction[ui + mv.off[k]]) * mv.half_len[k]);
            for (std::size_t k = 8; k < mv.count; ++k) {
                const double fsum = fu + cells.friction[ui + mv.off[k]] + cells.friction[ui + mv.off_a[k]] +
                                    cells.friction[ui + mv.off_b[k]];
                cand[k] = static_cast<float>(static_cast<double>(tu) + fsum * mv.quarter_len[k]);
            }
            unsigned improved = 0, tied = 0;
            for (std::size_t k = 0; k < mv.count; ++k) {
                const float tv = cells.time[ui + mv.off[k]];
                improved |= (cand[k] < tv ? 1u : 0u) << k;
                tied |= (cand[k] == tv && tv != inf ? 1u : 0u) << k;
            }
            while (tied != 0) {  // equal times: the lower facility id wins (see settle_ties)
                const auto k = static_cast<std::size_t>(std::countr_zero(tied));
                tied &= tied - 1;
                const auto v = static_cast<std::size_t>(ui + mv.off[k]);
                if (uid < cells.nearest[v]) improved |= 1u << k;
                else if (uid > cells.nearest[v]) m_suspects.push_back(static_cast<std::uint32_t>(v));
            }
            while (improved != 0) {
                const auto k = static_cast<std::size_t>(std::countr_zero(improved));
                improved &= improved - 1;
                if (cand[k] > cutoff) continue;
                const auto v = static_cast<std::size_t>(ui + mv.off[k]);
                cells.time[v] = cand[k];
                cells.nearest[v] = uid;
                enqueue(cand[k], static_cast<std::uint32_t>(v));
            }
        } else {
            const float* dem = WithSlope ? m_options.elevation_m->data() : nullptr;
            for (std::size_t k = 0; k < mv.count; ++k) {
                if (!interior) {
                    const Move& m = m_moves[k];
                    const std::int64_t vr = ur + m.dr, vc = uc + m.dc;
                    if (vr < 0 || vc < 0 || vr >= m_rows || vc >= m_cols) continue;
                }
                const std::int64_t v = ui + mv.off[k];
                if (cells.time[v] < tu) continue;  // already better: costs are never negative
                double cost;
                if (k >= 8) {  // knight's move
                    cost = (fu + cells.friction[v] + cells.friction[ui + mv.off_a[k]] + cells.friction[ui + mv.off_b[k]]) *
                           mv.quarter_len[k];
                } else {
                    cost = (fu + cells.friction[v]) * mv.half_len[k];
                }
                if (!std::isfinite(cost)) continue;
                if constexpr (WithSlope) {
                    const double slope = (static_cast<double>(dem[u]) - dem[v]) / mv.len[k];  // climb from v to u
                    cost /= tobler_speed_factor(slope);
                }
                relax(enqueue, cells, static_cast<std::size_t>(v), tu, cost, uid, cutoff);
            }
        }

        if (!m_has_incoming.empty() && m_has_incoming[u]) {
            auto it = std::lower_bound(m_incoming.begin(), m_incoming.end(), static_cast<std::size_t>(u),
                                       [](const ExtraEdge& e, std::size_t cell) { return e.to < cell; });
            for (; it != m_incoming.end() && it->to == u; ++it) {
                if (!std::isfinite(cells.friction[it->from])) continue;
                relax(enqueue, cells, it->from, tu, it->minutes, uid, cutoff);
            }
        }
    }

    // Sorts and deduplicates cell indices: LSD radix sort in three 11-bit passes for large rounds.
    void sort_cells(std::vector<std::uint32_t>& cells) {
        if (cells.size() < 512) {
            std::sort(cells.begin(), cells.end());
        } else {
            m_sort_buffer.resize(cells.size());
            for (int pass = 0; pass < 3; ++pass) {
                const int shift = 11 * pass;
                std::array<std::uint32_t, 2049> count{};
                for (std::uint32_t c : cells) ++count[((c >> shift) & 0x7FFu) + 1];
                for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
                for (std::uint32_t c : cells) m_sort_buffer[count[(c >> shift) & 0x7FFu]++] = c;
                cells.swap(m_sort_buffer);
            }
        }
        cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
    }

    // Offers v the time tu + cost from a cell of facility uid. Equal times go to the lower id; an equal time from a
    // higher id marks v for settle_ties (v's lower id may have come from a value of its neighbour since improved).
    template <typename Enqueue>
    void relax(Enqueue& enqueue, const Cells& cells, std::size_t v, float tu, double cost, std::int32_t uid, double cutoff) {
        const float tvf = static_cast<float>(static_cast<double>(tu) + cost);
        if (tvf > cutoff) return;  // the time as stored, as the interior fast path compares it
        if (tvf < cells.time[v] || (tvf == cells.time[v] && uid < cells.nearest[v])) {
            cells.time[v] = tvf;
            cells.nearest[v] = uid;
            enqueue(tvf, static_cast<std::uint32_t>(v));
        } else if (tvf == cells.time[v] && uid > cells.nearest[v]) {
            m_suspects.push_back(static_cast<std::uint32_t>(v));
        }
    }

    // The time cell u offers its neighbour u + off[k] (home there, travelling to u), exactly as expand computes it;
    // +inf when the move is blocked or leaves the grid.
    template <bool WithSlope>
    float offer(const Cells& cells, const MoveTable& mv, std::size_t u, std::size_t k) const {
        const std::int64_t ui = static_cast<std::int64_t>(u), ur = ui / m_cols, uc = ui - ur * m_cols;
        const Move& m = m_moves[k];
        if (ur + m.dr < 0 || uc + m.dc < 0 || ur + m.dr >= m_rows || uc + m.dc >= m_cols) return inf;
        const std::int64_t v = ui + mv.off[k];
        const double fu = cells.friction[u];
        double cost = k >= 8 ? (fu + cells.friction[v] + cells.friction[ui + mv.off_a[k]] + cells.friction[ui + mv.off_b[k]]) *
                                   mv.quarter_len[k]
                             : (fu + cells.friction[v]) * mv.half_len[k];
        if (!std::isfinite(cost)) return inf;
        if constexpr (WithSlope) {
            const float* dem = m_options.elevation_m->data();
            cost /= tobler_speed_factor((static_cast<double>(dem[u]) - dem[v]) / mv.len[k]);
        }
        // (no cut-off here: the cells asked about hold times within it, and an offer equal to one is a real tie)
        return static_cast<float>(static_cast<double>(cells.time[u]) + cost);
    }

    // Calls fn(v, offered time) for every cell v that u offers a time to: grid moves and extra edges into u.
    template <bool WithSlope, typename Fn>
    void for_each_offer(const Cells& cells, const MoveTable& mv, std::size_t u, Fn&& fn) const {
        for (std::size_t k = 0; k < mv.count; ++k)
            if (const float t = offer<WithSlope>(cells, mv, u, k); t != inf) fn(static_cast<std::size_t>(static_cast<std::int64_t>(u) + mv.off[k]), t);
        if (m_has_incoming.empty() || !m_has_incoming[u]) return;
        auto it = std::lower_bound(m_incoming.begin(), m_incoming.end(), u, [](const ExtraEdge& e, std::size_t cell) { return e.to < cell; });
        for (; it != m_incoming.end() && it->to == u; ++it) {
            if (!std::isfinite(cells.friction[it->from])) continue;
            fn(it->from, static_cast<float>(static_cast<double>(cells.time[u]) + it->minutes));
        }
    }

    // Calls fn(u) for every cell u that may offer v a time: the grid neighbours and the far ends of extra edges from v.
    template <typename Fn>
    void for_each_predecessor(std::size_t v, const MoveTable& mv, Fn&& fn) const {
        const std::int64_t vi = static_cast<std::int64_t>(v), vr = vi / m_cols, vc = vi - vr * m_cols;
        for (std::size_t k = 0; k < mv.count; ++k) {
            const Move& m = m_moves[k];
            if (vr - m.dr < 0 || vc - m.dc < 0 || vr - m.dr >= m_rows || vc - m.dc >= m_cols) continue;
            fn(static_cast<std::size_t>(vi - mv.off[k]));
        }
        for (const ExtraEdge& e : m_incoming)
            if (e.from == v) fn(e.to);
    }

    // Makes the nearest-facility ids independent of the order the search met the cells in. Times are the unique
    // shortest-path fixed point whatever the order, but a cell's id can stay with a facility whose path reached it at
    // an equal (rounded) time through a neighbour value later improved. The canonical id is what Dijkstra ordered
    // by (time, id) gives: the lowest id among the neighbours offering the cell exactly its time. The cells marked
    // during the search, and every cell that took its id from them at an equal offer, get their ids again from the
    // cells around them, in (time, id) order. Exact ties between different facilities are rare on real friction.
    template <bool WithSlope>
    void settle_ties(const Cells& cells, const std::vector<SourceCell>& sources, const MoveTable& mv) {
        std::vector<std::uint8_t> member(m_friction.size(), 0);
        std::vector<std::uint32_t> members, stack;
        for (std::uint32_t c : m_suspects)
            if (!member[c]) member[c] = 1, stack.push_back(c);
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            members.push_back(v);
            for_each_offer<WithSlope>(cells, mv, v, [&](std::size_t w, float t) {
                if (!member[w] && t == cells.time[w] && cells.nearest[w] == cells.nearest[v])
                    member[w] = 1, stack.push_back(static_cast<std::uint32_t>(w));
            });
        }
        constexpr std::int32_t unknown = std::numeric_limits<std::int32_t>::max();
        std::vector<std::int32_t> searched;  // the ids the search gave, kept for a cell nothing offers its time (none should)
        searched.reserve(members.size());
        for (std::uint32_t v : members) {
            searched.push_back(cells.nearest[v]);
            cells.nearest[v] = unknown;
        }
        for (const SourceCell& s : sources)
            if (member[s.cell] && cells.time[s.cell] == 0.0f) cells.nearest[s.cell] = std::min(cells.nearest[s.cell], s.id);
        for (std::uint32_t v : members)
            for_each_predecessor(v, mv, [&](std::size_t u) {
                if (member[u] || cells.time[u] == inf) return;
                for_each_offer<WithSlope>(cells, mv, u, [&](std::size_t w, float t) {
                    if (w == v && t == cells.time[v]) cells.nearest[v] = std::min(cells.nearest[v], cells.nearest[u]);
                });
            });
        using Entry = std::tuple<float, std::int32_t, std::uint32_t>;
        std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
        for (std::uint32_t v : members)
            if (cells.nearest[v] != unknown) queue.emplace(cells.time[v], cells.nearest[v], v);
        while (!queue.empty()) {
            // Named copies, not structured bindings: clang before 16 cannot capture those in the lambda below.
            const Entry top = queue.top();
            const auto id = std::get<1>(top);
            const auto v = std::get<2>(top);
            queue.pop();
            if (cells.nearest[v] != id) continue;  // lowered since
            for_each_offer<WithSlope>(cells, mv, v, [&](std::size_t w, float tw) {
                if (member[w] && tw == cells.time[w] && id < cells.nearest[w]) {
                    cells.nearest[w] = id;
                    queue.emplace(tw, id, static_cast<std::uint32_t>(w));
                }
            });
        }
        for (std::size_t i = 0; i < members.size(); ++i)
            if (cells.nearest[members[i]] == unknown) cells.nearest[members[i]] = searched[i];
        m_suspects.clear();
    }

    const Grid<float>& m_friction;
    const TravelTimeOptions& m_options;
    std::int64_t m_cols, m_rows;
    std::vector<Move> m_moves;
    std::vector<ExtraEdge> m_incoming;
    std::vector<std::uint8_t> m_has_incoming;
    std::vector<std::vector<std::uint32_t>> m_buckets;
    std::vector<std::uint32_t> m_overflow;
    double m_delta = 1.0;
    std::vector<std::uint32_t> m_sort_buffer;
    std::vector<float> m_scratch_time;
    std::vector<std::int32_t> m_scratch_nearest;
    std::vector<std::uint32_t> m_touched;
    std::vector<std::uint32_t> m_suspects;  ///< cells offered their time again by a higher id (settle_ties)
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

void update_travel_time(const Grid<float>& friction_min_per_m, const std::vector<SourceCell>& sources,
                        const TravelTimeOptions& options, const std::vector<std::int32_t>& removed_ids,
                        TravelTimeResult& result) {
    validate_inputs(friction_min_per_m, sources, options);
    require_same_grid(friction_min_per_m.spec(), "friction grid", result.minutes.spec(), "earlier travel times");
    require_same_grid(friction_min_per_m.spec(), "friction grid", result.nearest.spec(), "earlier nearest facilities");
    Solver solver(friction_min_per_m, options);
    solver.update(result, sources, removed_ids);
}

std::vector<TravelTimeResult> compute_travel_times(const Grid<float>& friction_min_per_m,
                                                   const std::vector<std::vector<SourceCell>>& source_sets,
                                                   const TravelTimeOptions& options, const ProgressCallback& progress) {
    for (const auto& sources : source_sets) validate_inputs(friction_min_per_m, sources, options);
    std::vector<TravelTimeResult> results(source_sets.size());
    std::exception_ptr failure;
    std::size_t finished = 0;
#pragma omp parallel
    {
        Solver solver(friction_min_per_m, options);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t i = 0; i < source_sets.size(); ++i) {
            try {
                results[i] = solver.run(source_sets[i]);
#pragma omp critical(accessplan_travel_time_progress)
                {
                    ++finished;
                    if (progress) progress(finished, source_sets.size());
                }
            } catch (...) {
#pragma omp critical(accessplan_travel_time_failure)
                if (!failure) failure = std::current_exception();
            }
        }
    }
    if (failure) std::rethrow_exception(failure);
    return results;
}

std::vector<Catchment> compute_catchments(const Grid<float>& friction_min_per_m, const std::vector<SourceCell>& sources,
                                          const TravelTimeOptions& options) {
    validate_inputs(friction_min_per_m, sources, options);
    std::vector<Catchment> out(sources.size());
    std::exception_ptr failure;
#pragma omp parallel
    {
        Solver solver(friction_min_per_m, options);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t i = 0; i < sources.size(); ++i) {
            try {
                out[i] = solver.run_sparse({sources[i]});
            } catch (...) {
#pragma omp critical(accessplan_catchment_failure)
                if (!failure) failure = std::current_exception();
            }
        }
    }
    if (failure) std::rethrow_exception(failure);
    return out;
}

}  // namespace accessplan
