#pragma once
// Area classes (DESIGN.md "Area class"): every cell is flagged island, border and/or remote, as bit flags, so every
// result can be broken down the way Directive 28-CT/TW asks ("border, sea and island areas", "extremely difficult
// areas").

#include <cstdint>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

namespace area_class {
inline constexpr std::uint8_t island = 1;
inline constexpr std::uint8_t border = 2;
inline constexpr std::uint8_t remote = 4;
}  // namespace area_class

/// Exact Euclidean distance (metres) from every cell centre to the nearest non-zero cell of `targets`
/// (Felzenszwalb & Huttenlocher 2012, separable squared distance transform); +inf when there is none.
Grid<float> distance_to_cells_m(const Grid<std::uint8_t>& targets);

/// Land not connected to the largest land mass. Land is first closed morphologically with radius `bridge_m`, so
/// rivers, canals and lagoons narrower than about twice that do not cut the mainland into "islands"; the flags are
/// then set on the original land cells of every closed component but the largest.
Grid<std::uint8_t> island_cells(const Grid<std::uint8_t>& land, double bridge_m);

struct AreaClassInputs {
    const Grid<std::uint8_t>* land = nullptr;           ///< required: non-zero = land
    const Grid<std::uint8_t>* border_line = nullptr;    ///< national land border, rasterised (all touched)
    const Grid<float>* minutes_to_town = nullptr;       ///< travel time to the nearest district town / urban centre
    const Grid<std::uint8_t>* listed_remote = nullptr;  ///< e.g. the official extremely difficult communes
    const Grid<std::uint8_t>* listed_island = nullptr;  ///< island communes listed by the user, or islands of a coastline layer
    const Grid<std::uint8_t>* study_area = nullptr;     ///< flags only inside it (none across a border or at sea)
};

struct AreaClassOptions {
    double border_km = 10.0;
    double remote_minutes = 90.0;
    double island_bridge_m = 500.0;
    /// Find islands as land not connected to the largest land mass of the grid. Off when a coastline layer says which
    /// land is island (a grid around one island cannot see the mainland).
    bool detect_islands = true;
};

/// Bit flags per cell (only land cells get flags): island, border (within border_km of the line), remote (more than
/// remote_minutes from a town, unreachable from any town, or listed).
Grid<std::uint8_t> classify_areas(const AreaClassInputs& inputs, const AreaClassOptions& options);

/// The classes results are broken down by: "all", "island", "border", "remote", "none" (no flag).
struct AreaClassFilter {
    std::string name;
    std::uint8_t mask = 0;     ///< cells with (flags & mask) != 0 ...
    bool all = false;          ///< ... or every cell
    bool none = false;         ///< ... or cells without any flag
    bool includes(std::uint8_t flags) const noexcept { return all || (none ? flags == 0 : (flags & mask) != 0); }
};
const std::vector<AreaClassFilter>& area_class_filters();

}  // namespace accessplan
