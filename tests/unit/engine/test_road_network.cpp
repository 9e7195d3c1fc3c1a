// The hybrid street model's network (engine/src/road_network.cpp): roads as a graph with their true lengths, linked to
// the cells they pass through. Expected times are worked out by hand from the geometry.

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "accessplan/engine/road_network.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();
constexpr double walk = 0.015;     // min/m at 4 km/h
constexpr double offroad = 0.06;   // min/m at 1 km/h

// cols x rows cells of 100 m; the grid's top-left corner at (0, rows x 100): cell (c, r) has its centre at
// (100 c + 50, 100 (rows - r) - 50).
Grid<float> ground(std::size_t cols, std::size_t rows, double min_per_m = offroad) {
    return Grid<float>(make_grid_spec(cols, rows, 100.0, 0.0, 100.0 * static_cast<double>(rows), test::test_crs()),
                       static_cast<float>(min_per_m));
}
std::pair<double, double> centre(const Grid<float>& g, std::size_t col, std::size_t row) {
    return {g.spec().transform.x_of(static_cast<double>(col)), g.spec().transform.y_of(static_cast<double>(row))};
}
std::size_t cell(const Grid<float>& g, std::size_t col, std::size_t row) { return row * g.cols() + col; }

RoadLine road(std::vector<std::pair<double, double>> points, double kmh = 4.0) {
    RoadLine l;
    l.points = std::move(points);
    l.speed_kmh = kmh;
    return l;
}

TravelTimeResult times(const Grid<float>& f, const std::vector<RoadLine>& lines, std::size_t source,
                       RoadNetworkInputs in = {}, RoadNetworkStats* stats = nullptr) {
    in.offroad_friction = &f;
    TravelTimeOptions o;
    o.network = std::make_shared<TravelNetwork>(build_road_network(f.spec(), lines, in, stats));
    return compute_travel_time(f, {{source, 0}}, o);
}

}  // namespace

TEST_CASE("a road through cell centres: its length at its speed, not the off-road speed",
          "[engine][network]") {
    const Grid<float> f = ground(10, 5);
    RoadNetworkStats stats;
    const auto r = times(f, {road({centre(f, 0, 2), centre(f, 9, 2)})}, cell(f, 9, 2), {}, &stats);
    CHECK(r.minutes(0, 2) == Approx(900.0 * walk).epsilon(1e-6));
    CHECK(r.minutes(4, 2) == Approx(500.0 * walk).epsilon(1e-6));
    // One row off the road: 100 m off road, then along it (or a knight's move onto it).
    const double off_then_along = std::min(100.0 * offroad + 900.0 * walk, std::hypot(100.0, 200.0) * offroad + 700.0 * walk);
    CHECK(r.minutes(0, 1) == Approx(off_then_along).epsilon(1e-6));
    CHECK(stats.length_km == Approx(0.9));
    CHECK(stats.cells_with_road == 10);
    CHECK(stats.lines == 1);
}

TEST_CASE("a winding road takes its true length, whatever the cells", "[engine][network]") {
    const Grid<float> f = ground(12, 12);
    // A half circle of radius 400 m from the centre of (1, 6) to the centre of (9, 6), bulging north, with 200 vertices.
    const auto [x0, y0] = centre(f, 1, 6);
    std::vector<std::pair<double, double>> arc;
    for (int k = 0; k <= 200; ++k) {
        const double a = std::numbers::pi * (1.0 - k / 200.0);
        arc.push_back({x0 + 400.0 + 400.0 * std::cos(a), y0 + 400.0 * std::sin(a)});
    }
    double length = 0.0;
    for (std::size_t k = 1; k < arc.size(); ++k) length += std::hypot(arc[k].first - arc[k - 1].first, arc[k].second - arc[k - 1].second);
    Grid<float> g = f;
    for (std::size_t c = 2; c <= 8; ++c) g(c, 6) = inf;  // no short cut along the diameter
    for (std::size_t c = 2; c <= 8; ++c) g(c, 7) = inf;
    const auto r = times(g, {road(arc)}, cell(g, 9, 6));
    CHECK(r.minutes(1, 6) == Approx(length * walk).epsilon(1e-5));
    CHECK(length == Approx(400.0 * std::numbers::pi).epsilon(1e-3));
}

TEST_CASE("a bridge crosses a river only where it is, and roads meet only at shared vertices", "[engine][network]") {
    Grid<float> f = ground(10, 5);
    for (std::size_t r = 0; r < 5; ++r) f(5, r) = inf;  // the river
    const auto [xa, ya] = centre(f, 0, 2);
    const auto [xb, yb] = centre(f, 9, 2);
    SECTION("without the road the far bank is out of reach") {
        CHECK(times(f, {}, cell(f, 9, 2)).minutes(0, 2) == inf);
    }
    SECTION("the bridge carries the road over it") {
        RoadLine bridge = road({{xa, ya}, {xb, yb}});
        CHECK(times(f, {bridge}, cell(f, 9, 2)).minutes(0, 2) == Approx(900.0 * walk).epsilon(1e-6));
    }
    SECTION("a flyover is entered only at its ends") {
        // A road along row 2 and a flyover along column 2 from row 0 to row 4, crossing without a shared vertex.
        const Grid<float> g = ground(10, 5);
        RoadLine flyover = road({centre(g, 2, 4), centre(g, 2, 0)});
        flyover.access_along = false;
        const RoadLine street = road({centre(g, 0, 2), centre(g, 9, 2)});
        const auto r = times(g, {street, flyover}, cell(g, 2, 0));
        // From (0, 2): along the street, then off road to (2, 0) (a knight's move from (1, 2)): the flyover cannot
        // be joined where it passes over the street.
        CHECK(r.minutes(0, 2) == Approx(100.0 * walk + std::hypot(100.0, 200.0) * offroad).epsilon(1e-6));
        // From the flyover's far end: 400 m along it.
        CHECK(r.minutes(2, 4) == Approx(400.0 * walk).epsilon(1e-6));
        // With a junction (a shared vertex at the crossing) the street joins it.
        RoadLine joined = road({centre(g, 2, 4), centre(g, 2, 2), centre(g, 2, 0)});
        joined.access_along = false;
        const RoadLine street2 = road({centre(g, 0, 2), centre(g, 2, 2), centre(g, 9, 2)});
        CHECK(times(g, {street2, joined}, cell(g, 2, 0)).minutes(0, 2) == Approx(400.0 * walk).epsilon(1e-6));
    }
}

TEST_CASE("a one-way road is fast one way only, and a cut piece and a slope change its time", "[engine][network]") {
    const Grid<float> f = ground(10, 3);
    RoadLine oneway = road({centre(f, 0, 1), centre(f, 9, 1)}, 30.0);
    oneway.direction = 1;  // from (0, 1) towards (9, 1)
    const double road_min_per_m = 60.0 / 30000.0;
    const auto east = times(f, {oneway}, cell(f, 9, 1));
    CHECK(east.minutes(0, 1) == Approx(900.0 * road_min_per_m).epsilon(1e-6));
    const auto west = times(f, {oneway}, cell(f, 0, 1));
    CHECK(west.minutes(9, 1) == Approx(900.0 * offroad).epsilon(1e-6));  // against the one-way: off road

    Grid<float> factor(f.spec(), 1.0f);
    factor(4, 1) = 0.0f;  // a flood cuts the road in cell (4, 1)
    RoadNetworkInputs in;
    in.speed_factor = &factor;
    const auto cut = times(f, {road({centre(f, 0, 1), centre(f, 9, 1)})}, cell(f, 9, 1), in);
    // The road is cut from the point where (3, 1) joins it to the point where (5, 1) does: the gap is crossed off road.
    CHECK(cut.minutes(0, 1) == Approx(700.0 * walk + 200.0 * offroad).epsilon(1e-6));
    factor(4, 1) = 0.5f;  // slowed to half speed there
    const auto slowed = times(f, {road({centre(f, 0, 1), centre(f, 9, 1)})}, cell(f, 9, 1), in);
    CHECK(slowed.minutes(0, 1) == Approx(800.0 * walk + 100.0 * walk * 2.0).epsilon(1e-6));

    Grid<float> dem(f.spec(), 0.0f);
    for (std::size_t c = 0; c < 10; ++c)
        for (std::size_t r = 0; r < 3; ++r) dem(c, r) = static_cast<float>(10.0 * static_cast<double>(c));  // 10% slope, rising east
    RoadNetworkInputs sloped;
    sloped.elevation_m = &dem;
    const RoadLine flat = road({centre(f, 0, 1), centre(f, 9, 1)});
    const double up = times(f, {flat}, cell(f, 9, 1), sloped).minutes(0, 1);    // home west, school uphill east
    const double down = times(f, {flat}, cell(f, 0, 1), sloped).minutes(9, 1);  // home east, school downhill west
    CHECK(up == Approx(900.0 * walk / tobler_speed_factor(0.1)).epsilon(1e-5));
    CHECK(down == Approx(900.0 * walk / tobler_speed_factor(-0.1)).epsilon(1e-5));
}

TEST_CASE("a cell's link to the road costs the distance from its centre at its off-road speed", "[engine][network]") {
    const Grid<float> f = ground(10, 3);
    // A road 30 m north of row 1's centres.
    const auto [xa, ya] = centre(f, 0, 1);
    const auto [xb, yb] = centre(f, 9, 1);
    const auto r = times(f, {road({{xa, ya + 30.0}, {xb, yb + 30.0}})}, cell(f, 9, 1));
    CHECK(r.minutes(0, 1) == Approx(30.0 * offroad + 900.0 * walk + 30.0 * offroad).epsilon(1e-6));
    // A cell the road never enters is reached off road only.
    Grid<float> blocked = f;
    blocked(0, 1) = inf;
    const auto b = times(blocked, {road({{xa, ya + 30.0}, {xb, yb + 30.0}})}, cell(f, 9, 1));
    CHECK(b.minutes(0, 1) == inf);  // impassable: no link, no time
}

TEST_CASE("a road through cell corners is linked to the cells it crosses, not to those it touches", "[engine][network]") {
    // Diagonals through the centres of a 100 m grid at UTM-like coordinates, where a corner's column and row crossings
    // round an ulp apart: the sliver between them once put a link into a cell the road only touches at its corner,
    // and which cells got one changed when the line was cut elsewhere (a road_closure).
    Grid<float> f(make_grid_spec(700, 600, 100.0, 697900.0, 2417200.0, test::test_crs()), static_cast<float>(offroad));
    for (const auto& [from, to] : std::vector<std::pair<std::pair<int, int>, std::pair<int, int>>>{
             {{621, 554}, {559, 492}}, {{364, 486}, {361, 483}}, {{100, 300}, {160, 240}}}) {
        const auto a = centre(f, static_cast<std::size_t>(from.first), static_cast<std::size_t>(from.second));
        const auto b = centre(f, static_cast<std::size_t>(to.first), static_cast<std::size_t>(to.second));
        RoadNetworkStats whole, cut;
        RoadNetworkInputs in;
        in.offroad_friction = &f;
        build_road_network(f.spec(), {road({a, b})}, in, &whole);
        const std::size_t cells = static_cast<std::size_t>(std::abs(to.first - from.first)) + 1;
        CHECK(whole.cells_with_road == cells);
        // The same road starting a third of a cell further on (as a cut leaves it).
        const std::pair<double, double> later{a.first + (b.first - a.first) / static_cast<double>(cells - 1) / 3.0,
                                              a.second + (b.second - a.second) / static_cast<double>(cells - 1) / 3.0};
        build_road_network(f.spec(), {road({later, b})}, in, &cut);
        CHECK(cut.cells_with_road == cells);
    }
}
