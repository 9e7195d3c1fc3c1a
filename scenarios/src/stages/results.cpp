#include "results.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <omp.h>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/memory.hpp"
#include "accessplan/engine/version.hpp"
#include "accessplan/geodata/checksum.hpp"
#include "accessplan/geodata/csv_table.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/geodata/vector_write.hpp"
#include "../modifications.hpp"
#include "ranking.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios::detail {

geodata::RasterWriteOptions travel_time_raster(const Service& svc, std::optional<double> searched_to_min) {
    geodata::RasterWriteOptions t;
    t.nodata = -9999.0;
    t.units = "minutes";
    t.description = fmt::format("travel time to the nearest {} by {} (unreachable = nodata)", svc.name, svc.mode);
    if (searched_to_min) {
        t.description += fmt::format("; outside the study area only up to {:.1f} min, its farthest cell's time "
                                     "(travel.search: study_area): farther cells nodata", *searched_to_min);
        t.metadata = {{"SEARCH", "study_area"}, {"SEARCHED_TO_MIN", fmt::format("{}", *searched_to_min)}};
    }
    return t;
}

geodata::RasterWriteOptions nearest_raster(const Service& svc) {
    geodata::RasterWriteOptions n;
    n.nodata = static_cast<double>(no_facility);
    n.description = fmt::format("id of the nearest {}", svc.name);
    return n;
}

namespace {

using geodata::csv_text;

void write_friction(const ResultsLayout& layout, const RunInputs& in, const std::string& mode) {
    geodata::RasterWriteOptions wo;
    wo.description = in.networks.count(mode)
                         ? fmt::format("off-road friction for {} (the roads are a network searched with it: summary.json travel)", mode)
                         : fmt::format("friction for {}", mode);
    wo.units = "minutes per metre";
    geodata::write_geotiff(layout.friction_tif(mode), in.friction.at(mode), wo);
}

void write_e2sfca(const ResultsLayout& layout, const Service& svc, const Grid<float>& accessibility) {
    geodata::RasterWriteOptions e;
    e.units = "supply per 1000 children";
    e.description = fmt::format("E2SFCA accessibility to {} (Luo & Qi 2009), capacity per 1,000 children", svc.name);
    geodata::write_geotiff(layout.e2sfca_tif(svc.name), accessibility, e);
}

std::string fmt_number(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v) : ""; }

/// "island", "border+remote", ... : the classes holding more than half of a cluster's children, or "none".
std::string gap_class(const GapCluster& g) {
    std::string out;
    for (auto [name, c] : {std::pair{"island", g.island_children}, {"border", g.border_children}, {"remote", g.remote_children}})
        if (c > 0.5 * g.children) out += (out.empty() ? "" : "+") + std::string(name);
    return out.empty() ? "none" : out;
}

/// The facilities layer: one feature per facility point; placement from its last service (a point snaps alike per mode).
geodata::OutLayer facilities_layer(const Scenario& s, const RunResult& result, const std::vector<geodata::PointFeature>& points) {
    using geodata::FieldType;
    geodata::OutLayer fac{ResultsLayout::facilities_layer, wkbPoint,
                          {{"facility_id", FieldType::integer}, {"name", FieldType::string}, {"type", FieldType::string},
                           {"services", FieldType::string}, {"placement", FieldType::string}, {"moved_m", FieldType::real}},
                          {}};
    for (std::size_t p = 0; p < points.size(); ++p) {
        const auto& pt = points[p];
        const std::string type = pt.attributes.count(s.type_field) ? pt.attributes.at(s.type_field) : "";
        std::string services, status = "not used";
        double moved = 0.0;
        std::int64_t id = static_cast<std::int64_t>(p + 1);
        for (const auto& pl : result.placements) {
            if (pl.point_index != p) continue;
            if (services.find(pl.service) == std::string::npos) services += (services.empty() ? "" : ",") + pl.service;
            status = pl.status;
            moved = pl.moved_m;
            id = pl.id;
        }
        geodata::OutFeature f;
        f.geometry = std::make_unique<OGRPoint>(pt.x, pt.y);
        f.values = {id, pt.attributes.count(s.name_field) ? pt.attributes.at(s.name_field) : std::string(), type, services,
                    status, moved};
        fac.features.push_back(std::move(f));
    }
    return fac;
}

/// rasters/zones.tif, zones.csv and the zones layer.
geodata::OutLayer zone_outputs(const ResultsLayout& layout, const RunResult& result, const LoadedZones& zones) {
    using geodata::FieldType;
    geodata::RasterWriteOptions zo;
    zo.nodata = 0.0;
    zo.description = "admin zone number (see zones.csv)";
    zones.ids.visit([&](const auto& ids) { geodata::write_geotiff(layout.zones_tif(), ids, zo); });  // (UInt16 up to 65,535 zones)
    std::string csv = "zone_code,zone_name,service,children,within_threshold,pct_within,mean_min,p90_min,unreachable,"
                      "island_children,border_children,remote_children,e2sfca_per_1000\n";
    geodata::OutLayer zl{ResultsLayout::zones_layer, wkbMultiPolygon, {{"zone_code", FieldType::string}, {"zone_name", FieldType::string}}, {}};
    for (const auto& svc : result.services) {
        zl.fields.push_back({svc.service + "_children", FieldType::real});
        zl.fields.push_back({svc.service + "_pct_within", FieldType::real});
        zl.fields.push_back({svc.service + "_mean_min", FieldType::real});
        zl.fields.push_back({svc.service + "_unreachable", FieldType::real});
        zl.fields.push_back({svc.service + "_e2sfca", FieldType::real});
    }
    for (const char* f : {"island_children", "border_children", "remote_children"}) zl.fields.push_back({f, FieldType::real});
    for (std::size_t z = 0; z < result.zones.size(); ++z) {
        const auto& zr = result.zones[z];
        geodata::OutFeature f;
        if (zones.geometries[z]) {
            f.geometry.reset(zones.geometries[z]->clone());
            if (wkbFlatten(f.geometry->getGeometryType()) == wkbPolygon)
                f.geometry.reset(OGRGeometryFactory::forceToMultiPolygon(f.geometry.release()));
        }
        f.values = {zr.code, zr.name};
        for (std::size_t k = 0; k < zr.per_service.size(); ++k) {
            const auto& a = zr.per_service[k].access;
            csv += fmt::format("{},{},{},{:.1f},{:.1f},{:.2f},{},{},{:.1f},{:.1f},{:.1f},{:.1f},{:.3f}\n", csv_text(zr.code),
                               csv_text(zr.name), result.services[k].service, a.children, a.within_threshold,
                               a.pct_within(), fmt_number(a.mean_min), fmt_number(a.p90_min), a.unreachable,
                               zr.per_service[k].island_children, zr.per_service[k].border_children,
                               zr.per_service[k].remote_children, zr.per_service[k].e2sfca_per_1000);
            f.values.push_back(a.children);
            f.values.push_back(a.pct_within());
            f.values.push_back(std::isfinite(a.mean_min) ? geodata::FieldValue(a.mean_min) : geodata::FieldValue());
            f.values.push_back(a.unreachable);
            f.values.push_back(zr.per_service[k].e2sfca_per_1000);
        }
        if (!zr.per_service.empty()) {
            f.values.push_back(zr.per_service.front().island_children);
            f.values.push_back(zr.per_service.front().border_children);
            f.values.push_back(zr.per_service.front().remote_children);
        }
        zl.features.push_back(std::move(f));
    }
    geodata::write_text_file(layout.zones_csv(), csv);
    return zl;
}

/// Gap clusters of every service in one layer, and gaps.csv.
geodata::OutLayer gap_outputs(const ResultsLayout& layout, const GridSpec& grid, const RunResult& result,
                              const std::vector<GapShapes>& gap_shapes) {
    using geodata::FieldType;
    std::map<std::int32_t, std::string> facility_names;
    for (const auto& pl : result.placements) facility_names.emplace(pl.id, pl.name);
    geodata::OutLayer gl{ResultsLayout::gaps_layer, wkbMultiPolygon,
                         {{"service", FieldType::string}, {"rank", FieldType::integer}, {"children", FieldType::real},
                          {"unreachable_children", FieldType::real}, {"area_class", FieldType::string},
                          {"island_children", FieldType::real}, {"border_children", FieldType::real},
                          {"remote_children", FieldType::real}, {"mean_min", FieldType::real}, {"max_min", FieldType::real},
                          {"nearest_facility_id", FieldType::integer}, {"nearest_facility", FieldType::string},
                          {"nearest_facility_min", FieldType::real}, {"area_km2", FieldType::real}},
                         {}};
    std::string gaps_csv = "service,rank,children,unreachable_children,area_class,island_children,border_children,"
                           "remote_children,mean_min,max_min,nearest_facility_id,nearest_facility,nearest_facility_min,area_km2\n";
    auto opt = [](double v) { return std::isfinite(v) ? geodata::FieldValue(v) : geodata::FieldValue(); };
    for (std::size_t k = 0; k < result.services.size(); ++k) {
        const auto& svc = result.services[k];
        const GapShapes& shapes = gap_shapes[k];
        for (const auto& g : svc.gaps) {
            const std::string facility = facility_names.count(g.nearest_facility) ? facility_names.at(g.nearest_facility) : "";
            const double km2 = static_cast<double>(g.cells) * grid.cell_area_m2() / 1e6;
            gaps_csv += fmt::format("{},{},{:.1f},{:.1f},{},{:.1f},{:.1f},{:.1f},{},{},{},{},{},{:.2f}\n", svc.service, g.rank,
                                    g.children, g.unreachable_children, gap_class(g), g.island_children, g.border_children,
                                    g.remote_children, fmt_number(g.mean_min), fmt_number(g.max_min), g.nearest_facility,
                                    csv_text(facility), fmt_number(g.nearest_facility_min), km2);
            geodata::OutFeature f;
            if (auto it = shapes.find(g.rank); it != shapes.end()) {
                f.geometry.reset(it->second->clone());
                if (wkbFlatten(f.geometry->getGeometryType()) == wkbPolygon)
                    f.geometry.reset(OGRGeometryFactory::forceToMultiPolygon(f.geometry.release()));
            }
            f.values = {svc.service, std::int64_t{g.rank}, g.children, g.unreachable_children, gap_class(g),
                        g.island_children, g.border_children, g.remote_children, opt(g.mean_min), opt(g.max_min),
                        std::int64_t{g.nearest_facility}, facility, opt(g.nearest_facility_min), km2};
            gl.features.push_back(std::move(f));
        }
    }
    geodata::write_text_file(layout.gaps_csv(), gaps_csv);
    return gl;
}

/// Per service, the land in the study area from which no facility can be reached, as one multipolygon with the
/// children there. The travel-time rasters hold such cells as nodata, as they do the sea and land beyond a border
/// line that closes it off; this layer is what tells them apart in GIS (the maps use rasters/land.tif).
geodata::OutLayer no_access_outputs(const Scenario& s, const GridSpec& grid, const Grid<std::uint8_t>& land,
                                    const std::vector<TravelTimeResult>& times,
                                    const std::map<std::string, Grid<float>>& children) {
    using geodata::FieldType;
    geodata::OutLayer layer{ResultsLayout::no_access_layer, wkbMultiPolygon,
                            {{"service", FieldType::string}, {"children", FieldType::real}, {"area_km2", FieldType::real}},
                            {}};
    // Services often share their unreachable cells (a mode's impassable cells, land no road reaches): each distinct
    // set is polygonized once.
    std::vector<std::pair<Grid<std::uint8_t>, std::unique_ptr<OGRGeometry>>> done;
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const Grid<float>& minutes = times[k].minutes;
        const Grid<float>& group = children.at(s.services[k].target_group);
        Grid<std::uint8_t> cells(grid, 0);
        double kids = 0.0;
        std::size_t count = 0;
        for (std::size_t i = 0; i < cells.size(); ++i)
            if (land[i] == 2 && !std::isfinite(minutes[i])) {
                cells[i] = 1;
                kids += group[i];
                ++count;
            }
        if (count == 0) continue;
        auto same = std::find_if(done.begin(), done.end(), [&](const auto& d) {
            return std::equal(d.first.values().begin(), d.first.values().end(), cells.values().begin());
        });
        if (same == done.end()) {
            auto shapes = geodata::polygonize(cells);
            if (shapes.empty()) continue;
            std::unique_ptr<OGRGeometry> shape = std::move(shapes.begin()->second);
            if (wkbFlatten(shape->getGeometryType()) == wkbPolygon)
                shape.reset(OGRGeometryFactory::forceToMultiPolygon(shape.release()));
            done.emplace_back(std::move(cells), std::move(shape));
            same = std::prev(done.end());
        }
        geodata::OutFeature f;
        f.geometry.reset(same->second->clone());
        f.values = {s.services[k].name, kids, static_cast<double>(count) * grid.cell_area_m2() / 1e6};
        layer.features.push_back(std::move(f));
    }
    return layer;
}

/// Context for maps and GIS: the study area's outline, and the national border within the grid.
std::vector<geodata::OutLayer> context_layers(const Scenario& s, const GridSpec& grid, const OGRGeometry& study_area) {
    using geodata::FieldType;
    std::vector<geodata::OutLayer> layers;
    geodata::OutLayer area{ResultsLayout::study_area_layer, wkbMultiPolygon, {{"name", FieldType::string}}, {}};
    geodata::OutFeature af;
    af.geometry.reset(study_area.clone());
    if (wkbFlatten(af.geometry->getGeometryType()) == wkbPolygon)
        af.geometry.reset(OGRGeometryFactory::forceToMultiPolygon(af.geometry.release()));
    af.values = {s.name};
    area.features.push_back(std::move(af));
    layers.push_back(std::move(area));
    if (s.border) {
        geodata::OutLayer bl{ResultsLayout::national_border_layer, wkbMultiLineString, {}, {}};
        OGRPolygon frame;
        auto ring = std::make_unique<OGRLinearRing>();
        for (auto [x, y] : {std::pair{grid.min_x(), grid.min_y()}, {grid.max_x(), grid.min_y()}, {grid.max_x(), grid.max_y()},
                            {grid.min_x(), grid.max_y()}, {grid.min_x(), grid.min_y()}})
            ring->addPoint(x, y);
        frame.addRingDirectly(ring.release());
        // Only the lines near the study area: a border layer of the region (WDBII) holds the neighbours' borders with
        // each other too, which a national map would draw as if they were the country's. Near = within border_km (the
        // border class's reach) or the buffer, of the study area simplified to a cell (and that cell added).
        const double cell = grid.cell_width_m() / grid.crs.metres_per_unit;
        std::unique_ptr<OGRGeometry> simple(study_area.SimplifyPreserveTopology(cell));
        std::unique_ptr<OGRGeometry> near(
            (simple ? simple.get() : &study_area)
                ->Buffer(std::max({s.border_km * 1000.0, s.buffer_m, 2.0 * grid.cell_width_m()}) / grid.crs.metres_per_unit + cell, 8));
        std::unique_ptr<OGRGeometry> reach(near ? near->Intersection(&frame) : nullptr);
        for (const auto& f : read_layer(*s.border, grid.crs)) {
            if (!f.geometry) continue;
            std::unique_ptr<OGRGeometry> clipped(f.geometry->Intersection(reach ? reach.get() : &frame));
            if (!clipped || clipped->IsEmpty()) continue;
            const auto flat = wkbFlatten(clipped->getGeometryType());
            if (flat != wkbLineString && flat != wkbMultiLineString) continue;  // polygons of a border area: not lines
            geodata::OutFeature g;
            g.geometry.reset(OGRGeometryFactory::forceToMultiLineString(clipped.release()));
            bl.features.push_back(std::move(g));
        }
        layers.push_back(std::move(bl));
    }
    return layers;
}

/// access.gpkg (facilities, zones, gaps, no access, ranking, study area, national border), with zones.csv, rasters/zones.tif and
/// gaps.csv.
void write_access_layers(const Scenario& s, const ResultsLayout& layout, const GridSpec& grid, const RunResult& result,
                         const std::vector<geodata::PointFeature>& points, const LoadedZones* zones,
                         const std::vector<GapShapes>& gap_shapes, geodata::OutLayer no_access,
                         const OGRGeometry& study_area, const std::vector<RunInputs::OsmCoverage>& osm) {
    std::vector<geodata::OutLayer> layers;
    layers.push_back(facilities_layer(s, result, points));
    if (zones) layers.push_back(zone_outputs(layout, result, *zones));
    layers.push_back(gap_outputs(layout, grid, result, gap_shapes));
    layers.push_back(std::move(no_access));
    if (result.ranking) layers.push_back(ranking_layer(*result.ranking));
    if (result.ranking && result.ranking->plan) layers.push_back(plan_layer(*result.ranking->plan));
    for (auto& l : context_layers(s, grid, study_area)) layers.push_back(std::move(l));
    if (std::any_of(osm.begin(), osm.end(), [](const auto& c) { return c.study_area_pct < 99.5; })) {
        using geodata::FieldType;
        geodata::OutLayer box{ResultsLayout::osm_extract_layer, wkbPolygon,
                              {{"file", FieldType::string}, {"study_area_pct_inside", FieldType::real}}, {}};
        for (const auto& c : osm) {
            geodata::OutFeature f;
            f.geometry = lonlat_box_shape(c.box, grid.crs);
            f.values = {c.file, c.study_area_pct};
            box.features.push_back(std::move(f));
        }
        layers.push_back(std::move(box));
    }
    geodata::write_geopackage(layout.access_gpkg(), grid.crs, layers);
}

}  // namespace

Grid<std::uint8_t> land_map(const RunInputs& in) {
    Grid<std::uint8_t> map(in.grid, 0);
    for (std::size_t i = 0; i < map.size(); ++i) map[i] = in.land[i] ? (in.study_area[i] ? 2 : 1) : 0;
    return map;
}

std::string summary_json(const Scenario& s, const RunInputs& inputs, const RunResult& result) {
    const GridSpec& grid = inputs.grid;
    nlohmann::json summary;
    summary["results_schema"] = results_schema;
    summary["scenario"] = s.name;
    summary["grid"] = {{"crs", grid.crs.label()}, {"cols", grid.cols}, {"rows", grid.rows}, {"cell_size_m", grid.cell_width_m()}};
    summary["population_total"] = result.population_total;
    summary["population_in_area"] = result.population_in_area;
    summary["all_ages"] = result.all_ages;  // no age data: the target groups' "children" are people of all ages
    {
        nlohmann::json travel;
        travel["road_model"] = inputs.roads ? nlohmann::json(s.road_model) : nlohmann::json(nullptr);
        for (const auto& [mode, st] : inputs.network_stats)
            travel["networks"][mode] = {{"roads", st.lines}, {"km", st.length_km}, {"nodes", st.nodes},
                                        {"cells_linked", st.cells_with_road}};
        if (inputs.buildings)
            travel["building_cells"] = std::count(inputs.buildings->values().begin(), inputs.buildings->values().end(), std::uint8_t{1});
        for (const auto& c : inputs.osm_coverage)
            travel["osm_extracts"].push_back({{"file", c.file}, {"box", c.box}, {"study_area_pct_inside", c.study_area_pct}});
        travel["search"] = result.travel_search;
        for (const auto& [service, minutes] : result.searched_to_min)
            travel["searched_to_min"][service] = minutes >= 0.0 ? nlohmann::json(minutes) : nlohmann::json(nullptr);
        summary["travel"] = travel;
    }
    const PopulationAccount& pa = result.population;
    summary["population"] = {{"source_total", pa.source_total}, {"in_grid", pa.in_grid}, {"in_boundary", pa.in_boundary},
                             {"kept_to", pa.mask.empty() ? nlohmann::json(nullptr) : nlohmann::json(pa.mask)},
                             {"moved_off_water", pa.moved_off_water}, {"on_water_not_placed", pa.not_placed},
                             {"beyond_border", pa.beyond_border}, {"left_boundary", pa.left_boundary},
                             {"in_study_area", pa.in_study_area}};
    summary["islands"] = {{"count", std::count_if(result.islands.begin(), result.islands.end(),
                                                  [](const IslandRow& r) { return r.status == "island"; })},
                          {"people", std::accumulate(result.islands.begin(), result.islands.end(), 0.0,
                                                     [](double a, const IslandRow& r) {
                                                         return r.status == "island" ? a + r.people : a;
                                                     })}};
    for (const auto& r : result.services) {
        summary["services"].push_back({{"name", r.service}, {"target_group", r.target_group}, {"threshold_min", r.threshold_min},
                                       {"mode", r.mode}, {"facilities", r.facilities}, {"facilities_placed", r.placed},
                                       {"e2sfca_per_1000_children", r.e2sfca_per_1000}});
        if (r.covered) {
            const double total = *r.covered + *r.not_covered;
            summary["services"].back()["capacity_coverage"] = {
                {"covered", *r.covered}, {"not_covered", *r.not_covered},
                {"pct_covered", total > 0.0 ? 100.0 * *r.covered / total : 0.0},
                {"order", s.services[&r - result.services.data()].coverage_order}};
        }
        std::vector<std::pair<std::string, AccessSummary>> rows{{"all", r.access}};
        rows.insert(rows.end(), r.by_class.begin(), r.by_class.end());
        for (const auto& [cls, a] : rows) {
            nlohmann::json row{{"service", r.service}, {"area_class", cls}, {"children", a.children},
                               {"within_threshold", a.within_threshold}, {"pct_within", a.pct_within()},
                               {"unreachable", a.unreachable}};
            row["mean_min"] = std::isfinite(a.mean_min) ? nlohmann::json(a.mean_min) : nlohmann::json(nullptr);
            row["p90_min"] = std::isfinite(a.p90_min) ? nlohmann::json(a.p90_min) : nlohmann::json(nullptr);
            row["median_min"] = std::isfinite(a.median_min) ? nlohmann::json(a.median_min) : nlohmann::json(nullptr);
            nlohmann::json bands;
            for (std::size_t b = 0; b < a.bands.size(); ++b) {
                bands[travel_time_band_names[b]] = a.bands[b];
            }
            row["bands_min"] = bands;
            summary["rows"].push_back(row);
        }
    }
    summary["area_classes"] = {{"border_km", s.border_km}, {"remote_minutes", s.remote_minutes},
                               {"remote_mode", s.remote_mode}, {"towns", result.towns_placed}};
    if (const auto& rk = result.ranking) {
        summary["budget"] = rk->budget;
        summary["spent"] = rk->spent;
        nlohmann::json j{{"objective", rk->objective}, {"currency", rk->currency}, {"budget", rk->budget}, {"spent", rk->spent},
                         {"sites", rk->rows.size()}, {"children_reached", rk->children}, {"weighted_gain", rk->gain},
                         {"candidates", rk->candidates}, {"candidates_from_file", rk->from_file},
                         {"candidates_generated", rk->generated}, {"candidates_dropped", rk->dropped},
                         {"candidates_off_road", rk->off_road}, {"candidates_same_cell", rk->same_cell},
                         {"method", rk->exact ? fmt::format("exact integer program ({})", s.ranking->exact_solver == "glpk" ? "GLPK" : "CBC")
                                    : std::string("lazy greedy with best-single-site start")},
                         {"started_from_best_single", rk->started_from_best_single}};
        if (rk->exact_gain) {
            j["exact_gain"] = *rk->exact_gain;
            j["greedy_gain"] = *rk->greedy_gain;
            j["greedy_gap_pct"] = *rk->exact_gain > 0.0 ? 100.0 * (1.0 - *rk->greedy_gain / *rk->exact_gain) : 0.0;
            j["proven_optimal"] = rk->proven_optimal;
        }
        j["programmes"] = programmes_json(*rk);
        if (rk->plan) j["plan"] = plan_json(*rk);
        j["equity"] = nlohmann::json::array();
        for (const EquityRow& e : rk->equity)
            j["equity"].push_back({{"service", e.service}, {"new_sites", e.new_sites}, {"gini_before", e.gini_before},
                                   {"gini_after", e.gini_after}, {"beyond_threshold_before", e.beyond_before},
                                   {"beyond_threshold_after", e.beyond_after}, {"beyond_in_priority_areas_before", e.priority_before},
                                   {"beyond_in_priority_areas_after", e.priority_after}});
        if (const auto& u = rk->uncertainty)
            j["uncertainty"] = {{"draws", u->draws}, {"seed", u->seed}, {"population_pct", u->population_pct},
                                {"cost_pct", u->cost_pct}, {"speed_pct", u->speed_pct}, {"population_unit", u->population_unit},
                                {"robust_share", 0.9}, {"near_m", u->near_m}};
        if (const auto& u = rk->uncertainty; u && !u->speed_pct_by_class.empty()) {
            j["uncertainty"]["speed_pct_by_class"] = u->speed_pct_by_class;
            j["uncertainty"]["speed_draws"] = nlohmann::json::array();
            for (const SpeedDraw& d : u->speed_draws)
                j["uncertainty"]["speed_draws"].push_back({{"by_class", d.by_class}, {"by_mode", d.by_mode}});
        }
        summary["ranking"] = j;
    }
    summary["warnings"] = result.warnings;
    return summary.dump(2) + "\n";
}

namespace {

bool travelled_by_a_service(const Scenario& s, const std::string& mode) {
    return std::any_of(s.services.begin(), s.services.end(), [&](const Service& svc) { return svc.mode == mode; });
}

}  // namespace

void EarlyRelease::inputs_done() {
    m_inputs.landcover = Grid<std::uint8_t>();
    m_inputs.rivers.reset();
}

void EarlyRelease::area_classes_done() {
    m_inputs.island = Grid<std::uint8_t>();
    m_inputs.border.reset();
    m_inputs.listed_remote.reset();
    m_inputs.listed_island.reset();
    for (auto& [mode, friction] : m_inputs.friction)  // the remote class's mode, when no service travels by it
        if (!travelled_by_a_service(m_scenario, mode))
            friction = Grid<float>();
}

void EarlyRelease::friction_done(const std::string& mode) {
    if (travelled_by_a_service(m_scenario, mode))
        write(m_layout.friction_tif(mode), [&] { write_friction(m_layout, m_inputs, mode); });
    m_inputs.friction.at(mode) = Grid<float>();  // (an empty grid, not a missing mode: a late reader fails loudly)
}

void EarlyRelease::e2sfca_done(std::size_t service, Grid<float>& grid) {
    const Service& svc = m_scenario.services[service];
    write(m_layout.e2sfca_tif(svc.name), [&] { write_e2sfca(m_layout, svc, grid); });
    grid = Grid<float>();
}

Grid<std::int32_t> EarlyRelease::nearest_written(std::size_t service) {
    const Service& svc = m_scenario.services[service];
    write(m_layout.nearest_tif(svc.name),
          [&] { geodata::write_geotiff(m_layout.nearest_tif(svc.name), m_times[service].nearest, nearest_raster(svc)); });
    return std::exchange(m_times[service].nearest, Grid<std::int32_t>());
}

void write_results(const ResultsLayout& layout, const ResultsInputs& in) {
    const Scenario& s = in.scenario;
    const GridSpec& grid = in.inputs.grid;
    const RunResult& result = in.result;
    const auto& times = in.times;
    const auto& children = in.inputs.children;
    const auto& area_flags = in.area_flags;
    const auto& accessibility = in.metrics.accessibility;
    const auto unwritten = [&](const fs::path& path) { return !in.early || !in.early->written(path); };
    std::set<std::string> modes_used;
    for (const auto& svc : s.services) modes_used.insert(svc.mode);
    for (const auto& m : modes_used)
        if (unwritten(layout.friction_tif(m))) write_friction(layout, in.inputs, m);
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const auto searched = result.searched_to_min.find(s.services[k].name);
        geodata::write_geotiff(layout.travel_time_tif(s.services[k].name), times[k].minutes,
                               travel_time_raster(s.services[k], searched != result.searched_to_min.end() && searched->second >= 0.0
                                                                     ? std::optional<double>(searched->second)
                                                                     : std::nullopt));
        if (unwritten(layout.nearest_tif(s.services[k].name)))
            geodata::write_geotiff(layout.nearest_tif(s.services[k].name), times[k].nearest, nearest_raster(s.services[k]));
    }
    for (std::size_t k = 0; k < s.services.size(); ++k)
        if (unwritten(layout.e2sfca_tif(s.services[k].name))) write_e2sfca(layout, s.services[k], accessibility[k]);
    for (const auto& [group, grid_children] : children) {
        geodata::RasterWriteOptions c;
        c.units = "persons";
        c.description = fmt::format("children of target group {}", group);
        geodata::write_geotiff(layout.children_tif(group), grid_children, c);
    }
    geodata::RasterWriteOptions ac;
    ac.description = "area class bit flags: 1 island, 2 border, 4 remote (0 none)";
    ac.metadata = {{"AREA_CLASS_FLAGS", "1=island,2=border,4=remote"}};
    geodata::write_geotiff(layout.area_class_tif(), area_flags, ac);
    geodata::RasterWriteOptions lo;
    lo.description = "0 water, 1 land outside the study area, 2 land in the study area";
    geodata::write_geotiff(layout.land_tif(), in.land, lo);
    std::string csv = "service,area_class,children,within_threshold,pct_within,mean_min,p90_min,unreachable\n";
    std::string load_csv = "service,facility_id,name,capacity,load,pct_used\n";
    std::string bands_csv = "service,area_class";
    for (const char* b : travel_time_band_names) bands_csv += fmt::format(",min_{}", b);
    bands_csv += ",unreachable\n";
    for (const auto& r : result.services) {
        if (r.covered)
            for (const auto& l : r.loads)
                load_csv += fmt::format("{},{},{},{:.0f},{:.1f},{:.1f}\n", r.service, l.id, csv_text(l.name), l.capacity, l.load,
                                        l.capacity > 0.0 ? 100.0 * l.load / l.capacity : 0.0);
        std::vector<std::pair<std::string, AccessSummary>> rows{{"all", r.access}};
        rows.insert(rows.end(), r.by_class.begin(), r.by_class.end());
        for (const auto& [cls, a] : rows) {
            csv += fmt::format("{},{},{:.1f},{:.1f},{:.2f},{},{},{:.1f}\n", r.service, cls, a.children, a.within_threshold,
                               a.pct_within(), fmt_number(a.mean_min), fmt_number(a.p90_min), a.unreachable);
            bands_csv += fmt::format("{},{}", r.service, cls);
            for (double band : a.bands) bands_csv += fmt::format(",{:.1f}", band);
            bands_csv += fmt::format(",{:.1f}\n", a.unreachable);
        }
    }
    geodata::write_text_file(layout.summary_csv(), csv);
    geodata::write_text_file(layout.summary_json(), result.summary_json);
    geodata::write_text_file(layout.bands_csv(), bands_csv);
    geodata::write_text_file(layout.facilities_load_csv(), load_csv);
    std::vector<GapShapes> polygonized;  // the gap clusters' polygons, unless the metrics made them (EarlyRelease)
    if (in.metrics.gap_shapes.size() != s.services.size())
        for (const auto& g : in.metrics.gap_grids) polygonized.push_back(geodata::polygonize(g));
    write_access_layers(s, layout, grid, result, in.facilities.points, in.inputs.zones ? &*in.inputs.zones : nullptr,
                        polygonized.empty() ? in.metrics.gap_shapes : polygonized, no_access_outputs(s, grid, in.land, times, children),
                        *in.inputs.study_area_shape, in.inputs.osm_coverage);
    if (result.ranking) write_ranking_tables(*result.ranking, layout);
    std::string islands = "island,status,area_km2,people,lon,lat,zone,ferry_ports,reached_by\n";
    for (const auto& r : result.islands)
        islands += fmt::format("{},{},{:.3f},{:.0f},{:.5f},{:.5f},{},{},{}\n", r.id, csv_text(r.status), r.area_km2, r.people,
                               r.lon, r.lat, csv_text(r.zone), r.ferry_ports, csv_text(r.reached_by));
    geodata::write_text_file(layout.islands_csv(), islands);
    std::string placement = "service,facility_id,name,type,status,moved_m\n";
    for (const auto& p : result.placements)
        placement += fmt::format("{},{},{},{},{},{:.1f}\n", p.service, p.id, csv_text(p.name), p.type, p.status, p.moved_m);
    geodata::write_text_file(layout.facilities_placement_csv(), placement);
}

void write_run_json(const ResultsLayout& layout, const Scenario& s, const RunResult& result, const RunOptions& options) {
    const fs::path& out = layout.root();
    nlohmann::json run;
    for (const auto& [name, seconds] : result.stage_seconds) run["stage_seconds"][name] = seconds;
    // Memory: what the guard reserved, and the process's peak resident set when each stage ended (the whole
    // process's: a batch's runs side by side share it).
    run["memory"]["reserved_gb"] = result.memory_reserved_bytes / 1e9;
    run["memory"]["written_early"] = result.written_early;
    run["memory"]["peak_resident_gb"] = peak_resident_bytes().value_or(0.0) / 1e9;
    for (const auto& [name, bytes] : result.stage_peak_bytes) run["memory"]["stage_peak_resident_gb"][name] = bytes / 1e9;
    run["memory"]["huge_pages"] = huge_pages_in_use();
    run["accessplan_version"] = version_string;
    run["results_schema"] = results_schema;
    run["command_line"] = options.command_line;
    // A file inside the folder being staged (the demo writes its inputs beside its results) by its path relative to
    // the results folder: the staging name does not last, and the folder may be moved later; any other by its
    // absolute path.
    const fs::path root = fs::absolute(options.staging_root.empty() ? out : options.staging_root).lexically_normal();
    auto shown = [&](const fs::path& file) {
        const fs::path absolute = fs::absolute(file).lexically_normal();
        const fs::path in_root = absolute.lexically_relative(root);
        return (!in_root.empty() && *in_root.begin() != "..") ? absolute.lexically_relative(fs::absolute(out).lexically_normal()).string()
                                                              : absolute.string();
    };
    run["scenario_file"] = shown(s.file);
    run["threads"] = omp_get_max_threads();
    // Provenance: the scenario's text (its base chain included) and every input file, by SHA-256.
    std::string texts;
    for (const auto& [file, text] : s.sources) {
        texts += text;
        run["scenario_chain"].push_back(shown(file));
    }
    run["scenario_sha256"] = geodata::sha256_hex(texts);
    if (s.month) run["month"] = *s.month;
    if (!s.credits.empty()) run["credits"] = s.credits;
    run["modifications"] = nlohmann::json::array();
    for (const auto& m : s.modifications) run["modifications"].push_back(m.label);
    for (const auto& f : input_files(s)) {
        std::error_code ec;
        nlohmann::json entry{{"file", shown(f)}};
        if (fs::is_regular_file(f, ec)) {
            entry["bytes"] = fs::file_size(f, ec);
            entry["sha256"] = geodata::sha256_file(f);
        }
        run["inputs"].push_back(entry);
    }
    geodata::write_text_file(layout.run_json(), run.dump(2) + "\n");
}

}  // namespace accessplan::scenarios::detail
