#include <catch2/catch.hpp>

#include <numeric>

#include "accessplan/engine/access_summary.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("access summary by hand: within, unreachable, bands, weighted mean and percentiles", "[engine][metrics]") {
    // Five cells: times 10, 20, 45, 200 minutes and one unreachable; children 10, 20, 30, 40, 50.
    auto minutes = test::grid_from_ascii("10 20 45 200 X", 100.0);
    auto children = test::grid_from_ascii("10 20 30 40 50", 100.0);
    auto s = summarize_access(children, minutes, 30.0);
    CHECK(s.children == 150.0);
    CHECK(s.within_threshold == 30.0);          // 10 + 20
    CHECK(s.unreachable == 50.0);               // reported apart, never dropped
    CHECK(s.pct_within() == Approx(20.0));
    CHECK(s.mean_min == Approx((10 * 10 + 20 * 20 + 30 * 45 + 40 * 200) / 100.0));  // over reachable children
    CHECK(s.median_min == 45.0);                // 50 of 100 reachable children are within 45 min
    CHECK(s.p90_min == 200.0);
    CHECK(s.bands[0] == 10.0);                  // 0-15
    CHECK(s.bands[1] == 20.0);                  // 15-30
    CHECK(s.bands[2] == 30.0);                  // 30-60
    CHECK(s.bands[3] == 0.0);                   // 60-120
    CHECK(s.bands[4] == 40.0);                  // >120
    // Bands plus unreachable account for every child.
    CHECK(std::accumulate(s.bands.begin(), s.bands.end(), 0.0) + s.unreachable == Approx(s.children));
    // A mask restricts the summary; with no facility at all, every child is unreachable, nothing crashes.
    Grid<std::uint8_t> mask(children.spec(), 0);
    mask[4] = 1;
    auto only_last = summarize_access(children, minutes, 30.0, &mask);
    CHECK(only_last.children == 50.0);
    CHECK(only_last.unreachable == 50.0);
    CHECK(std::isnan(only_last.mean_min));
    REQUIRE_THROWS_WITH(summarize_access(children, minutes, 0.0), Catch::Contains("threshold"));
}
