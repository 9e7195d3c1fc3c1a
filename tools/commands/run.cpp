// accessplan run SCENARIO.yaml --out DIR: one scenario, from its input files to travel times and summaries.

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
    for (const auto& w : result.warnings) log("warning: {}", w);
    fmt::print("Outputs: {}\n", fs::absolute(out).lexically_normal().string());
}

int run_into_folder(const scenarios::Scenario& scenario, geodata::OutputFolder& folder) {
    scenarios::RunOptions options;
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

int run_one(const std::string& file, std::string out) {
    // Validate everything before touching the output folder.
    scenarios::Scenario scenario = scenarios::load_scenario(file);
    if (out.empty()) out = fs::path(file).stem().string() + "-results";
    geodata::OutputFolder folder(out, globals().overwrite);
    stage(1, 1, fmt::format("running {} ({} thread(s))", file, omp_get_max_threads()));
    return run_into_folder(scenario, folder);
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

}  // namespace accessplan::cli
