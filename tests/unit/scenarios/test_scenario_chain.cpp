#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "accessplan/engine/error.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {
void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
}

const char* kBase = R"(schema_version: 1
name: base
area: {boundary: inputs/area.gpkg}
population: {total: inputs/pop.tif}
facilities: {file: inputs/fac.csv}
travel: {landcover: inputs/lc.tif}
services:
  - {name: primary_school, facility_types: [primary_school], target_group: primary, threshold_min: 30}
  - {name: pool, facility_types: [swimming_pool], target_group: swim_6_15, threshold_min: 30}
ranking:
  budget: 100
  costs: {primary_school: 10, pool: 5}
modifications:
  - new_ferry: {from: [107.0, 21.0], to: [107.1, 21.1], crossing_min: 30, headway_min: 60, months: "1-9"}
)";

struct Chain {
    test::TempDir dir;
    Chain() {
        for (auto f : {"inputs/area.gpkg", "inputs/pop.tif", "inputs/fac.csv", "inputs/lc.tif"}) touch(dir / "base" / f);
        std::ofstream(dir / "base" / "baseline.yaml") << kBase;
        fs::create_directories(dir / "whatif");
    }
    fs::path write(const std::string& name, const std::string& text) {
        std::ofstream(dir / "whatif" / name) << text;
        return dir / "whatif" / name;
    }
};
}  // namespace

TEST_CASE("base: inherits every key, overrides what the file sets, and keeps paths relative to their own file",
          "[scenarios][scenario][base]") {
    Chain c;
    const auto file = c.write("flood.yaml", R"(schema_version: 1
base: ../base/baseline.yaml
name: flood
month: 9
ranking:
  budget: 250
  costs: {pool: null}
modifications:
  - flood_season: {polygon: [[107, 21], [107.1, 21], [107.1, 21.1]], speed_factor: 0.25, months: "7-10"}
  - set_threshold: {service: pool, threshold_min: 20}
)");
    const auto s = scenarios::load_scenario(file);
    CHECK(s.name == "flood");
    CHECK(s.month == 9);
    CHECK(fs::weakly_canonical(s.population) == fs::weakly_canonical(c.dir / "base" / "inputs" / "pop.tif"));
    REQUIRE(s.ranking);
    CHECK(s.ranking->budget == 250.0);
    CHECK(s.ranking->costs.count("primary_school") == 1);
    CHECK(s.ranking->costs.count("pool") == 0);  // null removes the base's value
    // The base's modifications come first, then this file's.
    REQUIRE(s.modifications.size() == 3);
    REQUIRE(s.modifications[0].get<scenarios::modification::NewFerry>() != nullptr);
    CHECK(s.modifications[0].kind() == "new_ferry");
    CHECK(s.modifications[0].get<scenarios::modification::NewFerry>()->months == scenarios::Months{1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK_THAT(s.modifications[0].label, Catch::Contains("baseline.yaml"));
    REQUIRE(s.modifications[1].get<scenarios::modification::FloodSeason>() != nullptr);
    CHECK(s.modifications[1].get<scenarios::modification::FloodSeason>()->speed_factor == 0.25);
    CHECK(s.services[1].threshold_min == 20.0);  // set_threshold
    CHECK(s.services[0].threshold_min == 30.0);
    REQUIRE(s.sources.size() == 2);
    CHECK(s.sources[0].first == file);
    const auto inputs = scenarios::input_files(s);
    CHECK(std::find(inputs.begin(), inputs.end(), s.population) != inputs.end());
}

TEST_CASE("problems in a base file name the base file and line", "[scenarios][scenario][base][errors]") {
    Chain c;
    std::ofstream(c.dir / "base" / "baseline.yaml") << std::string(kBase) + "gapz: {min_children: 3}\n";
    const auto file = c.write("w.yaml", "schema_version: 1\nbase: ../base/baseline.yaml\nmonth: 13\n");
    REQUIRE_THROWS_AS(scenarios::load_scenario(file), InputError);
    try {
        scenarios::load_scenario(file);
    } catch (const InputError& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Catch::Contains("baseline.yaml:15:1: gapz: unknown key (did you mean 'gaps'?)"));
        CHECK_THAT(m, Catch::Contains("w.yaml:3:8: month: 13 is not a month"));
    }
}

TEST_CASE("circular and missing base files are input errors", "[scenarios][scenario][base][errors]") {
    Chain c;
    c.write("a.yaml", "schema_version: 1\nbase: b.yaml\n");
    c.write("b.yaml", "schema_version: 1\nbase: a.yaml\n");
    REQUIRE_THROWS_WITH(scenarios::load_scenario(c.dir / "whatif" / "a.yaml"),
                        Catch::Contains("circular base chain a.yaml -> b.yaml -> a.yaml"));
    c.write("self.yaml", "schema_version: 1\nbase: self.yaml\n");
    REQUIRE_THROWS_WITH(scenarios::load_scenario(c.dir / "whatif" / "self.yaml"), Catch::Contains("circular"));
    c.write("lost.yaml", "schema_version: 1\nbase: nowhere.yaml\n");
    REQUIRE_THROWS_WITH(scenarios::load_scenario(c.dir / "whatif" / "lost.yaml"),
                        Catch::Contains("lost.yaml:2:7: base: file 'nowhere.yaml' not found"));
    c.write("list.yaml", "schema_version: 1\nbase: [a.yaml]\n");
    REQUIRE_THROWS_WITH(scenarios::load_scenario(c.dir / "whatif" / "list.yaml"), Catch::Contains("expected the file name"));
}

TEST_CASE("months of ferries and seasons", "[scenarios][scenario]") {
    using scenarios::Months;
    CHECK(scenarios::parse_months("1-12") == Months{});
    CHECK(scenarios::parse_months("6-9") == Months{6, 7, 8, 9});
    CHECK(scenarios::parse_months("11-2") == Months{1, 2, 11, 12});
    CHECK(scenarios::parse_months("7-9, 12") == Months{7, 8, 9, 12});
    CHECK(scenarios::parse_months("5") == Months{5});
    for (const char* bad : {"", "0", "13", "1-", "a", "1;2", "6-9,", "123"}) {
        INFO(bad);
        CHECK_FALSE(scenarios::parse_months(bad));
    }
    CHECK(scenarios::in_months({}, 3));
    CHECK(scenarios::in_months({6, 7}, 7));
    CHECK_FALSE(scenarios::in_months({6, 7}, 8));
}

// Every file of tests/data/bad_scenarios/ is malformed in the way its first line says; the loader must catch each,
// with the expected text (the comment's "expect:" part).
TEST_CASE("validate catches every malformed scenario of the fixture set", "[scenarios][scenario][errors]") {
    Chain c;
    const fs::path fixtures = fs::path(ACCESSPLAN_TEST_DATA) / "bad_scenarios";
    std::size_t checked = 0;
    for (const auto& entry : fs::directory_iterator(fixtures)) {
        if (entry.path().extension() != ".yaml") continue;
        std::ifstream in(entry.path());
        std::string first;
        std::getline(in, first);
        const auto at = first.find("expect: ");
        REQUIRE(at != std::string::npos);
        const std::string expected = first.substr(at + 8);
        fs::copy_file(entry.path(), c.dir / "whatif" / entry.path().filename());
        INFO(entry.path().filename().string());
        REQUIRE_THROWS_WITH(scenarios::load_scenario(c.dir / "whatif" / entry.path().filename()), Catch::Contains(expected));
        ++checked;
    }
    CHECK(checked >= 12);
}

TEST_CASE("a what-if's stray null keys are reported, not dropped (a comma in a flow-style number)",
          "[scenarios][scenario][base][errors]") {
    Chain c;
    // {pool: 1,200} is YAML for {pool: 1, 200: null}: the capacity would silently be 1.
    auto file = c.write("comma.yaml", "schema_version: 1\nbase: ../base/baseline.yaml\nranking: {costs: {pool: 1,200}}\n");
    REQUIRE_THROWS_WITH(scenarios::load_scenario(file),
                        Catch::Contains("'200' is not a service") && Catch::Contains("thousands separator"));
    file = c.write("typo.yaml", "schema_version: 1\nbase: ../base/baseline.yaml\nservics: null\n");
    REQUIRE_THROWS_WITH(scenarios::load_scenario(file), Catch::Contains("servics") && Catch::Contains("unknown key"));
    // A null that removes a value the base has still removes it.
    file = c.write("remove.yaml", "schema_version: 1\nbase: ../base/baseline.yaml\nranking: {costs: {pool: null}}\n");
    const scenarios::Scenario s = scenarios::load_scenario(file);
    REQUIRE(s.ranking);
    CHECK(s.ranking->costs.count("pool") == 0);
    CHECK(s.ranking->costs.count("primary_school") == 1);
}

TEST_CASE("a what-if keeps its base's order of keys: programmes it restates stay where the base lists them",
          "[scenarios][scenario][base]") {
    Chain c;
    auto base = c.write("programmes.yaml", "schema_version: 1\nbase: ../base/baseline.yaml\nranking:\n  budget: null\n"
                                           "  programmes:\n    schools: {services: [primary_school], budget: 10}\n"
                                           "    pools: {services: [pool], budget: 5}\n");
    auto whatif = c.write("more.yaml", "schema_version: 1\nbase: programmes.yaml\nranking:\n  programmes:\n"
                                       "    schools: {budget: 20}\n");
    for (const auto& [file, budget] : {std::pair{base, 10.0}, {whatif, 20.0}}) {
        const auto s = scenarios::load_scenario(file);
        REQUIRE(s.ranking->programmes.size() == 2);
        CHECK(s.ranking->programmes[0].name == "schools");
        CHECK(s.ranking->programmes[0].budget == budget);
        CHECK(s.ranking->programmes[1].name == "pools");
    }
}
