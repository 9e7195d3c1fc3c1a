// accessplan compare on the demo province without its ferries (the island district unreachable) against the same
// province with the new ferry example, and on a what-if that opens, moves and closes schools. The expected figures
// are summed here from the two runs' travel-time and children rasters, not taken from compare's own code.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/csv_table.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "accessplan/viz/map.hpp"
#include "accessplan/viz/palette.hpp"
#include "support/ascii_grid.hpp"
#include "support/png_image.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

struct ServiceDef {
    std::string name, group;
    double threshold_min;
};
// The demo's services, with a pool threshold (460 min) that the island's children reach partly within, partly
// beyond, once the new ferry runs (the mainland's pools are 6-8 hours away from the island on foot and by boat).
const std::vector<ServiceDef> kServices{{"primary_school", "primary", 30.0},
                                        {"lower_secondary_school", "lower_secondary", 45.0},
                                        {"commune_health_station", "under5", 60.0},
                                        {"playground", "children_3_14", 15.0},
                                        {"swimming_pool", "swim_6_15", 460.0}};

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);  // the demo's scenario files changed: update this test
    return text.replace(at, from.size(), to);
}

/// The demo province's inputs, a baseline without ferries (noferry.yaml) and its run, made once per test process.
struct NoFerryDemo {
    test::TempDir root;
    fs::path dir = root / "scenarios";  ///< the demo's scenarios/ (its inputs are in ../inputs)
    fs::path noferry_out;
    NoFerryDemo() {
        demo::write_demo_inputs(demo::generate_demo_province(28), root.path());
        std::string base = test::slurp(dir / "baseline.yaml");
        base = replaced(base, "\n  ferries:", "\n  # ferries:");  // no boat: the island district is cut off
        base = replaced(base, "target_group: swim_6_15, threshold_min: 30,", "target_group: swim_6_15, threshold_min: 460,");
        base = base.substr(0, base.find("\nranking:") + 1);
        std::ofstream(dir / "noferry.yaml") << base;
        noferry_out = run("noferry.yaml");
    }
    fs::path run(const std::string& file) {
        const fs::path out = dir / ("out_" + fs::path(file).stem().string());
        fs::create_directories(out);
        scenarios::run_scenario(scenarios::load_scenario(dir / file), out);
        return out;
    }
};

NoFerryDemo& fixture() {
    static NoFerryDemo d;
    return d;
}

Grid<float> raster(const fs::path& results, const std::string& name) {
    return geodata::read_raster_float(results / "rasters" / name);
}

/// The figures of one row of compare.csv, summed here cell by cell.
struct Expected {
    double children = 0, within_before = 0, within_after = 0, gained = 0, lost = 0;
    double unreachable_before = 0, unreachable_after = 0;
    double unreachable_to_within = 0, within_to_unreachable = 0, unreachable_to_beyond = 0, beyond_to_unreachable = 0;
    double faster = 0, slower = 0;
    void add(float before, float after, double kids, double threshold) {
        // The rasters' nodata (-9999) is "no facility can be reached"; read_raster_float gives it as NaN.
        const auto status = [&](float t) { return std::isnan(t) ? 'u' : (t <= threshold * (1 + 1e-6) ? 'w' : 'b'); };
        const char b = status(before), a = status(after);
        children += kids;
        within_before += b == 'w' ? kids : 0;
        within_after += a == 'w' ? kids : 0;
        gained += a == 'w' && b != 'w' ? kids : 0;
        lost += b == 'w' && a != 'w' ? kids : 0;
        unreachable_before += b == 'u' ? kids : 0;
        unreachable_after += a == 'u' ? kids : 0;
        unreachable_to_within += b == 'u' && a == 'w' ? kids : 0;
        within_to_unreachable += b == 'w' && a == 'u' ? kids : 0;
        unreachable_to_beyond += b == 'u' && a == 'b' ? kids : 0;
        beyond_to_unreachable += b == 'b' && a == 'u' ? kids : 0;
        faster += !std::isnan(before) && !std::isnan(after) && after < before ? kids : 0;
        slower += !std::isnan(before) && !std::isnan(after) && after > before ? kids : 0;
    }
    bool changed() const { return gained + lost + unreachable_to_beyond + beyond_to_unreachable + faster + slower > 0; }
    double net_change() const { return std::abs(within_after - within_before) + std::abs(unreachable_after - unreachable_before); }
};

/// Sums per service over all cells, over island cells (area_class bit 1) and per zone (the baseline's zones.tif).
struct Sums {
    Expected all, island;
    std::map<int, Expected> zones;
};

Sums expected(const fs::path& before_dir, const fs::path& after_dir, const ServiceDef& s) {
    const Grid<float> before = raster(before_dir, "travel_time_" + s.name + ".tif");
    const Grid<float> after = raster(after_dir, "travel_time_" + s.name + ".tif");
    const Grid<float> kids = raster(after_dir, "children_" + s.group + ".tif");
    const Grid<float> flags = raster(before_dir, "area_class.tif");
    const Grid<float> zones = raster(before_dir, "zones.tif");
    Sums out;
    for (std::size_t i = 0; i < kids.size(); ++i) {
        if (!(kids[i] > 0.0f)) continue;
        out.all.add(before[i], after[i], kids[i], s.threshold_min);
        if (std::isfinite(flags[i]) && (static_cast<int>(flags[i]) & 1)) out.island.add(before[i], after[i], kids[i], s.threshold_min);
        if (std::isfinite(zones[i]) && zones[i] > 0) out.zones[static_cast<int>(zones[i])].add(before[i], after[i], kids[i], s.threshold_min);
    }
    return out;
}

/// compare.csv or compare_zones.csv as rows of column -> text.
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& file) {
    const geodata::CsvTable t = geodata::read_csv_table(file);
    std::vector<std::map<std::string, std::string>> rows;
    for (const auto& r : t.rows) {
        std::map<std::string, std::string> row;
        for (std::size_t k = 0; k < t.header.size(); ++k) row[t.header[k]] = r[k];
        rows.push_back(std::move(row));
    }
    return rows;
}

/// CHECKs every figure of a compare.csv row against the sums (the file has one decimal).
void check_row(const std::map<std::string, std::string>& row, const Expected& e) {
    const auto v = [&](const char* column) {
        REQUIRE(row.count(column));
        return std::stod(row.at(column));
    };
    const double tol = 0.051;
    CHECK(v("children") == Approx(e.children).margin(tol));
    CHECK(v("within_before") == Approx(e.within_before).margin(tol));
    CHECK(v("within_after") == Approx(e.within_after).margin(tol));
    CHECK(v("gained") == Approx(e.gained).margin(tol));
    CHECK(v("lost") == Approx(e.lost).margin(tol));
    CHECK(v("unreachable_before") == Approx(e.unreachable_before).margin(tol));
    CHECK(v("unreachable_after") == Approx(e.unreachable_after).margin(tol));
    CHECK(v("unreachable_to_within") == Approx(e.unreachable_to_within).margin(tol));
    CHECK(v("within_to_unreachable") == Approx(e.within_to_unreachable).margin(tol));
    CHECK(v("unreachable_to_beyond") == Approx(e.unreachable_to_beyond).margin(tol));
    CHECK(v("beyond_to_unreachable") == Approx(e.beyond_to_unreachable).margin(tol));
}

const std::map<std::string, std::string>& row_of(const std::vector<std::map<std::string, std::string>>& rows,
                                                  const std::string& service, const std::string& key, const std::string& value) {
    for (const auto& r : rows)
        if (r.at("service") == service && r.at(key) == value) return r;
    FAIL("no row " << service << " " << value);
    return rows.front();
}

}  // namespace

TEST_CASE("compare counts the island's children a new ferry makes reachable: gains from no access, and those still "
          "beyond the threshold", "[integration][compare][cli]") {
    NoFerryDemo& d = fixture();
    std::ofstream(d.dir / "ferry.yaml") << replaced(test::slurp(d.dir / "new_ferry.yaml"), "base: baseline.yaml", "base: noferry.yaml");
    const fs::path ferry = d.run("ferry.yaml");
    const fs::path out = d.dir / "ferry-vs-noferry";
    const auto r = test::run_cli({"compare", d.noferry_out.string(), ferry.string(), "--out", out.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);

    const auto rows = read_csv(out / "compare.csv");
    const auto zone_rows = read_csv(out / "compare_zones.csv");
    // Zone ids (zones.tif) are the zones' order in the baseline's zones.csv.
    std::vector<std::string> zone_codes;
    for (const auto& z : read_csv(d.noferry_out / "zones.csv"))
        if (z.at("service") == kServices.front().name) zone_codes.push_back(z.at("zone_code"));
    REQUIRE(zone_codes.size() > 100);
    const nlohmann::json json = nlohmann::json::parse(test::slurp(out / "compare.json"));
    std::string lead;
    double lead_change = -1.0;
    std::map<std::string, Sums> sums;
    for (const auto& s : kServices) {
        INFO(s.name);
        const Sums& e = sums[s.name] = expected(d.noferry_out, ferry, s);
        check_row(row_of(rows, s.name, "area_class", "all"), e.all);
        check_row(row_of(rows, s.name, "area_class", "island"), e.island);
        // Every zone's row.
        for (std::size_t z = 0; z < zone_codes.size(); ++z) {
            INFO(zone_codes[z]);
            const auto it = e.zones.find(static_cast<int>(z + 1));
            check_row(row_of(zone_rows, s.name, "zone_code", zone_codes[z]), it == e.zones.end() ? Expected{} : it->second);
        }
        // The console's table: no access before and after.
        CHECK_THAT(r.out, Catch::Contains(fmt::format("{:>10.0f} {:>10.0f}\n", e.all.unreachable_before, e.all.unreachable_after)));
        // ... and children reachable both times whose trip got faster or slower (gained may be 0 for them).
        CHECK_THAT(r.out, Catch::Contains(fmt::format(" {:>10.0f} {:>10.0f} ", e.all.faster, e.all.slower)));
        // compare.json: per service, and per area class.
        for (const auto& js : json["services"])
            if (js["name"] == s.name) {
                CHECK(js["unreachable_after"].get<double>() == Approx(e.all.unreachable_after).margin(1e-6));
                CHECK(js["area_classes"]["island"]["unreachable_to_within"].get<double>() == Approx(e.island.unreachable_to_within).margin(1e-6));
                CHECK(js["zones"].size() == zone_codes.size());
            }
        if (e.all.net_change() > lead_change) {
            lead_change = e.all.net_change();
            lead = s.name;
        }
    }
    // The ferry reaches the island: for pools, some of its children come within 460 min, the others stay beyond;
    // the schools and health stations on the island were reachable before.
    const Expected& pools = sums["swimming_pool"].island;
    CHECK(pools.unreachable_to_within > 500.0);
    CHECK(pools.unreachable_to_beyond > 100.0);
    CHECK(pools.unreachable_after == 0.0);
    CHECK(sums["swimming_pool"].all.gained >= pools.unreachable_to_within);
    CHECK(lead == "swimming_pool");
    CHECK(json["largest_change"] == lead);
    CHECK_THAT(r.out, Catch::Contains(fmt::format("swimming_pool: {:.0f} children who could reach none can now reach one, still beyond 460 min",
                                                  sums["swimming_pool"].all.unreachable_to_beyond)));

    // The change map draws the island's cells as reached (not as "no access before and after"), with a legend.
    const test::Image pool_map = test::read_png(out / "maps" / "change_swimming_pool.png");
    const int legend_x = pool_map.width * 7 / 10;
    const auto categories = viz::status_change_categories(460.0);
    REQUIRE(categories[0].code == 31);
    REQUIRE(categories[1].code == 32);
    const std::size_t reached_within = pool_map.count(categories[0].colour, 0, 0, legend_x, pool_map.height);
    const std::size_t reached_beyond = pool_map.count(categories[1].colour, 0, 0, legend_x, pool_map.height);
    CHECK(reached_within > 500);
    CHECK(reached_beyond > 50);
    // QGIS styles beside the comparison's rasters: the status codes in the maps' colours, the time change classes.
    const std::string status_qml = test::slurp(out / "rasters" / "status_change_swimming_pool.qml");
    CHECK_THAT(status_qml, Catch::Contains("type=\"paletted\""));
    for (const auto& c : categories)
        CHECK_THAT(status_qml, Catch::Contains(fmt::format("value=\"{}\" color=\"{}\"", c.code, c.colour.hex())));
    CHECK_THAT(status_qml, Catch::Contains(fmt::format("value=\"33\" color=\"{}\"", viz::unreachable_colour().hex())));
    CHECK_THAT(test::slurp(out / "rasters" / "diff_travel_time_swimming_pool.qml"), Catch::Contains("nodataColor=\"\""));
    // Around the island (the box of its reached cells), nothing is drawn as "no access before and after".
    const auto [x0, y0, x1, y1] = pool_map.bounds_of({categories[0].colour, categories[1].colour}, 0, 0, legend_x, pool_map.height);
    CHECK(x1 - x0 > 50);
    CHECK(pool_map.count(viz::unreachable_colour(), x0, y0, x1 + 1, y1 + 1) == 0);
    for (const auto& c : categories) {  // in the legend only when on the map: 31 and 32 here
        const bool shown = c.code == 31 || c.code == 32;
        CHECK((pool_map.count(c.colour, legend_x, 0, pool_map.width, pool_map.height) > 50) == shown);
    }

    // The report opens on the pools, and lists the zones that changed most, the largest first.
    const std::string html = test::slurp(out / "report.html");
    CHECK_THAT(html, Catch::Contains("id=\"largest-change\" data-service=\"swimming_pool\""));
    const std::size_t table = html.find("<table id=\"compare\">");
    REQUIRE(table != std::string::npos);
    CHECK(html.find("data-service=\"swimming_pool\" data-class=\"all\"", table) < html.find("data-service=\"primary_school\"", table));
    std::string top_zone;
    double top = -1.0;
    std::size_t changed_pairs = 0;
    for (const auto& s : kServices)
        for (const auto& [id, e] : sums[s.name].zones) {
            changed_pairs += e.changed() ? 1 : 0;
            if (e.net_change() > top) {
                top = e.net_change();
                top_zone = zone_codes.at(static_cast<std::size_t>(id - 1));
            }
        }
    const std::size_t zones_table = html.find("<table id=\"zone-change-table\">");
    REQUIRE(zones_table != std::string::npos);
    CHECK(html.find("<tr data-zone=", zones_table) == html.find(fmt::format("<tr data-zone=\"{}\" data-service=\"swimming_pool\"", top_zone), zones_table));
    std::size_t listed = 0;
    for (std::size_t at = html.find("<tr data-zone=", zones_table); at != std::string::npos; at = html.find("<tr data-zone=", at + 1)) ++listed;
    CHECK(listed == std::min<std::size_t>(10, changed_pairs));
    CHECK(listed >= 4);  // the island's zones at least

    // Reversed (the ferry stops), every child the ferry brought within reach loses access, to no access at all.
    const fs::path back = d.dir / "noferry-vs-ferry";
    REQUIRE(test::run_cli({"compare", "-q", ferry.string(), d.noferry_out.string(), "--out", back.string()}).exit_code == 0);
    const auto reverse_rows = read_csv(back / "compare.csv");
    const auto& reverse = row_of(reverse_rows, "swimming_pool", "area_class", "all");
    CHECK(std::stod(reverse.at("within_to_unreachable")) == Approx(sums["swimming_pool"].all.unreachable_to_within).margin(0.051));
    CHECK(std::stod(reverse.at("beyond_to_unreachable")) == Approx(sums["swimming_pool"].all.unreachable_to_beyond).margin(0.051));
    CHECK(std::stod(reverse.at("lost")) == Approx(sums["swimming_pool"].all.gained).margin(0.051));
}

TEST_CASE("compare marks the facilities a what-if opens, moves and closes", "[integration][compare][cli][maps]") {
    NoFerryDemo& d = fixture();
    // Primary schools of the demo: 6 closes, 9 moves 3 km east, 14 moves 50 m (less than a 100 m cell: not marked),
    // and a new one opens 3 km north of where 9 was.
    std::map<std::int64_t, std::pair<double, double>> at;
    geodata::ReadOptions o;
    o.layer = "facilities";
    const Grid<float> land = raster(d.noferry_out, "land.tif");
    for (const auto& f : geodata::read_features(d.noferry_out / "access.gpkg", land.spec().crs, o)) {
        const std::int64_t id = std::stoll(f.attribute("facility_id"));
        if (f.attribute("services") == "primary_school") at[id] = {f.geometry->toPoint()->getX(), f.geometry->toPoint()->getY()};
    }
    for (const std::int64_t id : {6, 9, 14}) REQUIRE(at.count(id));
    const geodata::CoordinateTransform to_lonlat(land.spec().crs, geodata::wgs84());
    const auto lonlat = [&](double x, double y) {
        to_lonlat.transform_point(x, y);
        return std::pair{x, y};
    };
    const auto moved9 = lonlat(at[9].first + 3000.0, at[9].second);
    const auto moved14 = lonlat(at[14].first + 50.0, at[14].second);
    const auto opened = lonlat(at[9].first, at[9].second + 3000.0);
    std::ofstream(d.dir / "schools.yaml") << fmt::format(
        "schema_version: 1\nbase: noferry.yaml\nname: schools reorganised\nmodifications:\n"
        "  - close_facilities: {{ids: [6, 9, 14]}}\n"
        "  - add_facilities:\n      facilities:\n"
        "        - {{id: 9, name: Bạch Đằng 2 new site, type: primary_school, lon: {:.9f}, lat: {:.9f}}}\n"
        "        - {{id: 14, name: Trần Hưng Đạo 2, type: primary_school, lon: {:.9f}, lat: {:.9f}}}\n"
        "        - {{id: 90001, name: New school, type: primary_school, lon: {:.9f}, lat: {:.9f}}}\n",
        moved9.first, moved9.second, moved14.first, moved14.second, opened.first, opened.second);
    const fs::path schools = d.run("schools.yaml");
    const fs::path out = d.dir / "schools-vs-noferry";
    const auto r = test::run_cli({"compare", "-q", d.noferry_out.string(), schools.string(), "--out", out.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);

    const nlohmann::json json = nlohmann::json::parse(test::slurp(out / "compare.json"));
    for (const auto& s : json["services"]) {
        INFO(s["name"]);
        if (s["name"] != "primary_school") {
            CHECK(s["facilities"].empty());
            continue;
        }
        REQUIRE(s["facilities"].size() == 3);
        std::map<std::string, nlohmann::json> by_change;
        for (const auto& f : s["facilities"]) by_change[f["change"].get<std::string>()] = f;
        CHECK(by_change["new"]["facility_id"] == 90001);
        CHECK(by_change["new"]["lon"].get<double>() == Approx(opened.first).margin(1e-7));
        CHECK(by_change["new"]["lat"].get<double>() == Approx(opened.second).margin(1e-7));
        CHECK(by_change["moved"]["facility_id"] == 9);
        CHECK(by_change["moved"]["lon"].get<double>() == Approx(moved9.first).margin(1e-7));
        CHECK(by_change["moved"]["lon_before"].get<double>() == Approx(lonlat(at[9].first, at[9].second).first).margin(1e-7));
        CHECK(by_change["moved"]["moved_m"].get<double>() == Approx(3000.0).margin(0.5));
        CHECK(by_change["closed"]["facility_id"] == 6);
        CHECK(by_change["closed"]["lat"].get<double>() == Approx(lonlat(at[6].first, at[6].second).second).margin(1e-7));
    }

    // The map marks all three, each in its colour, and its legend names them; a service without changes has neither.
    using Kind = scenarios::FacilityChange::Kind;
    const test::Image schools_map = test::read_png(out / "maps" / "change_primary_school.png");
    const int legend_x = schools_map.width * 7 / 10;
    for (const Kind k : {Kind::added, Kind::moved, Kind::closed}) {
        INFO(scenarios::facility_change_name(k));
        CHECK(schools_map.count(viz::facility_change_colour(k), 0, 0, legend_x, schools_map.height) > 40);
        CHECK(schools_map.count(viz::facility_change_colour(k), legend_x, 0, schools_map.width, schools_map.height) > 10);
    }
    // Where: the new school's mark lies from the closed school's in the direction of their positions on the ground
    // (north-north-east here), within 6 degrees.
    const auto [nx, ny] = schools_map.median_of(viz::facility_change_colour(Kind::added), 0, 0, legend_x, schools_map.height);
    const auto [cx, cy] = schools_map.median_of(viz::facility_change_colour(Kind::closed), 0, 0, legend_x, schools_map.height);
    const double ground = std::atan2(at[9].second + 3000.0 - at[6].second, at[9].first - at[6].first);
    const double drawn = std::atan2(cy - ny, nx - cx);  // image rows grow southwards
    CHECK(std::abs(drawn - ground) < 6.0 * M_PI / 180.0);
    const test::Image other = test::read_png(out / "maps" / "change_lower_secondary_school.png");
    for (const Kind k : {Kind::added, Kind::moved, Kind::closed})
        CHECK(other.count(viz::facility_change_colour(k), 0, 0, other.width, other.height) == 0);
}
