// Rankings under uncertainty on the demo province: `rank --draws N --seed S` re-ranks every programme under resampled
// children (per zone) and costs, from the reaches computed once. Checked: the same seed gives the same answer with 1
// and 2 threads; without any variation every draw is the ranking itself; with variation the shares are those
// robustness.csv, ranking.csv and summary.json agree on, and a wide cost spread unsettles some sites. Speeds drawn class
// by class: a draw's ranking equals a run whose scenario sets those speeds. Spreads without draws are said, not ignored.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "accessplan/engine/travel_model.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/scenarios/scenario.hpp"
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
                                               "ranking: {uncertainty: {draws: 5, population_pct: 0, cost_pct: 0, speed_pct: 0}}\n";
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

    // Speeds alone drawn (every speed of a mode x 0.8..1.2, nothing else): the ranking itself is unchanged (the
    // reaches filtered at factor 1 are today's) and some of its sites are no longer funded in every draw.
    {
        std::ofstream(scenarios / "speeds.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: speeds\n"
                                                    "ranking: {uncertainty: {draws: 20, population_pct: 0, cost_pct: 0, speed_pct: 20}}\n";
        auto r = test::run_cli({"run", (scenarios / "speeds.yaml").string(), "--out", (dir / "speeds").string(), "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto drawn = rows_of(dir / "speeds" / "ranking.csv");
        REQUIRE(drawn.size() == ranked.size());
        bool unsettled = false;
        for (std::size_t k = 0; k < drawn.size(); ++k) {
            CHECK(drawn[k].attribute("candidate_id") == ranked[k].attribute("candidate_id"));
            unsettled = unsettled || std::stod(drawn[k].attribute("funded_share")) < 1.0;
        }
        CHECK(unsettled);
        const auto summary = nlohmann::json::parse(test::slurp(dir / "speeds" / "summary.json"));
        CHECK(summary.at("ranking").at("uncertainty").at("speed_pct").get<double>() == 20.0);
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
    // Neighbours: a site's draws with its neighbours (same service, within near_m = 500 m, from robustness.csv's x, y)
    // are at least its own and at least each neighbour's.
    {
        const auto all = rows_of(out / "robustness.csv");
        for (const auto& a : all) {
            const double own = std::stod(a.attribute("funded_share")), area = std::stod(a.attribute("area_funded_share"));
            CHECK(area >= own);
            CHECK(area <= 1.0);
            for (const auto& b : all)
                if (b.attribute("service") == a.attribute("service") && b.attribute("programme") == a.attribute("programme") &&
                    std::hypot(std::stod(a.attribute("x")) - std::stod(b.attribute("x")), std::stod(a.attribute("y")) - std::stod(b.attribute("y"))) <= 500.0)
                    CHECK(area >= std::stod(b.attribute("funded_share")) - 1e-9);
        }
        for (const auto& p : summary.at("ranking").at("programmes"))
            CHECK(p.at("draws").at("robust_core_with_neighbours").get<std::size_t>() >= p.at("draws").at("robust_core").get<std::size_t>());
    }
    // Funded neighbours flagged: near_funded names the nearest other ranked site of the service within 500 m, and
    // its distance, found here from ranking.csv's x, y; a site without one has none that near.
    {
        const auto ranked_rows = rows_of(out / "ranking.csv");
        std::size_t flagged = 0;
        for (const auto& a : ranked_rows) {
            double best = INFINITY;
            std::string nearest;
            for (const auto& b : ranked_rows) {
                if (&a == &b || a.attribute("service") != b.attribute("service")) continue;
                const double d = std::hypot(std::stod(a.attribute("x")) - std::stod(b.attribute("x")),
                                            std::stod(a.attribute("y")) - std::stod(b.attribute("y")));
                if (d < best) {
                    best = d;
                    nearest = b.attribute("candidate_id");
                }
            }
            INFO(a.attribute("candidate_id"));
            if (best <= 500.0) {
                ++flagged;
                CHECK(a.attribute("near_funded") == fmt::format("{} ({:.0f} m)", nearest, best));
                CHECK_THAT(a.attribute("reason"), Catch::Contains("also funded"));
            } else {
                CHECK(a.attribute("near_funded").empty());
            }
        }
        bool warned = false;
        for (const auto& w : summary.at("warnings"))
            warned = warned || w.get<std::string>().find("within 500 m (ranking.near_m)") != std::string::npos;
        CHECK(warned == (flagged > 0));
    }
    // A different seed: other draws.
    auto other = test::run_cli({"rank", (scenarios / "wide.yaml").string(), "--draws", "30", "--seed", "8", "--out",
                                (dir / "other").string(), "-q"});
    REQUIRE(other.exit_code == 0);
    CHECK(test::slurp(dir / "other" / "robustness.csv") != test::slurp(out / "robustness.csv"));

    // Spreads without draws (draws: 0 in the file, no --draws): nothing is drawn, and the run says so; with draws it
    // does not.
    const auto has_note = [](const fs::path& summary_file) {
        bool found = false;
        const auto summary_json = nlohmann::json::parse(test::slurp(summary_file));
        for (const auto& w : summary_json.at("warnings"))
            found = found || w.get<std::string>().find("gives spreads but no draws") != std::string::npos;
        return found;
    };
    CHECK_FALSE(has_note(out / "summary.json"));
    std::ofstream(scenarios / "undrawn.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: undrawn\n"
                                                 "ranking: {uncertainty: {draws: 0, population_pct: 30}}\n";
    auto undrawn = test::run_cli({"run", (scenarios / "undrawn.yaml").string(), "--out", (dir / "undrawn").string(), "-q"});
    REQUIRE(undrawn.exit_code == 0);
    CHECK(has_note(dir / "undrawn" / "summary.json"));
    CHECK_FALSE(fs::exists(dir / "undrawn" / "robustness.csv"));
}

TEST_CASE("draws of speeds class by class: a draw ranks as a run whose scenario sets the drawn speeds",
          "[integration][ranking][draws]") {
    test::TempDir dir;
    auto demo = test::run_cli({"demo", "--out", (dir / "demo").string(), "-q"});
    INFO(demo.err);
    REQUIRE(demo.exit_code == 0);
    const fs::path scenarios = dir / "demo" / "scenarios";
    const std::string common = "schema_version: 1\nbase: baseline.yaml\n";
    // The candidates: a file, so that every run ranks the same sites (generated sites follow the gaps, which move with
    // the speeds): the sites today's ranking funds or any of its draws does, and each 1.5 km east and north of them.
    std::ofstream(scenarios / "today.yaml") << common << "name: today\nranking:\n  plan: null\n";
    auto today = test::run_cli({"run", (scenarios / "today.yaml").string(), "--out", (dir / "today").string(), "-q"});
    INFO(today.err);
    REQUIRE(today.exit_code == 0);
    {
        std::ofstream csv(scenarios / "candidates.csv");
        csv << "id,service,cost,x,y\n";
        std::map<std::string, std::string> cost;
        for (const auto& r : rows_of(dir / "today" / "ranking.csv")) cost[r.attribute("service")] = r.attribute("cost");
        std::size_t n = 0;
        for (const auto& r : rows_of(dir / "today" / "robustness.csv")) {
            if (!cost.count(r.attribute("service"))) continue;
            const double x = std::stod(r.attribute("x")), y = std::stod(r.attribute("y"));
            csv << fmt::format("c{},{},{},{:.1f},{:.1f}\n", n, r.attribute("service"), cost[r.attribute("service")], x, y);
            csv << fmt::format("c{}e,{},{},{:.1f},{:.1f}\n", n, r.attribute("service"), cost[r.attribute("service")], x + 1500, y + 1500);
            ++n;
        }
        REQUIRE(n > 20);
    }
    const std::string ranking = "ranking:\n  plan: null\n  candidates: {file: candidates.csv, generate: false}\n";

    // One draw, nothing drawn but the speeds of four classes (every mode alike), and of snow and ice, which the demo
    // province does not have (a warning says it changes nothing).
    std::ofstream(scenarios / "classes.yaml")
        << common << "name: classes\n" << ranking
        << "  uncertainty: {draws: 1, seed: 3, population_pct: 0, cost_pct: 0, speed_pct: 0,\n"
           "                speed_pct_by_class: {track: 40, tertiary: 30, path: 40, cropland: 40, snow_ice: 10}}\n";
    auto drawn = test::run_cli({"run", (scenarios / "classes.yaml").string(), "--out", (dir / "classes").string(), "-q"});
    INFO(drawn.err);
    REQUIRE(drawn.exit_code == 0);
    const auto summary = nlohmann::json::parse(test::slurp(dir / "classes" / "summary.json"));
    const auto& u = summary.at("ranking").at("uncertainty");
    REQUIRE(u.at("speed_draws").size() == 1);
    const auto factors = u.at("speed_draws")[0].at("by_class").get<std::map<std::string, double>>();
    REQUIRE(factors.size() == 5);
    std::size_t idle = 0;
    for (const auto& w : summary.at("warnings"))
        if (w.get<std::string>().find("speed_pct_by_class: snow_ice change(s) nothing") != std::string::npos) ++idle;
    CHECK(idle == 1);
    for (const auto& [name, f] : factors) {
        INFO(name);
        const double spread = name == "tertiary" ? 0.3 : name == "snow_ice" ? 0.1 : 0.4;
        CHECK(f >= 1.0 - spread);
        CHECK(f <= 1.0 + spread);
    }
    CHECK(u.at("speed_draws")[0].at("by_mode").empty());

    // The same speeds written in the scenario (each mode's speed of the class x its factor), ranked with no draws.
    const scenarios::Scenario base = scenarios::load_scenario(scenarios / "baseline.yaml");
    std::string modes = "travel:\n  modes:\n";
    for (const auto& [name, mode] : base.modes) {
        std::string roads, cover;
        for (const char* road : {"track", "tertiary", "path"}) {
            const auto cls = road_class_from_osm(road);
            REQUIRE(cls);
            roads += fmt::format("{}{}: {:.17g}", roads.empty() ? "" : ", ", road,
                                 mode.road_speed_kmh[static_cast<std::size_t>(*cls)] * factors.at(road));
        }
        if (mode.landcover_speed_kmh.count(landcover::cropland))
            cover = fmt::format("{}: {:.17g}", landcover::cropland, mode.landcover_speed_kmh.at(landcover::cropland) * factors.at("cropland"));
        modes += fmt::format("    {}: {{road_speed_kmh: {{{}}}, landcover_speed_kmh: {{{}}}}}\n", name, roads, cover);
    }
    std::ofstream(scenarios / "at_speeds.yaml") << common << "name: at_speeds\n" << modes << ranking << "  uncertainty: {draws: 0}\n";
    auto plain = test::run_cli({"run", (scenarios / "at_speeds.yaml").string(), "--out", (dir / "at_speeds").string(), "-q"});
    INFO(plain.err);
    REQUIRE(plain.exit_code == 0);
    std::map<std::string, double> ranked;  // the run at the drawn speeds: site -> children newly within reach
    for (const auto& r : rows_of(dir / "at_speeds" / "ranking.csv")) ranked[r.attribute("candidate_id")] = std::stod(r.attribute("children_new"));
    REQUIRE(ranked.size() > 10);
    std::map<std::string, double> funded;  // the draw: the sites it funded (share 1 of one draw)
    for (const auto& r : rows_of(dir / "classes" / "robustness.csv"))
        if (std::stod(r.attribute("funded_share")) == 1.0) funded[r.attribute("candidate_id")] = std::stod(r.attribute("children_max"));
    CHECK(funded.size() == ranked.size());
    for (const auto& [id, children] : ranked) {
        INFO(id);
        REQUIRE(funded.count(id));
        CHECK(funded.at(id) == Approx(children).margin(0.06));  // ranking.csv and robustness.csv round to 0.1
    }

    // The drawn speeds change the ranking (else the check above would prove little): today's speeds rank otherwise.
    std::ofstream(scenarios / "file_today.yaml") << common << "name: file_today\n" << ranking << "  uncertainty: {draws: 0}\n";
    auto file_today = test::run_cli({"run", (scenarios / "file_today.yaml").string(), "--out", (dir / "file_today").string(), "-q"});
    INFO(file_today.err);
    REQUIRE(file_today.exit_code == 0);
    std::map<std::string, double> now;
    for (const auto& r : rows_of(dir / "file_today" / "ranking.csv")) now[r.attribute("candidate_id")] = std::stod(r.attribute("children_new"));
    CHECK(now != ranked);

    // A class that is no speed class: exit 3, naming the key and the classes there are.
    std::ofstream(scenarios / "bad_class.yaml") << common << "name: bad_class\nranking:\n"
                                                << "  uncertainty: {draws: 2, speed_pct_by_class: {highway: 20}}\n";
    auto bad = test::run_cli({"validate", (scenarios / "bad_class.yaml").string()});
    CHECK(bad.exit_code == 3);
    CHECK_THAT(bad.err, Catch::Contains("bad_class.yaml") && Catch::Contains("speed_pct_by_class.highway") &&
                            Catch::Contains("track") && Catch::Contains("cropland") && Catch::Contains("boat"));
}
