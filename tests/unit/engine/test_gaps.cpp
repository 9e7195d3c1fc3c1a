#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

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

TEST_CASE("gap clusters: made in the nearest-facility grid it consumes, the same as beside it", "[engine][gaps]") {
    // A random 300 x 200 grid: children on most cells, times around the threshold, a few unreachable cells, many
    // facilities; the consuming form must give the same clusters (each with its nearest facility) and grid.
    const GridSpec spec = make_grid_spec(300, 200, 100.0, 500000.0, 2000000.0, test::test_crs());
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    Grid<float> children(spec, 0.0f), minutes(spec, 0.0f);
    Grid<std::int32_t> nearest(spec, -1);
    Grid<std::uint8_t> flags(spec, 0), include(spec, 1);
    for (std::size_t i = 0; i < children.size(); ++i) {
        children[i] = u(rng) < 0.8f ? 10.0f * u(rng) : 0.0f;
        const float r = u(rng);
        minutes[i] = r < 0.03f ? std::numeric_limits<float>::infinity() : 60.0f * r;
        nearest[i] = std::isfinite(minutes[i]) ? static_cast<std::int32_t>(u(rng) * 40.0f) : -1;
        flags[i] = static_cast<std::uint8_t>(u(rng) * 8.0f);
        include[i] = (i % spec.cols) < 290 ? 1 : 0;
    }
    const GapResult beside = find_gap_clusters(children, minutes, nearest, 30.0, &flags, &include, 20.0, 0.5);
    Grid<std::int32_t> consumed = nearest;
    const GapResult in_place = find_gap_clusters(children, minutes, std::move(consumed), 30.0, &flags, &include, 20.0, 0.5);
    REQUIRE(beside.clusters.size() > 10);
    REQUIRE(in_place.clusters.size() == beside.clusters.size());
    CHECK(in_place.cluster.values() == beside.cluster.values());
    std::size_t with_facility = 0;
    for (std::size_t k = 0; k < beside.clusters.size(); ++k) {
        const GapCluster &a = beside.clusters[k], &b = in_place.clusters[k];
        CHECK(a.rank == b.rank);
        CHECK(a.children == b.children);
        CHECK(a.cells == b.cells);
        CHECK(a.first_cell == b.first_cell);
        CHECK(a.nearest_facility == b.nearest_facility);
        CHECK((a.nearest_facility_min == b.nearest_facility_min || (std::isnan(a.nearest_facility_min) && std::isnan(b.nearest_facility_min))));
        CHECK(a.island_children == b.island_children);
        if (a.nearest_facility >= 0) ++with_facility;
    }
    CHECK(with_facility > 10);
    // The facility a cluster's children mostly go to, counted here from the cells the grid says are in it.
    const auto& top = beside.clusters[0];
    std::map<std::int32_t, double> by_facility;
    for (std::size_t i = 0; i < children.size(); ++i)
        if (beside.cluster[i] == top.rank && std::isfinite(minutes[i])) by_facility[nearest[i]] += children[i];
    const auto most = std::max_element(by_facility.begin(), by_facility.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    REQUIRE(most != by_facility.end());
    CHECK(in_place.clusters[0].nearest_facility == most->first);
}
