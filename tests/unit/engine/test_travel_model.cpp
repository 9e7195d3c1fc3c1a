#include <catch2/catch.hpp>

#include "accessplan/engine/travel_model.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

namespace {
Grid<std::uint8_t> byte_grid(std::size_t cols, std::size_t rows, std::initializer_list<int> values) {
    Grid<std::uint8_t> g(make_grid_spec(cols, rows, 100.0, 500000.0, 2000000.0, test::test_crs()));
    std::size_t i = 0;
    for (int v : values) g[i++] = static_cast<std::uint8_t>(v);
    return g;
}
constexpr auto road = [](RoadClass r) { return static_cast<int>(r); };
}  // namespace

TEST_CASE("road class from OSM highway tags", "[engine][model]") {
    CHECK(road_class_from_osm("primary") == RoadClass::primary);
    CHECK(road_class_from_osm("primary_link") == RoadClass::primary);
    CHECK(road_class_from_osm("footway") == RoadClass::path);
    CHECK(road_class_from_osm("living_street") == RoadClass::residential);
    CHECK_FALSE(road_class_from_osm("proposed").has_value());
}

TEST_CASE("friction takes the faster of road and land cover", "[engine][model]") {
    using namespace landcover;
    auto lc = byte_grid(3, 1, {cropland, cropland, tree_cover});
    auto roads = byte_grid(3, 1, {0, road(RoadClass::primary), road(RoadClass::path)});
    FrictionInputs in{&lc, &roads, nullptr, nullptr};
    auto moto = build_friction(in, default_motorbike_mode());
    CHECK(moto[0] == Approx(friction_for_speed_kmh(2.5)));
    CHECK(moto[1] == Approx(friction_for_speed_kmh(45.0)));
    CHECK(moto[2] == Approx(friction_for_speed_kmh(10.0)));
    auto walk = build_friction(in, default_walking_mode());
    CHECK(walk[1] == Approx(friction_for_speed_kmh(4.0)));
}

TEST_CASE("rivers are crossed only at bridges, water only by boat, barriers never", "[engine][model]") {
    using namespace landcover;
    auto lc = byte_grid(5, 1, {cropland, cropland, water, cropland, cropland});
    auto rivers = byte_grid(5, 1, {1, 1, 0, 0, 0});
    auto roads = byte_grid(5, 1, {0, road(RoadClass::tertiary), road(RoadClass::tertiary), road(RoadClass::trunk), 0});
    auto border = byte_grid(5, 1, {0, 0, 0, 1, 0});
    auto f = build_friction({&lc, &roads, &rivers, &border}, default_motorbike_mode());
    CHECK(std::isinf(f[0]));                                     // river, no bridge
    CHECK(f[1] == Approx(friction_for_speed_kmh(35.0)));         // bridge
    CHECK(f[2] == Approx(friction_for_speed_kmh(35.0)));         // causeway over water
    CHECK(std::isinf(f[3]));                                     // border crossing closed even on a trunk road
    CHECK(f[4] == Approx(friction_for_speed_kmh(2.5)));
    TravelMode boat = default_walking_mode();
    boat.boat_speed_kmh = 10.0;
    auto fb = build_friction({&lc, nullptr, &rivers, nullptr}, boat);
    CHECK(fb[0] == Approx(friction_for_speed_kmh(10.0)));
}

TEST_CASE("motorbikes may not use expressways in Vietnam", "[engine][model]") {
    auto lc = byte_grid(1, 1, {landcover::bare});
    auto roads = byte_grid(1, 1, {road(RoadClass::motorway)});
    auto f = build_friction({&lc, &roads, nullptr, nullptr}, default_motorbike_mode());
    CHECK(f[0] == Approx(friction_for_speed_kmh(3.0)));  // only the off-road speed of the cell
}

TEST_CASE("unknown land-cover classes and bad speeds are input errors", "[engine][model][errors]") {
    auto lc = byte_grid(3, 1, {landcover::cropland, 13, 200});
    REQUIRE_THROWS_WITH(build_friction({&lc, nullptr, nullptr, nullptr}, default_walking_mode()),
                        Catch::Contains("13") && Catch::Contains("200") && Catch::Contains("WorldCover"));
    FrictionInputs named{&lc, nullptr, nullptr, nullptr, nullptr, "worldcover_2021.tif (land cover)"};
    REQUIRE_THROWS_WITH(build_friction(named, default_walking_mode()),
                        Catch::StartsWith("worldcover_2021.tif (land cover): class codes"));
    TravelMode bad = default_walking_mode();
    bad.road_speed_kmh[static_cast<std::size_t>(RoadClass::primary)] = -5.0;
    auto ok = byte_grid(1, 1, {landcover::cropland});
    REQUIRE_THROWS_WITH(build_friction({&ok, nullptr, nullptr, nullptr}, bad),
                        Catch::Contains("primary") && Catch::Contains("-5"));
    REQUIRE_THROWS_WITH(default_mode("helicopter"), Catch::Contains("walking"));
}

TEST_CASE("buildings slow off-road movement to the mode's building speed, never speed it up", "[engine][model]") {
    // built-up, cropland, water and marsh cells, each inside a building; and built-up outside one.
    auto lc = byte_grid(5, 1, {landcover::built_up, landcover::cropland, landcover::water, landcover::wetland, landcover::built_up});
    auto inside = byte_grid(5, 1, {1, 1, 1, 1, 0});
    TravelMode walking = default_walking_mode();
    walking.building_speed_kmh = 1.5;
    const auto f = build_friction({&lc, nullptr, nullptr, nullptr, &inside}, walking);
    CHECK(f[0] == Approx(friction_for_speed_kmh(1.5)));   // built-up, 4 km/h off road: 1.5 in the building
    CHECK(f[1] == Approx(friction_for_speed_kmh(1.5)));   // cropland 2.5 km/h: 1.5
    CHECK(f[2] == std::numeric_limits<float>::infinity());  // water stays water
    CHECK(f[3] == Approx(friction_for_speed_kmh(1.0)));   // marsh, 1 km/h, is no faster for a building on it
    CHECK(f[4] == Approx(friction_for_speed_kmh(4.0)));
    // With roads as a raster, a road through a building's cell keeps its speed.
    auto roads = byte_grid(5, 1, {road(RoadClass::residential), 0, 0, 0, 0});
    CHECK(build_friction({&lc, &roads, nullptr, nullptr, &inside}, walking)[0] == Approx(friction_for_speed_kmh(4.0)));
    walking.osm_access = "hovercraft";
    REQUIRE_THROWS_WITH(build_friction({&lc, nullptr, nullptr, nullptr, &inside}, walking),
                        Catch::Contains("osm_access") && Catch::Contains("foot, motorcycle or bicycle"));
}
