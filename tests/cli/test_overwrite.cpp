// --overwrite replaces only what accessplan wrote (issue 14: a run into the folder holding its own scenario deleted the
// user's inputs). Every case checks that every file the user had survives byte for byte.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>

#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

TEST_CASE("overwrite: refused for a folder holding the scenario or its inputs, foreign files or the working folder",
          "[cli][overwrite]") {
    test::TempDir dir;
    const fs::path demo = dir / "demo";
    REQUIRE(test::run_cli({"demo", "--out", demo.string(), "-q"}).exit_code == 0);
    REQUIRE(fs::exists(demo / ".accessplan-outputs"));
    const std::map<std::string, std::string> before = test::folder_files(demo);

    // The folder holding the scenario and its inputs: refused, nothing touched.
    auto r = test::run_cli({"run", (demo / "scenarios" / "baseline.yaml").string(), "--out", demo.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("an input of this run"));
    CHECK(test::folder_files(demo) == before);
    // A folder above the inputs: refused too.
    r = test::run_cli({"run", (demo / "scenarios" / "baseline.yaml").string(), "--out", dir.path().string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK(test::folder_files(demo) == before);

    // Results of their own are replaced; a file the user added to them stops the replacement.
    const fs::path results = dir / "results";
    REQUIRE(test::run_cli({"run", (demo / "scenarios" / "baseline.yaml").string(), "--out", results.string(), "-q"}).exit_code == 0);
    std::ofstream(results / "notes.txt") << "my notes\n";
    r = test::run_cli({"run", (demo / "scenarios" / "baseline.yaml").string(), "--out", results.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("notes.txt") && Catch::Contains("did not write"));
    CHECK(test::slurp(results / "notes.txt") == "my notes\n");
    fs::remove(results / "notes.txt");
    CHECK(test::run_cli({"run", (demo / "scenarios" / "baseline.yaml").string(), "--out", results.string(), "--overwrite", "-q"}).exit_code == 0);

    // A folder accessplan did not write (no list of its outputs) is left alone.
    fs::create_directories(dir / "mine");
    std::ofstream(dir / "mine" / "data.csv") << "x,y\n1,2\n";
    r = test::run_cli({"compare", results.string(), results.string(), "--out", (dir / "mine").string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("did not write this folder"));
    CHECK(test::slurp(dir / "mine" / "data.csv") == "x,y\n1,2\n");
    // export into the results folder it reads from: refused.
    r = test::run_cli({"export", results.string(), results.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK(fs::exists(results / "summary.json"));

    // --out . from inside the results: a clear refusal, not "Device or resource busy".
    const fs::path here = fs::current_path();
    fs::current_path(results);
    r = test::run_cli({"run", (demo / "scenarios" / "baseline.yaml").string(), "--out", ".", "--overwrite", "-q"});
    fs::current_path(here);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("the folder you are working in"));
    CHECK(test::folder_files(demo) == before);
}

TEST_CASE("overwrite: the demo's inputs and scenarios survive re-running its scenarios, and edited files stop a replacement",
          "[cli][overwrite]") {
    test::TempDir dir;
    const fs::path demo = dir / "demo";
    REQUIRE(test::run_cli({"demo", "--out", demo.string(), "-q"}).exit_code == 0);
    const fs::path scenarios = demo / "scenarios", results = demo / "results";
    auto user_files = [&] {  // the demo's inputs and scenarios: the files a planner edits and reruns
        auto files = test::folder_files(demo / "inputs");
        for (auto& [name, bytes] : test::folder_files(scenarios)) files["scenarios/" + name] = bytes;
        return files;
    };
    const auto before = user_files();
    REQUIRE(before.size() >= 10);

    // Re-running the baseline into its results folder replaces the results only.
    auto r = test::run_cli({"run", (scenarios / "baseline.yaml").string(), "--out", (results / "baseline").string(),
                            "--overwrite", "-q"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(user_files() == before);
    // A what-if beside it, then the whole demo again: every file is accessplan's, unchanged, so it is replaced.
    REQUIRE(test::run_cli({"run", (scenarios / "new_ferry.yaml").string(), "--out", (results / "new_ferry").string(), "-q"})
                .exit_code == 0);
    r = test::run_cli({"demo", "--out", demo.string(), "--overwrite"});
    CHECK(r.exit_code == 0);
    CHECK(user_files() == before);
    // ... and says so: the what-if's results went with it (the baseline's it makes again).
    CHECK_THAT(r.err, Catch::Contains("note: --overwrite replaced " + (results / "new_ferry").string()));
    CHECK_THAT(r.err, !Catch::Contains("replaced " + (results / "baseline").string()));
    CHECK_FALSE(fs::exists(results / "new_ferry"));

    // In a batch too: results written later inside a scenario's folder go with it, and the run says so.
    const fs::path batch = dir / "batch";
    REQUIRE(test::run_cli({"run", (scenarios / "baseline.yaml").string(), (scenarios / "new_ferry.yaml").string(), "--out",
                           batch.string(), "-q"}).exit_code == 0);
    REQUIRE(test::run_cli({"run", (scenarios / "new_ferry.yaml").string(), "--out", (batch / "baseline" / "inner").string(),
                           "-q"}).exit_code == 0);
    r = test::run_cli({"run", (scenarios / "baseline.yaml").string(), (scenarios / "new_ferry.yaml").string(), "--out",
                       batch.string(), "--overwrite"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("note: --overwrite replaced " + (batch / "baseline" / "inner").string()));
    CHECK(user_files() == before);

    // An edited scenario is the user's now: the demo is not re-made over it.
    std::ofstream(scenarios / "new_ferry.yaml", std::ios::app) << "# my change\n";
    const auto edited = test::slurp(scenarios / "new_ferry.yaml");
    r = test::run_cli({"demo", "--out", demo.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("new_ferry.yaml") && Catch::Contains("changed after accessplan wrote it"));
    CHECK(test::slurp(scenarios / "new_ferry.yaml") == edited);
    // ... and a results file edited by hand stops its folder's replacement too.
    std::ofstream(results / "baseline" / "summary.csv", std::ios::app) << "my row\n";
    r = test::run_cli({"run", (scenarios / "baseline.yaml").string(), "--out", (results / "baseline").string(),
                       "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("summary.csv") && Catch::Contains("changed after accessplan wrote it"));
    CHECK_THAT(test::slurp(results / "baseline" / "summary.csv"), Catch::EndsWith("my row\n"));
    // Running a scenario into the demo folder itself, or into results/ above the baseline: refused.
    r = test::run_cli({"run", (scenarios / "baseline.yaml").string(), "--out", demo.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("an input of this run"));
    r = test::run_cli({"run", (scenarios / "baseline.yaml").string(), "--out", results.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK(fs::exists(results / "baseline" / "summary.json"));
}
