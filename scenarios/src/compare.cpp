#include "accessplan/scenarios/compare.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/results_layout.hpp"

#include <cmath>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/csv_table.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {
namespace {

nlohmann::json read_summary(const fs::path& dir) {
    const fs::path file = ResultsLayout(dir).summary_json();
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw InputError(fmt::format("{}: not a folder; give the results folders of two `accessplan run`s", dir.string()));
    std::ifstream in(file);
    if (!in)
        throw InputError(fmt::format("{}: no summary.json; this is not an accessplan results folder (run the scenario "
                                     "first: accessplan run SCENARIO.yaml --out {})", dir.string(), dir.string()));
    try {
        nlohmann::json j = nlohmann::json::parse(in);
        if (!j.is_object() || !j.contains("services") || !j["services"].is_array())
            throw InputError(fmt::format("{}: summary.json has no services list; it was written by another version of "
                                         "accessplan: run the scenario again", file.string()));
        const int schema = j.value("results_schema", 1);
        if (schema != results_schema)
            throw InputError(fmt::format("{}: results folder in layout {} (an {} accessplan wrote it); this version reads "
                                         "layout {}: run the scenario again with this version", dir.string(), schema,
                                         schema < results_schema ? "older" : "newer", results_schema));
        for (std::size_t k = 0; k < j["services"].size(); ++k) {
            const nlohmann::json& svc = j["services"][k];
            // The names go into file names (travel_time_<name>.tif): never a path.
            const auto safe_name = [&svc](const char* key) {
                return svc.contains(key) && svc[key].is_string() && is_safe_name(svc[key].get<std::string>());
            };
            if (!svc.is_object() || !safe_name("name") || !safe_name("target_group") || !svc.contains("threshold_min") ||
                !svc["threshold_min"].is_number())
                throw InputError(fmt::format("{}: services[{}] lacks its name, target_group or threshold_min; the file was "
                                             "edited or damaged: run the scenario again", file.string(), k));
        }
        if (j.contains("scenario") && !j["scenario"].is_string())
            throw InputError(fmt::format("{}: 'scenario' is not a name; the file was edited or damaged: run the scenario "
                                         "again", file.string()));
        return j;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: not valid JSON ({}); run the scenario again", file.string(), e.what()));
    }
}

}  // namespace

void check_results_folder(const fs::path& dir) { read_summary(dir); }

namespace {

Grid<float> read_raster(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw InputError(fmt::format("{}: missing; the results folder is incomplete: run the scenario again", file.string()));
    return geodata::read_raster_float(file);
}

/// A whole-number code read back from a float raster of a results folder (area classes, zone ids): 0 (none) for
/// nodata and for values no code can have, which only an edited or damaged file holds.
std::int32_t code_of(float value, float max) {
    return std::isfinite(value) && value >= 0.0f && value <= max ? static_cast<std::int32_t>(value) : 0;
}

std::string class_name(std::uint8_t flags) {
    std::string out;
    for (auto [bit, name] : {std::pair{area_class::island, "island"}, {area_class::border, "border"}, {area_class::remote, "remote"}})
        if (flags & bit) {
            if (!out.empty()) out += '+';
            out += name;
        }
    return out.empty() ? "none" : out;
}

std::string csv_row(const std::string& head, const AccessChange& c) {
    return fmt::format("{},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.2f},{:.1f},{:.1f}\n", head, c.children, c.within_before,
                       c.within_after, c.gained, c.lost, c.gained - c.lost, c.pct_points(), c.faster, c.slower);
}

}  // namespace

ComparisonReport compare_runs(const fs::path& base_dir, const fs::path& scen_dir, const fs::path& out) {
    const nlohmann::json base = read_summary(base_dir), scen = read_summary(scen_dir);
    ComparisonReport report;
    report.base_name = base.value("scenario", base_dir.filename().string());
    report.scenario_name = scen.value("scenario", scen_dir.filename().string());
    std::map<std::string, nlohmann::json> base_services;
    for (const auto& s : base["services"]) base_services[s["name"].get<std::string>()] = s;

    // Area classes and zones of the baseline.
    const ResultsLayout base_layout(base_dir), scen_layout(scen_dir), out_layout(out);
    const Grid<float> class_raster = read_raster(base_layout.area_class_tif());
    Grid<std::uint8_t> flags(class_raster.spec(), 0);
    for (std::size_t i = 0; i < flags.size(); ++i)
        flags[i] = static_cast<std::uint8_t>(code_of(class_raster[i], 255.0f));
    std::optional<Grid<std::int32_t>> zones;
    std::vector<std::pair<std::string, std::string>> zone_names;  // code, name by zone id - 1
    if (fs::exists(base_layout.zones_tif()) && fs::exists(base_layout.zones_csv())) {
        const Grid<float> z = read_raster(base_layout.zones_tif());
        zones = Grid<std::int32_t>(z.spec(), 0);
        for (std::size_t i = 0; i < z.size(); ++i) (*zones)[i] = code_of(z[i], 16777216.0f);  // (whole floats end there)
        const geodata::CsvTable table = geodata::read_csv_table(base_layout.zones_csv());
        const int code = table.column("zone_code"), name = table.column("zone_name"), service = table.column("service");
        if (code < 0 || name < 0 || service < 0)
            throw InputError(fmt::format("{}: no zone_code, zone_name, service columns; run the baseline again",
                                         base_layout.zones_csv().string()));
        for (const auto& row : table.rows)  // (table.rows is not empty here: the loop only runs over rows) one row per zone and service, zones in id order: take the first service's
            if (row[static_cast<std::size_t>(service)] == table.rows.front()[static_cast<std::size_t>(service)])
                zone_names.emplace_back(row[static_cast<std::size_t>(code)], row[static_cast<std::size_t>(name)]);
    }

    fs::create_directories(out_layout.rasters_dir());
    std::string csv = "service,area_class,children,within_before,within_after,gained,lost,net,pct_points,faster,slower\n";
    std::string zones_csv = "service,zone_code,zone_name,children,within_before,within_after,gained,lost,net,pct_points,faster,slower\n";
    std::string areas_csv = "service,rank,change,children,cells,area_class,lon,lat,mean_before_min,mean_after_min\n";
    nlohmann::json summary{{"base", {{"scenario", report.base_name}, {"folder", fs::absolute(base_dir).lexically_normal().string()}}},
                           {"scenario", {{"scenario", report.scenario_name}, {"folder", fs::absolute(scen_dir).lexically_normal().string()}}}};
    for (const auto& s : scen["services"]) {
        const std::string name = s["name"].get<std::string>();
        if (!base_services.count(name)) {
            report.warnings.push_back(fmt::format("service {} is not in the baseline {}: not compared", name, base_dir.string()));
            continue;
        }
        ServiceComparison sc{name, s["target_group"].get<std::string>(), s["threshold_min"].get<double>(), {}};
        if (base_services[name]["threshold_min"].get<double>() != sc.threshold_min)
            report.warnings.push_back(fmt::format("service {}: the threshold changed from {:g} to {:g} min; gains and losses "
                                                  "use the scenario's", name, base_services[name]["threshold_min"].get<double>(),
                                                  sc.threshold_min));
        const Grid<float> before = read_raster(base_layout.travel_time_tif(name));
        const Grid<float> after = read_raster(scen_layout.travel_time_tif(name));
        const Grid<float> children = read_raster(scen_layout.children_tif(sc.target_group));
        sc.change = compare_access(before, after, children, sc.threshold_min, &flags, zones ? &*zones : nullptr,
                                   zone_names.size(), 1.0);
        Grid<float> diff(before.spec(), -9999.0f);
        Grid<std::int32_t> gained(before.spec(), 0);
        for (std::size_t i = 0; i < diff.size(); ++i) {
            if (std::isfinite(before[i]) && std::isfinite(after[i])) diff[i] = after[i] - before[i];
            const bool a = std::isfinite(before[i]) && within_minutes(before[i], sc.threshold_min);
            const bool b = std::isfinite(after[i]) && within_minutes(after[i], sc.threshold_min);
            gained[i] = b && !a ? 1 : (a && !b ? -1 : 0);
        }
        geodata::RasterWriteOptions d;
        d.nodata = -9999.0;
        d.units = "minutes";
        d.description = fmt::format("travel time to {}: scenario minus baseline (negative = faster; nodata = unreachable "
                                    "in either)", name);
        geodata::write_geotiff(out_layout.diff_travel_time_tif(name), diff, d);
        geodata::RasterWriteOptions g;
        g.description = fmt::format("access to {} within {:g} min: 1 gained, -1 lost, 0 unchanged", name, sc.threshold_min);
        geodata::write_geotiff(out_layout.access_change_tif(name), gained, g);

        for (const auto& [cls, c] : sc.change.by_class) csv += csv_row(fmt::format("{},{}", name, cls), c);
        for (std::size_t z = 0; z < sc.change.by_zone.size(); ++z)
            zones_csv += csv_row(fmt::format("{},{},{}", name, geodata::csv_text(zone_names[z].first),
                                             geodata::csv_text(zone_names[z].second)), sc.change.by_zone[z]);
        geodata::CoordinateTransform to_lonlat(before.spec().crs, geodata::wgs84());
        for (std::size_t k = 0; k < sc.change.areas.size() && k < 20; ++k) {
            const ChangedArea& a = sc.change.areas[k];
            double lon = a.x, lat = a.y;
            to_lonlat.transform_point(lon, lat);
            auto minutes = [](double m) { return std::isfinite(m) ? fmt::format("{:.1f}", m) : std::string(); };
            areas_csv += fmt::format("{},{},{},{:.1f},{},{},{:.5f},{:.5f},{},{}\n", name, a.rank, a.gained ? "gained" : "lost",
                                     a.children, a.cells, class_name(a.flags), lon, lat, minutes(a.mean_before_min),
                                     minutes(a.mean_after_min));
        }
        const AccessChange& all = sc.change.by_class.front().second;
        summary["services"].push_back({{"name", name}, {"threshold_min", sc.threshold_min}, {"children", all.children},
                                       {"within_before", all.within_before}, {"within_after", all.within_after},
                                       {"gained", all.gained}, {"lost", all.lost}, {"pct_points", all.pct_points()}});
        report.services.push_back(std::move(sc));
    }
    summary["warnings"] = report.warnings;
    geodata::write_text_file(out_layout.compare_csv(), csv);
    if (zones) geodata::write_text_file(out_layout.compare_zones_csv(), zones_csv);
    geodata::write_text_file(out_layout.changed_areas_csv(), areas_csv);
    geodata::write_text_file(out_layout.compare_json(), summary.dump(2) + "\n");
    return report;
}

}  // namespace accessplan::scenarios
