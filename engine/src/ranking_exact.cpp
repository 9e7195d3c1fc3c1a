// The exact ranking: a budgeted maximum-coverage (objective children) or budgeted p-median-style (time_saved)
// integer program solved by branch and cut (COIN-OR CBC by default, or GLPK), for small instances, so the greedy's gap can be measured.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <coin/Cbc_C_Interface.h>
#include <glpk.h>

#include "accessplan/engine/ranking.hpp"
#include "ranking_state.hpp"

namespace accessplan {
namespace {

/// An integer program, solver-neutral: columns with bounds, objective and kind; rows bounded above; the matrix as
/// triplets (0-based). Maximised.
struct Program {
    std::vector<double> col_lo, col_hi, obj;
    std::vector<char> binary;
    std::vector<double> row_hi;
    std::vector<int> ti, tj;
    std::vector<double> tv;
    int col(double lo, double hi, double objective, bool is_binary) {
        col_lo.push_back(is_binary ? 0.0 : lo);
        col_hi.push_back(is_binary ? 1.0 : hi);
        obj.push_back(objective);
        binary.push_back(is_binary ? 1 : 0);
        return static_cast<int>(obj.size() - 1);
    }
    int row_upper(double hi) {
        row_hi.push_back(hi);
        return static_cast<int>(row_hi.size() - 1);
    }
    void at(int i, int j, double v) {
        ti.push_back(i);
        tj.push_back(j);
        tv.push_back(v);
    }
};

struct Solution {
    bool found = false, optimal = false, stopped = false;
    double objective = 0.0, bound = INFINITY;  ///< bound: no solution is better (INFINITY: not known)
    std::vector<double> x;
};

/// GLPK's branch and cut watch: stops it at a wall-clock limit (GLPK's tm_lim counts its own time, not the clock's),
/// and keeps the best bound of the open subproblems, so that a stopped search says how far from the optimum it is.
struct Watch {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double limit_s = 120.0;
    double bound = INFINITY;
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

using GlpkProblem = std::unique_ptr<glp_prob, void (*)(glp_prob*)>;

GlpkProblem to_glpk(const Program& m) {
    glp_term_out(GLP_OFF);
    GlpkProblem lp(glp_create_prob(), glp_delete_prob);
    glp_set_obj_dir(lp.get(), GLP_MAX);
    glp_add_cols(lp.get(), static_cast<int>(m.obj.size()));
    for (std::size_t j = 0; j < m.obj.size(); ++j) {
        const int c = static_cast<int>(j) + 1;
        if (m.binary[j]) glp_set_col_kind(lp.get(), c, GLP_BV);
        else glp_set_col_bnds(lp.get(), c, m.col_hi[j] > m.col_lo[j] ? GLP_DB : GLP_FX, m.col_lo[j], m.col_hi[j]);
        glp_set_obj_coef(lp.get(), c, m.obj[j]);
    }
    glp_add_rows(lp.get(), static_cast<int>(m.row_hi.size()));
    for (std::size_t i = 0; i < m.row_hi.size(); ++i) glp_set_row_bnds(lp.get(), static_cast<int>(i) + 1, GLP_UP, 0.0, m.row_hi[i]);
    std::vector<int> ia{0}, ja{0};
    std::vector<double> ar{0.0};
    for (std::size_t k = 0; k < m.tv.size(); ++k) {
        ia.push_back(m.ti[k] + 1);
        ja.push_back(m.tj[k] + 1);
        ar.push_back(m.tv[k]);
    }
    glp_load_matrix(lp.get(), static_cast<int>(ia.size() - 1), ia.data(), ja.data(), ar.data());
    return lp;
}

/// The program in CPLEX LP format (GLPK writes it), for another solver to be measured on.
void write_program(const Program& m, const std::string& file) {
    if (glp_write_lp(to_glpk(m).get(), nullptr, file.c_str()) != 0)
        throw InputError(fmt::format("ranking: could not write the integer program to {}", file));
}

Solution solve_glpk(const Program& m, double limit_s) {
    GlpkProblem lp = to_glpk(m);
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.tm_lim = static_cast<int>(std::min(limit_s, 2.0e6) * 1000.0);
    Watch w;
    w.limit_s = limit_s;
    parm.cb_func = watch;
    parm.cb_info = &w;
    const int rc = glp_intopt(lp.get(), &parm);
    const int status = glp_mip_status(lp.get());
    Solution out;
    out.stopped = rc == GLP_ETMLIM || rc == GLP_ESTOP;
    if ((rc != 0 && !out.stopped) || (!out.stopped && status != GLP_OPT && status != GLP_FEAS))
        throw InternalError(fmt::format("ranking: GLPK failed (code {}, status {})", rc, status));
    out.found = status == GLP_OPT || status == GLP_FEAS;
    out.optimal = status == GLP_OPT;
    out.bound = w.bound;
    if (out.found) {
        out.objective = glp_mip_obj_val(lp.get());
        for (std::size_t j = 0; j < m.obj.size(); ++j) out.x.push_back(glp_mip_col_val(lp.get(), static_cast<int>(j) + 1));
    }
    if (out.optimal) out.bound = out.objective;
    return out;
}

Solution solve_cbc(const Program& m, double limit_s) {
    std::unique_ptr<Cbc_Model, void (*)(Cbc_Model*)> model(Cbc_newModel(), Cbc_deleteModel);
    // Column-major matrix from the triplets.
    const std::size_t n = m.obj.size();
    std::vector<CoinBigIndex> start(n + 1, 0);
    for (int j : m.tj) ++start[static_cast<std::size_t>(j) + 1];
    for (std::size_t j = 0; j < n; ++j) start[j + 1] += start[j];
    std::vector<int> index(m.tv.size());
    std::vector<double> value(m.tv.size());
    std::vector<CoinBigIndex> fill(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < m.tv.size(); ++k) {
        const auto at = static_cast<std::size_t>(fill[static_cast<std::size_t>(m.tj[k])]++);
        index[at] = m.ti[k];
        value[at] = m.tv[k];
    }
    const std::vector<double> row_lo(m.row_hi.size(), -std::numeric_limits<double>::max());  // no lower bound
    Cbc_loadProblem(model.get(), static_cast<int>(n), static_cast<int>(m.row_hi.size()), start.data(), index.data(), value.data(),
                    m.col_lo.data(), m.col_hi.data(), m.obj.data(), row_lo.data(), m.row_hi.data());
    for (std::size_t j = 0; j < n; ++j)
        if (m.binary[j]) Cbc_setInteger(model.get(), static_cast<int>(j));
    Cbc_setObjSense(model.get(), -1.0);  // maximise
    Cbc_setLogLevel(model.get(), 0);
    Cbc_setParameter(model.get(), "timeMode", "elapsed");  // a wall-clock limit, not CPU time
    Cbc_setMaximumSeconds(model.get(), limit_s);
    const int rc = Cbc_solve(model.get());
    Solution out;
    const int status = Cbc_status(model.get());
    out.stopped = status == 1 && Cbc_isSecondsLimitReached(model.get());
    if (status == 2 || rc < 0) throw InternalError(fmt::format("ranking: CBC failed (code {}, status {})", rc, status));
    const double* best = Cbc_bestSolution(model.get());
    out.found = best != nullptr;
    out.optimal = Cbc_isProvenOptimal(model.get()) != 0;
    if (out.found) {
        out.x.assign(best, best + n);
        out.objective = 0.0;
        for (std::size_t j = 0; j < n; ++j) out.objective += m.obj[j] * out.x[j];
    }
    // CBC minimises internally: its best possible value may come in either sign for a maximisation; every objective
    // here is >= 0, so its magnitude is the bound.
    const double bound = std::abs(Cbc_getBestPossibleObjValue(model.get()));
    if (out.optimal) out.bound = out.objective;
    else if (std::isfinite(bound) && bound < 1e30) out.bound = bound;
    return out;
}

}  // namespace

RankingResult RankingProblem::rank_exact(double budget, std::size_t max_candidates, double time_limit_s,
                                         const std::string& write_lp, ExactSolver solver) const {
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
    Program lp;
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
            for (const ReachedCell& r : (*m_reach)[c])
                if (r.minutes <= m_limit[c]) reached_by[r.cell].push_back(static_cast<std::uint32_t>(c));
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
                if (r.minutes > m_limit[c]) continue;
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
    const auto start = std::chrono::steady_clock::now();
    if (!write_lp.empty()) write_program(lp, write_lp);
    Solution solution = solver == ExactSolver::glpk ? solve_glpk(lp, time_limit_s) : solve_cbc(lp, time_limit_s);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // A solver can run out of time before its own check says so (CBC in its preprocessing on a busy machine, with a
    // limit of a fraction of a second): past the limit with no solution is a stop, not a failure.
    if (!solution.found && !solution.stopped && elapsed >= time_limit_s) solution.stopped = true;
    if (!solution.found) {  // no integer solution in time: the caller ranks with the greedy
        if (!solution.stopped) throw InternalError("ranking: the integer program has no solution (taking no site always is one)");
        RankingResult none;
        none.budget = budget;
        none.solved = false;
        none.upper_bound = std::isfinite(solution.bound) ? solution.bound : NAN;  // the search's bound, when it got that far
        none.stopped_after_s = elapsed;
        return none;
    }

    std::vector<std::size_t> chosen;
    for (std::size_t c = 0; c < n; ++c)
        if (solution.x[static_cast<std::size_t>(x[c])] > 0.5) chosen.push_back(c);
    // Order the chosen sites as the greedy would, for a ranking that reads the same way.
    Greedy g(*this, budget, 0);
    g.result.proven_optimal = solution.optimal;
    g.result.exact_bound = solution.objective;
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
    else if (std::isfinite(solution.bound))
        g.result.upper_bound = std::isfinite(g.result.upper_bound) ? std::min(g.result.upper_bound, solution.bound) : solution.bound;
    g.result.stopped_after_s = solution.stopped ? elapsed : 0.0;
    return std::move(g.result);
}

}  // namespace accessplan
