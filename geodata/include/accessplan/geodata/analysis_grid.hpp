#pragma once
// The analysis grid: one projected metric grid every input is brought onto (DESIGN.md "Data flow").

#include <filesystem>
#include <optional>
#include <vector>

#include <ogr_geometry.h>

#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/resample.hpp"
#include "accessplan/geodata/vector_io.hpp"

namespace accessplan::geodata {

struct AnalysisGridOptions {
    double cell_size_m = 100.0;
    double buffer_m = 5000.0;       ///< around the study area, so facilities just outside it still count
    std::optional<Crs> crs;         ///< default: the UTM zone of the study area's centroid
};

/// Grid covering `area` (in CRS `area_crs`) plus the buffer, aligned to whole cells. InputError for a geographic
/// target CRS, a non-positive cell size, or a grid above 2^32 cells.
GridSpec make_analysis_grid(const OGRGeometry& area, const Crs& area_crs, const AnalysisGridOptions& options = {});

/// The union of the polygons of a layer (options: its layer, `where` filter and declared CRS) as the study area, in
/// `crs` (validity repaired with MakeValid). InputError when no polygon is selected, naming the filter.
std::unique_ptr<OGRGeometry> read_study_area(const std::filesystem::path& path, const Crs& crs,
                                             const ReadOptions& options = {});

/// Population (or any count raster) onto `target`, sum-preserving (area-weighted). Negative values are an InputError
/// naming the first one; nodata counts as 0. The report says how much of the source fell inside the grid.
/// With `allowed` (dasymetric: people live on land), each source cell's people go only to the allowed cells of its
/// footprint; a footprint without one moves its people to the nearest allowed cell within one source-cell diagonal,
/// and what has none within reach is left out; the report counts each. With `tally` (the target's grid), the report's
/// `tallied` is what fell on its non-zero cells as without the mask (the people of a boundary as the raster has them).
/// Memory: 8 bytes a target cell for the sums and 4 for the result (with a mask, 4 more while people are moved).
Grid<float> resample_counts(const std::filesystem::path& path, int band, const GridSpec& target,
                            ResampleReport* report = nullptr, const Grid<std::uint8_t>* allowed = nullptr,
                            const Grid<std::uint8_t>* tally = nullptr);

/// The same for a band already read (read_raster_bands); `path` is named in error messages.
Grid<float> resample_counts(const Grid<float>& source, const std::filesystem::path& path, const GridSpec& target,
                            ResampleReport* report = nullptr, const Grid<std::uint8_t>* allowed = nullptr,
                            const Grid<std::uint8_t>* tally = nullptr);

enum class Resampling { nearest, bilinear };

/// Any raster band onto `target` with GDAL's warper (nearest for classes such as land cover, bilinear for a DEM).
/// Cells with no source data are NaN.
Grid<float> warp_to_grid(const std::filesystem::path& path, int band, const GridSpec& target, Resampling method);

/// Burns geometries (already in target's CRS) into a grid with GDAL's rasteriser; later geometries overwrite
/// earlier ones. all_touched burns every cell a line touches (so roads and rivers stay connected).
Grid<std::int32_t> rasterize(const std::vector<const OGRGeometry*>& geometries, const std::vector<std::int32_t>& values,
                             const GridSpec& target, bool all_touched, std::int32_t background = 0);

/// 1 where any of `geometries` (in target's CRS) covers a cell (by centre, or every touched cell), 0 elsewhere.
Grid<std::uint8_t> rasterize_mask(const std::vector<const OGRGeometry*>& geometries, const GridSpec& target,
                                  bool all_touched);

/// Admin zones (polygons) as a grid of zone numbers 1..N (0 = outside every zone), cells assigned by their centre,
/// plus each zone's code (from `code_field`, or its feature number) and name. Overlapping polygons: the later wins.
struct ZoneGrid {
    Grid<std::int32_t> ids;
    std::vector<std::string> codes;  ///< codes[k-1] is the code of zone k
    std::vector<std::string> names;
};
ZoneGrid rasterize_zones(const std::filesystem::path& path, const std::string& layer, const std::string& code_field,
                         const std::string& name_field, const GridSpec& target);

}  // namespace accessplan::geodata
