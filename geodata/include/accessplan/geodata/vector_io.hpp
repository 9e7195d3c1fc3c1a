#pragma once
// Reading OGR vectors (GeoPackage, GeoJSON, Shapefile, CSV with coordinate columns, OpenStreetMap .osm.pbf).

#include <cstdint>
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ogr_geometry.h>

#include "accessplan/engine/grid.hpp"

namespace accessplan::geodata {

struct FieldInfo {
    std::string name;
    std::string type;  ///< "String", "Integer", "Real", ...
};

struct VectorLayerInfo {
    std::string name;
    std::string geometry_type;
    std::int64_t feature_count = -1;  ///< -1 when the driver cannot count cheaply (OSM)
    Crs crs;
    std::vector<FieldInfo> fields;
    std::optional<std::array<double, 4>> extent;  ///< min_x, min_y, max_x, max_y in the layer's CRS
};

struct VectorInfo {
    std::string driver;
    std::vector<VectorLayerInfo> layers;
};

/// Layers, fields, CRS, extent and feature counts. InputError for a missing or unreadable file.
VectorInfo read_vector_info(const std::filesystem::path& path);

/// True when GDAL opens `path` as a vector dataset (used to tell rasters from vectors).
bool is_vector(const std::filesystem::path& path);

/// A feature with its geometry in the requested CRS and its attributes as text.
struct Feature {
    std::int64_t fid = 0;
    std::unique_ptr<OGRGeometry> geometry;
    std::map<std::string, std::string> attributes;
    std::string attribute(const std::string& key, const std::string& fallback = "") const;
};

struct ReadOptions {
    std::string layer;      ///< layer name; empty = the only (or first) layer
    std::string where;      ///< OGR SQL attribute filter, e.g. "kind IN ('city','town')"; empty = all features
    /// The CRS the file's coordinates are in, as the user said it (a scenario's `crs:`): for a file that declares none
    /// (a CSV, a shapefile without .prj); a file declaring another CRS is an InputError.
    std::optional<Crs> crs;
    /// CRS assumed for CSV x/y columns when `crs` is not given (the analysis grid's); lon/lat columns are WGS 84. The
    /// assumption is said in `notes`.
    std::optional<Crs> csv_xy_crs;
    /// Where to say what was assumed (CSV x/y read in csv_xy_crs); null = nowhere.
    std::vector<std::string>* notes = nullptr;
    /// Repair invalid polygons with GEOS MakeValid (self-intersections in real boundary files).
    bool make_valid = true;
};

/// All features of one layer, transformed to `target`. InputError when the file or layer is missing, the layer has
/// no CRS (and it is not a CSV with x/y columns and csv_xy_crs), or it is empty.
std::vector<Feature> read_features(const std::filesystem::path& path, const Crs& target, const ReadOptions& options = {});

/// A point for each feature: points as they are, polygons by a point on their surface, lines by their midpoint.
struct PointFeature {
    std::int64_t fid = 0;
    double x = 0.0, y = 0.0;
    std::map<std::string, std::string> attributes;
};
std::vector<PointFeature> read_points(const std::filesystem::path& path, const Crs& target, const ReadOptions& options = {});

/// A point on the surface of a geometry (polygon: inside it; line: its midpoint; point: itself).
std::optional<std::pair<double, double>> representative_point(const OGRGeometry& geometry);

// ---- OpenStreetMap (.osm.pbf / .osm through OGR's OSM driver) -------------------------------------------------

/// Facility tags accessplan reads from OSM. `type` is the tag value that made it a facility:
/// amenity=school|kindergarten|clinic|hospital|doctors, leisure=playground|swimming_pool|sports_centre, or any
/// healthcare=* (type "healthcare:<value>" when no amenity says more).
struct OsmFacility {
    std::string osm_id;     ///< "node/123", "way/456", "relation/789"
    std::string type;
    std::string name;
    double x = 0.0, y = 0.0;  ///< in the requested CRS
    std::map<std::string, std::string> tags;  ///< the tags OGR reported (including other_tags, parsed)
};

/// Facilities of an OSM file, as points (areas by a point on their surface).
std::vector<OsmFacility> read_osm_facilities(const std::filesystem::path& path, const Crs& target);

/// Roads (`highway=*` lines) of an OSM file, transformed to `target`; attribute "highway" holds the tag. With
/// `buildings`, the building=* areas (not building=no) too, as polygons, from the same pass over the file.
std::vector<Feature> read_osm_roads(const std::filesystem::path& path, const Crs& target,
                                    std::vector<std::unique_ptr<OGRGeometry>>* buildings = nullptr);

/// The box an OpenStreetMap extract is complete in, [west, south, east, north] in degrees: an .osm.pbf's header
/// bounding box or an .osm file's <bounds>; nullopt when the file states none.
std::optional<std::array<double, 4>> osm_extract_box(const std::filesystem::path& path);


/// Parses OGR's OSM `other_tags` text ("k"=>"v","k2"=>"v2") into a map.
std::map<std::string, std::string> parse_osm_other_tags(const std::string& text);

}  // namespace accessplan::geodata
