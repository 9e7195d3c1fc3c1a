#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/zonal.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("zone totals add up to the grid totals", "[engine][zonal]") {
    auto minutes = test::grid_from_ascii("5 10 40 X / 5 50 70 90", 100.0);
    auto children = test::grid_from_ascii("10 20 30 40 / 1 2 3 4", 100.0);
    Grid<std::int32_t> zones(minutes.spec(), 0);
    for (std::size_t c = 0; c < 4; ++c) {
        zones(c, 0) = c < 2 ? 1 : 2;
        zones(c, 1) = 3;
    }
    Grid<std::uint8_t> flags(minutes.spec(), 0);
    flags(3, 0) = area_class::remote | area_class::border;
    auto z = zonal_access(children, minutes, 30.0, zones, 3, &flags);
    REQUIRE(z.size() == 3);
    CHECK(z[0].access.children == 30.0);
    CHECK(z[0].access.within_threshold == 30.0);
    CHECK(z[1].access.children == 70.0);
    CHECK(z[1].access.unreachable == 40.0);
    CHECK(z[1].remote_children == 40.0);
    CHECK(z[1].border_children == 40.0);
    CHECK(z[2].access.within_threshold == 1.0);
    const auto all = summarize_access(children, minutes, 30.0);
    double sum = 0.0, within = 0.0, unreachable = 0.0;
    for (const auto& zz : z) {
        sum += zz.access.children;
        within += zz.access.within_threshold;
        unreachable += zz.access.unreachable;
    }
    CHECK(sum == Approx(all.children));
    CHECK(within == Approx(all.within_threshold));
    CHECK(unreachable == Approx(all.unreachable));
}

TEST_CASE("zones from centre points are nearest-centre (Voronoi) cells inside the area", "[engine][zonal]") {
    GridSpec spec = make_grid_spec(10, 4, 100.0, 0.0, 400.0, test::test_crs());
    Grid<std::uint8_t> inside(spec, 1);
    inside(9, 3) = 0;
    auto zones = nearest_centre_zones(spec, {{50.0, 350.0}, {950.0, 50.0}}, inside);
    CHECK(zones(0, 0) == 1);
    CHECK(zones(9, 2) == 2);
    CHECK(zones(9, 3) == 0);  // outside the study area
    CHECK(zones(3, 1) == 1);
    CHECK(zones(6, 2) == 2);
}

TEST_CASE("zone ids held in 2 bytes up to 65,535 zones, in 4 above, with the same zonal figures", "[engine][zonal]") {
    // 70,000 cells, one zone each in a sweep (70,000 zones: the 4-byte form), then folded to 65,535 zones (2 bytes).
    const GridSpec spec = make_grid_spec(350, 200, 100.0, 500000.0, 2000000.0, test::test_crs());
    Grid<float> children(spec, 0.0f), minutes(spec, 0.0f);
    Grid<std::uint8_t> flags(spec, 0);
    for (std::size_t i = 0; i < children.size(); ++i) {
        children[i] = static_cast<float>(i % 7);
        minutes[i] = i % 11 == 0 ? std::numeric_limits<float>::infinity() : static_cast<float>(i % 50);
        flags[i] = static_cast<std::uint8_t>(i % 8);
    }
    for (const std::size_t count : {std::size_t{70000}, std::size_t{65535}}) {
        Grid<std::int32_t> ids(spec, 0);
        for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i % 13 == 0 ? 0 : static_cast<std::int32_t>(i % count + 1);
        const ZoneGrid held(ids, count);
        for (std::size_t i = 0; i < ids.size(); ++i) REQUIRE(held[i] == ids[i]);
        const std::size_t bytes = held.visit([](const auto& g) { return sizeof(g[0]); });
        CHECK(bytes == (count <= 65535 ? 2u : 4u));
        const auto wide = zonal_access(children, minutes, 30.0, ids, count, &flags);
        const auto compact = zonal_access(children, minutes, 30.0, held, count, &flags);
        REQUIRE(compact.size() == wide.size());
        for (std::size_t z = 0; z < wide.size(); ++z) {
            CHECK(compact[z].access.children == wide[z].access.children);
            CHECK(compact[z].access.within_threshold == wide[z].access.within_threshold);
            const double a = compact[z].access.p90_min, b = wide[z].access.p90_min;
            CHECK((a == b || (std::isnan(a) && std::isnan(b))));
            CHECK(compact[z].island_children == wide[z].island_children);
        }
    }
    // An id above the count is the caller's error, not a silent wrap to 2 bytes.
    Grid<std::int32_t> bad(spec, 0);
    bad[5] = 10;
    CHECK_THROWS_AS(ZoneGrid(bad, 9), InternalError);
}
