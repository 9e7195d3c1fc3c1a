// accessplan demo: generate the embedded demo province, write its inputs and scenario, and run it.

#include <filesystem>
#include <limits>

#include <omp.h>

#include "accessplan/geodata/output.hpp"
#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "../cli_common.hpp"

namespace fs = std::filesystem;

namespace accessplan::cli {

namespace {

int run_demo(const std::string& out, std::uint64_t seed) {
    geodata::OutputFolder folder(out, globals().overwrite);
    stage(1, 3, fmt::format("generating the demo province (seed {})", seed));
    demo::DemoProvince province = demo::generate_demo_province(seed);
    log("  {} districts, {} communes, {} settlements, {} facilities, {} road segments, {} river segments",
        province.districts.size(), province.communes.size(), province.settlements.size(), province.facilities.size(),
        province.roads.size(), province.rivers.size());
    stage(2, 3, "writing inputs (GeoTIFF, GeoPackage) and the scenario examples");
    const fs::path scenario_file = demo::write_demo_inputs(province, folder.staging());
    stage(3, 3, fmt::format("running the baseline ({} thread(s))", omp_get_max_threads()));
    const int code = run_into_folder(scenarios::load_scenario(scenario_file), folder, {},
                                     fs::path("results") / "baseline");
    const fs::path root = fs::absolute(folder.target()).lexically_normal();
    if (globals().verbosity >= 1)
        fmt::print("Inputs: {}\nScenarios: {} (baseline.yaml and the what-ifs on it; run one with\n"
                   "  accessplan run {} --out {})\n",
                   (root / "inputs").string(), (root / "scenarios").string(),
                   (root / "scenarios" / "new_ferry.yaml").string(), (root / "results" / "new_ferry").string());
    return code;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
    static std::string out = "accessplan-demo";
    static std::uint64_t seed = 28;
    auto* cmd = app.add_subcommand(
        "demo",
        "Generate the embedded demo province 'Sơn Hải' (synthetic: mountains on a national border, a coastal plain\n"
        "with a delta, an island district reached by ferry), write its inputs and scenario, and run it: travel times\n"
        "for every service, summaries, ranked sites, QGIS-styled layers, maps and report.html.\n"
        "The folder gets inputs/ (rasters, GeoPackage), scenarios/ (baseline.yaml and what-ifs) and results/baseline/.\n"
        "Example: accessplan demo --out demo-run");
    cmd->add_option("--out", out, "Demo folder (refused if it exists, unless --overwrite and accessplan wrote all of it, "
                                  "unchanged)")->capture_default_str();
    add_integer_option(*cmd, "--seed", [](std::int64_t v) { seed = static_cast<std::uint64_t>(v); },
                       IntegerRule{"", 0, std::numeric_limits<std::int64_t>::max()},
                       "Generator seed, a whole number >= 0 (the same seed gives the same province)")
        ->default_str(std::to_string(seed));
    cmd->callback([&exit_code] { exit_code = guarded([] { return run_demo(out, seed); }); });
}

}  // namespace accessplan::cli
