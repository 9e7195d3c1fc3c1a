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

TEST_CASE("dasymetric: each source cell's people go to the land of its footprint, sum-preserving per cell", "[engine][resample]") {
    // One 300 m source cell over a 3x3 target of 100 m, land only in the left column and the centre; a second source
    // cell entirely over water.
    Grid<double> target(make_grid_spec(6, 3, 100.0, 0.0, 300.0, test::test_crs()), 0.0);
    Grid<std::uint8_t> land(target.spec(), 0);
    for (std::size_t r = 0; r < 3; ++r) land(0, r) = 1;
    land(1, 1) = 1;
    std::vector<double> xs, ys;
    corners(2, 1, 0.0, 300.0, 300.0, 0.0, xs, ys);
    std::vector<float> v{900.0f, 90.0f};
    CellCounts unplaced;
    Grid<std::uint8_t> left_column(target.spec(), 0);  // tallied: what fell there as without the mask
    for (std::size_t r = 0; r < 3; ++r) left_column(0, r) = 1;
    const ResampleReport rep = area_weighted_sum(v, 2, 1, xs, ys, target, &land, &unplaced, &left_column);
    // 4 land cells of equal area share the first cell's 900: 225 each; nothing on water.
    for (std::size_t r = 0; r < 3; ++r) CHECK(target(0, r) == Approx(225.0));
    CHECK(target(1, 1) == Approx(225.0));
    CHECK(target(2, 0) == 0.0);
    CHECK(rep.moved_in_cell == Approx(900.0 * 5.0 / 9.0));  // 5 of its 9 cells are water
    // The second cell has no land: its people wait where they fell, 10 per cell, for place_on_nearest.
    CHECK(rep.unplaced == Approx(90.0));
    double at_4_1 = 0.0;
    for (const auto& [cell, count] : unplaced)
        if (cell == 1 * 6 + 4) at_4_1 += count;
    CHECK(at_4_1 == Approx(10.0));
    CHECK(rep.tallied == Approx(300.0));  // 100 a cell in the left column, as without a mask
    CHECK(rep.kept_total == Approx(990.0));

    // The nearest land is two steps from column 3 (over column 2's water) and further from columns 4 and 5: a reach of
    // one step places nobody, two steps place column 3's 30 people.
    Grid<double> counts = target;
    const NearestPlacement none = place_on_nearest(counts, unplaced, land, 1);
    CHECK(none.moved == 0.0);
    CHECK(none.not_placed == Approx(90.0));
    counts = target;
    const NearestPlacement some = place_on_nearest(counts, unplaced, land, 2);
    CHECK(some.moved == Approx(30.0));
    CHECK(some.not_placed == Approx(60.0));
    double total = 0.0;
    for (double x : counts.values()) total += x;
    CHECK(total == Approx(900.0 + 30.0));
}
