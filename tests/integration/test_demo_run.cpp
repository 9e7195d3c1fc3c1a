// The whole pipeline on the demo province through the command line: inputs written, read back as real files,
// travel times for every service, summary tables, and the output-folder contract.

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;


TEST_CASE("accessplan demo writes inputs, travel times and summaries", "[integration][demo]") {
    test::TempDir dir;
    const fs::path demo = dir / "demo run";  // a space in the path on purpose
    auto r = test::run_cli({"demo", "--out", demo.string(), "--threads", "2"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // Inputs and scenarios apart from the results, so that re-running a scenario cannot touch them.
    const fs::path out = demo / "results" / "baseline";
    CHECK_THAT(r.out, Catch::Contains("Outputs: " + fs::absolute(out).lexically_normal().string()));
    for (const char* f : {"scenarios/baseline.yaml", "scenarios/new_ferry.yaml", "scenarios/rainy_season_flooding.yaml",
                          "scenarios/pool_programme.yaml", "scenarios/close_small_school.yaml", "inputs/demo_province.gpkg",
                          "inputs/population.tif", "inputs/landcover.tif", "inputs/elevation.tif",
                          "inputs/population_age_sex.tif"})
        CHECK(fs::exists(demo / f));
    for (const char* f : {"summary.csv", "summary.json", "facilities_placement.csv", "run.json", ".accessplan-outputs"})
        CHECK(fs::exists(out / f));
    const std::vector<std::string> services{"primary_school", "lower_secondary_school", "commune_health_station",
                                            "playground", "swimming_pool"};
    for (const auto& s : services) {
        CHECK(fs::exists(out / "rasters" / ("e2sfca_" + s + ".tif")));
        CHECK(fs::exists(out / "rasters" / ("travel_time_" + s + ".tif")));
        CHECK(fs::exists(out / "rasters" / ("nearest_" + s + ".tif")));
    }
    // The GeoPackage holds the layers a planner's real data would have.
    auto info = geodata::read_vector_info(demo / "inputs" / "demo_province.gpkg");
    std::vector<std::string> layers;
    for (const auto& l : info.layers) layers.push_back(l.name);
    for (const char* l : {"province", "districts", "communes", "roads", "rivers", "national_border", "ferries",
                          "flood_prone", "settlements", "facilities"})
        CHECK(std::find(layers.begin(), layers.end(), l) != layers.end());

    // Travel time rasters: facilities at 0, unreachable as nodata, and a sane share within each threshold.
    auto t = geodata::read_raster_float(out / "rasters" / "travel_time_primary_school.tif");
    CHECK(t.spec().crs.epsg == std::optional<int>(32648));
    float min_t = 1e9f;
    std::size_t valid = 0;
    for (float v : t.values())
        if (!std::isnan(v)) {
            min_t = std::min(min_t, v);
            ++valid;
        }
    CHECK(min_t == 0.0f);
    CHECK(valid > t.size() / 4);
    const std::string csv = test::slurp(out / "summary.csv");
    CHECK_THAT(csv, Catch::StartsWith("service,area_class,children,within_threshold,pct_within,mean_min,p90_min,unreachable"));
    for (const auto& s : services)
        for (const char* cls : {",all,", ",island,", ",border,", ",remote,", ",none,"}) CHECK_THAT(csv, Catch::Contains(s + cls));

    // Area classes: the demo has island, border and remote children; "none" plus flagged cells make up "all".
    auto flags = geodata::read_raster_float(out / "rasters" / "area_class.tif");
    auto children = geodata::read_raster_float(out / "rasters" / "children_primary.tif");
    double all = 0.0, none = 0.0, island = 0.0, border = 0.0, remote = 0.0;
    for (std::size_t i = 0; i < flags.size(); ++i) {
        const double c = std::isnan(children[i]) ? 0.0 : children[i];
        const int f = std::isnan(flags[i]) ? 0 : static_cast<int>(flags[i]);
        all += c;
        if (f == 0) none += c;
        if (f & 1) island += c;
        if (f & 2) border += c;
        if (f & 4) remote += c;
    }
    CHECK(island > 100.0);
    CHECK(border > 100.0);
    CHECK(remote > 100.0);
    CHECK(none < all);
    auto row_children = [&](const std::string& cls) {
        const auto pos = csv.find("primary_school," + cls + ",");
        REQUIRE(pos != std::string::npos);
        return std::stod(csv.substr(pos + std::string("primary_school," + cls + ",").size()));
    };
    CHECK(row_children("all") == Approx(all).epsilon(1e-4));
    CHECK(row_children("none") == Approx(none).epsilon(1e-4));
    CHECK(row_children("island") == Approx(island).epsilon(1e-4));

    // Zonal statistics per commune: zone totals equal the raster total (every study-area cell is in a commune).
    const std::string zones = test::slurp(out / "zones.csv");
    double zone_children = 0.0;
    std::size_t zone_rows = 0;
    std::istringstream lines(zones);
    std::string line;
    std::getline(lines, line);
    CHECK(line.rfind("zone_code,zone_name,service,children", 0) == 0);
    while (std::getline(lines, line)) {
        // Fields: "code","name",service,children,...  (code and name are quoted, without commas inside)
        std::vector<std::string> f;
        std::string cell;
        std::istringstream cols(line);
        while (std::getline(cols, cell, ',')) f.push_back(cell);
        REQUIRE(f.size() == 13);
        if (f[2] != "primary_school") continue;
        ++zone_rows;
        zone_children += std::stod(f[3]);
    }
    CHECK(zone_rows > 60);
    CHECK(zone_children == Approx(all).epsilon(1e-3));
    auto access = geodata::read_vector_info(out / "access.gpkg");
    std::map<std::string, std::int64_t> layer_features;
    for (const auto& l : access.layers) layer_features[l.name] = l.feature_count;
    CHECK(layer_features.size() == 9);  // the six below, study_area, national_border and the QGIS styles
    CHECK(layer_features.count("facilities") == 1);
    CHECK(layer_features.count("ranking") == 1);
    CHECK(layer_features.count("plan") == 1);  // the baseline's five-year plan
    CHECK(layer_features["zones"] == static_cast<std::int64_t>(zone_rows));
    CHECK(layer_features["study_area"] == 1);
    CHECK(layer_features["national_border"] >= 1);
    CHECK(layer_features["layer_styles"] == 8);  // one default style per layer
    // The demo's unreachable land (impassable cells, sea stacks) has no facility of any service within reach.
    CHECK(layer_features["no_access"] == 5);
    const std::string gaps = test::slurp(out / "gaps.csv");
    const auto gap_rows = static_cast<std::int64_t>(std::count(gaps.begin(), gaps.end(), '\n')) - 1;
    CHECK(gap_rows > 10);
    CHECK(layer_features["gaps"] == gap_rows);
    CHECK_THAT(gaps, Catch::Contains("\nprimary_school,1,"));
    const auto run_json = nlohmann::json::parse(test::slurp(out / "run.json"));
    // Files of the demo folder by their path from the results (the staging folder's name does not last).
    CHECK(run_json["scenario_file"] == "../../scenarios/baseline.yaml");
    CHECK(run_json["inputs"][0]["file"].get<std::string>().rfind("../../inputs/", 0) == 0);
    // Maps, styles and the report are timed in run.json like every other stage, and written before it.
    CHECK(run_json["stage_seconds"].contains("maps, styles and report"));
    CHECK(fs::last_write_time(out / "report.html") <= fs::last_write_time(out / "run.json"));
    CHECK_THAT(test::slurp(out / "summary.json"), Catch::Contains("\"e2sfca_per_1000_children\""));

    // The report's zone table opens on the zone with the most children beyond the thresholds of all services, and
    // shows each service's share within: recomputed here from the rasters (zone numbers, children, travel times).
    {
        const auto summary = nlohmann::json::parse(test::slurp(out / "summary.json"));
        const Grid<float> zone_ids = geodata::read_raster_float(out / "rasters" / "zones.tif");
        std::map<int, double> beyond;                       // zone number -> children beyond, all services
        std::map<int, std::pair<double, double>> first;     // zone number -> (children, within) of the first service
        for (std::size_t k = 0; k < summary["services"].size(); ++k) {
            const auto& svc = summary["services"][k];
            const std::string name = svc["name"], group = svc["target_group"];
            const double threshold = svc["threshold_min"];
            const Grid<float> kids = geodata::read_raster_float(out / "rasters" / ("children_" + group + ".tif"));
            const Grid<float> minutes = geodata::read_raster_float(out / "rasters" / ("travel_time_" + name + ".tif"));
            for (std::size_t i = 0; i < zone_ids.size(); ++i) {
                if (!(zone_ids[i] > 0.0f) || !(kids[i] > 0.0f)) continue;
                const int z = static_cast<int>(zone_ids[i]);
                const bool within = !std::isnan(minutes[i]) && minutes[i] <= threshold * (1.0 + 1e-6);
                if (!within) beyond[z] += kids[i];
                if (k == 0) {
                    first[z].first += kids[i];
                    if (within) first[z].second += kids[i];
                }
            }
        }
        const int worst = std::max_element(beyond.begin(), beyond.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
        // Zone z is the z-th zone of zones.csv (rows per zone x service, zones in order).
        std::vector<std::string> names;
        std::istringstream zone_lines(zones);
        std::string row_text;
        std::getline(zone_lines, row_text);
        while (std::getline(zone_lines, row_text)) {
            const auto a = row_text.find("\",\""), b = row_text.find('"', a + 3);
            const std::string zone_name = row_text.substr(a + 3, b - a - 3);
            if (names.empty() || names.back() != zone_name) names.push_back(zone_name);
        }
        REQUIRE(static_cast<std::size_t>(worst) <= names.size());
        const std::string report = test::slurp(out / "report.html");
        const auto table = report.find("<table id=\"zones\">");
        REQUIRE(table != std::string::npos);
        const auto row = report.find("<tr><td>", report.find("<tbody>", table));
        const std::string first_row = report.substr(row, report.find("</tr>", row) - row);
        INFO(first_row);
        CHECK_THAT(first_row, Catch::StartsWith("<tr><td>" + names[static_cast<std::size_t>(worst) - 1] + "</td>"));
        const auto [worst_children, worst_within] = first[worst];
        CHECK_THAT(first_row, Catch::Contains(fmt::format("<td class=\"n\">{:.1f}%", 100.0 * worst_within / worst_children)));
    }
    // Capacity coverage conserves children: covered + not covered = all children of the service.
    const std::string load = test::slurp(out / "facilities_load.csv");
    CHECK_THAT(load, Catch::StartsWith("service,facility_id,name,capacity,load,pct_used"));
    CHECK_THAT(load, Catch::Contains("\nswimming_pool,"));
    const auto summary = nlohmann::json::parse(test::slurp(out / "summary.json"));
    std::map<std::string, double> all_children;
    for (const auto& row : summary["rows"])
        if (row["area_class"] == "all") all_children[row["service"].get<std::string>()] = row["children"].get<double>();
    int with_coverage = 0;
    for (const auto& svc : summary["services"]) {
        if (!svc.contains("capacity_coverage")) continue;
        ++with_coverage;
        const auto& c = svc["capacity_coverage"];
        CHECK(c["covered"].get<double>() + c["not_covered"].get<double>() ==
              Approx(all_children[svc["name"].get<std::string>()]).epsilon(1e-4));
    }
    CHECK(with_coverage == 3);  // schools and pools have capacities; health stations and playgrounds do not

    // The ranking: per programme within its budget, cumulative columns adding up within it, the greedy order among
    // the picks on merit, pools with their drowning reason, the layer.
    {
        const auto with_ranking = nlohmann::json::parse(test::slurp(out / "summary.json"));
        const double budget = with_ranking.at("budget"), spent = with_ranking.at("spent");
        CHECK(budget == 56e9);  // education 30, health 6, sport and culture 8, swimming 12 billion
        CHECK(spent <= budget);
        auto rows = geodata::read_features(out / "ranking.csv", geodata::wgs84(), {});
        REQUIRE(rows.size() == with_ranking.at("ranking").at("sites").get<std::size_t>());
        double cost = 0.0, kids = 0.0, last_ratio = INFINITY, programme_cost = 0.0, programme_kids = 0.0;
        std::string programme;
        bool pool_near_water = false;
        for (const auto& row : rows) {
            if (row.attribute("programme") != programme) {
                programme = row.attribute("programme");
                programme_cost = programme_kids = 0.0;
                last_ratio = INFINITY;
            }
            cost += std::stod(row.attribute("cost"));
            kids += std::stod(row.attribute("children_new"));
            programme_cost += std::stod(row.attribute("cost"));
            programme_kids += std::stod(row.attribute("children_new"));
            CHECK(std::stod(row.attribute("cumulative_cost")) == Approx(programme_cost));
            CHECK(std::stod(row.attribute("cumulative_children")) == Approx(programme_kids).epsilon(1e-3));
            if (row.attribute("picked_for").empty()) {  // the picks on merit, after any reserve's
                const double ratio = std::stod(row.attribute("weighted_gain")) / std::stod(row.attribute("cost"));
                CHECK(ratio <= last_ratio * (1.0 + 1e-6));  // greedy order: gain per cost never rises
                last_ratio = ratio;
            }
            if (row.attribute("service") == "swimming_pool" && row.attribute("reason").find("of open water") != std::string::npos)
                pool_near_water = true;
        }
        CHECK(cost == Approx(spent));
        CHECK(pool_near_water);
        geodata::ReadOptions layer;
        layer.layer = "ranking";
        auto gpkg = geodata::read_features(out / "access.gpkg", geodata::crs_from_user("EPSG:32648", "test"), layer);
        CHECK(gpkg.size() == rows.size());
        for (const char* f : {"cost_curve.csv", "programmes.csv", "budget_curve.csv"}) CHECK(fs::exists(out / f));
    }

    // Existing output: refused without --overwrite (exit 3), folder untouched.
    const auto before = fs::last_write_time(out / "summary.csv");
    auto again = test::run_cli({"demo", "--out", demo.string()});
    CHECK(again.exit_code == 3);
    CHECK_THAT(again.err, Catch::Contains("--overwrite"));
    CHECK(fs::last_write_time(out / "summary.csv") == before);
}

TEST_CASE("demo outputs are identical with 1 and 2 threads", "[integration][demo][determinism]") {
    test::TempDir dir;
    REQUIRE(test::run_cli({"demo", "-q", "--threads", "1", "--out", (dir / "one").string()}).exit_code == 0);
    REQUIRE(test::run_cli({"demo", "-q", "--threads", "2", "--out", (dir / "two").string()}).exit_code == 0);
    const fs::path one = dir / "one" / "results" / "baseline", two = dir / "two" / "results" / "baseline";
    for (const char* f : {"summary.csv", "summary.json", "facilities_placement.csv", "ranking.csv", "cost_curve.csv"})
        CHECK(test::slurp(one / f) == test::slurp(two / f));
    for (const char* f : {"rasters/travel_time_primary_school.tif", "rasters/nearest_commune_health_station.tif",
                          "rasters/children_primary.tif"}) {
        auto a = geodata::read_raster_float(one / f);
        auto b = geodata::read_raster_float(two / f);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) REQUIRE((a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))));
    }
}
