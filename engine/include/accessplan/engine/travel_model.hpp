#pragma once
// Travel models: speeds per land-cover class and per road class, turned into a friction grid
// (minutes per metre, +inf impassable). Default speeds and their sources are in docs/travel-models.md.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

/// ESA WorldCover 2021 land-cover classes (Zanaga et al. 2022), the 10 m global product planners can get for Vietnam.
namespace landcover {
inline constexpr std::uint8_t nodata = 0;
inline constexpr std::uint8_t tree_cover = 10;
inline constexpr std::uint8_t shrubland = 20;
inline constexpr std::uint8_t grassland = 30;
inline constexpr std::uint8_t cropland = 40;
inline constexpr std::uint8_t built_up = 50;
inline constexpr std::uint8_t bare = 60;
inline constexpr std::uint8_t snow_ice = 70;
inline constexpr std::uint8_t water = 80;
inline constexpr std::uint8_t wetland = 90;
inline constexpr std::uint8_t mangroves = 95;
inline constexpr std::uint8_t moss_lichen = 100;
/// Name of a class ("cropland"), or nullopt for a code outside the scheme.
std::optional<std::string_view> class_name(std::uint8_t code) noexcept;
}  // namespace landcover

/// Road classes, from OpenStreetMap `highway=*`. Code 0 = no road. Lower code = more important road.
enum class RoadClass : std::uint8_t {
    none = 0,
    motorway = 1,
    trunk,
    primary,
    secondary,
    tertiary,
    unclassified,
    residential,
    service,
    track,
    path,
    count_
};
inline constexpr std::size_t road_class_count = static_cast<std::size_t>(RoadClass::count_);

/// RoadClass for an OSM highway value ("primary", "primary_link", "footway", ...); nullopt if not a road for people
/// (e.g. "construction", "proposed", "platform").
std::optional<RoadClass> road_class_from_osm(std::string_view highway) noexcept;
std::string_view road_class_name(RoadClass road) noexcept;

struct TravelMode {
    std::string name;                                  ///< "walking", "motorbike", ...
    std::map<std::uint8_t, double> landcover_speed_kmh; ///< off-road speed per land-cover class; 0 = impassable
    std::array<double, road_class_count> road_speed_kmh{}; ///< per RoadClass; 0 = this mode cannot use that road
    double boat_speed_kmh = 0.0;                       ///< on open water and unbridged rivers; 0 = impassable
    bool slope_aware = false;                          ///< apply Tobler's hiking function when a DEM is given
    /// Off road inside a building (OSM building=*, FrictionInputs::buildings): walls and doors, no way through a block.
    double building_speed_kmh = 1.0;
    /// Which OpenStreetMap access and one-way tags apply to this mode on a road network: "foot" (one-ways ignored,
    /// foot=no respected), "motorcycle" (one-ways kept; motorcycle, motor_vehicle, vehicle, access), "bicycle".
    std::string osm_access = "foot";

    bool operator==(const TravelMode&) const = default;
};

/// The speed classes of a travel mode by name: the road classes (motorway ... path), the land-cover classes (tree_cover
/// ... moss_lichen) and "boat".
std::vector<std::string> speed_class_names();

/// `mode` with every speed of a class multiplied by its factor in `factor_by_class` (by speed_class_names' names;
/// classes not listed: 1) and every speed, the building speed too, by `all`.
TravelMode scale_speeds(TravelMode mode, const std::map<std::string, double>& factor_by_class, double all = 1.0);

/// Children walking (slope-aware with a DEM) and motorbike (how children reach clinics in rural Vietnam).
TravelMode default_walking_mode();
TravelMode default_motorbike_mode();
/// The built-in mode with this name, or InputError listing the names.
TravelMode default_mode(std::string_view name);

/// Throws InputError naming the mode and the bad value for negative or NaN speeds.
void validate_travel_mode(const TravelMode& mode);

struct FrictionInputs {
    const Grid<std::uint8_t>* landcover = nullptr;  ///< required, ESA WorldCover codes; 0 = no data (impassable)
    const Grid<std::uint8_t>* roads = nullptr;      ///< RoadClass codes, the most important road in each cell
    const Grid<std::uint8_t>* rivers = nullptr;     ///< non-zero = river; crossed only where a road (bridge) crosses
    const Grid<std::uint8_t>* barriers = nullptr;   ///< non-zero = impassable (national border, fences), roads or not
    const Grid<std::uint8_t>* buildings = nullptr;  ///< non-zero = inside a building: the mode's building speed off road
    std::string landcover_source = "land cover";    ///< how errors name the land cover: its file, for a planner
};

/// Friction in minutes per metre for `mode`: the faster of the road (if the mode may use it) and the land-cover speed;
/// water and unbridged river cells need a boat speed. Unknown land-cover codes are an InputError listing them.
Grid<float> build_friction(const FrictionInputs& inputs, const TravelMode& mode);

}  // namespace accessplan
