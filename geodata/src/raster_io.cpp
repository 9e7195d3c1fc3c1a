#include "accessplan/geodata/raster_io.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gdal_priv.h>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/gdal_env.hpp"
#include "gdal_handles.hpp"
#include "grid_view.hpp"
#include "accessplan/geodata/output.hpp"

namespace fs = std::filesystem;

namespace accessplan::geodata {
namespace {

using detail::DatasetPtr;
using detail::GridView;

DatasetPtr open_raster(const fs::path& path) {
    ensure_gdal();
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw InputError(fmt::format("{}: file not found; check the path (relative paths are taken from the "
                                     "current folder or the scenario file's folder)", path.string()));
    reset_gdal_error();
    DatasetPtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds)
        throw InputError(fmt::format("{}: not a readable raster ({}); expected a GeoTIFF or another GDAL raster "
                                     "format; re-download or re-export the file",
                                     path.string(), last_gdal_error().empty() ? "unrecognised format" : last_gdal_error()));
    if (ds->GetRasterCount() < 1) throw InputError(fmt::format("{}: the raster has no bands", path.string()));
    return ds;
}

GridSpec spec_of(GDALDataset& ds, const fs::path& path) {
    GridSpec spec;
    spec.cols = static_cast<std::size_t>(ds.GetRasterXSize());
    spec.rows = static_cast<std::size_t>(ds.GetRasterYSize());
    double gt[6];
    if (ds.GetGeoTransform(gt) != CE_None)
        throw InputError(fmt::format("{}: the raster has no georeferencing (geotransform); assign one with "
                                     "gdal_translate -a_ullr / -a_srs or export it from a GIS with its CRS",
                                     path.string()));
    spec.transform = GeoTransform{gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]};
    if (const OGRSpatialReference* srs = ds.GetSpatialRef()) spec.crs = crs_from_srs(*srs);
    return spec;
}

void check_band(GDALDataset& ds, int band, const fs::path& path) {
    if (band < 1 || band > ds.GetRasterCount())
        throw InputError(fmt::format("{}: band {} requested but the raster has {} band(s)", path.string(), band,
                                     ds.GetRasterCount()));
}

void require_north_up(const GridSpec& spec, const fs::path& path) {
    if (!spec.transform.is_north_up())
        throw InputError(fmt::format("{}: the raster is rotated or not north-up (geotransform {:g}, {:g}, {:g}, {:g}, {:g}, "
                                     "{:g}); warp it to a north-up grid first, e.g. gdalwarp -t_srs EPSG:32648 in.tif out.tif",
                                     path.string(), spec.transform.origin_x, spec.transform.pixel_width,
                                     spec.transform.rot_x, spec.transform.origin_y, spec.transform.rot_y,
                                     spec.transform.pixel_height));
}

/// Copies `source` to `tmp` with GDAL's COG driver (tiles of 256, DEFLATE with a predictor, overviews down to one tile:
/// averaged for continuous values, nearest for classes and ids), closes it and renames it onto `target`; on any
/// failure the temporary file is removed and nothing appears at `target`.
void write_cog(GDALDataset& source, const fs::path& tmp, const fs::path& target) {
    GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
    if (cog == nullptr) throw IoError("GDAL has no COG driver (GDAL 3.1 or later is needed); reinstall libgdal");
    const GDALDataType type = source.GetRasterBand(1)->GetRasterDataType();
    const bool floating = type == GDT_Float32 || type == GDT_Float64;
    const std::size_t bytes = static_cast<std::size_t>(source.GetRasterXSize()) * static_cast<std::size_t>(source.GetRasterYSize()) *
                              static_cast<std::size_t>(source.GetRasterCount()) * static_cast<std::size_t>(GDALGetDataTypeSizeBytes(type));
    // NUM_THREADS: blocks are compressed on every core (the file is the same, byte for byte, as on one). LEVEL=4, not
    // DEFLATE's default 6: a national travel-time raster in 3.0 s instead of 4.3, 34 MB instead of 31 (children 3.5 s
    // instead of 4.2, +2%; GDAL 3.6 here, bench/RESULTS.md); any DEFLATE reader reads it.
    const char* options[] = {"COMPRESS=DEFLATE", "LEVEL=4", "PREDICTOR=YES", "BLOCKSIZE=256", "OVERVIEWS=AUTO", "NUM_THREADS=ALL_CPUS",
                             floating ? "RESAMPLING=AVERAGE" : "RESAMPLING=NEAREST",
                             bytes > 3'000'000'000ULL ? "BIGTIFF=YES" : "BIGTIFF=IF_SAFER", nullptr};
    reset_gdal_error();
    DatasetPtr out(cog->CreateCopy(tmp.string().c_str(), &source, FALSE, const_cast<char**>(options), nullptr, nullptr));
    if (!out) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw IoError(fmt::format("{}: cannot write the GeoTIFF: {}", target.string(), last_gdal_error()));
    }
    reset_gdal_error();
    out.reset();  // GDALClose flushes; GDAL 3.6 reports flush failures only through the error state
    if (CPLGetLastErrorType() >= CE_Failure || !last_gdal_error().empty()) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw IoError(fmt::format("{}: writing failed: {}", target.string(), last_gdal_error()));
    }
    commit_file(tmp, target);
#ifdef __GLIBC__
    // GDAL's compression threads and overview buffers leave their freed memory in malloc's arenas (blocks of a few
    // MB, below glibc's mmap threshold once larger blocks have come and gone): ~0.2 GB stayed resident for the rest of
    // the national run after its first raster (issue 20). Given back here.
    malloc_trim(0);
#endif
}

}  // namespace

RasterInfo read_raster_info(const fs::path& path) {
    DatasetPtr ds = open_raster(path);
    RasterInfo info;
    info.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    info.spec = spec_of(*ds, path);
    for (int b = 1; b <= ds->GetRasterCount(); ++b) {
        GDALRasterBand* band = ds->GetRasterBand(b);
        RasterBandInfo bi;
        bi.data_type = GDALGetDataTypeName(band->GetRasterDataType());
        int has = 0;
        const double nd = band->GetNoDataValue(&has);
        if (has) bi.nodata = nd;
        bi.description = band->GetDescription();
        if (const char* u = band->GetUnitType()) bi.units = u;
        bi.overviews = band->GetOverviewCount();
        info.bands.push_back(std::move(bi));
    }
    if (const char* layout = ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE")) info.layout = layout;
    return info;
}

std::vector<Grid<float>> read_raster_bands(const fs::path& path, const std::vector<int>& band_indices) {
    DatasetPtr ds = open_raster(path);
    for (int b : band_indices) check_band(*ds, b, path);
    GridSpec spec = spec_of(*ds, path);
    require_north_up(spec, path);
    std::vector<Grid<float>> grids;
    if (band_indices.empty()) return grids;
    // A pixel-interleaved file holds every band in every compressed block: one dataset-level read decompresses it
    // once, not once per band. A band-interleaved file is read band by band, which is as fast and also steers clear
    // of GDAL 3.6's multi-threaded reader (GDAL_NUM_THREADS), which crashes on dataset reads of such files
    // (OSGeo/gdal#7963).
    const std::size_t cells = spec.cell_count();
    std::vector<int> bands(band_indices);
    const char* interleave = ds->GetMetadataItem("INTERLEAVE", "IMAGE_STRUCTURE");
    const bool by_band = bands.size() == 1 || (interleave != nullptr && std::string_view(interleave) == "BAND");
    auto read = [&](float* into, int count, int* first_band) {
        if (ds->RasterIO(GF_Read, 0, 0, static_cast<int>(spec.cols), static_cast<int>(spec.rows), into,
                         static_cast<int>(spec.cols), static_cast<int>(spec.rows), GDT_Float32, count, first_band, 0, 0, 0,
                         nullptr) != CE_None)
            throw InputError(fmt::format("{}: reading band(s) {} failed ({}); the file may be truncated or corrupt: "
                                         "re-download or re-export it", path.string(), fmt::join(bands, ", "),
                                         last_gdal_error()));
    };
    grids.reserve(bands.size());
    for (std::size_t k = 0; k < bands.size(); ++k) grids.emplace_back(spec);
    reset_gdal_error();
    if (by_band) {  // straight into each grid
        for (std::size_t k = 0; k < bands.size(); ++k) read(grids[k].data(), 1, &bands[k]);
    } else {  // one read of all bands, then split
        std::vector<float> all(cells * bands.size());
        read(all.data(), static_cast<int>(bands.size()), bands.data());
        for (std::size_t k = 0; k < bands.size(); ++k)
            std::copy(all.begin() + static_cast<std::ptrdiff_t>(k * cells),
                      all.begin() + static_cast<std::ptrdiff_t>((k + 1) * cells), grids[k].data());
    }
    for (std::size_t k = 0; k < bands.size(); ++k) {
        Grid<float>& grid = grids[k];
        int has_nodata = 0;
        const double nodata = ds->GetRasterBand(bands[k])->GetNoDataValue(&has_nodata);
        if (has_nodata) {
            const float nd = static_cast<float>(nodata);
            const bool nan_nodata = std::isnan(nodata);
            for (float& v : grid.values())
                if (v == nd || (nan_nodata && std::isnan(v))) v = std::numeric_limits<float>::quiet_NaN();
        }
    }
    return grids;
}

Grid<float> read_raster_float(const fs::path& path, int band_index) {
    return std::move(read_raster_bands(path, {band_index}).front());
}

Grid<std::uint8_t> read_raster_byte(const fs::path& path, int band_index) {
    Grid<float> values = read_raster_float(path, band_index);
    Grid<std::uint8_t> grid(values.spec(), 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        if (std::isnan(v)) continue;
        if (v < 0.0f || v > 255.0f || v != std::floor(v))
            throw InputError(fmt::format("{}: cell (col {}, row {}) holds {} but a class raster needs whole numbers "
                                         "0..255", path.string(), i % values.cols(), i / values.cols(), v));
        grid[i] = static_cast<std::uint8_t>(v);
    }
    return grid;
}

template <typename T>
void write_geotiff(const fs::path& path, const Grid<T>& grid, const RasterWriteOptions& options) {
    ensure_gdal();
    GridView<T> view(grid.spec(), {&grid}, {options.description}, options);
    write_cog(view, temporary_sibling(path), path);
}

void write_geotiff_bands(const fs::path& path, const std::vector<const Grid<float>*>& bands,
                         const std::vector<std::string>& descriptions, const RasterWriteOptions& options) {
    if (bands.empty() || bands.size() != descriptions.size())
        throw InternalError("write_geotiff_bands: one description per band is required");
    for (const Grid<float>* b : bands) require_same_grid(bands.front()->spec(), "band 1", b->spec(), "band");
    ensure_gdal();
    GridView<float> view(bands.front()->spec(), bands, descriptions, options);
    write_cog(view, temporary_sibling(path), path);
}

template void write_geotiff<float>(const fs::path&, const Grid<float>&, const RasterWriteOptions&);
template void write_geotiff<std::uint8_t>(const fs::path&, const Grid<std::uint8_t>&, const RasterWriteOptions&);
template void write_geotiff<std::int16_t>(const fs::path&, const Grid<std::int16_t>&, const RasterWriteOptions&);
template void write_geotiff<std::int32_t>(const fs::path&, const Grid<std::int32_t>&, const RasterWriteOptions&);
template void write_geotiff<std::uint16_t>(const fs::path&, const Grid<std::uint16_t>&, const RasterWriteOptions&);

}  // namespace accessplan::geodata
