#include <catch2/catch.hpp>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/gaps.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("gap clusters: connected cells beyond the threshold, ranked by children", "[engine][gaps]") {
    // Threshold 30 min. Left cluster: 2 cells (40, 50 min); right cluster: 3 cells incl. one unreachable.
    auto minutes = test::grid_from_ascii(R"(
        40 10 10 60 X
        50 10 10 70 10
        10 10 10 10 10)", 100.0);
    auto children = test::grid_from_ascii(R"(
        5 9 9 10 20
        5 9 9 10 9
        9 9 9 9 0)", 100.0);
    Grid<std::int32_t> nearest(minutes.spec(), 1);
    nearest(4, 0) = -1;
    nearest(3, 1) = 2;
    Grid<std::uint8_t> flags(minutes.spec(), 0);
    flags(4, 0) = area_class::remote;
    auto gaps = find_gap_clusters(children, minutes, nearest, 30.0, &flags, nullptr);
    REQUIRE(gaps.clusters.size() == 2);
    const auto& big = gaps.clusters[0];
    CHECK(big.rank == 1);
    CHECK(big.children == 40.0);
    CHECK(big.cells == 3);
    CHECK(big.unreachable_children == 20.0);
    CHECK(big.remote_children == 20.0);
    CHECK(big.mean_min == Approx((10 * 60 + 10 * 70) / 20.0));
    CHECK(big.max_min == 70.0);
    CHECK(gaps.cluster(3, 0) == 1);
    CHECK(gaps.cluster(4, 0) == 1);
    const auto& small = gaps.clusters[1];
    CHECK(small.children == 10.0);
    CHECK(small.nearest_facility == 1);
    CHECK(small.nearest_facility_min == Approx(45.0));
    CHECK(gaps.cluster(0, 1) == 2);
    CHECK(gaps.cluster(1, 1) == 0);  // within the threshold: not a gap
    // Cells without children are never gaps; a minimum size drops small clusters.
    auto filtered = find_gap_clusters(children, minutes, nearest, 30.0, &flags, nullptr, 15.0);
    REQUIRE(filtered.clusters.size() == 1);
    CHECK(filtered.cluster(0, 0) == 0);
    // Cells below the per-cell minimum do not join clusters: the left cluster (5 + 5) disappears at 6 per cell.
    auto dense = find_gap_clusters(children, minutes, nearest, 30.0, &flags, nullptr, 1.0, 6.0);
    REQUIRE(dense.clusters.size() == 1);
    CHECK(dense.clusters[0].children == 40.0);
    // Everything beyond the threshold when no facility exists: one cluster holding every child.
    Grid<float> none(minutes.spec(), std::numeric_limits<float>::infinity());
    Grid<std::int32_t> no_nearest(minutes.spec(), -1);
    auto all = find_gap_clusters(children, none, no_nearest, 30.0, nullptr, nullptr);
    REQUIRE(all.clusters.size() == 1);
    CHECK(all.clusters[0].unreachable_children == Approx(131.0));
    CHECK(std::isnan(all.clusters[0].mean_min));
}
