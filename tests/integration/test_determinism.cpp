// Determinism (issue "Reliability"): every output file of a run is byte-identical with 1 and 2 threads and across
// two runs; only run.json (timings, command line, thread count) may differ.

#include <catch2/catch.hpp>

#include <map>

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
