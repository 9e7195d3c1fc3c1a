#pragma once
// The greedy's state, shared by ranking.cpp and ranking_exact.cpp (private to the engine).

#include <algorithm>
#include <cmath>

#include "accessplan/engine/ranking.hpp"

namespace accessplan {

// The mutable part of a ranking: per reachable cell (dense index over all reaches), the children not yet served
// (objective children) or the best time so far, capped (time_saved).
class RankingProblem::State {
public:
    explicit State(const RankingProblem& p) : m_p(p), m_value(p.m_start) {}

    double gain(std::size_t c) const {
        const Catchment& reach = (*m_p.m_reach)[c];
        double g = 0.0;
        if (m_p.m_objective == RankObjective::time_saved) {
            for (const ReachedCell& r : reach)
                if (r.minutes < m_value[r.cell]) g += m_p.m_demand[r.cell] * (m_value[r.cell] - r.minutes);
            return g;
        }
        const double capacity = m_p.m_candidates[c].capacity;
        const float limit = m_p.m_limit[c];  // (infinite unless the reaches are wide: speeds drawn)
        if (capacity <= 0.0) {
            for (const ReachedCell& r : reach) {  // nearest first
                if (r.minutes > limit) break;
                g += m_p.m_weight[r.cell] * m_value[r.cell];
            }
            return g;
        }
        double left = capacity;
        for (const ReachedCell& r : reach) {  // heaviest-weighted, then nearest children first, until the capacity is used
            if (left <= 0.0) break;
            if (r.minutes > limit) continue;
            const double take = std::min<double>(left, m_value[r.cell]);
            g += m_p.m_weight[r.cell] * take;
            left -= take;
        }
        return g;
    }

    /// What apply(c) would count as children, and how many of them live in cells marked in `only` (per dense id).
    std::pair<double, double> children_split(std::size_t c, const std::vector<char>& only) const {
        double all = 0.0, in = 0.0;
        served(c, [&](std::uint32_t d, double children, double, float) {
            all += children;
            if (only[d]) in += children;
        });
        return {all, in};
    }

    /// Per dense id: children not yet served (children) / the best capped time so far (time_saved).
    std::vector<float>& values() noexcept { return m_value; }

    RankedSite apply(std::size_t c) {
        RankedSite site;
        site.candidate = c;
        const bool time_saved = m_p.m_objective == RankObjective::time_saved;
        served(c, [&](std::uint32_t d, double children, double saved, float after) {
            site.gain += time_saved ? m_p.m_demand[d] * saved : m_p.m_weight[d] * children;
            site.children += children;
            if (time_saved) site.minutes_saved += children * saved;
            site.cells.emplace_back(m_p.m_cell[d], static_cast<float>(children));
            m_value[d] = after;
        });
        return site;
    }

private:
    /// The cells c would serve now, each once: visit(dense id, children, minutes saved (time_saved; else 0), the cell's
    /// value after the pick). For `children`, a capacity takes the heaviest-weighted, then nearest children first until
    /// it is used.
    template <class Visit>
    void served(std::size_t c, Visit visit) const {
        const Catchment& reach = (*m_p.m_reach)[c];
        if (m_p.m_objective == RankObjective::time_saved) {
            for (const ReachedCell& r : reach)
                if (r.minutes < m_value[r.cell])
                    visit(r.cell, static_cast<double>(m_p.m_children[r.cell]), m_value[r.cell] - r.minutes, r.minutes);
            return;
        }
        const double capacity = m_p.m_candidates[c].capacity;
        const float limit = m_p.m_limit[c];
        double left = capacity > 0.0 ? capacity : INFINITY;
        for (const ReachedCell& r : reach) {
            if (left <= 0.0) break;
            if (r.minutes > limit) continue;
            const float have = m_value[r.cell];
            if (!(have > 0.0f)) continue;
            const double take = std::min<double>(left, have);
            left -= take;
            visit(r.cell, take, 0.0, take >= have ? 0.0f : static_cast<float>(have - take));
        }
    }

    const RankingProblem& m_p;
    std::vector<float> m_value;
};

/// A greedy in progress: the state, the picks so far and which candidates are taken. Copied to try a second start.
struct RankingProblem::Greedy {
    Greedy(const RankingProblem& p, double budget, std::size_t reserves) : problem(&p), state(p), taken(p.m_candidates.size(), 0) {
        result.budget = budget;
        result.reserve_spent.assign(reserves, 0.0);
        result.reserve_short_of_money.assign(reserves, 0);
    }
    void take(std::size_t c, int reserve) {
        const double cost = problem->m_candidates[c].cost;
        RankedSite site = state.apply(c);
        site.reserve = reserve;
        result.spent += cost;
        result.gain += site.gain;
        result.children += site.children;
        if (reserve >= 0) result.reserve_spent[static_cast<std::size_t>(reserve)] += cost;
        result.sites.push_back(std::move(site));
        taken[c] = 1;
    }
    const RankingProblem* problem;
    State state;
    RankingResult result;
    std::vector<char> taken;
};

}  // namespace accessplan
