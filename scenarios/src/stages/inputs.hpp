#pragma once
// Stages 1-3 of a run (DESIGN.md "Data flow"): what the scenario's inputs give before facilities and ferries count.
// Takes a validated Scenario; gives RunInputs — the analysis grid, population, land cover, roads, rivers, border,
// elevation, friction per travel mode (friction.hpp), towns, area-class inputs, study area, zones and children per
// target group (children.hpp). A what-if that changes only facilities, ferries, thresholds or the ranking reuses them
// (run_cache.hpp).

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <ogr_geometry.h>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/memory.hpp"
#include "accessplan/engine/road_network.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/engine/zonal.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "accessplan/scenarios/split.hpp"
#include "stage_clock.hpp"

namespace accessplan::scenarios::detail {

/// Admin zones on the grid: 1-based ids into codes/names (0 = no zone), with their polygons for the GeoPackage.
struct LoadedZones {
    ZoneGrid ids;  ///< 2 bytes a cell up to 65,535 zones
    std::vector<std::string> codes, names;
    std::vector<std::unique_ptr<OGRGeometry>> geometries;  ///< in the grid's CRS
};

struct RunInputs {
    GridSpec grid;
    /// A tile of a split run (split.hpp): the whole analysis grid `grid` is a window of. Only the friction is read, and
    /// facilities and ferry ends that fall off the tile are left out without a word.
    std::optional<GridSpec> tile_of;
    /// Of the memory reserved: the friction and the services' grids (travel time on), and the larger of them and what
    /// preparing the inputs held for a while (the memory guard, bytes_per_cell)
    double services_bytes = 0.0, after_inputs_bytes = 0.0;
    double population_total = 0.0, population_source_total = 0.0, population_in_area = 0.0;
    PopulationAccount population_account;
    Grid<std::uint8_t> island;            ///< land that is not the mainland (land_parts)
    std::vector<std::string> warnings;
    Grid<std::uint8_t> landcover, land, study_area;
    /// The land's parts: mainland, islands. Its `part` grid is released once islands.csv's rows are counted (4 bytes a
    /// cell); the cells of those rows' pieces are kept in `island_piece_cells`.
    LandParts land_parts;
    /// The cells of the pieces islands.csv lists, with the piece's id (IslandRow::id), by cell: where the ferry ports
    /// are looked up (add_ferry_ports).
    std::vector<std::pair<std::uint32_t, std::int32_t>> island_piece_cells;
    std::vector<IslandRow> islands;       ///< islands.csv without its ferry columns (add_ferry_ports)
    std::shared_ptr<const OGRGeometry> study_area_shape;  ///< the boundary (or bbox) in the grid's CRS
    std::optional<Grid<std::uint8_t>> roads, rivers, border, listed_remote, listed_island;
    std::optional<Grid<float>> elevation;
    std::map<std::string, Grid<float>> friction;  ///< every mode a service or the remote class uses (off road only
                                                  ///< with the network model)
    /// The roads as a network per mode (travel.road_model: network), searched with the friction grid.
    std::map<std::string, std::shared_ptr<const TravelNetwork>> networks;
    std::map<std::string, RoadNetworkStats> network_stats;
    std::optional<Grid<std::uint8_t>> buildings;  ///< cells whose centre is inside a building
    /// An OpenStreetMap input (roads, facilities) and the share of the study area inside the box it is complete in.
    struct OsmCoverage {
        std::string file;
        std::array<double, 4> box{};  ///< west, south, east, north (degrees)
        double study_area_pct = 100.0;
    };
    std::vector<OsmCoverage> osm_coverage;
    std::vector<SourceCell> towns;
    AreaClassOptions class_options;
    std::optional<LoadedZones> zones;
    std::map<std::string, Grid<float>> children;  ///< per target group, 0 outside the study area
    /// The cells of each flood of the scenario's modifications (their label): facilities standing in them are
    /// reported as flooded.
    std::vector<std::pair<std::string, Grid<std::uint8_t>>> floods;
};

/// The box of an OpenStreetMap extract ([west, south, east, north], degrees) as a polygon in `crs`, its sides
/// densified so that they follow the projection.
std::unique_ptr<OGRGeometry> lonlat_box_shape(const std::array<double, 4>& box, const Crs& crs);

/// The travel modes a run builds friction for: every service's, and the remote class's when towns are set.
std::set<std::string> friction_modes(const Scenario& s);

/// The study area as the scenario gives it (area.boundary, else area.bbox in lon/lat), in `crs` (set here).
std::unique_ptr<OGRGeometry> study_area_shape(const Scenario& s, Crs& crs);

/// The analysis grid over `area` (area.cell_size_m, area.buffer_m, area.crs).
GridSpec scenario_grid(const Scenario& s, const OGRGeometry& area, const Crs& area_crs);

/// Reads and derives every input. Returns them with the run's memory reservation (the memory guard), to be held
/// until the run ends. InputError for bad inputs, each naming its file. With `window`, a tile of a split run: the
/// inputs on that window of the analysis grid, up to the friction and land (no population, areas or children).
/// `releases_early`: the run writes and frees its services' grids as soon as they are final (EarlyRelease), which the
/// memory guard counts; else they are counted as held to the end.
std::pair<RunInputs, MemoryReservation> prepare_inputs(const Scenario& s, StageClock& clock,
                                                       const CellWindow* window = nullptr, bool releases_early = false);

}  // namespace accessplan::scenarios::detail
