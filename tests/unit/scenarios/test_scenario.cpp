#include <catch2/catch.hpp>

#include <fstream>

#include "accessplan/scenarios/scenario.hpp"
#include "accessplan/engine/age_groups.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

namespace {
void touch(const std::filesystem::path& p) { std::ofstream(p) << "x"; }

const char* kGood = R"(schema_version: 1
name: test
area:
  boundary: area.gpkg
  cell_size_m: 100
population:
  total: pop.tif
facilities:
  file: fac.csv
travel:
  landcover: lc.tif
  modes:
    bicycle: {base: walking, road_speed_kmh: {tertiary: 12}, slope_aware: false}
target_groups:
  teens: {min_age: 11, max_age: 14}
services:
  - {name: primary_school, facility_types: [primary_school], target_group: primary, threshold_min: 30}
  - {name: secondary, facility_types: [lower_secondary_school], target_group: teens, threshold_min: 45, mode: bicycle}
)";
}  // namespace

TEST_CASE("a valid scenario loads with defaults and mode overrides", "[scenarios][scenario]") {
    test::TempDir dir;
    for (auto f : {"area.gpkg", "pop.tif", "fac.csv", "lc.tif"}) touch(dir / f);
    std::ofstream(dir / "s.yaml") << kGood;
    auto s = scenarios::load_scenario(dir / "s.yaml");
    CHECK(s.name == "test");
    CHECK(s.population == dir / "pop.tif");
    REQUIRE(s.services.size() == 2);
    CHECK(s.services[0].mode == "walking");
    CHECK(s.services[1].mode == "bicycle");
    CHECK(s.modes.at("bicycle").road_speed_kmh[static_cast<std::size_t>(RoadClass::tertiary)] == 12.0);
    CHECK_FALSE(s.modes.at("bicycle").slope_aware);
    CHECK(s.group("teens").max_age == 14);
    CHECK(s.group("primary").min_age == 6);
}

TEST_CASE("every problem of a scenario is reported at once with file:line:column", "[scenarios][scenario][errors]") {
    test::TempDir dir;
    touch(dir / "pop.tif");
    std::ofstream(dir / "bad.yaml") << R"(schema_version: 1
area:
  boundary: missing_area.gpkg
  cell_size: 100
population:
  total: pop.tif
facilities:
  file: fac.csv
travel:
  landcover: lc.tif
services:
  - {name: Primary School, facility_types: [primary_school], target_group: kids, threshold_min: -5, mode: horse}
)";
    try {
        scenarios::load_scenario(dir / "bad.yaml");
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        const std::string msg = e.what();
        CHECK_THAT(msg, Catch::Contains("bad.yaml:3:") && Catch::Contains("missing_area.gpkg"));
        CHECK_THAT(msg, Catch::Contains("area.cell_size") && Catch::Contains("did you mean 'cell_size_m'"));
        CHECK_THAT(msg, Catch::Contains("fac.csv") && Catch::Contains("lc.tif"));
        CHECK_THAT(msg, Catch::Contains("Primary School"));
        CHECK_THAT(msg, Catch::Contains("'kids' is not defined"));
        CHECK_THAT(msg, Catch::Contains("threshold_min") && Catch::Contains("-5"));
        CHECK_THAT(msg, Catch::Contains("'horse' is not a travel mode"));
        CHECK_THAT(msg, Catch::Contains("8 problem(s)"));
    }
}

TEST_CASE("malformed YAML and unsupported schema versions are input errors", "[scenarios][scenario][errors]") {
    test::TempDir dir;
    std::ofstream(dir / "broken.yaml") << "area: [1, 2\nservices: {";
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "broken.yaml"), Catch::Contains("broken.yaml:") && Catch::Contains("YAML"));
    std::ofstream(dir / "v2.yaml") << "schema_version: 2\n";
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "v2.yaml"), Catch::Contains("schema_version 1"));
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "none.yaml"), Catch::Contains("not found"));
}

TEST_CASE("WorldPop age bands are apportioned to target ages", "[engine][age]") {
    std::vector<AgeBand> bands;
    for (const char* n : {"f_0", "f_1", "f_5", "f_10", "f_15", "m_0", "m_1", "m_5", "m_10", "m_15", "f_80"}) {
        AgeBand b;
        REQUIRE(parse_worldpop_band(n, b));
        bands.push_back(b);
    }
    AgeBand b;
    CHECK_FALSE(parse_worldpop_band("population", b));
    CHECK_FALSE(parse_worldpop_band("f_x", b));
    auto primary = bands_for_age_range_evenly(bands, 6, 10);  // 4/5 of 5-9 and 1/5 of 10-14, both sexes
    std::map<std::string, double> w;
    for (const auto& x : primary) w[x.name] = x.weight;
    CHECK(w.size() == 4);
    CHECK(w["f_5"] == Approx(0.8));
    CHECK(w["m_10"] == Approx(0.2));
    auto under5 = bands_for_age_range_evenly(bands, 0, 4);
    w.clear();
    for (const auto& x : under5) w[x.name] = x.weight;
    CHECK(w["f_0"] == Approx(1.0));
    CHECK(w["m_1"] == Approx(1.0));
    CHECK(w.count("f_5") == 0);
}

TEST_CASE("area bbox and uniform land cover are validated", "[scenarios][scenario][errors]") {
    test::TempDir dir;
    for (auto f : {"area.gpkg", "pop.tif", "fac.osm.pbf"}) touch(dir / f);
    std::ofstream(dir / "ok.yaml") << "schema_version: 1\narea: {bbox: [105.79, 20.95, 105.87, 21.05]}\n"
                                      "population: {total: pop.tif}\nfacilities: {file: fac.osm.pbf}\n"
                                      "travel: {landcover: {uniform: 50}}\n"
                                      "services: [{name: school, facility_types: [school], target_group: primary, threshold_min: 30}]\n";
    auto s = scenarios::load_scenario(dir / "ok.yaml");
    REQUIRE(s.area_bbox);
    CHECK((*s.area_bbox)[2] == 105.87);
    CHECK(s.landcover_uniform == std::optional<std::uint8_t>(50));
    CHECK(scenarios::is_osm_file(s.facilities.file));
    std::ofstream(dir / "bad.yaml") << "schema_version: 1\narea: {bbox: [106, 21, 105, 20], boundary: area.gpkg}\n"
                                       "population: {total: pop.tif}\nfacilities: {file: fac.osm.pbf}\n"
                                       "travel: {landcover: {uniform: 300}}\n"
                                       "services: [{name: school, facility_types: [school], target_group: primary, threshold_min: 30}]\n";
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "bad.yaml"),
                        Catch::Contains("not both") && Catch::Contains("west < east") && Catch::Contains("0..255"));
}

TEST_CASE("negative or unknown speeds in a mode are reported with their key", "[scenarios][scenario][errors]") {
    test::TempDir dir;
    for (auto f : {"area.gpkg", "pop.tif", "fac.csv", "lc.tif"}) touch(dir / f);
    std::ofstream(dir / "speeds.yaml") << "schema_version: 1\narea: {boundary: area.gpkg}\npopulation: {total: pop.tif}\n"
                                          "facilities: {file: fac.csv}\n"
                                          "travel:\n  landcover: lc.tif\n  modes:\n"
                                          "    motorbike: {road_speed_kmh: {primary: -30, highwayy: 20}, landcover_speed_kmh: {40: -1}}\n"
                                          "services: [{name: clinic, facility_types: [clinic], target_group: under5, threshold_min: 60, mode: motorbike}]\n";
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "speeds.yaml"),
                        Catch::Contains("travel.modes.motorbike.road_speed_kmh.primary") &&
                            Catch::Contains("road_speed_kmh.highwayy") && Catch::Contains("landcover_speed_kmh.40") &&
                            Catch::Contains("3 problem(s)"));
}

TEST_CASE("age bands cover a group only when every year is in some band", "[engine][age]") {
    std::vector<AgeBand> bands{{"f_5", 5, 9}, {"f_10", 10, 14}};
    CHECK(bands_cover_ages(bands, 6, 10));
    CHECK(bands_cover_ages(bands, 5, 14));
    CHECK_FALSE(bands_cover_ages(bands, 4, 10));
    CHECK_FALSE(bands_cover_ages(bands, 12, 15));
}

TEST_CASE("credits: one text or a list of texts, for the maps and the report", "[scenarios][scenario]") {
    test::TempDir dir;
    for (auto f : {"pop.tif", "fac.osm.pbf"}) touch(dir / f);
    const std::string head = "schema_version: 1\narea: {bbox: [105.79, 20.95, 105.87, 21.05]}\n"
                             "population: {total: pop.tif}\nfacilities: {file: fac.osm.pbf}\ntravel: {landcover: {uniform: 50}}\n"
                             "services: [{name: school, facility_types: [school], target_group: primary, threshold_min: 30}]\n";
    std::ofstream(dir / "none.yaml") << head;
    CHECK(scenarios::load_scenario(dir / "none.yaml").credits.empty());
    std::ofstream(dir / "one.yaml") << head << "credits: Sở GD&ĐT survey 2025\n";
    CHECK(scenarios::load_scenario(dir / "one.yaml").credits == std::vector<std::string>{"Sở GD&ĐT survey 2025"});
    std::ofstream(dir / "list.yaml") << head << "credits: [WorldPop 2020 (CC BY 4.0), \"© OpenStreetMap contributors\"]\n";
    CHECK(scenarios::load_scenario(dir / "list.yaml").credits ==
          std::vector<std::string>{"WorldPop 2020 (CC BY 4.0)", "© OpenStreetMap contributors"});
    std::ofstream(dir / "bad.yaml") << head << "credits: {population: WorldPop}\n";
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "bad.yaml"),
                        Catch::Contains("credits: expected a text or a list of texts"));
    std::ofstream(dir / "nested.yaml") << head << "credits: [WorldPop, [OSM]]\n";
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "nested.yaml"), Catch::Contains("credits: expected a list of texts"));
}

TEST_CASE("numbers in scenario files are read strictly, and money takes units", "[scenarios][scenario][numbers]") {
    test::TempDir dir;
    for (auto f : {"area.gpkg", "pop.tif", "fac.csv", "lc.tif"}) touch(dir / f);
    const std::string head = "schema_version: 1\npopulation: {total: pop.tif}\nfacilities: {file: fac.csv}\n"
                             "services: [{name: school, facility_types: [school], target_group: primary, threshold_min: 30}]\n";
    std::ofstream(dir / "ok.yaml") << head
                                   << "area: {boundary: area.gpkg, cell_size_m: ' 100 ', buffer_m: 1e3}\n"
                                      "travel:\n  landcover: lc.tif\n  modes:\n"
                                      "    motorbike: {landcover_speed_kmh: {010: 5}, boat_speed_kmh: +8}\n"
                                      "ranking:\n  budget: 60 tỷ\n  costs: {school: 1_200_000_000}\n  capacities: {school: 500}\n";
    const auto s = scenarios::load_scenario(dir / "ok.yaml");
    CHECK(s.cell_size_m == 100.0);
    CHECK(s.buffer_m == 1000.0);
    CHECK(s.modes.at("motorbike").landcover_speed_kmh.at(10) == 5.0);  // 010 is ten (yaml-cpp's as<int> read 8)
    CHECK(s.modes.at("motorbike").boat_speed_kmh == 8.0);
    REQUIRE(s.ranking);
    CHECK(s.ranking->budget == 60e9);
    CHECK(s.ranking->costs.at("school") == 1.2e9);
    CHECK(s.ranking->capacities.at("school") == 500.0);

    std::ofstream(dir / "bad.yaml") << head
                                    << "area: {boundary: area.gpkg, cell_size_m: 100 m, buffer_m: '2,000'}\n"
                                       "travel:\n  landcover: lc.tif\n  modes:\n"
                                       "    motorbike: {landcover_speed_kmh: {0x0A: 5}, boat_speed_kmh: .inf}\n"
                                       "ranking:\n  budget: 60.000.000.000\n  costs:\n    school: 1,2 tỷ\n  capacities: {school: 500 students}\n";
    REQUIRE_THROWS_WITH(scenarios::load_scenario(dir / "bad.yaml"),
                        Catch::Contains("area.cell_size_m: '100 m' has text after the number") &&
                            Catch::Contains("area.buffer_m: '2,000' has a thousands separator") &&
                            Catch::Contains("landcover_speed_kmh: keys are land-cover codes 0..255") &&
                            Catch::Contains("boat_speed_kmh: '.inf' is not a finite number") &&
                            Catch::Contains("ranking.budget: '60.000.000.000' has thousands separators") &&
                            Catch::Contains("ranking.costs.school: '1,2 tỷ' has a decimal comma") && Catch::Contains("write 1.2 tỷ") &&
                            Catch::Contains("ranking.capacities.school: '500 students' has text after the number") &&
                            Catch::Contains("8 problem(s)"));  // and ranking.costs: missing (generated candidates)
}
