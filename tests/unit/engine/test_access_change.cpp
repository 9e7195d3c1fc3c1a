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
    Grid<std::int32_t> ids(spec, 2);
    ids[3] = 1;
    const ZoneGrid zones(ids, 2);
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

TEST_CASE("compare_access counts children moving between within, beyond and unreachable", "[engine][compare]") {
    // Travel times drawn as grids (X = unreachable); threshold 30 min, 10 children a cell but the last column (none).
    const Grid<float> before = test::grid_from_ascii(R"(
        X  X  20 40 X  X
        X  50 20 X  10 X)", 100.0);
    const Grid<float> after = test::grid_from_ascii(R"(
        25 45 X  X  X  5
        X  10 25 35 10 X)", 100.0);
    Grid<float> kids(before.spec(), 10.0f);
    kids(5, 0) = kids(5, 1) = 0.0f;
    // By hand, per cell (before -> after): (0,0) unreachable -> within, (1,0) unreachable -> beyond,
    // (2,0) within -> unreachable, (3,0) beyond -> unreachable, (4,0) unreachable both, (5,0) no children;
    // (0,1) unreachable both, (1,1) beyond -> within, (2,1) within both, (3,1) unreachable -> beyond, (4,1) within both.
    const AccessComparison c = compare_access(before, after, kids, 30.0, nullptr, nullptr, 0);
    const AccessChange& all = c.by_class.front().second;
    CHECK(all.children == 100.0);
    CHECK(all.unreachable_before == 50.0);  // (0,0) (1,0) (4,0) (0,1) (3,1); (5,0) and (5,1) have no children
    CHECK(all.unreachable_after == 40.0);   // (2,0) (3,0) (4,0) (0,1)
    CHECK(all.unreachable_to_within == 10.0);
    CHECK(all.unreachable_to_beyond == 20.0);
    CHECK(all.within_to_unreachable == 10.0);
    CHECK(all.beyond_to_unreachable == 10.0);
    CHECK(all.gained == 20.0);  // (0,0) from unreachable and (1,1) from beyond
    CHECK(all.lost == 10.0);    // (2,0) to unreachable
    CHECK(all.within_before == 30.0);
    CHECK(all.within_after == 40.0);
    // The unreachable count moves exactly by the transitions in and out of it.
    CHECK(all.unreachable_after - all.unreachable_before ==
          all.within_to_unreachable + all.beyond_to_unreachable - all.unreachable_to_within - all.unreachable_to_beyond);
    CHECK(all.net_change() == 10.0 + 10.0);  // within 30 -> 40, unreachable 50 -> 40
    CHECK(all.status_changes() == 20.0 + 10.0 + 20.0 + 10.0);
    // The per-cell codes, children or not.
    const Grid<std::uint8_t> s = status_change(before, after, 30.0);
    CHECK(s(0, 0) == 31);
    CHECK(s(1, 0) == 32);
    CHECK(s(2, 0) == 13);
    CHECK(s(3, 0) == 23);
    CHECK(s(4, 0) == 33);
    CHECK(s(5, 0) == 31);
    CHECK(s(1, 1) == 21);
    CHECK(s(4, 1) == 11);
    // Reversed, every transition swaps with its opposite.
    const AccessChange back = compare_access(after, before, kids, 30.0, nullptr, nullptr, 0).by_class.front().second;
    CHECK(back.within_to_unreachable == all.unreachable_to_within);
    CHECK(back.beyond_to_unreachable == all.unreachable_to_beyond);
    CHECK(back.unreachable_before == all.unreachable_after);
    CHECK(back.lost == all.gained);
}

TEST_CASE("changed_more puts the larger change in children within reach or with no access first", "[engine][compare]") {
    AccessChange quiet, faster, reached, gained;
    faster.faster = 500.0;               // times fell, nobody changed status
    reached.unreachable_before = 300.0;  // 300 reach a facility now, beyond the threshold
    reached.unreachable_to_beyond = 300.0;
    gained.within_before = 100.0;
    gained.within_after = 350.0;
    gained.gained = 250.0;
    CHECK(changed_more(reached, gained));  // |0| + |0 - 300| > |250| + 0
    CHECK(changed_more(gained, faster));
    CHECK(changed_more(faster, quiet));
    CHECK_FALSE(changed_more(quiet, quiet));
}

TEST_CASE("a threshold for each run: before counts against the baseline's, after against the what-if's", "[engine][compare]") {
    // The same travel times both times and a threshold raised from 30 to 60 min: every child between 30 and 60 min
    // is gained by the threshold alone, no one is lost; lowering it loses them back.
    const float inf = std::numeric_limits<float>::infinity();
    const GridSpec spec = test::grid_from_ascii("1 1 1 1 1", 100.0).spec();
    Grid<float> times(spec, 0.0f), kids(spec, 0.0f);
    const float t[] = {10, 35, 59, 75, inf};
    const float k[] = {1, 2, 4, 8, 16};
    double within30 = 0.0, within60 = 0.0;
    for (std::size_t i = 0; i < 5; ++i) {
        times[i] = t[i];
        kids[i] = k[i];
        within30 += t[i] <= 30.0f ? k[i] : 0.0;
        within60 += t[i] <= 60.0f ? k[i] : 0.0;
    }
    const AccessChange up = compare_access(times, times, kids, 30.0, 60.0, nullptr, nullptr, 0).by_class.front().second;
    CHECK(up.within_before == within30);
    CHECK(up.within_after == within60);
    CHECK(up.gained == within60 - within30);
    CHECK(up.lost == 0.0);
    CHECK(up.faster + up.slower == 0.0);
    CHECK(up.unreachable_before == 16.0);
    CHECK(up.unreachable_after == 16.0);
    const AccessChange down = compare_access(times, times, kids, 60.0, 30.0, nullptr, nullptr, 0).by_class.front().second;
    CHECK(down.lost == within60 - within30);
    CHECK(down.gained == 0.0);
    const Grid<std::uint8_t> codes = status_change(times, times, 30.0, 60.0);
    CHECK(codes[1] == 21);  // 35 min: beyond 30 before, within 60 after
    CHECK(codes[3] == 22);
    CHECK(codes[4] == 33);
    // One threshold for both is the one-threshold comparison.
    const AccessChange same = compare_access(times, times, kids, 30.0, 30.0, nullptr, nullptr, 0).by_class.front().second;
    CHECK(same.gained + same.lost == 0.0);
}
