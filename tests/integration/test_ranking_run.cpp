// Ranking through the command line on a scenario small enough to reason about: one school in the west of a
// 3 km x 1 km area, candidate sites from a CSV file, exact and greedy.

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

// 30 x 10 cells of 100 m, 10 people per cell; grassland (class 30) walked at the default speed; a school at the
// west end. The scenario ranks new schools from candidates.csv.
void write_inputs(const fs::path& dir, const std::string& candidates, const std::string& ranking_extra = "") {
    std::ofstream(dir / "area.geojson") << R"({"type":"FeatureCollection",
      "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32648"}},
      "features":[{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[500000,2000000],[503000,2000000],[503000,2001000],[500000,2001000],[500000,2000000]]]}}]})";
    Grid<float> pop(make_grid_spec(30, 10, 100.0, 500000.0, 2001000.0, geodata::crs_from_user("EPSG:32648", "test")), 10.0f);
    geodata::write_geotiff(dir / "pop.tif", pop);
    std::ofstream(dir / "fac.csv") << "type,name,x,y\nprimary_school,Truong A,500050,2000500\n";
    std::ofstream(dir / "candidates.csv") << candidates;
    std::ofstream(dir / "s.yaml") << "schema_version: 1\n"
                                     "area: {boundary: area.geojson, buffer_m: 0}\n"
                                     "population: {total: pop.tif}\n"
                                     "facilities: {file: fac.csv}\n"
                                     "travel: {landcover: {uniform: 30}}\n"
                                     "services: [{name: school, facility_types: [primary_school], target_group: primary, "
                                     "threshold_min: 10}]\n"
                                     "ranking:\n"
                                     "  budget: 100\n"
                                     "  currency: USD\n"
                                     "  candidates: {file: candidates.csv, generate: false}\n"
                                  << ranking_extra;
}

}  // namespace

TEST_CASE("rank: file candidates, budget, exact vs greedy, and the outputs", "[integration][ranking]") {
    test::TempDir dir;
    // c1 and c2 cover the middle and the east; c3 overlaps c2; c4 is far outside the grid (reported, not ranked).
    write_inputs(dir.path(), "id,name,service,cost,x,y\n"
                             "c1,Mid,school,40,501500,2000500\n"
                             "c2,East,school,40,502500,2000500\n"
                             "c3,East bis,school,30,502300,2000500\n"
                             "c4,Sea,school,10,540000,2000500\n");
    auto r = test::run_cli({"rank", (dir / "s.yaml").string(), "--out", (dir / "out").string(), "--exact"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("c4") && Catch::Contains("left out"));
    auto summary = nlohmann::json::parse(test::slurp(dir / "out" / "summary.json"));
    const auto& rk = summary.at("ranking");
    CHECK(rk.at("candidates").get<int>() == 3);
    CHECK(summary.at("spent").get<double>() <= 100.0);
    CHECK(rk.at("proven_optimal").get<bool>());
    CHECK(rk.at("exact_gain").get<double>() >= rk.at("greedy_gain").get<double>() - 1e-6);
    CHECK(rk.at("greedy_gap_pct").get<double>() >= -1e-9);
    // With 100 to spend: c1 + c2 (80) beat c1 + c3 (70), which overlap less well; nothing else fits.
    auto rows = geodata::read_features(dir / "out" / "ranking.csv", geodata::wgs84(), {});
    REQUIRE(rows.size() == 2);
    std::set<std::string> ids{rows[0].attribute("candidate_id"), rows[1].attribute("candidate_id")};
    CHECK(ids == std::set<std::string>{"c1", "c2"});
    CHECK(std::stod(rows[0].attribute("children_new")) > 0.0);
    CHECK_THAT(rows[0].attribute("reason"), Catch::Contains("people of all ages (no age data)"));
    CHECK_THAT(r.out, Catch::Contains("greedy gap"));
    // No age data: the report's ranking figures and table headers count people, not children.
    {
        const std::string html = test::slurp(dir / "out" / "report.html");
        const auto at = html.find("<section id=\"ranking\"");
        REQUIRE(at != std::string::npos);
        const std::string ranking = html.substr(at, html.find("</section>", at) - at);
        CHECK_THAT(ranking, Catch::Contains(" people newly within reach</p>") && Catch::Contains("<th>People newly") &&
                                !Catch::Contains("<th>Children newly") && !Catch::Contains("<th>Cumulative children") &&
                                Catch::Contains("No age data: \u201cchildren\u201d here are people of all ages."));
    }

    // The time-saved objective, chosen on the command line: child-minutes saved, reported per site.
    auto saved = test::run_cli({"rank", (dir / "s.yaml").string(), "--out", (dir / "saved").string(), "--objective", "time_saved"});
    REQUIRE(saved.exit_code == 0);
    CHECK(nlohmann::json::parse(test::slurp(dir / "saved" / "summary.json")).at("ranking").at("objective") == "time_saved");
    auto saved_rows = geodata::read_features(dir / "saved" / "ranking.csv", geodata::wgs84(), {});
    REQUIRE_FALSE(saved_rows.empty());
    CHECK(std::stod(saved_rows[0].attribute("minutes_saved")) > 0.0);
    CHECK_THAT(saved_rows[0].attribute("reason"), Catch::Contains("min sooner on average"));
    CHECK(test::run_cli({"rank", (dir / "s.yaml").string(), "--objective", "fastest"}).exit_code == 2);

    // A budget override below the cheapest site: an empty ranking and a clear warning, not an error.
    auto poor = test::run_cli({"rank", (dir / "s.yaml").string(), "--out", (dir / "poor").string(), "--budget", "5"});
    CHECK(poor.exit_code == 0);
    CHECK_THAT(poor.err, Catch::Contains("below the cheapest"));
    CHECK_THAT(poor.err, !Catch::Contains("the cheapest site that would still reach anyone new"));  // said once, not twice
    CHECK(geodata::read_features(dir / "poor" / "ranking.csv", geodata::wgs84(), {}).empty());
}

TEST_CASE("rank: bad candidates and ranking settings are input errors (exit 3)", "[integration][ranking][errors]") {
    test::TempDir dir;
    write_inputs(dir.path(), "id,service,cost,x,y\nc1,clinic,40,501500,2000500\n");
    auto unknown = test::run_cli({"rank", (dir / "s.yaml").string(), "--out", (dir / "o1").string()});
    CHECK(unknown.exit_code == 3);
    CHECK_THAT(unknown.err, Catch::Contains("candidates.csv") && Catch::Contains("'clinic'") && Catch::Contains("use one of school"));
    CHECK_FALSE(fs::exists(dir / "o1"));

    write_inputs(dir.path(), "id,service,cost,x,y\nc1,school,0,501500,2000500\n");
    auto free_site = test::run_cli({"rank", (dir / "s.yaml").string(), "--out", (dir / "o2").string()});
    CHECK(free_site.exit_code == 3);
    CHECK_THAT(free_site.err, Catch::Contains("costs 0") && Catch::Contains("positive"));

    write_inputs(dir.path(), "id,service,cost,x,y\nc1,school,10,501500,2000500\n", "  costs: {clinic: 5}\n  objective: fastest\n");
    auto run = test::run_cli({"rank", (dir / "s.yaml").string(), "--out", (dir / "o3").string()});
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("s.yaml:") && Catch::Contains("ranking.costs.clinic") &&
                            Catch::Contains("ranking.objective") && Catch::Contains("time_saved"));

    // Wrong shapes are reported with their place, all at once, not as a crash of the YAML reader.
    write_inputs(dir.path(), "id,service,cost,x,y\nc1,school,10,501500,2000500\n",
                 "  costs: {school: -5}\n  drowning: {services: school}\n");
    std::ofstream(dir / "s.yaml", std::ios::app) << "  exact: maybe\n";
    auto shapes = test::run_cli({"rank", (dir / "s.yaml").string(), "--out", (dir / "o5").string()});
    CHECK(shapes.exit_code == 3);
    CHECK_THAT(shapes.err, Catch::Contains("ranking.costs.school: -5 is out of range") &&
                               Catch::Contains("ranking.drowning.services: expected a list") &&
                               Catch::Contains("ranking.exact: expected true or false"));

    // A scenario without a ranking section cannot be ranked.
    std::ofstream(dir / "plain.yaml") << "schema_version: 1\narea: {boundary: area.geojson, buffer_m: 0}\n"
                                         "population: {total: pop.tif}\nfacilities: {file: fac.csv}\n"
                                         "travel: {landcover: {uniform: 30}}\n"
                                         "services: [{name: school, facility_types: [primary_school], target_group: primary, "
                                         "threshold_min: 10}]\n";
    auto plain = test::run_cli({"rank", (dir / "plain.yaml").string(), "--out", (dir / "o4").string()});
    CHECK(plain.exit_code == 3);
    CHECK_THAT(plain.err, Catch::Contains("no ranking section"));
}
