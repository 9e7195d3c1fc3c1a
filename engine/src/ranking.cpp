#include "accessplan/engine/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
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
    m_reach = std::make_shared<std::vector<Catchment>>(m_candidates.size());
    std::vector<Catchment>& reaches = *m_reach;
    for (std::size_t k = 0; k < m_services.size(); ++k) {
        const RankingService& s = m_services[k];
        const Grid<float>& kids = *s.children;
        const Grid<float>& now = *s.current_minutes;
        if (!(s.speed_spread >= 0.0 && s.speed_spread < 1.0))
            throw InputError(fmt::format("ranking: service {} has a speed spread of {}; expected 0 to below 1", s.name, s.speed_spread));
        if (s.speed_spread > 0.0 && objective != RankObjective::children)
            throw InputError(fmt::format("ranking: speeds are drawn for the children objective only (service {})", s.name));
        const double spread = s.speed_spread;
        TravelTimeOptions bounded = s.travel;
        bounded.max_minutes = objective == RankObjective::children ? catchment_search_limit(s.threshold_min * (1.0 + spread)) : time_cap_min;
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
                                              ? !within_minutes(t, s.threshold_min * (1.0 - spread))  // beyond it today
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
                        m_now.push_back(now[r.cell]);
                        m_dense_service.push_back(static_cast<std::uint16_t>(k));
                    }
                    r.cell = id;
                }
                reaches[mine[from + j]] = std::move(raw[j]);
            }
        }
    }
    // A site with a capacity serves the children who count most first (nearest first among equals): its gain is then
    // the best it can do with what is left, which only shrinks as other sites are picked (as the lazy greedy needs;
    // nearest-first could move a pool onto heavier-weighted children after a neighbour's pick and raise its gain).
    parallel_for(m_candidates.size(), [&](std::size_t c) {
        if (m_candidates[c].capacity <= 0.0 || objective != RankObjective::children) return;
        std::sort(reaches[c].begin(), reaches[c].end(), [&](const ReachedCell& a, const ReachedCell& b) {
            if (m_weight[a.cell] != m_weight[b.cell]) return m_weight[a.cell] > m_weight[b.cell];
            return a.minutes < b.minutes || (a.minutes == b.minutes && a.cell < b.cell);
        });
    });
    m_limit.assign(m_candidates.size(), INFINITY);
    if (std::any_of(m_services.begin(), m_services.end(), [](const RankingService& s) { return s.speed_spread > 0.0; })) {
        m_wide = true;
        at_speeds({});
    } else {
        m_now.clear();
        m_dense_service.clear();
    }
    const State start(*this);
    m_single_gain.assign(m_candidates.size(), 0.0);
    parallel_for(m_candidates.size(), [&](std::size_t c) { m_single_gain[c] = start.gain(c); });
}

void RankingProblem::at_speeds(const std::vector<double>& speed_factor) {
    // A site counts a cell when its time / factor is within the threshold (times within the limit below), and the cell
    // counts when today's time / factor is not (else it starts served: 0 unserved children).
    std::vector<float> limit(m_services.size());
    for (std::size_t k = 0; k < m_services.size(); ++k)
        limit[k] = static_cast<float>(catchment_search_limit(m_services[k].threshold_min * (speed_factor.empty() ? 1.0 : speed_factor[k])));
    for (std::size_t c = 0; c < m_candidates.size(); ++c) m_limit[c] = limit[m_candidates[c].service];
    for (std::size_t d = 0; d < m_start.size(); ++d) m_start[d] = m_now[d] <= limit[m_dense_service[d]] ? 0.0f : m_children[d];
}

std::size_t RankingProblem::reach_cells() const noexcept {
    std::size_t n = 0;
    for (const auto& r : *m_reach) n += r.size();
    return n;
}

std::size_t RankingProblem::shared_bytes() const noexcept {
    return reach_cells() * sizeof(ReachedCell) + m_reach->capacity() * sizeof(Catchment);
}

std::size_t RankingProblem::memory_bytes() const noexcept {
    auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
    std::size_t n = shared_bytes() + bytes(m_candidates) + bytes(m_limit) + bytes(m_now) +
                    bytes(m_dense_service) + bytes(m_cell) + bytes(m_children) + bytes(m_weight) + bytes(m_demand) +
                    bytes(m_start) + bytes(m_single_gain);
    return n;
}

RankingProblem RankingProblem::perturbed(const std::vector<double>& costs, const Grid<float>* children_factor) const {
    return perturbed(costs, children_factor, {});
}

RankingProblem RankingProblem::perturbed(const std::vector<double>& costs, const Grid<float>* children_factor,
                                         const std::vector<double>& speed_factor) const {
    RankingProblem p;
    p.m_services = m_services;
    p.m_candidates = m_candidates;
    p.m_objective = m_objective;
    p.m_time_cap = m_time_cap;
    p.m_reach = m_reach;
    p.m_wide = m_wide;
    p.m_now = m_now;
    p.m_dense_service = m_dense_service;
    p.m_limit = m_limit;
    if (!speed_factor.empty()) {
        if (speed_factor.size() != m_services.size())
            throw InternalError(fmt::format("ranking: {} speed factors for {} services", speed_factor.size(), m_services.size()));
        for (std::size_t k = 0; k < m_services.size(); ++k) {
            const double f = speed_factor[k], spread = m_services[k].speed_spread;
            if (!(f >= 1.0 - spread - 1e-12 && f <= 1.0 + spread + 1e-12))
                throw InputError(fmt::format("ranking: a speed factor of {} for service {}, outside 1 ± its spread {}", f,
                                             m_services[k].name, spread));
        }
    }
    p.m_cell = m_cell;
    p.m_weight = m_weight;
    p.m_children = m_children;
    p.m_demand = m_demand;
    p.m_start = m_start;
    if (!costs.empty()) {
        if (costs.size() != m_candidates.size())
            throw InternalError(fmt::format("ranking: {} costs for {} candidates", costs.size(), m_candidates.size()));
        for (std::size_t c = 0; c < costs.size(); ++c) {
            if (!(costs[c] > 0.0) || !std::isfinite(costs[c]))
                throw InputError(fmt::format("ranking: candidate {} costs {} in a draw; costs must be positive", c + 1, costs[c]));
            p.m_candidates[c].cost = costs[c];
        }
    }
    if (children_factor) {
        if (!m_services.empty()) require_same_grid(m_services.front().friction->spec(), "friction", children_factor->spec(), "children factor");
        for (std::size_t d = 0; d < m_cell.size(); ++d) {
            const float f = (*children_factor)[m_cell[d]];
            if (!(f >= 0.0f) || !std::isfinite(f))
                throw InputError(fmt::format("ranking: a children factor of {} at cell {}; expected a finite factor >= 0", f, m_cell[d]));
            p.m_children[d] = m_children[d] * f;
            p.m_demand[d] = static_cast<double>(m_weight[d]) * p.m_children[d];
            if (m_objective == RankObjective::children) p.m_start[d] = p.m_children[d];
        }
    }
    if (p.m_wide) p.at_speeds(speed_factor);
    const State start(p);
    p.m_single_gain.assign(p.m_candidates.size(), 0.0);
    parallel_for(p.m_candidates.size(), [&](std::size_t c) { p.m_single_gain[c] = start.gain(c); });
    return p;
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

void RankingProblem::greedy_turn(Greedy& g, double budget, const std::vector<char>* only, double until, int reserve) const {
    // Lazy greedy: gains only shrink as sites are added, so a stale ratio is an upper bound. The top entry is
    // re-evaluated; if it still beats the next one it is taken (in a reserve's turn, if most of its new children
    // live in the reserved areas; otherwise it sits the turn out). Ties go to the lower candidate index.
    struct Entry {
        double ratio;
        std::size_t c;
        bool operator<(const Entry& o) const { return ratio < o.ratio || (ratio == o.ratio && c > o.c); }
    };
    std::priority_queue<Entry> heap;
    for (std::size_t c = 0; c < m_candidates.size(); ++c)
        if (!g.taken[c] && m_single_gain[c] > 0.0 && g.result.spent + m_candidates[c].cost <= budget)
            heap.push({m_single_gain[c] / m_candidates[c].cost, c});
    double turn = 0.0;
    while (!heap.empty() && turn < until) {
        const Entry top = heap.top();
        heap.pop();
        const double cost = m_candidates[top.c].cost;
        if (g.result.spent + cost > budget) continue;  // no longer affordable, and never will be
        const double gain = g.state.gain(top.c);
        if (!(gain > 0.0)) continue;
        const Entry fresh{gain / cost, top.c};
        if (!heap.empty() && fresh < heap.top()) {
            heap.push(fresh);
            continue;
        }
        if (only && !serves_mostly(g, top.c, *only)) continue;
        g.take(top.c, reserve);
        turn += cost;
    }
    // A reserve left short: say whether a site that would count is left but does not fit, or none is left at all.
    if (only && turn < until)
        for (std::size_t c = 0; c < m_candidates.size(); ++c)
            if (!g.taken[c] && g.result.spent + m_candidates[c].cost > budget && serves_mostly(g, c, *only)) {
                g.result.reserve_short_of_money[static_cast<std::size_t>(reserve)] = 1;
                break;
            }
}

bool RankingProblem::serves_mostly(const Greedy& g, std::size_t c, const std::vector<char>& only) const {
    // At least one child in the areas, and at least half of those it would newly reach: a site reaching a fraction
    // of a child is not bought for a share.
    const auto [all, in] = g.state.children_split(c, only);
    return in >= 1.0 && in >= 0.5 * all;
}

void RankingProblem::finish(Greedy& g, double budget) const {
    // What each site left would still add; the best fractional knapsack of those within the whole budget, added to
    // the value reached, bounds every choice (monotone submodular coverage: f(OPT) <= f(S) + sum over OPT \ S of the
    // gains at S). With capacities the greedy's accounting is not a set function and no bound is claimed.
    std::vector<double> gain(m_candidates.size(), 0.0);
    parallel_for(m_candidates.size(), [&](std::size_t c) {
        if (!g.taken[c]) gain[c] = g.state.gain(c);
    });
    std::vector<std::size_t> useful;
    for (std::size_t c = 0; c < m_candidates.size(); ++c)
        if (gain[c] > 0.0) {
            useful.push_back(c);
            g.result.cheapest_useful = std::min(g.result.cheapest_useful, m_candidates[c].cost);
        }
    const bool capacities = m_objective == RankObjective::children &&
                            std::any_of(m_candidates.begin(), m_candidates.end(), [](const RankingCandidate& c) { return c.capacity > 0.0; });
    if (capacities) {
        g.result.upper_bound = NAN;
        return;
    }
    std::sort(useful.begin(), useful.end(), [&](std::size_t a, std::size_t b) {
        const double ra = gain[a] / m_candidates[a].cost, rb = gain[b] / m_candidates[b].cost;
        return ra > rb || (ra == rb && a < b);
    });
    double room = budget, bound = g.result.gain;
    for (std::size_t c : useful) {
        const double cost = m_candidates[c].cost;
        if (cost <= room) {
            bound += gain[c];
            room -= cost;
        } else {
            bound += gain[c] * room / cost;
            break;
        }
    }
    g.result.upper_bound = bound;
}

RankingResult RankingProblem::rank_greedy(double budget, const std::vector<BudgetReserve>& reserves, bool bound) const {
    return run_greedy(Greedy(*this, budget, reserves.size()), budget, reserves, bound, false, nullptr);
}

RankingResult RankingProblem::run_greedy(Greedy base, double budget, const std::vector<BudgetReserve>& reserves, bool bound,
                                         bool seeded, std::vector<float>* final_state) const {
    if (!(budget >= 0.0) || !std::isfinite(budget))
        throw InputError(fmt::format("ranking: budget {}; expected a number >= 0", budget));
    for (std::size_t r = 0; r < reserves.size(); ++r) {
        const BudgetReserve& reserve = reserves[r];
        if (!(reserve.share >= 0.0 && reserve.share <= 1.0))
            throw InputError(fmt::format("ranking: a reserve of {} of the budget; expected a share from 0 to 1", reserve.share));
        if (!reserve.cells) throw InternalError("ranking: a reserve without its cells");
        if (!m_services.empty()) require_same_grid(m_services.front().friction->spec(), "friction", reserve.cells->spec(), "reserve");
        if (reserve.share == 0.0) continue;
        std::vector<char> only(m_cell.size());
        for (std::size_t d = 0; d < m_cell.size(); ++d) only[d] = (*reserve.cells)[m_cell[d]] != 0;
        greedy_turn(base, budget, &only, reserve.share * budget, static_cast<int>(r));
    }
    Greedy plain = base;
    greedy_turn(plain, budget, nullptr, INFINITY, -1);
    // Khuller, Moss & Naor: also start from the best single affordable site; keep the better of the two.
    const std::size_t first_free = base.result.sites.size();
    std::vector<double> gain = m_single_gain;
    if (first_free > 0 || seeded)
        parallel_for(m_candidates.size(), [&](std::size_t c) { gain[c] = base.taken[c] ? 0.0 : base.state.gain(c); });
    std::size_t best = m_candidates.size();
    for (std::size_t c = 0; c < m_candidates.size(); ++c)
        if (base.result.spent + m_candidates[c].cost <= budget && gain[c] > 0.0 &&
            (best == m_candidates.size() || gain[c] > gain[best]))
            best = c;
    Greedy* chosen = &plain;
    std::optional<Greedy> from_best;
    if (best != m_candidates.size() &&
        !(plain.result.sites.size() > first_free && plain.result.sites[first_free].candidate == best)) {
        from_best.emplace(base);
        from_best->take(best, -1);
        greedy_turn(*from_best, budget, nullptr, INFINITY, -1);
        if (from_best->result.gain > plain.result.gain) {
            from_best->result.started_from_best_single = true;
            chosen = &*from_best;
        }
    }
    if (bound) finish(*chosen, budget);
    else chosen->result.upper_bound = NAN;
    if (final_state) *final_state = chosen->state.values();
    return std::move(chosen->result);
}

std::vector<RankingResult> RankingProblem::rank_phased(const std::vector<RankingPhase>& phases, bool carry_over) const {
    // Where the phases before left off, per dense id: children objective — served by a site without a capacity
    // (all its children, however many there come to be) or how many a site with a capacity took; time_saved — the
    // best time so far. Reaches hold the cells beyond the threshold (or improvable) today, which is all a later
    // phase can gain (wide reaches: the phase's start says which), so a phase is the greedy from this state, on its
    // own children.
    std::vector<char> built(m_candidates.size(), 0), covered(m_cell.size(), 0);
    std::vector<double> taken_by_capacity(m_cell.size(), 0.0);
    std::vector<float> best_time = m_start;
    std::vector<RankingResult> out;
    double carried = 0.0;
    for (const RankingPhase& phase : phases) {
        if (!(phase.budget >= 0.0) || !std::isfinite(phase.budget))
            throw InputError(fmt::format("ranking: a phase's budget of {}; expected a number >= 0", phase.budget));
        const RankingProblem p = perturbed({}, phase.children_factor);
        const double budget = phase.budget + carried;
        Greedy g(p, budget, phase.reserves.size());
        g.taken = built;
        std::vector<float>& value = g.state.values();
        for (std::size_t d = 0; d < value.size(); ++d)
            value[d] = m_objective == RankObjective::time_saved
                           ? best_time[d]
                           : (covered[d] ? 0.0f : static_cast<float>(std::max(0.0, p.m_start[d] - taken_by_capacity[d])));
        const std::vector<float> before = value;
        std::vector<float> after;
        RankingResult r = p.run_greedy(std::move(g), budget, phase.reserves, true, !out.empty(), &after);
        for (const RankedSite& site : r.sites) {
            built[site.candidate] = 1;
            if (m_objective == RankObjective::children && m_candidates[site.candidate].capacity <= 0.0)
                for (const ReachedCell& c : (*m_reach)[site.candidate])
                    if (c.minutes <= m_limit[site.candidate]) covered[c.cell] = 1;
        }
        for (std::size_t d = 0; d < after.size(); ++d) {
            if (m_objective == RankObjective::time_saved) best_time[d] = after[d];
            else if (!covered[d]) taken_by_capacity[d] += std::max(0.0f, before[d] - after[d]);
        }
        carried = carry_over ? budget - r.spent : 0.0;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace accessplan
