#include <catch2/catch.hpp>

#include <omp.h>

#include "accessplan/engine/e2sfca.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("E2SFCA matches the formula worked by hand", "[engine][e2sfca]") {
    // A row of 5 cells, 10 minutes per move (0.1 min/m x 100 m). Facility A (supply 2) at cell 0, B (supply 1) at cell 4.
    // Catchment 30 min, steps: <=10 min weight 1, <=20 min 0.5, <=30 min 0.25.
    auto f = test::grid_from_ascii("0.1 0.1 0.1 0.1 0.1", 100.0);
    auto children = test::grid_from_ascii("10 20 30 40 50", 100.0);
    E2sfcaOptions o;
    o.catchment_min = 30.0;
    o.steps = {{1.0 / 3.0, 1.0}, {2.0 / 3.0, 0.5}, {1.0, 0.25}};
    auto a = e2sfca(f, {{0, 2.0}, {4, 1.0}}, children, {}, o);
    // Step 1. A reaches cells 0..3 at 0, 10, 20, 30 min: demand = 10*1 + 20*1 + 30*0.5 + 40*0.25 = 55; R_A = 2/55.
    //         B reaches cells 4..1: demand = 50*1 + 40*1 + 30*0.5 + 20*0.25 = 110;             R_B = 1/110.
    const double ra = 2.0 / 55.0, rb = 1.0 / 110.0;
    // Step 2.
    CHECK(a[0] == Approx(ra * 1.0));
    CHECK(a[1] == Approx(ra * 1.0 + rb * 0.25));
    CHECK(a[2] == Approx(ra * 0.5 + rb * 0.5));
    CHECK(a[3] == Approx(ra * 0.25 + rb * 1.0));
    CHECK(a[4] == Approx(rb * 1.0));
    // Supply is conserved: sum over cells of A_i x P_i equals total supply when every facility serves someone.
    double served = 0.0;
    for (std::size_t i = 0; i < 5; ++i) served += a[i] * children[i];
    CHECK(served == Approx(3.0));
}

TEST_CASE("E2SFCA weights, Gaussian decay, thread independence, bands of cells and errors", "[engine][e2sfca]") {
    E2sfcaOptions g;
    g.decay = Decay::gaussian;
    g.catchment_min = 30.0;
    CHECK(e2sfca_weight(0.0, g) == Approx(1.0));
    CHECK(e2sfca_weight(30.0, g) == Approx(0.01));
    CHECK(e2sfca_weight(30.1, g) == 0.0);
    CHECK(e2sfca_weight(10.0, E2sfcaOptions{}) == 1.0);
    CHECK(e2sfca_weight(15.0, E2sfcaOptions{}) == 0.68);

    Grid<float> f(make_grid_spec(60, 40, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.015f);
    Grid<float> kids(f.spec(), 3.0f);
    std::vector<SupplyPoint> sites{{5, 300.0}, {1230, 500.0}, {2399, 200.0}, {700, 250.0}};
    const int before = omp_get_max_threads();
    omp_set_num_threads(1);
    auto one = e2sfca(f, sites, kids, {}, E2sfcaOptions{});
    omp_set_num_threads(2);
    auto two = e2sfca(f, sites, kids, {}, E2sfcaOptions{});
    omp_set_num_threads(before);
    CHECK(one.values() == two.values());
    // Summed a band of cells at a time (a national grid's memory): the same floats, whatever the band.
    for (const std::size_t band : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
        E2sfcaOptions banded;
        banded.band_cells = band;
        CHECK(e2sfca(f, sites, kids, {}, banded).values() == one.values());
    }
    REQUIRE_THROWS_WITH(e2sfca(f, {{5, 0.0}}, kids, {}, E2sfcaOptions{}), Catch::Contains("supply"));
}
