#include "support/ascii_grid.hpp"

#include <limits>
#include <random>
#include <sstream>
#include <vector>

#include "accessplan/geodata/crs.hpp"

namespace accessplan::test {

Grid<float> grid_from_ascii(const std::string& text, double cell_size_m) {
    std::vector<std::vector<float>> rows(1);
    std::string token;
    auto flush = [&] {
        if (token.empty()) return;
        rows.back().push_back(token == "X" ? std::numeric_limits<float>::infinity() : std::stof(token));
        token.clear();
    };
    for (char ch : text) {
        if (ch == '/' || ch == '\n') {
            flush();
            if (!rows.back().empty()) rows.emplace_back();
        } else if (ch == ' ' || ch == '\t') {
            flush();
        } else {
            token += ch;
        }
    }
    flush();
    if (rows.back().empty()) rows.pop_back();
    for (const auto& r : rows)
        if (r.size() != rows.front().size()) throw std::invalid_argument("grid_from_ascii: ragged rows");
    Grid<float> grid(make_grid_spec(rows.front().size(), rows.size(), cell_size_m, 500000.0, 2000000.0, test_crs()));
    for (std::size_t r = 0; r < rows.size(); ++r)
        for (std::size_t c = 0; c < rows[r].size(); ++c) grid(c, r) = rows[r][c];
    return grid;
}

Crs test_crs() {
    static const Crs crs = geodata::crs_from_user("EPSG:32648", "test");
    return crs;
}

TempDir::TempDir() {
    std::random_device rd;
    m_path = std::filesystem::temp_directory_path() / ("accessplan-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(m_path);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::filesystem::path shared_data() {
    std::filesystem::path p = ACCESSPLAN_SHARED_DATA;
    std::error_code ec;
    if (std::filesystem::exists(p / "MANIFEST.txt", ec)) return p;
    if (const char* env = std::getenv("ACCESSPLAN_SHARED_DATA")) {
        p = env;
        if (std::filesystem::exists(p / "MANIFEST.txt", ec)) return p;
    }
    return {};
}

}  // namespace accessplan::test
