#pragma once
// The hybrid street model (docs/algorithms.md "Roads as a network"): roads and paths become a graph with their true
// lengths, searched together with the grid in one exact search (compute_travel_time with options.network). The grid
// carries off-road movement only; a cell a road passes through is linked to the road at the point of the road nearest
// the cell's centre, the link costing that distance at the cell's off-road speed. Roads meet only where they share a
// vertex (an OpenStreetMap junction node), so a bridge crosses a river or a road without touching it.

#include <cstddef>
#include <utility>
#include <vector>

#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/travel_time.hpp"

namespace accessplan {

/// One road or path for one travel mode, in the grid's CRS.
struct RoadLine {
    std::vector<std::pair<double, double>> points;
    double speed_kmh = 0.0;    ///< for this mode; 0 = the mode may not use it
    int direction = 0;         ///< 0 both ways; 1 only from the first point to the last; -1 only from the last to the first
    bool access_along = true;  ///< false: entered and left only at its ends (bridges, tunnels, motorways)
};

struct RoadNetworkInputs {
    /// Required, minutes per metre off road (the grid's friction): a cell's link to the road in it costs the distance
    /// from the cell's centre at this; an impassable cell has no link.
    const Grid<float>* offroad_friction = nullptr;
    /// Road speed times this in each cell (floods; 0 cuts the road there, e.g. on the national border). None = 1.
    const Grid<float>* speed_factor = nullptr;
    /// A road speed for this mode in each cell where it is not NaN (a modification's speed), replacing the line's.
    const Grid<float>* speed_kmh = nullptr;
    /// Metres; when set, each road piece's time is divided by Tobler's factor for its slope in the travel direction.
    const Grid<float>* elevation_m = nullptr;
};

struct RoadNetworkStats {
    std::size_t lines = 0;           ///< lines the mode can use somewhere on the grid
    std::size_t nodes = 0;
    std::size_t road_arcs = 0;       ///< arcs along roads (one per direction of travel)
    std::size_t links = 0;           ///< cell <-> road links (counted once per pair)
    std::size_t cells_with_road = 0; ///< cells linked to a road
    double length_km = 0.0;          ///< usable road length on the grid
};

/// The road network of `lines` on `grid`. Pieces of a line outside the grid, or where its speed is 0, are not
/// travelled. InputError when the inputs are not on `grid` or a line has NaN coordinates.
TravelNetwork build_road_network(const GridSpec& grid, const std::vector<RoadLine>& lines, const RoadNetworkInputs& inputs,
                                 RoadNetworkStats* stats = nullptr);

}  // namespace accessplan
