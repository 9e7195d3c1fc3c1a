#include "accessplan/scenarios/compare.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/results_layout.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/csv_table.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"

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

const char* facility_change_name(FacilityChange::Kind kind) noexcept {
    switch (kind) {
        case FacilityChange::Kind::added: return "new";
        case FacilityChange::Kind::moved: return "moved";
        case FacilityChange::Kind::closed: return "closed";
    }
    return "";
}

std::size_t most_changed_service(const ComparisonReport& report) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < report.services.size(); ++k)
        if (changed_more(report.services[k].change.by_class.front().second, report.services[best].change.by_class.front().second))
            best = k;
    return best;
}

std::vector<ZoneChangeRef> largest_zone_changes(const ComparisonReport& report, std::size_t count) {
    std::vector<ZoneChangeRef> out;
    for (std::size_t s = 0; s < report.services.size(); ++s)
        for (std::size_t z = 0; z < report.services[s].change.by_zone.size() && z < report.zones.size(); ++z) {
            const AccessChange& c = report.services[s].change.by_zone[z];
            if (c.status_changes() > 0.0 || c.faster + c.slower > 0.0) out.push_back({s, z});
        }
    const auto of = [&](const ZoneChangeRef& r) -> const AccessChange& { return report.services[r.service].change.by_zone[r.zone]; };
    std::stable_sort(out.begin(), out.end(), [&](const ZoneChangeRef& a, const ZoneChangeRef& b) { return changed_more(of(a), of(b)); });
    if (out.size() > count) out.resize(count);
    return out;
}

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

/// The figures of compare.csv and compare_zones.csv after their leading columns, in this order.
constexpr const char* csv_columns = "children,within_before,within_after,gained,lost,net,pct_points,faster,slower,"
                                    "unreachable_before,unreachable_after,unreachable_to_within,within_to_unreachable,"
                                    "unreachable_to_beyond,beyond_to_unreachable";

std::string csv_row(const std::string& head, const AccessChange& c) {
    return fmt::format("{},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.2f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f}\n",
                       head, c.children, c.within_before, c.within_after, c.gained, c.lost, c.gained - c.lost, c.pct_points(),
                       c.faster, c.slower, c.unreachable_before, c.unreachable_after, c.unreachable_to_within,
                       c.within_to_unreachable, c.unreachable_to_beyond, c.beyond_to_unreachable);
}

/// compare.json's figures of one service, area class or zone (the columns of compare.csv).
nlohmann::json change_json(const AccessChange& c) {
    return {{"children", c.children}, {"within_before", c.within_before}, {"within_after", c.within_after},
            {"gained", c.gained}, {"lost", c.lost}, {"pct_points", c.pct_points()}, {"faster", c.faster},
            {"slower", c.slower}, {"unreachable_before", c.unreachable_before}, {"unreachable_after", c.unreachable_after},
            {"unreachable_to_within", c.unreachable_to_within}, {"within_to_unreachable", c.within_to_unreachable},
            {"unreachable_to_beyond", c.unreachable_to_beyond}, {"beyond_to_unreachable", c.beyond_to_unreachable}};
}

/// A facility of a run's facilities layer that a service uses.
struct UsedFacility {
    std::string name, type;
    double x = 0.0, y = 0.0;
};

/// Per service, the facilities of a results folder's access.gpkg that it uses (its `services` field), by facility_id.
/// Facilities no service uses are left out: their ids are only their positions in the file.
std::map<std::string, std::map<std::int64_t, UsedFacility>> used_facilities(const fs::path& gpkg, const Crs& crs) {
    std::error_code ec;
    if (!fs::exists(gpkg, ec))
        throw InputError(fmt::format("{}: missing; the results folder is incomplete: run the scenario again", gpkg.string()));
    geodata::ReadOptions o;
    o.layer = ResultsLayout::facilities_layer;
    o.make_valid = false;
    std::map<std::string, std::map<std::int64_t, UsedFacility>> out;
    for (const auto& f : geodata::read_features(gpkg, crs, o)) {
        const std::string services = f.attribute("services");
        if (services.empty() || !f.geometry || wkbFlatten(f.geometry->getGeometryType()) != wkbPoint) continue;
        const IntegerRule rule{fmt::format("{}: layer {}: feature {}: facility_id", gpkg.string(), o.layer, f.fid),
                               std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), true,
                               "a whole number (run the scenario again)"};
        const std::int64_t id = parse_integer(f.attribute("facility_id"), rule);
        const auto* p = f.geometry->toPoint();
        std::istringstream list(services);
        for (std::string service; std::getline(list, service, ',');)
            out[service][id] = {f.attribute("name"), f.attribute("type"), p->getX(), p->getY()};
    }
    return out;
}

/// New, moved (by more than `cell` grid units) and closed facilities of one service between two runs.
std::vector<FacilityChange> facility_changes(const std::map<std::int64_t, UsedFacility>& before,
                                             const std::map<std::int64_t, UsedFacility>& after, double cell,
                                             double metres_per_unit) {
    using Kind = FacilityChange::Kind;
    std::vector<FacilityChange> out;
    auto change = [](Kind kind, std::int64_t id, const UsedFacility& was, const UsedFacility& is) {
        FacilityChange c;
        c.kind = kind;
        c.facility_id = id;
        c.name = is.name;
        c.type = is.type;
        c.x_before = was.x;
        c.y_before = was.y;
        c.x_after = is.x;
        c.y_after = is.y;
        return c;
    };
    for (const auto& [id, f] : after)
        if (!before.count(id)) out.push_back(change(Kind::added, id, f, f));
    for (const auto& [id, f] : after)
        if (const auto it = before.find(id); it != before.end()) {
            const double d = std::hypot(f.x - it->second.x, f.y - it->second.y);
            if (d <= cell) continue;
            out.push_back(change(Kind::moved, id, it->second, f));
            out.back().moved_m = d * metres_per_unit;
        }
    for (const auto& [id, f] : before)
        if (!after.count(id)) out.push_back(change(Kind::closed, id, f, f));
    return out;
}

/// compare.json's entry of one service, without its facilities: its figures, by area class and (`with_zones`) by zone.
nlohmann::json service_json(const ServiceComparison& sc, const std::vector<ComparisonZone>& zones, bool with_zones) {
    nlohmann::json entry{{"name", sc.service}, {"threshold_min", sc.threshold_min},
                         {"threshold_before_min", sc.threshold_before_min}};
    entry.update(change_json(sc.change.by_class.front().second));
    nlohmann::json classes = nlohmann::json::object();
    for (const auto& [cls, c] : sc.change.by_class) classes[cls] = change_json(c);
    entry["area_classes"] = std::move(classes);
    if (with_zones) {
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t z = 0; z < sc.change.by_zone.size() && z < zones.size(); ++z) {
            nlohmann::json row{{"zone_code", zones[z].code}, {"zone_name", zones[z].name}};
            row.update(change_json(sc.change.by_zone[z]));
            rows.push_back(std::move(row));
        }
        entry["zones"] = std::move(rows);
    }
    return entry;
}

/// The note of a service whose threshold differs between the runs.
std::string threshold_warning(const std::string& service, double before, double after) {
    return fmt::format("service {}: the threshold changed from {:g} to {:g} min: 'within before' counts children within "
                       "{:g} min of the baseline's times, 'within after' within {:g} min of the scenario's; gains and "
                       "losses include the children the new threshold alone brings in or leaves out",
                       service, before, after, before, after);
}

}  // namespace

ComparisonReport compare_runs(const fs::path& base_dir, const fs::path& scen_dir, const fs::path& out) {
    const nlohmann::json base = read_summary(base_dir), scen = read_summary(scen_dir);
    ComparisonReport report;
    report.base_name = base.value("scenario", base_dir.filename().string());
    report.scenario_name = scen.value("scenario", scen_dir.filename().string());
    report.all_ages = base.value("all_ages", false) || scen.value("all_ages", false);
    std::map<std::string, nlohmann::json> base_services;
    for (const auto& s : base["services"]) base_services[s["name"].get<std::string>()] = s;

    // Area classes and zones of the baseline.
    const ResultsLayout base_layout(base_dir), scen_layout(scen_dir), out_layout(out);
    const Grid<float> class_raster = read_raster(base_layout.area_class_tif());
    Grid<std::uint8_t> flags(class_raster.spec(), 0);
    for (std::size_t i = 0; i < flags.size(); ++i)
        flags[i] = static_cast<std::uint8_t>(code_of(class_raster[i], 255.0f));
    std::optional<ZoneGrid> zones;
    if (fs::exists(base_layout.zones_tif()) && fs::exists(base_layout.zones_csv())) {
        const Grid<float> z = read_raster(base_layout.zones_tif());
        Grid<std::int32_t> ids(z.spec(), 0);
        std::int32_t highest = 0;
        for (std::size_t i = 0; i < z.size(); ++i) {
            ids[i] = code_of(z[i], 16777216.0f);  // (whole floats end there)
            highest = std::max(highest, ids[i]);
        }
        // Sized by the highest id the raster holds, not by zones.csv's rows: a zones.tif edited or damaged since (an id
        // beyond the table) must not make ZoneGrid refuse it; ids the table does not name find no row below.
        zones = ZoneGrid(std::move(ids), static_cast<std::size_t>(highest));
        const geodata::CsvTable table = geodata::read_csv_table(base_layout.zones_csv());
        const int code = table.column("zone_code"), name = table.column("zone_name"), service = table.column("service");
        if (code < 0 || name < 0 || service < 0)
            throw InputError(fmt::format("{}: no zone_code, zone_name, service columns; run the baseline again",
                                         base_layout.zones_csv().string()));
        for (const auto& row : table.rows)  // (table.rows is not empty here: the loop only runs over rows) one row per zone and service, zones in id order: take the first service's
            if (row[static_cast<std::size_t>(service)] == table.rows.front()[static_cast<std::size_t>(service)])
                report.zones.push_back({row[static_cast<std::size_t>(code)], row[static_cast<std::size_t>(name)]});
    }
    // The facilities each service uses in either run (new, moved, closed).
    const GridSpec& grid = class_raster.spec();
    const auto base_facilities = used_facilities(base_layout.access_gpkg(), grid.crs);
    const auto scen_facilities = used_facilities(scen_layout.access_gpkg(), grid.crs);
    const double cell = std::max(std::abs(grid.transform.pixel_width), std::abs(grid.transform.pixel_height));

    fs::create_directories(out_layout.rasters_dir());
    std::string csv = fmt::format("service,area_class,{}\n", csv_columns);
    std::string zones_csv = fmt::format("service,zone_code,zone_name,{}\n", csv_columns);
    std::string areas_csv = "service,rank,change,children,cells,area_class,lon,lat,mean_before_min,mean_after_min\n";
    nlohmann::json summary{{"base", {{"scenario", report.base_name}, {"folder", fs::absolute(base_dir).lexically_normal().string()}}},
                           {"scenario", {{"scenario", report.scenario_name}, {"folder", fs::absolute(scen_dir).lexically_normal().string()}}}};
    const geodata::CoordinateTransform to_lonlat(grid.crs, geodata::wgs84());
    for (const auto& s : scen["services"]) {
        const std::string name = s["name"].get<std::string>();
        if (!base_services.count(name)) {
            report.warnings.push_back(fmt::format("service {} is not in the baseline {}: not compared", name, base_dir.string()));
            continue;
        }
        ServiceComparison sc{name, s["target_group"].get<std::string>(), s["threshold_min"].get<double>(),
                             base_services[name]["threshold_min"].get<double>(), {}, {}};
        if (sc.threshold_before_min != sc.threshold_min)
            report.warnings.push_back(threshold_warning(name, sc.threshold_before_min, sc.threshold_min));
        const Grid<float> before = read_raster(base_layout.travel_time_tif(name));
        const Grid<float> after = read_raster(scen_layout.travel_time_tif(name));
        const Grid<float> children = read_raster(scen_layout.children_tif(sc.target_group));
        sc.change = compare_access(before, after, children, sc.threshold_before_min, sc.threshold_min, &flags, zones ? &*zones : nullptr,
                                   report.zones.size(), 1.0);
        const auto no_facilities = std::map<std::int64_t, UsedFacility>{};
        const auto b = base_facilities.find(name), a = scen_facilities.find(name);
        sc.facilities = facility_changes(b != base_facilities.end() ? b->second : no_facilities,
                                         a != scen_facilities.end() ? a->second : no_facilities, cell, grid.crs.metres_per_unit);

        const Grid<std::uint8_t> status = status_change(before, after, sc.threshold_before_min, sc.threshold_min);
        Grid<float> diff(before.spec(), -9999.0f);
        Grid<std::int32_t> gained(before.spec(), 0);
        for (std::size_t i = 0; i < diff.size(); ++i) {
            if (std::isfinite(before[i]) && std::isfinite(after[i])) diff[i] = after[i] - before[i];
            const bool was = status[i] / 10 == static_cast<int>(AccessStatus::within);
            const bool is = status[i] % 10 == static_cast<int>(AccessStatus::within);
            gained[i] = is && !was ? 1 : (was && !is ? -1 : 0);
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
        geodata::RasterWriteOptions st;
        st.description = fmt::format("{} within {:g} min before and after, 10 x before + after: 1 within, 2 beyond, "
                                     "3 unreachable (31 = unreachable before, within after)", name, sc.threshold_min);
        st.metadata = {{"STATUS_CODES", "1=within,2=beyond,3=unreachable;code=10*before+after"}};
        geodata::write_geotiff(out_layout.status_change_tif(name), status, st);

        for (const auto& [cls, c] : sc.change.by_class) csv += csv_row(fmt::format("{},{}", name, cls), c);
        for (std::size_t z = 0; z < sc.change.by_zone.size(); ++z) {
            const ComparisonZone& zone = report.zones[z];
            zones_csv += csv_row(fmt::format("{},{},{}", name, geodata::csv_text(zone.code), geodata::csv_text(zone.name)),
                                 sc.change.by_zone[z]);
        }
        for (std::size_t k = 0; k < sc.change.areas.size() && k < 20; ++k) {
            const ChangedArea& area = sc.change.areas[k];
            double lon = area.x, lat = area.y;
            to_lonlat.transform_point(lon, lat);
            auto minutes = [](double m) { return std::isfinite(m) ? fmt::format("{:.1f}", m) : std::string(); };
            areas_csv += fmt::format("{},{},{},{:.1f},{},{},{:.5f},{:.5f},{},{}\n", name, area.rank, area.gained ? "gained" : "lost",
                                     area.children, area.cells, class_name(area.flags), lon, lat, minutes(area.mean_before_min),
                                     minutes(area.mean_after_min));
        }
        nlohmann::json facilities = nlohmann::json::array();
        for (const FacilityChange& f : sc.facilities) {
            const bool moved = f.kind == FacilityChange::Kind::moved;
            double lon = f.x_after, lat = f.y_after;
            to_lonlat.transform_point(lon, lat);
            nlohmann::json j{{"facility_id", f.facility_id}, {"name", f.name}, {"type", f.type},
                             {"change", facility_change_name(f.kind)}, {"lon", lon}, {"lat", lat}};
            if (moved) {
                double lon0 = f.x_before, lat0 = f.y_before;
                to_lonlat.transform_point(lon0, lat0);
                j["lon_before"] = lon0;
                j["lat_before"] = lat0;
                j["moved_m"] = f.moved_m;
            }
            facilities.push_back(std::move(j));
        }
        nlohmann::json entry = service_json(sc, report.zones, zones.has_value());
        entry["facilities"] = std::move(facilities);
        summary["services"].push_back(std::move(entry));
        report.services.push_back(std::move(sc));
    }
    if (!report.services.empty()) summary["largest_change"] = report.services[most_changed_service(report)].service;
    summary["warnings"] = report.warnings;
    geodata::write_text_file(out_layout.compare_csv(), csv);
    if (zones) geodata::write_text_file(out_layout.compare_zones_csv(), zones_csv);
    geodata::write_text_file(out_layout.changed_areas_csv(), areas_csv);
    geodata::write_text_file(out_layout.compare_json(), summary.dump(2) + "\n");
    return report;
}

ComparisonReport compare_results(const RunResult& base, const RunResult& scenario) {
    if (!base.grids || !scenario.grids || !base.grid.same_grid_as(scenario.grid))
        throw InputError("the two runs compared are not on the same analysis grid");
    ComparisonReport report;
    report.all_ages = base.all_ages || scenario.all_ages;
    for (const auto& z : base.zones) report.zones.push_back({z.code, z.name});
    const RunGrids& b = *base.grids;
    const RunGrids& a = *scenario.grids;
    for (std::size_t k = 0; k < scenario.services.size(); ++k) {
        const ServiceResult& svc = scenario.services[k];
        const auto in_base = std::find_if(base.services.begin(), base.services.end(),
                                          [&](const ServiceResult& r) { return r.service == svc.service; });
        if (in_base == base.services.end()) {
            report.warnings.push_back(fmt::format("service {} is not in the baseline: not compared", svc.service));
            continue;
        }
        if (in_base->threshold_min != svc.threshold_min)
            report.warnings.push_back(threshold_warning(svc.service, in_base->threshold_min, svc.threshold_min));
        ServiceComparison sc{svc.service, svc.target_group, svc.threshold_min, in_base->threshold_min, {}, {}};
        const auto kb = static_cast<std::size_t>(in_base - base.services.begin());
        sc.change = compare_access(b.travel_time_min[kb], a.travel_time_min[k], a.children->at(svc.target_group),
                                   in_base->threshold_min, svc.threshold_min, &b.area_class, b.zones.get(),
                                   report.zones.size(), 1.0);
        report.services.push_back(std::move(sc));
    }
    return report;
}

std::string comparison_json(const ComparisonReport& report) {
    nlohmann::json out{{"services", nlohmann::json::array()}, {"warnings", report.warnings}, {"all_ages", report.all_ages}};
    for (const auto& sc : report.services) out["services"].push_back(service_json(sc, report.zones, !report.zones.empty()));
    if (!report.services.empty()) out["largest_change"] = report.services[most_changed_service(report)].service;
    return out.dump();
}

}  // namespace accessplan::scenarios
