#pragma once
// Reading any GDAL raster into a Grid and writing Grids as Cloud-Optimized GeoTIFF, atomically.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan::geodata {

struct RasterBandInfo {
    std::string data_type;        ///< "Float32", "Byte", ...
    std::optional<double> nodata;
    std::string description;
    std::string units;
    int overviews = 0;
};

struct RasterInfo {
    std::string driver;
    GridSpec spec;
    std::vector<RasterBandInfo> bands;
    std::string layout;  ///< "COG" for a Cloud-Optimized GeoTIFF (GDAL's check of the file's layout), else empty
};

/// What accessplan sees in a raster file. InputError when it is missing, not a raster, or has no georeferencing.
RasterInfo read_raster_info(const std::filesystem::path& path);

/// Band `band` (1-based) as float; nodata cells become NaN. InputError for a missing or unreadable file.
Grid<float> read_raster_float(const std::filesystem::path& path, int band = 1);

/// Several bands (1-based) in one read, as float grids in the order asked; nodata cells become NaN. Much faster
/// than one read per band for pixel-interleaved files (every band's data sits in every compressed block).
std::vector<Grid<float>> read_raster_bands(const std::filesystem::path& path, const std::vector<int>& bands);

/// Band `band` as an 8-bit class grid (land cover). Values outside 0..255 are an InputError; nodata becomes 0.
Grid<std::uint8_t> read_raster_byte(const std::filesystem::path& path, int band = 1);

struct RasterWriteOptions {
    std::optional<double> nodata;
    std::string description;   ///< band description, e.g. "travel time to primary_school"
    std::string units;         ///< band unit type, e.g. "minutes"
    std::vector<std::pair<std::string, std::string>> metadata;  ///< dataset metadata items
};

/// Writes a single-band Cloud-Optimized GeoTIFF (GDAL's COG driver: 256-pixel tiles, DEFLATE with a predictor,
/// overviews down to one tile, averaged for float grids and nearest for integer ones) with its nodata, description
/// and units: to a temporary file in the same folder, then renamed, so a failure never leaves a half-written output.
/// For float grids, +inf and NaN are written as nodata.
template <typename T>
void write_geotiff(const std::filesystem::path& path, const Grid<T>& grid, const RasterWriteOptions& options = {});

/// Several bands of one grid (e.g. age groups) in one GeoTIFF, each with its description.
void write_geotiff_bands(const std::filesystem::path& path, const std::vector<const Grid<float>*>& bands,
                         const std::vector<std::string>& descriptions, const RasterWriteOptions& options = {});

}  // namespace accessplan::geodata
