#include <catch2/catch.hpp>

#include <random>

#include "accessplan/engine/resample.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

namespace {
// Corners of a north-up source grid, optionally rotated by `angle` about (cx, cy) to mimic a reprojection.
void corners(std::size_t cols, std::size_t rows, double x0, double y0, double size, double angle,
             std::vector<double>& xs, std::vector<double>& ys) {
    xs.clear();
    ys.clear();
    const double cx = x0 + size * cols / 2.0, cy = y0 - size * rows / 2.0;
    for (std::size_t r = 0; r <= rows; ++r)
        for (std::size_t c = 0; c <= cols; ++c) {
            const double x = x0 + size * c - cx, y = y0 - size * r - cy;
            xs.push_back(cx + x * std::cos(angle) - y * std::sin(angle));
            ys.push_back(cy + x * std::sin(angle) + y * std::cos(angle));
        }
}
}  // namespace

TEST_CASE("same grid in, same values out", "[engine][resample]") {
    Grid<double> target(make_grid_spec(3, 2, 100.0, 0.0, 200.0, test::test_crs()), 0.0);
    std::vector<float> v{1, 2, 3, 4, 5, 6};
    std::vector<double> xs, ys;
    corners(3, 2, 0.0, 200.0, 100.0, 0.0, xs, ys);
    auto report = area_weighted_sum(v, 3, 2, xs, ys, target);
    for (std::size_t i = 0; i < 6; ++i) CHECK(target[i] == Approx(v[i]));
    CHECK(report.kept_total == Approx(21.0));
}

TEST_CASE("one coarse cell spreads evenly over the fine cells it covers", "[engine][resample]") {
    Grid<double> target(make_grid_spec(10, 10, 100.0, 0.0, 1000.0, test::test_crs()), 0.0);
    std::vector<double> xs, ys;
    corners(1, 1, 0.0, 1000.0, 1000.0, 0.0, xs, ys);
    area_weighted_sum({500.0f}, 1, 1, xs, ys, target);
    for (double v : target.values()) CHECK(v == Approx(5.0));
}

TEST_CASE("rotated and shifted footprints keep the total, what falls outside is reported", "[engine][resample]") {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> pop(0.0f, 300.0f);
    std::vector<float> v(12 * 9);
    for (float& x : v) x = pop(rng);
    Grid<double> big(make_grid_spec(200, 200, 100.0, -5000.0, 15000.0, test::test_crs()), 0.0);
    std::vector<double> xs, ys;
    corners(12, 9, 1234.5, 8765.4, 950.0, 0.13, xs, ys);
    auto report = area_weighted_sum(v, 12, 9, xs, ys, big);
    double sum = 0.0;
    for (double x : big.values()) sum += x;
    CHECK(report.kept_total == Approx(report.source_total).epsilon(1e-9));
    CHECK(sum == Approx(report.source_total).epsilon(1e-9));
    // Half the source outside a smaller target: kept < source, and kept equals what the grid holds.
    Grid<double> half(make_grid_spec(30, 200, 100.0, 1234.5, 15000.0, test::test_crs()), 0.0);
    auto partial = area_weighted_sum(v, 12, 9, xs, ys, half);
    double held = 0.0;
    for (double x : half.values()) held += x;
    CHECK(partial.kept_total < 0.6 * partial.source_total);
    CHECK(held == Approx(partial.kept_total));
}
