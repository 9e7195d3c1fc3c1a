#include "inputs.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <ogr_api.h>
#include <omp.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/snap.hpp"
#include "accessplan/engine/zonal.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/geodata/vector_write.hpp"
#include "../modifications.hpp"
#include "../modifications/kinds.hpp"
#include "children.hpp"
#include "friction.hpp"
#include "road_network.hpp"

namespace accessplan::scenarios::detail {

/// The travel modes a run builds friction for: every service's, and the remote class's when towns are set.
std::set<std::string> friction_modes(const Scenario& s) {
    std::set<std::string> modes;
    for (const auto& svc : s.services) modes.insert(svc.mode);
    if (s.towns) modes.insert(s.remote_mode);
    return modes;
}

namespace {

Grid<std::uint8_t> to_classes(const Grid<float>& values) {
    Grid<std::uint8_t> out(values.spec(), 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        if (std::isfinite(v) && v >= 0.0f && v <= 255.0f) out[i] = static_cast<std::uint8_t>(std::lround(v));
    }
    return out;
}

/// The cells of a layer's features. A layer (or its where: filter) selecting no feature is an InputError naming `key`:
/// the run would go on without it, silently.
Grid<std::uint8_t> rasterize_mask(const LayerRef& ref, const char* key, const GridSpec& grid, bool all_touched = true) {
    auto features = read_layer(ref, grid.crs);
    if (features.empty()) throw no_feature_selected(ref, key);
    std::vector<const OGRGeometry*> geoms;
    for (const auto& f : features)
        if (f.geometry) geoms.push_back(f.geometry.get());
    return geodata::rasterize_mask(geoms, grid, all_touched);
}

/// The road layer's features in the grid's CRS (none without travel.roads); from an OpenStreetMap file, with
/// `buildings` its building areas too (one pass over the file).
std::vector<geodata::Feature> read_roads(const Scenario& s, const GridSpec& grid,
                                         std::vector<std::unique_ptr<OGRGeometry>>* buildings = nullptr) {
    if (!s.roads) return {};
    return is_osm_file(s.roads->file) ? geodata::read_osm_roads(s.roads->file, grid.crs, buildings) : read_layer(*s.roads, grid.crs);
}

/// A copy of `features` (geometries cloned).
std::vector<geodata::Feature> clone_features(const std::vector<geodata::Feature>& features) {
    std::vector<geodata::Feature> out;
    out.reserve(features.size());
    for (const auto& f : features)
        out.push_back({f.fid, std::unique_ptr<OGRGeometry>(f.geometry ? f.geometry->clone() : nullptr), f.attributes});
    return out;
}

/// The road raster (most important class per cell) of the road layer's `features` after the road modifications
/// (road_closure only when `closures`), which are applied to `features`; `road_edits` gets the speed edit of each
/// modification that sets speeds.
Grid<std::uint8_t> rasterize_roads(const Scenario& s, const GridSpec& grid, std::vector<geodata::Feature>& features,
                                   std::vector<std::string>& warnings, std::map<std::size_t, FrictionEdit>& road_edits,
                                   bool closures = true) {
    const std::size_t from_file = features.size();
    road_edits = apply_road_modifications(s, features, grid, closures);
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

}  // namespace

std::unique_ptr<OGRGeometry> lonlat_box_shape(const std::array<double, 4>& box, const Crs& crs) {
    const auto [w, s, e, n] = box;
    std::vector<LonLat> ring;
    for (int k = 0; k < 16; ++k) ring.push_back({w + (e - w) * k / 16.0, s});
    for (int k = 0; k < 16; ++k) ring.push_back({e, s + (n - s) * k / 16.0});
    for (int k = 0; k < 16; ++k) ring.push_back({e - (e - w) * k / 16.0, n});
    for (int k = 0; k < 16; ++k) ring.push_back({w, n - (n - s) * k / 16.0});
    return polygon_in(ring, crs);
}

namespace {

/// An OpenStreetMap extract is complete only inside its box (the ways crossing it reach beyond, nothing else does):
/// roads and facilities of the study area outside it are missing. Says how much of the study area lies outside.
void osm_coverage(const Scenario& s, RunInputs& in) {
    std::set<std::filesystem::path> files;
    if (s.roads && is_osm_file(s.roads->file)) files.insert(s.roads->file);
    if (is_osm_file(s.facilities.file)) files.insert(s.facilities.file);
    for (const std::filesystem::path& file : files) {
        const auto box = geodata::osm_extract_box(file);
        if (!box) {
            in.warnings.push_back(fmt::format("{}: the file states no box it is complete in (an .osm.pbf header bbox or "
                                              "<bounds>): check that it covers the study area; roads and facilities "
                                              "beyond an extract's edge are missing", file.string()));
            continue;
        }
        const auto [w, so, e, n] = *box;
        const auto shape = lonlat_box_shape(*box, in.grid.crs);
        const Grid<std::uint8_t> inside = geodata::rasterize_mask({shape.get()}, in.grid, false);
        std::size_t area = 0, covered = 0;
        for (std::size_t i = 0; i < inside.size(); ++i)
            if (in.study_area[i]) ++area, covered += inside[i] ? 1 : 0;
        const double pct = area ? 100.0 * static_cast<double>(covered) / static_cast<double>(area) : 100.0;
        in.osm_coverage.push_back({file.string(), *box, pct});
        if (pct < 99.5)
            in.warnings.push_back(fmt::format(
                "{}: this OpenStreetMap extract is complete only inside {:.4f}..{:.4f}E {:.4f}..{:.4f}N, and {:.1f}% of the "
                "study area lies outside it: roads and facilities there are missing, so travel times there are too long "
                "and access too low. Use an extract that covers the study area, or that box as the study area "
                "(area: {{bbox: [{:.4f}, {:.4f}, {:.4f}, {:.4f}], buffer_m: 0}})",
                file.string(), w, e, so, n, 100.0 - pct, w, so, e, n));
    }
}

/// Built-up land off the roads is crossed in straight lines at its land-cover speed. In a town whose streets are mapped
/// that is as fast as the streets for walkers by default: say so, with the setting (docs/travel-models.md "Towns").
void town_walking_note(const Scenario& s, RunInputs& in) {
    if (!in.roads) return;
    std::size_t area = 0, built = 0, built_on_road = 0;
    for (std::size_t i = 0; i < in.study_area.size(); ++i) {
        if (!in.study_area[i]) continue;
        ++area;
        if (in.landcover[i] != landcover::built_up) continue;
        ++built;
        if ((*in.roads)[i]) ++built_on_road;
    }
    if (area == 0 || built < area / 5 || built_on_road * 10 < built * 3) return;
    for (const auto& [name, friction] : in.friction) {
        const TravelMode& mode = s.modes.at(name);
        const auto it = mode.landcover_speed_kmh.find(landcover::built_up);
        const double street = mode.road_speed_kmh[static_cast<std::size_t>(RoadClass::residential)];
        if (mode.osm_access != "foot" || it == mode.landcover_speed_kmh.end() || it->second < 0.9 * street) continue;
        in.warnings.push_back(fmt::format(
            "travel mode '{}': built-up land is {:.0f}% of the study area and streets are mapped through {:.0f}% of it, "
            "but off the streets it is walked in straight lines at {:g} km/h, as fast as along them: walking times in "
            "town come out about half the real ones (more so with road_model: raster). For a town whose streets are "
            "mapped set travel.modes.{}: "
            "{{landcover_speed_kmh: {{50: 1.0}}}} (docs/travel-models.md \"Towns\")",
            name, 100.0 * static_cast<double>(built) / static_cast<double>(area),
            100.0 * static_cast<double>(built_on_road) / static_cast<double>(built), it->second, name));
    }
}

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
        // (without the spaces, tabs and line ends around them: a shapefile's "Hà Nội\t" would go on into zones.csv)
        const auto trimmed = [](const std::string& text) {
            const std::size_t first = text.find_first_not_of(" \t\r\n"), last = text.find_last_not_of(" \t\r\n");
            return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
        };
        z.codes.push_back(s.zone_code_field.empty() ? std::to_string(f.fid) : trimmed(f.attribute(s.zone_code_field)));
        z.names.push_back(trimmed(f.attribute(s.zone_name_field)));
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
        z.ids = ZoneGrid(geodata::rasterize(polygons, values, grid, false), z.codes.size());
    } else {
        Grid<std::int32_t> ids = nearest_centre_zones(grid, centres, study_area);
        auto shapes = geodata::polygonize(ids);
        z.geometries.resize(z.codes.size());
        for (auto& [id, g] : shapes) z.geometries[static_cast<std::size_t>(id - 1)] = std::move(g);
        z.ids = ZoneGrid(std::move(ids), z.codes.size());
    }
    return z;
}

/// Land polygons on the grid (by cell centre), and the cells of those of at least `mainland_m2` (the mainland).
std::pair<Grid<std::uint8_t>, Grid<std::uint8_t>> land_from_polygons(const LayerRef& ref, const char* key,
                                                                     const GridSpec& grid, double mainland_m2) {
    auto features = read_layer(ref, grid.crs);
    std::vector<const OGRGeometry*> all, large;
    for (const auto& f : features) {
        if (!f.geometry) continue;
        const auto flat = wkbFlatten(f.geometry->getGeometryType());
        if (flat != wkbPolygon && flat != wkbMultiPolygon) continue;
        all.push_back(f.geometry.get());
        if (OGR_G_Area(OGRGeometry::ToHandle(f.geometry.get())) >= mainland_m2) large.push_back(f.geometry.get());
    }
    if (all.empty())
        throw InputError(fmt::format("{}: {}: no land polygons{}; expected polygons of land such as GSHHG's "
                                     "(everything outside them is sea)", ref.file.string(), key,
                                     ref.where.empty() ? "" : " (where " + ref.where + ")"));
    Grid<std::uint8_t> on_land = geodata::rasterize_mask(all, grid, false);
    Grid<std::uint8_t> mainland = large.empty() ? Grid<std::uint8_t>(grid, 0) : geodata::rasterize_mask(large, grid, false);
    return {std::move(on_land), std::move(mainland)};
}

/// Drops from the study area the pieces the national border line cuts off from its main part (a boundary polygon that
/// crosses the line): study-area cells 4-connected without crossing a border cell form pieces (4, not 8: a line
/// through a cell corner marks only one diagonal pair of the four cells there); every piece but the one with the most
/// cells that touches the line is beyond it, and the line's own cells go with the side most of their neighbours are
/// on. Returns the people of `population` in the cells dropped.
double drop_beyond_border(Grid<std::uint8_t>& study_area, const Grid<std::uint8_t>& border, const Grid<float>& population,
                          std::size_t& pieces) {
    const GridSpec& spec = study_area.spec();
    const auto cols = static_cast<std::int64_t>(spec.cols), rows = static_cast<std::int64_t>(spec.rows);
    std::vector<std::int32_t> piece(study_area.size(), -1);
    std::vector<std::size_t> cells, stack;
    std::vector<char> touches;
    auto open = [&](std::size_t i) { return study_area[i] != 0 && border[i] == 0; };
    for (std::size_t start = 0; start < study_area.size(); ++start) {
        if (!open(start) || piece[start] >= 0) continue;
        const auto id = static_cast<std::int32_t>(cells.size());
        cells.push_back(0);
        touches.push_back(0);
        piece[start] = id;
        stack.assign(1, start);
        while (!stack.empty()) {
            const std::size_t i = stack.back();
            stack.pop_back();
            ++cells.back();
            const auto r = static_cast<std::int64_t>(i) / cols, c = static_cast<std::int64_t>(i) % cols;
            for (auto [dr, dc] : {std::pair<std::int64_t, std::int64_t>{-1, 0}, {1, 0}, {0, -1}, {0, 1}}) {
                const std::int64_t rr = r + dr, cc = c + dc;
                if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
                const auto j = static_cast<std::size_t>(rr * cols + cc);
                if (border[j]) touches.back() = 1;
                if (open(j) && piece[j] < 0) {
                    piece[j] = id;
                    stack.push_back(j);
                }
            }
        }
    }
    pieces = 0;
    if (cells.empty()) return 0.0;
    const auto main = static_cast<std::int32_t>(std::max_element(cells.begin(), cells.end()) - cells.begin());
    double people = 0.0;
    std::vector<char> beyond(cells.size(), 0);
    for (std::size_t k = 0; k < cells.size(); ++k) {
        beyond[k] = static_cast<std::int32_t>(k) != main && touches[k];
        pieces += beyond[k] ? 1 : 0;
    }
    // The line's own cells go with the side most of their neighbours are on.
    std::vector<std::size_t> line_beyond;
    for (std::size_t i = 0; i < study_area.size(); ++i) {
        if (!study_area[i] || !border[i]) continue;
        const auto r = static_cast<std::int64_t>(i) / cols, c = static_cast<std::int64_t>(i) % cols;
        int far = 0, near = 0;
        for (std::int64_t dr = -1; dr <= 1; ++dr)
            for (std::int64_t dc = -1; dc <= 1; ++dc) {
                const std::int64_t rr = r + dr, cc = c + dc;
                if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
                const std::int32_t p = piece[static_cast<std::size_t>(rr * cols + cc)];
                if (p >= 0) (beyond[static_cast<std::size_t>(p)] ? far : near) += 1;
            }
        if (far > near) line_beyond.push_back(i);
    }
    for (std::size_t i = 0; i < study_area.size(); ++i)
        if (piece[i] >= 0 && beyond[static_cast<std::size_t>(piece[i])]) {
            people += population[i];
            study_area[i] = 0;
        }
    for (const std::size_t i : line_beyond) {
        people += population[i];
        study_area[i] = 0;
    }
    return people;
}

/// The pieces of land that are not the mainland itself and reach into the study area, most people first (islands.csv).
std::vector<IslandRow> island_rows(const RunInputs& in, const Grid<float>& population) {
    const LandParts& lp = in.land_parts;
    struct Tally {
        double people = 0.0, best = -1.0;
        std::size_t cell = 0, listed = 0, inside = 0;
        std::map<std::int32_t, double> zones;
    };
    std::vector<Tally> tally(lp.parts.size());
    for (std::size_t i = 0; i < lp.part.size(); ++i) {
        const std::int32_t p = lp.part[i];
        if (p <= 0) continue;
        const auto k = static_cast<std::size_t>(p - 1);
        if (lp.parts[k].mainland == Joined::itself) continue;
        Tally& t = tally[k];
        if (in.listed_island && (*in.listed_island)[i]) ++t.listed;
        if (!in.study_area[i]) continue;
        ++t.inside;
        t.people += population[i];
        if (population[i] > t.best) {
            t.best = population[i];
            t.cell = i;
        }
        if (in.zones && in.zones->ids[i] > 0) t.zones[in.zones->ids[i]] += population[i];
    }
    std::vector<IslandRow> rows;
    geodata::CoordinateTransform to_lonlat(in.grid.crs, geodata::wgs84());
    for (std::size_t k = 0; k < lp.parts.size(); ++k) {
        const Tally& t = tally[k];
        if (t.inside == 0) continue;
        IslandRow row;
        const bool listed = 2 * t.listed >= lp.parts[k].cells;
        switch (lp.parts[k].mainland) {
            case Joined::by_link:
                row.status = "joined by road or bridge";
                row.reached_by = "road or bridge";
                break;
            case Joined::across_water:
                row.status = "joined across narrow water";
                row.reached_by = "nothing in the data: no road or bridge across the water";
                break;
            default:
                row.status = "island";
        }
        if (listed && lp.parts[k].mainland != Joined::no) row.status = "listed island, " + row.status;
        row.area_km2 = static_cast<double>(lp.parts[k].cells) * in.grid.cell_area_m2() / 1e6;
        row.people = t.people;
        row.lon = in.grid.transform.x_of(static_cast<double>(t.cell % in.grid.cols));
        row.lat = in.grid.transform.y_of(static_cast<double>(t.cell / in.grid.cols));
        to_lonlat.transform_point(row.lon, row.lat);
        if (!t.zones.empty()) {
            auto z = std::max_element(t.zones.begin(), t.zones.end(), [](auto& a, auto& b) { return a.second < b.second; });
            row.zone = in.zones->names[static_cast<std::size_t>(z->first - 1)];
        }
        row.id = static_cast<int>(k + 1);  // the land piece
        rows.push_back(std::move(row));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const IslandRow& a, const IslandRow& b) { return a.people > b.people; });
    return rows;
}

/// What a run holds per grid cell (the memory guard), roughly: `kept`, from the inputs to the end of the run: the
/// input rasters, children per target group; `passing`, only while the people are placed and split: the age bands
/// the children come from; `friction` per mode, made once they are gone and kept to the end; `towns`, the travel time
/// to towns (the area classes, before the services); `services`, from the travel times on: per service its travel
/// time, nearest facility, E2SFCA and gap grids with search scratch. The passing memory is gone when the friction
/// comes, so the larger of the two phases is counted; later stages' passing memory (catchments, rankings:
/// TransientMemory) comes on top of the friction and the services' grids.
struct CellBytes {
    double kept = 0.0, passing = 0.0, friction = 0.0, towns = 0.0, services = 0.0;
};
CellBytes bytes_per_cell(const Scenario& s, bool releases_early) {
    std::set<std::string> groups;
    for (const auto& svc : s.services) groups.insert(svc.target_group);
    CellBytes b;
    // The people (while the inputs are made), 4 masks, land + study area, zone ids (2 bytes up to 65,535 zones: more
    // grow the reservation when they are read). A run that releases early frees the people and the masks before the
    // services' grids come: they pass.
    b.kept = 2.0 + 2.0;
    (releases_early ? b.passing : b.kept) += 4.0 + 4.0 * 1.0;
    if (s.elevation) b.kept += 4.0;
    b.friction = 4.0 * static_cast<double>(friction_modes(s).size());
    b.kept += 4.0 * static_cast<double>(groups.size());  // children
    // Per service, travel time, nearest facility, E2SFCA and gap clusters (4 bytes each) with the search's buckets. A
    // run that holds them to the end (a ranking reads them, with its own masks, 4 bytes a cell; a cache keeps them)
    // counts them so; one that writes and frees them as soon as they are final (EarlyRelease) keeps the area-class
    // flags and the maps' land, each service's travel time and nearest facility (its gap clusters are made in the
    // latter: find_gap_clusters), and one service's E2SFCA at a time.
    if (!releases_early) {
        b.kept += 6.0;
        b.services = 24.0 * static_cast<double>(s.services.size());
    } else {
        b.kept += 2.0;
        b.services = 8.0 * static_cast<double>(s.services.size()) + 5.0;
    }
    if (s.travel_search == "study_area")  // each search's bit a cell for the study area's cells it has settled
        b.services += 0.125 * static_cast<double>(s.services.size());
    if (s.towns) b.towns = 8.0;                                            // time and nearest town
    if (s.age_sex || !s.age_sex_files.empty()) b.passing += 4.0 * 12.0;  // the bands kept for Sprague's totals (2 sexes, 0-24)
    return b;
}

}  // namespace

std::unique_ptr<OGRGeometry> study_area_shape(const Scenario& s, Crs& crs) {
    crs = geodata::wgs84();
    if (s.area_boundary) return read_boundary(*s.area_boundary, crs);
    const auto& b = *s.area_bbox;
    auto ring = std::make_unique<OGRLinearRing>();
    for (auto [x, y] : {std::pair{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}) ring->addPoint(x, y);
    auto poly = std::make_unique<OGRPolygon>();
    poly->addRingDirectly(ring.release());
    return poly;
}

GridSpec scenario_grid(const Scenario& s, const OGRGeometry& area, const Crs& area_crs) {
    geodata::AnalysisGridOptions grid_options{s.cell_size_m, s.buffer_m, std::nullopt};
    if (s.area_crs) grid_options.crs = geodata::crs_from_user(*s.area_crs, s.file.string() + ": area.crs");
    return geodata::make_analysis_grid(area, area_crs, grid_options);
}

std::pair<RunInputs, MemoryReservation> prepare_inputs(const Scenario& s, StageClock& clock, const CellWindow* window,
                                                       bool releases_early) {
    RunInputs in;
    clock.stage(1, "analysis grid and population");
    Crs area_crs = geodata::wgs84();
    const std::unique_ptr<OGRGeometry> area = study_area_shape(s, area_crs);
    in.grid = scenario_grid(s, *area, area_crs);
    if (window) {
        in.tile_of = in.grid;
        in.grid = window_grid(in.grid, *window);
    }
    const GridSpec grid = in.grid;
    const CellBytes per_cell = bytes_per_cell(s, releases_early);
    const double cells = static_cast<double>(grid.cols) * static_cast<double>(grid.rows);
    in.services_bytes = cells * (per_cell.friction + per_cell.services);
    in.after_inputs_bytes =
        cells * std::max(per_cell.passing, per_cell.friction + std::max(per_cell.towns, per_cell.services));
    MemoryReservation memory = reserve_memory(program_bytes + cells * per_cell.kept + in.after_inputs_bytes,
                                              fmt::format("{}: the analysis grid of {} x {} cells of {} m with {} service(s)",
                                                          s.file.string(), grid.cols, grid.rows, s.cell_size_m, s.services.size()),
                                              "use a larger area.cell_size_m (twice the size needs a quarter of the memory) "
                                              "or a smaller study area");
    clock.stage(2, "land cover, roads, rivers, border, elevation");
    in.landcover = s.landcover_uniform
                       ? Grid<std::uint8_t>(grid, *s.landcover_uniform)
                       : to_classes(geodata::warp_to_grid(s.landcover, 1, grid, geodata::Resampling::nearest));
    // Land polygons (travel.land, else the coastline): every cell outside them is sea, whatever the land cover says.
    const std::optional<LayerRef>& land_layer = s.land ? s.land : s.coastline;
    const char* land_key = s.land ? "travel.land" : "area_classes.coastline";
    std::optional<Grid<std::uint8_t>> mainland;
    if (land_layer) {
        auto [on_land, large] = land_from_polygons(*land_layer, land_key, grid, s.mainland_km2 * 1e6);
        for (std::size_t i = 0; i < on_land.size(); ++i)
            if (!on_land[i]) in.landcover[i] = landcover::water;
        mainland = std::move(large);
    } else if (s.landcover_uniform) {
        in.warnings.push_back(fmt::format("travel.landcover is uniform ({}) and neither travel.land nor area_classes.coastline "
                                          "is set: every cell is land, so sea, rivers and lakes are walkable and people on "
                                          "them count. For a coastal area give travel.land (GSHHG land polygons); for rivers "
                                          "and lakes a land-cover raster (ESA WorldCover)", *s.landcover_uniform));
    }
    std::map<std::size_t, FrictionEdit> road_edits, open_road_edits;
    std::optional<Grid<std::uint8_t>> open_roads;  // without the closures (see stage 3)
    const bool network = s.road_model == "network";
    std::vector<geodata::Feature> road_features;  // after the road modifications
    // With the network model and an OpenStreetMap roads file, its building=* areas slow off-road movement (unless
    // travel.buildings says which): read in the same pass as the roads.
    const bool osm_buildings = network && !s.buildings && s.roads && is_osm_file(s.roads->file);
    std::vector<std::unique_ptr<OGRGeometry>> osm_building_shapes;
    if (s.roads || changes_roads(s)) {
        road_features = read_roads(s, grid, osm_buildings ? &osm_building_shapes : nullptr);
        if (closes_roads(s) && !network) {
            std::vector<std::string> ignored;  // (the same as the run's own)
            std::vector<geodata::Feature> open = clone_features(road_features);
            open_roads = rasterize_roads(s, grid, open, ignored, open_road_edits, false);
        }
        in.roads = rasterize_roads(s, grid, road_features, in.warnings, road_edits);
    }
    if (s.buildings) {
        // Polygons only: lines or points given as buildings (a wrong layer) would slow whatever they cross.
        const auto features = read_layer(*s.buildings, grid.crs);
        std::vector<const OGRGeometry*> polygons;
        std::size_t other = 0;
        for (const auto& f : features) {
            const auto flat = f.geometry ? wkbFlatten(f.geometry->getGeometryType()) : wkbUnknown;
            if (flat == wkbPolygon || flat == wkbMultiPolygon) polygons.push_back(f.geometry.get());
            else ++other;
        }
        const std::string where = s.buildings->where.empty() ? "" : fmt::format(" (where {})", s.buildings->where);
        if (features.empty()) throw no_feature_selected(*s.buildings, "travel.buildings");
        if (other > 0)
            throw InputError(fmt::format("{}: travel.buildings: {} of its {} features{} are not polygons (lines or points); "
                                         "buildings are areas: give the building footprints' layer (for an .osm.pbf, layer: "
                                         "multipolygons, where: \"building IS NOT NULL\")",
                                         s.buildings->file.string(), other, features.size(), where));
        in.buildings = geodata::rasterize_mask(polygons, grid, false);
    } else if (!osm_building_shapes.empty()) {
        std::vector<const OGRGeometry*> geoms;
        for (const auto& g : osm_building_shapes) geoms.push_back(g.get());
        in.buildings = geodata::rasterize_mask(geoms, grid, false);
    }
    if (const auto slow = services_without_roads(s); !slow.empty())
        in.warnings.push_back(fmt::format("NO ROADS: travel.roads is not set: service(s) {} travel at off-road speed everywhere: travel "
                                          "times are far too long and coverage far too low. Give travel.roads: an OpenStreetMap "
                                          "extract of the province (.osm.pbf, e.g. from download.geofabrik.de)",
                                          fmt::join(slow, ", ")));
    if (s.rivers) in.rivers = rasterize_mask(*s.rivers, "travel.rivers", grid);
    if (s.border) in.border = rasterize_mask(*s.border, "travel.border", grid);
    check_bridges(s, grid, in.rivers ? &*in.rivers : nullptr, in.landcover);
    const std::vector<FrictionEdit> friction_changes = friction_edits(s, grid, std::move(road_edits));
    for (const auto& e : friction_changes)
        if (e.flood_speed_factor != 1.0) in.floods.emplace_back(e.label, e.cells);
    if (s.elevation) {
        in.elevation = geodata::warp_to_grid(*s.elevation, 1, grid, geodata::Resampling::bilinear);
        for (float& h : in.elevation->values())
            if (std::isnan(h)) h = 0.0f;  // outside the DEM: flat (such cells are usually sea)
    }

    clock.stage(3, "friction per travel mode, area classes and children", "population on land");
    // Friction per mode: made after the people are placed (for a tile of a split run, straight away), so that its
    // grid (4 bytes a cell per mode) is not held beside the population's while they are resampled.
    auto make_friction = [&] {
        clock.substage("friction per travel mode");
        const Grid<std::uint8_t>* buildings = in.buildings ? &*in.buildings : nullptr;
        if (network && in.roads) {
            // The roads are a network: the grid carries off-road movement only (floods still slow it).
            std::vector<FrictionEdit> offroad_changes;
            for (const auto& e : friction_changes)
                if (e.speed_kmh.empty()) offroad_changes.push_back(e);
            in.friction = friction_per_mode(s, {&in.landcover, nullptr, in.rivers ? &*in.rivers : nullptr,
                                                in.border ? &*in.border : nullptr, buildings}, offroad_changes);
            clock.substage("road network");
            RoadNetworks networks = build_road_networks(s.modes, road_features, s.road_class_field, in.friction, friction_changes,
                                                        in.border ? &*in.border : nullptr, in.elevation ? &*in.elevation : nullptr);
            in.networks = std::move(networks.by_mode);
            in.network_stats = std::move(networks.stats);
            // Each network (12 bytes an arc, 8 a node) and, per search thread, the solver's arcs grouped by vertex (16
            // bytes an arc), a flag per cell and a time and facility per node (travel_time.cpp).
            double bytes = 0.0;
            const double threads = static_cast<double>(std::max(1, omp_get_max_threads()));
            for (const auto& [mode, net] : in.networks) {
                const double arcs = static_cast<double>(net->arcs.size()), nodes = static_cast<double>(net->nodes);
                bytes += 12.0 * arcs + 8.0 * nodes + threads * (16.0 * arcs + static_cast<double>(grid.cell_count()) + 16.0 * nodes);
            }
            memory.grow(bytes, fmt::format("{}: the road networks ({} roads on {} x {} cells of {} m)", s.file.string(),
                                           road_features.size(), grid.cols, grid.rows, s.cell_size_m),
                        "use a larger area.cell_size_m, a smaller study area, or travel.road_model: raster");
        } else {
            in.friction = friction_per_mode(s, {&in.landcover, in.roads ? &*in.roads : nullptr, in.rivers ? &*in.rivers : nullptr,
                                                in.border ? &*in.border : nullptr, buildings}, friction_changes);
        }
        if (open_roads) {
            // A closure never makes a cell faster: where the one-class-per-cell road raster would show a faster minor road
            // under a closed major one (a footway beside a closed motorway, for walking), the cell keeps its friction
            // without the closures.
            const auto open = friction_per_mode(s, {&in.landcover, &*open_roads, in.rivers ? &*in.rivers : nullptr,
                                                    in.border ? &*in.border : nullptr},
                                                friction_edits(s, grid, std::move(open_road_edits)));
            for (auto& [mode, f] : in.friction)
                for (std::size_t i = 0; i < f.size(); ++i) f[i] = std::max(f[i], open.at(mode)[i]);
        }
    };
    in.land = Grid<std::uint8_t>(grid, 0);
    for (std::size_t i = 0; i < in.land.size(); ++i)
        in.land[i] = (in.landcover[i] != landcover::water && in.landcover[i] != landcover::nodata) ? 1 : 0;
    if (in.tile_of) {  // a tile of a split run: its travel times need no more
        make_friction();
        return {std::move(in), std::move(memory)};
    }
    // People live on land (dasymetric): each source cell's people go to the land cells of its footprint. (Before the
    // land's parts are found: their grids are not held beside the population's resampling.)
    clock.substage("population on land");
    const std::size_t land_warnings_at = in.warnings.size();
    PopulationAccount& account = in.population_account;
    std::optional<Grid<std::uint8_t>> people_mask;
    if (s.population_mask) {
        people_mask = rasterize_mask(*s.population_mask, "population.mask", grid, false);
        for (std::size_t i = 0; i < people_mask->size(); ++i) (*people_mask)[i] &= in.land[i];
        account.mask = fmt::format("land inside population.mask ({})", s.population_mask->file.filename().string());
    } else if (land_layer) {
        account.mask = fmt::format("land of {} ({})", land_key, land_layer->file.filename().string());
    } else if (!s.landcover_uniform) {
        account.mask = fmt::format("land of travel.landcover ({}, not water)", s.landcover.filename().string());
    }
    // Nobody lives on the national border line or in a river without a bridge (with the network model, in any river: a
    // bridge is a road over it), cells nobody can enter: their people
    // go to the cells beside them, within their population cell.
    if (in.border || in.rivers) {
        if (!people_mask) people_mask = account.mask.empty() ? Grid<std::uint8_t>(grid, 1) : in.land;
        for (std::size_t i = 0; i < people_mask->size(); ++i)
            if ((in.border && (*in.border)[i]) || (in.rivers && (*in.rivers)[i] && (network || !(in.roads && (*in.roads)[i]))))
                (*people_mask)[i] = 0;
        account.mask += fmt::format("{}off the {}", account.mask.empty() ? "cells " : ", ",
                                    in.border && in.rivers ? "border line and rivers" : in.border ? "border line" : "rivers");
    }
    const Grid<std::uint8_t>* allowed = people_mask ? &*people_mask : (account.mask.empty() ? nullptr : &in.land);
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
    ResampleReport pop_report;  // (tallied: the people of the study area as the raster has them)
    Grid<float> population = geodata::resample_counts(s.population, 1, grid, &pop_report, allowed, &in.study_area);
    account.source_total = in.population_source_total = pop_report.source_total;
    account.in_boundary = pop_report.tallied;
    account.in_grid = pop_report.kept_total;
    account.moved_off_water = pop_report.moved_in_cell + pop_report.moved_nearby;
    account.not_placed = pop_report.not_placed;
    if (pop_report.source_total > 0.0 && pop_report.kept_total < 0.999 * pop_report.source_total)
        in.warnings.push_back(fmt::format("{}: {:.0f} of {:.0f} people lie outside the analysis grid (area + buffer) "
                                          "and are not counted", s.population.string(),
                                          pop_report.source_total - pop_report.kept_total, pop_report.source_total));
    if (account.moved_off_water >= 0.5)
        in.warnings.push_back(fmt::format("population.total ({}): {:.0f} people fell on water or on cells nobody can enter "
                                          "(people are kept to the {}) and were moved beside them: {:.0f} within their own "
                                          "population cell, {:.0f} to the nearest such cell next to it",
                                          s.population.filename().string(), account.moved_off_water, account.mask,
                                          pop_report.moved_in_cell, pop_report.moved_nearby));
    if (account.not_placed >= 0.5)
        in.warnings.push_back(fmt::format("population.total ({}): {:.0f} people lie on water with no land within one "
                                          "population cell: they are in no figure (not counted as without access)",
                                          s.population.filename().string(), account.not_placed));
    const std::optional<Grid<float>> growth = growth_factors(s, grid);
    in.population_total = 0.0;
    for (std::size_t i = 0; i < population.size(); ++i) {
        if (growth) population[i] *= (*growth)[i];  // population_growth: every total after it counts the grown population
        in.population_total += population[i];
    }
    clock.substage("land and islands");
    {
        std::optional<Grid<std::uint8_t>> links;
        if (in.roads) {
            links = Grid<std::uint8_t>(grid, 0);
            for (std::size_t i = 0; i < links->size(); ++i) (*links)[i] = (*in.roads)[i] != 0 ? 1 : 0;
        }
        in.land_parts = land_parts(in.land, links ? &*links : nullptr, mainland ? &*mainland : nullptr,
                                   {s.island_bridge_m, s.mainland_km2 * 1e6});
        in.island = in.land_parts.island_cells();
        if (in.land_parts.mainland_guessed && in.land_parts.parts.size() > 1)
            in.warnings.insert(in.warnings.begin() + static_cast<std::ptrdiff_t>(land_warnings_at),  // (before the people's)
                               fmt::format("no land mass of the grid reaches area_classes.mainland_km2 ({:g} km2): the "
                                           "largest is taken as the mainland and the rest as islands. For an island "
                                           "province give area_classes.coastline (GSHHG land polygons) or island_zones",
                                           s.mainland_km2));
    }

    if (!s.towns)
        in.warnings.push_back(s.remote_zones ? "area_classes.towns is not set: 'remote' comes only from area_classes.remote_zones"
                                             : "neither area_classes.towns nor remote_zones is set: no cell is flagged 'remote'");
    if (s.remote_zones) in.listed_remote = rasterize_mask(*s.remote_zones, "area_classes.remote_zones", grid, false);
    if (s.island_zones) in.listed_island = rasterize_mask(*s.island_zones, "area_classes.island_zones", grid, false);
    in.class_options = AreaClassOptions{s.border_km, s.remote_minutes};
    if (in.border) {
        std::size_t pieces = 0;
        account.beyond_border = drop_beyond_border(in.study_area, *in.border, population, pieces);
        if (pieces > 0)
            in.warnings.push_back(fmt::format("{:.0f} people of the study area lie beyond the national border line ({}) in {} "
                                              "piece(s) the boundary polygon reaches across it: they are in no figure",
                                              account.beyond_border, s.border->file.filename().string(), pieces));
    }

    if (s.zones) {
        clock.substage("admin zones");
        in.zones = load_zones(s, grid, in.study_area);
        std::map<std::string, std::vector<std::string>> by_code;  // the zones' names by code
        for (std::size_t k = 0; k < in.zones->codes.size(); ++k) by_code[in.zones->codes[k]].push_back(in.zones->names[k]);
        std::vector<std::string> shared;
        for (const auto& [code, names] : by_code)
            if (names.size() > 1) shared.push_back(fmt::format("'{}' ({})", code, fmt::join(names, ", ")));
        if (!shared.empty())
            in.warnings.push_back(fmt::format(
                "{}: {} zone code(s) shared by several features: {}{}. zones.csv has a row for each feature, but a table "
                "joined on the code (a census, a GIS join) mixes them; give zones.code_field a field that is unique",
                s.zones->file.filename().string(), shared.size(),
                fmt::join(shared.begin(), shared.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(shared.size(), 5)), "; "),
                shared.size() > 5 ? "; ..." : ""));
        if (in.zones->ids.visit([](const auto& ids) { return sizeof(ids[0]); }) > 2)
            memory.grow(2.0 * static_cast<double>(grid.cell_count()),
                        fmt::format("{}: {} zones (ids in 4 bytes a cell beyond 65,535)", s.zones->file.string(),
                                    in.zones->codes.size()),
                        "use a coarser admin level for zones, a larger area.cell_size_m or a smaller study area");
    }

    clock.substage("population: children per target group");
    for (std::size_t i = 0; i < population.size(); ++i)
        if (in.study_area[i]) in.population_in_area += population[i];
    account.in_study_area = in.population_in_area;
    if (in.zones) {
        double unzoned = 0.0;
        in.zones->ids.visit([&](const auto& ids) {
            for (std::size_t i = 0; i < population.size(); ++i)
                if (in.study_area[i] && ids[i] == 0) unzoned += population[i];
        });
        if (unzoned >= 0.5)
            in.warnings.push_back(fmt::format(
                "{:.0f} people of the study area ({:.2f}%) lie in no zone of {} (no zone covers their cells' centres: the "
                "zones' edges and the study area's boundary differ, as along coasts and borders): every figure counts "
                "them, but no row of zones.csv, so its rows add up to less than the summary",
                unzoned, 100.0 * unzoned / in.population_in_area, s.zones->file.filename().string()));
    }
    if (!growth) account.left_boundary = account.in_boundary - account.beyond_border - account.in_study_area;
    in.islands = island_rows(in, population);
    {
        std::vector<bool> listed(in.land_parts.parts.size() + 1, false);
        for (const auto& row : in.islands) listed[static_cast<std::size_t>(row.id)] = true;
        const Grid<std::int32_t>& part = in.land_parts.part;
        for (std::size_t i = 0; i < part.size(); ++i)
            if (part[i] > 0 && listed[static_cast<std::size_t>(part[i])])
                in.island_piece_cells.emplace_back(static_cast<std::uint32_t>(i), part[i]);
        in.land_parts.part = Grid<std::int32_t>();
    }
    double across = 0.0;
    std::size_t across_pieces = 0;
    for (const auto& row : in.islands)
        if (row.status.ends_with("joined across narrow water") && row.people >= 0.5) {
            across += row.people;
            ++across_pieces;
        }
    if (across >= 0.5)
        in.warnings.push_back(fmt::format("{:.0f} people live on {} piece(s) of land the mainland reaches only across water "
                                          "narrower than ~2 x area_classes.island_bridge_m ({:g} m) with no road or bridge "
                                          "in the data: they are not islands, but nobody can cross that water, so they "
                                          "count as without access unless a facility is on their piece. Give travel.roads "
                                          "(OpenStreetMap has the bridges); islands.csv lists the pieces",
                                          across, across_pieces, s.island_bridge_m));
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
                                     : children_for(s, s.group(svc.target_group), grid, population, allowed, in.study_area,
                                                    band_cache, in.warnings);
        if (growth && !s.age_shares && (s.age_sex || !s.age_sex_files.empty()))  // (shares and totals are grown already)
            for (std::size_t i = 0; i < c.size(); ++i) c[i] *= (*growth)[i];
        for (std::size_t i = 0; i < c.size(); ++i)
            if (!in.study_area[i]) c[i] = 0.0f;
        in.children[svc.target_group] = std::move(c);
    }
    band_cache.clear();  // (the people's grids' memory back before the friction's)
    population = Grid<float>();
    people_mask.reset();
    make_friction();
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
    }
    osm_coverage(s, in);
    town_walking_note(s, in);
    return {std::move(in), std::move(memory)};
}

}  // namespace accessplan::scenarios::detail
