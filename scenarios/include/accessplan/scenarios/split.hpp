#pragma once
// A run's travel times computed tile by tile (docs/distributed.md, "One large run in tiles: `split`"): each tile is a
// window of the scenario's own analysis grid — its core plus a halo — read and searched alone, and only the core is
// kept. A core cell's time is kept as exact only when the tile can prove it equals the whole grid's: no shorter path
// can leave the tile (below). Cells it cannot prove are counted; the caller searches the tile again with a wider halo,
// and a window as large as the grid proves every cell.
//
// Why a proved cell is exact. A tile's graph and the whole grid's agree inside the tile's inner part — the window less
// `rim` cells on each side the grid goes on beyond: the same friction per cell (every input is read onto the same
// cells), the same road arcs, and the facilities and ferry ends placed on the same cells (the tile leaves out those
// within the rim, where a snap disc may reach beyond the window, and a road cut at the window's edge differs there).
// So a path of the whole grid shorter than the tile's must reach an "exit": the inner part's side, or an end of a ferry
// the tile left out. Every move before the first exit costs at least `pace` minutes per metre of straight-line
// distance: the lowest friction of the window, the mode's fastest road (a road is never shorter than the straight
// line), the ferries kept (crossing and mean wait over their length), divided by Tobler's greatest downhill speed-up
// with a DEM. So when t < pace x (distance to the nearest exit) x 0.999, no path through an exit is as short: t is the
// grid's time, and the nearest facility the grid's (a tie would need an equally short path). Without a road network,
// the cost to the nearest exit is also searched — the tile's own moves from the cells next to the inner part and the
// left-out ferry ends — and t < 0.999 x that cost proves t too (where the sea or a border line lies between a cell and
// the rim, far more cells). An unreachable cell is proved when no exit is connected to it: no searched path (without
// a road network) or, with one, no link through passable cells (16 neighbours), ferries and road arcs.
//
// Unreachable cells linked to an exit — land beyond a border line, an island with no facility — are proved by their
// component instead, over every tile at once (without a road network, whose arcs the tiles cut): a tile labels the
// components of its core's passable cells (the search's 16 moves within the core, a knight's move with the two cells
// it passes between passable) and gives its caller the labels on the core's outer two rows and columns, the
// components holding a facility or a ferry end, and those of the cells it does not reach. Joining the tiles' labels
// where a move links cells of two cores gives the components of the whole grid; a cell whose component holds no
// facility and no ferry end is unreachable on the whole grid, as in the tile.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"
#include "accessplan/scenarios/scenario.hpp"

namespace accessplan::scenarios {

/// A rectangle of cells of the analysis grid: first column and row, and its size.
struct CellWindow {
    std::size_t col = 0, row = 0, cols = 0, rows = 0;
};

/// The scenario's analysis grid (area.boundary or area.bbox, area.cell_size_m, area.buffer_m) without reading any
/// raster: what the tiles of a split run are cut from.
GridSpec analysis_grid(const Scenario& s);

/// `grid` cut to `window` (its transform moved to the window's corner).
GridSpec window_grid(const GridSpec& grid, const CellWindow& window);

/// InputError unless the scenario can be split: it has no modifications (a what-if runs whole).
void require_splittable(const Scenario& s);

/// A service's core cells in one tile.
struct TileService {
    std::string service;
    std::size_t core_cells = 0;
    std::size_t unproven = 0;  ///< core cells whose time the tile cannot prove (a wider halo is needed)
    std::size_t reached = 0;   ///< core cells with a travel time
    double pace_min_per_m = 0.0;  ///< the lower bound of a move's cost per metre used in the proof
    /// The longest time among the reached cells not proved (0 when there are none): a halo of rim + that time / pace
    /// (in cells) and a cell proves them.
    double longest_unproven_min = 0.0;
    /// Of `unproven`, the cells the tile does not reach while an exit is linked to them (their reach is unknown).
    std::size_t unreachable_unproven = 0;
    /// The core's components (above), when the tile gives them: the mode has no road network, the core lies in the
    /// inner part and is at least 2 x 2 cells. Labels are >= 0; -1 marks an impassable cell.
    bool has_components = false;
    std::vector<std::int32_t> frame_top, frame_bottom;  ///< the core's first and last two rows (2 x core cols, by row)
    std::vector<std::int32_t> frame_left, frame_right;  ///< its first and last two columns (core rows x 2, by row)
    std::vector<std::int32_t> source_labels;     ///< components holding a facility or a ferry end (sorted)
    std::vector<std::int32_t> unreached_labels;  ///< components of the `unreachable_unproven` cells (sorted)
};

struct TileResult {
    GridSpec grid;  ///< the whole analysis grid
    CellWindow window, core;
    std::size_t rim = 0;  ///< cells on an inner side of the window where facilities and ferry ends are left out
    std::vector<TileService> services;
    double seconds = 0.0;
};

/// Reads the scenario's inputs on `window` of its analysis grid, searches every service's travel time there and
/// writes the `core` cells (which must lie inside the window) to `out_dir` (existing): travel_time_<service>.tif and
/// nearest_<service>.tif, as a run's rasters of the same name but covering the core only; with `write_unproven`, also
/// unproven_<service>.tif (1 on the core cells not proved: where a wider halo is needed). InputError for a window or
/// core off the grid, and as require_splittable.
TileResult run_tile(const Scenario& s, const CellWindow& window, const CellWindow& core,
                    const std::filesystem::path& out_dir, bool write_unproven = false);

}  // namespace accessplan::scenarios
