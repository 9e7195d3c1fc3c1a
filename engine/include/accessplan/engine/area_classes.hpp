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

/// How land parts are told apart: islands are land not connected to the mainland by land, road or bridge.
struct LandPartOptions {
    /// Water narrower than about twice this does not separate land (morphological closing by this radius): creeks and
    /// canals without a road in the data do not make islands.
    double bridge_m = 150.0;
    /// Without `mainland` cells: parts of at least this area are the mainland; when none is, the largest part is
    /// (LandParts::mainland_guessed).
    double mainland_m2 = 1000e6;
};

/// How a piece of land (8-connected land, without bridging or links) stands to the mainland.
enum class Joined {
    no,            ///< an island: not connected to the mainland by land, road or bridge
    itself,        ///< the mainland (the largest piece of its mainland part, or a piece of a mainland polygon)
    by_link,       ///< joined to the mainland by a road or bridge (a link)
    across_water,  ///< joined only across water narrower than ~2 x bridge_m: no road or bridge in the data
};

struct LandPart {
    std::size_t cells = 0;
    Joined mainland = Joined::no;
};

struct LandParts {
    Grid<std::int32_t> part;        ///< 0 = not land; else 1 + index into parts
    std::vector<LandPart> parts;    ///< pieces of land: 8-connected land, without bridging or links
    bool mainland_guessed = false;  ///< no land mass was large enough: the largest was taken as the mainland
    /// Non-zero on the land of every island piece (Joined::no).
    Grid<std::uint8_t> island_cells() const;
};

/// The land's pieces and how each stands to the mainland. Land masses are the land after closing water narrower than
/// ~2 x bridge_m, joined by the cells of `links` (roads and bridges, rasterised; ferries are never links), 8-connected;
/// the mainland masses are those holding a cell of `mainland` (e.g. the large polygons of a coastline layer; may hold
/// none, for a grid around an island), else those of at least mainland_m2 of land, else the largest. Every piece of
/// a mainland mass is then the mainland itself, joined to it by a link, or joined only across narrow water.
LandParts land_parts(const Grid<std::uint8_t>& land, const Grid<std::uint8_t>* links, const Grid<std::uint8_t>* mainland,
                     const LandPartOptions& options);

/// Land not connected to the largest land mass (land_parts without links, the largest part as the mainland).
Grid<std::uint8_t> island_cells(const Grid<std::uint8_t>& land, double bridge_m);

struct AreaClassInputs {
    const Grid<std::uint8_t>* land = nullptr;           ///< required: non-zero = land
    const Grid<std::uint8_t>* island = nullptr;         ///< land that is not the mainland (LandParts::island_cells)
    const Grid<std::uint8_t>* border_line = nullptr;    ///< national land border, rasterised (all touched)
    const Grid<float>* minutes_to_town = nullptr;       ///< travel time to the nearest district town / urban centre
    const Grid<std::uint8_t>* listed_remote = nullptr;  ///< e.g. the official extremely difficult communes
    const Grid<std::uint8_t>* listed_island = nullptr;  ///< island communes listed by the user
    const Grid<std::uint8_t>* study_area = nullptr;     ///< flags only inside it (none across a border or at sea)
};

struct AreaClassOptions {
    double border_km = 10.0;
    double remote_minutes = 90.0;
};

/// Bit flags per cell (only land cells get flags): island (`island` cells, from land_parts, or listed), border (within
/// border_km of the line), remote (more than remote_minutes from a town, unreachable from any town, or listed).
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
