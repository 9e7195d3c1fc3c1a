#include <catch2/catch.hpp>

#include <random>

#include "accessplan/engine/area_classes.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

namespace {
Grid<std::uint8_t> mask_from_ascii(const std::string& text) {
    Grid<float> g = test::grid_from_ascii(text, 100.0);
    Grid<std::uint8_t> m(g.spec(), 0);
    for (std::size_t i = 0; i < g.size(); ++i) m[i] = g[i] != 0.0f ? 1 : 0;
    return m;
}
}  // namespace

TEST_CASE("distance transform equals brute-force Euclidean distance", "[engine][areaclass]") {
    std::mt19937 rng(9);
    Grid<std::uint8_t> targets(make_grid_spec(37, 23, 100.0, 500000.0, 2000000.0, test::test_crs()), 0);
    std::uniform_int_distribution<std::size_t> pick(0, targets.size() - 1);
    for (int k = 0; k < 6; ++k) targets[pick(rng)] = 1;
    Grid<float> d = distance_to_cells_m(targets);
    for (std::size_t i = 0; i < targets.size(); ++i) {
        double best = INFINITY;
        for (std::size_t j = 0; j < targets.size(); ++j)
            if (targets[j])
                best = std::min(best, std::hypot(double(i % 37) - double(j % 37), double(i / 37) - double(j / 37)) * 100.0);
        REQUIRE(d[i] == Approx(best).epsilon(1e-6));
    }
    Grid<std::uint8_t> none(targets.spec(), 0);
    CHECK(std::isinf(distance_to_cells_m(none)[0]));
}

TEST_CASE("distance transform on cells that are not square, and on a grid of more rows than 2 bytes count",
          "[engine][areaclass]") {
    // Rectangular cells (the column pass's spacing differs from the rows'), ties between targets above and below, a
    // column and a row without any target; then 70,000 rows, where the nearest target's row takes 4 bytes.
    auto brute = [](const Grid<std::uint8_t>& t, std::size_t i) {
        const GridSpec& g = t.spec();
        double best = INFINITY;
        for (std::size_t j = 0; j < t.size(); ++j)
            if (t[j])
                best = std::min(best, std::hypot((double(i % g.cols) - double(j % g.cols)) * g.cell_width_m(),
                                                 (double(i / g.cols) - double(j / g.cols)) * g.cell_height_m()));
        return best;
    };
    GridSpec spec = make_grid_spec(41, 29, 100.0, 500000.0, 2000000.0, test::test_crs());
    spec.transform.pixel_height = -73.5;
    Grid<std::uint8_t> targets(spec, 0);
    std::mt19937 rng(11);
    std::uniform_int_distribution<std::size_t> col(0, 39), row(0, 27);
    for (int k = 0; k < 25; ++k) targets(col(rng), row(rng)) = 1;  // column 40 and row 28 stay empty
    targets(5, 2) = targets(5, 12) = 1;                           // row 7 of column 5: a tie
    Grid<float> d = distance_to_cells_m(targets);
    for (std::size_t i = 0; i < targets.size(); ++i) REQUIRE(d[i] == Approx(brute(targets, i)).epsilon(1e-6));

    Grid<std::uint8_t> tall(make_grid_spec(3, 70000, 100.0, 500000.0, 9000000.0, test::test_crs()), 0);
    tall(0, 10) = tall(2, 69990) = 1;
    Grid<float> dt = distance_to_cells_m(tall);
    for (std::size_t r : {std::size_t{0}, std::size_t{10}, std::size_t{35000}, std::size_t{65535}, std::size_t{69999}})
        for (std::size_t c = 0; c < 3; ++c) {
            const double to_first = std::hypot(double(c) * 100.0, (double(r) - 10.0) * 100.0);
            const double to_last = std::hypot((double(c) - 2.0) * 100.0, (double(r) - 69990.0) * 100.0);
            REQUIRE(dt(c, r) == Approx(std::min(to_first, to_last)).epsilon(1e-6));
        }
}

TEST_CASE("islands are land not connected to the mainland, and narrow rivers do not make islands", "[engine][areaclass]") {
    // Mainland on the left, cut by a 1-cell river (column 3); an island on the right beyond 4 cells of sea.
    auto land = mask_from_ascii(R"(
        1 1 1 0 1 1 0 0 0 0 0 1 1
        1 1 1 0 1 1 0 0 0 0 0 1 1
        1 1 1 0 1 1 0 0 0 0 0 1 0
        1 1 1 0 1 1 0 0 0 0 0 0 0)");
    auto without_bridge = island_cells(land, 0.0);
    auto with_bridge = island_cells(land, 100.0);  // closes gaps up to ~2 cells
    CHECK(without_bridge(4, 0) == 1);               // the river splits the mainland when nothing bridges it
    CHECK(with_bridge(4, 0) == 0);                  // bridged: part of the mainland
    CHECK(with_bridge(0, 0) == 0);
    CHECK(with_bridge(11, 0) == 1);                 // the real island stays an island
    CHECK(with_bridge(12, 1) == 1);
    CHECK(with_bridge(7, 0) == 0);                  // sea is never flagged
}

TEST_CASE("border and remote flags, and class filters that add up", "[engine][areaclass]") {
    auto land = mask_from_ascii("1 1 1 1 1 1 1 1 1 1 / 1 1 1 1 1 1 1 1 1 1");
    Grid<std::uint8_t> border(land.spec(), 0);
    border(0, 0) = 1;
    border(0, 1) = 1;
    Grid<float> to_town(land.spec(), 10.0f);
    to_town(9, 0) = 120.0f;
    to_town(9, 1) = std::numeric_limits<float>::infinity();  // no town reachable: remote
    Grid<std::uint8_t> listed(land.spec(), 0);
    listed(5, 1) = 1;
    AreaClassOptions o;
    o.border_km = 0.3;  // 3 cells
    auto flags = classify_areas({&land, nullptr, &border, &to_town, &listed, nullptr}, o);
    CHECK(flags(0, 0) == area_class::border);
    CHECK(flags(3, 0) == area_class::border);
    CHECK(flags(4, 0) == 0);
    CHECK(flags(9, 0) == area_class::remote);
    CHECK(flags(9, 1) == area_class::remote);
    CHECK(flags(5, 1) == area_class::remote);
    // "none" plus the union of the flagged classes covers every cell exactly once.
    std::size_t none = 0, any = 0;
    for (auto f : flags.values()) {
        for (const auto& c : area_class_filters())
            if (c.name == "none" && c.includes(f)) ++none;
        any += f != 0 ? 1 : 0;
    }
    CHECK(none + any == flags.size());
    o.remote_minutes = 0.0;
    REQUIRE_THROWS_WITH(classify_areas({&land, nullptr, nullptr, nullptr, nullptr, nullptr}, o), Catch::Contains("remote_minutes"));
}

TEST_CASE("land parts: roads and bridges join land, ferries do not, and the mainland by size or by given cells", "[engine][areaclass]") {
    // 100 m cells: a mainland of 3 columns, an island beyond 3 cells of sea, a second island beyond it.
    auto land = mask_from_ascii(R"(
        1 1 1 0 0 0 1 1 0 0 0 1
        1 1 1 0 0 0 1 1 0 0 0 1
        1 1 1 0 0 0 1 1 0 0 0 1)");
    Grid<std::uint8_t> bridge(land.spec(), 0);
    for (std::size_t c = 3; c <= 5; ++c) bridge(c, 1) = 1;  // a road across the first strait
    LandPartOptions o{0.0, 500.0 * 100.0 * 100.0};         // mainland: 5 cells or more
    const LandParts plain = land_parts(land, nullptr, nullptr, o);
    REQUIRE(plain.parts.size() == 3);
    CHECK(plain.island_cells()(0, 0) == 0);
    CHECK(plain.island_cells()(6, 0) == 1);
    CHECK(plain.island_cells()(11, 2) == 1);
    const LandParts joined = land_parts(land, &bridge, nullptr, o);
    CHECK(joined.island_cells()(6, 0) == 0);  // over the bridge: mainland
    CHECK(joined.parts[static_cast<std::size_t>(joined.part(6, 0) - 1)].mainland == Joined::by_link);
    CHECK(joined.parts[static_cast<std::size_t>(joined.part(0, 0) - 1)].mainland == Joined::itself);
    CHECK(joined.island_cells()(11, 2) == 1);  // still an island
    CHECK(joined.island_cells()(4, 1) == 0);   // the bridge itself is not land
    // Given mainland cells outside the grid's land: every part is an island (a grid around one island).
    Grid<std::uint8_t> no_mainland(land.spec(), 0);
    CHECK(land_parts(land, nullptr, &no_mainland, o).island_cells()(0, 0) == 1);
    // No part reaches the size: the largest is taken, and said so.
    const LandParts guessed = land_parts(land, nullptr, nullptr, {0.0, 1e12});
    CHECK(guessed.mainland_guessed);
    CHECK(guessed.island_cells()(0, 0) == 0);
    CHECK(guessed.island_cells()(6, 0) == 1);
    // Water narrower than about twice bridge_m does not make an island; with no road across, the land beyond it is
    // joined only across that water (travel cannot cross it), and says so.
    const LandParts bridged = land_parts(land, nullptr, nullptr, {200.0, 500.0 * 100.0 * 100.0});
    CHECK(bridged.island_cells()(6, 0) == 0);
    CHECK(bridged.parts[static_cast<std::size_t>(bridged.part(6, 0) - 1)].mainland == Joined::across_water);
    CHECK(land_parts(land, &bridge, nullptr, {200.0, 500.0 * 100.0 * 100.0})
              .parts[static_cast<std::size_t>(bridged.part(6, 0) - 1)].mainland == Joined::by_link);
}

TEST_CASE("land parts: a grid that is land everywhere is one piece, the mainland, as the general labelling has it",
          "[engine][areaclass]") {
    // Land everywhere takes a short cut (no closing, no fills); the same grid with one cell of water in a corner takes
    // the general path: away from that cell both say one piece, the mainland.
    Grid<std::uint8_t> land(make_grid_spec(40, 30, 100.0, 500000.0, 2000000.0, test::test_crs()), std::uint8_t{1});
    Grid<std::uint8_t> corner = land;
    corner(0, 0) = 0;
    for (const double bridge_m : {0.0, 150.0}) {
        INFO("bridge_m " << bridge_m);
        const LandPartOptions by_size{bridge_m, 500.0 * 100.0 * 100.0};
        const LandParts all = land_parts(land, nullptr, nullptr, by_size), general = land_parts(corner, nullptr, nullptr, by_size);
        REQUIRE(all.parts.size() == 1);
        REQUIRE(general.parts.size() == 1);
        CHECK(all.parts[0].cells == land.size());
        CHECK(general.parts[0].cells == land.size() - 1);
        CHECK(all.parts[0].mainland == general.parts[0].mainland);
        CHECK(all.parts[0].mainland == Joined::itself);
        CHECK(!all.mainland_guessed);
        CHECK(std::all_of(all.part.values().begin(), all.part.values().end(), [](std::int32_t p) { return p == 1; }));
        // Too small for the mainland: taken as the largest, and said so, as the general path does.
        const LandPartOptions huge{bridge_m, 1e12};
        const LandParts small = land_parts(land, nullptr, nullptr, huge), small_general = land_parts(corner, nullptr, nullptr, huge);
        CHECK(small.mainland_guessed == small_general.mainland_guessed);
        CHECK(small.mainland_guessed);
        CHECK(small.parts[0].mainland == small_general.parts[0].mainland);
        // Given mainland cells: none on the grid makes it an island; one makes it the mainland.
        Grid<std::uint8_t> none(land.spec(), 0), one(land.spec(), 0);
        one(20, 15) = 1;
        CHECK(land_parts(land, nullptr, &none, by_size).parts[0].mainland == land_parts(corner, nullptr, &none, by_size).parts[0].mainland);
        CHECK(land_parts(land, nullptr, &none, by_size).parts[0].mainland == Joined::no);
        CHECK(land_parts(land, nullptr, &one, by_size).parts[0].mainland == Joined::itself);
        CHECK(land_parts(corner, nullptr, &one, by_size).parts[0].mainland == Joined::itself);
    }
}
