#include "accessplan/geodata/analysis_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include <fmt/format.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdalwarper.h>
#include <ogr_api.h>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/gdal_env.hpp"
#include "gdal_handles.hpp"
#include "grid_view.hpp"
#include "accessplan/geodata/raster_io.hpp"

namespace fs = std::filesystem;

namespace accessplan::geodata {
namespace {

using detail::DatasetPtr;

// An in-memory GDAL raster on `spec` whose one band is the cells at `cells` themselves (the MEM driver's DATAPOINTER),
// of GDAL type `type`: GDAL burns or warps into the grid, with no raster of its own to fill and copy back (a national
// grid is 130 M cells). `cells` must outlive the dataset.
DatasetPtr mem_dataset(const GridSpec& spec, GDALDataType type, void* cells) {
    ensure_gdal();
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    DatasetPtr ds(mem->Create("", static_cast<int>(spec.cols), static_cast<int>(spec.rows), 0, type, nullptr));
    if (!ds) throw IoError(fmt::format("cannot create an in-memory {} raster: {}", spec.describe(), last_gdal_error()));
    char pointer[64];
    std::snprintf(pointer, sizeof pointer, "DATAPOINTER=%p", cells);
    char* band_options[] = {pointer, nullptr};
    if (ds->AddBand(type, band_options) != CE_None)
        throw IoError(fmt::format("cannot create an in-memory {} raster: {}", spec.describe(), last_gdal_error()));
    double gt[6] = {spec.transform.origin_x, spec.transform.pixel_width, 0.0, spec.transform.origin_y, 0.0,
                    spec.transform.pixel_height};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs = to_srs(spec.crs);
    ds->SetSpatialRef(&srs);
    return ds;
}

}  // namespace

GridSpec make_analysis_grid(const OGRGeometry& area, const Crs& area_crs, const AnalysisGridOptions& options) {
    if (!(options.cell_size_m > 0.0) || !std::isfinite(options.cell_size_m))
        throw InputError(fmt::format("area.cell_size_m is {}; expected a positive size in metres such as 100",
                                     options.cell_size_m));
    if (!(options.buffer_m >= 0.0)) throw InputError(fmt::format("area.buffer_m is {}; expected >= 0", options.buffer_m));
    if (area.IsEmpty()) throw InputError("study area: the geometry is empty");
    Crs crs;
    if (options.crs) {
        crs = *options.crs;
    } else {
        OGRPoint centroid;
        std::unique_ptr<OGRGeometry> in_wgs(area.clone());
        OGRSpatialReference src = to_srs(area_crs), dst = to_srs(wgs84());
        std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
        if (!ct || in_wgs->transform(ct.get()) != OGRERR_NONE || in_wgs->Centroid(&centroid) != OGRERR_NONE)
            throw InputError(fmt::format("study area: cannot find its centre in WGS 84 from {}", area_crs.label()));
        crs = utm_crs_for(centroid.getX(), centroid.getY());
    }
    if (crs.geographic)
        throw InputError(fmt::format("area.crs {} is geographic (degrees); travel times need a projected CRS in metres, "
                                     "e.g. EPSG:32648 (UTM 48N) for western Vietnam or EPSG:32649 for the east", crs.label()));
    std::unique_ptr<OGRGeometry> projected(area.clone());
    OGRSpatialReference src = to_srs(area_crs), dst = to_srs(crs);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
    if (!ct || projected->transform(ct.get()) != OGRERR_NONE)
        throw InputError(fmt::format("study area: cannot transform from {} to {}", area_crs.label(), crs.label()));
    OGREnvelope env;
    projected->getEnvelope(&env);
    const double cell = options.cell_size_m / crs.metres_per_unit;
    const double buffer = options.buffer_m / crs.metres_per_unit;
    const double x0 = std::floor((env.MinX - buffer) / cell) * cell;
    const double y1 = std::ceil((env.MaxY + buffer) / cell) * cell;
    const double x1 = std::ceil((env.MaxX + buffer) / cell) * cell;
    const double y0 = std::floor((env.MinY - buffer) / cell) * cell;
    const double cols = std::round((x1 - x0) / cell), rows = std::round((y1 - y0) / cell);
    if (cols * rows > static_cast<double>(std::numeric_limits<std::uint32_t>::max()))
        throw InputError(fmt::format("study area: {:.0f} x {:.0f} cells at {} m is too large; use a coarser "
                                     "area.cell_size_m", cols, rows, options.cell_size_m));
    GridSpec spec;
    spec.cols = static_cast<std::size_t>(cols);
    spec.rows = static_cast<std::size_t>(rows);
    spec.transform = GeoTransform{x0, cell, 0.0, y1, 0.0, -cell};
    spec.crs = crs;
    return spec;
}

std::unique_ptr<OGRGeometry> read_study_area(const fs::path& path, const Crs& crs, const ReadOptions& options) {
    auto features = read_features(path, crs, options);
    std::unique_ptr<OGRGeometry> area;
    for (auto& f : features) {
        if (!f.geometry) continue;
        const auto flat = wkbFlatten(f.geometry->getGeometryType());
        if (flat != wkbPolygon && flat != wkbMultiPolygon) continue;
        if (!area) {
            area = std::move(f.geometry);
        } else {
            std::unique_ptr<OGRGeometry> u(area->Union(f.geometry.get()));
            if (!u) throw InputError(fmt::format("{}: polygons could not be merged (GEOS: {})", path.string(), last_gdal_error()));
            area = std::move(u);
        }
    }
    if (!area && !options.where.empty())
        throw InputError(fmt::format("{}: the filter where: \"{}\" selects {}: the study area needs one; check the "
                                     "filter against the layer's values (`accessplan info {}` lists its fields)", path.string(),
                                     options.where, features.empty() ? std::string("no feature")
                                                                     : fmt::format("{} feature(s), none a polygon", features.size()),
                                     path.filename().string()));
    if (!area)
        throw InputError(fmt::format("{}: no polygons found; the study area must be a polygon layer (province or "
                                     "district boundary)", path.string()));
    return area;
}

Grid<float> resample_counts(const fs::path& path, int band, const GridSpec& target, ResampleReport* report_out,
                            const Grid<std::uint8_t>* allowed, const Grid<std::uint8_t>* tally) {
    return resample_counts(read_raster_float(path, band), path, target, report_out, allowed, tally);
}

namespace {

/// The people of `unplaced` onto the nearest allowed cell within `reach` (grid CRS units), into `sums`; the report
/// counts them.
Grid<float> finish_counts(Grid<double>& sums, const CellCounts& unplaced, const Grid<std::uint8_t>* allowed,
                          double reach, ResampleReport& report) {
    if (allowed && report.unplaced > 0.0) {
        const double cell = std::min(sums.spec().transform.cell_width(), sums.spec().transform.cell_height());
        const auto steps = static_cast<std::size_t>(std::max(1.0, std::ceil(reach / cell - 1e-9)));
        const NearestPlacement placed = place_on_nearest(sums, unplaced, *allowed, steps);
        report.moved_nearby = placed.moved;
        report.not_placed = placed.not_placed;
    }
    Grid<float> result(sums.spec(), 0.0f);
    for (std::size_t i = 0; i < sums.size(); ++i) result[i] = static_cast<float>(sums[i]);
    return result;
}

}  // namespace

Grid<float> resample_counts(const Grid<float>& source, const fs::path& path, const GridSpec& target,
                            ResampleReport* report_out, const Grid<std::uint8_t>* allowed, const Grid<std::uint8_t>* tally) {
    require_projected_grid(target, "analysis grid");
    if (tally) require_same_grid(target, "analysis grid", tally->spec(), "tally cells");
    const GridSpec& s = source.spec();
    if (s.crs.empty())
        throw InputError(fmt::format("{}: the raster has no CRS; assign one (gdal_edit.py -a_srs EPSG:4326 file.tif)",
                                     path.string()));
    for (std::size_t i = 0; i < source.size(); ++i)
        if (source[i] < 0.0f)
            throw InputError(fmt::format("{}: cell (col {}, row {}) has {} people; counts cannot be negative (is the "
                                         "nodata value set? gdal_edit.py -a_nodata -99999 file.tif)",
                                         path.string(), i % s.cols, i / s.cols, source[i]));
    // Same CRS and cell size, origins a whole number of cells apart: every source cell is exactly one target cell,
    // so the area-weighted result is an index shift (exact, and much faster).
    const double dcol = (s.transform.origin_x - target.transform.origin_x) / target.transform.pixel_width;
    const double drow = (s.transform.origin_y - target.transform.origin_y) / target.transform.pixel_height;
    const bool same_crs = (s.crs.epsg && target.crs.epsg) ? *s.crs.epsg == *target.crs.epsg : s.crs.wkt == target.crs.wkt;
    if (same_crs && std::abs(s.transform.pixel_width - target.transform.pixel_width) < 1e-9 * target.transform.pixel_width &&
        std::abs(s.transform.pixel_height - target.transform.pixel_height) < 1e-9 * target.transform.cell_height() &&
        std::abs(dcol - std::round(dcol)) < 1e-6 && std::abs(drow - std::round(drow)) < 1e-6) {
        const auto c0 = static_cast<std::int64_t>(std::llround(dcol)), r0 = static_cast<std::int64_t>(std::llround(drow));
        ResampleReport report;
        Grid<float> shifted(target, 0.0f);
        CellCounts unplaced;
        for (std::size_t r = 0; r < s.rows; ++r)
            for (std::size_t c = 0; c < s.cols; ++c) {
                const float v = source(c, r);
                if (!(v > 0.0f) || !std::isfinite(v)) continue;
                report.source_total += v;
                const std::int64_t tc = static_cast<std::int64_t>(c) + c0, tr = static_cast<std::int64_t>(r) + r0;
                if (tc < 0 || tr < 0 || tc >= static_cast<std::int64_t>(target.cols) || tr >= static_cast<std::int64_t>(target.rows))
                    continue;
                const auto cell = static_cast<std::size_t>(tr) * target.cols + static_cast<std::size_t>(tc);
                report.kept_total += v;
                if (tally && (*tally)[cell]) report.tallied += v;
                if (allowed && !(*allowed)[cell]) {
                    unplaced.emplace_back(cell, v);
                    report.unplaced += v;
                } else {
                    shifted[cell] = v;
                }
            }
        if (allowed && report.unplaced > 0.0) {
            Grid<double> sums(target, 0.0);
            for (std::size_t i = 0; i < sums.size(); ++i) sums[i] = shifted[i];
            shifted = Grid<float>();  // (its memory back before the result is made)
            shifted = finish_counts(sums, unplaced, allowed,
                                    std::hypot(target.transform.cell_width(), target.transform.cell_height()), report);
        }
        if (report_out) *report_out = report;
        return shifted;
    }
    const std::size_t cols = s.cols, rows = s.rows;
    std::vector<double> cx((cols + 1) * (rows + 1)), cy(cx.size());
    for (std::size_t r = 0; r <= rows; ++r)
        for (std::size_t c = 0; c <= cols; ++c) {
            cx[r * (cols + 1) + c] = s.transform.origin_x + static_cast<double>(c) * s.transform.pixel_width;
            cy[r * (cols + 1) + c] = s.transform.origin_y + static_cast<double>(r) * s.transform.pixel_height;
        }
    CoordinateTransform(s.crs, target.crs).transform(cx.size(), cx.data(), cy.data());
    // The reach of a move to land: one source cell's diagonal, measured at the middle of the raster.
    const std::size_t mid = (rows / 2) * (cols + 1) + cols / 2;
    const double reach = std::hypot(cx[mid + cols + 2] - cx[mid], cy[mid + cols + 2] - cy[mid]);
    Grid<double> sums(target, 0.0);
    CellCounts unplaced;
    ResampleReport report = area_weighted_sum(source.values(), cols, rows, cx, cy, sums, allowed,
                                              allowed ? &unplaced : nullptr, tally);
    Grid<float> result = finish_counts(sums, unplaced, allowed, std::isfinite(reach) ? reach : 0.0, report);
    if (report_out) *report_out = report;
    return result;
}

Grid<float> warp_to_grid(const fs::path& path, int band, const GridSpec& target, Resampling method) {
    ensure_gdal();
    RasterInfo info = read_raster_info(path);  // validates the file and band count
    if (band < 1 || band > static_cast<int>(info.bands.size()))
        throw InputError(fmt::format("{}: band {} requested but the raster has {}", path.string(), band, info.bands.size()));
    if (info.spec.crs.empty())
        throw InputError(fmt::format("{}: the raster has no CRS; assign one (gdal_edit.py -a_srs EPSG:... file.tif)",
                                     path.string()));
    DatasetPtr src(GDALDataset::Open(path.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    Grid<float> result(target);
    DatasetPtr dst = mem_dataset(target, GDT_Float32, result.data());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    dst->GetRasterBand(1)->SetNoDataValue(nan);

    GDALWarpOptions* wo = GDALCreateWarpOptions();
    wo->hSrcDS = GDALDataset::ToHandle(src.get());
    wo->hDstDS = GDALDataset::ToHandle(dst.get());
    wo->nBandCount = 1;
    wo->panSrcBands = static_cast<int*>(CPLMalloc(sizeof(int)));
    wo->panSrcBands[0] = band;
    wo->panDstBands = static_cast<int*>(CPLMalloc(sizeof(int)));
    wo->panDstBands[0] = 1;
    wo->eResampleAlg = method == Resampling::nearest ? GRA_NearestNeighbour : GRA_Bilinear;
    if (info.bands[static_cast<std::size_t>(band - 1)].nodata) {
        wo->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double)));
        wo->padfSrcNoDataReal[0] = *info.bands[static_cast<std::size_t>(band - 1)].nodata;
    }
    wo->padfDstNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double)));
    wo->padfDstNoDataReal[0] = nan;
    wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "INIT_DEST", "NO_DATA");
    if (method == Resampling::bilinear) {
        // Coarser than the source, GDAL widens the bilinear kernel by the ratio of the chunk's destination to source
        // pixels, which depends on where the chunk lies: a window of the grid (a split run's tile) got other values
        // than the whole grid on the same cells. The ratio is fixed here, from one source pixel at the raster's middle.
        const auto& g = info.spec.transform;
        double x[2] = {g.x_of(static_cast<double>(info.spec.cols / 2)), g.x_of(static_cast<double>(info.spec.cols / 2) + 1.0)};
        double y[2] = {g.y_of(static_cast<double>(info.spec.rows / 2)), g.y_of(static_cast<double>(info.spec.rows / 2))};
        double xv[2] = {x[0], x[0]}, yv[2] = {y[0], g.y_of(static_cast<double>(info.spec.rows / 2) + 1.0)};
        CoordinateTransform to_target(info.spec.crs, target.crs);
        if (to_target.transform(2, x, y) && to_target.transform(2, xv, yv)) {
            const double across = std::hypot(x[1] - x[0], y[1] - y[0]), down = std::hypot(xv[1] - xv[0], yv[1] - yv[0]);
            if (across > 0.0 && down > 0.0) {
                wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "XSCALE",
                                                       fmt::format("{:.17g}", across / target.transform.cell_width()).c_str());
                wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "YSCALE",
                                                       fmt::format("{:.17g}", down / target.transform.cell_height()).c_str());
            }
        }
    }
    wo->pTransformerArg = GDALCreateGenImgProjTransformer2(wo->hSrcDS, wo->hDstDS, nullptr);
    wo->pfnTransformer = GDALGenImgProjTransform;
    reset_gdal_error();
    GDALWarpOperation op;
    CPLErr err = op.Initialize(wo);
    if (err == CE_None) err = op.ChunkAndWarpImage(0, 0, static_cast<int>(target.cols), static_cast<int>(target.rows));
    GDALDestroyGenImgProjTransformer(wo->pTransformerArg);
    GDALDestroyWarpOptions(wo);
    if (err != CE_None)
        throw IoError(fmt::format("{}: warping onto the analysis grid failed: {}", path.string(), last_gdal_error()));
    return result;
}

namespace {

// Burns `values` of `geometries` into the cells of `result` themselves.
template <typename T>
void burn(const std::vector<const OGRGeometry*>& geometries, const std::vector<std::int32_t>& values, Grid<T>& result,
          bool all_touched) {
    if (geometries.empty()) return;
    DatasetPtr ds = mem_dataset(result.spec(), detail::gdal_type<T>(), result.data());
    std::vector<OGRGeometryH> handles;
    std::vector<double> burn_values;
    for (std::size_t i = 0; i < geometries.size(); ++i) {
        if (geometries[i] == nullptr) continue;
        handles.push_back(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(geometries[i])));
        burn_values.push_back(values[i]);
    }
    int band_list[1] = {1};
    // GDAL burns a chunk of rows at a time through a buffer of its own, of doubles for any type but bytes, as large as
    // its block cache allows (5 % of RAM): 1 GB for a national grid's zone ids. 64 MB of rows at a time instead.
    const std::size_t row_bytes = std::max<std::size_t>(1, result.cols() * (std::is_same_v<T, std::uint8_t> ? 1 : 8));
    const std::string chunk = fmt::format("CHUNKYSIZE={}", std::max<std::size_t>(1, (std::size_t{64} << 20) / row_bytes));
    const char* options[] = {all_touched ? "ALL_TOUCHED=TRUE" : "ALL_TOUCHED=FALSE", chunk.c_str(), nullptr};
    reset_gdal_error();
    if (GDALRasterizeGeometries(GDALDataset::ToHandle(ds.get()), 1, band_list, static_cast<int>(handles.size()),
                                handles.data(), nullptr, nullptr, burn_values.data(), const_cast<char**>(options), nullptr,
                                nullptr) != CE_None)
        throw IoError(fmt::format("rasterising {} geometries failed: {}", handles.size(), last_gdal_error()));
}

}  // namespace

Grid<std::int32_t> rasterize(const std::vector<const OGRGeometry*>& geometries, const std::vector<std::int32_t>& values,
                             const GridSpec& target, bool all_touched, std::int32_t background) {
    if (geometries.size() != values.size()) throw InternalError("rasterize: one value per geometry is required");
    Grid<std::int32_t> result(target, background);
    burn(geometries, values, result, all_touched);
    return result;
}

Grid<std::uint8_t> rasterize_mask(const std::vector<const OGRGeometry*>& geometries, const GridSpec& target,
                                  bool all_touched) {
    Grid<std::uint8_t> mask(target, 0);
    burn(geometries, std::vector<std::int32_t>(geometries.size(), 1), mask, all_touched);
    return mask;
}

ZoneGrid rasterize_zones(const fs::path& path, const std::string& layer, const std::string& code_field,
                         const std::string& name_field, const GridSpec& target) {
    ReadOptions options;
    options.layer = layer;
    auto features = read_features(path, target.crs, options);
    ZoneGrid zones;
    std::vector<const OGRGeometry*> geometries;
    std::vector<std::int32_t> values;
    for (const auto& f : features) {
        if (!f.geometry) continue;
        const auto flat = wkbFlatten(f.geometry->getGeometryType());
        if (flat != wkbPolygon && flat != wkbMultiPolygon) continue;
        if (!code_field.empty() && !f.attributes.count(code_field))
            throw InputError(fmt::format("{}: zone feature {} has no '{}' field; name the zone code field or leave it empty",
                                         path.string(), f.fid, code_field));
        geometries.push_back(f.geometry.get());
        values.push_back(static_cast<std::int32_t>(geometries.size()));
        zones.codes.push_back(code_field.empty() ? std::to_string(f.fid) : f.attribute(code_field));
        zones.names.push_back(f.attribute(name_field));
    }
    if (geometries.empty())
        throw InputError(fmt::format("{}: no polygons in the zone layer; admin zones must be polygons", path.string()));
    zones.ids = rasterize(geometries, values, target, false);
    return zones;
}

}  // namespace accessplan::geodata
