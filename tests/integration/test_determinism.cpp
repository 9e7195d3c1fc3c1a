// Determinism (issue "Reliability"): every output file of a run is byte-identical with 1 and 2 threads and across
// two runs; only run.json (timings, command line, thread count) may differ.

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

TEST_CASE("outputs are byte-identical with 1 and 2 threads and across runs", "[integration][determinism][cli]") {
    test::TempDir dir;
    demo::write_demo_inputs(demo::generate_demo_province(28), dir.path());
    std::vector<std::map<std::string, std::string>> runs;
    for (const char* threads : {"1", "2", "2"}) {
        const fs::path out = dir / ("out_" + std::to_string(runs.size()));
        // A what-if batch too: the what-if takes over the baseline's searches (RunCache).
        auto r = test::run_cli({"run", (dir / "scenarios" / "baseline.yaml").string(), (dir / "scenarios" / "new_ferry.yaml").string(), "--out",
                                out.string(), "--threads", threads, "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        runs.push_back(test::folder_files(out, "run.json"));
    }
    REQUIRE(runs[0].size() > 40);
    for (std::size_t k = 1; k < runs.size(); ++k) {
        for (const auto& [file, bytes] : runs[0]) {
            INFO(file << " (run " << k << ")");
            REQUIRE(runs[k].count(file) == 1);
            CHECK(runs[k].at(file) == bytes);
        }
        CHECK(runs[k].size() == runs[0].size());
    }
}

TEST_CASE("a run that writes its rasters as soon as they are final writes the files of a run that holds its grids",
          "[integration][determinism][cli]") {
    // Alone and without a ranking, a run writes friction, E2SFCA and nearest-facility rasters early and frees their
    // grids (run.json memory.written_early); first in a batch, it keeps its inputs for the next run and writes
    // everything at the end. Every file the same.
    test::TempDir dir;
    demo::write_demo_inputs(demo::generate_demo_province(28), dir.path());
    const fs::path scenarios = dir / "scenarios";
    {
        std::ofstream f(scenarios / "no_ranking.yaml");
        f << "schema_version: 1\nbase: baseline.yaml\nname: baseline without ranking\nranking: null\n";
    }
    auto alone = test::run_cli({"run", (scenarios / "no_ranking.yaml").string(), "--out", (dir / "alone").string(), "-q"});
    INFO(alone.err);
    REQUIRE(alone.exit_code == 0);
    auto batch = test::run_cli({"run", (scenarios / "no_ranking.yaml").string(), (scenarios / "new_ferry.yaml").string(),
                                "--out", (dir / "batch").string(), "-q"});
    INFO(batch.err);
    REQUIRE(batch.exit_code == 0);
    const auto early = nlohmann::json::parse(test::slurp(dir / "alone" / "run.json"))["memory"]["written_early"];
    const auto held = nlohmann::json::parse(test::slurp(dir / "batch" / "no_ranking" / "run.json"))["memory"]["written_early"];
    CHECK(held.empty());
    std::set<std::string> names;
    for (const auto& n : early) names.insert(n.get<std::string>());
    for (const char* kind : {"friction_", "e2sfca_", "nearest_"})
        CHECK(std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n.starts_with(kind); }));
    const auto a = test::folder_files(dir / "alone", "run.json");
    const auto b = test::folder_files(dir / "batch" / "no_ranking", "run.json");
    REQUIRE(a.size() > 40);
    CHECK(a.size() == b.size());
    for (const auto& [file, bytes] : a) {
        INFO(file);
        REQUIRE(b.count(file) == 1);
        CHECK(b.at(file) == bytes);
    }
}
