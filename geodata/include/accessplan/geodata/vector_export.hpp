#pragma once
// `accessplan export`: the layers of an access.gpkg in the formats other tools read.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace accessplan::geodata {

enum class ExportFormat { gpkg, geojson, shp, csv };

/// "gpkg", "geojson", "shp" or "csv"; InputError otherwise.
ExportFormat parse_export_format(const std::string& text);

struct ExportedLayer {
    std::string layer;
    std::filesystem::path file;
    long long features = 0;
    /// Shapefile only: field names longer than 10 characters and their short names (also in <layer>.fields.csv).
    std::vector<std::pair<std::string, std::string>> renamed;
};

/// The short (at most 10 characters, dBase) names of `fields`, unique, in order: each long name's words cut to the same
/// length, e.g. primary_school_pct_within -> prscpcwi.
std::vector<std::string> shapefile_field_names(const std::vector<std::string>& fields);

/// A QGIS style (QML) with its field references renamed (`renamed`: long name, short name): classification fields
/// (`attr`), label fields (`fieldName`), `field` attributes and double-quoted fields in expressions (`&quot;name&quot;`
/// in the XML). Unquoted field names in expressions are not found: accessplan's styles always quote them.
std::string rename_qml_fields(const std::string& qml, const std::vector<std::pair<std::string, std::string>>& renamed);

/// Writes every spatial layer of `gpkg` into `out_dir` (which must exist):
/// - gpkg: the GeoPackage as it is (its QGIS styles included);
/// - geojson: <layer>.geojson in WGS 84 (RFC 7946);
/// - shp: <layer>.shp (+ .dbf, .shx, .prj, .cpg: UTF-8) with short field names, <layer>.fields.csv mapping them, and
///   <layer>.qml, the layer's default QGIS style from the GeoPackage with the short names (QGIS loads it with the
///   shapefile);
/// - csv: <layer>.csv with the geometry as x,y columns (points) or WKT (other geometries), in the layer's CRS.
/// InputError when `gpkg` is missing or not a GeoPackage; IoError when writing fails.
std::vector<ExportedLayer> export_layers(const std::filesystem::path& gpkg, const std::filesystem::path& out_dir,
                                         ExportFormat format);

}  // namespace accessplan::geodata
