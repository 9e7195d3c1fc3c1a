#pragma once
// A PNG's pixels (read with Cairo), for tests that look at the maps.

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "accessplan/viz/palette.hpp"

namespace accessplan::test {

/// The pixels of a PNG as 0xRRGGBB, row-major.
struct Image {
    int width = 0, height = 0;
    std::vector<std::uint32_t> pixels;
    std::uint32_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)]; }
    /// How many pixels of the rectangle [x0, x1) x [y0, y1) have colour `c`.
    std::size_t count(const viz::Rgb& c, int x0, int y0, int x1, int y1) const;
    /// The median column and row of the pixels of colour `c` in the rectangle (where a mark of that colour is, robust
    /// to a few stray pixels); {-1, -1} when there are none.
    std::pair<double, double> median_of(const viz::Rgb& c, int x0, int y0, int x1, int y1) const;
    /// The smallest box {x0, y0, x1, y1} (inclusive) around the pixels of any of `colours` in the rectangle;
    /// {0, 0, -1, -1} when there are none.
    std::array<int, 4> bounds_of(const std::vector<viz::Rgb>& colours, int x0, int y0, int x1, int y1) const;
};

/// REQUIREs that Cairo reads `file`.
Image read_png(const std::filesystem::path& file);

}  // namespace accessplan::test
