#include "accessplan/scenarios/pipeline.hpp"
#include "modifications.hpp"
#include "ranking_stage.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <omp.h>

#include "accessplan/engine/age_groups.hpp"
#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/coverage.hpp"
#include "accessplan/engine/e2sfca.hpp"
#include "accessplan/engine/memory.hpp"
#include "accessplan/engine/parallel.hpp"
#include "accessplan/engine/snap.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/engine/version.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/checksum.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/csv_table.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/geodata/vector_write.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {

using geodata::csv_text;
namespace {

Grid<std::uint8_t> to_classes(const Grid<float>& values) {
    Grid<std::uint8_t> out(values.spec(), 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        if (std::isfinite(v) && v >= 0.0f && v <= 255.0f) out[i] = static_cast<std::uint8_t>(std::lround(v));
    }
    return out;
}

using detail::read_layer;

Grid<std::uint8_t> rasterize_mask(const LayerRef& ref, const GridSpec& grid, bool all_touched = true) {
    auto features = read_layer(ref, grid.crs);
    std::vector<const OGRGeometry*> geoms;
    for (const auto& f : features)
        if (f.geometry) geoms.push_back(f.geometry.get());
    return geodata::rasterize_mask(geoms, grid, all_touched);
}

/// The road raster (most important class per cell) after upgrade_road / new_road / new_bridge; `road_cells` gets the
/// cells of each modification that sets speeds.
Grid<std::uint8_t> rasterize_roads(const Scenario& s, const GridSpec& grid, std::vector<std::string>& warnings,
                                   std::map<std::size_t, Grid<std::uint8_t>>& road_cells) {
    std::vector<geodata::Feature> features;
    if (s.roads)
        features = is_osm_file(s.roads->file) ? geodata::read_osm_roads(s.roads->file, grid.crs) : read_layer(*s.roads, grid.crs);
    const std::size_t from_file = features.size();
    road_cells = detail::apply_road_modifications(s, features, grid);
    // Burn the least important class first so the most important road in a cell wins.
    std::vector<std::pair<int, const OGRGeometry*>> burn;
    std::map<std::string, std::size_t> skipped;
    for (const auto& f : features) {
        if (!f.geometry) continue;
        const std::string value = f.attribute(s.road_class_field);
        auto cls = road_class_from_osm(value);
        if (!cls) {
            ++skipped[value.empty() ? "(empty)" : value];
            continue;
        }
        burn.push_back({static_cast<int>(*cls), f.geometry.get()});
    }
    if (s.roads && burn.size() == features.size() - from_file)
        throw InputError(fmt::format("{}: no roads with a known '{}' value (found {} features); expected OSM highway "
                                     "values such as primary, tertiary, track; set travel.roads.class_field if the "
                                     "class is in another field", s.roads->file.string(), s.road_class_field, from_file));
    for (const auto& [value, n] : skipped)
        warnings.push_back(fmt::format("{}: {} road(s) with {}='{}' are not roads for people and were left out",
                                       s.roads->file.string(), n, s.road_class_field, value));
    std::stable_sort(burn.begin(), burn.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<const OGRGeometry*> geoms;
    std::vector<std::int32_t> values;
    for (const auto& [cls, g] : burn) {
        geoms.push_back(g);
        values.push_back(cls);
    }
    Grid<std::int32_t> burned = geodata::rasterize(geoms, values, grid, true);
    Grid<std::uint8_t> roads(grid, 0);
    for (std::size_t i = 0; i < roads.size(); ++i) roads[i] = static_cast<std::uint8_t>(burned[i]);
    return roads;
}


/// Ferry links as extra edges between the passable cells nearest their ports (mean wait = half the headway).
std::vector<ExtraEdge> ferry_edges(const std::vector<detail::FerryLink>& links, const Grid<float>& friction, double snap_m) {
    std::vector<ExtraEdge> edges;
    for (const auto& l : links) {
        SnapResult a = snap_to_passable(friction, l.x0, l.y0, snap_m);
        SnapResult b = snap_to_passable(friction, l.x1, l.y1, snap_m);
        if (!a.placed() || !b.placed())
            throw InputError(fmt::format("{}: ferry '{}': the {} port is not within {} m of passable land ({}); move the "
                                         "line's end onto the quay or raise travel.ferries.port_snap_m",
                                         l.source, l.name, a.placed() ? "last" : "first", snap_m,
                                         to_string(a.placed() ? b.status : a.status)));
        const double minutes = l.crossing_min + l.headway_min / 2.0;  // mean wait is half the headway
        edges.push_back({a.cell, b.cell, minutes});
        if (l.bidirectional) edges.push_back({b.cell, a.cell, minutes});
    }
    return edges;
}

/// Children of a target group: age/sex bands (by their band descriptions f_0, m_5, ...) apportioned to the ages.
Grid<float> children_for(const Scenario& s, const TargetGroup& g, const GridSpec& grid, const Grid<float>& total,
                         std::map<std::string, Grid<float>>& band_cache, std::vector<std::string>& warnings) {
    if (!s.age_sex && s.age_sex_files.empty()) {
        warnings.push_back(fmt::format("population.age_sex is not set: target group '{}' counts people of all ages",
                                       g.name));
        return total;
    }
    // Where each class lives: a band of one file (band description "f_5") or a file of its own ("vnm_f_5_2020.tif").
    std::vector<AgeBand> bands;
    std::map<std::string, std::pair<fs::path, int>> band_source;
    const std::string where = s.age_sex ? s.age_sex->string() : s.age_sex_files.front().parent_path().string();
    if (s.age_sex) {
        geodata::RasterInfo info = geodata::read_raster_info(*s.age_sex);
        for (std::size_t b = 0; b < info.bands.size(); ++b) {
            AgeBand ab;
            if (parse_worldpop_band(info.bands[b].description, ab)) {
                bands.push_back(ab);
                band_source[ab.name] = {*s.age_sex, static_cast<int>(b + 1)};
            }
        }
    } else {
        for (const auto& f : s.age_sex_files) {
            AgeBand ab;
            if (!parse_worldpop_file_name(f.filename().string(), ab))
                throw InputError(fmt::format("{}: the file name does not say its age/sex class; WorldPop names look like "
                                             "vnm_f_5_2020.tif (f or m, then the first age of the band)", f.string()));
            if (!band_source.emplace(ab.name, std::pair{f, 1}).second)
                throw InputError(fmt::format("{}: class {} is given twice in population.age_sex", f.string(), ab.name));
            bands.push_back(ab);
        }
    }
    if (bands.empty())
        throw InputError(fmt::format("{}: no band is named like WorldPop age/sex bands (f_0, f_1, f_5, ..., m_0, ...); "
                                     "set each band's description to its age/sex class", where));
    auto weighted = bands_for_age_range(bands, g.min_age, g.max_age);
    // Every WorldPop class is one sex: both sexes must cover the group, or half the children would go uncounted.
    for (const char sex : {'f', 'm'}) {
        std::vector<AgeBand> of_sex;
        std::copy_if(bands.begin(), bands.end(), std::back_inserter(of_sex), [sex](const AgeBand& b) { return b.name[0] == sex; });
        if (!bands_cover_ages(of_sex, g.min_age, g.max_age))
            throw InputError(fmt::format("{}: the age bands do not cover ages {}-{} of target group '{}' for {} ({}_ "
                                         "bands); add the missing bands or change the group", where, g.min_age, g.max_age,
                                         g.name, sex == 'f' ? "females" : "males", sex));
    }
    // Each band is read and resampled once, whatever the number of target groups. The bands of one file are read
    // together: in a pixel-interleaved file every compressed block holds all of them.
    std::map<fs::path, std::vector<std::string>> to_read;
    for (const auto& w : weighted)
        if (!band_cache.count(w.name)) to_read[band_source.at(w.name).first].push_back(w.name);
    for (const auto& [file, names] : to_read) {
        std::vector<int> indices;
        for (const auto& n : names) indices.push_back(band_source.at(n).second);
        std::vector<Grid<float>> read = geodata::read_raster_bands(file, indices);
        for (std::size_t b = 0; b < names.size(); ++b)
            band_cache.emplace(names[b], geodata::resample_counts(read[b], file, grid));
    }
    Grid<float> children(grid, 0.0f);
    for (const auto& w : weighted) {
        const Grid<float>& band = band_cache.at(w.name);
        for (std::size_t i = 0; i < children.size(); ++i) children[i] += static_cast<float>(band[i] * w.weight);
    }
    return children;
}

/// Facilities as points with the scenario's type/name fields; OpenStreetMap files are read by tag (type = the tag
/// value: school, kindergarten, clinic, hospital, playground, swimming_pool, ...).
std::vector<geodata::PointFeature> read_facilities(const Scenario& s, const GridSpec& grid) {
    if (is_osm_file(s.facilities.file)) {
        std::vector<geodata::PointFeature> points;
        for (auto& f : geodata::read_osm_facilities(s.facilities.file, grid.crs)) {
            geodata::PointFeature p;
            p.fid = static_cast<std::int64_t>(points.size());
            p.x = f.x;
            p.y = f.y;
            p.attributes = {{s.type_field, f.type}, {s.name_field, f.name}, {"osm_id", f.osm_id}};
            points.push_back(std::move(p));
        }
        return points;
    }
    geodata::ReadOptions fo;
    fo.layer = s.facilities.layer;
    fo.csv_xy_crs = grid.crs;
    return geodata::read_points(s.facilities.file, grid.crs, fo);
}

struct LoadedZones {
    Grid<std::int32_t> ids;
    std::vector<std::string> codes, names;
    std::vector<std::unique_ptr<OGRGeometry>> geometries;  ///< in the grid's CRS
};

/// Admin zones: polygons rasterised by cell centre, or unit centre points turned into nearest-centre zones inside
/// the study area (Voronoi cells on the grid, polygonised for the GeoPackage).
LoadedZones load_zones(const Scenario& s, const GridSpec& grid, const Grid<std::uint8_t>& study_area) {
    LoadedZones z;
    auto features = read_layer(*s.zones, grid.crs);
    std::vector<std::pair<double, double>> centres;
    std::vector<const OGRGeometry*> polygons;
    for (auto& f : features) {
        if (!f.geometry) continue;
        const auto flat = wkbFlatten(f.geometry->getGeometryType());
        const bool polygon = flat == wkbPolygon || flat == wkbMultiPolygon;
        const bool point = flat == wkbPoint;
        if (!polygon && !point) continue;
        if ((polygon && !centres.empty()) || (point && !polygons.empty()))
            throw InputError(fmt::format("{}: the zone layer mixes points and polygons; use one kind", s.zones->file.string()));
        if (!s.zone_code_field.empty() && !f.attributes.count(s.zone_code_field))
            throw InputError(fmt::format("{}: zone feature {} has no '{}' field (zones.code_field)", s.zones->file.string(),
                                         f.fid, s.zone_code_field));
        z.codes.push_back(s.zone_code_field.empty() ? std::to_string(f.fid) : f.attribute(s.zone_code_field));
        z.names.push_back(f.attribute(s.zone_name_field));
        if (polygon) {
            polygons.push_back(f.geometry.get());
            z.geometries.push_back(std::move(f.geometry));
        } else {
            centres.emplace_back(f.geometry->toPoint()->getX(), f.geometry->toPoint()->getY());
        }
    }
    if (z.codes.empty())
        throw InputError(fmt::format("{}: no polygons or points in the zone layer{}", s.zones->file.string(),
                                     s.zones->where.empty() ? "" : " (where " + s.zones->where + ")"));
    if (!polygons.empty()) {
        std::vector<std::int32_t> values(polygons.size());
        for (std::size_t k = 0; k < values.size(); ++k) values[k] = static_cast<std::int32_t>(k + 1);
        z.ids = geodata::rasterize(polygons, values, grid, false);
    } else {
        z.ids = nearest_centre_zones(grid, centres, study_area);
        auto shapes = geodata::polygonize(z.ids);
        z.geometries.resize(z.codes.size());
        for (auto& [id, g] : shapes) z.geometries[static_cast<std::size_t>(id - 1)] = std::move(g);
    }
    return z;
}

/// Children of a target group from the total population and a census table of age shares per zone (columns age_A_B).
Grid<float> children_from_shares(const Scenario& s, const TargetGroup& g, const Grid<float>& population,
                                 const LoadedZones& zones, const Grid<std::uint8_t>& study_area,
                                 std::vector<std::string>& warnings) {
    const fs::path& file = *s.age_shares;
    const geodata::CsvTable table = geodata::read_csv_table(file);
    const int code_col = table.column(s.age_shares_code_field);
    if (code_col < 0)
        throw InputError(fmt::format("{}: no column '{}' (population.age_shares.code_field) to match zone codes; columns: {}",
                                     file.string(), s.age_shares_code_field, fmt::join(table.header, ", ")));
    std::vector<std::pair<int, AgeBand>> columns;
    for (std::size_t c = 0; c < table.header.size(); ++c) {
        AgeBand b;
        if (parse_age_column(table.header[c], b)) columns.emplace_back(static_cast<int>(c), b);
    }
    if (columns.empty())
        throw InputError(fmt::format("{}: no age columns; name them age_A_B (share of the population aged A..B, e.g. "
                                     "age_0_4, age_5_9) or age_A for one year", file.string()));
    std::vector<AgeBand> bands;
    for (const auto& [c, b] : columns) bands.push_back(b);
    const auto weights = bands_for_age_range(bands, g.min_age, g.max_age);
    if (!bands_cover_ages(bands, g.min_age, g.max_age))
        throw InputError(fmt::format("{}: the age columns do not cover ages {}-{} of target group '{}'", file.string(),
                                     g.min_age, g.max_age, g.name));
    std::map<std::string, double> group_share;  // zone code -> share of its population in the group
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        const std::string& code = row[static_cast<std::size_t>(code_col)];
        double total = 0.0, share = 0.0;
        for (std::size_t k = 0; k < columns.size(); ++k) {
            const std::string& text = row[static_cast<std::size_t>(columns[k].first)];
            const Parsed<double> parsed = try_parse_number(text, NumberRule{"", 0.0, 1.0});
            if (!parsed.value)  // and why, when the text is no number at all ("0,25": a decimal comma)
                throw InputError(fmt::format("{}: row {} (zone {}): {}='{}'; shares must be numbers from 0 to 1 (a share, "
                                             "not a percentage){}", file.string(), r + 2, code, columns[k].second.name, text,
                                             parse_number(text) ? "" : ": " + parsed.problem));
            const double v = *parsed.value;
            total += v;
            for (const auto& w : weights)
                if (w.name == columns[k].second.name) share += v * w.weight;
        }
        if (total > 1.0 + 1e-3)
            throw InputError(fmt::format("{}: row {} (zone {}): the age shares add up to {:.3f}, more than 1", file.string(),
                                         r + 2, code, total));
        if (!group_share.emplace(code, share).second)
            throw InputError(fmt::format("{}: zone {} appears twice", file.string(), code));
    }
    std::vector<std::string> missing;
    std::vector<double> zone_share(zones.codes.size(), 0.0);
    for (std::size_t z = 0; z < zones.codes.size(); ++z) {
        auto it = group_share.find(zones.codes[z]);
        if (it == group_share.end()) missing.push_back(zones.codes[z]);
        else zone_share[z] = it->second;
    }
    if (!missing.empty())
        throw InputError(fmt::format("{}: {} zone(s) of {} have no row: {}{}; add them to the table", file.string(),
                                     missing.size(), s.zones->file.string(),
                                     fmt::join(missing.begin(), missing.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(missing.size(), 10)), ", "),
                                     missing.size() > 10 ? ", ..." : ""));
    Grid<float> children(population.spec(), 0.0f);
    double outside = 0.0;
    for (std::size_t i = 0; i < children.size(); ++i) {
        const std::int32_t z = zones.ids[i];
        if (z <= 0) {
            if (study_area[i]) outside += population[i];
            continue;
        }
        children[i] = static_cast<float>(population[i] * zone_share[static_cast<std::size_t>(z - 1)]);
    }
    if (outside > 0.5)
        warnings.push_back(fmt::format("{:.0f} people of the study area lie outside every zone of {}: no age share applies to them, so they "
                                       "count as no children of group '{}'", outside, s.zones->file.string(), g.name));
    return children;
}

std::string fmt_number(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", v) : ""; }

/// zones.csv, rasters/zones.tif and access.gpkg (layers facilities and zones).
/// "island", "border+remote", ... : the classes holding more than half of a cluster's children, or "none".
std::string gap_class(const GapCluster& g) {
    std::string out;
    for (auto [name, c] : {std::pair{"island", g.island_children}, {"border", g.border_children}, {"remote", g.remote_children}})
        if (c > 0.5 * g.children) out += (out.empty() ? "" : "+") + std::string(name);
    return out.empty() ? "none" : out;
}

void write_access_layers(const Scenario& s, const fs::path& out, const GridSpec& grid, const RunResult& result,
                         const std::vector<geodata::PointFeature>& points, const LoadedZones* zones,
                         const std::vector<Grid<std::int32_t>>& gap_grids, const OGRGeometry& study_area) {
    using geodata::FieldType;
    std::vector<geodata::OutLayer> layers;
    geodata::OutLayer fac{"facilities", wkbPoint,
                          {{"facility_id", FieldType::integer}, {"name", FieldType::string}, {"type", FieldType::string},
                           {"services", FieldType::string}, {"placement", FieldType::string}, {"moved_m", FieldType::real}},
                          {}};
    // One feature per facility point; placement from its first service (the same point snaps alike per mode).
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
    layers.push_back(std::move(fac));
    if (zones) {
        geodata::RasterWriteOptions zo;
        zo.nodata = 0.0;
        zo.description = "admin zone number (see zones.csv)";
        geodata::write_geotiff(out / "rasters" / "zones.tif", zones->ids, zo);
        std::string csv = "zone_code,zone_name,service,children,within_threshold,pct_within,mean_min,p90_min,unreachable,"
                          "island_children,border_children,remote_children,e2sfca_per_1000\n";
        geodata::OutLayer zl{"zones", wkbMultiPolygon, {{"zone_code", FieldType::string}, {"zone_name", FieldType::string}}, {}};
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
            if (zones->geometries[z]) {
                f.geometry.reset(zones->geometries[z]->clone());
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
        layers.push_back(std::move(zl));
        geodata::write_text_file(out / "zones.csv", csv);
    }
    // Gap clusters of every service in one layer, and gaps.csv.
    std::map<std::int32_t, std::string> facility_names;
    for (const auto& pl : result.placements) facility_names.emplace(pl.id, pl.name);
    geodata::OutLayer gl{"gaps", wkbMultiPolygon,
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
        auto shapes = geodata::polygonize(gap_grids[k]);
        for (const auto& g : svc.gaps) {
            const std::string facility = facility_names.count(g.nearest_facility) ? facility_names.at(g.nearest_facility) : "";
            const double km2 = static_cast<double>(g.cells) * grid.cell_area_m2() / 1e6;
            gaps_csv += fmt::format("{},{},{:.1f},{:.1f},{},{:.1f},{:.1f},{:.1f},{},{},{},{},{},{:.2f}\n", svc.service, g.rank,
                                    g.children, g.unreachable_children, gap_class(g), g.island_children, g.border_children,
                                    g.remote_children, fmt_number(g.mean_min), fmt_number(g.max_min), g.nearest_facility,
                                    csv_text(facility), fmt_number(g.nearest_facility_min), km2);
            geodata::OutFeature f;
            if (auto it = shapes.find(g.rank); it != shapes.end()) {
                f.geometry = std::move(it->second);
                if (wkbFlatten(f.geometry->getGeometryType()) == wkbPolygon)
                    f.geometry.reset(OGRGeometryFactory::forceToMultiPolygon(f.geometry.release()));
            }
            f.values = {svc.service, std::int64_t{g.rank}, g.children, g.unreachable_children, gap_class(g),
                        g.island_children, g.border_children, g.remote_children, opt(g.mean_min), opt(g.max_min),
                        std::int64_t{g.nearest_facility}, facility, opt(g.nearest_facility_min), km2};
            gl.features.push_back(std::move(f));
        }
    }
    layers.push_back(std::move(gl));
    if (result.ranking) layers.push_back(ranking_layer(*result.ranking));
    // Context for maps and GIS: the study area's outline, and the national border within the grid.
    geodata::OutLayer area{"study_area", wkbMultiPolygon, {{"name", FieldType::string}}, {}};
    geodata::OutFeature af;
    af.geometry.reset(study_area.clone());
    if (wkbFlatten(af.geometry->getGeometryType()) == wkbPolygon)
        af.geometry.reset(OGRGeometryFactory::forceToMultiPolygon(af.geometry.release()));
    af.values = {s.name};
    area.features.push_back(std::move(af));
    layers.push_back(std::move(area));
    if (s.border) {
        geodata::OutLayer bl{"national_border", wkbMultiLineString, {}, {}};
        OGRPolygon frame;
        auto ring = std::make_unique<OGRLinearRing>();
        for (auto [x, y] : {std::pair{grid.min_x(), grid.min_y()}, {grid.max_x(), grid.min_y()}, {grid.max_x(), grid.max_y()},
                            {grid.min_x(), grid.max_y()}, {grid.min_x(), grid.min_y()}})
            ring->addPoint(x, y);
        frame.addRingDirectly(ring.release());
        geodata::ReadOptions ro;
        ro.layer = s.border->layer;
        ro.where = s.border->where;
        for (const auto& f : geodata::read_features(s.border->file, grid.crs, ro)) {
            if (!f.geometry) continue;
            std::unique_ptr<OGRGeometry> clipped(f.geometry->Intersection(&frame));
            if (!clipped || clipped->IsEmpty()) continue;
            const auto flat = wkbFlatten(clipped->getGeometryType());
            if (flat != wkbLineString && flat != wkbMultiLineString) continue;  // polygons of a border area: not lines
            geodata::OutFeature g;
            g.geometry.reset(OGRGeometryFactory::forceToMultiLineString(clipped.release()));
            bl.features.push_back(std::move(g));
        }
        layers.push_back(std::move(bl));
    }
    geodata::write_text_file(out / "gaps.csv", gaps_csv);
    geodata::write_geopackage(out / "access.gpkg", grid.crs, layers);
}

/// A full search of an earlier run, kept so that a what-if can update it (update_travel_time).
struct BaseSearch {
    std::vector<SourceCell> sources;
    std::vector<ExtraEdge> edges;
    TravelTimeResult result;
};

/// What a run builds from the scenario's inputs before facilities and ferries count, and the searches it made: all a
/// what-if that changes only facilities, ferries, thresholds or the ranking can take over (RunCache).
struct SharedInputs {
    Scenario key;  ///< shared_inputs_key of the scenario that built this
    std::vector<std::tuple<fs::path, std::uintmax_t, fs::file_time_type>> stamps;  ///< its input files as they were
    GridSpec grid;
    double population_total = 0.0, population_source_total = 0.0, population_in_area = 0.0;
    std::vector<std::string> warnings;
    Grid<std::uint8_t> landcover, land, study_area;
    std::shared_ptr<const OGRGeometry> study_area_shape;  ///< the boundary (or bbox) in the grid's CRS
    std::optional<Grid<std::uint8_t>> roads, rivers, border, listed_remote, listed_island;
    std::optional<Grid<float>> elevation;
    std::map<std::string, Grid<float>> friction;  ///< every mode a service or the remote class uses
    std::vector<SourceCell> towns;
    AreaClassOptions class_options;
    std::optional<LoadedZones> zones;
    std::map<std::string, Grid<float>> children;  ///< per target group, 0 outside the study area
    // Searches of the run that built this.
    BaseSearch town_search;
    std::map<std::string, BaseSearch> service_search;  ///< per service
    struct Catchments {
        double threshold_min = 0.0;
        std::vector<ExtraEdge> edges;
        std::map<std::size_t, Catchment> by_cell;
    };
    std::map<std::string, Catchments> catchments;  ///< per service
};

/// The scenario without what shared inputs do not depend on: its name and files, facility and ferry modifications,
/// thresholds, coverage orders and the ranking. Two scenarios with equal keys (and unchanged files) share inputs.
Scenario shared_inputs_key(const Scenario& s) {
    Scenario k = s;
    k.file.clear();
    k.name.clear();
    k.sources.clear();
    k.ranking.reset();
    for (Service& svc : k.services) {
        svc.threshold_min = 0.0;
        svc.coverage_order.clear();
    }
    using Kind = Modification::Kind;
    std::erase_if(k.modifications, [](const Modification& m) {
        return m.kind == Kind::add_facilities || m.kind == Kind::close_facilities || m.kind == Kind::set_capacity ||
               m.kind == Kind::new_ferry || m.kind == Kind::set_threshold;
    });
    for (Modification& m : k.modifications) m.label.clear();
    return k;
}

std::vector<std::tuple<fs::path, std::uintmax_t, fs::file_time_type>> file_stamps(const Scenario& key) {
    std::vector<std::tuple<fs::path, std::uintmax_t, fs::file_time_type>> stamps;
    for (const auto& f : input_files(key)) {
        std::error_code ec;
        const auto size = fs::file_size(f, ec);
        const auto time = fs::last_write_time(f, ec);
        stamps.emplace_back(f, ec ? 0 : size, ec ? fs::file_time_type{} : time);
    }
    return stamps;
}

/// The edges of `now` that `before` did not have (a multiset difference), or nullopt when an edge of `before` is gone.
std::optional<std::vector<ExtraEdge>> added_edges(std::vector<ExtraEdge> before, std::vector<ExtraEdge> now) {
    auto less = [](const ExtraEdge& x, const ExtraEdge& y) {
        return std::tie(x.from, x.to, x.minutes) < std::tie(y.from, y.to, y.minutes);
    };
    std::sort(before.begin(), before.end(), less);
    std::sort(now.begin(), now.end(), less);
    if (!std::includes(now.begin(), now.end(), before.begin(), before.end(), less)) return std::nullopt;
    std::vector<ExtraEdge> added;
    std::set_difference(now.begin(), now.end(), before.begin(), before.end(), std::back_inserter(added), less);
    return added;
}

/// The travel time from `sources`: an earlier run's search brought up to date when it can be (same friction, its
/// edges all still there), else a full search. Both give the same result exactly.
TravelTimeResult reuse_search(const BaseSearch* base, const Grid<float>& friction, const std::vector<SourceCell>& sources,
                              const TravelTimeOptions& options) {
    if (base == nullptr || base->result.minutes.size() != friction.size() || !added_edges(base->edges, options.extra_edges))
        return compute_travel_time(friction, sources, options);
    std::vector<std::int32_t> removed;
    for (const SourceCell& b : base->sources)
        if (std::none_of(sources.begin(), sources.end(), [&](const SourceCell& c) { return c.cell == b.cell && c.id == b.id; }))
            removed.push_back(b.id);
    TravelTimeResult r = base->result;
    update_travel_time(friction, sources, options, removed, r);
    return r;
}

/// The catchment of each supply point: an earlier run's when it was searched with the same threshold, no edge of it
/// is gone and no new edge starts inside it (the search never reached a new edge), else a bounded search.
std::vector<Catchment> service_catchments(const SharedInputs::Catchments* earlier, const Grid<float>& friction,
                                          const std::vector<SupplyPoint>& supplies, const TravelTimeOptions& bounded,
                                          double threshold_min) {
    std::vector<Catchment> out(supplies.size());
    std::vector<std::size_t> new_edge_cells;  // the cells searches expand to use a new edge
    std::optional<std::vector<ExtraEdge>> added;
    if (earlier != nullptr && earlier->threshold_min == threshold_min) added = added_edges(earlier->edges, bounded.extra_edges);
    const bool usable = added.has_value();
    if (usable)
        for (const ExtraEdge& e : *added) new_edge_cells.push_back(e.to);
    std::vector<SourceCell> missing;
    std::vector<std::size_t> missing_index;
    for (std::size_t j = 0; j < supplies.size(); ++j) {
        if (usable)
            if (auto it = earlier->by_cell.find(supplies[j].cell); it != earlier->by_cell.end()) {
                const Catchment& c = it->second;
                const bool reaches_new_edge = std::any_of(c.begin(), c.end(), [&](const ReachedCell& r) {
                    return std::find(new_edge_cells.begin(), new_edge_cells.end(), r.cell) != new_edge_cells.end();
                });
                if (!reaches_new_edge) {
                    out[j] = c;
                    continue;
                }
            }
        missing.push_back({supplies[j].cell, static_cast<std::int32_t>(j)});
        missing_index.push_back(j);
    }
    std::vector<Catchment> searched = compute_catchments(friction, missing, bounded);
    for (std::size_t m = 0; m < missing.size(); ++m) out[missing_index[m]] = std::move(searched[m]);
    return out;
}

/// The travel modes a run builds friction for: every service's, and the remote class's when towns are set.
std::set<std::string> friction_modes(const Scenario& s) {
    std::set<std::string> modes;
    for (const auto& svc : s.services) modes.insert(svc.mode);
    if (s.towns) modes.insert(s.remote_mode);
    return modes;
}

/// What a run holds per grid cell at its peak, roughly (the memory guard): the input rasters, friction per mode,
/// children per target group with the age bands they come from, and per service its travel time, nearest facility,
/// E2SFCA and gap grids with search scratch. Catchments come on top (about 8 bytes per cell a facility reaches).
double bytes_per_cell(const Scenario& s) {
    std::set<std::string> groups;
    for (const auto& svc : s.services) groups.insert(svc.target_group);
    double bytes = 4.0 + 4.0 + 4.0 * 1.0 + 2.0 + 4.0 + 8.0;  // population (+ growth), 4 masks, land + study area, zones, to_town
    if (s.elevation) bytes += 4.0;
    bytes += 4.0 * static_cast<double>(friction_modes(s).size());
    bytes += 8.0 * static_cast<double>(groups.size());  // children, and the bands they are summed from
    bytes += 6.0;                                       // area-class flags and filters
    bytes += 24.0 * static_cast<double>(s.services.size());
    return bytes;
}

using StageFn = std::function<void(int, const std::string&, const std::string&)>;

/// Stages 1-2 and the parts of 3 and 5 that do not depend on facilities or ferries. Returns the run's memory
/// reservation (the memory guard), to be held until the run ends.
MemoryReservation prepare_shared_inputs(const Scenario& s, SharedInputs& in, const StageFn& stage, const std::function<void(const std::string&)>& substage) {
    in.key = shared_inputs_key(s);
    in.stamps = file_stamps(in.key);
    stage(1, "analysis grid and population", "");
    std::unique_ptr<OGRGeometry> area;
    Crs area_crs = geodata::wgs84();
    if (s.area_boundary) {
        area = geodata::read_study_area(s.area_boundary->file, area_crs, s.area_boundary->layer);
    } else {
        const auto& b = *s.area_bbox;
        auto ring = std::make_unique<OGRLinearRing>();
        for (auto [x, y] : {std::pair{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}) ring->addPoint(x, y);
        auto poly = std::make_unique<OGRPolygon>();
        poly->addRingDirectly(ring.release());
        area = std::move(poly);
    }
    geodata::AnalysisGridOptions grid_options{s.cell_size_m, s.buffer_m, std::nullopt};
    if (s.area_crs) grid_options.crs = geodata::crs_from_user(*s.area_crs, s.file.string() + ": area.crs");
    const GridSpec grid = in.grid = geodata::make_analysis_grid(*area, area_crs, grid_options);
    MemoryReservation memory = reserve_memory(static_cast<double>(grid.cols) * static_cast<double>(grid.rows) * bytes_per_cell(s),
                                              fmt::format("{}: the analysis grid of {} x {} cells of {} m with {} service(s)",
                                                          s.file.string(), grid.cols, grid.rows, s.cell_size_m, s.services.size()),
                                              "use a larger area.cell_size_m (twice the size needs a quarter of the memory) "
                                              "or a smaller study area");
    ResampleReport pop_report;
    Grid<float> population = geodata::resample_counts(s.population, 1, grid, &pop_report);
    const std::optional<Grid<float>> growth = detail::growth_factors(s, grid);
    in.population_total = pop_report.kept_total;
    if (growth) {  // population_growth: every total after it counts the grown population
        in.population_total = 0.0;
        for (std::size_t i = 0; i < population.size(); ++i) {
            population[i] *= (*growth)[i];
            in.population_total += population[i];
        }
    }
    in.population_source_total = pop_report.source_total;
    if (pop_report.source_total > 0.0 && pop_report.kept_total < 0.999 * pop_report.source_total)
        in.warnings.push_back(fmt::format("{}: {:.0f} of {:.0f} people lie outside the analysis grid (area + buffer) "
                                          "and are not counted", s.population.string(),
                                          pop_report.source_total - pop_report.kept_total, pop_report.source_total));

    stage(2, "land cover, roads, rivers, border, elevation", "");
    in.landcover = s.landcover_uniform
                       ? Grid<std::uint8_t>(grid, *s.landcover_uniform)
                       : to_classes(geodata::warp_to_grid(s.landcover, 1, grid, geodata::Resampling::nearest));
    std::map<std::size_t, Grid<std::uint8_t>> road_cells;
    const bool road_changes = std::any_of(s.modifications.begin(), s.modifications.end(), [](const Modification& m) {
        return m.kind == Modification::Kind::upgrade_road || m.kind == Modification::Kind::new_road ||
               m.kind == Modification::Kind::new_bridge;
    });
    if (s.roads || road_changes) in.roads = rasterize_roads(s, grid, in.warnings, road_cells);
    if (s.rivers) in.rivers = rasterize_mask(*s.rivers, grid);
    if (s.border) in.border = rasterize_mask(*s.border, grid);
    detail::check_bridges(s, grid, in.rivers ? &*in.rivers : nullptr, in.landcover);
    const std::vector<detail::FrictionEdit> friction_changes = detail::friction_edits(s, grid, std::move(road_cells));
    if (s.elevation) {
        in.elevation = geodata::warp_to_grid(*s.elevation, 1, grid, geodata::Resampling::bilinear);
        for (float& h : in.elevation->values())
            if (std::isnan(h)) h = 0.0f;  // outside the DEM: flat (such cells are usually sea)
    }

    stage(3, "friction per travel mode, area classes and children", "friction per travel mode");
    const FrictionInputs friction_inputs{&in.landcover, in.roads ? &*in.roads : nullptr, in.rivers ? &*in.rivers : nullptr,
                                         in.border ? &*in.border : nullptr,
                                         s.landcover_uniform ? std::string("travel.landcover.uniform")
                                                             : s.landcover.string() + " (land cover)"};
    for (const auto& m : friction_modes(s)) {
        Grid<float>& f = in.friction[m] = build_friction(friction_inputs, s.modes.at(m));
        detail::apply_friction_edits(friction_changes, m, f, in.border ? &*in.border : nullptr);
    }
    in.land = Grid<std::uint8_t>(grid, 0);
    for (std::size_t i = 0; i < in.land.size(); ++i)
        in.land[i] = (in.landcover[i] != landcover::water && in.landcover[i] != landcover::nodata) ? 1 : 0;
    if (s.towns) {
        const Grid<float>& f = in.friction.at(s.remote_mode);
        for (const auto& f_town : read_layer(*s.towns, grid.crs)) {
            if (!f_town.geometry) continue;
            auto p = geodata::representative_point(*f_town.geometry);
            if (!p) continue;
            SnapResult snap = snap_to_passable(f, p->first, p->second, s.snap_distance_m);
            if (snap.placed()) in.towns.push_back({snap.cell, static_cast<std::int32_t>(in.towns.size())});
        }
        if (in.towns.empty())
            throw InputError(fmt::format("{}: no town of area_classes.towns{} lies on passable land of the analysis grid; "
                                         "check the layer and its filter", s.towns->file.string(),
                                         s.towns->where.empty() ? "" : " (where " + s.towns->where + ")"));
    } else {
        in.warnings.push_back("area_classes.towns is not set: 'remote' comes only from area_classes.remote_zones");
    }
    if (s.remote_zones) in.listed_remote = rasterize_mask(*s.remote_zones, grid, false);
    if (s.island_zones) in.listed_island = rasterize_mask(*s.island_zones, grid, false);
    in.class_options = AreaClassOptions{s.border_km, s.remote_minutes, s.island_bridge_m, true};
    if (s.coastline) {
        Grid<std::uint8_t> coast_islands = geodata::island_cells_from_coastline(s.coastline->file, s.coastline->layer, grid);
        if (in.listed_island)
            for (std::size_t i = 0; i < coast_islands.size(); ++i) coast_islands[i] |= (*in.listed_island)[i];
        in.listed_island = std::move(coast_islands);
        in.class_options.detect_islands = false;
    }
    // The study area itself, in the grid's CRS: no flags across the border or at sea.
    std::unique_ptr<OGRGeometry> area_in_grid(area->clone());
    {
        OGRSpatialReference from = geodata::to_srs(area_crs), to = geodata::to_srs(grid.crs);
        std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&from, &to));
        if (!ct || area_in_grid->transform(ct.get()) != OGRERR_NONE)
            throw IoError("study area: cannot transform it to the analysis grid's CRS");
    }
    in.study_area = geodata::rasterize_mask({area_in_grid.get()}, grid, false);
    in.study_area_shape = std::move(area_in_grid);

    if (s.zones) {
        substage("admin zones");
        in.zones = load_zones(s, grid, in.study_area);
    }

    substage("population: children per target group");
    for (std::size_t i = 0; i < population.size(); ++i)
        if (in.study_area[i]) in.population_in_area += population[i];
    if (!(in.population_in_area > 0.0))
        throw InputError(fmt::format("{}: no people inside the study area ({:.0f} in the whole file): every cell there is nodata "
                                     "or 0. Check that the raster covers the area (area.boundary or area.bbox) and that its "
                                     "nodata value is right (gdalinfo shows both)", s.population.string(),
                                     in.population_source_total));
    // Summaries count the children of the study area; the buffer only lets facilities just outside it count.
    std::map<std::string, Grid<float>> band_cache;
    for (const auto& svc : s.services) {
        if (in.children.count(svc.target_group)) continue;
        Grid<float> c = s.age_shares ? children_from_shares(s, s.group(svc.target_group), population, *in.zones, in.study_area, in.warnings)
                                     : children_for(s, s.group(svc.target_group), grid, population, band_cache, in.warnings);
        if (growth && !s.age_shares && (s.age_sex || !s.age_sex_files.empty()))  // (shares and totals are grown already)
            for (std::size_t i = 0; i < c.size(); ++i) c[i] *= (*growth)[i];
        for (std::size_t i = 0; i < c.size(); ++i)
            if (!in.study_area[i]) c[i] = 0.0f;
        in.children[svc.target_group] = std::move(c);
    }
    return memory;
}

}  // namespace

/// Shared inputs of earlier runs, found by their key (see shared_inputs_key) and checked against their files.
class RunCache {
public:
    std::shared_ptr<const SharedInputs> find(const Scenario& s) const {
        const Scenario key = shared_inputs_key(s);
        const auto stamps = file_stamps(key);
        std::lock_guard lock(m_mutex);
        for (const auto& e : m_entries)
            if (e->key == key && e->stamps == stamps) return e;
        return nullptr;
    }
    void store(std::shared_ptr<const SharedInputs> in) {
        std::lock_guard lock(m_mutex);
        std::erase_if(m_entries, [&](const auto& e) { return e->key == in->key; });
        m_entries.push_back(std::move(in));
    }

private:
    mutable std::mutex m_mutex;
    std::vector<std::shared_ptr<const SharedInputs>> m_entries;
};

std::shared_ptr<RunCache> make_run_cache() { return std::make_shared<RunCache>(); }

bool shares_inputs(const Scenario& a, const Scenario& b) { return shared_inputs_key(a) == shared_inputs_key(b); }

RunResult run_scenario(const Scenario& s, const fs::path& out, const RunOptions& options) {
    const int stages = 6;
    RunResult result;
    auto clock_start = std::chrono::steady_clock::now();
    std::string current_stage;
    auto close_stage = [&] {
        const auto now = std::chrono::steady_clock::now();
        if (!current_stage.empty()) {  // a label met again (once per service) adds up
            const double seconds = std::chrono::duration<double>(now - clock_start).count();
            auto it = std::find_if(result.stage_seconds.begin(), result.stage_seconds.end(),
                                   [&](const auto& e) { return e.first == current_stage; });
            if (it != result.stage_seconds.end()) it->second += seconds;
            else result.stage_seconds.emplace_back(current_stage, seconds);
        }
        clock_start = now;
    };
    // A stage's progress line; its time goes to run.json under `timed_as` (the label unless given).
    auto stage = [&](int k, const std::string& label, const std::string& timed_as = "") {
        throw_if_interrupted();
        close_stage();
        current_stage = timed_as.empty() ? label : timed_as;
        if (options.stage) options.stage(k, stages, label);
    };
    auto substage = [&](const std::string& label) {  // timed separately in run.json, no progress line
        throw_if_interrupted();
        close_stage();
        current_stage = label;
    };
    fs::create_directories(out / "rasters");

    // Everything the scenario's inputs give before facilities and ferries count: reused from an earlier run of this
    // process (RunOptions::cache) when only facilities, ferries, thresholds or the ranking differ.
    std::shared_ptr<const SharedInputs> reused = options.cache ? options.cache->find(s) : nullptr;
    std::shared_ptr<SharedInputs> fresh;
    MemoryReservation memory;  // held to the end of the run: scenarios side by side wait rather than overrun memory
    if (reused) {
        stage(3, "analysis grid, population, land cover, roads, friction, children: reused from an earlier run",
              "inputs reused from an earlier run");
    } else {
        fresh = std::make_shared<SharedInputs>();
        memory = prepare_shared_inputs(s, *fresh, stage, substage);
    }
    const SharedInputs& in = reused ? *reused : *fresh;
    // The searches below are kept for later runs only when there is a cache to keep them in (they are copies).
    SharedInputs* const keep = fresh && options.cache ? fresh.get() : nullptr;
    const GridSpec& grid = in.grid;
    result.grid = grid;
    result.population_total = in.population_total;
    result.population_source_total = in.population_source_total;
    result.population_in_area = in.population_in_area;
    result.warnings = in.warnings;
    result.towns_placed = in.towns.size();
    const auto& roads = in.roads;
    const auto& rivers = in.rivers;
    const auto& border = in.border;
    const auto& friction = in.friction;
    const auto& children = in.children;
    const auto& zones = in.zones;
    const Grid<std::uint8_t>& study_area = in.study_area;

    substage("facilities, ferries and area classes");
    std::set<std::string> modes_used;
    for (const auto& svc : s.services) modes_used.insert(svc.mode);
    // Travel options (ferries, slope) of each mode, shared by every search in that mode.
    const std::vector<detail::FerryLink> ferries = detail::ferry_links(s, grid.crs);
    std::map<std::string, TravelTimeOptions> travel_options;
    for (const auto& [m, f] : friction) {
        TravelTimeOptions topt;
        topt.extra_edges = ferry_edges(ferries, f, s.ferry_port_snap_m);
        if (in.elevation && s.modes.at(m).slope_aware) topt.elevation_m = &*in.elevation;
        travel_options[m] = std::move(topt);
    }
    for (const auto& m : modes_used) {
        geodata::RasterWriteOptions wo;
        wo.description = fmt::format("friction for {}", m);
        wo.units = "minutes per metre";
        geodata::write_geotiff(out / "rasters" / fmt::format("friction_{}.tif", m), friction.at(m), wo);
    }
    auto points = read_facilities(s, grid);
    detail::apply_facility_modifications(s, points, grid.crs);
    if (points.empty())
        throw InputError(fmt::format("{}: the facility layer is empty; add facilities or point facilities.file elsewhere",
                                     s.facilities.file.string()));

    // Area classes: island (land cut off from the mainland), border (near the national land border), remote (far
    // from a town by the remote mode, or listed).
    std::optional<Grid<float>> to_town;
    if (s.towns) {
        const TravelTimeOptions& topt = travel_options.at(s.remote_mode);
        TravelTimeResult t = reuse_search(reused ? &reused->town_search : nullptr, friction.at(s.remote_mode), in.towns, topt);
        if (keep) keep->town_search = {in.towns, topt.extra_edges, t};
        to_town = std::move(t.minutes);
    }
    const Grid<std::uint8_t> area_flags = classify_areas(
        {&in.land, border ? &*border : nullptr, to_town ? &*to_town : nullptr, in.listed_remote ? &*in.listed_remote : nullptr,
         in.listed_island ? &*in.listed_island : nullptr, &study_area},
        in.class_options);

    stage(4, "travel time");
    std::vector<TravelTimeResult> times(s.services.size());
    std::vector<std::size_t> counts(s.services.size(), 0), placed(s.services.size(), 0);
    std::vector<std::vector<SupplyPoint>> supplies(s.services.size());
    struct Capacity {
        std::size_t cell;
        std::int32_t id;
        double capacity;
        std::string name;
        std::size_t supply;  ///< index in supplies[k] (and in the service's catchments)
    };
    std::vector<std::vector<Capacity>> capacities(s.services.size());
    for (const auto& m : modes_used) {
        const Grid<float>& f = friction.at(m);
        const TravelTimeOptions& topt = travel_options.at(m);
        std::vector<std::size_t> which;
        std::vector<std::vector<SourceCell>> sets;
        for (std::size_t k = 0; k < s.services.size(); ++k) {
            const Service& svc = s.services[k];
            if (svc.mode != m) continue;
            std::vector<SourceCell> sources;
            for (std::size_t p = 0; p < points.size(); ++p) {
                const auto& pt = points[p];
                const std::string type = pt.attributes.count(s.type_field) ? pt.attributes.at(s.type_field) : "";
                if (std::find(svc.facility_types.begin(), svc.facility_types.end(), type) == svc.facility_types.end()) continue;
                ++counts[k];
                std::int32_t id = static_cast<std::int32_t>(p + 1);
                if (auto it = pt.attributes.find(s.id_field); it != pt.attributes.end()) {
                    const std::optional<std::int32_t> number = detail::facility_id_number(it->second);
                    if (!number)  // an id numbered past 2147483647 by add_facilities (the file's were checked)
                        throw InputError(fmt::format("{}: facility {} has {}='{}'; ids must be whole numbers from 0 to "
                                                     "2147483647", s.facilities.file.string(), pt.fid, s.id_field, it->second));
                    id = *number;
                }
                SnapResult snap = snap_to_passable(f, pt.x, pt.y, s.snap_distance_m);
                FacilityPlacement fp{id, pt.attributes.count(s.name_field) ? pt.attributes.at(s.name_field) : "", type,
                                     to_string(snap.status), snap.moved_m, svc.name, p};
                result.placements.push_back(fp);
                if (!snap.placed()) continue;
                ++placed[k];
                sources.push_back({snap.cell, id});
                double supply = 1.0;
                if (auto it = pt.attributes.find(s.capacity_field); it != pt.attributes.end() && !it->second.empty()) {
                    supply = parse_number(it->second, detail::capacity_rule(s.facilities.file.string(),
                                                                            fmt::format("facility {}", pt.fid), s.capacity_field));
                    if (supply == 0.0) supply = 1.0;
                    else capacities[k].push_back({snap.cell, id, supply, fp.name, supplies[k].size()});
                }
                supplies[k].push_back({snap.cell, supply});
            }
            if (counts[k] == 0)
                result.warnings.push_back(fmt::format("service {}: no facilities of type {} in {}: every child is in the gap",
                                                      svc.name, fmt::join(svc.facility_types, ", "), s.facilities.file.string()));
            else if (placed[k] < counts[k])
                result.warnings.push_back(fmt::format("service {}: {} of {} facilities are off the grid or farther than {} m "
                                                      "from passable land (see facilities_placement.csv)",
                                                      svc.name, counts[k] - placed[k], counts[k], s.snap_distance_m));
            which.push_back(k);
            sets.push_back(std::move(sources));
        }
        if (reused) {  // bring the earlier run's searches up to date (exactly what a full search gives)
            parallel_for(which.size(), [&](std::size_t j) {
                auto it = reused->service_search.find(s.services[which[j]].name);
                times[which[j]] = reuse_search(it != reused->service_search.end() ? &it->second : nullptr, f, sets[j], topt);
            });
        } else {
            ProgressCallback progress;
            if (options.progress)
                progress = [&](std::size_t done, std::size_t total) { options.progress(fmt::format("travel time ({})", m), done, total); };
            auto computed = compute_travel_times(f, sets, topt, progress);
            for (std::size_t j = 0; j < which.size(); ++j) times[which[j]] = std::move(computed[j]);
        }
        if (keep)
            for (std::size_t j = 0; j < which.size(); ++j)
                keep->service_search[s.services[which[j]].name] = {sets[j], topt.extra_edges, times[which[j]]};
    }

    stage(5, "access metrics", "access metrics: summaries by area class");
    // One mask per area-class filter (all, island, border, remote, none); "all" needs none.
    std::vector<Grid<std::uint8_t>> class_masks;
    std::vector<const Grid<std::uint8_t>*> class_mask_ptrs;
    for (const auto& filter : area_class_filters()) {
        Grid<std::uint8_t> mask(grid, 0);
        for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = filter.includes(area_flags[i]) ? 1 : 0;
        class_masks.push_back(std::move(mask));
    }
    for (std::size_t f = 0; f < class_masks.size(); ++f)
        class_mask_ptrs.push_back(area_class_filters()[f].all ? nullptr : &class_masks[f]);
    result.services.resize(s.services.size());
    parallel_for(s.services.size(), [&](std::size_t k) {
        const Service& svc = s.services[k];
        ServiceResult& r = result.services[k];
        r.service = svc.name;
        r.target_group = svc.target_group;
        r.mode = svc.mode;
        r.threshold_min = svc.threshold_min;
        r.facilities = counts[k];
        r.placed = placed[k];
        const std::vector<AccessSummary> by_filter =
            summarize_access_masks(children.at(svc.target_group), times[k].minutes, svc.threshold_min, class_mask_ptrs);
        for (std::size_t f = 0; f < by_filter.size(); ++f) {
            if (area_class_filters()[f].all) r.access = by_filter[f];
            else r.by_class.emplace_back(area_class_filters()[f].name, by_filter[f]);
        }
    });

    // Per service: the catchment of every facility within the service threshold (a bounded travel-time search each),
    // shared by capacity coverage and E2SFCA, then released.
    std::vector<Grid<float>> accessibility;
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const Service& svc = s.services[k];
        substage("travel time: one catchment per facility (E2SFCA, coverage)");
        TravelTimeOptions bounded = travel_options.at(svc.mode);
        bounded.max_minutes = catchment_search_limit(svc.threshold_min);
        const SharedInputs::Catchments* earlier = nullptr;
        if (reused)
            if (auto it = reused->catchments.find(svc.name); it != reused->catchments.end()) earlier = &it->second;
        std::vector<Catchment> catchments = service_catchments(earlier, friction.at(svc.mode), supplies[k], bounded, svc.threshold_min);
        if (keep) {
            auto& kept = keep->catchments[svc.name];
            kept.threshold_min = svc.threshold_min;
            kept.edges = bounded.extra_edges;
            for (std::size_t j = 0; j < supplies[k].size(); ++j) kept.by_cell.emplace(supplies[k][j].cell, catchments[j]);
        }
        const Grid<float>& kids = children.at(svc.target_group);

        substage("access metrics: capacity coverage");
        // Capacity coverage (AccessMod "geographic coverage") where every placed facility has a capacity.
        if (placed[k] > 0 && capacities[k].size() < placed[k]) {
            result.warnings.push_back(fmt::format("service {}: capacity coverage skipped: {} of {} facilities have no capacity ('{}' missing or 0)",
                                                  svc.name, placed[k] - capacities[k].size(), placed[k], s.capacity_field));
        } else if (placed[k] > 0) {
            auto order = capacities[k];
            if (svc.coverage_order == "capacity_desc")
                std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.capacity > b.capacity; });
            else if (svc.coverage_order == "capacity_asc")
                std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.capacity < b.capacity; });
            std::vector<CoverageFacility> cf;
            std::vector<const Catchment*> reach;
            for (const auto& c : order) {
                cf.push_back({c.cell, c.id, c.capacity});
                reach.push_back(&catchments[c.supply]);
            }
            CoverageResult cov = capacity_coverage(cf, reach, kids);
            result.services[k].covered = cov.covered;
            result.services[k].not_covered = cov.uncovered_total;
            for (std::size_t j = 0; j < order.size(); ++j)
                result.services[k].loads.push_back({order[j].id, order[j].name, order[j].capacity, cov.load[j]});
        }

        substage("access metrics: E2SFCA");
        // E2SFCA (Luo & Qi 2009): catchment = the service threshold, step decay, supply = capacity (or 1).
        E2sfcaOptions eo;
        eo.catchment_min = svc.threshold_min;
        Grid<float> a = e2sfca(supplies[k], std::move(catchments), kids, eo);
        double weighted = 0.0, total = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            a[i] *= 1000.0f;  // per 1,000 children
            weighted += static_cast<double>(a[i]) * kids[i];
            total += kids[i];
        }
        result.services[k].e2sfca_per_1000 = total > 0.0 ? weighted / total : 0.0;
        accessibility.push_back(std::move(a));
    }
    substage("access metrics: gap clusters and zonal statistics");
    std::vector<Grid<std::int32_t>> gap_grids(s.services.size());
    std::vector<std::vector<ZoneAccess>> per_zone(s.services.size());
    parallel_for(s.services.size(), [&](std::size_t k) {
        const Grid<float>& kids = children.at(s.services[k].target_group);
        GapResult g = find_gap_clusters(kids, times[k].minutes, times[k].nearest, s.services[k].threshold_min, &area_flags,
                                        &study_area, s.gap_min_children, s.gap_min_cell_children);
        result.services[k].gaps = std::move(g.clusters);
        gap_grids[k] = std::move(g.cluster);
        if (!zones) return;
        per_zone[k] = zonal_access(kids, times[k].minutes, s.services[k].threshold_min, zones->ids, zones->codes.size(),
                                   &area_flags);
        std::vector<double> weighted(per_zone[k].size(), 0.0);
        for (std::size_t i = 0; i < kids.size(); ++i)
            if (const auto zid = zones->ids[i]; zid > 0) weighted[static_cast<std::size_t>(zid - 1)] += accessibility[k][i] * kids[i];
        for (std::size_t z = 0; z < per_zone[k].size(); ++z)
            per_zone[k][z].e2sfca_per_1000 =
                per_zone[k][z].access.children > 0.0 ? weighted[z] / per_zone[k][z].access.children : 0.0;
    });
    if (zones) {
        result.zones.resize(zones->codes.size());
        for (std::size_t z = 0; z < zones->codes.size(); ++z) {
            result.zones[z].code = zones->codes[z];
            result.zones[z].name = zones->names[z];
            for (std::size_t k = 0; k < s.services.size(); ++k) result.zones[z].per_service.push_back(per_zone[k][z]);
        }
    }

    if (s.ranking) {
        substage("ranking: candidates, catchments, greedy");
        RankingContext rc{s, grid, {}, {}, {}, {}, {}, area_flags, in.landcover, rivers ? &*rivers : nullptr,
                          roads ? &*roads : nullptr, points, zones ? &zones->ids : nullptr, zones ? &zones->names : nullptr,
                          options.budget, options.exact, options.objective};
        for (std::size_t k = 0; k < s.services.size(); ++k) {
            rc.children.push_back(&children.at(s.services[k].target_group));
            rc.minutes.push_back(&times[k].minutes);
            rc.friction.push_back(&friction.at(s.services[k].mode));
            rc.travel.push_back(&travel_options.at(s.services[k].mode));
            rc.gaps.push_back(&gap_grids[k]);
        }
        result.ranking = run_ranking(rc, result.warnings);
    }

    stage(6, "writing outputs");
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const Service& svc = s.services[k];
        geodata::RasterWriteOptions t;
        t.nodata = -9999.0;
        t.units = "minutes";
        t.description = fmt::format("travel time to the nearest {} by {} (unreachable = nodata)", svc.name, svc.mode);
        geodata::write_geotiff(out / "rasters" / fmt::format("travel_time_{}.tif", svc.name), times[k].minutes, t);
        geodata::RasterWriteOptions n;
        n.nodata = static_cast<double>(no_facility);
        n.description = fmt::format("id of the nearest {}", svc.name);
        geodata::write_geotiff(out / "rasters" / fmt::format("nearest_{}.tif", svc.name), times[k].nearest, n);
    }
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        geodata::RasterWriteOptions e;
        e.units = "supply per 1000 children";
        e.description = fmt::format("E2SFCA accessibility to {} (Luo & Qi 2009), capacity per 1,000 children", s.services[k].name);
        geodata::write_geotiff(out / "rasters" / fmt::format("e2sfca_{}.tif", s.services[k].name), accessibility[k], e);
    }
    for (const auto& [group, grid_children] : children) {
        geodata::RasterWriteOptions c;
        c.units = "persons";
        c.description = fmt::format("children of target group {}", group);
        geodata::write_geotiff(out / "rasters" / fmt::format("children_{}.tif", group), grid_children, c);
    }
    geodata::RasterWriteOptions ac;
    ac.description = "area class bit flags: 1 island, 2 border, 4 remote (0 none)";
    ac.metadata = {{"AREA_CLASS_FLAGS", "1=island,2=border,4=remote"}};
    geodata::write_geotiff(out / "rasters" / "area_class.tif", area_flags, ac);
    Grid<std::uint8_t> land_map(grid, 0);  // for maps: the coast, and the study area within the buffer
    for (std::size_t i = 0; i < land_map.size(); ++i) land_map[i] = in.land[i] ? (study_area[i] ? 2 : 1) : 0;
    geodata::RasterWriteOptions lo;
    lo.description = "0 water, 1 land outside the study area, 2 land in the study area";
    geodata::write_geotiff(out / "rasters" / "land.tif", land_map, lo);
    std::string csv = "service,area_class,children,within_threshold,pct_within,mean_min,p90_min,unreachable\n";
    std::string load_csv = "service,facility_id,name,capacity,load,pct_used\n";
    std::string bands_csv = "service,area_class";
    for (const char* b : travel_time_band_names) bands_csv += fmt::format(",min_{}", b);
    bands_csv += ",unreachable\n";
    nlohmann::json summary;
    summary["results_schema"] = results_schema;
    summary["scenario"] = s.name;
    summary["grid"] = {{"crs", grid.crs.label()}, {"cols", grid.cols}, {"rows", grid.rows}, {"cell_size_m", grid.cell_width_m()}};
    summary["population_total"] = result.population_total;
    summary["population_in_area"] = result.population_in_area;
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
            for (const auto& l : r.loads)
                load_csv += fmt::format("{},{},{},{:.0f},{:.1f},{:.1f}\n", r.service, l.id, csv_text(l.name), l.capacity, l.load,
                                        l.capacity > 0.0 ? 100.0 * l.load / l.capacity : 0.0);
        }
        std::vector<std::pair<std::string, AccessSummary>> rows{{"all", r.access}};
        rows.insert(rows.end(), r.by_class.begin(), r.by_class.end());
        for (const auto& [cls, a] : rows) {
            csv += fmt::format("{},{},{:.1f},{:.1f},{:.2f},{},{},{:.1f}\n", r.service, cls, a.children, a.within_threshold,
                               a.pct_within(), fmt_number(a.mean_min), fmt_number(a.p90_min), a.unreachable);
            nlohmann::json row{{"service", r.service}, {"area_class", cls}, {"children", a.children},
                               {"within_threshold", a.within_threshold}, {"pct_within", a.pct_within()},
                               {"unreachable", a.unreachable}};
            row["mean_min"] = std::isfinite(a.mean_min) ? nlohmann::json(a.mean_min) : nlohmann::json(nullptr);
            row["p90_min"] = std::isfinite(a.p90_min) ? nlohmann::json(a.p90_min) : nlohmann::json(nullptr);
            row["median_min"] = std::isfinite(a.median_min) ? nlohmann::json(a.median_min) : nlohmann::json(nullptr);
            nlohmann::json bands;
            bands_csv += fmt::format("{},{}", r.service, cls);
            for (std::size_t b = 0; b < a.bands.size(); ++b) {
                bands[travel_time_band_names[b]] = a.bands[b];
                bands_csv += fmt::format(",{:.1f}", a.bands[b]);
            }
            bands_csv += fmt::format(",{:.1f}\n", a.unreachable);
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
                         {"method", rk->exact ? "exact integer program (GLPK)" : "lazy greedy with best-single-site start"},
                         {"started_from_best_single", rk->started_from_best_single}};
        if (rk->exact_gain) {
            j["exact_gain"] = *rk->exact_gain;
            j["greedy_gain"] = *rk->greedy_gain;
            j["greedy_gap_pct"] = *rk->exact_gain > 0.0 ? 100.0 * (1.0 - *rk->greedy_gain / *rk->exact_gain) : 0.0;
            j["proven_optimal"] = rk->proven_optimal;
        }
        summary["ranking"] = j;
    }
    summary["warnings"] = result.warnings;
    geodata::write_text_file(out / "summary.csv", csv);
    geodata::write_text_file(out / "summary.json", summary.dump(2) + "\n");
    geodata::write_text_file(out / "bands.csv", bands_csv);
    geodata::write_text_file(out / "facilities_load.csv", load_csv);
    write_access_layers(s, out, grid, result, points, zones ? &*zones : nullptr, gap_grids, *in.study_area_shape);
    if (result.ranking) write_ranking_tables(*result.ranking, out);
    std::string placement = "service,facility_id,name,type,status,moved_m\n";
    for (const auto& p : result.placements)
        placement += fmt::format("{},{},{},{},{},{:.1f}\n", p.service, p.id, csv_text(p.name), p.type, p.status, p.moved_m);
    geodata::write_text_file(out / "facilities_placement.csv", placement);
    if (options.visual_outputs) {
        substage("maps, styles and report");
        options.visual_outputs(result);
    }
    close_stage();
    current_stage.clear();
    nlohmann::json run;
    for (const auto& [name, seconds] : result.stage_seconds) run["stage_seconds"][name] = seconds;
    run["accessplan_version"] = version_string;
    run["results_schema"] = results_schema;
    run["command_line"] = options.command_line;
    const fs::path relative = fs::absolute(s.file).lexically_relative(fs::absolute(out));
    run["scenario_file"] = (!relative.empty() && *relative.begin() != "..") ? relative.string() : fs::absolute(s.file).string();
    run["threads"] = omp_get_max_threads();
    // Provenance: the scenario's text (its base chain included) and every input file, by SHA-256.
    std::string texts;
    for (const auto& [file, text] : s.sources) {
        texts += text;
        run["scenario_chain"].push_back(fs::absolute(file).lexically_normal().string());
    }
    run["scenario_sha256"] = geodata::sha256_hex(texts);
    if (s.month) run["month"] = *s.month;
    if (!s.credits.empty()) run["credits"] = s.credits;
    run["modifications"] = nlohmann::json::array();
    for (const auto& m : s.modifications) run["modifications"].push_back(m.label);
    for (const auto& f : input_files(s)) {
        std::error_code ec;
        nlohmann::json entry{{"file", fs::absolute(f).lexically_normal().string()}};
        if (fs::is_regular_file(f, ec)) {
            entry["bytes"] = fs::file_size(f, ec);
            entry["sha256"] = geodata::sha256_file(f);
        }
        run["inputs"].push_back(entry);
    }
    geodata::write_text_file(out / "run.json", run.dump(2) + "\n");
    if (fresh && options.cache) options.cache->store(std::move(fresh));
    return result;
}

}  // namespace accessplan::scenarios
