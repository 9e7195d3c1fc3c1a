#pragma once
// Ranking candidate investments under a budget shared across services.
//
// Every candidate site (a new school, health station, playground or pool at a place, with a cost) is worth the
// weighted children it newly brings within its service's threshold (objective `children`), or the weighted
// child-minutes it saves (objective `time_saved`, p-median style with times capped). Weights come per cell (equity
// by area class, drowning exposure for pools). Only improvements over the current travel times count.
//
// The catchment of each candidate is one bounded search, computed once in parallel and kept (only the populated
// cells the candidate improves); any budget is then ranked from it. Ranking is the lazy greedy on marginal gain per
// cost with Khuller, Moss & Naor's (1999) best-single-site safeguard: the better of (a) greedy from nothing and
// (b) the best affordable single site followed by greedy, which is within (1 - 1/e)/2 of the optimum. After a pick,
// only the cells in that site's reach change. An exact integer program (CBC, or GLPK) solves small instances so that the
// greedy's gap is measured, not assumed. Every greedy result carries an upper bound on the optimum (Leskovec et al.
// 2007: the value reached plus the best fractional knapsack of the candidates' remaining gains), so its gap is known
// on any instance. A share of the budget can be reserved for sites whose new children mostly live in given areas.

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "accessplan/engine/travel_time.hpp"

namespace accessplan {

enum class RankObjective { children, time_saved };

const char* to_string(RankObjective objective) noexcept;

/// One service's demand. The grids must share one grid and outlive the problem.
struct RankingService {
    std::string name;
    double threshold_min = 30.0;
    const Grid<float>* children = nullptr;         ///< target group per cell
    const Grid<float>* current_minutes = nullptr;  ///< travel time to the nearest existing facility (inf = none)
    const Grid<float>* weight = nullptr;           ///< weight per cell (>= 0); nullptr = 1 everywhere
    const Grid<float>* friction = nullptr;         ///< the service's travel mode, for the candidates' catchments
    TravelTimeOptions travel;                      ///< max_minutes is set by the ranking
    /// Draws may scale this service's travel speeds by a factor within 1 ± speed_spread (every speed alike, so every
    /// time, today's too, divides by it): the reaches are then searched to threshold x (1 + spread), and kept for
    /// cells beyond threshold x (1 - spread) today, so that a draw filters them instead of searching again.
    /// Objective children only; 0 = speeds are not drawn.
    double speed_spread = 0.0;
};

struct RankingCandidate {
    std::size_t service = 0;  ///< index into the services
    std::size_t cell = 0;     ///< a passable cell
    double cost = 0.0;        ///< > 0
    /// Children it can serve; 0 = no limit (objective `children` only). It serves the highest-weighted children in
    /// its reach first, nearest first among equals.
    double capacity = 0.0;
};

/// A share of a budget kept for sites whose newly reached children mostly (at least half of them, and at least one
/// child) live in given cells (island, border or remote areas, say): those sites are picked first, by gain per cost,
/// until the ones picked so cost at least `share` of the budget or none is left that fits.
struct BudgetReserve {
    double share = 0.0;                         ///< of the budget, 0..1
    const Grid<std::uint8_t>* cells = nullptr;  ///< non-zero = in the reserved areas (the services' grid)
};

/// One selected site, in pick order.
struct RankedSite {
    std::size_t candidate = 0;
    double gain = 0.0;           ///< weighted: children (objective children) or child-minutes (time_saved)
    double children = 0.0;       ///< children newly within the threshold (children) / whose time improves (time_saved)
    double minutes_saved = 0.0;  ///< children x minutes saved, unweighted (time_saved; 0 for children)
    /// Where the gain is: (cell, children newly served or improved), for breakdowns by area class and zone.
    std::vector<std::pair<std::uint32_t, float>> cells;
    int reserve = -1;  ///< the reserve (index) whose turn picked it; -1: picked on merit alone
};

struct RankingResult {
    std::vector<RankedSite> sites;
    double budget = 0.0;
    double spent = 0.0;
    double gain = 0.0;
    double children = 0.0;
    /// Greedy: true when the best-single-site start (b) beat plain greedy (a).
    bool started_from_best_single = false;
    /// Exact: true when the solver proved optimality; otherwise the best solution found within the time limit.
    bool proven_optimal = false;
    double exact_bound = 0.0;  ///< exact: the solver's objective (the optimum when proven_optimal)
    /// Exact: false when the solver found no solution within its time limit (then no sites, and upper_bound the
    /// search's bound when it has one, else NaN; rank with the greedy).
    bool solved = true;
    /// Exact: the wall-clock seconds after which the solver was stopped at its limit (0: it finished). Then
    /// upper_bound is the best of the open subproblems' bound and the data-dependent bound.
    double stopped_after_s = 0.0;
    /// No choice within the budget gains more than this (greedy: the data-dependent bound; exact: the solver's bound
    /// when proven, else the same data-dependent bound).
    double upper_bound = 0.0;
    /// Per reserve: what the sites picked in its turn cost.
    std::vector<double> reserve_spent;
    /// Per reserve left short of its share: 1 when a site that would count is left but does not fit the budget, 0
    /// when none is left (every such site taken, or none reaches at least one child there).
    std::vector<char> reserve_short_of_money;
    /// The cheapest site not picked that would still gain something (+inf: none would): why money is left.
    double cheapest_useful = INFINITY;
};

/// The solver of the exact ranking: COIN-OR CBC (the default: far faster on the ranking's programs, bench/RESULTS.md
/// "The exact solver") or GLPK.
enum class ExactSolver { cbc, glpk };

/// One phase (a year) of a plan ranked in phases (RankingProblem::rank_phased).
struct RankingPhase {
    double budget = 0.0;                           ///< the phase's own money (with carry_over, what earlier phases left adds to it)
    const Grid<float>* children_factor = nullptr;  ///< children in this phase = the problem's x factor per cell (nullptr: 1)
    std::vector<BudgetReserve> reserves;           ///< shares of the money the phase has
};

class RankingProblem {
public:
    /// Computes every candidate's reach (in parallel) and the starting state. InputError for a candidate with a
    /// non-positive or non-finite cost, a negative capacity, an unknown service or a cell outside the grid.
    RankingProblem(std::vector<RankingService> services, std::vector<RankingCandidate> candidates,
                   RankObjective objective = RankObjective::children, double time_cap_min = 120.0);

    /// Lazy greedy with the best-single-site safeguard. Budget < 0 is an InputError; a budget below the cheapest
    /// candidate gives an empty ranking. Reserves take their turns first, in order; then every site competes (with
    /// the safeguard) for what is left.
    /// `bound` false skips the upper bound and cheapest_useful (NaN / +inf): what uncertainty draws need.
    RankingResult rank_greedy(double budget, const std::vector<BudgetReserve>& reserves = {}, bool bound = true) const;

    /// The optimum by integer programming (CBC or GLPK, branch and cut), the sites ordered by greedy within the chosen set.
    /// InputError above `max_candidates` candidates; stops at `time_limit_s` of wall-clock time with the best
    /// solution found (none: `solved` false) and the bound of the search so far. Cells reached by the same candidates
    /// share one row of the program.
    /// `write_lp`: also write the program there (CPLEX LP format), for another solver to be measured on it.
    RankingResult rank_exact(double budget, std::size_t max_candidates = 500, double time_limit_s = 120.0,
                             const std::string& write_lp = "", ExactSolver solver = ExactSolver::cbc) const;

    /// The same problem with other costs (one per candidate; empty = the same) and children multiplied per grid cell
    /// by `children_factor` (nullptr = the same): the reaches are shared, not searched again, so an uncertainty draw
    /// costs a greedy, not a search. Factors must be finite and >= 0, costs > 0.
    RankingProblem perturbed(const std::vector<double>& costs, const Grid<float>* children_factor) const;

    /// The same, with each service's speeds multiplied by `speed_factor[k]` (empty = 1; within 1 ± its
    /// speed_spread): a cell counts for a site when the site's time / factor is within the threshold and today's
    /// time / factor is not — the wide reaches filtered, no search. Equals a problem built from scratch with every
    /// time divided by the factor (tested).
    RankingProblem perturbed(const std::vector<double>& costs, const Grid<float>* children_factor,
                             const std::vector<double>& speed_factor) const;

    /// A plan in phases (years): each phase is the greedy (reserves first, then merit with the safeguard) starting
    /// where the phases before it left off — their sites built (no longer candidates; the children they reach served,
    /// however many there come to be, or as many as a capacity takes) — on the phase's own children. With
    /// `carry_over`, money a phase leaves adds to the next. One result per phase (its budget: the money it had), with
    /// its bound. Equals a greedy on a problem whose current travel times include the earlier phases' sites (tested).
    std::vector<RankingResult> rank_phased(const std::vector<RankingPhase>& phases, bool carry_over) const;

    /// The value of a set of candidates (in that order), as the greedy counts it.
    double value_of(const std::vector<std::size_t>& chosen) const;

    const std::vector<RankingCandidate>& candidates() const noexcept { return m_candidates; }
    const std::vector<RankingService>& services() const noexcept { return m_services; }
    RankObjective objective() const noexcept { return m_objective; }
    /// Cells kept in all reaches (memory: 8 bytes each).
    std::size_t reach_cells() const noexcept;
    /// Bytes the problem holds: its reaches and per-cell and per-candidate state (the memory guard).
    std::size_t memory_bytes() const noexcept;
    /// Of memory_bytes(), the reaches, which the problem shares with its perturbed copies and the problem they came from.
    std::size_t shared_bytes() const noexcept;
    /// Gain of each candidate on its own, before any pick.
    const std::vector<double>& single_gains() const noexcept { return m_single_gain; }

private:
    RankingProblem() = default;
    class State;
    struct Greedy;
    /// One turn of the lazy greedy from `g`: picks while a site fits the budget; with `only` (per dense id), only
    /// sites whose new children are mostly there, until the turn's picks cost `until`.
    void greedy_turn(Greedy& g, double budget, const std::vector<char>* only, double until, int reserve) const;
    /// The greedy from `base` (reserves' turns, then merit with the best-single safeguard). `seeded`: base's state is
    /// not the problem's start (a later phase), so single gains are evaluated from it. `final_state`: the chosen
    /// greedy's state values at the end.
    RankingResult run_greedy(Greedy base, double budget, const std::vector<BudgetReserve>& reserves, bool bound, bool seeded,
                             std::vector<float>* final_state) const;
    /// With wide reaches: each candidate's limit (its service's threshold x the speed factor) and the start state
    /// (cells within the threshold today at that factor start served) for the factors (empty: 1).
    void at_speeds(const std::vector<double>& speed_factor);
    /// The bound and the cheapest useful site left, from the final state.
    void finish(Greedy& g, double budget) const;
    /// Whether c, picked now, would newly reach at least one child in `only` and at least half of its children there.
    bool serves_mostly(const Greedy& g, std::size_t c, const std::vector<char>& only) const;

    std::vector<RankingService> m_services;
    std::vector<RankingCandidate> m_candidates;
    RankObjective m_objective = RankObjective::children;
    double m_time_cap = 120.0;
    /// Per candidate, the populated cells it improves, nearest first (ties by cell; with a capacity: by weight,
    /// then nearest): (dense id, minutes from the site). Dense ids number the cells of all reaches (per service), so the state is as small as the reaches.
    std::shared_ptr<std::vector<Catchment>> m_reach;  ///< shared by the perturbed copies of a problem
    /// With a speed_spread, the reaches are wide (searched and kept for any speed factor within the spread): a site
    /// counts only the cells of its reach within m_limit (its threshold x the factor), and cells within it today at
    /// that factor start served; without, every cell of a reach counts (m_limit infinite).
    bool m_wide = false;
    std::vector<float> m_limit;                 ///< per candidate: the minutes of its reach that count
    std::vector<float> m_now;                   ///< with m_wide, per dense id: today's travel time to the cell
    std::vector<std::uint16_t> m_dense_service; ///< with m_wide, per dense id: its service
    std::vector<std::uint32_t> m_cell;  ///< per dense id: the grid cell
    std::vector<float> m_children;      ///< per dense id: children in the cell
    std::vector<float> m_weight;        ///< per dense id: the cell's weight
    std::vector<double> m_demand;       ///< per dense id: weight x children
    std::vector<float> m_start;         ///< per dense id: unserved children (children) / capped time now (time_saved)
    std::vector<double> m_single_gain;
};

}  // namespace accessplan
