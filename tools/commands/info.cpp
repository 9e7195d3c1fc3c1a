// accessplan info FILE: what accessplan sees in a raster or vector file.

#include <filesystem>
#include <map>

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/engine/error.hpp"
#include "../cli_common.hpp"

namespace accessplan::cli {
namespace {

nlohmann::json crs_json(const Crs& crs) {
    nlohmann::json j;
    j["label"] = crs.label();
    j["name"] = crs.name;
    j["geographic"] = crs.geographic;
    j["epsg"] = crs.epsg ? nlohmann::json(*crs.epsg) : nlohmann::json(nullptr);
    return j;
}

int run_info(const std::string& file, bool json) {
    namespace fs = std::filesystem;
    if (!fs::exists(file)) throw InputError(fmt::format("{}: file not found; check the path", file));
    nlohmann::json out;
    out["file"] = file;
    if (geodata::is_vector(file)) {
        geodata::VectorInfo info = geodata::read_vector_info(file);
        out["kind"] = "vector";
        out["driver"] = info.driver;
        for (const auto& l : info.layers) {
            nlohmann::json lj;
            lj["name"] = l.name;
            lj["geometry_type"] = l.geometry_type;
            lj["feature_count"] = l.feature_count;
            lj["crs"] = crs_json(l.crs);
            for (const auto& f : l.fields) lj["fields"].push_back({{"name", f.name}, {"type", f.type}});
            if (l.extent) lj["extent"] = *l.extent;
            out["layers"].push_back(lj);
        }
        std::map<std::string, int> osm_types;
        std::size_t osm_roads = 0;
        std::optional<std::array<double, 4>> osm_box;
        if (info.driver == "OSM") {
            // What accessplan extracts from OpenStreetMap: facilities by type and highway lines.
            const Crs wgs = geodata::wgs84();
            for (const auto& f : geodata::read_osm_facilities(file, wgs)) ++osm_types[f.type];
            osm_roads = geodata::read_osm_roads(file, wgs).size();
            out["accessplan_facilities"] = osm_types;
            out["accessplan_roads"] = osm_roads;
            osm_box = geodata::osm_extract_box(file);
            out["complete_inside"] = osm_box ? nlohmann::json(*osm_box) : nlohmann::json(nullptr);
        }
        if (json) {
            fmt::print("{}\n", out.dump(2));
            return 0;
        }
        fmt::print("{}: vector ({}), {} layer(s)\n", file, info.driver, info.layers.size());
        if (info.driver == "OSM") {
            std::vector<std::string> parts;
            for (const auto& [type, n] : osm_types) parts.push_back(fmt::format("{} {}", type, n));
            fmt::print("  accessplan reads: {} road line(s); facilities: {}\n", osm_roads,
                       parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", ")));
            if (osm_box)
                fmt::print("  complete inside {:.4f}..{:.4f}E {:.4f}..{:.4f}N (its header box): beyond it only the ways "
                           "crossing into it; use that box as the study area (area: {{bbox: [{:.4f}, {:.4f}, {:.4f}, {:.4f}], "
                           "buffer_m: 0}}) or an extract covering the study area\n",
                           (*osm_box)[0], (*osm_box)[2], (*osm_box)[1], (*osm_box)[3], (*osm_box)[0], (*osm_box)[1],
                           (*osm_box)[2], (*osm_box)[3]);
            else
                fmt::print("  states no box it is complete in (no header bbox or <bounds>): check that it covers the study area\n");
        }
        for (const auto& l : info.layers) {
            fmt::print("  layer '{}': {}, {} feature(s), CRS {}\n", l.name, l.geometry_type, l.feature_count,
                       l.crs.empty() ? "none" : l.crs.label());
            if (l.extent)
                fmt::print("    extent: {:.6f}, {:.6f} .. {:.6f}, {:.6f}\n", (*l.extent)[0], (*l.extent)[1],
                           (*l.extent)[2], (*l.extent)[3]);
            std::vector<std::string> fields;
            for (const auto& f : l.fields) fields.push_back(fmt::format("{} ({})", f.name, f.type));
            if (!fields.empty()) fmt::print("    fields: {}\n", fmt::join(fields, ", "));
        }
        return 0;
    }
    geodata::RasterInfo info = geodata::read_raster_info(file);
    const GridSpec& s = info.spec;
    out["kind"] = "raster";
    out["driver"] = info.driver;
    out["cols"] = s.cols;
    out["rows"] = s.rows;
    out["geotransform"] = {s.transform.origin_x, s.transform.pixel_width, s.transform.rot_x,
                           s.transform.origin_y, s.transform.rot_y,       s.transform.pixel_height};
    out["extent"] = {s.min_x(), s.min_y(), s.max_x(), s.max_y()};
    out["crs"] = crs_json(s.crs);
    for (std::size_t b = 0; b < info.bands.size(); ++b) {
        Grid<float> band = geodata::read_raster_float(file, static_cast<int>(b + 1));
        double sum = 0.0, mn = INFINITY, mx = -INFINITY;
        std::size_t valid = 0;
        for (float v : band.values())
            if (!std::isnan(v)) {
                ++valid;
                sum += v;
                mn = std::min<double>(mn, v);
                mx = std::max<double>(mx, v);
            }
        nlohmann::json bj{{"band", b + 1}, {"type", info.bands[b].data_type}, {"description", info.bands[b].description},
                          {"valid_cells", valid}, {"sum", sum}};
        bj["nodata"] = info.bands[b].nodata ? nlohmann::json(*info.bands[b].nodata) : nlohmann::json(nullptr);
        if (valid > 0) {
            bj["min"] = mn;
            bj["max"] = mx;
        }
        out["bands"].push_back(bj);
    }
    if (json) {
        fmt::print("{}\n", out.dump(2));
        return 0;
    }
    fmt::print("{}: raster ({}), {} x {} cells, {} band(s)\n", file, info.driver, s.cols, s.rows, info.bands.size());
    fmt::print("  CRS: {}{}\n", s.crs.empty() ? "none" : s.crs.label(),
               s.crs.geographic ? " (geographic, degrees)" : "");
    fmt::print("  cell size: {:g} x {:g}{}\n", s.transform.cell_width(), s.transform.cell_height(),
               s.transform.is_north_up() ? "" : "  (rotated or not north-up: accessplan will refuse it)");
    fmt::print("  extent: {:.6f}, {:.6f} .. {:.6f}, {:.6f}\n", s.min_x(), s.min_y(), s.max_x(), s.max_y());
    for (const auto& bj : out["bands"])
        fmt::print("  band {}: {}{}, {} valid cells, sum {:.6g}{}\n", bj["band"].get<int>(), bj["type"].get<std::string>(),
                   bj["nodata"].is_null() ? "" : fmt::format(", nodata {:g}", bj["nodata"].get<double>()),
                   bj["valid_cells"].get<std::size_t>(), bj["sum"].get<double>(),
                   bj.contains("min") ? fmt::format(", min {:g}, max {:g}", bj["min"].get<double>(), bj["max"].get<double>()) : "");
    return 0;
}

}  // namespace

void add_info_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("info", "Show what accessplan sees in a raster or vector file: CRS, extent, "
                                           "bands or layers, fields, feature counts.\n"
                                           "Example: accessplan info population.tif");
    static std::string file;
    static bool json = false;
    cmd->add_option("FILE", file, "Raster (GeoTIFF, ...) or vector (GeoPackage, GeoJSON, Shapefile, CSV, .osm.pbf)")
        ->required();
    cmd->add_flag("--json", json, "Machine-readable JSON on stdout");
    cmd->callback([&exit_code] { exit_code = guarded([] { return run_info(file, json); }); });
}

}  // namespace accessplan::cli
