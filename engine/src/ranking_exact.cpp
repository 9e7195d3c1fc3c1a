// The exact ranking: a budgeted maximum-coverage (objective children) or budgeted p-median-style (time_saved)
// integer program solved with GLPK's branch and cut, for small instances, so the greedy's gap can be measured.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <glpk.h>

#include "accessplan/engine/ranking.hpp"
#include "ranking_state.hpp"

namespace accessplan {
namespace {

struct Lp {
    glp_prob* p = glp_create_prob();
    std::vector<int> ia{0}, ja{0};
    std::vector<double> ar{0.0};
    ~Lp() { glp_delete_prob(p); }
    int col(double lo, double hi, double obj, bool binary) {
        const int j = glp_add_cols(p, 1);
        if (binary) glp_set_col_kind(p, j, GLP_BV);
        else glp_set_col_bnds(p, j, hi > lo ? GLP_DB : GLP_FX, lo, hi);
        glp_set_obj_coef(p, j, obj);
        return j;
    }
    int row_upper(double hi) {
        const int i = glp_add_rows(p, 1);
        glp_set_row_bnds(p, i, GLP_UP, 0.0, hi);
        return i;
    }
    void at(int i, int j, double v) {
        ia.push_back(i);
        ja.push_back(j);
        ar.push_back(v);
    }
};

/// The branch and cut's watch: stops it at a wall-clock limit (GLPK's tm_lim counts its own time, not the clock's),
/// and keeps the best bound of the open subproblems, so that a stopped search says how far from the optimum it is.
struct Watch {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double limit_s = 120.0;
    double bound = INFINITY;  ///< the best bound of the open subproblems (maximisation), once the search has one
    bool stopped = false;
};

void watch(glp_tree* tree, void* info) {
    auto& w = *static_cast<Watch*>(info);
    if (glp_ios_reason(tree) == GLP_ISELECT || glp_ios_reason(tree) == GLP_IBINGO || glp_ios_reason(tree) == GLP_IHEUR) {
        if (const int node = glp_ios_best_node(tree); node != 0) w.bound = glp_ios_node_bound(tree, node);
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - w.start).count();
    if (elapsed > w.limit_s) {
        w.stopped = true;
        glp_ios_terminate(tree);
    }
}

}  // namespace

RankingResult RankingProblem::rank_exact(double budget, std::size_t max_candidates, double time_limit_s,
                                         const std::string& write_lp) const {
    if (!(budget >= 0.0) || !std::isfinite(budget))
        throw InputError(fmt::format("ranking: budget {}; expected a number >= 0", budget));
    if (m_candidates.size() > max_candidates)
        throw InputError(fmt::format("ranking: the exact solver takes up to {} candidates and there are {}; rank with the "
                                     "greedy (drop --exact) or narrow the candidates", max_candidates, m_candidates.size()));
    if (m_candidates.empty()) {
        RankingResult none;
        none.budget = budget;
        none.proven_optimal = true;
        return none;
    }
    glp_term_out(GLP_OFF);
    Lp lp;
    glp_set_obj_dir(lp.p, GLP_MAX);
    const std::size_t n = m_candidates.size();
    std::vector<int> x(n);
    const int budget_row = lp.row_upper(budget);
    for (std::size_t c = 0; c < n; ++c) {
        x[c] = lp.col(0.0, 1.0, 0.0, true);
        lp.at(budget_row, x[c], m_candidates[c].cost);
    }
    const bool capacities = std::any_of(m_candidates.begin(), m_candidates.end(), [](const auto& c) { return c.capacity > 0.0; });
    if (m_objective == RankObjective::children && !capacities) {
        // y_g <= sum of x_c over the candidates reaching group g; maximise sum w_d P_d y_g. Cells reached by the same
        // candidates form one group (one row, one column): the same optimum from far fewer rows.
        std::vector<std::vector<std::uint32_t>> reached_by(m_cell.size());
        for (std::size_t c = 0; c < n; ++c)
            for (const ReachedCell& r : (*m_reach)[c]) reached_by[r.cell].push_back(static_cast<std::uint32_t>(c));
        std::map<std::vector<std::uint32_t>, double> groups;
        for (std::size_t d = 0; d < m_cell.size(); ++d)
            if (!reached_by[d].empty()) groups[std::move(reached_by[d])] += m_weight[d] * static_cast<double>(m_start[d]);
        for (const auto& [by, value] : groups) {
            const int row = lp.row_upper(0.0);
            lp.at(row, lp.col(0.0, 1.0, value, false), 1.0);
            for (std::uint32_t c : by) lp.at(row, x[c], -1.0);
        }
    } else {
        // a_cd: children of cell d served by c (children) or the share of d's children moving to c (time_saved).
        std::vector<int> cell_row(m_cell.size(), 0);
        for (std::size_t c = 0; c < n; ++c) {
            const bool capped = m_objective == RankObjective::children && m_candidates[c].capacity > 0.0;
            const int cap_row = capped ? lp.row_upper(0.0) : 0;
            if (capped) lp.at(cap_row, x[c], -m_candidates[c].capacity);
            for (const ReachedCell& r : (*m_reach)[c]) {
                const double hi = m_objective == RankObjective::children ? m_start[r.cell] : 1.0;
                const double value = m_objective == RankObjective::children
                                         ? m_weight[r.cell]
                                         : m_demand[r.cell] * (static_cast<double>(m_start[r.cell]) - r.minutes);
                const int a = lp.col(0.0, hi, value, false);
                if (cell_row[r.cell] == 0) cell_row[r.cell] = lp.row_upper(hi);
                lp.at(cell_row[r.cell], a, 1.0);
                if (capped) {
                    lp.at(cap_row, a, 1.0);
                } else {
                    const int link = lp.row_upper(0.0);  // a_cd <= hi x_c
                    lp.at(link, a, 1.0);
                    lp.at(link, x[c], -hi);
                }
            }
        }
    }
    glp_load_matrix(lp.p, static_cast<int>(lp.ia.size() - 1), lp.ia.data(), lp.ja.data(), lp.ar.data());
    if (!write_lp.empty() && glp_write_lp(lp.p, nullptr, write_lp.c_str()) != 0)
        throw InputError(fmt::format("ranking: could not write the integer program to {}", write_lp));
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.tm_lim = static_cast<int>(std::min(time_limit_s, 2.0e6) * 1000.0);
    Watch w;
    w.limit_s = time_limit_s;
    parm.cb_func = watch;
    parm.cb_info = &w;
    const int rc = glp_intopt(lp.p, &parm);
    const int status = glp_mip_status(lp.p);
    const bool stopped = rc == GLP_ETMLIM || rc == GLP_ESTOP;
    if (stopped && status != GLP_OPT && status != GLP_FEAS) {  // no integer solution in time: the caller decides
        RankingResult none;
        none.budget = budget;
        none.solved = false;
        none.upper_bound = std::isfinite(w.bound) ? w.bound : NAN;  // the search's bound, when it got that far
        none.stopped_after_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w.start).count();
        return none;
    }
    if ((rc != 0 && !stopped) || (status != GLP_OPT && status != GLP_FEAS))
        throw InternalError(fmt::format("ranking: GLPK failed (code {}, status {})", rc, status));

    std::vector<std::size_t> chosen;
    for (std::size_t c = 0; c < n; ++c)
        if (glp_mip_col_val(lp.p, x[c]) > 0.5) chosen.push_back(c);
    // Order the chosen sites as the greedy would, for a ranking that reads the same way.
    Greedy g(*this, budget, 0);
    g.result.proven_optimal = status == GLP_OPT;
    g.result.exact_bound = glp_mip_obj_val(lp.p);
    while (!chosen.empty()) {
        std::size_t best = 0;
        double best_ratio = -1.0;
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            const double ratio = g.state.gain(chosen[k]) / m_candidates[chosen[k]].cost;
            if (ratio > best_ratio) {
                best_ratio = ratio;
                best = k;
            }
        }
        g.take(chosen[best], -1);
        chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(best));
    }
    finish(g, budget);
    if (g.result.proven_optimal) g.result.upper_bound = g.result.exact_bound;
    else if (std::isfinite(w.bound)) g.result.upper_bound = std::isfinite(g.result.upper_bound) ? std::min(g.result.upper_bound, w.bound) : w.bound;
    g.result.stopped_after_s = stopped ? std::chrono::duration<double>(std::chrono::steady_clock::now() - w.start).count() : 0.0;
    return std::move(g.result);
}

}  // namespace accessplan
