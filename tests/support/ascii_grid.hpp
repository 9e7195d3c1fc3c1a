#pragma once
// Toy grids drawn as text inside tests (OSRM/Valhalla habit). Rows separated by '/' or newlines, cells by spaces:
// a number is the friction in minutes per metre, 'X' is impassable (+inf).

#include <filesystem>
#include <string>

#include "accessplan/engine/grid.hpp"
#include "support/skip.hpp"

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

/// The shared real-data folder (ACCESSPLAN_SHARED_DATA_DIR, by default ../shared/data/vietnam; else the environment
/// variable ACCESSPLAN_SHARED_DATA), or empty when it has no MANIFEST.txt: tests then skip (REQUIRE_SHARED_DATA).
std::filesystem::path shared_data();

}  // namespace accessplan::test

/// Declares `var` = the shared real-data folder, or skips the test case when it is absent: reported as "Skipped" by
/// ctest (support/skip.hpp), a warning when the binary is run by hand.
#define REQUIRE_SHARED_DATA(var)                                                                                    \
    const auto var = ::accessplan::test::shared_data();                                                             \
    if (var.empty()) {                                                                                              \
        ::accessplan::test::skip_test(ACCESSPLAN_SHARED_DATA " is absent (configure ACCESSPLAN_SHARED_DATA_DIR, " \
                                      "or set the environment variable ACCESSPLAN_SHARED_DATA, to its path)");      \
        return;                                                                                                     \
    }
