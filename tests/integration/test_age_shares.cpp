// Target groups from total population x a census age-share table per admin unit, on a scenario small enough to
// work out by hand.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {
void write_inputs(const fs::path& dir) {
    // Two communes A (west) and B (east) over 1 km x 1 km in UTM 48N, 10 people per 100 m cell.
    std::ofstream(dir / "zones.geojson") << R"({"type":"FeatureCollection",
      "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32648"}},
      "features":[
       {"type":"Feature","properties":{"code":"A","name":"Xã A"},"geometry":{"type":"Polygon","coordinates":[[[500000,2000000],[500500,2000000],[500500,2001000],[500000,2001000],[500000,2000000]]]}},
       {"type":"Feature","properties":{"code":"B","name":"Xã B"},"geometry":{"type":"Polygon","coordinates":[[[500500,2000000],[501000,2000000],[501000,2001000],[500500,2001000],[500500,2000000]]]}}]})";
    Grid<float> pop(make_grid_spec(10, 10, 100.0, 500000.0, 2001000.0, geodata::crs_from_user("EPSG:32648", "test")), 10.0f);
    geodata::write_geotiff(dir / "pop.tif", pop);
    std::ofstream(dir / "fac.csv") << "type,name,x,y\nprimary_school,Truong A,500050,2000950\n";
}

void write_scenario(const fs::path& dir, const std::string& shares) {
    std::ofstream(dir / "shares.csv") << shares;
    std::ofstream(dir / "s.yaml") << "schema_version: 1\n"
                                     "area: {boundary: zones.geojson, buffer_m: 0}\n"
                                     "population: {total: pop.tif, age_shares: {file: shares.csv, code_field: code}}\n"
                                     "facilities: {file: fac.csv}\n"
                                     "travel: {landcover: {uniform: 40}}\n"
                                     "zones: {file: zones.geojson, code_field: code, name_field: name}\n"
                                     "services: [{name: primary_school, facility_types: [primary_school], "
                                     "target_group: primary, threshold_min: 30}]\n";
}
}  // namespace

TEST_CASE("children from a census age-share table per commune", "[integration][ageshares]") {
    test::TempDir dir;
    write_inputs(dir.path());
    // primary = ages 6-10: 4/5 of age_5_9 + 1/5 of age_10_14.
    write_scenario(dir.path(), "code,name,age_0_4,age_5_9,age_10_14\nA,Xa A,0.08,0.10,0.05\nB,Xa B,0.10,0.20,0.10\n");
    auto scenario = scenarios::load_scenario(dir / "s.yaml");
    fs::create_directories(dir / "out");
    auto r = scenarios::run_scenario(scenario, dir / "out");
    REQUIRE(r.services.size() == 1);
    // A: 500 people x (0.8 x 0.10 + 0.2 x 0.05) = 45; B: 500 x (0.8 x 0.20 + 0.2 x 0.10) = 90.
    CHECK(r.services[0].access.children == Approx(135.0).epsilon(1e-4));
    REQUIRE(r.zones.size() == 2);
    CHECK(r.zones[0].code == "A");
    CHECK(r.zones[0].per_service[0].access.children == Approx(45.0).epsilon(1e-4));
    CHECK(r.zones[1].per_service[0].access.children == Approx(90.0).epsilon(1e-4));
    // Three 5-year columns are too few for a split by single years: the run says the split is even.
    CHECK(std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
        return w.find("shares.csv") != std::string::npos && w.find("age_5_9, age_10_14 evenly by year") != std::string::npos;
    }));
}

TEST_CASE("census 5-year shares: columns split by Sprague's single years of each zone", "[integration][ageshares][sprague]") {
    test::TempDir dir;
    write_inputs(dir.path());
    // Zone A: a pyramid with some curvature; zone B: flat, where the split is the even one.
    write_scenario(dir.path(), "code,age_0_4,age_5_9,age_10_14,age_15_19,age_20_24\n"
                               "A,0.14,0.13,0.10,0.08,0.07\nB,0.1,0.1,0.1,0.1,0.1\n");
    auto scenario = scenarios::load_scenario(dir / "s.yaml");
    fs::create_directories(dir / "out");
    auto r = scenarios::run_scenario(scenario, dir / "out");
    // A, ages 6-10 by hand from Shryock & Siegel's multipliers on its five groups G0..G4: ages 6-9 from rows 2-5 of
    // the second panel, age 10 from row 1 of the middle panel (all positive here: no clamping).
    const double g0 = 0.14, g1 = 0.13, g2 = 0.10, g3 = 0.08, g4 = 0.07;
    const double y6 = 0.0080 * g0 + 0.2320 * g1 - 0.0480 * g2 + 0.0080 * g3;
    const double y7 = -0.0080 * g0 + 0.2160 * g1 - 0.0080 * g2;
    const double y8 = -0.0160 * g0 + 0.1840 * g1 + 0.0400 * g2 - 0.0080 * g3;
    const double y9 = -0.0176 * g0 + 0.1408 * g1 + 0.0912 * g2 - 0.0144 * g3;
    const double y10 = -0.0128 * g0 + 0.0848 * g1 + 0.1504 * g2 - 0.0240 * g3 + 0.0016 * g4;
    const double a = 500.0 * (y6 + y7 + y8 + y9 + y10);
    const double a_even = 500.0 * (0.8 * g1 + 0.2 * g2);
    REQUIRE(r.zones.size() == 2);
    CHECK(r.zones[0].per_service[0].access.children == Approx(a).epsilon(1e-5));
    CHECK(std::abs(a - a_even) > 0.1);                                              // 62.296 against 62.0
    CHECK(r.zones[1].per_service[0].access.children == Approx(50.0).epsilon(1e-6));  // 500 x 0.1
    CHECK(r.services[0].access.children == Approx(a + 50.0).epsilon(1e-5));
    CHECK(std::none_of(r.warnings.begin(), r.warnings.end(),
                       [](const std::string& w) { return w.find("evenly by year") != std::string::npos; }));
}

TEST_CASE("bad age-share tables are input errors naming the file and row", "[integration][ageshares][errors]") {
    test::TempDir dir;
    write_inputs(dir.path());
    fs::create_directories(dir / "out");
    auto run = [&](const std::string& shares) {
        write_scenario(dir.path(), shares);
        auto scenario = scenarios::load_scenario(dir / "s.yaml");
        scenarios::run_scenario(scenario, dir / "out");
    };
    REQUIRE_THROWS_WITH(run("code,age_5_9,age_10_14\nA,0.1,0.05\n"),
                        Catch::Contains("shares.csv") && Catch::Contains("have no row: B"));
    REQUIRE_THROWS_WITH(run("code,age_5_9,age_10_14\nA,1.5,0.05\nB,0.2,0.1\n"),
                        Catch::Contains("row 2 (zone A)") && Catch::Contains("from 0 to 1"));
    REQUIRE_THROWS_WITH(run("code,age_5_9,age_10_14\nA,0.7,0.6\nB,0.2,0.1\n"), Catch::Contains("more than 1"));
    REQUIRE_THROWS_WITH(run("code,age_5_9\nA,0.1\nB,0.2\n"), Catch::Contains("do not cover ages 6-10"));
    REQUIRE_THROWS_WITH(run("zone,age_5_9,age_10_14\nA,0.1,0.1\n"), Catch::Contains("no column 'code'"));
}

TEST_CASE("a service with no facilities: every child is in the gap, reported, no crash", "[integration][errors]") {
    test::TempDir dir;
    write_inputs(dir.path());
    write_scenario(dir.path(), "code,age_5_9,age_10_14\nA,0.1,0.05\nB,0.2,0.1\n");
    std::ofstream(dir / "s2.yaml") << "schema_version: 1\n"
                                      "area: {boundary: zones.geojson, buffer_m: 0}\n"
                                      "population: {total: pop.tif, age_shares: {file: shares.csv}}\n"
                                      "facilities: {file: fac.csv}\n"
                                      "travel: {landcover: {uniform: 40}}\n"
                                      "zones: {file: zones.geojson, code_field: code}\n"
                                      "services: [{name: clinic, facility_types: [clinic], target_group: primary, threshold_min: 30}]\n";
    auto scenario = scenarios::load_scenario(dir / "s2.yaml");
    fs::create_directories(dir / "out");
    auto r = scenarios::run_scenario(scenario, dir / "out");
    REQUIRE(r.services.size() == 1);
    const auto& a = r.services[0].access;
    CHECK(a.children == Approx(135.0).epsilon(1e-4));
    CHECK(a.unreachable == Approx(a.children));
    CHECK(a.within_threshold == 0.0);
    REQUIRE(r.services[0].gaps.size() == 1);  // the whole area is one gap holding every child
    CHECK(r.services[0].gaps[0].children == Approx(135.0).epsilon(1e-4));
    CHECK(std::any_of(r.warnings.begin(), r.warnings.end(),
                      [](const std::string& w) { return w.find("no facility in fac.csv has type 'clinic'") != std::string::npos; }));
}

TEST_CASE("WorldPop's one-file-per-class age/sex rasters", "[integration][worldpop]") {
    test::TempDir dir;
    write_inputs(dir.path());
    const GridSpec spec = make_grid_spec(10, 10, 100.0, 500000.0, 2001000.0, geodata::crs_from_user("EPSG:32648", "test"));
    for (auto [name, value] : {std::pair{"vnm_f_5_2020.tif", 1.0f}, {"vnm_m_5_2020.tif", 1.0f},
                               {"vnm_f_10_2020_constrained.tif", 2.0f}, {"VNM_M_10_2020.tif", 2.0f}})
        geodata::write_geotiff(dir / name, Grid<float>(spec, value));
    auto scenario_with = [&](const std::string& files) {
        std::ofstream(dir / "wp.yaml") << "schema_version: 1\narea: {boundary: zones.geojson, buffer_m: 0}\n"
                                          "population: {total: pop.tif, age_sex: [" << files << "]}\n"
                                          "facilities: {file: fac.csv}\ntravel: {landcover: {uniform: 40}}\n"
                                          "services: [{name: primary_school, facility_types: [primary_school], "
                                          "target_group: primary, threshold_min: 30}]\n";
        return scenarios::load_scenario(dir / "wp.yaml");
    };
    fs::create_directories(dir / "out");
    auto r = scenarios::run_scenario(
        scenario_with("vnm_f_5_2020.tif, vnm_m_5_2020.tif, vnm_f_10_2020_constrained.tif, VNM_M_10_2020.tif"), dir / "out");
    // Ages 6-10 per cell: 4/5 x (1 + 1) + 1/5 x (2 + 2) = 2.4; 100 cells. (Two 5-year bands per sex: too few for
    // single years by Sprague, so the even split, and the run says so.)
    CHECK(r.services[0].access.children == Approx(240.0).epsilon(1e-4));
    CHECK(std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
        return w.find("f_5, f_10, m_5, m_10 evenly by year") != std::string::npos;
    }));
    REQUIRE_THROWS_WITH(scenarios::run_scenario(scenario_with("vnm_f_5_2020.tif, vnm_m_5_2020.tif"), dir / "out"),
                        Catch::Contains("do not cover ages 6-10"));
    // One sex only would count half the children: refused, naming the missing sex.
    REQUIRE_THROWS_WITH(scenarios::run_scenario(scenario_with("vnm_f_5_2020.tif, vnm_f_10_2020_constrained.tif"), dir / "out"),
                        Catch::Contains("do not cover ages 6-10") && Catch::Contains("for males (m_ bands)"));
    geodata::write_geotiff(dir / "children.tif", Grid<float>(spec, 1.0f));
    REQUIRE_THROWS_WITH(scenarios::run_scenario(scenario_with("children.tif, vnm_f_5_2020.tif"), dir / "out"),
                        Catch::Contains("children.tif") && Catch::Contains("vnm_f_5_2020.tif (f or m"));
}

TEST_CASE("WorldPop bands split by Sprague's single years of the study area's totals", "[integration][worldpop][sprague]") {
    test::TempDir dir;
    write_inputs(dir.path());
    // The study area is commune A (the west half); the east half has a very different pyramid, which must not count.
    std::ofstream(dir / "a.geojson") << R"({"type":"FeatureCollection",
      "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32648"}},
      "features":[{"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[500000,2000000],[500500,2000000],[500500,2001000],[500000,2001000],[500000,2000000]]]}}]})";
    const GridSpec spec = make_grid_spec(10, 10, 100.0, 500000.0, 2001000.0, geodata::crs_from_user("EPSG:32648", "test"));
    // Females per cell, bands 0, 1-4, 5-9, 10-14, 15-19, 20-24 (five 5-year groups); males 1.1 times as many.
    const std::vector<std::pair<int, std::pair<float, float>>> per_cell{  // first age, (west, east)
        {0, {0.3f, 0.1f}}, {1, {1.1f, 0.4f}}, {5, {1.3f, 2.0f}}, {10, {1.0f, 0.5f}}, {15, {0.8f, 3.0f}}, {20, {0.7f, 0.2f}}};
    std::string files;
    for (const auto& [age, values] : per_cell)
        for (const auto& [sex, factor] : {std::pair{"f", 1.0f}, {"m", 1.1f}}) {
            Grid<float> band(spec, 0.0f);
            for (std::size_t row = 0; row < 10; ++row)
                for (std::size_t col = 0; col < 10; ++col) band(col, row) = factor * (col < 5 ? values.first : values.second);
            const std::string name = fmt::format("vnm_{}_{}_2020.tif", sex, age);
            geodata::write_geotiff(dir / name, band);
            files += (files.empty() ? "" : ", ") + name;
        }
    // A 300 m buffer puts three columns of commune B on the analysis grid, outside the study area.
    std::ofstream(dir / "wp.yaml") << "schema_version: 1\narea: {boundary: a.geojson, buffer_m: 300}\n"
                                      "population: {total: pop.tif, age_sex: [" << files << "]}\n"
                                      "facilities: {file: fac.csv}\ntravel: {landcover: {uniform: 40}}\n"
                                      "services: [{name: primary_school, facility_types: [primary_school], "
                                      "target_group: primary, threshold_min: 30}]\n";
    fs::create_directories(dir / "out");
    auto r = scenarios::run_scenario(scenarios::load_scenario(dir / "wp.yaml"), dir / "out");
    // Ages 6-10 of a west cell's females, from its groups G = (0.3 + 1.1, 1.3, 1.0, 0.8, 0.7) by Shryock & Siegel's
    // multipliers (the study area's totals are 50 such cells: the same shares): ages 6-9 from rows 2-5 of the second
    // panel, age 10 from row 1 of the middle panel.
    const double g0 = 1.4, g1 = 1.3, g2 = 1.0, g3 = 0.8, g4 = 0.7;
    const double y6_9 = (0.0080 - 0.0080 - 0.0160 - 0.0176) * g0 + (0.2320 + 0.2160 + 0.1840 + 0.1408) * g1 +
                        (-0.0480 - 0.0080 + 0.0400 + 0.0912) * g2 + (0.0080 + 0.0 - 0.0080 - 0.0144) * g3;
    const double y10 = -0.0128 * g0 + 0.0848 * g1 + 0.1504 * g2 - 0.0240 * g3 + 0.0016 * g4;
    const double expected = 50.0 * 2.1 * (y6_9 + y10);             // 130.82
    const double even = 50.0 * 2.1 * (0.8 * g1 + 0.2 * g2);        // 130.20
    CHECK(r.services[0].access.children == Approx(expected).epsilon(1e-5));
    CHECK(std::abs(expected - even) > 0.5);
    CHECK(std::none_of(r.warnings.begin(), r.warnings.end(),
                       [](const std::string& w) { return w.find("evenly by year") != std::string::npos; }));
}
