#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include <omp.h>

#include "accessplan/engine/travel_time.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

std::size_t cell(const Grid<float>& g, std::size_t col, std::size_t row) { return row * g.cols() + col; }

// An independent O(n^2) Dijkstra with the r.cost -k move rules, written from the GRASS manual, not from the solver.
std::vector<double> reference_times(const Grid<float>& f, const std::vector<std::size_t>& sources, bool knight) {
    const long cols = static_cast<long>(f.cols()), rows = static_cast<long>(f.rows());
    const double d = f.spec().cell_width_m();
    std::vector<double> t(f.size(), INFINITY);
    std::vector<bool> done(f.size(), false);
    for (auto s : sources)
        if (std::isfinite(f[s])) t[s] = 0.0;
    auto fr = [&](long c, long r) -> double {
        if (c < 0 || r < 0 || c >= cols || r >= rows) return INFINITY;
        return f(static_cast<std::size_t>(c), static_cast<std::size_t>(r));
    };
    for (;;) {
        long best = -1;
        for (long i = 0; i < cols * rows; ++i)
            if (!done[i] && std::isfinite(t[i]) && (best < 0 || t[i] < t[best])) best = i;
        if (best < 0) break;
        done[best] = true;
        const long r = best / cols, c = best % cols;
        for (long dr = -2; dr <= 2; ++dr)
            for (long dc = -2; dc <= 2; ++dc) {
                const long ar = std::abs(dr), ac = std::abs(dc);
                double cost;
                if (ar <= 1 && ac <= 1 && (ar + ac) > 0) {
                    cost = (fr(c, r) + fr(c + dc, r + dr)) / 2.0 * d * std::sqrt(double(ar * ar + ac * ac));
                } else if (knight && ((ar == 2 && ac == 1) || (ar == 1 && ac == 2))) {
                    // The two cells the move passes between.
                    double m1, m2;
                    if (ar == 2) {
                        m1 = fr(c, r + dr / 2);
                        m2 = fr(c + dc, r + dr / 2);
                    } else {
                        m1 = fr(c + dc / 2, r);
                        m2 = fr(c + dc / 2, r + dr);
                    }
                    cost = (fr(c, r) + fr(c + dc, r + dr) + m1 + m2) / 4.0 * d * std::sqrt(5.0);
                } else {
                    continue;
                }
                if (!std::isfinite(cost)) continue;
                const long n = (r + dr) * cols + (c + dc);
                if (t[best] + cost < t[n]) t[n] = t[best] + cost;
            }
    }
    return t;
}

Grid<float> random_friction(std::mt19937& rng, std::size_t cols, std::size_t rows, double blocked_share) {
    Grid<float> g(make_grid_spec(cols, rows, 100.0, 500000.0, 2000000.0, test::test_crs()));
    std::uniform_real_distribution<float> speed(0.005f, 0.05f);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (float& v : g.values()) v = u(rng) < blocked_share ? inf : speed(rng);
    return g;
}

}  // namespace

TEST_CASE("sources cost zero and carry their id", "[engine][traveltime]") {
    auto f = test::grid_from_ascii("1 1 1 / 1 1 1 / 1 1 1", 100.0);
    auto r = compute_travel_time(f, {{cell(f, 0, 0), 7}, {cell(f, 2, 2), 9}});
    CHECK(r.minutes(0, 0) == 0.0f);
    CHECK(r.minutes(2, 2) == 0.0f);
    CHECK(r.nearest(0, 0) == 7);
    CHECK(r.nearest(2, 2) == 9);
    CHECK(r.nearest(1, 0) == 7);
    CHECK(r.nearest(2, 1) == 9);
}

TEST_CASE("straight, diagonal and knight moves cost mean friction x length (r.cost -k)", "[engine][traveltime]") {
    // Friction in minutes per metre; cells 100 m.
    auto f = test::grid_from_ascii("1 3 X / 5 7 2 / X X X", 100.0);
    TravelTimeOptions eight;
    eight.neighbours = Neighbourhood::eight;
    auto r = compute_travel_time(f, {{cell(f, 0, 0), 1}}, eight);
    CHECK(r.minutes(1, 0) == Approx((1 + 3) / 2.0 * 100.0));
    CHECK(r.minutes(0, 1) == Approx((1 + 5) / 2.0 * 100.0));
    CHECK(r.minutes(1, 1) == Approx((1 + 7) / 2.0 * 100.0 * std::sqrt(2.0)));
    // (2,1) with 8 neighbours: best of via (1,0) diagonal or via (1,1) straight.
    const double via_10 = 200.0 + (3 + 2) / 2.0 * 100.0 * std::sqrt(2.0);
    const double via_11 = (1 + 7) / 2.0 * 100.0 * std::sqrt(2.0) + (7 + 2) / 2.0 * 100.0;
    CHECK(r.minutes(2, 1) == Approx(std::min(via_10, via_11)));
    // With 16 neighbours the knight's move (0,0)->(2,1) passes between (1,0) and (1,1).
    auto k = compute_travel_time(f, {{cell(f, 0, 0), 1}});
    const double knight = (1 + 2 + 3 + 7) / 4.0 * 100.0 * std::sqrt(5.0);
    CHECK(k.minutes(2, 1) == Approx(std::min({via_10, via_11, knight})));
}

TEST_CASE("a knight's move is blocked when a cell it passes between is impassable", "[engine][traveltime]") {
    // Only path from (0,0) to (1,2) is the knight's move passing between (0,1) and (1,1).
    auto open = test::grid_from_ascii("1 X / 1 1 / X 1", 100.0);
    auto one_blocked = test::grid_from_ascii("1 X / X 1 / X 1", 100.0);
    auto r_open = compute_travel_time(open, {{0, 1}});
    auto r_blocked = compute_travel_time(one_blocked, {{0, 1}});
    CHECK(std::isfinite(r_open.minutes(1, 2)));
    // (0,0) -> (1,1) diagonal is still allowed (r.cost does not check corners), then (1,1) -> (1,2).
    const double diag_then_down = 1.0 * 100.0 * std::sqrt(2.0) + 100.0;
    CHECK(r_blocked.minutes(1, 2) == Approx(diag_then_down));
    auto fully = test::grid_from_ascii("1 X / X X / X 1", 100.0);
    auto r_fully = compute_travel_time(fully, {{0, 1}});
    CHECK(std::isinf(r_fully.minutes(1, 2)));
    CHECK(r_fully.nearest(1, 2) == no_facility);
}

TEST_CASE("barriers make cells unreachable, reported as +inf and no facility", "[engine][traveltime]") {
    auto f = test::grid_from_ascii(R"(
        1 1 X 1 1
        1 1 X 1 1
        1 1 X 1 1
        1 1 X 1 1)", 100.0);
    auto r = compute_travel_time(f, {{cell(f, 0, 0), 3}});
    for (std::size_t row = 0; row < 4; ++row) {
        CHECK(std::isfinite(r.minutes(1, row)));
        CHECK(std::isinf(r.minutes(2, row)));
        CHECK(std::isinf(r.minutes(3, row)));
        CHECK(std::isinf(r.minutes(4, row)));
        CHECK(r.nearest(4, row) == no_facility);
    }
}

TEST_CASE("uniform friction gives Euclidean time within the neighbourhood's bound", "[engine][traveltime]") {
    const std::size_t n = 61;
    Grid<float> f(make_grid_spec(n, n, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.015f);  // 4 km/h
    const std::size_t centre = (n / 2) * n + n / 2;
    for (auto [hood, bound] : {std::pair{Neighbourhood::sixteen, 1.0 / std::cos(std::atan(0.5) / 2.0)},
                               std::pair{Neighbourhood::eight, 1.0 / std::cos(M_PI / 8.0)}}) {
        TravelTimeOptions o;
        o.neighbours = hood;
        auto r = compute_travel_time(f, {{centre, 1}}, o);
        double worst = 1.0;
        for (std::size_t row = 0; row < n; ++row)
            for (std::size_t col = 0; col < n; ++col) {
                if (col == n / 2 && row == n / 2) continue;
                const double dist = std::hypot(double(col) - double(n / 2), double(row) - double(n / 2)) * 100.0;
                const double ratio = r.minutes(col, row) / (dist * 0.015);
                REQUIRE(ratio >= 1.0 - 1e-5);
                REQUIRE(ratio <= bound + 1e-5);
                worst = std::max(worst, ratio);
            }
        // The bound is tight: some direction gets close to it.
        CHECK(worst > 1.0 + (bound - 1.0) * 0.8);
    }
}

TEST_CASE("solver matches an independent reference on random grids", "[engine][traveltime]") {
    std::mt19937 rng(20261122);
    for (int trial = 0; trial < 12; ++trial) {
        auto f = random_friction(rng, 17, 13, 0.2);
        std::vector<SourceCell> sources;
        std::vector<std::size_t> cells;
        std::uniform_int_distribution<std::size_t> pick(0, f.size() - 1);
        for (int s = 0; s < 3; ++s) {
            cells.push_back(pick(rng));
            sources.push_back({cells.back(), s});
        }
        for (bool knight : {false, true}) {
            TravelTimeOptions o;
            o.neighbours = knight ? Neighbourhood::sixteen : Neighbourhood::eight;
            auto r = compute_travel_time(f, sources, o);
            auto ref = reference_times(f, cells, knight);
            for (std::size_t i = 0; i < f.size(); ++i) {
                if (std::isinf(ref[i])) {
                    REQUIRE(std::isinf(r.minutes[i]));
                    REQUIRE(r.nearest[i] == no_facility);
                } else {
                    REQUIRE(r.minutes[i] == Approx(ref[i]).epsilon(1e-5));
                    REQUIRE(r.nearest[i] != no_facility);
                }
            }
        }
    }
}

TEST_CASE("raising friction never lowers travel time", "[engine][traveltime]") {
    std::mt19937 rng(7);
    auto f = random_friction(rng, 40, 30, 0.1);
    std::vector<SourceCell> sources{{5, 1}, {700, 2}};
    auto base = compute_travel_time(f, sources);
    auto slower = f;
    std::uniform_real_distribution<float> factor(1.0f, 3.0f);
    for (float& v : slower.values()) v *= factor(rng);
    auto r = compute_travel_time(slower, sources);
    for (std::size_t i = 0; i < f.size(); ++i) REQUIRE(r.minutes[i] >= base.minutes[i]);
}

TEST_CASE("cut-off leaves cells beyond it unreachable and keeps the rest exact", "[engine][traveltime]") {
    std::mt19937 rng(11);
    auto f = random_friction(rng, 50, 50, 0.05);
    std::vector<SourceCell> sources{{1275, 1}};
    auto full = compute_travel_time(f, sources);
    TravelTimeOptions o;
    o.max_minutes = 30.0;
    auto cut = compute_travel_time(f, sources, o);
    std::size_t within = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (full.minutes[i] <= 30.0f) {
            ++within;
            REQUIRE(cut.minutes[i] == full.minutes[i]);
        } else {
            REQUIRE(std::isinf(cut.minutes[i]));
        }
    }
    CHECK(within > 10);
    CHECK(within < f.size());
}

TEST_CASE("Tobler slope rule: uphill to the facility is slower than downhill", "[engine][traveltime][tobler]") {
    CHECK(tobler_speed_factor(0.0) == Approx(1.0));
    CHECK(tobler_speed_factor(-0.05) > 1.0);  // gentle descent is fastest (Tobler 1993)
    CHECK(tobler_speed_factor(0.2) < tobler_speed_factor(-0.2));

    Grid<float> f(make_grid_spec(20, 1, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.015f);
    Grid<float> dem(f.spec());
    for (std::size_t c = 0; c < 20; ++c) dem(c, 0) = static_cast<float>(10.0 * c);  // 10% slope rising eastward
    TravelTimeOptions o;
    o.elevation_m = &dem;
    auto uphill_home = compute_travel_time(f, {{19, 1}}, o);  // facility on top: homes climb to it
    auto downhill_home = compute_travel_time(f, {{0, 1}}, o);  // facility at the bottom: homes walk down
    CHECK(uphill_home.minutes(0, 0) > downhill_home.minutes(19, 0));
    CHECK(uphill_home.minutes(0, 0) == Approx(19 * 0.015 * 100.0 / tobler_speed_factor(0.1)));
    CHECK(downhill_home.minutes(19, 0) == Approx(19 * 0.015 * 100.0 / tobler_speed_factor(-0.1)));
    // A flat DEM changes nothing.
    Grid<float> flat(f.spec(), 5.0f);
    o.elevation_m = &flat;
    auto plain = compute_travel_time(f, {{0, 1}});
    auto with_flat = compute_travel_time(f, {{0, 1}}, o);
    for (std::size_t i = 0; i < f.size(); ++i) CHECK(with_flat.minutes[i] == Approx(plain.minutes[i]));
}

TEST_CASE("a ferry edge is the only way to an island", "[engine][traveltime][ferry]") {
    auto f = test::grid_from_ascii("1 1 X X 1 1 / 1 1 X X 1 1", 100.0);
    std::vector<SourceCell> mainland_school{{cell(f, 0, 0), 1}};
    auto without = compute_travel_time(f, mainland_school);
    CHECK(std::isinf(without.minutes(5, 1)));
    TravelTimeOptions o;
    // Island port (4,0) -> mainland port (1,0): 45 min crossing + 60 min mean wait.
    o.extra_edges.push_back({cell(f, 4, 0), cell(f, 1, 0), 105.0});
    auto with = compute_travel_time(f, mainland_school, o);
    CHECK(with.minutes(4, 0) == Approx(100.0 + 105.0));
    CHECK(with.minutes(5, 0) == Approx(100.0 + 105.0 + 100.0));
    CHECK(with.nearest(5, 1) == 1);
    // One-way: a facility on the island is not reachable from the mainland by this edge.
    auto island_school = compute_travel_time(f, {{cell(f, 5, 0), 2}}, o);
    CHECK(std::isinf(island_school.minutes(0, 0)));
}

TEST_CASE("parallel runs over services give identical results with 1 and 2 threads", "[engine][traveltime][parallel]") {
    std::mt19937 rng(3);
    auto f = random_friction(rng, 120, 90, 0.1);
    std::vector<std::vector<SourceCell>> sets;
    std::uniform_int_distribution<std::size_t> pick(0, f.size() - 1);
    for (int s = 0; s < 5; ++s) {
        std::vector<SourceCell> set;
        for (int k = 0; k < 4 + s; ++k) set.push_back({pick(rng), k});
        sets.push_back(set);
    }
    const int before = omp_get_max_threads();
    omp_set_num_threads(1);
    auto one = compute_travel_times(f, sets);
    omp_set_num_threads(2);
    auto two = compute_travel_times(f, sets);
    omp_set_num_threads(before);
    REQUIRE(one.size() == sets.size());
    for (std::size_t s = 0; s < sets.size(); ++s) {
        REQUIRE(one[s].minutes.values() == two[s].minutes.values());
        REQUIRE(one[s].nearest.values() == two[s].nearest.values());
        auto single = compute_travel_time(f, sets[s]);
        REQUIRE(single.minutes.values() == one[s].minutes.values());
    }
}

TEST_CASE("bad solver inputs are rejected with a clear message", "[engine][traveltime][errors]") {
    auto f = test::grid_from_ascii("1 1 / 1 1", 100.0);
    auto nan_grid = f;
    nan_grid(1, 1) = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(compute_travel_time(nan_grid, {{0, 1}}), Catch::Contains("col 1, row 1"));
    auto negative = f;
    negative(0, 1) = -0.5f;
    REQUIRE_THROWS_AS(compute_travel_time(negative, {{0, 1}}), InputError);
    REQUIRE_THROWS_WITH(compute_travel_time(f, {{4, 1}}), Catch::Contains("outside"));
    REQUIRE_THROWS_WITH(compute_travel_time(f, {{0, -2}}), Catch::Contains("negative"));
    auto degrees = f;
    GridSpec s = f.spec();
    s.crs.geographic = true;
    Grid<float> geo(s, 1.0f);
    REQUIRE_THROWS_WITH(compute_travel_time(geo, {{0, 1}}), Catch::Contains("geographic"));
    Grid<float> other_dem(make_grid_spec(3, 2, 100.0, 500000.0, 2000000.0, test::test_crs()));
    TravelTimeOptions o;
    o.elevation_m = &other_dem;
    REQUIRE_THROWS_WITH(compute_travel_time(f, {{0, 1}}, o), Catch::Contains("elevation"));
}

TEST_CASE("times far beyond the bucket window stay exact (long corridor, slow ferry)", "[engine][traveltime]") {
    // A 1 x 30000 corridor: times reach 30000 moves, many bucket windows away from the source.
    const std::size_t n = 30000;
    Grid<float> corridor(make_grid_spec(n, 1, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.015f);
    auto r = compute_travel_time(corridor, {{0, 1}});
    for (std::size_t c = 0; c < n; c += 997) REQUIRE(r.minutes(c, 0) == Approx(c * 1.5).epsilon(1e-5));
    REQUIRE(r.minutes(n - 1, 0) == Approx((n - 1) * 1.5).epsilon(1e-5));
    // A ferry of 10 days to an island: one enormous jump, then ordinary moves.
    auto f = test::grid_from_ascii("1 1 X 1 1 1", 100.0);
    TravelTimeOptions o;
    o.extra_edges.push_back({3, 1, 14400.0});
    auto island = compute_travel_time(f, {{0, 7}}, o);
    CHECK(island.minutes(3, 0) == Approx(100.0 + 14400.0));
    CHECK(island.minutes(5, 0) == Approx(100.0 + 14400.0 + 200.0));
    CHECK(island.nearest(5, 0) == 7);
}

namespace {

// Equal friction everywhere: many cells are exactly as near two facilities, the case that needs the id rule.
Grid<float> uniform_friction(std::size_t cols, std::size_t rows, float value) {
    Grid<float> g(make_grid_spec(cols, rows, 100.0, 500000.0, 2000000.0, test::test_crs()));
    for (float& v : g.values()) v = value;
    return g;
}

void require_identical(const TravelTimeResult& a, const TravelTimeResult& b) {
    std::size_t time_diffs = 0, id_diffs = 0;
    for (std::size_t i = 0; i < a.minutes.size(); ++i) {
        const bool same_time = a.minutes[i] == b.minutes[i] || (std::isinf(a.minutes[i]) && std::isinf(b.minutes[i]));
        time_diffs += same_time ? 0 : 1;
        id_diffs += a.nearest[i] == b.nearest[i] ? 0 : 1;
    }
    CHECK(time_diffs == 0);
    CHECK(id_diffs == 0);
}

}  // namespace

TEST_CASE("equally near facilities: the lower id is nearest, whatever the source order", "[engine][traveltime][ties]") {
    auto f = uniform_friction(21, 5, 0.012f);
    // Two facilities symmetric about column 10: that column is exactly as near both.
    for (auto ids : {std::pair{4, 9}, std::pair{9, 4}}) {
        auto r = compute_travel_time(f, {{cell(f, 4, 2), ids.first}, {cell(f, 16, 2), ids.second}});
        for (std::size_t row = 0; row < 5; ++row) {
            CHECK(r.nearest(10, row) == 4);
            CHECK(r.nearest(9, row) == ids.first);
            CHECK(r.nearest(11, row) == ids.second);
        }
    }
    std::mt19937 rng(7);
    for (int trial = 0; trial < 10; ++trial) {
        auto g = trial % 2 == 0 ? uniform_friction(40, 30, 0.01f) : random_friction(rng, 40, 30, 0.1);
        std::vector<SourceCell> sources;
        std::uniform_int_distribution<std::size_t> pick(0, g.size() - 1);
        for (int s = 0; s < 12; ++s) sources.push_back({pick(rng), s});
        auto forward = compute_travel_time(g, sources);
        std::shuffle(sources.begin(), sources.end(), rng);
        require_identical(forward, compute_travel_time(g, sources));
    }
}

TEST_CASE("an updated result equals a full search exactly", "[engine][traveltime][incremental]") {
    std::mt19937 rng(20261122);
    for (int trial = 0; trial < 24; ++trial) {
        INFO("trial " << trial);
        const std::size_t cols = 60, rows = 45;
        auto f = trial % 3 == 0 ? uniform_friction(cols, rows, 0.012f) : random_friction(rng, cols, rows, 0.15);
        std::uniform_int_distribution<std::size_t> pick(0, f.size() - 1);
        std::vector<SourceCell> before;
        for (int s = 0; s < 10; ++s) before.push_back({pick(rng), s * 3});
        TravelTimeOptions old_options;
        Grid<float> dem(f.spec(), 0.0f);
        if (trial % 4 == 1) {
            for (std::size_t i = 0; i < dem.size(); ++i) dem[i] = static_cast<float>((i % cols) * 7 % 50);
            old_options.elevation_m = &dem;
        }
        if (trial % 5 == 2) old_options.max_minutes = 40.0;
        TravelTimeResult r = compute_travel_time(f, before, old_options);

        // Close some facilities, open others (one on the cell of a closed one), add a ferry.
        std::vector<SourceCell> after;
        std::vector<std::int32_t> removed;
        for (std::size_t s = 0; s < before.size(); ++s) {
            if (s % 3 == static_cast<std::size_t>(trial % 3)) removed.push_back(before[s].id);
            else after.push_back(before[s]);
        }
        after.push_back({before[static_cast<std::size_t>(trial % 3)].cell, 1000});
        for (int s = 0; s < 3; ++s) after.push_back({pick(rng), 1001 + s});
        TravelTimeOptions new_options = old_options;
        if (trial % 2 == 0) new_options.extra_edges.push_back({pick(rng), pick(rng), 3.0});

        update_travel_time(f, after, new_options, removed, r);
        require_identical(r, compute_travel_time(f, after, new_options));
    }
}

TEST_CASE("an update with nothing removed only lowers times", "[engine][traveltime][incremental]") {
    std::mt19937 rng(99);
    auto f = random_friction(rng, 50, 50, 0.1);
    std::vector<SourceCell> sources{{cell(f, 5, 5), 1}, {cell(f, 40, 40), 2}};
    TravelTimeResult r = compute_travel_time(f, sources);
    const TravelTimeResult before = r;
    sources.push_back({cell(f, 25, 25), 3});
    update_travel_time(f, sources, {}, {}, r);
    std::size_t lowered = 0;
    for (std::size_t i = 0; i < r.minutes.size(); ++i) {
        if (std::isinf(before.minutes[i])) continue;
        REQUIRE(r.minutes[i] <= before.minutes[i]);
        if (r.minutes[i] < before.minutes[i]) {
            ++lowered;
            REQUIRE(r.nearest[i] == 3);
        }
    }
    CHECK(lowered > 100);
    REQUIRE_THROWS_AS(update_travel_time(uniform_friction(10, 10, 0.01f), sources, {}, {}, r), InputError);
}
