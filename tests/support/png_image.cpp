#include "support/png_image.hpp"

#include <catch2/catch.hpp>

#include <cairo.h>

#include <algorithm>
#include <memory>

namespace accessplan::test {
namespace {

std::uint32_t packed(const viz::Rgb& c) { return (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b; }

}  // namespace

std::size_t Image::count(const viz::Rgb& c, int x0, int y0, int x1, int y1) const {
    const std::uint32_t want = packed(c);
    std::size_t n = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) n += at(x, y) == want;
    return n;
}

std::pair<double, double> Image::median_of(const viz::Rgb& c, int x0, int y0, int x1, int y1) const {
    const std::uint32_t want = packed(c);
    std::vector<int> xs, ys;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            if (at(x, y) == want) {
                xs.push_back(x);
                ys.push_back(y);
            }
    if (xs.empty()) return {-1.0, -1.0};
    const auto mid = [](std::vector<int>& v) {
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
        return static_cast<double>(v[v.size() / 2]);
    };
    return {mid(xs), mid(ys)};
}

std::array<int, 4> Image::bounds_of(const std::vector<viz::Rgb>& colours, int x0, int y0, int x1, int y1) const {
    std::vector<std::uint32_t> want;
    for (const auto& c : colours) want.push_back(packed(c));
    std::array<int, 4> box{x1, y1, -1, -1};
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            if (std::find(want.begin(), want.end(), at(x, y)) != want.end()) {
                box = {std::min(box[0], x), std::min(box[1], y), std::max(box[2], x), std::max(box[3], y)};
            }
    if (box[2] < 0) return {0, 0, -1, -1};
    return box;
}

Image read_png(const std::filesystem::path& file) {
    std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)> s(cairo_image_surface_create_from_png(file.string().c_str()),
                                                                  cairo_surface_destroy);
    REQUIRE(cairo_surface_status(s.get()) == CAIRO_STATUS_SUCCESS);
    Image img;
    img.width = cairo_image_surface_get_width(s.get());
    img.height = cairo_image_surface_get_height(s.get());
    const int stride = cairo_image_surface_get_stride(s.get());
    const unsigned char* data = cairo_image_surface_get_data(s.get());
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            img.pixels.push_back(reinterpret_cast<const std::uint32_t*>(data + y * stride)[x] & 0xFFFFFFu);
    return img;
}

}  // namespace accessplan::test
