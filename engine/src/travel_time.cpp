#include "accessplan/engine/travel_time.hpp"

#include <algorithm>
#include <array>
#include <atomic>
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
    if (options.network) {
        const std::uint64_t vertices = static_cast<std::uint64_t>(n) + options.network->nodes;
        if (vertices > std::numeric_limits<std::uint32_t>::max())
            throw InputError(fmt::format("the grid's {} cells and the road network's {} nodes are more than the solver's "
                                         "limit of {} vertices; use a coarser cell size or a smaller study area",
                                         n, options.network->nodes, std::numeric_limits<std::uint32_t>::max()));
        for (const NetworkArc& a : options.network->arcs)
            if (a.from >= vertices || a.to >= vertices || !(a.minutes >= 0.0f) || !std::isfinite(a.minutes))
                throw InputError(fmt::format("road network arc {} -> {} ({} minutes): a vertex beyond the {} cells and {} nodes, "
                                             "or not a finite time >= 0", a.from, a.to, a.minutes, n, options.network->nodes));
    }
    if (options.needed != nullptr)
        require_same_grid(friction.spec(), "friction grid", options.needed->spec(), "grid of the cells needed");
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
        // Arcs outside the grid's moves (ferries, the road network), grouped by the vertex they lead into: the search
        // runs from facilities outward, so expanding a vertex relaxes the arcs into it.
        m_cells = friction.size();
        m_nodes = options.network ? options.network->nodes : 0;
        for (const ExtraEdge& e : options.extra_edges)
            m_incoming.push_back({static_cast<std::uint32_t>(e.from), static_cast<std::uint32_t>(e.to), e.minutes});
        if (options.network)
            for (const NetworkArc& a : options.network->arcs) m_incoming.push_back({a.from, a.to, a.minutes});
        std::sort(m_incoming.begin(), m_incoming.end(), [](const Arc& a, const Arc& b) {
            return a.to != b.to ? a.to < b.to : a.from < b.from;
        });
        m_delta = choose_delta(friction);
        m_inv_delta = 1.0 / m_delta;
        // One search on every core, unless this solver is one of several already running side by side.
        m_threads = omp_in_parallel() ? 1 : std::max(1, options.threads > 0 ? options.threads : omp_get_max_threads());
        if (!m_incoming.empty()) {
            m_has_incoming.assign(friction.size(), 0);
            for (const Arc& e : m_incoming)
                if (e.to < m_cells) m_has_incoming[e.to] = 1;
        }
        if (m_nodes > 0) {  // the arcs into node k are m_incoming[m_node_first[k] .. m_node_first[k + 1])
            m_node_first.assign(m_nodes + 1, 0);
            for (const Arc& e : m_incoming)
                if (e.to >= m_cells) ++m_node_first[e.to - m_cells + 1];
            for (std::size_t k = 0; k < m_nodes; ++k) m_node_first[k + 1] += m_node_first[k];
            const std::size_t first = static_cast<std::size_t>(
                std::lower_bound(m_incoming.begin(), m_incoming.end(), m_cells, [](const Arc& e, std::size_t v) { return e.to < v; }) -
                m_incoming.begin());
            for (auto& f : m_node_first) f += first;
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
        float* node_time = nullptr;             ///< network nodes (vertex m_cells + k)
        std::int32_t* node_nearest = nullptr;
        const float* dem = nullptr;             ///< elevation, when the search is slope-aware
    };

    const float* dem_data() const { return m_options.elevation_m != nullptr ? m_options.elevation_m->data() : nullptr; }

    // An arc outside the grid's moves, between vertices (cells, then network nodes).
    struct Arc {
        std::uint32_t from, to;
        double minutes;
    };

    float& time_of(const Cells& c, std::size_t v) const { return v < m_cells ? c.time[v] : c.node_time[v - m_cells]; }
    std::int32_t& nearest_of(const Cells& c, std::size_t v) const {
        return v < m_cells ? c.nearest[v] : c.node_nearest[v - m_cells];
    }

    // The arcs leading into vertex v.
    std::pair<const Arc*, const Arc*> arcs_into(std::size_t v) const {
        if (v >= m_cells) return {m_incoming.data() + m_node_first[v - m_cells], m_incoming.data() + m_node_first[v - m_cells + 1]};
        if (m_has_incoming.empty() || !m_has_incoming[v]) return {nullptr, nullptr};
        auto range = std::equal_range(m_incoming.begin(), m_incoming.end(), Arc{0, static_cast<std::uint32_t>(v), 0.0},
                                      [](const Arc& a, const Arc& b) { return a.to < b.to; });
        return {m_incoming.data() + (range.first - m_incoming.begin()), m_incoming.data() + (range.second - m_incoming.begin())};
    }

    // The arcs leading out of vertex v (built on first use: updates and tie settling only).
    std::pair<const Arc*, const Arc*> arcs_out_of(std::size_t v) {
        if (m_outgoing.size() != m_incoming.size()) {
            m_outgoing = m_incoming;
            std::sort(m_outgoing.begin(), m_outgoing.end(), [](const Arc& a, const Arc& b) {
                return a.from != b.from ? a.from < b.from : a.to < b.to;
            });
        }
        auto range = std::equal_range(m_outgoing.begin(), m_outgoing.end(), Arc{static_cast<std::uint32_t>(v), 0, 0.0},
                                      [](const Arc& a, const Arc& b) { return a.from < b.from; });
        return {m_outgoing.data() + (range.first - m_outgoing.begin()), m_outgoing.data() + (range.second - m_outgoing.begin())};
    }

    static constexpr std::size_t kWindow = 1u << 14;  ///< buckets held at once (search)

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
        TravelTimeResult result{Grid<float>(m_friction.spec(), inf), Grid<std::int32_t>(m_friction.spec(), no_facility),
                                std::vector<float>(m_nodes, inf), std::vector<std::int32_t>(m_nodes, no_facility)};
        const Cells cells{m_friction.data(), result.minutes.data(), result.nearest.data(), result.node_minutes.data(),
                          result.node_nearest.data(), dem_data()};
        if (m_options.needed != nullptr) {
            m_needed = m_options.needed->data();
            m_needed_total = 0;
            m_needed_settled = 0;
            for (std::size_t i = 0; i < m_cells; ++i) m_needed_total += m_needed[i] != 0 && std::isfinite(m_friction[i]);
            m_settled_bits.assign((m_cells + 63) / 64, 0);
        }
        search<WithSlope, false>(cells, sources, nullptr, {});
        m_needed = nullptr;
        std::vector<std::uint64_t>().swap(m_settled_bits);
        return result;
    }

    template <bool WithSlope>
    void update_impl(TravelTimeResult& result, const std::vector<SourceCell>& sources,
                     const std::vector<std::int32_t>& removed_ids) {
        if (result.node_minutes.size() != m_nodes || result.node_nearest.size() != m_nodes)
            throw InputError(fmt::format("earlier travel times hold {} road network nodes; the network has {}",
                                         result.node_minutes.size(), m_nodes));
        const Cells cells{m_friction.data(), result.minutes.data(), result.nearest.data(), result.node_minutes.data(),
                          result.node_nearest.data(), dem_data()};
        const std::size_t vertices = m_cells + m_nodes;
        std::vector<std::uint32_t> seeds;
        if (!removed_ids.empty()) {
            // Forget every vertex a removed source was nearest to, then re-expand the vertices bordering them: their
            // values still hold, and they offer the forgotten ones their next-best times.
            std::vector<std::int32_t> removed = removed_ids;
            std::sort(removed.begin(), removed.end());
            std::vector<std::uint8_t> reset(vertices, 0);
            bool any = false;
            for (std::size_t i = 0; i < vertices; ++i)
                if (const std::int32_t id = nearest_of(cells, i);
                    id != no_facility && std::binary_search(removed.begin(), removed.end(), id)) {
                    time_of(cells, i) = inf;
                    nearest_of(cells, i) = no_facility;
                    reset[i] = 1;
                    any = true;
                }
            if (any) {
                const MoveTable mv = move_table();
                for (std::size_t i = 0; i < vertices; ++i) {
                    if (!reset[i]) continue;
                    for_each_predecessor(i, mv, [&](std::size_t u) {
                        if (!reset[u] && time_of(cells, u) != inf) seeds.push_back(static_cast<std::uint32_t>(u));
                    });
                }
            }
        }
        // New extra edges: re-expand the cells they lead into (cheap: ferries are few).
        for (const ExtraEdge& e : m_options.extra_edges)
            if (cells.time[e.to] != inf) seeds.push_back(static_cast<std::uint32_t>(e.to));
        search<WithSlope, false>(cells, sources, nullptr, seeds);
    }

public:
    /// Cells reached from `sources` as (cell, minutes), in search order (deterministic for a given input). Reuses this solver's scratch and resets only
    /// the cells the search touched, so many small searches cost what they reach, not the grid size.
    Catchment run_sparse(const std::vector<SourceCell>& sources) {
        // With a bound on the rows a search can reach (set_reach_rows), it runs on that band of whole rows around its
        // sources as if the band were the grid (a move out of it could only lead to times beyond the cut-off), and the
        // scratch holds the band, not the grid.
        const std::size_t cols = static_cast<std::size_t>(m_cols), grid_rows = static_cast<std::size_t>(m_rows);
        std::size_t first_row = 0, end_row = grid_rows;
        if (m_reach_rows > 0 && !sources.empty()) {
            std::size_t lo = sources.front().cell, hi = lo;
            for (const SourceCell& src : sources) lo = std::min(lo, src.cell), hi = std::max(hi, src.cell);
            first_row = lo / cols > m_reach_rows ? lo / cols - m_reach_rows : 0;
            end_row = std::min(grid_rows, hi / cols + m_reach_rows + 1);
        }
        const std::size_t offset = first_row * cols, band = (end_row - first_row) * cols;
        if (m_scratch_time.size() < band) {  // grows to the largest band searched; cells beyond it stay untouched
            m_scratch_time.assign(band, inf);
            m_scratch_nearest.assign(band, no_facility);
            m_scratch_node_time.assign(m_nodes, inf);
            m_scratch_node_nearest.assign(m_nodes, no_facility);
        }
        const Cells cells{m_friction.data() + offset, m_scratch_time.data(), m_scratch_nearest.data(), m_scratch_node_time.data(),
                          m_scratch_node_nearest.data(), dem_data() != nullptr ? dem_data() + offset : nullptr};
        std::vector<SourceCell> local = sources;
        for (SourceCell& src : local) src.cell -= offset;
        // The band is the grid for this search (the band applies only without arcs, so no vertex beyond the cells).
        const std::size_t all_cells = m_cells;
        m_rows = static_cast<std::int64_t>(end_row - first_row);
        m_cells = band;
        m_touched.clear();
        if (m_options.elevation_m != nullptr) search<true, true>(cells, local, &m_touched, {});
        else search<false, true>(cells, local, &m_touched, {});
        m_rows = static_cast<std::int64_t>(grid_rows);
        m_cells = all_cells;
        Catchment reached;
        reached.reserve(m_touched.size());
        for (std::uint32_t c : m_touched) {
            if (c >= band) {  // a network node: not a place people live
                m_scratch_node_time[c - band] = inf;
                m_scratch_node_nearest[c - band] = no_facility;
                continue;
            }
            if (m_scratch_time[c] == inf) continue;  // a duplicate entry, already collected
            reached.push_back({static_cast<std::uint32_t>(c + offset), m_scratch_time[c]});
            m_scratch_time[c] = inf;
            m_scratch_nearest[c] = no_facility;
        }
        return reached;
    }

    /// Bounds the rows a bounded search (run_sparse) can reach from its sources; 0 = none (the whole grid).
    void set_reach_rows(std::size_t rows) { m_reach_rows = rows; }

private:
    /// Track: record every cell given a time in `touched` (bounded catchment searches); off for full-grid searches,
    /// whose hot loop should not pay for it. `reexpand`: cells whose current values are offered to their neighbours
    /// again (an update of an earlier result).
    template <bool WithSlope, bool Track>
    void search(const Cells& cells, const std::vector<SourceCell>& sources, std::vector<std::uint32_t>* touched,
                const std::vector<std::uint32_t>& reexpand) {
        const MoveTable moves = move_table();
        m_buckets.assign(kWindow, {});
        m_overflow.clear();
        m_suspects.clear();
        std::size_t base = 0;  // absolute index of m_buckets[0]
        auto bucket_of = [this](float t) { return this->bucket_of(t); };
        auto enqueue = [&](float t, std::uint32_t cell) {
            if constexpr (Track) touched->push_back(cell);
            const std::size_t b = bucket_of(t);
            if (b - base < kWindow) m_buckets[b - base].push_back(cell);
            else m_overflow.push_back(cell);
        };

        DirectSink<decltype(enqueue)> direct{*this, cells, enqueue};
        for (const SourceCell& s : sources) {
            if (!std::isfinite(cells.friction[s.cell])) continue;  // a facility on an impassable cell reaches nobody
            if (cells.time[s.cell] == 0.0f && cells.nearest[s.cell] <= s.id) continue;
            cells.time[s.cell] = 0.0f;
            cells.nearest[s.cell] = s.id;
            enqueue(0.0f, static_cast<std::uint32_t>(s.cell));
        }
        for (const std::uint32_t c : reexpand) enqueue(time_of(cells, c), c);

        std::vector<std::uint32_t> round;
        bool done = false;  // every cell up to the cut-off is final (options.needed)
        while (!done) {
            for (std::size_t b = 0; b < kWindow && !done; ++b) {
                for (;;) {
                    if constexpr (!Track)  // what threads searching in parallel put in this bucket
                        for (Lane& lane : m_lanes)
                            if (!lane.buckets.empty() && !lane.buckets[b].empty()) {
                                m_buckets[b].insert(m_buckets[b].end(), lane.buckets[b].begin(), lane.buckets[b].end());
                                lane.buckets[b].clear();
                            }
                    if (m_buckets[b].empty()) break;
                    round.swap(m_buckets[b]);
                    sort_cells(round);
                    std::size_t first = 0;  // the round's cells from here on are processed below, on this thread
                    if constexpr (!Track)
                        if (m_threads > 1 && round.size() >= m_options.parallel_round_min)
                            first = expand_in_parallel<WithSlope>(cells, moves, round, base, b, direct);
                    for (std::size_t i = first; i < round.size(); ++i) {
                        const std::uint32_t u = round[i];
                        if (u >= m_cells) {  // a network node: only arcs lead into it
                            const float tu = cells.node_time[u - m_cells];
                            if (bucket_of(tu) == base + b) relax_arcs_into(cells, u, tu, cells.node_nearest[u - m_cells], direct);
                            continue;
                        }
                        const float tu = cells.time[u];
                        if (bucket_of(tu) != base + b) continue;  // improved into an earlier bucket meanwhile
                        if constexpr (!Track)
                            if (m_needed != nullptr) m_needed_settled += settle_needed(u);
                        expand<WithSlope>(cells, moves, u, tu, direct);
                    }
                    round.clear();
                }
                // Done with this bucket until the window slides (costs are never negative: nothing is due earlier than
                // the bucket being processed): its memory back, or every bucket would keep the capacity of the ring of
                // cells it once held, together about a search's every push (1 GB for all of Vietnam at 100 m).
                std::vector<std::uint32_t>().swap(m_buckets[b]);
                if constexpr (!Track)
                    for (Lane& lane : m_lanes)
                        if (!lane.buckets.empty()) std::vector<std::uint32_t>().swap(lane.buckets[b]);
                // Every needed cell final: the cells farther than the farthest of them are cut (cut_beyond_needed).
                if constexpr (!Track) done = m_needed != nullptr && m_needed_settled == m_needed_total && m_needed_total > 0;
            }
            if (done) break;
            // Slide the window to the earliest cell still due beyond it (entries of cells improved since are stale).
            if constexpr (!Track)
                for (Lane& lane : m_lanes) {
                    m_overflow.insert(m_overflow.end(), lane.overflow.begin(), lane.overflow.end());
                    lane.overflow.clear();
                }
            const std::size_t window_end = base + kWindow;
            std::size_t next = std::numeric_limits<std::size_t>::max();
            for (std::uint32_t c : m_overflow)
                if (const std::size_t b = bucket_of(time_of(cells, c)); b >= window_end) next = std::min(next, b);
            if (next == std::numeric_limits<std::size_t>::max()) break;
            base = next;
            std::vector<std::uint32_t> waiting;
            waiting.swap(m_overflow);
            for (std::uint32_t c : waiting)
                if (bucket_of(time_of(cells, c)) >= window_end) enqueue(time_of(cells, c), c);
        }
        if constexpr (!Track) {  // a full-grid search: give the frontier's memory back
            std::vector<std::vector<std::uint32_t>>().swap(m_buckets);
            std::vector<std::uint32_t>().swap(m_overflow);
            m_lanes.clear();
            if (m_needed != nullptr) cut_beyond_needed(cells);
            if (!m_suspects.empty()) settle_ties<WithSlope>(cells, sources, moves);
        }
    }

    // The largest time among the cells options.needed marks (-inf when none has one).
    float farthest_needed(const Cells& cells) const {
        float farthest = -inf;
        for (std::size_t i = 0; i < m_cells; ++i)
            if (m_needed[i] && cells.time[i] != inf) farthest = std::max(farthest, cells.time[i]);
        return farthest;
    }

    // Counts cell u, expanded, among the needed cells whose time is final: a cell is first expanded in the bucket of
    // its final time (buckets are processed in order and costs are never negative), and may be again within it. The
    // bit is set atomically: threads expanding one round may share a word at the ends of their ranges. Returns 1 when
    // u is a needed cell counted now.
    std::size_t settle_needed(std::uint32_t u) {
        if (!m_needed[u]) return 0;
        const std::uint64_t bit = std::uint64_t{1} << (u % 64);
        std::atomic_ref<std::uint64_t> word(m_settled_bits[u / 64]);
        if (word.load(std::memory_order_relaxed) & bit) return 0;
        return (word.fetch_or(bit, std::memory_order_relaxed) & bit) ? 0 : 1;
    }

    // Cells and network nodes farther than the farthest needed cell made unreachable: what a search with that
    // cut-off gives (the cells up to it are final once every needed cell is; the farther ones may hold times not
    // final, or none).
    void cut_beyond_needed(const Cells& cells) {
        const float farthest = farthest_needed(cells);
        if (farthest == -inf) return;  // no needed cell reached: nothing to cut at
        for (std::size_t i = 0; i < m_cells; ++i)
            if (cells.time[i] > farthest) cells.time[i] = inf, cells.nearest[i] = no_facility;
        for (std::size_t k = 0; k < m_nodes; ++k)
            if (cells.node_time[k] > farthest) cells.node_time[k] = inf, cells.node_nearest[k] = no_facility;
        std::erase_if(m_suspects, [&](std::uint32_t v) { return time_of(cells, v) == inf; });
    }

    std::size_t bucket_of(float t) const { return static_cast<std::size_t>(static_cast<double>(t) * m_inv_delta); }

    // Where a search's findings go on one thread: straight into the grids and buckets.
    template <typename Enqueue>
    struct DirectSink {
        Solver& solver;
        const Cells& cells;
        Enqueue& enqueue;
        static constexpr bool owns(std::size_t) { return true; }
        void set(std::uint32_t v, float& tv, std::int32_t& nv, float t, std::int32_t id) {
            tv = t;
            nv = id;
            enqueue(t, v);
        }
        void defer(std::uint32_t, float, std::int32_t) {}
        void suspect(std::uint32_t v) { solver.m_suspects.push_back(v); }
        void arcs(std::uint32_t u, float tu, std::int32_t uid) { solver.relax_arcs_into(cells, u, tu, uid, *this); }
    };

    // An offer to a vertex another thread owns, or to arcs into a vertex, kept until the round's threads are done.
    struct Offer {
        std::uint32_t vertex;
        float minutes;
        std::int32_t id;
    };

    // One thread's share of a round searched in parallel: it writes only the cells [write_lo, write_hi), which no other
    // thread reads (they lie more than a move's reach from every other thread's cells), and lists the rest.
    struct Lane {
        std::vector<std::vector<std::uint32_t>> buckets;  ///< as m_buckets, merged into them bucket by bucket
        std::vector<std::uint32_t> overflow;              ///< as m_overflow
        std::vector<Offer> deferred;          ///< offers to cells outside this thread's range
        std::vector<Offer> arcs;              ///< cells whose incoming arcs are to be relaxed (vertex, its time, id)
        std::vector<std::uint32_t> suspects;
        std::size_t needed_settled = 0;       ///< needed cells expanded for the first time (options.needed)
    };
    struct LaneSink {
        Lane& lane;
        std::size_t write_lo, write_hi;
        double inv_delta;
        std::size_t base;  ///< the bucket window's first bucket
        bool owns(std::size_t v) const { return v >= write_lo && v < write_hi; }
        void set(std::uint32_t v, float& tv, std::int32_t& nv, float t, std::int32_t id) {
            tv = t;
            nv = id;
            const std::size_t b = static_cast<std::size_t>(static_cast<double>(t) * inv_delta) - base;
            if (b < kWindow) lane.buckets[b].push_back(v);
            else lane.overflow.push_back(v);
        }
        void defer(std::uint32_t v, float t, std::int32_t id) { lane.deferred.push_back({v, t, id}); }
        void suspect(std::uint32_t v) { lane.suspects.push_back(v); }
        void arcs(std::uint32_t u, float tu, std::int32_t uid) { lane.arcs.push_back({u, tu, uid}); }
    };

    // Expands the cells of a sorted round (bucket `bucket`) on m_threads threads, each a contiguous share of them,
    // then, on this thread, offers what the threads left to each other's cells and relaxes the arcs they met. Returns
    // the position of the round's first network node (vertices >= m_cells), which the caller processes. The times
    // are the same whatever the split: every offer is made, only the order differs, and times are the unique fixed
    // point; ties between facilities are marked as on one thread and settled by settle_ties.
    template <bool WithSlope, typename Direct>
    std::size_t expand_in_parallel(const Cells& cells, const MoveTable& mv, const std::vector<std::uint32_t>& round,
                                   std::size_t base, std::size_t b, Direct& direct) {
        const std::size_t bucket = base + b;
        const std::size_t count = static_cast<std::size_t>(
            std::lower_bound(round.begin(), round.end(), static_cast<std::uint32_t>(m_cells)) -
            round.begin());
        const std::size_t reach = 2 * static_cast<std::size_t>(m_cols) + 2;  // farther than any move's end cell
        if (m_lanes.size() < static_cast<std::size_t>(m_threads)) m_lanes.resize(static_cast<std::size_t>(m_threads));
        int used = 1;
#pragma omp parallel num_threads(m_threads)
        {
            const auto team = static_cast<std::size_t>(omp_get_num_threads());
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
#pragma omp single
            used = static_cast<int>(team);
            const std::size_t begin = count * t / team, end = count * (t + 1) / team;
            // This thread's range of cells: from its first cell to the next thread's first.
            const std::size_t lo = t == 0 ? 0 : (begin < count ? round[begin] : m_cells);
            const std::size_t hi = t + 1 == team ? m_cells : (end < count ? round[end] : m_cells);
            Lane& lane = m_lanes[t];
            if (lane.buckets.size() != kWindow) lane.buckets.assign(kWindow, {});
            LaneSink sink{lane, t == 0 ? 0 : lo + reach, t + 1 == team ? m_cells : (hi > reach ? hi - reach : 0),
                          m_inv_delta, base};
            for (std::size_t i = begin; i < end; ++i) {
                const std::uint32_t u = round[i];
                const float tu = cells.time[u];
                if (bucket_of(tu) != bucket) continue;
                if (m_needed != nullptr) lane.needed_settled += settle_needed(u);
                expand<WithSlope>(cells, mv, u, tu, sink);
            }
        }
        for (std::size_t t = 0; t < static_cast<std::size_t>(used); ++t) {
            Lane& lane = m_lanes[t];
            for (const Offer& o : lane.deferred) {
                float& tv = cells.time[o.vertex];
                std::int32_t& nv = cells.nearest[o.vertex];
                if (o.minutes < tv || (o.minutes == tv && o.id < nv)) direct.set(o.vertex, tv, nv, o.minutes, o.id);
                else if (o.minutes == tv && o.id > nv) direct.suspect(o.vertex);
            }
            for (const Offer& o : lane.arcs) relax_arcs_into(cells, o.vertex, o.minutes, o.id, direct);
            m_suspects.insert(m_suspects.end(), lane.suspects.begin(), lane.suspects.end());
            m_needed_settled += lane.needed_settled;
            lane.needed_settled = 0;
            lane.deferred.clear();
            lane.arcs.clear();
            lane.suspects.clear();
        }
        return count;
    }

    // Relaxes the moves into cell u (time tu) from all its neighbours v: home at v travels v -> u. What it finds goes to
    // `sink`: straight into the grids (DirectSink), or, on one of several threads, into the cells that thread owns and
    // a list for the others (LaneSink).
    template <bool WithSlope, typename Sink>
    void expand(const Cells& cells, const MoveTable& mv, std::uint32_t u, float tu, Sink& sink) {
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
                if (!sink.owns(v) || uid < cells.nearest[v]) improved |= 1u << k;  // (another thread's cell: decided there)
                else if (uid > cells.nearest[v]) sink.suspect(static_cast<std::uint32_t>(v));
            }
            while (improved != 0) {
                const auto k = static_cast<std::size_t>(std::countr_zero(improved));
                improved &= improved - 1;
                if (cand[k] > cutoff) continue;
                const auto v = static_cast<std::uint32_t>(ui + mv.off[k]);
                if (sink.owns(v)) sink.set(v, cells.time[v], cells.nearest[v], cand[k], uid);
                else sink.defer(v, cand[k], uid);
            }
        } else {
            const float* dem = WithSlope ? cells.dem : nullptr;
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
                relax(sink, static_cast<std::uint32_t>(v), cells.time[v], cells.nearest[v], tu, cost, uid, cutoff);
            }
        }

        if (!m_has_incoming.empty() && m_has_incoming[u]) sink.arcs(u, tu, uid);
    }

    // Relaxes the arcs into vertex u (time tu, nearest facility uid): ferries, and the road network's arcs and links.
    template <typename Sink>
    void relax_arcs_into(const Cells& cells, std::uint32_t u, float tu, std::int32_t uid, Sink& sink) {
        const double cutoff = m_options.max_minutes;
        const auto [first, last] = arcs_into(u);
        for (const Arc* a = first; a != last; ++a) {
            if (a->from < m_cells && !std::isfinite(cells.friction[a->from])) continue;
            relax(sink, a->from, time_of(cells, a->from), nearest_of(cells, a->from), tu, a->minutes, uid, cutoff);
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

    // Offers vertex v (time tv, facility nv) the time tu + cost from a vertex of facility uid. Equal times go to the
    // lower id; an equal time from a higher id marks v for settle_ties (v's lower id may have come from a value of its
    // neighbour since improved).
    template <typename Sink>
    void relax(Sink& sink, std::uint32_t v, float& tv, std::int32_t& nv, float tu, double cost, std::int32_t uid,
               double cutoff) {
        const float tvf = static_cast<float>(static_cast<double>(tu) + cost);
        if (tvf > cutoff) return;  // the time as stored, as the interior fast path compares it
        if (!sink.owns(v)) {        // another thread's cell: offered to it after the round
            if (tvf <= tv) sink.defer(v, tvf, uid);
            return;
        }
        if (tvf < tv || (tvf == tv && uid < nv)) sink.set(v, tv, nv, tvf, uid);
        else if (tvf == tv && uid > nv) sink.suspect(v);
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
            const float* dem = cells.dem;
            cost /= tobler_speed_factor((static_cast<double>(dem[u]) - dem[v]) / mv.len[k]);
        }
        // (no cut-off here: the cells asked about hold times within it, and an offer equal to one is a real tie)
        return static_cast<float>(static_cast<double>(cells.time[u]) + cost);
    }

    // Calls fn(v, offered time) for every vertex v that u offers a time to: grid moves and arcs into u.
    template <bool WithSlope, typename Fn>
    void for_each_offer(const Cells& cells, const MoveTable& mv, std::size_t u, Fn&& fn) const {
        if (u < m_cells)
            for (std::size_t k = 0; k < mv.count; ++k)
                if (const float t = offer<WithSlope>(cells, mv, u, k); t != inf) fn(static_cast<std::size_t>(static_cast<std::int64_t>(u) + mv.off[k]), t);
        const auto [first, last] = arcs_into(u);
        for (const Arc* a = first; a != last; ++a) {
            if (a->from < m_cells && !std::isfinite(cells.friction[a->from])) continue;
            fn(static_cast<std::size_t>(a->from), static_cast<float>(static_cast<double>(time_of(cells, u)) + a->minutes));
        }
    }

    // Calls fn(u) for every vertex u that may offer v a time: the grid neighbours and the far ends of arcs from v.
    template <typename Fn>
    void for_each_predecessor(std::size_t v, const MoveTable& mv, Fn&& fn) {
        if (v < m_cells) {
            const std::int64_t vi = static_cast<std::int64_t>(v), vr = vi / m_cols, vc = vi - vr * m_cols;
            for (std::size_t k = 0; k < mv.count; ++k) {
                const Move& m = m_moves[k];
                if (vr - m.dr < 0 || vc - m.dc < 0 || vr - m.dr >= m_rows || vc - m.dc >= m_cols) continue;
                fn(static_cast<std::size_t>(vi - mv.off[k]));
            }
        }
        if (m_incoming.empty()) return;
        const auto [first, last] = arcs_out_of(v);
        for (const Arc* a = first; a != last; ++a) fn(static_cast<std::size_t>(a->to));
    }

    // Makes the nearest-facility ids independent of the order the search met the cells in. Times are the unique
    // shortest-path fixed point whatever the order, but a cell's id can stay with a facility whose path reached it at
    // an equal (rounded) time through a neighbour value later improved. The canonical id is what Dijkstra ordered
    // by (time, id) gives: the lowest id among the neighbours offering the cell exactly its time. The cells marked
    // during the search, and every cell that took its id from them at an equal offer, get their ids again from the
    // cells around them, in (time, id) order. Exact ties between different facilities are rare on real friction.
    template <bool WithSlope>
    void settle_ties(const Cells& cells, const std::vector<SourceCell>& sources, const MoveTable& mv) {
        std::vector<bool> member(m_cells + m_nodes, false);  // (a bit a vertex: a byte was 0.13 GB at national size)
        std::vector<std::uint32_t> members, stack;
        for (std::uint32_t c : m_suspects)
            if (!member[c]) member[c] = true, stack.push_back(c);
        while (!stack.empty()) {
            const std::uint32_t v = stack.back();
            stack.pop_back();
            members.push_back(v);
            for_each_offer<WithSlope>(cells, mv, v, [&](std::size_t w, float t) {
                if (!member[w] && t == time_of(cells, w) && nearest_of(cells, w) == nearest_of(cells, v))
                    member[w] = true, stack.push_back(static_cast<std::uint32_t>(w));
            });
        }
        constexpr std::int32_t unknown = std::numeric_limits<std::int32_t>::max();
        std::vector<std::int32_t> searched;  // the ids the search gave, kept for a cell nothing offers its time (none should)
        searched.reserve(members.size());
        for (std::uint32_t v : members) {
            searched.push_back(nearest_of(cells, v));
            nearest_of(cells, v) = unknown;
        }
        for (const SourceCell& s : sources)
            if (member[s.cell] && time_of(cells, s.cell) == 0.0f) nearest_of(cells, s.cell) = std::min(nearest_of(cells, s.cell), s.id);
        for (std::uint32_t v : members)
            for_each_predecessor(v, mv, [&](std::size_t u) {
                if (member[u] || time_of(cells, u) == inf) return;
                for_each_offer<WithSlope>(cells, mv, u, [&](std::size_t w, float t) {
                    if (w == v && t == time_of(cells, v)) nearest_of(cells, v) = std::min(nearest_of(cells, v), nearest_of(cells, u));
                });
            });
        using Entry = std::tuple<float, std::int32_t, std::uint32_t>;
        std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
        for (std::uint32_t v : members)
            if (nearest_of(cells, v) != unknown) queue.emplace(time_of(cells, v), nearest_of(cells, v), v);
        while (!queue.empty()) {
            // Named copies, not structured bindings: clang before 16 cannot capture those in the lambda below.
            const Entry top = queue.top();
            const auto id = std::get<1>(top);
            const auto v = std::get<2>(top);
            queue.pop();
            if (nearest_of(cells, v) != id) continue;  // lowered since
            for_each_offer<WithSlope>(cells, mv, v, [&](std::size_t w, float tw) {
                if (member[w] && tw == time_of(cells, w) && id < nearest_of(cells, w)) {
                    nearest_of(cells, w) = id;
                    queue.emplace(tw, id, static_cast<std::uint32_t>(w));
                }
            });
        }
        for (std::size_t i = 0; i < members.size(); ++i)
            if (nearest_of(cells, members[i]) == unknown) nearest_of(cells, members[i]) = searched[i];
        m_suspects.clear();
    }

    const Grid<float>& m_friction;
    const TravelTimeOptions& m_options;
    const std::uint8_t* m_needed = nullptr;     ///< options.needed during a full search (run_impl), else none
    std::size_t m_needed_total = 0;             ///< passable needed cells
    std::size_t m_needed_settled = 0;           ///< of them, expanded (their time final)
    std::vector<std::uint64_t> m_settled_bits;  ///< a bit a cell: a needed cell counted in m_needed_settled
    std::int64_t m_cols, m_rows;
    std::vector<Move> m_moves;
    std::size_t m_cells = 0, m_nodes = 0;       ///< vertices: the grid's cells, then the network's nodes
    std::vector<Arc> m_incoming;                ///< ferries and network arcs, by the vertex they lead into
    std::vector<Arc> m_outgoing;                ///< the same by the vertex they leave (built on first use)
    std::vector<std::uint8_t> m_has_incoming;   ///< per cell: an arc leads into it
    std::vector<std::size_t> m_node_first;      ///< the arcs into node k start at m_incoming[m_node_first[k]]
    std::vector<std::vector<std::uint32_t>> m_buckets;
    std::vector<std::uint32_t> m_overflow;
    double m_delta = 1.0, m_inv_delta = 1.0;
    int m_threads = 1;                          ///< threads of one full-grid search (expand_in_parallel)
    std::size_t m_reach_rows = 0;               ///< rows a bounded search can reach (run_sparse); 0 = the grid's
    std::vector<Lane> m_lanes;
    std::vector<std::uint32_t> m_sort_buffer;
    std::vector<float> m_scratch_time;
    std::vector<std::int32_t> m_scratch_nearest;
    std::vector<float> m_scratch_node_time;
    std::vector<std::int32_t> m_scratch_node_nearest;
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
    const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
    if (source_sets.size() < static_cast<std::size_t>(threads) || omp_in_parallel()) {
        // Fewer sets than cores (one service at national scale): one after the other, each search on every core.
        Solver solver(friction_min_per_m, options);
        for (std::size_t i = 0; i < source_sets.size(); ++i) {
            results[i] = solver.run(source_sets[i]);
            if (progress) progress(i + 1, source_sets.size());
        }
        return results;
    }
    std::exception_ptr failure;
    std::size_t finished = 0;
#pragma omp parallel num_threads(threads)
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

std::size_t catchment_reach_rows(const Grid<float>& friction_min_per_m, const TravelTimeOptions& options) {
    // Every move costs at least the lowest friction x its length (divided by Tobler's greatest speed-up, downhill at
    // a slope of -0.05, with a DEM) and covers at most its length in rows. Arcs (ferries, roads as a network) jump.
    if (!std::isfinite(options.max_minutes) || !options.extra_edges.empty() || options.network) return 0;
    const float* f = friction_min_per_m.data();
    const std::size_t n = friction_min_per_m.size();
    float lowest = inf;
#pragma omp parallel for reduction(min : lowest)
    for (std::size_t i = 0; i < n; ++i) lowest = std::min(lowest, f[i]);
    if (!(lowest > 0.0f) || !std::isfinite(lowest)) return 0;
    double per_row = static_cast<double>(lowest) * friction_min_per_m.spec().cell_height_m();
    if (options.elevation_m != nullptr) per_row /= tobler_speed_factor(-0.05);
    // (float times are rounded at each move: 0.1% and two rows spare)
    const double rows = std::ceil(options.max_minutes * 1.001 / per_row) + 2.0;
    return rows >= static_cast<double>(friction_min_per_m.rows()) ? 0 : static_cast<std::size_t>(rows);
}

std::vector<Catchment> compute_catchments(const Grid<float>& friction_min_per_m, const std::vector<SourceCell>& sources,
                                          const TravelTimeOptions& options) {
    validate_inputs(friction_min_per_m, sources, options);
    std::vector<Catchment> out(sources.size());
    std::exception_ptr failure;
    const std::size_t reach = catchment_reach_rows(friction_min_per_m, options);
#pragma omp parallel
    {
        Solver solver(friction_min_per_m, options);
        solver.set_reach_rows(reach);
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
