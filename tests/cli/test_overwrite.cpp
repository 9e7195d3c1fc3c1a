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
    auto r = test::run_cli({"run", (demo / "baseline.yaml").string(), "--out", demo.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("an input of this run"));
    CHECK(test::folder_files(demo) == before);
    // A folder above the inputs: refused too.
    r = test::run_cli({"run", (demo / "baseline.yaml").string(), "--out", dir.path().string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK(test::folder_files(demo) == before);

    // Results of their own are replaced; a file the user added to them stops the replacement.
    const fs::path results = dir / "results";
    REQUIRE(test::run_cli({"run", (demo / "baseline.yaml").string(), "--out", results.string(), "-q"}).exit_code == 0);
    std::ofstream(results / "notes.txt") << "my notes\n";
    r = test::run_cli({"run", (demo / "baseline.yaml").string(), "--out", results.string(), "--overwrite", "-q"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("notes.txt") && Catch::Contains("did not write"));
    CHECK(test::slurp(results / "notes.txt") == "my notes\n");
    fs::remove(results / "notes.txt");
    CHECK(test::run_cli({"run", (demo / "baseline.yaml").string(), "--out", results.string(), "--overwrite", "-q"}).exit_code == 0);

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
    r = test::run_cli({"run", (demo / "baseline.yaml").string(), "--out", ".", "--overwrite", "-q"});
    fs::current_path(here);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("the folder you are working in"));
    CHECK(test::folder_files(demo) == before);
}
