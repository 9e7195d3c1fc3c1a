// accessplan run SCENARIO.yaml --out DIR: one scenario, from its input files to travel times and summaries;
// accessplan rank SCENARIO.yaml [--budget X] [--exact]: the same with the ranking overrides.

#include <filesystem>

#include <omp.h>

#include "accessplan/geodata/output.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "../cli_common.hpp"
#include "../progress.hpp"

namespace fs = std::filesystem;

namespace accessplan::cli {

std::string command_line();

void print_run_summary(const scenarios::RunResult& result, const fs::path& out) {
    const auto& g = result.grid;
    fmt::print("Analysis grid: {} x {} cells of {:g} m ({}), {:.0f} people in the study area ({:.0f} with the buffer)\n",
               g.cols, g.rows, g.cell_width_m(), g.crs.label(), result.population_in_area, result.population_total);
    fmt::print("{:<24} {:>10} {:>7} {:>9} {:>10} {:>8} {:>8} {:>11}\n", "service", "mode", "limit", "children",
               "within", "% within", "p90 min", "unreachable");
    for (const auto& s : result.services)
        fmt::print("{:<24} {:>10} {:>5.0f}m {:>9.0f} {:>10.0f} {:>7.1f}% {:>8.1f} {:>11.0f}\n", s.service, s.mode,
                   s.threshold_min, s.access.children, s.access.within_threshold, s.access.pct_within(),
                   std::isfinite(s.access.p90_min) ? s.access.p90_min : 0.0, s.access.unreachable);
    if (const auto& rk = result.ranking) {
        fmt::print("Ranking ({}, {}): {} of {} candidate sites within a budget of {:.0f} {}; spent {:.0f}, {:.0f} children "
                   "newly within reach\n", rk->objective, rk->exact ? "exact" : "greedy", rk->rows.size(), rk->candidates,
                   rk->budget, rk->currency, rk->spent, rk->children);
        if (rk->exact_gain)
            fmt::print("  exact optimum {:.1f}{}, greedy {:.1f}: greedy gap {:.2f}%\n", *rk->exact_gain,
                       rk->proven_optimal ? "" : " (time limit: best found)", *rk->greedy_gain,
                       *rk->exact_gain > 0.0 ? 100.0 * (1.0 - *rk->greedy_gain / *rk->exact_gain) : 0.0);
        for (std::size_t i = 0; i < std::min<std::size_t>(rk->rows.size(), 10); ++i) {
            const auto& r = rk->rows[i];
            fmt::print("  {:>3}. {:<26} {:>16.0f} {}  {}\n", r.rank, r.id, r.cost, rk->currency, r.reason);
        }
        if (rk->rows.size() > 10) fmt::print("  ... (ranking.csv has all {})\n", rk->rows.size());
    }
    for (const auto& w : result.warnings) log("warning: {}", w);
    fmt::print("Outputs: {}\n", fs::absolute(out).lexically_normal().string());
}

int run_into_folder(const scenarios::Scenario& scenario, geodata::OutputFolder& folder, std::optional<double> budget,
                    bool exact, std::optional<std::string> objective) {
    scenarios::RunOptions options;
    options.budget = budget;
    options.exact = exact;
    options.objective = std::move(objective);
    options.command_line = command_line();
    ProgressBar bar(globals().verbosity >= 1);
    options.stage = [&bar](int k, int n, const std::string& label) {
        bar.done();
        log("  [{}/{}] {}", k, n, label);
    };
    options.progress = [&bar](const std::string& label, std::size_t done, std::size_t total) { bar.update(label, done, total); };
    scenarios::RunResult result = scenarios::run_scenario(scenario, folder.staging(), options);
    bar.done();
    folder.commit();
    print_run_summary(result, folder.target());
    return 0;
}

namespace {

int run_one(const std::string& file, std::string out, std::optional<double> budget = std::nullopt, bool exact = false,
            std::optional<std::string> objective = std::nullopt, bool need_ranking = false) {
    // Validate everything before touching the output folder.
    scenarios::Scenario scenario = scenarios::load_scenario(file);
    if (need_ranking && !scenario.ranking)
        throw InputError(fmt::format("{}: no ranking section; add ranking: with budget, costs and candidates "
                                     "(docs/scenarios.md)", file));
    if (out.empty()) out = fs::path(file).stem().string() + "-results";
    geodata::OutputFolder folder(out, globals().overwrite);
    stage(1, 1, fmt::format("running {} ({} thread(s))", file, omp_get_max_threads()));
    return run_into_folder(scenario, folder, budget, exact, std::move(objective));
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
    static std::string file, out;
    auto* cmd = app.add_subcommand("run",
                                   "Run a scenario file: inputs onto the analysis grid, travel time per service, children\n"
                                   "per target group, summary tables and rasters (keys: docs/scenarios.md).\n"
                                   "Example: accessplan run scenario.yaml --out results");
    cmd->add_option("SCENARIO", file, "Scenario YAML file (schema_version 1)")->required();
    cmd->add_option("--out", out, "Output folder (default: <scenario name>-results; refused if it exists, unless --overwrite)");
    cmd->callback([&exit_code] { exit_code = guarded([] { return run_one(file, out); }); });
}

void add_rank_command(CLI::App& app, int& exit_code) {
    static std::string file, out;
    static double budget = -1.0;
    static bool exact = false;
    static std::string objective;
    auto* cmd = app.add_subcommand("rank",
                                   "Run a scenario and rank its candidate sites under a budget (the scenario's ranking\n"
                                   "section: costs, candidates, weights). Writes everything `run` writes, with ranking.csv,\n"
                                   "cost_curve.csv and the ranking layer.\n"
                                   "Example: accessplan rank scenario.yaml --budget 40e9 --objective time_saved --out ranked");
    cmd->add_option("SCENARIO", file, "Scenario YAML file with a ranking section")->required();
    cmd->add_option("--out", out, "Output folder (default: <scenario name>-results; refused if it exists, unless --overwrite)");
    cmd->add_option("--budget", budget, "Budget in the scenario's currency (default: ranking.budget)")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--exact", exact, "Solve the integer program (GLPK) for the optimum; up to 500 candidates. The greedy's\n"
                                    "gap to it is reported");
    cmd->add_option("--objective", objective, "children (newly within the threshold, weighted) or time_saved (weighted\n"
                                              "child-minutes saved); default: ranking.objective")
        ->check(CLI::IsMember({"children", "time_saved"}));
    cmd->callback([&exit_code] {
        exit_code = guarded([] {
            return run_one(file, out, budget >= 0.0 ? std::optional<double>(budget) : std::nullopt, exact,
                           objective.empty() ? std::nullopt : std::optional<std::string>(objective), true);
        });
    });
}

}  // namespace accessplan::cli
