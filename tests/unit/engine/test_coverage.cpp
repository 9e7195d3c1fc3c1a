#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
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

namespace {

// The expectations of the case below, computed plainly and apart from the code under test: each facility's travel
// times from a full search of its own (compute_travel_time, checked against a reference Dijkstra in
// test_travel_time_reference.cpp), no catchments, no shared state.
std::vector<float> times_from(const Grid<float>& friction, std::size_t cell) {
    return compute_travel_time(friction, {{cell, 0}}).minutes.values();
}

// AccessMod's geographic coverage: facilities in the given order; each takes the children still uncovered within
// its catchment, nearest first (equal times in cell order, as the engine does), until its capacity is used; the last
// cell may be taken in part. Catchment: within the limit up to the relative 1e-6 that float times need
// (within_minutes in travel_time.hpp).
struct PlainCoverage {
    std::vector<double> load;
    std::vector<double> left;  // children per cell not covered
};

PlainCoverage plain_coverage(const Grid<float>& friction, const std::vector<CoverageFacility>& facilities,
                             const Grid<float>& children, double catchment_min) {
    PlainCoverage r{std::vector<double>(facilities.size(), 0.0),
                    std::vector<double>(children.values().begin(), children.values().end())};
    for (std::size_t j = 0; j < facilities.size(); ++j) {
        const std::vector<float> t = times_from(friction, facilities[j].cell);
        std::vector<std::size_t> reach;
        for (std::size_t i = 0; i < t.size(); ++i)
            if (t[i] <= catchment_min * (1.0 + 1e-6) && r.left[i] > 0.0) reach.push_back(i);
        std::stable_sort(reach.begin(), reach.end(), [&](std::size_t a, std::size_t b) { return t[a] < t[b]; });
        double capacity = facilities[j].capacity;
        for (std::size_t i : reach) {
            const double take = std::min(capacity, r.left[i]);
            r.left[i] -= take;
            r.load[j] += take;
            capacity -= take;
        }
    }
    return r;
}

// E2SFCA (Luo & Qi 2009) with their step weights 1, 0.68, 0.22 over thirds of the catchment:
// R_j = S_j / sum_k P_k W(t_kj), A_i = sum_j R_j W(t_ij).
std::vector<double> plain_e2sfca(const Grid<float>& friction, const std::vector<SupplyPoint>& supply,
                                 const Grid<float>& children, double catchment_min) {
    auto weight = [&](double t) {
        const double tol = 1.0 + 1e-6;
        return t <= catchment_min / 3.0 * tol         ? 1.0
               : t <= catchment_min * 2.0 / 3.0 * tol ? 0.68
               : t <= catchment_min * tol             ? 0.22
                                                      : 0.0;
    };
    std::vector<double> access(children.size(), 0.0);
    for (const SupplyPoint& s : supply) {
        const std::vector<float> t = times_from(friction, s.cell);
        double demand = 0.0;
        for (std::size_t i = 0; i < t.size(); ++i) demand += children[i] * weight(t[i]);
        if (demand == 0.0) continue;
        for (std::size_t i = 0; i < t.size(); ++i) access[i] += s.supply / demand * weight(t[i]);
    }
    return access;
}

}  // namespace

TEST_CASE("coverage and E2SFCA from one shared set of catchments equal a plain computation per facility",
          "[engine][coverage][e2sfca]") {
    Grid<float> f(make_grid_spec(50, 40, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.012f);
    for (std::size_t i = 0; i < f.size(); i += 7) f[i] = 0.03f;  // uneven ground
    Grid<float> kids(f.spec(), 0.0f);
    for (std::size_t i = 0; i < kids.size(); ++i) kids[i] = static_cast<float>(i % 9);
    const std::vector<std::size_t> cells{5, 1230, 1999, 700, 702, 1233};
    const double minutes = 20.0;
    TravelTimeOptions bounded;
    bounded.max_minutes = catchment_search_limit(minutes);
    std::vector<SourceCell> sources;
    for (std::size_t j = 0; j < cells.size(); ++j) sources.push_back({cells[j], static_cast<std::int32_t>(j)});
    const std::vector<Catchment> shared = compute_catchments(f, sources, bounded);

    // Coverage in a different order than the catchments were computed in: catchments follow their facilities.
    // 700 and 702 overlap, and 1233 overlaps 1230: the last, with room for everyone, takes what 1230 left in its reach.
    std::vector<CoverageFacility> order{{cells[3], 4, 150.0}, {cells[0], 1, 80.0}, {cells[4], 5, 60.0},
                                        {cells[2], 3, 500.0}, {cells[1], 2, 90.0}, {cells[5], 6, 1e6}};
    const std::vector<const Catchment*> views{&shared[3], &shared[0], &shared[4], &shared[2], &shared[1], &shared[5]};
    const PlainCoverage expected = plain_coverage(f, order, kids, minutes);
    for (const CoverageResult& got :
         {capacity_coverage(order, views, kids), capacity_coverage(f, order, kids, {}, minutes)}) {
        REQUIRE(got.load.size() == order.size());
        for (std::size_t j = 0; j < order.size(); ++j) {
            INFO("facility " << order[j].id);
            CHECK(got.load[j] == Approx(expected.load[j]).epsilon(1e-6));
        }
        std::size_t cells_differing = 0;
        for (std::size_t i = 0; i < kids.size(); ++i)
            cells_differing += std::abs(got.uncovered[i] - expected.left[i]) > 1e-4 ? 1 : 0;
        CHECK(cells_differing == 0);
        CHECK(got.covered == Approx(std::accumulate(expected.load.begin(), expected.load.end(), 0.0)).epsilon(1e-9));
    }
    // The case is not trivial: the first five use their capacity, the last is left with part of its reach only.
    for (std::size_t j = 0; j < 5; ++j) CHECK(expected.load[j] == Approx(order[j].capacity));
    CHECK(expected.load[5] > 100.0);
    std::size_t in_part = 0;  // cells a facility's capacity ran out in
    for (std::size_t i = 0; i < kids.size(); ++i)
        in_part += expected.left[i] > 0.0 && expected.left[i] < kids[i] ? 1 : 0;
    CHECK(in_part >= 1);
    const std::vector<float> t_last = times_from(f, cells[5]);
    double within_last = 0.0;
    for (std::size_t i = 0; i < kids.size(); ++i) within_last += t_last[i] <= minutes * (1.0 + 1e-6) ? kids[i] : 0.0f;
    CHECK(expected.load[5] < within_last - 50.0);
    REQUIRE_THROWS_AS(capacity_coverage(order, {views[0]}, kids), InternalError);

    std::vector<SupplyPoint> supply;
    for (std::size_t c : cells) supply.push_back({c, 100.0});
    E2sfcaOptions eo;
    eo.catchment_min = minutes;
    const std::vector<double> plain = plain_e2sfca(f, supply, kids, minutes);
    for (const Grid<float>& got : {e2sfca(supply, shared, kids, eo), e2sfca(f, supply, kids, {}, eo)}) {
        std::size_t cells_differing = 0;
        for (std::size_t i = 0; i < kids.size(); ++i)
            cells_differing += got[i] == Approx(plain[i]).epsilon(1e-5).margin(1e-9) ? 0 : 1;
        CHECK(cells_differing == 0);
    }
    CHECK(*std::max_element(plain.begin(), plain.end()) > 0.0);
}
