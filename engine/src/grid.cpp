#include "accessplan/engine/grid.hpp"

#include <sys/mman.h>

#include <fmt/format.h>

namespace accessplan {

void advise_huge_pages(const void* data, std::size_t bytes) noexcept {
    constexpr std::size_t huge = std::size_t{2} << 20;
    if (data == nullptr || bytes < 4 * huge) return;
    // The whole 2 MB pages inside the block; madvise wants a page-aligned start.
    const auto first = (reinterpret_cast<std::uintptr_t>(data) + huge - 1) & ~(huge - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(huge - 1);
    if (end > first) madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
}

std::string Crs::label() const {
    if (epsg) return fmt::format("EPSG:{}", *epsg);
    if (!name.empty()) return name;
    return "unknown CRS";
}

std::optional<std::size_t> GridSpec::cell_at(double x, double y) const noexcept {
    const double c = std::floor((x - transform.origin_x) / transform.pixel_width);
    const double r = std::floor((y - transform.origin_y) / transform.pixel_height);
    if (!(c >= 0.0 && r >= 0.0 && c < static_cast<double>(cols) && r < static_cast<double>(rows))) return std::nullopt;
    return static_cast<std::size_t>(r) * cols + static_cast<std::size_t>(c);
}

bool GridSpec::same_grid_as(const GridSpec& other, double tol) const noexcept {
    if (cols != other.cols || rows != other.rows) return false;
    const double scale = std::max(std::abs(transform.pixel_width), std::abs(transform.pixel_height));
    const double t[6] = {transform.origin_x, transform.pixel_width, transform.rot_x,
                         transform.origin_y, transform.rot_y, transform.pixel_height};
    const double o[6] = {other.transform.origin_x, other.transform.pixel_width, other.transform.rot_x,
                         other.transform.origin_y, other.transform.rot_y, other.transform.pixel_height};
    for (int i = 0; i < 6; ++i)
        if (std::abs(t[i] - o[i]) > tol * scale) return false;
    if (crs.epsg && other.crs.epsg) return *crs.epsg == *other.crs.epsg;
    return crs.wkt == other.crs.wkt;
}

std::string GridSpec::describe() const {
    return fmt::format("{}x{} cells of {:g} x {:g} {}, {}", cols, rows, transform.cell_width(), transform.cell_height(),
                       crs.geographic ? "degrees" : "m", crs.label());
}

void require_projected_grid(const GridSpec& spec, const std::string& what) {
    if (spec.cols == 0 || spec.rows == 0) throw InputError(fmt::format("{}: the grid is empty (0 cells)", what));
    if (!spec.transform.is_north_up())
        throw InputError(fmt::format("{}: the raster is rotated or not north-up (geotransform rotation {:g}, {:g}); "
                                     "accessplan needs north-up rasters: warp it first, e.g. gdalwarp -t_srs EPSG:32648 in.tif out.tif",
                                     what, spec.transform.rot_x, spec.transform.rot_y));
    if (spec.crs.geographic)
        throw InputError(fmt::format("{}: CRS {} is geographic (degrees) but travel times need metres; "
                                     "reproject it to a projected CRS such as the UTM zone of the area "
                                     "(gdalwarp -t_srs EPSG:32648 -tr 100 100 in.tif out.tif)",
                                     what, spec.crs.label()));
}

void require_same_grid(const GridSpec& a, const std::string& a_name, const GridSpec& b, const std::string& b_name) {
    if (!a.same_grid_as(b))
        throw InputError(fmt::format("{}: grid {} does not match {} ({}); bring both onto one grid "
                                     "(same CRS, extent and cell size), e.g. with gdalwarp -te/-tr",
                                     b_name, b.describe(), a_name, a.describe()));
}

GridSpec make_grid_spec(std::size_t cols, std::size_t rows, double cell_size_m, double origin_x, double origin_y,
                        Crs crs) {
    GridSpec spec;
    spec.cols = cols;
    spec.rows = rows;
    spec.transform = GeoTransform{origin_x, cell_size_m, 0.0, origin_y, 0.0, -cell_size_m};
    spec.crs = std::move(crs);
    return spec;
}

}  // namespace accessplan
