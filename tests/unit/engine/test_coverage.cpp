#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "accessplan/engine/coverage.hpp"
#include "accessplan/engine/e2sfca.hpp"
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

TEST_CASE("coverage and E2SFCA from one shared set of catchments match their own searches", "[engine][coverage][e2sfca]") {
    Grid<float> f(make_grid_spec(50, 40, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.012f);
    for (std::size_t i = 0; i < f.size(); i += 7) f[i] = 0.03f;  // uneven ground
    Grid<float> kids(f.spec(), 0.0f);
    for (std::size_t i = 0; i < kids.size(); ++i) kids[i] = static_cast<float>(i % 9);
    const std::vector<std::size_t> cells{5, 1230, 1999, 700, 702};
    const double minutes = 20.0;
    TravelTimeOptions bounded;
    bounded.max_minutes = catchment_search_limit(minutes);
    std::vector<SourceCell> sources;
    for (std::size_t j = 0; j < cells.size(); ++j) sources.push_back({cells[j], static_cast<std::int32_t>(j)});
    const std::vector<Catchment> shared = compute_catchments(f, sources, bounded);

    // Coverage in a different order than the catchments were computed in: catchments follow their facilities.
    std::vector<CoverageFacility> order{{cells[3], 4, 150.0}, {cells[0], 1, 80.0}, {cells[4], 5, 60.0},
                                        {cells[2], 3, 500.0}, {cells[1], 2, 90.0}};
    const std::vector<const Catchment*> views{&shared[3], &shared[0], &shared[4], &shared[2], &shared[1]};
    auto from_shared = capacity_coverage(order, views, kids);
    auto own = capacity_coverage(f, order, kids, {}, minutes);
    CHECK(from_shared.load == own.load);
    CHECK(from_shared.uncovered.values() == own.uncovered.values());
    CHECK(from_shared.covered > 0.0);
    REQUIRE_THROWS_AS(capacity_coverage(order, {views[0]}, kids), InternalError);

    std::vector<SupplyPoint> supply;
    for (std::size_t c : cells) supply.push_back({c, 100.0});
    E2sfcaOptions eo;
    eo.catchment_min = minutes;
    auto a_shared = e2sfca(supply, shared, kids, eo);
    auto a_own = e2sfca(f, supply, kids, {}, eo);
    CHECK(a_shared.values() == a_own.values());
    CHECK(*std::max_element(a_shared.values().begin(), a_shared.values().end()) > 0.0f);
}
