#pragma once
// A read-only GDAL dataset over grids in memory (internal to geodata): what GDAL copies from (the COG driver,
// GDALPolygonize) without a copy of the cells.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <gdal_priv.h>

#include "accessplan/engine/grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"

namespace accessplan::geodata::detail {

template <typename T>
constexpr GDALDataType gdal_type() {
    if constexpr (std::is_same_v<T, float>) return GDT_Float32;
    else if constexpr (std::is_same_v<T, double>) return GDT_Float64;
    else if constexpr (std::is_same_v<T, std::uint8_t>) return GDT_Byte;
    else if constexpr (std::is_same_v<T, std::int16_t>) return GDT_Int16;
    else if constexpr (std::is_same_v<T, std::uint16_t>) return GDT_UInt16;
    else if constexpr (std::is_same_v<T, std::int32_t>) return GDT_Int32;
    else if constexpr (std::is_same_v<T, std::uint32_t>) return GDT_UInt32;
    else static_assert(sizeof(T) == 0, "unsupported raster cell type");
}

/// A read-only GDAL dataset over grids in memory, one band per grid: what GDAL's COG driver copies from, without a
/// copy of the cells (a national float grid is half a gigabyte). Float cells that are not finite (+inf unreachable,
/// NaN) read as the band's nodata.
template <typename T>
class GridView final : public GDALDataset {
public:
    GridView(const GridSpec& spec, const std::vector<const Grid<T>*>& bands, const std::vector<std::string>& descriptions,
             const RasterWriteOptions& options);
    CPLErr GetGeoTransform(double* gt) override {
        std::copy(gt_, gt_ + 6, gt);
        return CE_None;
    }
    const OGRSpatialReference* GetSpatialRef() const override { return srs_.IsEmpty() ? nullptr : &srs_; }

private:
    double gt_[6];
    OGRSpatialReference srs_;
};

template <typename T>
class GridViewBand final : public GDALRasterBand {
public:
    GridViewBand(GridView<T>* ds, int number, const Grid<T>& grid, const RasterWriteOptions& options) : grid_(grid) {
        poDS = ds;
        nBand = number;
        eAccess = GA_ReadOnly;
        eDataType = gdal_type<T>();
        nRasterXSize = static_cast<int>(grid.cols());
        nRasterYSize = static_cast<int>(grid.rows());
        nBlockXSize = nRasterXSize;
        nBlockYSize = 1;
        // Float grids always carry a nodata value (-9999 unless given): +inf and NaN become it.
        if constexpr (std::is_floating_point_v<T>) nodata_ = options.nodata.value_or(-9999.0);
        else nodata_ = options.nodata;
        units_ = options.units;
        if (!options.description.empty()) SetDescription(options.description.c_str());
    }
    double GetNoDataValue(int* success) override {
        if (success != nullptr) *success = nodata_.has_value() ? TRUE : FALSE;
        return nodata_.value_or(0.0);
    }
    const char* GetUnitType() override { return units_.c_str(); }

protected:
    CPLErr IReadBlock(int, int row, void* out) override {
        copy_cells(static_cast<std::size_t>(row), 0, grid_.cols(), static_cast<T*>(out));
        return CE_None;
    }
    // Windows read at full resolution are copied straight from the grid (the COG driver reads tiles in the band's
    // type; GDALPolygonize reads rows of integers as Int32): nothing goes through GDAL's block cache. Anything else
    // (overviews, floats read as another type) goes through GDAL's block reader.
    CPLErr IRasterIO(GDALRWFlag rw, int x, int y, int w, int h, void* data, int buf_w, int buf_h, GDALDataType type,
                     GSpacing pixel_space, GSpacing line_space, GDALRasterIOExtraArg* extra) override {
        const bool full = rw == GF_Read && w == buf_w && h == buf_h;
        if (full && type == eDataType && pixel_space == static_cast<GSpacing>(sizeof(T))) {
            for (int r = 0; r < h; ++r)
                copy_cells(static_cast<std::size_t>(y + r), static_cast<std::size_t>(x), static_cast<std::size_t>(w),
                           reinterpret_cast<T*>(static_cast<GByte*>(data) + static_cast<GSpacing>(r) * line_space));
            return CE_None;
        }
        if (full && !std::is_floating_point_v<T>) {
            for (int r = 0; r < h; ++r)
                GDALCopyWords64(grid_.data() + static_cast<std::size_t>(y + r) * grid_.cols() + static_cast<std::size_t>(x),
                                eDataType, static_cast<int>(sizeof(T)), static_cast<GByte*>(data) + static_cast<GSpacing>(r) * line_space,
                                type, static_cast<int>(pixel_space), w);
            return CE_None;
        }
        return GDALRasterBand::IRasterIO(rw, x, y, w, h, data, buf_w, buf_h, type, pixel_space, line_space, extra);
    }

private:
    void copy_cells(std::size_t row, std::size_t col, std::size_t count, T* out) const {
        const T* from = grid_.data() + row * grid_.cols() + col;
        if constexpr (std::is_floating_point_v<T>) {
            const T nodata = static_cast<T>(*nodata_);
            for (std::size_t i = 0; i < count; ++i) out[i] = std::isfinite(from[i]) ? from[i] : nodata;
        } else {
            std::copy(from, from + count, out);
        }
    }

    const Grid<T>& grid_;
    std::optional<double> nodata_;
    std::string units_;
};

template <typename T>
GridView<T>::GridView(const GridSpec& spec, const std::vector<const Grid<T>*>& bands,
                      const std::vector<std::string>& descriptions, const RasterWriteOptions& options) {
    nRasterXSize = static_cast<int>(spec.cols);
    nRasterYSize = static_cast<int>(spec.rows);
    eAccess = GA_ReadOnly;
    const double gt[6] = {spec.transform.origin_x, spec.transform.pixel_width, spec.transform.rot_x,
                          spec.transform.origin_y, spec.transform.rot_y, spec.transform.pixel_height};
    std::copy(gt, gt + 6, gt_);
    if (!spec.crs.empty()) srs_ = to_srs(spec.crs);
    for (std::size_t i = 0; i < bands.size(); ++i) {
        RasterWriteOptions band_options = options;
        band_options.description = descriptions[i];
        SetBand(static_cast<int>(i + 1), new GridViewBand<T>(this, static_cast<int>(i + 1), *bands[i], band_options));
    }
    for (const auto& [key, value] : options.metadata) SetMetadataItem(key.c_str(), value.c_str());
}

}  // namespace accessplan::geodata::detail
