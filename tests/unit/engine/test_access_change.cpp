#include <catch2/catch.hpp>

#include <limits>

#include "accessplan/engine/access_change.hpp"
#include "accessplan/engine/error.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("compare_access counts children crossing the threshold both ways, by class, zone and area", "[engine][compare]") {
    const float inf = std::numeric_limits<float>::infinity();
    const GridSpec spec = test::grid_from_ascii("1 1 1 1 / 1 1 1 1", 100.0).spec();
    Grid<float> before(spec, 0.0f), after(spec, 0.0f), kids(spec, 10.0f);
    // row 0: gained, gained, unchanged within, lost (to unreachable); row 1: faster beyond, slower within, -, -
    const float b[] = {40, inf, 10, 20, 90, 5, 50, 50};
    const float a[] = {20, 25, 10, inf, 60, 8, 50, 50};
    for (std::size_t i = 0; i < 8; ++i) {
        before[i] = b[i];
        after[i] = a[i];
    }
    Grid<std::uint8_t> flags(spec, 0);
    flags[0] = flags[1] = 1;  // island
    Grid<std::int32_t> zones(spec, 2);
    zones[3] = 1;
    const AccessComparison c = compare_access(before, after, kids, 30.0, &flags, &zones, 2, 1.0);
    const AccessChange& all = c.by_class.front().second;
    CHECK(all.children == 80.0);
    CHECK(all.gained == 20.0);
    CHECK(all.lost == 10.0);
    CHECK(all.within_before == 30.0);
    CHECK(all.within_after == 40.0);
    CHECK(all.faster == 20.0);  // 40->20 and 90->60 (both reachable)
    CHECK(all.slower == 10.0);
    CHECK(c.by_class[1].first == "island");
    CHECK(c.by_class[1].second.gained == 20.0);
    CHECK(c.by_zone[0].lost == 10.0);
    CHECK(c.by_zone[1].gained == 20.0);
    REQUIRE(c.areas.size() == 2);
    CHECK(c.areas[0].gained);
    CHECK(c.areas[0].children == 20.0);
    CHECK(c.areas[0].cells == 2);
    CHECK(c.areas[0].flags == 1);
    CHECK(c.areas[0].x == Approx(spec.transform.x_of(0.5)));
    CHECK_FALSE(c.areas[1].gained);
    Grid<float> other = test::grid_from_ascii("1 1 1 / 1 1 1", 100.0);
    CHECK_THROWS_AS(compare_access(before, other, kids, 30.0, nullptr, nullptr, 0), InputError);
}
