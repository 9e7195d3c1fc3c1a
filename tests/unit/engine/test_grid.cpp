#include <catch2/catch.hpp>

#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/snap.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("grid_from_ascii draws rows and impassable cells", "[engine][grid]") {
    auto g = test::grid_from_ascii("1 2 3 / 4 X 6", 100.0);
    REQUIRE(g.cols() == 3);
    REQUIRE(g.rows() == 2);
    CHECK(g(2, 0) == 3.0f);
    CHECK(std::isinf(g(1, 1)));
    CHECK_THROWS_AS(g.at(3, 0), InternalError);
}

TEST_CASE("cell_at maps map coordinates to cells and rejects points outside", "[engine][grid]") {
    GridSpec s = make_grid_spec(4, 3, 100.0, 1000.0, 5000.0, test::test_crs());
    CHECK(s.cell_at(1000.0 + 50.0, 5000.0 - 50.0) == std::optional<std::size_t>(0));
    CHECK(s.cell_at(1000.0 + 350.0, 5000.0 - 250.0) == std::optional<std::size_t>(2 * 4 + 3));
    CHECK_FALSE(s.cell_at(999.0, 4950.0).has_value());
    CHECK_FALSE(s.cell_at(1050.0, 5001.0).has_value());
    CHECK_FALSE(s.cell_at(1400.0, 4950.0).has_value());
}

TEST_CASE("same_grid_as compares shape, transform and CRS", "[engine][grid]") {
    GridSpec a = make_grid_spec(4, 3, 100.0, 0.0, 0.0, test::test_crs());
    GridSpec b = a;
    CHECK(a.same_grid_as(b));
    b.transform.origin_x += 50.0;
    CHECK_FALSE(a.same_grid_as(b));
    b = a;
    b.cols = 5;
    CHECK_FALSE(a.same_grid_as(b));
    b = a;
    b.crs.epsg = 32649;
    CHECK_FALSE(a.same_grid_as(b));
    REQUIRE_THROWS_WITH(require_same_grid(a, "friction", b, "elevation.tif"), Catch::Contains("elevation.tif"));
}

TEST_CASE("require_projected_grid rejects degrees and rotation with a fix", "[engine][grid][errors]") {
    GridSpec s = make_grid_spec(4, 3, 0.01, 105.0, 21.0);
    s.crs.geographic = true;
    s.crs.epsg = 4326;
    REQUIRE_THROWS_WITH(require_projected_grid(s, "pop.tif"),
                        Catch::Contains("pop.tif") && Catch::Contains("EPSG:4326") && Catch::Contains("gdalwarp"));
    GridSpec r = make_grid_spec(4, 3, 100.0, 0.0, 0.0, test::test_crs());
    r.transform.rot_x = 0.5;
    REQUIRE_THROWS_WITH(require_projected_grid(r, "rot.tif"), Catch::Contains("rotated"));
}

TEST_CASE("snap_to_passable keeps passable cells and moves others to the nearest passable one", "[engine][snap]") {
    auto f = test::grid_from_ascii("X X X 1 / X X X 1 / 1 X X 1", 100.0);
    const auto& t = f.spec().transform;
    // On a passable cell: unchanged.
    auto on = snap_to_passable(f, t.x_of(3), t.y_of(0), 150.0);
    CHECK(on.status == SnapStatus::on_cell);
    CHECK(on.cell == 3);
    // In the impassable block: nearest passable centre is (3,1), 100 m east of (2,1).
    auto moved = snap_to_passable(f, t.x_of(2), t.y_of(1), 150.0);
    CHECK(moved.status == SnapStatus::moved);
    CHECK(moved.cell == 1 * 4 + 3);
    CHECK(moved.moved_m == Approx(100.0));
    // Too far from anything passable.
    CHECK(snap_to_passable(f, t.x_of(1), t.y_of(0), 120.0).status == SnapStatus::no_passable);
    // Outside the grid, but within tolerance of a passable cell.
    auto outside = snap_to_passable(f, t.x_of(3) + 120.0, t.y_of(0), 150.0);
    CHECK(outside.status == SnapStatus::moved);
    CHECK(outside.cell == 3);
    CHECK(snap_to_passable(f, t.x_of(3) + 5000.0, t.y_of(0), 150.0).status == SnapStatus::outside_grid);
}

TEST_CASE("a grid takes a vector of one value per cell without a copy, and refuses another count", "[engine][grid]") {
    const GridSpec spec = test::grid_from_ascii("1 2 3 / 4 5 6", 100.0).spec();
    std::vector<std::int32_t> values{1, 2, 3, 4, 5, 6};
    const std::int32_t* storage = values.data();
    const Grid<std::int32_t> g(spec, std::move(values));
    CHECK(g.data() == storage);
    CHECK(g(2, 1) == 6);
    CHECK_THROWS_AS(Grid<std::int32_t>(spec, std::vector<std::int32_t>(5, 0)), InternalError);
}
