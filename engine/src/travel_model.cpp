#include "accessplan/engine/travel_model.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/travel_time.hpp"

namespace accessplan {

namespace landcover {
std::optional<std::string_view> class_name(std::uint8_t code) noexcept {
    switch (code) {
        case tree_cover: return "tree_cover";
        case shrubland: return "shrubland";
        case grassland: return "grassland";
        case cropland: return "cropland";
        case built_up: return "built_up";
        case bare: return "bare";
        case snow_ice: return "snow_ice";
        case water: return "water";
        case wetland: return "wetland";
        case mangroves: return "mangroves";
        case moss_lichen: return "moss_lichen";
        default: return std::nullopt;
    }
}
}  // namespace landcover

std::optional<RoadClass> road_class_from_osm(std::string_view h) noexcept {
    auto base = h;
    if (base.ends_with("_link")) base.remove_suffix(5);
    if (base == "motorway") return RoadClass::motorway;
    if (base == "trunk") return RoadClass::trunk;
    if (base == "primary") return RoadClass::primary;
    if (base == "secondary") return RoadClass::secondary;
    if (base == "tertiary") return RoadClass::tertiary;
    if (base == "unclassified" || base == "road") return RoadClass::unclassified;
    if (base == "residential" || base == "living_street") return RoadClass::residential;
    if (base == "service" || base == "pedestrian") return RoadClass::service;
    if (base == "track") return RoadClass::track;
    if (base == "path" || base == "footway" || base == "steps" || base == "cycleway" || base == "bridleway")
        return RoadClass::path;
    return std::nullopt;
}

std::string_view road_class_name(RoadClass road) noexcept {
    switch (road) {
        case RoadClass::none: return "none";
        case RoadClass::motorway: return "motorway";
        case RoadClass::trunk: return "trunk";
        case RoadClass::primary: return "primary";
        case RoadClass::secondary: return "secondary";
        case RoadClass::tertiary: return "tertiary";
        case RoadClass::unclassified: return "unclassified";
        case RoadClass::residential: return "residential";
        case RoadClass::service: return "service";
        case RoadClass::track: return "track";
        case RoadClass::path: return "path";
        case RoadClass::count_: break;
    }
    return "invalid";
}

std::vector<std::string> speed_class_names() {
    std::vector<std::string> names;
    for (std::size_t i = 1; i < road_class_count; ++i) names.emplace_back(road_class_name(static_cast<RoadClass>(i)));
    for (int code = 1; code < 256; ++code)
        if (auto name = landcover::class_name(static_cast<std::uint8_t>(code))) names.emplace_back(*name);
    names.emplace_back("boat");
    return names;
}

TravelMode scale_speeds(TravelMode mode, const std::map<std::string, double>& factor_by_class, double all) {
    const auto factor = [&](std::string_view name) {
        const auto it = factor_by_class.find(std::string(name));
        return all * (it == factor_by_class.end() ? 1.0 : it->second);
    };
    for (std::size_t i = 1; i < road_class_count; ++i) mode.road_speed_kmh[i] *= factor(road_class_name(static_cast<RoadClass>(i)));
    for (auto& [code, speed] : mode.landcover_speed_kmh)
        if (auto name = landcover::class_name(code)) speed *= factor(*name);
        else speed *= all;
    mode.boat_speed_kmh *= factor("boat");
    mode.building_speed_kmh *= all;
    return mode;
}

namespace {

// Off-road walking speeds of children (km/h) by land cover; see docs/travel-models.md for sources. Built-up land is
// walked at 4 km/h where its paths are not mapped (villages); in towns whose streets are mapped, 1 km/h makes walks
// follow the streets (docs/travel-models.md "Towns", bench/RESULTS.md "Walking in towns").
std::map<std::uint8_t, double> child_offroad_speeds() {
    using namespace landcover;
    return {{tree_cover, 1.5}, {shrubland, 2.0}, {grassland, 3.0}, {cropland, 2.5}, {built_up, 4.0}, {bare, 3.0},
            {snow_ice, 0.0},   {water, 0.0},     {wetland, 1.0},   {mangroves, 0.5}, {moss_lichen, 2.0}};
}

std::array<double, road_class_count> road_speeds(std::initializer_list<std::pair<RoadClass, double>> list) {
    std::array<double, road_class_count> speeds{};
    for (auto [road, speed] : list) speeds[static_cast<std::size_t>(road)] = speed;
    return speeds;
}

}  // namespace

TravelMode default_walking_mode() {
    TravelMode mode;
    mode.name = "walking";
    mode.landcover_speed_kmh = child_offroad_speeds();
    // Children walk about 4 km/h on any road or path (motorways are closed to pedestrians).
    mode.road_speed_kmh = road_speeds({{RoadClass::trunk, 4.0}, {RoadClass::primary, 4.0}, {RoadClass::secondary, 4.0},
                                       {RoadClass::tertiary, 4.0}, {RoadClass::unclassified, 4.0},
                                       {RoadClass::residential, 4.0}, {RoadClass::service, 4.0},
                                       {RoadClass::track, 3.5}, {RoadClass::path, 3.5}});
    mode.slope_aware = true;
    return mode;
}

TravelMode default_motorbike_mode() {
    TravelMode mode;
    mode.name = "motorbike";
    // Off-road the motorbike is pushed: walking speeds.
    mode.landcover_speed_kmh = child_offroad_speeds();
    // Motorbikes are banned from Vietnamese expressways (motorway = 0).
    mode.osm_access = "motorcycle";
    mode.road_speed_kmh = road_speeds({{RoadClass::trunk, 50.0}, {RoadClass::primary, 45.0}, {RoadClass::secondary, 40.0},
                                       {RoadClass::tertiary, 35.0}, {RoadClass::unclassified, 30.0},
                                       {RoadClass::residential, 25.0}, {RoadClass::service, 20.0},
                                       {RoadClass::track, 20.0}, {RoadClass::path, 10.0}});
    return mode;
}

TravelMode default_mode(std::string_view name) {
    if (name == "walking") return default_walking_mode();
    if (name == "motorbike") return default_motorbike_mode();
    throw InputError(fmt::format("travel mode '{}' is not built in; use 'walking' or 'motorbike', or define its speeds", name));
}

void validate_travel_mode(const TravelMode& mode) {
    auto check = [&](double speed, std::string_view what) {
        if (std::isnan(speed) || speed < 0.0 || std::isinf(speed))
            throw InputError(fmt::format("travel mode '{}': {} speed is {} km/h; expected a finite speed >= 0 "
                                         "(0 = impassable)", mode.name, what, speed));
    };
    for (auto [code, speed] : mode.landcover_speed_kmh) {
        auto name = landcover::class_name(code);
        check(speed, fmt::format("land-cover class {} ({})", code, name ? *name : "unknown"));
    }
    for (std::size_t i = 1; i < road_class_count; ++i)
        check(mode.road_speed_kmh[i], fmt::format("road class {}", road_class_name(static_cast<RoadClass>(i))));
    check(mode.boat_speed_kmh, "boat");
    check(mode.building_speed_kmh, "building");
    if (mode.osm_access != "foot" && mode.osm_access != "motorcycle" && mode.osm_access != "bicycle")
        throw InputError(fmt::format("travel mode '{}': osm_access is '{}'; expected foot, motorcycle or bicycle",
                                     mode.name, mode.osm_access));
}

Grid<float> build_friction(const FrictionInputs& in, const TravelMode& mode) {
    if (in.landcover == nullptr) throw InputError("build_friction: a land-cover grid is required");
    validate_travel_mode(mode);
    const GridSpec& spec = in.landcover->spec();
    require_projected_grid(spec, "land cover");
    if (in.roads) require_same_grid(spec, "land cover", in.roads->spec(), "roads");
    if (in.rivers) require_same_grid(spec, "land cover", in.rivers->spec(), "rivers");
    if (in.barriers) require_same_grid(spec, "land cover", in.barriers->spec(), "barriers");
    if (in.buildings) require_same_grid(spec, "land cover", in.buildings->spec(), "buildings");
    const float building_friction = friction_for_speed_kmh(mode.building_speed_kmh);

    // Land-cover friction lookup; codes the mode does not know are collected for one clear error.
    std::array<float, 256> lc_friction;
    std::array<bool, 256> lc_known{};
    lc_friction.fill(std::numeric_limits<float>::infinity());
    lc_known[landcover::nodata] = true;
    for (auto [code, speed] : mode.landcover_speed_kmh) {
        lc_friction[code] = friction_for_speed_kmh(speed);
        lc_known[code] = true;
    }
    const float water_friction = friction_for_speed_kmh(mode.boat_speed_kmh);
    lc_friction[landcover::water] = water_friction;
    lc_known[landcover::water] = true;

    std::array<float, road_class_count> road_friction;
    for (std::size_t i = 0; i < road_class_count; ++i) road_friction[i] = friction_for_speed_kmh(mode.road_speed_kmh[i]);

    Grid<float> friction(spec, std::numeric_limits<float>::infinity());
    std::set<int> unknown_classes, unknown_roads;
    const std::size_t n = spec.cell_count();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t lc = (*in.landcover)[i];
        if (!lc_known[lc]) {
            unknown_classes.insert(lc);
            continue;
        }
        float f = lc_friction[lc];
        const bool river = in.rivers && (*in.rivers)[i] != 0;
        if (river) f = water_friction;
        else if (in.buildings && (*in.buildings)[i] != 0 && lc != landcover::water && lc != landcover::nodata)
            f = std::max(f, building_friction);  // a building never makes the ground faster
        if (in.roads) {
            const std::uint8_t road = (*in.roads)[i];
            if (road >= road_class_count) {
                unknown_roads.insert(road);
                continue;
            }
            // A road on a river or water cell is a bridge or causeway.
            if (road != 0 && lc != landcover::nodata) f = std::min(f, road_friction[road]);
        }
        if (in.barriers && (*in.barriers)[i] != 0) f = std::numeric_limits<float>::infinity();
        friction[i] = f;
    }
    if (!unknown_classes.empty())
        throw InputError(fmt::format("{}: class codes {} have no speed in travel mode '{}'; expected ESA "
                                     "WorldCover codes (10 tree cover, 20 shrubland, 30 grassland, 40 cropland, 50 built-up, "
                                     "60 bare, 70 snow, 80 water, 90 wetland, 95 mangroves, 100 moss) or add a speed "
                                     "for each code under the mode's landcover_speed_kmh",
                                     in.landcover_source, unknown_classes, mode.name));
    if (!unknown_roads.empty())
        throw InputError(fmt::format("roads grid: codes {} are not road classes (expected 0..{})", unknown_roads,
                                     road_class_count - 1));
    return friction;
}

}  // namespace accessplan
