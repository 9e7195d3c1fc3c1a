// accessplan demo: generate the embedded demo province, write its inputs and scenario, and run it.

#include <filesystem>

#include <omp.h>

#include "accessplan/geodata/output.hpp"
#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
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

namespace {

int run_demo(const std::string& out, std::uint64_t seed) {
    geodata::OutputFolder folder(out, globals().overwrite);
    stage(1, 3, fmt::format("generating the demo province (seed {})", seed));
    demo::DemoProvince province = demo::generate_demo_province(seed);
    log("  {} districts, {} communes, {} settlements, {} facilities, {} road segments, {} river segments",
        province.districts.size(), province.communes.size(), province.settlements.size(), province.facilities.size(),
        province.roads.size(), province.rivers.size());
    stage(2, 3, "writing inputs (GeoTIFF, GeoPackage, scenario.yaml)");
    const fs::path scenario_file = demo::write_demo_inputs(province, folder.staging());
    stage(3, 3, fmt::format("running the scenario ({} thread(s))", omp_get_max_threads()));
    scenarios::Scenario scenario = scenarios::load_scenario(scenario_file);
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

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
    static std::string out = "accessplan-demo";
    static std::uint64_t seed = 28;
    auto* cmd = app.add_subcommand(
        "demo",
        "Generate the embedded demo province 'Sơn Hải' (synthetic: mountains on a national border, a coastal plain\n"
        "with a delta, an island district reached by ferry), write its inputs and scenario, and run travel times\n"
        "for every service.\n"
        "Example: accessplan demo --out demo-run");
    cmd->add_option("--out", out, "Output folder (refused if it exists, unless --overwrite)")->capture_default_str();
    cmd->add_option("--seed", seed, "Generator seed (the same seed gives the same province)")->capture_default_str();
    cmd->callback([&exit_code] { exit_code = guarded([] { return run_demo(out, seed); }); });
}

}  // namespace accessplan::cli
