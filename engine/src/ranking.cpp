#include "accessplan/engine/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

#include <fmt/format.h>

#include "accessplan/engine/parallel.hpp"
#include "ranking_state.hpp"

namespace accessplan {

const char* to_string(RankObjective objective) noexcept {
    return objective == RankObjective::children ? "children" : "time_saved";
}

namespace {
constexpr std::uint32_t no_id = 0xffffffffu;
constexpr std::size_t search_chunk = 256;  // candidates searched at once: bounds the memory of raw catchments
}  // namespace

RankingProblem::RankingProblem(std::vector<RankingService> services, std::vector<RankingCandidate> candidates,
                               RankObjective objective, double time_cap_min)
    : m_services(std::move(services)), m_candidates(std::move(candidates)), m_objective(objective), m_time_cap(time_cap_min) {
    if (objective == RankObjective::time_saved && !(time_cap_min > 0.0 && std::isfinite(time_cap_min)))
        throw InputError(fmt::format("ranking: time cap {} minutes; expected a time above 0", time_cap_min));
    for (std::size_t k = 0; k < m_services.size(); ++k) {
        const RankingService& s = m_services[k];
        if (!s.children || !s.current_minutes || !s.friction)
            throw InternalError(fmt::format("ranking: service {} lacks children, current times or friction", s.name));
        require_same_grid(s.friction->spec(), "friction", s.children->spec(), "children");
        require_same_grid(s.friction->spec(), "friction", s.current_minutes->spec(), "travel time");
        if (s.weight) require_same_grid(s.friction->spec(), "friction", s.weight->spec(), "weights");
        if (!(s.threshold_min > 0.0))
            throw InputError(fmt::format("ranking: service {} has threshold {} minutes; expected > 0", s.name, s.threshold_min));
    }
    for (std::size_t c = 0; c < m_candidates.size(); ++c) {
        const RankingCandidate& rc = m_candidates[c];
        if (rc.service >= m_services.size())
            throw InputError(fmt::format("ranking: candidate {} names service #{}, but there are {}", c + 1, rc.service,
                                         m_services.size()));
        if (!(rc.cost > 0.0) || !std::isfinite(rc.cost))
            throw InputError(fmt::format("ranking: candidate {} costs {}; costs must be positive", c + 1, rc.cost));
        if (!(rc.capacity >= 0.0) || !std::isfinite(rc.capacity))
            throw InputError(fmt::format("ranking: candidate {} has capacity {}; expected >= 0 (0 = no limit)", c + 1, rc.capacity));
        if (rc.cell >= m_services[rc.service].friction->size())
            throw InputError(fmt::format("ranking: candidate {} is at cell {}, outside the grid", c + 1, rc.cell));
    }

    // Reaches, service by service, in chunks of candidates: a bounded search each (in parallel), then only the
    // populated cells the candidate improves are kept, nearest first. Cells get dense ids in candidate order.
    m_reach.resize(m_candidates.size());
    for (std::size_t k = 0; k < m_services.size(); ++k) {
        const RankingService& s = m_services[k];
        const Grid<float>& kids = *s.children;
        const Grid<float>& now = *s.current_minutes;
        TravelTimeOptions bounded = s.travel;
        bounded.max_minutes = objective == RankObjective::children ? catchment_search_limit(s.threshold_min) : time_cap_min;
        const float cap = static_cast<float>(time_cap_min);
        std::vector<std::size_t> mine;
        for (std::size_t c = 0; c < m_candidates.size(); ++c)
            if (m_candidates[c].service == k) mine.push_back(c);
        std::vector<std::uint32_t> dense(mine.empty() ? 0 : kids.size(), no_id);
        for (std::size_t from = 0; from < mine.size(); from += search_chunk) {
            const std::size_t to = std::min(mine.size(), from + search_chunk);
            std::vector<SourceCell> sources;
            for (std::size_t j = from; j < to; ++j) sources.push_back({m_candidates[mine[j]].cell, static_cast<std::int32_t>(j)});
            std::vector<Catchment> raw = compute_catchments(*s.friction, sources, bounded);
            parallel_for(raw.size(), [&](std::size_t j) {
                Catchment kept;
                for (const ReachedCell& r : raw[j]) {
                    if (!(kids[r.cell] > 0.0f)) continue;
                    const float t = now[r.cell];
                    const bool improves = objective == RankObjective::children
                                              ? !within_minutes(t, s.threshold_min)  // beyond the threshold today
                                              : r.minutes < std::min(t, cap);
                    if (improves) kept.push_back(r);
                }
                std::sort(kept.begin(), kept.end(), [](const ReachedCell& a, const ReachedCell& b) {
                    return a.minutes < b.minutes || (a.minutes == b.minutes && a.cell < b.cell);
                });
                Catchment().swap(raw[j]);
                raw[j] = std::move(kept);
            });
            for (std::size_t j = 0; j < raw.size(); ++j) {  // dense ids, sequentially: thread-independent
                for (ReachedCell& r : raw[j]) {
                    std::uint32_t& id = dense[r.cell];
                    if (id == no_id) {
                        id = static_cast<std::uint32_t>(m_cell.size());
                        const float w = s.weight ? (*s.weight)[r.cell] : 1.0f;
                        if (!(w >= 0.0f) || !std::isfinite(w))
                            throw InputError(fmt::format("ranking: service {} has weight {} at cell {}; weights must be "
                                                         "finite and >= 0", s.name, w, r.cell));
                        m_cell.push_back(static_cast<std::uint32_t>(r.cell));
                        m_children.push_back(kids[r.cell]);
                        m_weight.push_back(w);
                        m_demand.push_back(static_cast<double>(w) * kids[r.cell]);
                        m_start.push_back(objective == RankObjective::children ? kids[r.cell]
                                                                                : std::min(now[r.cell], cap));
                    }
                    r.cell = id;
                }
                m_reach[mine[from + j]] = std::move(raw[j]);
            }
        }
    }
    // A site with a capacity serves the children who count most first (nearest first among equals): its gain is then
    // the best it can do with what is left, which only shrinks as other sites are picked (as the lazy greedy needs;
    // nearest-first could move a pool onto heavier-weighted children after a neighbour's pick and raise its gain).
    parallel_for(m_candidates.size(), [&](std::size_t c) {
        if (m_candidates[c].capacity <= 0.0 || objective != RankObjective::children) return;
        std::sort(m_reach[c].begin(), m_reach[c].end(), [&](const ReachedCell& a, const ReachedCell& b) {
            if (m_weight[a.cell] != m_weight[b.cell]) return m_weight[a.cell] > m_weight[b.cell];
            return a.minutes < b.minutes || (a.minutes == b.minutes && a.cell < b.cell);
        });
    });
    const State start(*this);
    m_single_gain.assign(m_candidates.size(), 0.0);
    parallel_for(m_candidates.size(), [&](std::size_t c) { m_single_gain[c] = start.gain(c); });
}

std::size_t RankingProblem::reach_cells() const noexcept {
    std::size_t n = 0;
    for (const auto& r : m_reach) n += r.size();
    return n;
}

double RankingProblem::value_of(const std::vector<std::size_t>& chosen) const {
    State state(*this);
    double total = 0.0;
    for (std::size_t c : chosen) {
        if (c >= m_candidates.size()) throw InternalError(fmt::format("value_of: candidate {} out of range", c));
        total += state.apply(c).gain;
    }
    return total;
}

RankingResult RankingProblem::greedy_from(double budget, const std::vector<std::size_t>& start) const {
    RankingResult result;
    result.budget = budget;
    State state(*this);
    std::vector<char> taken(m_candidates.size(), 0);
    auto take = [&](std::size_t c) {
        RankedSite site = state.apply(c);
        result.spent += m_candidates[c].cost;
        result.gain += site.gain;
        result.children += site.children;
        result.sites.push_back(std::move(site));
        taken[c] = 1;
    };
    for (std::size_t c : start) take(c);

    // Lazy greedy: gains only shrink as sites are added, so a stale ratio is an upper bound. The top entry is
    // re-evaluated; if it still beats the next one it is taken. Ties go to the lower candidate index.
    struct Entry {
        double ratio;
        std::size_t c;
        bool operator<(const Entry& o) const { return ratio < o.ratio || (ratio == o.ratio && c > o.c); }
    };
    std::priority_queue<Entry> heap;
    for (std::size_t c = 0; c < m_candidates.size(); ++c)
        if (!taken[c] && m_single_gain[c] > 0.0 && result.spent + m_candidates[c].cost <= budget)
            heap.push({m_single_gain[c] / m_candidates[c].cost, c});
    while (!heap.empty()) {
        const Entry top = heap.top();
        heap.pop();
        if (result.spent + m_candidates[top.c].cost > budget) continue;  // no longer affordable, and never will be
        const double g = state.gain(top.c);
        if (!(g > 0.0)) continue;
        const Entry fresh{g / m_candidates[top.c].cost, top.c};
        if (heap.empty() || !(fresh < heap.top())) take(top.c);
        else heap.push(fresh);
    }
    return result;
}

RankingResult RankingProblem::rank_greedy(double budget) const {
    if (!(budget >= 0.0) || !std::isfinite(budget))
        throw InputError(fmt::format("ranking: budget {}; expected a number >= 0", budget));
    RankingResult plain = greedy_from(budget, {});
    // Khuller, Moss & Naor: also start from the best single affordable site; keep the better of the two.
    std::size_t best = m_candidates.size();
    for (std::size_t c = 0; c < m_candidates.size(); ++c)
        if (m_candidates[c].cost <= budget && m_single_gain[c] > 0.0 &&
            (best == m_candidates.size() || m_single_gain[c] > m_single_gain[best]))
            best = c;
    if (best == m_candidates.size() || (!plain.sites.empty() && plain.sites.front().candidate == best)) return plain;
    RankingResult from_best = greedy_from(budget, {best});
    if (from_best.gain > plain.gain) {
        from_best.started_from_best_single = true;
        return from_best;
    }
    return plain;
}

}  // namespace accessplan
