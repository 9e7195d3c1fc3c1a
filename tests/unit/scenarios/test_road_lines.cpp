// Roads as a network per travel mode (scenarios/src/stages/road_network.cpp): which OpenStreetMap tags close a road to
// a mode, make it one way, or keep it from being entered along its length; a drawn road joins the layer.
#include <catch2/catch.hpp>

#include <ogr_geometry.h>

#include "../scenarios/src/stages/road_network.hpp"

using namespace accessplan;
using namespace accessplan::scenarios::detail;

namespace {

geodata::Feature way(std::map<std::string, std::string> tags, std::vector<std::pair<double, double>> points, std::int64_t fid = 1) {
    geodata::Feature f;
    f.fid = fid;
    auto line = std::make_unique<OGRLineString>();
    for (auto [x, y] : points) line->addPoint(x, y);
    f.geometry = std::move(line);
    f.attributes = std::move(tags);
    return f;
}

}  // namespace

TEST_CASE("OSM access tags close a road per mode, and the most specific key decides", "[scenarios][network]") {
    CHECK(road_open_to({{"highway", "primary"}}, "foot"));
    CHECK_FALSE(road_open_to({{"foot", "no"}}, "foot"));
    CHECK(road_open_to({{"foot", "no"}}, "motorcycle"));
    CHECK_FALSE(road_open_to({{"access", "private"}}, "foot"));
    CHECK(road_open_to({{"access", "no"}, {"foot", "yes"}}, "foot"));               // foot=yes beats access=no
    CHECK_FALSE(road_open_to({{"access", "yes"}, {"motor_vehicle", "no"}}, "motorcycle"));
    CHECK(road_open_to({{"motor_vehicle", "no"}, {"motorcycle", "yes"}}, "motorcycle"));
    CHECK_FALSE(road_open_to({{"vehicle", "no"}}, "bicycle"));
    CHECK(road_open_to({{"vehicle", "no"}}, "foot"));
}

TEST_CASE("one-ways bind vehicles, not walkers", "[scenarios][network]") {
    CHECK(road_direction({{"oneway", "yes"}}, "motorcycle") == 1);
    CHECK(road_direction({{"oneway", "-1"}}, "motorcycle") == -1);
    CHECK(road_direction({{"oneway", "yes"}}, "foot") == 0);
    CHECK(road_direction({{"oneway", "yes"}, {"oneway:motorcycle", "no"}}, "motorcycle") == 0);
    CHECK(road_direction({{"oneway:foot", "yes"}}, "foot") == 1);
    CHECK(road_direction({{"junction", "roundabout"}}, "motorcycle") == 1);
    CHECK(road_direction({{"oneway", "reversible"}}, "motorcycle") == 0);
}

TEST_CASE("road lines: a mode's speed per class, bridges entered at their ends, drawn roads join the layer", "[scenarios][network]") {
    std::vector<geodata::Feature> roads;
    roads.push_back(way({{"highway", "residential"}, {"oneway", "yes"}}, {{0, 0}, {100, 0}, {200, 0}}));
    roads.push_back(way({{"highway", "footway"}, {"bridge", "yes"}}, {{0, 50}, {200, 50}}));
    roads.push_back(way({{"highway", "primary"}, {"foot", "no"}}, {{0, 90}, {200, 90}}));
    roads.push_back(way({{"highway", "proposed"}}, {{0, 95}, {200, 95}}));
    roads.push_back(way({{"highway", "tertiary"}}, {{104, 3}, {100, 200}}, -1));  // drawn by a modification: 5 m off a vertex
    const auto walk = road_lines(roads, "highway", default_walking_mode(), 10.0);
    REQUIRE(walk.size() == 4);  // proposed is no road
    CHECK(walk[0].speed_kmh == 4.0);
    CHECK(walk[0].direction == 0);
    CHECK_FALSE(walk[1].access_along);
    CHECK(walk[1].speed_kmh == 3.5);
    CHECK(walk[2].speed_kmh == 0.0);  // foot=no
    CHECK(walk[3].points.front() == std::pair<double, double>{100.0, 0.0});  // joined the residential street's vertex
    CHECK(walk[3].points.back() == std::pair<double, double>{100.0, 200.0});  // nothing within 10 m: stays
    const auto bike = road_lines(roads, "highway", default_motorbike_mode(), 10.0);
    CHECK(bike[0].direction == 1);
    CHECK(bike[2].speed_kmh == 45.0);
}
