#pragma once
// Toy grids drawn as text inside tests (OSRM/Valhalla habit). Rows separated by '/' or newlines, cells by spaces:
// a number is the friction in minutes per metre, 'X' is impassable (+inf).

#include <filesystem>
#include <string>

#include "accessplan/engine/grid.hpp"

namespace accessplan::test {

Grid<float> grid_from_ascii(const std::string& text, double cell_size_m);

/// A projected test CRS (UTM 48N) so grids pass the "metres" checks.
Crs test_crs();

/// A fresh empty folder under the system temp folder, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const noexcept { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

/// ../shared/data/vietnam, or empty when absent (tests then SKIP-with-message via WARN + return).
std::filesystem::path shared_data();

}  // namespace accessplan::test

/// Declares `var` = ../shared/data/vietnam, or ends the test case with a warning when the data is absent.
#define REQUIRE_SHARED_DATA(var)                                                                    \
    const auto var = ::accessplan::test::shared_data();                                             \
    if (var.empty()) {                                                                              \
        WARN("skipped: ../shared/data/vietnam is absent (set ACCESSPLAN_SHARED_DATA to its path)"); \
        return;                                                                                     \
    }
