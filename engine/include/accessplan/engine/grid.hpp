#pragma once
// Georeferenced raster grids held in memory (STYLE.md "Grids").
// Row-major, north-up; the georeferencing travels with the pixels.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "accessplan/engine/error.hpp"

namespace accessplan {

/// GDAL-order affine transform. accessplan only accepts north-up grids: rot_x == rot_y == 0, pixel_height < 0.
struct GeoTransform {
    double origin_x = 0.0;
    double pixel_width = 1.0;
    double rot_x = 0.0;
    double origin_y = 0.0;
    double rot_y = 0.0;
    double pixel_height = -1.0;

    bool is_north_up() const noexcept { return rot_x == 0.0 && rot_y == 0.0 && pixel_width > 0.0 && pixel_height < 0.0; }
    double cell_width() const noexcept { return pixel_width; }
    double cell_height() const noexcept { return -pixel_height; }
    /// Centre of cell (col,row) in CRS units.
    double x_of(double col) const noexcept { return origin_x + (col + 0.5) * pixel_width; }
    double y_of(double row) const noexcept { return origin_y + (row + 0.5) * pixel_height; }
};

/// A coordinate reference system as a plain value; geodata fills it with PROJ.
struct Crs {
    std::string wkt;                ///< WKT2 definition; empty means "unknown".
    std::optional<int> epsg;        ///< EPSG code when the CRS has one.
    bool geographic = false;        ///< Degrees (lon/lat) rather than a projected system.
    double metres_per_unit = 1.0;   ///< Linear unit of a projected CRS.
    std::string name;               ///< Human-readable name, for messages.

    bool empty() const noexcept { return wkt.empty(); }
    /// "EPSG:32648" when known, else the name, else "unknown CRS".
    std::string label() const;
};

struct GridSpec {
    std::size_t cols = 0;
    std::size_t rows = 0;
    GeoTransform transform;
    Crs crs;

    std::size_t cell_count() const noexcept { return cols * rows; }
    double cell_width_m() const noexcept { return transform.cell_width() * crs.metres_per_unit; }
    double cell_height_m() const noexcept { return transform.cell_height() * crs.metres_per_unit; }
    double cell_area_m2() const noexcept { return cell_width_m() * cell_height_m(); }
    double min_x() const noexcept { return transform.origin_x; }
    double max_x() const noexcept { return transform.origin_x + static_cast<double>(cols) * transform.pixel_width; }
    double max_y() const noexcept { return transform.origin_y; }
    double min_y() const noexcept { return transform.origin_y + static_cast<double>(rows) * transform.pixel_height; }

    /// Cell containing map point (x, y), or nullopt when outside the grid.
    std::optional<std::size_t> cell_at(double x, double y) const noexcept;

    /// Same shape, geotransform (within tol, relative to the cell size) and CRS (same WKT or same EPSG code).
    bool same_grid_as(const GridSpec& other, double tol = 1e-9) const noexcept;

    /// Describes the grid for messages: "600x500 cells of 100 m, EPSG:32648".
    std::string describe() const;
};

/// Throws InputError naming `what` unless the spec is a usable analysis grid: non-empty, north-up, projected in metres.
void require_projected_grid(const GridSpec& spec, const std::string& what);

/// Throws InputError naming both inputs unless `b` has the same grid as `a`.
void require_same_grid(const GridSpec& a, const std::string& a_name, const GridSpec& b, const std::string& b_name);

/// Asks the kernel to back [data, data + bytes) with transparent huge pages (2 MB) when it is large (8 MB or more),
/// before anything touches it. A national grid (130 M cells) is otherwise faulted in and zeroed 4 KB at a time, and
/// runs allocate dozens of them: the page faults were a third of the national bench's CPU time. No effect on small
/// blocks or when the kernel has huge pages off.
void advise_huge_pages(const void* data, std::size_t bytes) noexcept;

/// `v` holding `count` copies of `fill`, its storage advised huge pages (advise_huge_pages) before it is filled.
template <typename T>
void assign_advised(std::vector<T>& v, std::size_t count, const T& fill) {
    v.clear();
    v.reserve(count);
    advise_huge_pages(v.data(), count * sizeof(T));
    v.assign(count, fill);
}

template <typename T>
class Grid {
public:
    Grid() = default;
    explicit Grid(GridSpec spec, T fill = T{}) : m_spec(std::move(spec)) { assign_advised(m_data, m_spec.cell_count(), fill); }
    /// The grid over `values` (one per cell, row-major), taken without a copy.
    Grid(GridSpec spec, std::vector<T>&& values) : m_spec(std::move(spec)), m_data(std::move(values)) {
        if (m_data.size() != m_spec.cell_count())
            throw InternalError("grid of " + std::to_string(m_spec.cell_count()) + " cells given " +
                                std::to_string(m_data.size()) + " values");
    }
    Grid(const Grid& other) : m_spec(other.m_spec) {
        m_data.reserve(other.m_data.size());
        advise_huge_pages(m_data.data(), other.m_data.size() * sizeof(T));
        m_data.assign(other.m_data.begin(), other.m_data.end());
    }
    Grid(Grid&&) noexcept = default;
    Grid& operator=(const Grid& other) {
        if (this != &other) *this = Grid(other);
        return *this;
    }
    Grid& operator=(Grid&&) noexcept = default;

    const GridSpec& spec() const noexcept { return m_spec; }
    std::size_t cols() const noexcept { return m_spec.cols; }
    std::size_t rows() const noexcept { return m_spec.rows; }
    std::size_t size() const noexcept { return m_data.size(); }
    bool empty() const noexcept { return m_data.empty(); }

    /// Unchecked access.
    T& operator()(std::size_t col, std::size_t row) noexcept { return m_data[row * m_spec.cols + col]; }
    const T& operator()(std::size_t col, std::size_t row) const noexcept { return m_data[row * m_spec.cols + col]; }
    T& operator[](std::size_t index) noexcept { return m_data[index]; }
    const T& operator[](std::size_t index) const noexcept { return m_data[index]; }

    /// Checked access.
    T& at(std::size_t col, std::size_t row) { check(col, row); return (*this)(col, row); }
    const T& at(std::size_t col, std::size_t row) const { check(col, row); return (*this)(col, row); }

    std::span<T> row(std::size_t r) noexcept { return {m_data.data() + r * m_spec.cols, m_spec.cols}; }
    std::span<const T> row(std::size_t r) const noexcept { return {m_data.data() + r * m_spec.cols, m_spec.cols}; }

    T* data() noexcept { return m_data.data(); }
    const T* data() const noexcept { return m_data.data(); }
    std::vector<T>& values() noexcept { return m_data; }
    const std::vector<T>& values() const noexcept { return m_data; }

    void fill(T value) { std::fill(m_data.begin(), m_data.end(), value); }

private:
    void check(std::size_t col, std::size_t row) const {
        if (col >= m_spec.cols || row >= m_spec.rows)
            throw InternalError("grid access out of range: (" + std::to_string(col) + ", " + std::to_string(row) +
                                ") in a " + std::to_string(m_spec.cols) + "x" + std::to_string(m_spec.rows) + " grid");
    }

    GridSpec m_spec;
    std::vector<T> m_data;
};

/// A projected square-cell grid spec, for tests and generated data.
GridSpec make_grid_spec(std::size_t cols, std::size_t rows, double cell_size_m, double origin_x = 0.0,
                        double origin_y = 0.0, Crs crs = {});

}  // namespace accessplan
