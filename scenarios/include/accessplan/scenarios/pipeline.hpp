#pragma once
// One pass of a scenario (DESIGN.md "Data flow"): inputs onto the analysis grid, friction per travel mode, travel
// time per service (in parallel), children per target group, and the summary tables and rasters.

#include <array>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/gaps.hpp"
#include "accessplan/engine/zonal.hpp"
#include "accessplan/engine/grid.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "accessplan/scenarios/scenario.hpp"

namespace accessplan::scenarios {

struct FacilityPlacement {
    std::int32_t id = 0;
    std::string name, type, status;  ///< status: on_cell, moved, outside_grid, no_passable, flooded
    double moved_m = 0.0;
    std::string service;
    std::size_t point_index = 0;  ///< position in the facility file (as read)
};

struct ServiceResult {
    std::string service, target_group, mode;
    double threshold_min = 0.0;
    std::size_t facilities = 0;   ///< of the service's types, in the file
    std::size_t placed = 0;       ///< on the grid and reachable from somewhere
    AccessSummary access;         ///< all children
    /// The same by area class: island, border, remote, none (a cell may carry several flags).
    std::vector<std::pair<std::string, AccessSummary>> by_class;
    std::vector<GapCluster> gaps;  ///< ranked clusters of children beyond the threshold
    double e2sfca_per_1000 = 0.0;  ///< children-weighted mean E2SFCA accessibility (supply per 1,000 children)
    /// Capacity coverage (when every facility of the service has a capacity): children covered / not covered.
    std::optional<double> covered, not_covered;
    struct Load {
        std::int32_t id;
        std::string name;
        double capacity, load;
    };
    std::vector<Load> loads;  ///< in processing order
};

struct ZoneResult {
    std::string code, name;
    std::vector<ZoneAccess> per_service;  ///< in the order of RunResult::services
};

/// One ranked site, as written to ranking.csv and the `ranking` layer.
struct RankingRow {
    int rank = 0;
    std::string id, name, service, origin;  ///< origin: file, gap_centre, lattice, school
    double x = 0.0, y = 0.0, lon = 0.0, lat = 0.0;
    double cost = 0.0, capacity = 0.0;
    double gain = 0.0;      ///< weighted children (or weighted child-minutes for time_saved)
    double children = 0.0;  ///< children newly within the threshold (time_saved: whose time improves)
    double minutes_saved = 0.0;
    double island = 0.0, border = 0.0, remote = 0.0, near_water = 0.0;  ///< of `children`
    double cumulative_cost = 0.0, cumulative_children = 0.0, cumulative_gain = 0.0;
    std::string zone;       ///< the zone holding most of its children (when zones are set): its name
    std::string zone_code;  ///< and its code
    std::string reason;  ///< one line for the budget officer
    std::string programme;  ///< the programme paying for it ("all" with one budget)
    std::string picked_for;  ///< the areas of the min_share whose turn picked it ("" = picked on merit alone)
    double funded_share = NAN;  ///< with uncertainty draws: the share of draws that fund it
    /// Another funded site of its service within ranking.near_m: "<id> (<distance> m)"; "" = none.
    std::string near_funded;
};

/// The share of a programme's budget kept for sites whose new children mostly live in given areas (min_share).
struct ReserveReport {
    std::string areas;  ///< island, border, remote or island_border_remote
    double share = 0.0, target = 0.0, spent = 0.0;  ///< target = share x budget; spent: on the sites picked in its turn
    bool short_of_money = false;  ///< not met: such a site is left but does not fit (else: no such site is left)
    bool met() const { return spent >= target * (1.0 - 1e-12); }
};

/// How far below its upper bound a ranking's gain can be, in percent: 0 with a bound of 0 (nothing to gain), NaN
/// when no bound is known (sites with a capacity).
inline double gap_to_bound_pct(double gain, double upper_bound) {
    if (!std::isfinite(upper_bound)) return NAN;
    return upper_bound > 0.0 ? 100.0 * (1.0 - gain / upper_bound) : 0.0;
}

/// What a budget buys (the ranking re-run at that budget, not a prefix of the full budget's list).
struct BudgetPoint {
    double budget = 0.0, spent = 0.0, children = 0.0, gain = 0.0;
    double upper_bound = 0.0;  ///< no choice within the budget gains more (NaN: not known, with capacities)
    std::size_t sites = 0;
};

/// Who gains, per service: the children beyond the threshold and the concentration of travel time before and after
/// the ranked sites are built.
struct EquityRow {
    std::string service;
    std::size_t new_sites = 0;
    double gini_before = 0.0, gini_after = 0.0;    ///< Gini of travel time over children (capped at time_cap_min)
    double beyond_before = 0.0, beyond_after = 0.0;  ///< children beyond the threshold (or with no access)
    double priority_before = 0.0, priority_after = 0.0;  ///< of them, in island, border or remote areas
};

/// A site funded in at least one uncertainty draw (robustness.csv).
struct DrawnSite {
    std::string programme, id, name, service;
    int rank = 0;                ///< in the ranking without draws (0 = not in it)
    double x = 0.0, y = 0.0, lon = 0.0, lat = 0.0;
    double funded_share = 0.0;   ///< of the draws
    double area_funded_share = 0.0;  ///< of the draws funding it or another site of its service within ranking.near_m
    double children_min = 0.0, children_max = 0.0;  ///< its children newly within reach, over the draws funding it
};

/// The ranking re-run under resampled population and costs: how much of it holds.
/// The speed factors of one draw with speeds drawn class by class: per class (its speeds in every mode), and per
/// travel mode (every speed of the mode, with speed_pct).
struct SpeedDraw {
    std::map<std::string, double> by_class;
    std::map<std::string, double> by_mode;
};

struct UncertaintyReport {
    int draws = 0;
    std::uint64_t seed = 1;
    double population_pct = 0.0, cost_pct = 0.0, speed_pct = 0.0;
    std::map<std::string, double> speed_pct_by_class;  ///< speeds drawn class by class (empty: not)
    std::vector<SpeedDraw> speed_draws;               ///< with speed_pct_by_class: each draw's factors
    std::string population_unit;  ///< "zone" or "1 km block"
    std::vector<DrawnSite> sites;  ///< programme by programme, most often funded first
    /// Per programme (RankingReport::programmes order): children newly within reach over the draws, 5th/50th/95th
    /// percentile, and the robust core (ranked sites funded in >= 90% of the draws).
    std::vector<std::array<double, 3>> children_pct;
    std::vector<std::size_t> robust_core;
    /// Per programme: ranked sites funded, or replaced by a neighbour of their service within ranking.near_m, in >= 90%
    /// of the draws (near-identical neighbours split draws between them: the place is robust where each is not).
    std::vector<std::size_t> robust_core_area;
    double near_m = 0.0;
};

/// One programme's envelope and what it bought (with one budget: a single programme named "all").
struct ProgrammeReport {
    std::string name;
    std::vector<std::string> services;
    double budget = 0.0, spent = 0.0, children = 0.0, gain = 0.0;
    double upper_bound = 0.0;  ///< as BudgetPoint
    std::size_t candidates = 0, sites = 0;
    bool exact = false, proven_optimal = false, started_from_best_single = false;
    std::vector<ReserveReport> reserves;
    /// Why money is left: "" (none is), "no_candidates", "nobody_left" (no site left would bring anyone new),
    /// "nothing_affordable" (those that would cost more than is left).
    std::string unspent_reason;
    double cheapest_useful = 0.0;  ///< nothing_affordable: the cheapest site that would still reach someone
    double beyond = 0.0;           ///< no_candidates: children of its services beyond the threshold (none in a gap)
    double gap_min_children = 0.0; ///< no_candidates: the scenario's gaps.min_children
    std::vector<BudgetPoint> curve;  ///< at 10%, 20% ... 100% of the budget
};

/// One programme's year of a plan (plan_years.csv).
struct PlanYear {
    int year = 0;
    std::string programme;
    double budget = 0.0;      ///< the year's own money
    double carried_in = 0.0;  ///< left by the years before (carry_over)
    double spent = 0.0, children = 0.0, gain = 0.0;
    double upper_bound = 0.0;  ///< on the year's gain, from where the years before left off (NaN: with capacities)
    std::size_t sites = 0;
    std::vector<ReserveReport> reserves;  ///< of the money the year had
    std::string unspent_reason;           ///< as ProgrammeReport's
    double cheapest_useful = 0.0;
};

/// One site of a plan, in the year it is built (plan.csv, the `plan` layer).
struct PlanSite {
    int year = 0, rank = 0;  ///< rank: in its programme's year
    std::string programme, id, name, service, origin, zone, picked_for, reason;
    double x = 0.0, y = 0.0, lon = 0.0, lat = 0.0, cost = 0.0;
    double children = 0.0;  ///< newly within the threshold, that year's children
    double island = 0.0, border = 0.0, remote = 0.0;
    /// Another site of the plan of its service within ranking.near_m: "<id> (<distance> m, <year>)"; "" = none.
    std::string near_funded;
};

/// Access in a year of a plan, per service: the year's children, and those beyond the threshold without the plan's
/// sites and with those built by the end of the year (plan_access.csv).
struct PlanAccess {
    int year = 0;
    std::string service;
    double children = 0.0, beyond_without = 0.0, beyond_with = 0.0;
    double priority_without = 0.0, priority_with = 0.0;  ///< of them, in island, border or remote areas
};

struct PlanReport {
    int first_year = 0, last_year = 0, population_year = 0;
    bool population_year_assumed = false;  ///< not set: the first year
    bool carry_over = true;
    std::string growth;                    ///< the growth as a sentence
    std::vector<std::string> split_evenly; ///< programmes whose budget was split evenly over the years
    std::vector<PlanYear> years;           ///< year by year, programmes in order
    std::vector<PlanSite> sites;           ///< year by year, programmes in order, pick order
    std::vector<PlanAccess> access;        ///< year by year, services in order
    /// Per programme (RankingReport::programmes order): the plan's money over all its years, what it spent, and
    /// what is left when the plan ends.
    struct Total {
        std::string programme;
        double money = 0.0, spent = 0.0, left_at_end = 0.0, programme_budget = 0.0;
    };
    std::vector<Total> totals;
    /// The growth in the report's words, from its parts: rate (% a year everywhere or elsewhere), zones listed.
    double growth_pct = 0.0;
    std::size_t growth_zones = 0;  ///< zones with their own rate (0: one rate everywhere)
};

/// A warning of the ranking as data, for the report to write in its language: `key` names the sentence, `text` is the
/// English one (as in RunResult::warnings), `figures` and `words` are what it quotes (`figures.programme`: an index into
/// RankingReport::programmes, for the notes about one programme; `words.programme`: a name, "" for the one budget).
struct RankingNote {
    std::string key;
    std::string text;
    std::map<std::string, double> figures;
    std::map<std::string, std::string> words;
};

struct RankingReport {
    std::string objective, currency;
    double budget = 0.0, spent = 0.0, gain = 0.0, children = 0.0;
    std::size_t candidates = 0, from_file = 0, generated = 0, dropped = 0;
    std::size_t off_road = 0;  ///< generated sites on passable land, no road within ranking.road_distance_m
    std::size_t same_cell = 0; ///< left out: a second candidate of the same service on the same cell (the first one stays)
    bool exact = false;                     ///< the ranking is the integer program's
    bool started_from_best_single = false;  ///< greedy: the best-single-site start won
    std::optional<double> greedy_gain, exact_gain;  ///< both when the exact solver ran
    bool proven_optimal = false;
    std::vector<RankingRow> rows;
    std::vector<ProgrammeReport> programmes;  ///< in the scenario's order; one, named "all", with one budget
    bool single_budget = true;                ///< no ranking.programmes: one budget for every service
    std::optional<UncertaintyReport> uncertainty;  ///< with draws
    std::vector<EquityRow> equity;                 ///< per service
    std::optional<PlanReport> plan;                ///< with ranking.plan
    std::vector<RankingNote> notes;                ///< its warnings, each also in RunResult::warnings (in English)
    bool all_ages = false;                         ///< no age data: its "children" are people of all ages
};

/// The grids of a run that maps, the report and notebooks show, kept in memory so that nothing reads back what the
/// run has just written.
struct RunGrids {
    std::vector<Grid<float>> travel_time_min;  ///< per service (RunResult::services order); +inf = unreachable
    Grid<std::uint8_t> land;                   ///< 0 water, 1 land outside the study area, 2 land in the study area
    Grid<std::uint8_t> area_class;             ///< bit flags: 1 island, 2 border, 4 remote
    /// Children per target group (0 outside the study area), shared with the run's inputs (and with later runs that
    /// reuse them): never changed.
    std::shared_ptr<const std::map<std::string, Grid<float>>> children;
    /// Zone ids (1.. in RunResult::zones order, 0 = none; 2 bytes a cell up to 65,535 zones); null without zones.
    std::shared_ptr<const ZoneGrid> zones;
};

/// Where the people of the population raster went (before population_growth): what a planner needs to reconcile the
/// study area's figures with the raster's total for the province.
struct PopulationAccount {
    double source_total = 0.0;     ///< the whole raster
    double in_grid = 0.0;          ///< landed on the analysis grid (study area + buffer)
    double in_boundary = 0.0;      ///< inside the study area's boundary, as the raster has them (before moving to land)
    std::string mask;              ///< what people were kept to: "" (nothing), or the land or mask it came from
    double moved_off_water = 0.0;  ///< moved from water cells onto land (within their own source cell or next to it)
    double not_placed = 0.0;       ///< on water with no land within reach: in no figure
    double beyond_border = 0.0;    ///< inside the boundary but beyond the national border line: in no figure
    /// in_boundary - beyond_border - in_study_area: moved onto land outside the boundary, or on water inside it far
    /// from land (net of what moved in), before population_growth
    double left_boundary = 0.0;
    double in_study_area = 0.0;    ///< what every summary counts (after population_growth)
};

/// One piece of land that is not the mainland itself (islands.csv): an island, or land joined to the mainland only by
/// a road or bridge or only across narrow water, for a planner to review the island classification.
struct IslandRow {
    int id = 0;          ///< the land piece
    std::string status;  ///< "island"; "joined by road or bridge", "joined across narrow water" (either may be
                         ///< preceded by "listed island, ": most of it in area_classes.island_zones)
    double area_km2 = 0.0, people = 0.0;  ///< people: inside the study area
    double lon = 0.0, lat = 0.0;          ///< a cell of it with the most people (or any, without people)
    std::string zone;                     ///< the zone holding most of its people (when zones are set)
    int ferry_ports = 0;                  ///< ferry ends (travel.ferries, new_ferry) on it
    std::string reached_by;               ///< "road or bridge", "ferry", "no road, bridge or ferry in the data", ...
};

/// A ferry of a run: the travel.ferries layer's and new_ferry modifications', running in the scenario's month and not
/// closed (close_ferry).
struct FerryRoute {
    std::string name;
    double x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0;  ///< its ports, grid CRS
    double crossing_min = 0.0, headway_min = 0.0;
};

struct RunResult {
    GridSpec grid;
    std::vector<FerryRoute> ferries;
    bool all_ages = false;  ///< no age data: every "children" figure counts people of all ages
    PopulationAccount population;
    std::vector<IslandRow> islands;
    double population_total = 0.0;         ///< on the analysis grid (study area + buffer)
    double population_in_area = 0.0;       ///< inside the study area: what summaries count
    double population_source_total = 0.0;  ///< in the population file
    std::vector<ServiceResult> services;
    std::vector<FacilityPlacement> placements;
    std::size_t towns_placed = 0;           ///< towns used for the "remote" class
    std::vector<ZoneResult> zones;
    std::optional<RankingReport> ranking;  ///< when the scenario has a ranking section
    std::vector<std::string> warnings;
    /// travel.search as the run applied it ("study_area" or "whole_grid": a run whose searches are kept for, or taken
    /// from, other runs searches the whole grid), and with study_area the farthest study-area cell's time per service
    /// (-1 when none is reached): outside the study area, farther cells have no time
    std::string travel_search = "whole_grid";
    std::map<std::string, double> searched_to_min;
    std::vector<std::pair<std::string, double>> stage_seconds;  ///< wall-clock time per stage (run.json only)
    /// The process's peak resident memory (bytes) when each stage ended (run.json only; see StageClock::peaks)
    std::vector<std::pair<std::string, double>> stage_peak_bytes;
    /// What the memory guard reserved for the run at the most (bytes; with an earlier run's inputs, only what this run
    /// added: its services' grids, catchments and ranking)
    double memory_reserved_bytes = 0.0;
    /// The rasters (file names) written as soon as they were final and their grids freed, before the writing stage: a
    /// run no later stage or run reads them from (no ranking, no cache); run.json only
    std::vector<std::string> written_early;
    std::string summary_json;  ///< summary.json's text (also when RunOptions::write_outputs is off)
    std::shared_ptr<const RunGrids> grids;  ///< set by run_scenario
};

/// What runs of one process (a batch, the Python module) share: the inputs, friction, children and searches of
/// earlier runs. A run whose scenario differs from an earlier one only in facility and ferry modifications,
/// thresholds or the ranking takes them over and updates the searches where the changes reach (results are the same
/// as without it, exactly); any other difference, or an input file changed on disk since, means a fresh start.
/// It keeps the inputs of at most `keep` runs (those stored or taken over last; each holds a run's grids, so a batch
/// of unrelated scenarios must not keep them all). Thread-safe.
class RunCache;
std::shared_ptr<RunCache> make_run_cache(std::size_t keep = 2);

/// From now on `cache` keeps what it holds and stores nothing more: runs take over its entries, and one whose inputs
/// it has not got starts fresh and is forgotten (a server's baseline: what-ifs never grow its memory).
void freeze_run_cache(RunCache& cache);

/// True when a run of `b` can take over the inputs of a run of `a` (see RunCache).
bool shares_inputs(const Scenario& a, const Scenario& b);

struct RunOptions {
    /// Progress: stage index (1-based), stage count, label.
    std::function<void(int, int, const std::string&)> stage;
    /// Progress inside a long stage: label, done, total (e.g. "travel time (walking)", 2, 4).
    std::function<void(const std::string&, std::size_t, std::size_t)> progress;
    std::string command_line;
    std::optional<double> budget;  ///< overrides ranking.budget
    bool exact = false;            ///< rank with the exact integer program
    std::optional<std::string> objective;  ///< overrides ranking.objective: children or time_saved
    std::optional<int> draws;              ///< overrides ranking.uncertainty.draws
    std::optional<std::uint64_t> seed;     ///< overrides ranking.uncertainty.seed
    /// Reuse what earlier runs built (and keep what this run builds for later ones); null = a fresh start.
    std::shared_ptr<RunCache> cache;
    /// Writes what is drawn from the results (the viz module's maps, QGIS styles and report) into the output folder,
    /// after the data outputs and before run.json, which times it as "maps, styles and report". Null = nothing.
    std::function<void(const RunResult&)> visual_outputs;
    /// The staging folder the results are written inside (out_dir or one above it, e.g. the demo's, which holds its
    /// inputs too): run.json names files inside it by their path relative to out_dir, since the staging name does not
    /// last. Empty = out_dir.
    std::filesystem::path staging_root;
    /// False: nothing is written (out_dir is neither made nor used; visual_outputs is not called): the figures,
    /// RunResult::summary_json and RunResult::grids only, for a server's what-ifs.
    bool write_outputs = true;
};

/// Runs `scenario`, writing outputs into `out_dir` (which must exist; use geodata::OutputFolder to stage it).
RunResult run_scenario(const Scenario& scenario, const std::filesystem::path& out_dir, const RunOptions& options = {});

}  // namespace accessplan::scenarios
