// Rankings under uncertainty on the demo province: `rank --draws N --seed S` re-ranks every programme under resampled
// children (per zone) and costs, from the reaches computed once. Checked: the same seed gives the same answer with 1
// and 2 threads; without any variation every draw is the ranking itself; with variation the shares are those
// robustness.csv, ranking.csv and summary.json agree on, and a wide cost spread unsettles some sites.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

std::vector<geodata::Feature> rows_of(const fs::path& csv) { return geodata::read_features(csv, geodata::wgs84(), {}); }

}  // namespace

TEST_CASE("draws: reproducible, exact without variation, shares that agree", "[integration][ranking][draws]") {
    test::TempDir dir;
    auto demo = test::run_cli({"demo", "--out", (dir / "demo").string(), "-q"});
    INFO(demo.err);
    REQUIRE(demo.exit_code == 0);
    const fs::path scenarios = dir / "demo" / "scenarios";

    // No variation: every draw is the ranking itself, so every ranked site is funded in all of them.
    std::ofstream(scenarios / "still.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: still\n"
                                               "ranking: {uncertainty: {draws: 5, population_pct: 0, cost_pct: 0}}\n";
    auto still = test::run_cli({"run", (scenarios / "still.yaml").string(), "--out", (dir / "still").string(), "-q"});
    INFO(still.err);
    REQUIRE(still.exit_code == 0);
    const auto ranked = rows_of(dir / "still" / "ranking.csv");
    REQUIRE(!ranked.empty());
    for (const auto& r : ranked) CHECK(std::stod(r.attribute("funded_share")) == 1.0);
    for (const auto& r : rows_of(dir / "still" / "robustness.csv")) {
        CHECK(std::stod(r.attribute("funded_share")) == 1.0);
        CHECK(!r.attribute("rank").empty());  // no site outside the ranking is funded by any draw
    }

    // Wide spreads, the same seed with 1 and 2 threads: the same bytes.
    const std::string baseline = (scenarios / "baseline.yaml").string();
    std::ofstream(scenarios / "wide.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: wide\n"
                                              "ranking: {uncertainty: {population_pct: 30, cost_pct: 40}}\n";
    for (const char* threads : {"1", "2"}) {
        auto r = test::run_cli({"rank", (scenarios / "wide.yaml").string(), "--draws", "30", "--seed", "7", "--threads", threads,
                                "--out", (dir / fmt::format("wide{}", threads)).string(), "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    }
    for (const char* f : {"robustness.csv", "ranking.csv", "programmes.csv"})
        CHECK(test::slurp(dir / "wide1" / f) == test::slurp(dir / "wide2" / f));

    // The shares agree: ranking.csv's funded_share is robustness.csv's for the same rank; the robust core per
    // programme in summary.json counts the ranked sites at >= 90%; some site is not funded in every draw.
    const fs::path out = dir / "wide2";
    std::map<std::string, double> share_by_rank;
    std::map<std::string, std::size_t> core;
    bool unsettled = false;
    for (const auto& r : rows_of(out / "robustness.csv")) {
        const double share = std::stod(r.attribute("funded_share"));
        CHECK(share >= 0.0);
        CHECK(share <= 1.0);
        CHECK((share > 0.0 || !r.attribute("rank").empty()));  // listed: funded by a draw, or ranked
        CHECK(std::stod(r.attribute("children_min")) <= std::stod(r.attribute("children_max")));
        if (r.attribute("rank").empty()) continue;
        share_by_rank[r.attribute("rank")] = share;
        if (share >= 0.9) ++core[r.attribute("programme")];
        CHECK(r.attribute("robust") == (share >= 0.9 ? "1" : "0"));
        unsettled = unsettled || share < 1.0;
    }
    CHECK(unsettled);
    for (const auto& r : rows_of(out / "ranking.csv")) {
        REQUIRE(share_by_rank.count(r.attribute("rank")));
        CHECK(share_by_rank[r.attribute("rank")] == std::stod(r.attribute("funded_share")));
    }
    const auto summary = nlohmann::json::parse(test::slurp(out / "summary.json"));
    CHECK(summary.at("ranking").at("uncertainty").at("draws") == 30);
    CHECK(summary.at("ranking").at("uncertainty").at("seed") == 7);
    CHECK(summary.at("ranking").at("uncertainty").at("population_unit") == "zone");
    for (const auto& p : summary.at("ranking").at("programmes")) {
        INFO(p.at("name"));
        CHECK(p.at("draws").at("robust_core").get<std::size_t>() == core[p.at("name").get<std::string>()]);
        CHECK(p.at("draws").at("children_p5").get<double>() <= p.at("draws").at("children_p95").get<double>());
    }
    // A different seed: other draws.
    auto other = test::run_cli({"rank", (scenarios / "wide.yaml").string(), "--draws", "30", "--seed", "8", "--out",
                                (dir / "other").string(), "-q"});
    REQUIRE(other.exit_code == 0);
    CHECK(test::slurp(dir / "other" / "robustness.csv") != test::slurp(out / "robustness.csv"));
}
