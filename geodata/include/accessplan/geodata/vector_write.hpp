#pragma once
// Writing vector layers (GeoPackage, GeoJSON, ...) atomically, and turning zone rasters into polygons.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <ogr_geometry.h>

#include "accessplan/engine/grid.hpp"

namespace accessplan::geodata {

enum class FieldType { string, integer, real };

struct OutField {
    std::string name;
    FieldType type = FieldType::string;
};

using FieldValue = std::variant<std::monostate, std::string, std::int64_t, double>;

struct OutFeature {
    std::unique_ptr<OGRGeometry> geometry;
    std::vector<FieldValue> values;  ///< one per field of the layer, in order
};

struct OutLayer {
    std::string name;
    OGRwkbGeometryType geometry_type = wkbUnknown;
    std::vector<OutField> fields;
    std::vector<OutFeature> features;
};

/// Writes all layers into one GeoPackage at `path` (temporary file, then renamed). IoError on failure.
void write_geopackage(const std::filesystem::path& path, const Crs& crs, const std::vector<OutLayer>& layers);

/// A QGIS style (QML) for one layer of a GeoPackage.
struct LayerStyle {
    std::string layer, name, qml, description;
};

/// Stores `styles` as the layers' default styles in the GeoPackage's `layer_styles` table, in QGIS's own schema
/// (QGIS loads them when the layer is opened). Replaces the file atomically (copy, update, rename); IoError on failure.
void write_layer_styles(const std::filesystem::path& gpkg, const std::vector<LayerStyle>& styles);

/// Polygons of the cells of each non-zero value of `zones` (GDALPolygonize, 8-connected, read straight from the grid),
/// merged per value.
std::map<std::int32_t, std::unique_ptr<OGRGeometry>> polygonize(const Grid<std::int32_t>& zones);
std::map<std::int32_t, std::unique_ptr<OGRGeometry>> polygonize(const Grid<std::uint8_t>& zones);

}  // namespace accessplan::geodata
