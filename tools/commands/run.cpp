// accessplan run SCENARIO.yaml... --out DIR: scenarios, from their input files to travel times and summaries;
// accessplan validate SCENARIO.yaml...: every check that needs no computation;
// accessplan rank SCENARIO.yaml [--budget X] [--exact]: the same with the ranking overrides.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>

#include <fmt/ranges.h>

#include <omp.h>

#include "accessplan/engine/parallel.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "accessplan/scenarios/validate.hpp"
#include "accessplan/viz/labels.hpp"
#include "accessplan/viz/outputs.hpp"
#include "../cli_common.hpp"
#include "../progress.hpp"

namespace fs = std::filesystem;

namespace accessplan::cli {

std::string command_line();

namespace {
/// 60000000000 -> "60,000,000,000", as the warnings write money.
std::string grouped(double v) { return viz::format_count(v, viz::Lang::en); }

/// A programme's reason for leaving money, in a few words (summary.json and programmes.csv have the sentence).
std::string unspent_note(const std::string& reason) {
    if (reason == "no_candidates") return "no candidate sites";
    if (reason == "nobody_left") return "the rest is left: no site left reaches anyone new";
    if (reason == "nothing_affordable") return "the rest is left: every site still useful costs more";
    return reason;
}

/// Speeds drawn class by class, for the draws' line: ", speeds by class +-40% track, +-20% cropland".
std::string speed_classes_text(const scenarios::UncertaintyReport& u) {
    if (u.speed_pct_by_class.empty()) return "";
    std::vector<std::string> parts;
    for (const auto& [name, pct] : u.speed_pct_by_class) parts.push_back(fmt::format("{} +-{:g}%", name, pct));
    return fmt::format(", speeds by class (every mode): {}", fmt::join(parts, ", "));
}
}  // namespace

/// The run's summary on stdout and its warnings on stderr; in a batch, `batch_label` (the scenario file) heads each
/// warning, so that a warning says which scenario it belongs to. With -q: only where the outputs are, and how many
/// warnings they hold. A ranking inherited from the base chain gets its one-line total, not a top 10 like its base's.
void print_run_summary(const scenarios::RunResult& result, const fs::path& out, bool ranking_inherited,
                       const std::string& batch_label = "") {
    if (globals().verbosity == 0) {
        if (!result.warnings.empty())
            fmt::print(stderr, "accessplan: {}{} warning(s): summary.json and report.html list them\n",
                       batch_label.empty() ? "" : batch_label + ": ", result.warnings.size());
        fmt::print("Outputs: {}\n", fs::absolute(out).lexically_normal().string());
        return;
    }
    const auto& g = result.grid;
    fmt::print("Analysis grid: {} x {} cells of {:g} m ({}), {:.0f} people in the study area ({:.0f} on the whole grid: "
               "area, buffer and the rest of its rectangle)\n",
               g.cols, g.rows, g.cell_width_m(), g.crs.label(), result.population_in_area, result.population_total);
    const auto& pa = result.population;
    fmt::print("People of the population raster: {:.0f} inside the boundary; {:.0f} moved off water or impassable cells{}; {:.0f} beyond "
               "the national border line (in no figure); {:+.0f} at the boundary's edge (net: cells count whole by their "
               "centre; people moved across it or left on water far from land); {:.0f} counted\n", pa.in_boundary, pa.moved_off_water,
               pa.mask.empty() ? " (nothing says where the water is)" : " (kept to the " + pa.mask + ")", pa.beyond_border,
               pa.left_boundary, pa.in_study_area);
    if (const auto n = std::count_if(result.islands.begin(), result.islands.end(),
                                     [](const scenarios::IslandRow& r) { return r.status == "island"; }))
        fmt::print("Islands: {} with people in the study area (islands.csv lists them, and land joined to the mainland "
                   "by a road or bridge or only across narrow water)\n", n);
    fmt::print("{:<24} {:>10} {:>7} {:>9} {:>10} {:>8} {:>8} {:>11}\n", "service", "mode", "limit", result.all_ages ? "people" : "children",
               "within", "% within", "p90 min", "unreachable");
    for (const auto& s : result.services)
        fmt::print("{:<24} {:>10} {:>4.0f}min {:>9.0f} {:>10.0f} {:>7.1f}% {:>8.1f} {:>11.0f}\n", s.service, s.mode,
                   s.threshold_min, s.access.children, s.access.within_threshold, s.access.pct_within(),
                   std::isfinite(s.access.p90_min) ? s.access.p90_min : 0.0, s.access.unreachable);
    if (const auto& rk = result.ranking) {
        const bool all_exact = std::all_of(rk->programmes.begin(), rk->programmes.end(), [](const auto& p) { return p.exact; });
        const char* who = result.all_ages ? "people (all ages: no age data)" : "children";
        fmt::print("Ranking ({}, {}): {} of {} candidate sites within a budget of {} {}; spent {}, {:.0f} {} "
                   "newly within reach\n", rk->objective, !rk->exact ? "greedy" : all_exact ? "exact" : "exact where it fits",
                   rk->rows.size(), rk->candidates, grouped(rk->budget), rk->currency, grouped(rk->spent), rk->children, who);
        if (!rk->single_budget)
            for (const auto& p : rk->programmes)
                fmt::print("  programme {} ({}): {} site(s), {} of {} {} spent, {:.0f} {}{}\n", p.name,
                           p.exact ? "exact" : "greedy", p.sites, grouped(p.spent), grouped(p.budget), rk->currency, p.children,
                           result.all_ages ? "people" : "children",
                           p.unspent_reason.empty() ? "" : fmt::format(" ({})", unspent_note(p.unspent_reason)));
        if (const auto& u = rk->uncertainty) {
            std::vector<std::string> cores;
            const char* counted = result.all_ages ? "people" : "children";
            for (std::size_t k = 0; k < rk->programmes.size(); ++k)
                cores.push_back(fmt::format("{}{} of {} sites ({} counting a neighbour within {:g} m), {:.0f}-{:.0f} {}",
                                            rk->single_budget ? "" : rk->programmes[k].name + " ", u->robust_core[k],
                                            rk->programmes[k].sites, u->robust_core_area[k], u->near_m, u->children_pct[k][0],
                                            u->children_pct[k][2], counted));
            fmt::print("  {} draws ({} per {} +-{:g}%, costs +-{:g}%{}, seed {}): robust core (sites funded in >= 90% of "
                       "draws) and {} reached (5th-95th percentile of the draws): {}; robustness.csv\n", u->draws, counted,
                       u->population_unit, u->population_pct, u->cost_pct,
                       fmt::format("{}{}", u->speed_pct > 0.0 ? fmt::format(", speeds per travel mode +-{:g}%", u->speed_pct) : "",
                                   speed_classes_text(*u)), u->seed, counted,
                       fmt::join(cores, ", "));
        }
        if (const auto& plan = rk->plan) {
            fmt::print("  Plan {}-{} ({}; money left in a year {}):\n", plan->first_year, plan->last_year, plan->growth,
                       plan->carry_over ? "carries to the next" : "is not carried over");
            if (!plan->split_evenly.empty())
                fmt::print("    budget split evenly over the years (no ranking.plan.budgets for it): {}\n",
                           fmt::join(plan->split_evenly, ", "));
            for (int year = plan->first_year; year <= plan->last_year; ++year) {
                std::vector<std::string> parts;
                for (const auto& y : plan->years)
                    if (y.year == year)
                        parts.push_back(fmt::format("{}{} site(s), {} of {} {}, {:.0f} {}", rk->single_budget ? "" : y.programme + " ",
                                                    y.sites, grouped(y.spent), grouped(y.budget + y.carried_in), rk->currency, y.children,
                                                    result.all_ages ? "people" : "children"));
                fmt::print("    {}: {}\n", year, fmt::join(parts, "; "));
            }
            fmt::print("    plan.csv (the sites by year), plan_years.csv, plan_access.csv (children beyond the threshold each year, with and without the plan)\n");
        }
        if (rk->exact_gain) {
            std::vector<std::string> solved;
            for (const auto& p : rk->programmes)
                if (p.exact) solved.push_back(p.name);
            fmt::print("  exact optimum {:.1f} weighted children{}, greedy {:.1f}: greedy gap {:.2f}%{}\n", *rk->exact_gain,
                       rk->proven_optimal ? "" : " (time limit: best found)", *rk->greedy_gain,
                       *rk->exact_gain > 0.0 ? 100.0 * (1.0 - *rk->greedy_gain / *rk->exact_gain) : 0.0,
                       rk->single_budget ? "" : fmt::format(" (programmes solved exactly: {})", fmt::join(solved, ", ")));
        }
        if (ranking_inherited)
            fmt::print("  (the ranking section of its base, re-ranked for this scenario: ranking.csv has the {} sites)\n",
                       rk->rows.size());
        if (!ranking_inherited && !rk->rows.empty())
            fmt::print("  The one-shot ranking (today's {}, each programme's whole budget; ranking.csv):\n",
                       result.all_ages ? "people" : "children");
        for (std::size_t i = 0; i < (ranking_inherited ? 0 : std::min<std::size_t>(rk->rows.size(), 10)); ++i) {
            const auto& r = rk->rows[i];
            fmt::print("  {:>3}. {:<26} {:>16.0f} {}  {}\n", r.rank, r.id, r.cost, rk->currency, r.reason);
        }
        if (!ranking_inherited && rk->rows.size() > 10) fmt::print("  ... (ranking.csv has all {})\n", rk->rows.size());
    }
    std::fflush(stdout);  // the summary before the warnings, when both go to one terminal or file
    for (const auto& w : result.warnings) {
        if (batch_label.empty()) log("warning: {}", w);
        else log("warning: {}: {}", batch_label, w);
    }
    fmt::print("Outputs: {}\n", fs::absolute(out).lexically_normal().string());
}

namespace {
/// The maps, QGIS styles and report of a run into `out`, in the language of --lang (RunOptions::visual_outputs).
std::function<void(const scenarios::RunResult&)> visual_outputs(const scenarios::Scenario& scenario, const fs::path& out) {
    return [&scenario, out](const scenarios::RunResult& result) {
        viz::write_visual_outputs(scenario, result, out, {viz::parse_lang(globals().lang)});
    };
}
}  // namespace

void note_replaced_results(const geodata::OutputFolder& folder, const fs::path& remade) {
    for (const auto& r : folder.replaced_results())
        if (r != remade)
            log("note: --overwrite replaced {} with the rest of {} (results accessplan wrote there earlier)", r.string(),
                folder.target().string());
}

int run_into_folder(const scenarios::Scenario& scenario, geodata::OutputFolder& folder, const RankingOverrides& rank,
                    const fs::path& sub) {
    const fs::path out = folder.staging() / sub;
    fs::create_directories(out);
    scenarios::RunOptions options;
    options.budget = rank.budget;
    options.exact = rank.exact;
    options.objective = rank.objective;
    options.draws = rank.draws;
    options.seed = rank.seed;
    options.command_line = command_line();
    ProgressBar bar(globals().verbosity >= 1);
    options.stage = [&bar](int k, int n, const std::string& label) {
        bar.done();
        log("  [{}/{}] {}", k, n, label);
    };
    options.progress = [&bar](const std::string& label, std::size_t done, std::size_t total) { bar.update(label, done, total); };
    options.staging_root = folder.staging();
    options.visual_outputs = visual_outputs(scenario, out);
    scenarios::RunResult result = scenarios::run_scenario(scenario, out, options);
    bar.done();
    if (!sub.empty()) geodata::write_outputs_list(out);
    folder.commit();
    note_replaced_results(folder, sub.empty() ? fs::path() : folder.target() / sub);
    print_run_summary(result, sub.empty() ? folder.target() : folder.target() / sub, scenario.ranking_inherited);
    return 0;
}

namespace {

int run_one(const std::string& file, std::string out, const RankingOverrides& rank = {}, bool need_ranking = false) {
    // Validate everything before touching the output folder.
    scenarios::Scenario scenario = scenarios::load_scenario(file);
    if (need_ranking && !scenario.ranking)
        throw InputError(fmt::format("{}: no ranking section; add ranking: with budget, costs and candidates "
                                     "(docs/scenarios.md)", file));
    if (rank.budget && scenario.ranking && !scenario.ranking->programmes.empty()) {  // before anything is computed
        std::vector<std::string> names;
        for (const auto& p : scenario.ranking->programmes) names.push_back(p.name);
        throw InputError(fmt::format("{}: --budget sets one budget, and this scenario's ranking has programmes ({}); set "
                                     "their budgets in ranking.programmes.<name>.budget, or rank one pot with a what-if "
                                     "(base: {}, ranking: {{budget: ...}})", file, fmt::join(names, ", "),
                                     fs::path(file).filename().string()));
    }
    if (out.empty()) out = fs::path(file).stem().string() + "-results";
    geodata::OutputFolder folder(out, globals().overwrite, scenarios::files_read(scenario));
    stage(1, 1, fmt::format("running {} ({} thread(s))", file, omp_get_max_threads()));
    return run_into_folder(scenario, folder, rank);
}

/// Loads every scenario, reporting the problems of all files at once.
std::vector<scenarios::Scenario> load_all(const std::vector<std::string>& files) {
    std::vector<scenarios::Scenario> loaded;
    std::vector<std::string> problems;
    for (const auto& f : files) {
        try {
            loaded.push_back(scenarios::load_scenario(f));
        } catch (const InputError& e) {
            problems.emplace_back(e.what());
        }
    }
    if (!problems.empty()) throw InputError(fmt::format("{}", fmt::join(problems, "\n")));
    return loaded;
}

/// Several scenarios, each into its own folder: OUT/<file name without .yaml> (or <name>-results beside the
/// working folder without --out). Nothing is written until every scenario has loaded and no target is in the way.
int run_many(const std::vector<std::string>& files, const std::string& out) {
    if (files.size() == 1) return run_one(files.front(), out);
    std::vector<scenarios::Scenario> loaded = load_all(files);
    std::vector<fs::path> targets;
    for (const auto& f : files) {
        const std::string stem = fs::path(f).stem().string();
        const fs::path target = out.empty() ? fs::path(stem + "-results") : fs::path(out) / stem;
        if (std::find(targets.begin(), targets.end(), target) != targets.end())
            throw InputError(fmt::format("{}: another scenario of this run has the same file name, so the same output "
                                         "folder {}; rename one of them", f, target.string()));
        targets.push_back(target);
    }
    if (!out.empty()) fs::create_directories(out);
    std::vector<std::unique_ptr<geodata::OutputFolder>> folders;
    std::vector<fs::path> read;  // no folder may hold a file any of the scenarios reads
    for (const auto& s : loaded)
        for (auto& f : scenarios::files_read(s)) read.push_back(std::move(f));
    for (const auto& t : targets) folders.push_back(std::make_unique<geodata::OutputFolder>(t, globals().overwrite, read));
    // First the scenarios whose inputs no earlier one shares, then the what-ifs built on them, which take over their
    // grids, friction, children and searches (scenarios::RunCache; the outputs are the same as fresh runs). Within
    // each round the scenarios run in parallel, one per thread (the loops inside each run on that thread: OpenMP
    // nesting is off), or alone with every thread. A failing scenario leaves its own folder untouched and the others
    // are still written.
    // Only a leader that some follower shares with keeps its inputs for them (the cache keeps exactly those): a batch
    // of unrelated scenarios holds one run's grids per thread, not every run's.
    std::vector<std::size_t> leaders, followers;
    std::vector<bool> uses_cache(loaded.size(), false);
    std::size_t followed = 0;
    for (std::size_t k = 0; k < loaded.size(); ++k) {
        const auto shared = std::find_if(leaders.begin(), leaders.end(),
                                         [&](std::size_t l) { return scenarios::shares_inputs(loaded[l], loaded[k]); });
        if (shared == leaders.end()) {
            leaders.push_back(k);
            continue;
        }
        followers.push_back(k);
        uses_cache[k] = true;
        if (!uses_cache[*shared]) ++followed;
        uses_cache[*shared] = true;
    }
    log("running {} scenarios ({} with inputs of their own, {} reusing them; {} thread(s))", loaded.size(), leaders.size(),
        followers.size(), omp_get_max_threads());
    std::vector<std::optional<scenarios::RunResult>> results(loaded.size());
    std::vector<std::string> failures(loaded.size());
    std::vector<int> codes(loaded.size(), 0);
    const std::shared_ptr<scenarios::RunCache> cache = scenarios::make_run_cache(followed);
    std::atomic<std::size_t> finished{0};
    auto run = [&](std::size_t k) {
        scenarios::RunOptions options;
        options.command_line = command_line();
        if (uses_cache[k]) options.cache = cache;
        const auto start = std::chrono::steady_clock::now();
        try {
            options.visual_outputs = visual_outputs(loaded[k], folders[k]->staging());
            results[k] = scenarios::run_scenario(loaded[k], folders[k]->staging(), options);
            results[k]->grids.reset();  // (they hold the run's inputs: only the figures are printed at the end)
            folders[k]->commit();
        } catch (const Error& e) {
            failures[k] = e.what();
            codes[k] = exit_code_for(e);
        }
        // Progress as each finishes (the figures follow at the end), as the Dask runner says it.
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        log("[{}/{}] {}: {} in {:.1f} s", ++finished, loaded.size(), files[k], results[k] ? "done" : "failed", seconds);
    };
    for (const auto* round : {&leaders, &followers}) {
        if (round->size() == 1) run(round->front());
        else parallel_for(round->size(), [&](std::size_t j) { run((*round)[j]); });
    }
    int exit_code = 0;
    for (std::size_t k = 0; k < loaded.size(); ++k) {
        fmt::print("== {} ==\n", files[k]);
        if (results[k]) {
            note_replaced_results(*folders[k]);
            print_run_summary(*results[k], folders[k]->target(), loaded[k].ranking_inherited, files[k]);
        } else {
            // Named by its scenario file (in a batch, several may share an input), unless the message starts with it.
            const std::string& message = failures[k];
            const bool named = message.starts_with(files[k]) || message.starts_with(fs::absolute(files[k]).string());
            fmt::print(stderr, "accessplan: error: {}{}\n", named ? "" : files[k] + ": ", message);
            fmt::print("{}: failed, nothing written (see the error above)\n", files[k]);
            exit_code = std::max(exit_code, codes[k]);
        }
    }
    return exit_code;
}

int validate(const std::vector<std::string>& files) {
    std::vector<scenarios::Scenario> loaded = load_all(files);
    std::vector<std::string> problems, warnings;
    for (const auto& s : loaded) {
        std::vector<std::string> w;
        auto p = scenarios::check_inputs(s, &w);
        problems.insert(problems.end(), p.begin(), p.end());
        for (const auto& text : w) warnings.push_back(fmt::format("{}: {}", s.file.string(), text));
    }
    for (const auto& w : warnings) log("warning: {}", w);
    if (!problems.empty())
        throw InputError(fmt::format("{} problem(s) in the inputs:\n  {}", problems.size(), fmt::join(problems, "\n  ")));
    for (const auto& s : loaded)
        fmt::print("{}: valid ({} service(s), {} modification(s){}{})\n", s.file.string(), s.services.size(),
                   s.modifications.size(), s.sources.size() > 1 ? fmt::format(", built on {}", s.sources[1].first.string()) : "",
                   s.ranking ? ", ranking" : "");
    return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
    static std::vector<std::string> files;
    static std::string out;
    auto* cmd = app.add_subcommand("run",
                                   "Run scenario files: inputs onto the analysis grid, modifications, travel time per\n"
                                   "service, children per target group, summary tables, rasters (COG), QGIS-styled layers,\n"
                                   "maps and report.html (docs/scenarios.md, docs/outputs.md).\n"
                                   "With several files, each runs into its own folder OUT/<file name>, in parallel\n"
                                   "(one scenario per thread).\n"
                                   "Example: accessplan run baseline.yaml --out results\n"
                                   "Example: accessplan run baseline.yaml new_ferry.yaml --out whatif");
    cmd->add_option("SCENARIO", files, "Scenario YAML file(s) (schema_version 1)")->required();
    cmd->add_option("--out", out, "With one file: the results folder itself (default: <file name>-results). With several:\n"
                                  "the folder that holds one results folder per scenario, OUT/<file name> (default:\n"
                                  "<file name>-results each). Existing results are refused unless --overwrite");
    cmd->callback([&exit_code] { exit_code = guarded([] { return run_many(files, out); }); });
}

void add_validate_command(CLI::App& app, int& exit_code) {
    static std::vector<std::string> files;
    auto* cmd = app.add_subcommand("validate",
                                   "Check scenario files and their inputs without computing anything: every key, type,\n"
                                   "file, layer, base: chain and modification, all problems at once (exit code 3).\n"
                                   "Example: accessplan validate baseline.yaml new_ferry.yaml");
    cmd->add_option("SCENARIO", files, "Scenario YAML file(s)")->required();
    cmd->callback([&exit_code] { exit_code = guarded([] { return validate(files); }); });
}

void add_rank_command(CLI::App& app, int& exit_code) {
    static std::string file, out;
    static std::optional<double> budget;
    static bool exact = false;
    static std::string objective;
    static int draws = -1;
    static long long seed = -1;
    auto* cmd = app.add_subcommand("rank",
                                   "Run a scenario and rank its candidate sites, programme by programme or under one budget\n"
                                   "(the scenario's ranking section: programmes, costs, candidates, weights). Writes\n"
                                   "everything `run` writes, with ranking.csv, programmes.csv, budget_curve.csv,\n"
                                   "cost_curve.csv and the ranking layer; with uncertainty draws robustness.csv; with\n"
                                   "ranking.plan the plan year by year (plan.csv, plan_years.csv, plan_access.csv, the\n"
                                   "plan layer).\n"
                                   "Example: accessplan rank baseline.yaml --exact --out ranked\n"
                                   "Example: accessplan rank one_budget.yaml --budget \"40 tỷ\" --objective time_saved --out ranked");
    cmd->add_option("SCENARIO", file, "Scenario YAML file with a ranking section")->required();
    cmd->add_option("--out", out, "Output folder (default: <scenario name>-results; refused if it exists, unless --overwrite)");
    add_money_option(*cmd, "--budget", [](double v) { budget = v; }, NumberRule{"", 0.0},
                     "The one budget in the scenario's currency (default: ranking.budget), 0 to 1e18: 40000000000,\n"
                     "40e9, 40_000_000_000 or \"40 tỷ\" (also triệu, nghìn, billion, million; đồng/VND may follow). No thousands\n"
                     "separators; decimals use a point (\"1.5 tỷ\"). A scenario with ranking.programmes refuses it:\n"
                     "set the programmes' budgets in a what-if");
    cmd->add_flag("--exact", exact, "Solve the integer program for the optimum (CBC; GLPK with ranking.exact_solver:\n"
                                    "glpk); up to 2000 candidates per programme (GLPK: 500). A programme with more, or\n"
                                    "with min_share, keeps the greedy, said in a warning; a plan's years, budget curves\n"
                                    "and draws are ranked by the greedy. Stopped at ranking.exact_time_s (120 s of\n"
                                    "wall-clock time) it keeps the better of its best and the greedy's, with its bound.\n"
                                    "The greedy's gap to it is reported");
    cmd->add_option("--objective", objective, "children (newly within the threshold, weighted) or time_saved (weighted\n"
                                              "child-minutes saved); default: ranking.objective")
        ->check(CLI::IsMember({"children", "time_saved"}));
    cmd->add_option("--draws", draws, "Re-rank under N draws of resampled population and costs (ranking.uncertainty:\n"
                                      "population_pct, cost_pct; default its draws), 0 to 10000; robustness.csv gives each\n"
                                      "site's share of draws funding it, the report marks the robust core (>= 90%)")
        ->check(CLI::Range(0, 10000));
    cmd->add_option("--seed", seed, "Seed of the draws (default: ranking.uncertainty.seed, 1); the same seed gives the\n"
                                    "same draws on every machine")
        ->check(CLI::Range(static_cast<long long>(0), static_cast<long long>(9e15)));
    cmd->callback([&exit_code] {
        exit_code = guarded([] {
            RankingOverrides rank{budget, exact, objective.empty() ? std::nullopt : std::optional<std::string>(objective),
                                  std::nullopt, std::nullopt};
            if (draws >= 0) rank.draws = draws;
            if (seed >= 0) rank.seed = static_cast<std::uint64_t>(seed);
            return run_one(file, out, rank, true);
        });
    });
}

}  // namespace accessplan::cli
