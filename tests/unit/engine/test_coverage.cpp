#include <catch2/catch.hpp>

#include <numeric>

#include "accessplan/engine/coverage.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("capacity coverage by hand: nearest children first, order matters, children conserved", "[engine][coverage]") {
    // Row of 5 cells, 10 minutes per move. School A (capacity 35) at cell 0, school B (capacity 100) at cell 4.
    auto f = test::grid_from_ascii("0.1 0.1 0.1 0.1 0.1", 100.0);
    auto children = test::grid_from_ascii("10 20 30 40 50", 100.0);
    auto r = capacity_coverage(f, {{0, 1, 35.0}, {4, 2, 100.0}}, children, {}, 30.0);
    // A takes cell 0 (10), cell 1 (20), then 5 of cell 2's 30. B takes cell 4 (50), cell 3 (40), then 10 of cell 2.
    CHECK(r.load[0] == Approx(35.0));
    CHECK(r.load[1] == Approx(100.0));
    CHECK(r.uncovered[0] == 0.0f);
    CHECK(r.uncovered[2] == Approx(15.0));
    CHECK(r.covered == Approx(135.0));
    CHECK(r.covered + r.uncovered_total == Approx(150.0));
    // Processing B first changes who is covered but not the conservation.
    auto b_first = capacity_coverage(f, {{4, 2, 100.0}, {0, 1, 35.0}}, children, {}, 30.0);
    CHECK(b_first.load[0] == Approx(100.0));  // B: 50 + 40 + 10 of cell 2
    CHECK(b_first.load[1] == Approx(35.0));   // A: 10 + 20 + 5 of what is left in cell 2
    CHECK(b_first.covered + b_first.uncovered_total == Approx(150.0));
    // A short catchment leaves a school under-used.
    auto short_reach = capacity_coverage(f, {{0, 1, 1000.0}}, children, {}, 10.0);
    CHECK(short_reach.load[0] == Approx(30.0));
    REQUIRE_THROWS_WITH(capacity_coverage(f, {{0, 1, 0.0}}, children, {}, 30.0), Catch::Contains("capacity"));
}
