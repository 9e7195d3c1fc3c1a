#pragma once
// Multi-source cost distance on a friction grid with the move costs of GRASS `r.cost -k`, the solver WHO AccessMod
// uses (exact shortest paths by delta-stepping, Meyer & Sanders 2003; see docs/algorithms.md):
//   straight / diagonal move: mean friction of its two cells x move length;
//   knight's move (16 neighbours): mean friction of four cells (start, end and the two cells it passes between)
//   x its length, blocked if any of the four is impassable.
// Friction is in minutes per metre; +inf marks impassable cells. Travel direction is home -> facility: the
// search runs outward from the facilities, and direction-dependent costs (Tobler 1993 slope rule, one-way extra
// edges) are charged for the home -> facility direction.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

enum class Neighbourhood { eight = 8, sixteen = 16 };

/// A facility (or any destination) on the grid. Several may share a cell: the lowest id wins. Where two facilities
/// are exactly as near, the lower id is the nearest, whatever order the search met them in.
struct SourceCell {
    std::size_t cell = 0;   ///< row * cols + col
    std::int32_t id = 0;    ///< written to the nearest-facility grid; must be >= 0
};

/// A directed edge outside the raster graph, e.g. a ferry: travel from `from` to `to` takes `minutes`.
struct ExtraEdge {
    std::size_t from = 0;
    std::size_t to = 0;
    double minutes = 0.0;
};

/// A directed arc of a network coupled with the grid (the hybrid street model, docs/algorithms.md): vertex ids below the
/// grid's cell count are cells, the others network nodes (cell count + k = node k). A home at `from` reaches `to` in
/// `minutes`.
struct NetworkArc {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    float minutes = 0.0f;
};

/// Roads and paths as a graph with their true lengths, tied to the cells they pass through (build_road_network).
struct TravelNetwork {
    std::size_t nodes = 0;
    std::vector<NetworkArc> arcs;
};

struct TravelTimeOptions {
    Neighbourhood neighbours = Neighbourhood::sixteen;
    /// Cells beyond this many minutes stay unreachable (+inf). Infinity = no cut-off.
    double max_minutes = std::numeric_limits<double>::infinity();
    /// Optional mask on the friction grid (nonzero = a cell whose time is wanted, e.g. the study area). A full search
    /// (compute_travel_time, compute_travel_times) then gives exactly what a search with max_minutes = the largest time
    /// among the marked cells it reaches gives: every cell up to that time exact, the farther ones unreachable (+inf,
    /// no_facility). It stops as soon as every passable marked cell's time is final (a bit a cell counts them); when
    /// some marked cell is never reached it searches to the end first. No marked cell reached: nothing is cut.
    /// update_travel_time and compute_catchments ignore it.
    const Grid<std::uint8_t>* needed = nullptr;
    /// Optional DEM on the friction grid (metres). When set, each move's time is divided by Tobler's (1993) hiking
    /// speed factor exp(-3.5|s+0.05|)/exp(-3.5*0.05) for the slope s of the home -> facility direction.
    const Grid<float>* elevation_m = nullptr;
    /// Edges outside the raster graph (ferries). Their cells must be passable for the edge to be usable.
    std::vector<ExtraEdge> extra_edges;
    /// The road network searched together with the grid (one exact search over both); none = raster only.
    std::shared_ptr<const TravelNetwork> network;
    /// Threads of one full-grid search (compute_travel_time, update_travel_time): 0 = OpenMP's default (every core,
    /// OMP_NUM_THREADS). A search started inside another parallel region runs on one. Results are identical, byte for
    /// byte, whatever the count.
    int threads = 0;
    /// A bucket's round of fewer cells than this is expanded on one thread: each parallel round ends at a barrier where
    /// OpenMP's threads spin, which costs more than it gains on small rounds and steals the cores of other processes
    /// (two demo runs side by side took 20 s each with 4,096, 14 s alone 9). Tests lower it.
    std::size_t parallel_round_min = 32768;
};

struct TravelTimeResult {
    Grid<float> minutes;         ///< travel time to the nearest source; +inf = unreachable (or beyond max_minutes)
    Grid<std::int32_t> nearest;  ///< id of the source reached; -1 where unreachable
    std::vector<float> node_minutes;         ///< per network node (options.network), as `minutes`
    std::vector<std::int32_t> node_nearest;  ///< per network node, as `nearest`
};

inline constexpr std::int32_t no_facility = -1;

/// Tobler (1993) walking speed relative to flat ground for slope s = dh/dx (positive uphill).
double tobler_speed_factor(double slope) noexcept;

/// Travel time from every cell to the nearest of `sources`. Throws InputError for NaN or negative friction,
/// sources outside the grid, a DEM on another grid, extra edges referring to cells outside the grid, or network arcs
/// referring to vertices that do not exist.
TravelTimeResult compute_travel_time(const Grid<float>& friction_min_per_m, const std::vector<SourceCell>& sources,
                                     const TravelTimeOptions& options = {});

/// Brings `result` up to date after sources were added or removed, or extra edges added, without a full search.
/// `result` must be compute_travel_time(friction, old_sources, old_options) for the same friction and options except
/// that options.extra_edges may hold more edges; `sources` are all the sources now, and `removed_ids` the ids of old
/// sources that are gone (every cell they were nearest to is searched again). The result equals
/// compute_travel_time(friction, sources, options) exactly, times and ids. Removing an edge or changing friction
/// needs a full search.
void update_travel_time(const Grid<float>& friction_min_per_m, const std::vector<SourceCell>& sources,
                        const TravelTimeOptions& options, const std::vector<std::int32_t>& removed_ids,
                        TravelTimeResult& result);

/// Called after each finished source set with (finished so far, total); from one thread at a time.
using ProgressCallback = std::function<void(std::size_t, std::size_t)>;

/// One travel-time computation per source set, run in parallel (OpenMP) over the sets. Results are identical
/// whatever the thread count.
std::vector<TravelTimeResult> compute_travel_times(const Grid<float>& friction_min_per_m,
                                                   const std::vector<std::vector<SourceCell>>& source_sets,
                                                   const TravelTimeOptions& options = {},
                                                   const ProgressCallback& progress = {});

/// A cell a search reached and its travel time; 8 bytes, as catchments of many facilities are held at once
/// (grids are limited to 2^32 cells).
struct ReachedCell {
    std::uint32_t cell;
    float minutes;
};
using Catchment = std::vector<ReachedCell>;

/// The catchment of every source on its own (usually with options.max_minutes set): the cells it reaches, in search
/// order (deterministic). Searches run in parallel, each touching only what it reaches; results do not depend on the
/// thread count. Used by E2SFCA, capacity coverage and candidate ranking.
std::vector<Catchment> compute_catchments(const Grid<float>& friction_min_per_m, const std::vector<SourceCell>& sources,
                                          const TravelTimeOptions& options);

/// The rows a search bounded by options.max_minutes can reach from its sources (each catchment search then holds
/// a band of twice that many rows, not the grid); 0 when nothing bounds it (no cut-off, a cell of friction 0, or
/// ferries or a road network, whose arcs jump).
std::size_t catchment_reach_rows(const Grid<float>& friction_min_per_m, const TravelTimeOptions& options);

/// True when a travel time is within a limit. Friction arrives as float, so a path meant to take exactly the limit
/// (3 moves of 10 minutes) can come out a few millionths over it: limits are compared with a relative 1e-6.
inline bool within_minutes(double minutes, double limit) noexcept { return minutes <= limit * (1.0 + 1e-6); }

/// The search cut-off (max_minutes) for catchments of `minutes`: a hair above, as within_minutes.
inline double catchment_search_limit(double minutes) noexcept { return minutes * (1.0 + 1e-6); }

/// Friction (minutes per metre) for a speed in km/h; 0 or negative speed -> impassable (+inf).
inline float friction_for_speed_kmh(double speed_kmh) noexcept {
    if (!(speed_kmh > 0.0)) return std::numeric_limits<float>::infinity();
    return static_cast<float>(60.0 / (speed_kmh * 1000.0));
}

}  // namespace accessplan
