// What-if scenarios on the demo province: the shipped examples and each modification change exactly what they
// should (DESIGN.md "Modifications"), compared cell by cell with the baseline's rasters.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kServices{"primary_school", "lower_secondary_school", "commune_health_station", "playground",
                                         "swimming_pool"};

/// The demo province's inputs and examples, and the baseline's results, made once for every test of this file.
struct Demo {
    test::TempDir root;
    fs::path dir = root / "scenarios";  ///< the demo's scenarios/ (its inputs are in ../inputs)
    fs::path baseline_out;
    Demo() {
        demo::write_demo_inputs(demo::generate_demo_province(28), root.path());
        baseline_out = run("baseline.yaml");
    }
    fs::path run(const std::string& scenario_file, const std::string& extra_yaml = "") {
        fs::path file = dir / scenario_file;
        if (!extra_yaml.empty()) {
            file = dir / ("t_" + std::to_string(++m_count) + ".yaml");
            std::ofstream(file) << "schema_version: 1\nbase: baseline.yaml\n" << extra_yaml;
        }
        const fs::path out = dir / ("out_" + file.stem().string());
        fs::create_directories(out);
        scenarios::run_scenario(scenarios::load_scenario(file), out);
        return out;
    }
    int m_count = 0;
};

Demo& demo_fixture() {
    static Demo d;
    return d;
}

Grid<float> minutes(const fs::path& out, const std::string& service) {
    return geodata::read_raster_float(out / "rasters" / ("travel_time_" + service + ".tif"));
}

/// Cells where b is faster / slower than a (unreachable = +inf; nodata -9999 is unreachable).
struct Change {
    std::size_t better = 0, worse = 0;
    std::vector<std::size_t> better_cells, worse_cells;
};
Change compare(const Grid<float>& a, const Grid<float>& b) {
    auto v = [](float x) { return x == -9999.0f ? std::numeric_limits<float>::infinity() : x; };
    Change c;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (v(b[i]) < v(a[i])) {
            ++c.better;
            c.better_cells.push_back(i);
        } else if (v(b[i]) > v(a[i])) {
            ++c.worse;
            c.worse_cells.push_back(i);
        }
    }
    return c;
}

}  // namespace

TEST_CASE("the new ferry example only helps: island cells, and mainland cells whose nearest facility is on the island",
          "[integration][whatif]") {
    Demo& d = demo_fixture();
    const fs::path out = d.run("new_ferry.yaml");
    const Grid<float> flags = geodata::read_raster_float(d.baseline_out / "rasters" / "area_class.tif");
    std::size_t helped = 0, mainland = 0;
    for (const auto& s : kServices) {
        INFO(s);
        const Grid<float> after = minutes(out, s);
        const Change c = compare(minutes(d.baseline_out, s), after);
        CHECK(c.worse == 0);
        const Grid<float> nearest = geodata::read_raster_float(out / "rasters" / ("nearest_" + s + ".tif"));
        std::set<float> on_island;  // facilities at 0 minutes on an island cell
        for (std::size_t i = 0; i < after.size(); ++i)
            if (after[i] == 0.0f && (static_cast<int>(flags[i]) & 1)) on_island.insert(nearest[i]);
        for (std::size_t i : c.better_cells) {
            if (static_cast<int>(flags[i]) & 1) continue;
            REQUIRE(on_island.count(nearest[i]) == 1);  // a mainland child now takes the boat to the island's facility
            ++mainland;
        }
        helped += c.better;
    }
    CHECK(helped > 1000);
    CHECK(mainland < helped / 2);
}

TEST_CASE("rainy-season flooding never improves a travel time, and slows some", "[integration][whatif]") {
    Demo& d = demo_fixture();
    const fs::path out = d.run("rainy_season_flooding.yaml");
    std::size_t slowed = 0;
    for (const auto& s : kServices) {
        const Change c = compare(minutes(d.baseline_out, s), minutes(out, s));
        CHECK(c.better == 0);
        slowed += c.worse;
    }
    CHECK(slowed > 10000);
    // Out of its months (June), the flood does not apply: the same times as the baseline.
    const fs::path june = d.run("", "month: 6\nmodifications:\n  - flood_season: {file: ../inputs/demo_province.gpkg, "
                                    "layer: flood_prone, speed_factor: 0.25, months: \"7-10\"}\n");
    for (const auto& s : kServices) CHECK(compare(minutes(d.baseline_out, s), minutes(june, s)).worse == 0);
}

TEST_CASE("closing a school only lengthens trips of the children it served", "[integration][whatif]") {
    Demo& d = demo_fixture();
    const fs::path out = d.run("close_small_school.yaml");
    const Grid<float> nearest = geodata::read_raster_float(d.baseline_out / "rasters" / "nearest_primary_school.tif");
    const Change c = compare(minutes(d.baseline_out, "primary_school"), minutes(out, "primary_school"));
    CHECK(c.better == 0);
    CHECK(c.worse > 0);
    for (std::size_t i : c.worse_cells) REQUIRE(nearest[i] == 494.0f);
    for (const auto& s : {"swimming_pool", "playground"}) CHECK(compare(minutes(d.baseline_out, s), minutes(out, s)).worse == 0);
}

TEST_CASE("the pool programme adds pools and ranks only pools", "[integration][whatif]") {
    Demo& d = demo_fixture();
    const fs::path out = d.run("pool_programme.yaml");
    const Change c = compare(minutes(d.baseline_out, "swimming_pool"), minutes(out, "swimming_pool"));
    CHECK(c.worse == 0);
    CHECK(c.better > 100);
    const std::string ranking = test::slurp(out / "ranking.csv");
    CHECK_THAT(ranking, Catch::Contains("swimming_pool"));
    CHECK_THAT(ranking, !Catch::Contains("playground"));
    const std::string placement = test::slurp(out / "facilities_placement.csv");
    CHECK_THAT(placement, Catch::Contains("Bể bơi THCS Vĩnh Bình"));
}

TEST_CASE("a new bridge lowers times across the river and nowhere gets worse", "[integration][whatif]") {
    Demo& d = demo_fixture();
    const fs::path out = d.run("", "modifications:\n  - new_bridge: {name: Cầu Lam Giang 2, line: [[107.49141, 21.4343], "
                                   "[107.48604, 21.43949]], highway: tertiary}\n");
    const Change c = compare(minutes(d.baseline_out, "primary_school"), minutes(out, "primary_school"));
    CHECK(c.worse == 0);
    CHECK(c.better > 10);  // 19: with roads as a network the bridge carries walkers over the river, not along it
    // A "bridge" over dry land is refused: it would be a road.
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - new_bridge: {line: [[107.30, 21.60], [107.305, 21.605]]}\n"),
                        Catch::Contains("crosses no river"));
}

TEST_CASE("population growth scales children and leaves travel times alone", "[integration][whatif]") {
    Demo& d = demo_fixture();
    const fs::path out = d.run("", "modifications:\n  - population_growth: {factor: 1.1}\n");
    for (const auto& s : kServices) CHECK(compare(minutes(d.baseline_out, s), minutes(out, s)).worse == 0);
    const Grid<float> before = geodata::read_raster_float(d.baseline_out / "rasters" / "children_primary.tif");
    const Grid<float> after = geodata::read_raster_float(out / "rasters" / "children_primary.tif");
    double a = 0.0, b = 0.0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        a += before[i];
        b += after[i];
    }
    CHECK(b == Approx(1.1 * a).epsilon(1e-4));
    const auto before_json = nlohmann::json::parse(test::slurp(d.baseline_out / "summary.json"));
    const auto after_json = nlohmann::json::parse(test::slurp(out / "summary.json"));
    for (const char* key : {"population_total", "population_in_area"})
        CHECK(after_json[key].get<double>() == Approx(1.1 * before_json[key].get<double>()).epsilon(1e-4));
}

TEST_CASE("what-if modifications with bad references fail before any output", "[integration][whatif][errors]") {
    Demo& d = demo_fixture();
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - close_facilities: {ids: [99999]}\n"),
                        Catch::Contains("no facility has id = 99999"));
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - set_capacity: {match: {type: university}, capacity: 10}\n"),
                        Catch::Contains("selects no facility"));
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - add_facilities: {facilities: [{id: 494, type: swimming_pool, "
                                  "lon: 107.38, lat: 21.31}]}\n"),
                        Catch::Contains("id 494 is already a facility's"));
    // A ferry port far out at sea.
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - new_ferry: {from: [107.0, 20.8], to: [107.3661, 21.3105], "
                                  "crossing_min: 30}\n"),
                        Catch::Contains("port is not within"));
    // Through the command line: exit code 3, no output folder.
    std::ofstream(d.dir / "bad_ferry.yaml") << "schema_version: 1\nbase: baseline.yaml\nmodifications:\n"
                                               "  - new_ferry: {from: [107.0, 20.8], to: [107.3661, 21.3105], crossing_min: 30}\n";
    auto r = test::run_cli({"run", (d.dir / "bad_ferry.yaml").string(), "--out", (d.dir / "bad_out").string()});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("new_ferry"));
    CHECK_FALSE(fs::exists(d.dir / "bad_out"));
}

TEST_CASE("accessplan validate accepts the examples and reports bad references", "[integration][whatif][cli]") {
    Demo& d = demo_fixture();
    std::vector<std::string> args{"validate"};
    for (const auto& [name, text] : demo::scenario_examples()) args.push_back((d.dir / name).string());
    auto ok = test::run_cli(args);
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    CHECK_THAT(ok.out, Catch::Contains("new_ferry.yaml: valid") && Catch::Contains("built on"));
    std::ofstream(d.dir / "bad_ref.yaml") << "schema_version: 1\nbase: baseline.yaml\nmodifications:\n"
                                             "  - close_facilities: {ids: [99999]}\n";
    auto bad = test::run_cli({"validate", (d.dir / "bad_ref.yaml").string()});
    CHECK(bad.exit_code == 3);
    CHECK_THAT(bad.err, Catch::Contains("bad_ref.yaml:4: modifications[0] (close_facilities): no facility has id = 99999"));
}

TEST_CASE("accessplan compare counts the children who lose access when a school closes", "[integration][whatif][cli]") {
    Demo& d = demo_fixture();
    const fs::path closed = d.run("close_small_school.yaml");
    const fs::path out = d.dir / "closed-vs-baseline";
    auto r = test::run_cli({"compare", d.baseline_out.string(), closed.string(), "--out", out.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* f : {"compare.csv", "compare_zones.csv", "changed_areas.csv", "compare.json",
                          "rasters/diff_travel_time_primary_school.tif", "rasters/access_change_primary_school.tif"})
        CHECK(fs::exists(out / f));
    // The children losing access are those of the closed school's catchment beyond 30 minutes now.
    const Grid<float> before = minutes(d.baseline_out, "primary_school"), after = minutes(closed, "primary_school");
    const Grid<float> kids = geodata::read_raster_float(closed / "rasters" / "children_primary.tif");
    double lost = 0.0;
    for (std::size_t i = 0; i < kids.size(); ++i)
        if (before[i] != -9999.0f && before[i] <= 30.0f * (1 + 1e-6) && (after[i] == -9999.0f || after[i] > 30.0f * (1 + 1e-6)))
            lost += kids[i];
    CHECK(lost > 0.0);
    const std::string csv = test::slurp(out / "compare.csv");
    CHECK_THAT(csv, Catch::Contains(fmt::format("primary_school,all,")));
    CHECK_THAT(csv, Catch::Contains(fmt::format(",0.0,{:.1f},{:.1f},", lost, -lost)));  // gained 0, lost, net
    CHECK_THAT(test::slurp(out / "changed_areas.csv"), Catch::Contains("primary_school,1,lost,"));
    CHECK_THAT(test::slurp(out / "compare_zones.csv"), Catch::Contains("Hòa Lập"));
    // The same folder again is refused; a folder that is not a results folder is an input error.
    auto again = test::run_cli({"compare", d.baseline_out.string(), closed.string(), "--out", out.string()});
    CHECK(again.exit_code == 3);
    auto bad = test::run_cli({"compare", (d.root / "inputs").string(), closed.string(), "--out", (d.dir / "x").string()});
    CHECK(bad.exit_code == 3);
    CHECK_THAT(bad.err, Catch::Contains("not an accessplan results folder"));
    CHECK_FALSE(fs::exists(d.dir / "x"));
}

TEST_CASE("a batch run gives every scenario the outputs of its own run", "[integration][whatif][cli]") {
    Demo& d = demo_fixture();
    const fs::path single = d.run("close_small_school.yaml");
    const fs::path out = d.dir / "batch";
    auto r = test::run_cli({"run", (d.dir / "baseline.yaml").string(), (d.dir / "close_small_school.yaml").string(),
                            "--out", out.string(), "--threads", "2"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* f : {"summary.csv", "bands.csv", "zones.csv", "gaps.csv", "ranking.csv", "facilities_placement.csv"}) {
        INFO(f);
        CHECK(test::slurp(out / "baseline" / f) == test::slurp(d.baseline_out / f));
        CHECK(test::slurp(out / "close_small_school" / f) == test::slurp(single / f));
    }
    for (const auto& s : kServices) {
        const Grid<float> a = minutes(out / "close_small_school", s), b = minutes(single, s);
        // (unreachable cells read back as NaN: equal when both are)
        CHECK(std::equal(a.values().begin(), a.values().end(), b.values().begin(),
                         [](float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); }));
    }
    // The baseline prints its top 10; the what-if, whose ranking section is its base's, one line (not a second top 10).
    const auto what_if = r.out.find("== " + (d.dir / "close_small_school.yaml").string());
    REQUIRE(what_if != std::string::npos);
    CHECK(r.out.substr(0, what_if).find("    1. ") != std::string::npos);
    CHECK(r.out.substr(what_if).find("    1. ") == std::string::npos);
    CHECK_THAT(r.out.substr(what_if), Catch::Contains("the ranking section of its base"));
    // Two files with the same name would share a folder: refused before anything runs.
    fs::create_directories(d.dir / "other");
    std::ofstream(d.dir / "other" / "baseline.yaml") << "schema_version: 1\nbase: ../baseline.yaml\n";
    auto clash = test::run_cli({"run", (d.dir / "baseline.yaml").string(), (d.dir / "other" / "baseline.yaml").string(),
                                "--out", (d.dir / "clash").string()});
    CHECK(clash.exit_code == 3);
    CHECK_THAT(clash.err, Catch::Contains("same output folder"));
}

TEST_CASE("a what-if without a name is not taken for its base, and -q prints only where the outputs went",
          "[integration][whatif][cli]") {
    Demo& d = demo_fixture();
    std::ofstream(d.dir / "unnamed.yaml") << "schema_version: 1\nbase: baseline.yaml\nranking: null\n";
    const fs::path out = d.dir / "unnamed-out";
    const auto r = test::run_cli({"run", "-q", (d.dir / "unnamed.yaml").string(), "--out", out.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "Outputs: " + fs::absolute(out).lexically_normal().string() + "\n");
    // The demo's run warns (e.g. people moved off water): -q says how many, and where they are listed.
    const auto summary = nlohmann::json::parse(test::slurp(out / "summary.json"));
    REQUIRE(!summary["warnings"].empty());
    CHECK_THAT(r.err, Catch::Contains(fmt::format("{} warning(s)", summary["warnings"].size())));
    const std::string base_name = nlohmann::json::parse(test::slurp(d.baseline_out / "summary.json"))["scenario"];
    CHECK(summary["scenario"] == "unnamed (on " + base_name + ")");
    CHECK(summary["all_ages"] == false);
}

namespace {

/// Every output file of two result folders, byte for byte, except run.json (timings) and the GeoPackage (SQLite
/// pages carry write times); returns the files that differ.
std::vector<std::string> differing_files(const fs::path& a, const fs::path& b) {
    const auto in_b = test::folder_files(b, "run.json");
    std::vector<std::string> differ;
    std::size_t compared = 0;
    for (const auto& [rel, bytes] : test::folder_files(a, "run.json")) {
        if (fs::path(rel).extension() == ".gpkg") continue;
        ++compared;
        if (auto it = in_b.find(rel); it == in_b.end() || it->second != bytes) differ.push_back(rel);
    }
    if (compared < 20) differ.push_back(fmt::format("only {} files compared", compared));
    return differ;
}

bool reused_inputs(const fs::path& out) {
    std::ifstream in(out / "run.json");
    return nlohmann::json::parse(in)["stage_seconds"].contains("inputs reused from an earlier run");
}

}  // namespace

TEST_CASE("what-ifs taking over the baseline's inputs and searches give exactly a fresh run's outputs",
          "[integration][whatif][incremental]") {
    Demo& d = demo_fixture();
    auto cache = scenarios::make_run_cache();
    auto run_with_cache = [&](const std::string& file, const std::string& folder) {
        const fs::path out = d.dir / folder;
        fs::create_directories(out);
        scenarios::RunOptions o;
        o.cache = cache;
        scenarios::run_scenario(scenarios::load_scenario(d.dir / file), out, o);
        return out;
    };
    const fs::path base = run_with_cache("baseline.yaml", "cached_baseline");
    CHECK_FALSE(reused_inputs(base));
    CHECK(differing_files(d.baseline_out, base).empty());
    // A ferry (new edges), a closed school (cells searched again), new pools (new sources) and a what-if built on
    // another what-if: each against a fresh run of the same file.
    std::ofstream(d.dir / "ferry_and_close.yaml") << "schema_version: 1\nbase: new_ferry.yaml\nmodifications:\n"
                                                     "  - close_facilities: {ids: [494]}\n";
    // Months: another month takes the inputs over unless it changes which floods or closures apply: a summer ferry
    // in July (new edges), the valley's September flood in March (it does not apply: the baseline's inputs serve).
    // (Another month alone, and a ferry closed in some months: test_serve.cpp and the close_ferry case below.)
    std::ofstream(d.dir / "summer_ferry_july.yaml") << "schema_version: 1\nbase: new_ferry.yaml\nmonth: 7\nmodifications:\n"
                                                       "  - new_ferry: {name: He, from: [107.3359, 21.1619], "
                                                       "to: [107.3661, 21.3105], crossing_min: 20, months: \"6-8\"}\n";
    std::ofstream(d.dir / "flood_in_march.yaml") << "schema_version: 1\nbase: rainy_season_flooding.yaml\nmonth: 3\n";
    for (const char* name : {"new_ferry", "close_small_school", "pool_programme", "ferry_and_close", "summer_ferry_july",
                             "flood_in_march"}) {
        INFO(name);
        const fs::path cached = run_with_cache(std::string(name) + ".yaml", std::string("cached_") + name);
        CHECK(reused_inputs(cached));
        const fs::path fresh = d.run(std::string(name) + ".yaml");
        CHECK_FALSE(reused_inputs(fresh));
        CHECK(differing_files(fresh, cached).empty());
    }
    // Flooding changes friction: nothing to take over.
    CHECK_FALSE(reused_inputs(run_with_cache("rainy_season_flooding.yaml", "cached_flooding")));
    const auto baseline = scenarios::load_scenario(d.dir / "baseline.yaml");
    CHECK(scenarios::shares_inputs(baseline, scenarios::load_scenario(d.dir / "new_ferry.yaml")));
    CHECK_FALSE(scenarios::shares_inputs(baseline, scenarios::load_scenario(d.dir / "rainy_season_flooding.yaml")));
    // An input file rewritten since: a fresh start.
    fs::last_write_time(d.root / "inputs" / "landcover.tif", fs::last_write_time(d.root / "inputs" / "landcover.tif") + std::chrono::seconds(5));
    CHECK_FALSE(reused_inputs(run_with_cache("close_small_school.yaml", "cached_after_touch")));
}

namespace {

/// A [lon, lat] ring (YAML) of the square of `half_m` around UTM 48N point (x, y) of the demo province.
std::string square_lonlat(double x, double y, double half_m) {
    geodata::CoordinateTransform to_lonlat(geodata::crs_from_user("EPSG:32648", "test"), geodata::wgs84());
    std::string ring = "[";
    for (auto [dx, dy] : {std::pair{-1.0, -1.0}, {1.0, -1.0}, {1.0, 1.0}, {-1.0, 1.0}}) {
        double lon = x + dx * half_m, lat = y + dy * half_m;
        to_lonlat.transform_point(lon, lat);
        ring += fmt::format("{}[{:.6f}, {:.6f}]", ring.size() > 1 ? ", " : "", lon, lat);
    }
    return ring + "]";
}

/// Cells faster in `after` than in `before`, other than facility cells (0 min). A facility whose cell a closure makes
/// impassable (a school on a bridge) is placed on the nearest passable cell, as any facility is; only there can a
/// time fall.
// Cells faster after than before by more than 0.1 minutes (6 seconds), facilities' own cells aside. With roads as a
// network a cell joins a road at the point of it nearest the cell's centre (docs/algorithms.md); where a closure cuts
// a road inside a cell, that point moves along the road to the nearest one left, which can shorten the way along the
// road by a little more than it lengthens the way to it: 0.034 minutes (2 s) at most on these closures of the demo.
std::size_t faster_off_facilities(const Grid<float>& before, const Grid<float>& after) {
    std::size_t n = 0;
    for (std::size_t i : compare(before, after).better_cells) n += after[i] == 0.0f || after[i] >= before[i] - 0.1f ? 0 : 1;
    return n;
}

}  // namespace

TEST_CASE("road_closure: closing every road equals a run without roads, and a closure never makes a cell faster",
          "[integration][whatif][road_closure]") {
    Demo& d = demo_fixture();
    // Independent figure: the scenario with its road layer removed (travel.roads: null) — the friction a closure of
    // every road must give.
    const fs::path no_roads = d.run("", "travel: {roads: null}\n");
    const fs::path all_closed = d.run("", "modifications:\n  - road_closure: {where: \"highway IS NOT NULL\"}\n");
    for (const auto& s : kServices) {
        const Grid<float> a = minutes(no_roads, s), b = minutes(all_closed, s);
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.size(); ++i) differ += (a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) ? 0 : 1;
        CHECK(differ == 0);
        CHECK(faster_off_facilities(minutes(d.baseline_out, s), b) == 0);
        CHECK(compare(minutes(d.baseline_out, s), b).worse > 0);
    }
    // Closures at seeded random places (polygons, and the primary roads by where:): nowhere faster, somewhere slower.
    // Squares of 1.6 km around points of seeded random roads of the demo.
    geodata::ReadOptions ro;
    ro.layer = "roads";
    const auto roads = geodata::read_features(d.root / "inputs" / "demo_province.gpkg", geodata::crs_from_user("EPSG:32648", "test"), ro);
    REQUIRE(roads.size() > 100);
    std::mt19937 rng(20261202);
    std::uniform_int_distribution<std::size_t> pick(0, roads.size() - 1);
    std::size_t slower_runs = 0;
    for (int run = 0; run < 3; ++run) {
        std::string mods = "modifications:\n";
        for (int k = 0; k < 3; ++k) {
            const OGRLineString* line = roads[pick(rng)].geometry->toLineString();
            const int v = static_cast<int>(rng() % static_cast<unsigned>(line->getNumPoints()));
            mods += fmt::format("  - road_closure: {{name: landslide {}, polygon: {}}}\n", k,
                                square_lonlat(line->getX(v), line->getY(v), 800.0));
        }
        if (run == 0) mods += "  - road_closure: {where: \"highway = 'primary'\"}\n";
        const fs::path out = d.run("", mods);
        std::size_t worse = 0;
        for (const auto& s : kServices) {
            const Grid<float> after = minutes(out, s);
            CHECK(faster_off_facilities(minutes(d.baseline_out, s), after) == 0);
            worse += compare(minutes(d.baseline_out, s), after).worse;
        }
        slower_runs += worse > 0 ? 1 : 0;
    }
    CHECK(slower_runs == 3);
}

TEST_CASE("road_closure: out of its months it changes nothing, and bad selections are refused", "[integration][whatif][road_closure]") {
    Demo& d = demo_fixture();
    const fs::path june = d.run("", "month: 6\nmodifications:\n  - road_closure: {where: \"highway = 'primary'\", months: \"7-9\"}\n");
    for (const auto& s : kServices) {
        const Change c = compare(minutes(d.baseline_out, s), minutes(june, s));
        CHECK(c.better + c.worse == 0);
    }
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - road_closure: {where: \"highway = 'runway'\"}\n"),
                        Catch::Contains("selects no road"));
    // The demo's roads have no osm_id: the message names the field and lists theirs.
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - road_closure: {ids: [5], id_field: osm_id}\n"),
                        Catch::Contains("have no field 'osm_id'") && Catch::Contains("highway"));
    // Points close nothing: a layer without polygons is refused, not silently a no-op.
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - road_closure: {polygons: {file: ../inputs/demo_province.gpkg, "
                                  "layer: settlements}}\n"),
                        Catch::Contains("has no polygons"));
    // The polygon layer's own where: filters the polygons, not the roads.
    const fs::path flood = d.run("", "modifications:\n  - road_closure: {polygons: {file: ../inputs/demo_province.gpkg, "
                                     "layer: flood_prone, where: \"name IS NOT NULL\"}}\n");
    std::size_t slower = 0;
    for (const auto& s : kServices) {
        const Change c = compare(minutes(d.baseline_out, s), minutes(flood, s));
        slower += c.worse;
    }
    CHECK(slower > 0);
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - road_closure: {months: \"7-9\"}\n"),
                        Catch::Contains("say which roads are cut"));
    // A polygon far out at sea crosses no road.
    REQUIRE_THROWS_WITH(d.run("", "modifications:\n  - road_closure: {polygon: [[107.0, 20.0], [107.1, 20.0], [107.1, 20.1]]}\n"),
                        Catch::Contains("cross no road"));
}

TEST_CASE("close_ferry: closing the demo's ferry equals a run without the ferries layer, in its months only, and a name "
          "no ferry has is refused", "[integration][whatif]") {
    Demo& d = demo_fixture();
    // Runs sharing a cache (a closed ferry keeps the inputs: the baseline's are taken over; test_serve.cpp and the
    // case above check that reuse gives a fresh run's figures).
    auto cache = scenarios::make_run_cache();
    int count = 0;
    auto run = [&](const std::string& yaml) {
        const fs::path file = d.dir / fmt::format("ferry_{}.yaml", ++count), out = d.dir / fmt::format("out_ferry_{}", count);
        std::ofstream(file) << "schema_version: 1\nbase: baseline.yaml\n" << yaml;
        fs::create_directories(out);
        scenarios::RunOptions o;
        o.cache = cache;
        scenarios::run_scenario(scenarios::load_scenario(file), out, o);
        return out;
    };
    run("");
    const std::string ferry = "Phà Cô Lam - Cảng Hải Tiến";
    const fs::path closed = run("modifications:\n  - close_ferry: {names: [\"" + ferry + "\"]}\n");
    const fs::path without = d.run("", "travel: {ferries: null}\n");
    std::size_t slower = 0;
    for (const auto& service : kServices) {
        INFO(service);
        const Grid<float> a = minutes(closed, service), b = minutes(without, service), base = minutes(d.baseline_out, service);
        REQUIRE(a.size() == b.size());
        CHECK(std::equal(a.values().begin(), a.values().end(), b.values().begin(), [](float x, float y) {
            return x == y || (std::isnan(x) && std::isnan(y));
        }));
        slower += compare(base, a).worse;
    }
    CHECK(slower > 0);  // the island's children lose the boat
    // Closed only in typhoon months: in August it is closed, in March it runs (the baseline's times).
    const std::string typhoon = "modifications:\n  - close_ferry: {names: [\"" + ferry + "\"], months: \"8-10\"}\n";
    const fs::path august = run(typhoon + "month: 8\n"), march = run(typhoon + "month: 3\n");
    for (const auto& service : kServices) {
        INFO(service);
        CHECK(compare(minutes(closed, service), minutes(august, service)).better + compare(minutes(closed, service), minutes(august, service)).worse == 0);
        CHECK(compare(minutes(d.baseline_out, service), minutes(march, service)).worse == 0);
        CHECK(compare(minutes(d.baseline_out, service), minutes(march, service)).better == 0);
    }
    // A name no ferry has: refused, listing the ferries (validate says so too).
    std::ofstream(d.dir / "no_such_ferry.yaml") << "schema_version: 1\nbase: baseline.yaml\nmodifications:\n"
                                                   "  - close_ferry: {names: [\"Phà không có\"]}\n";
    const auto r = test::run_cli({"validate", (d.dir / "no_such_ferry.yaml").string()});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("no ferry is named 'Phà không có'") && Catch::Contains(ferry));
}
