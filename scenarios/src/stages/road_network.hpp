#pragma once
// Roads as a network per travel mode (travel.road_model: network, the default; engine/road_network.hpp): the road
// features after the road modifications become lines with the mode's speed for their class and the OpenStreetMap
// access and one-way tags that apply to the mode; floods slow them, the national border cuts them, and a
// modification's road speed replaces theirs where it applies.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "accessplan/engine/road_network.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "../modifications.hpp"

namespace accessplan::scenarios::detail {

/// The road features (in the grid's CRS) as lines for `mode`. Roads whose `class_field` is no road class are left
/// out (the road raster already says so). Bridges, tunnels and motorways are entered at their ends only. The ends of a
/// line a modification drew (fid < 0) join the nearest vertex of the road layer within `join_m`: a road drawn to meet
/// another meets it.
std::vector<RoadLine> road_lines(const std::vector<geodata::Feature>& roads, const std::string& class_field,
                                 const TravelMode& mode, double join_m);

/// True when the OSM tags of a road (its attributes) let `mode` use it (TravelMode::osm_access).
bool road_open_to(const std::map<std::string, std::string>& tags, const std::string& osm_access);

/// 1: one way, in the order of its points; -1: one way against it; 0: both ways, for `osm_access`.
int road_direction(const std::map<std::string, std::string>& tags, const std::string& osm_access);

struct RoadNetworks {
    std::map<std::string, std::shared_ptr<const TravelNetwork>> by_mode;
    std::map<std::string, RoadNetworkStats> stats;
};

/// The network of every mode with friction: `friction` is the off-road friction per mode, `edits` the scenario's
/// friction edits (road speeds per mode, floods), `border` the national border cells (impassable), `elevation` the DEM
/// (for slope-aware modes).
RoadNetworks build_road_networks(const std::map<std::string, TravelMode>& modes, const std::vector<geodata::Feature>& roads,
                                 const std::string& class_field, const std::map<std::string, Grid<float>>& friction,
                                 const std::vector<FrictionEdit>& edits, const Grid<std::uint8_t>* border,
                                 const Grid<float>* elevation);

}  // namespace accessplan::scenarios::detail
