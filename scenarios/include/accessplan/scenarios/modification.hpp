#pragma once
// What-if changes (docs/scenarios.md "modifications"), applied in order to a scenario's inputs in memory; the input
// files are never changed. Each kind is a small struct; a Modification holds one of them (std::variant). The kind's
// YAML name, what it leaves to the run cache and its parser and apply steps are registered once, in
// scenarios/src/modifications/ (docs/architecture.md "A new modification").

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace accessplan::scenarios {

struct LayerRef {
    std::filesystem::path file;
    std::string layer;  ///< empty = the first layer
    std::string where;  ///< OGR SQL attribute filter; empty = every feature
    std::string crs;    ///< the CRS of a file that declares none (CSV x/y, shapefile without .prj), as written; empty = the file's

    bool operator==(const LayerRef&) const = default;
};

/// A longitude/latitude pair (WGS 84 degrees) written inline in a scenario file.
struct LonLat {
    double lon = 0.0, lat = 0.0;

    bool operator==(const LonLat&) const = default;
};

/// Which features a modification acts on: ids (the id field) and/or attribute equality, and a capacity limit.
struct FacilitySelection {
    std::vector<std::string> ids;
    std::map<std::string, std::vector<std::string>> match;  ///< field -> accepted values (every field must match)
    std::optional<double> capacity_below;                     ///< only facilities with a known capacity below this

    bool operator==(const FacilitySelection&) const = default;
};

/// A facility added by a modification (inline; `add_facilities.file` facilities are read at run time).
struct NewFacility {
    std::string id, name, type;
    LonLat at;
    double capacity = 0.0;  ///< 0 = not known

    bool operator==(const NewFacility&) const = default;
};

/// Months of operation or of a season, 1..12; empty = all year.
using Months = std::vector<int>;

/// What a kind changes, for the run cache: a run whose scenario differs from an earlier one only in modifications
/// that keep the inputs (facilities, ferries, thresholds) takes the earlier run's inputs and searches over.
enum class Changes { facilities_or_ferries, inputs };

namespace modification {

struct AddFacilities {
    static constexpr std::string_view name = "add_facilities";
    static constexpr Changes changes = Changes::facilities_or_ferries;
    std::vector<NewFacility> facilities;
    std::optional<LayerRef> file;  ///< points
    bool operator==(const AddFacilities&) const = default;
};

struct CloseFacilities {
    static constexpr std::string_view name = "close_facilities";
    static constexpr Changes changes = Changes::facilities_or_ferries;
    FacilitySelection select;
    bool operator==(const CloseFacilities&) const = default;
};

struct SetCapacity {
    static constexpr std::string_view name = "set_capacity";
    static constexpr Changes changes = Changes::facilities_or_ferries;
    FacilitySelection select;
    double capacity = 0.0;
    bool operator==(const SetCapacity&) const = default;
};

/// A road's class and/or speeds change; roads chosen by id/match on the road layer, or drawn as a line.
struct UpgradeRoad {
    static constexpr std::string_view name = "upgrade_road";
    static constexpr Changes changes = Changes::inputs;
    FacilitySelection select;
    std::string id_field;  ///< the road id field
    std::vector<LonLat> line;
    std::string road_class;                   ///< OSM highway value
    std::map<std::string, double> speed_kmh;  ///< per travel mode, on the road's cells
    bool operator==(const UpgradeRoad&) const = default;
};

struct NewRoad {
    static constexpr std::string_view name = "new_road";
    static constexpr Changes changes = Changes::inputs;
    std::vector<LonLat> line;
    std::string road_class = "tertiary";
    std::map<std::string, double> speed_kmh;
    bool operator==(const NewRoad&) const = default;
};

/// A new road that must span a river or water (else it is a new_road).
struct NewBridge {
    static constexpr std::string_view name = "new_bridge";
    static constexpr Changes changes = Changes::inputs;
    std::vector<LonLat> line;
    std::string road_class = "tertiary";
    std::map<std::string, double> speed_kmh;
    bool operator==(const NewBridge&) const = default;
};

struct NewFerry {
    static constexpr std::string_view name = "new_ferry";
    static constexpr Changes changes = Changes::facilities_or_ferries;
    LonLat from, to;
    double crossing_min = 0.0, headway_min = 0.0;
    bool bidirectional = true;
    Months months;
    bool operator==(const NewFerry&) const = default;
};

/// Ferries taken out of service, by name: the travel.ferries layer's and earlier new_ferry modifications'
/// (a ferry suspended, a boat sold), optionally only in some months.
struct CloseFerry {
    static constexpr std::string_view name = "close_ferry";
    static constexpr Changes changes = Changes::facilities_or_ferries;
    std::vector<std::string> names;
    Months months;
    bool operator==(const CloseFerry&) const = default;
};

/// Polygons (file or inline ring) where travel slows by a factor in (0, 1], or stops.
struct FloodSeason {
    static constexpr std::string_view name = "flood_season";
    static constexpr Changes changes = Changes::inputs;
    std::optional<LayerRef> file;
    std::vector<LonLat> polygon;
    double speed_factor = 1.0;
    bool impassable = false;
    Months months;
    bool operator==(const FloodSeason&) const = default;
};

/// A factor (within polygons, or everywhere) or a raster of factors.
struct PopulationGrowth {
    static constexpr std::string_view name = "population_growth";
    static constexpr Changes changes = Changes::inputs;
    double factor = 1.0;
    std::optional<std::filesystem::path> factor_raster;
    std::optional<LayerRef> file;
    std::vector<LonLat> polygon;
    bool operator==(const PopulationGrowth&) const = default;
};

struct SetThreshold {
    static constexpr std::string_view name = "set_threshold";
    static constexpr Changes changes = Changes::facilities_or_ferries;
    std::string service;
    double threshold_min = 0.0;
    bool operator==(const SetThreshold&) const = default;
};

/// Road segments cut (a landslide, a flooded ford, a bridge down): chosen by id, by a `where:` filter on the road
/// layer, or by polygons (the part of every road inside them), optionally only in some months. Travel on those
/// cells falls back to the land cover's speed; a closure never makes any cell faster.
struct RoadClosure {
    static constexpr std::string_view name = "road_closure";
    static constexpr Changes changes = Changes::inputs;
    std::vector<std::string> ids;
    std::string id_field = "osm_id";
    std::string where;                 ///< OGR SQL on the road layer
    std::optional<LayerRef> polygons;  ///< a polygon layer (its own layer: and where:)
    std::vector<LonLat> polygon;
    Months months;
    bool operator==(const RoadClosure&) const = default;
};

}  // namespace modification

/// The kinds, in the order docs/scenarios.md lists them. Adding one: its struct above, this line, its file in
/// scenarios/src/modifications/ (parser and apply steps) and docs/scenarios.md.
using ModificationChange =
    std::variant<modification::AddFacilities, modification::CloseFacilities, modification::SetCapacity,
                 modification::UpgradeRoad, modification::NewRoad, modification::NewBridge, modification::NewFerry,
                 modification::FloodSeason, modification::PopulationGrowth, modification::SetThreshold,
                 modification::RoadClosure, modification::CloseFerry>;

/// One what-if change.
struct Modification {
    std::string label;  ///< "file.yaml:12: modifications[2] (new_ferry)", for messages
    std::string name;   ///< optional name given by the user (ferry, road, flood)
    ModificationChange change;

    /// The change when it is of kind T, else null.
    template <typename T>
    const T* get() const noexcept { return std::get_if<T>(&change); }

    /// Its YAML name: "new_ferry", "flood_season", ...
    std::string_view kind() const noexcept {
        return std::visit([](const auto& c) { return std::remove_cvref_t<decltype(c)>::name; }, change);
    }

    bool operator==(const Modification&) const = default;
};

/// Parses "1-12", "11-4" (wrapping), "5,6,7" or "7-9,12" into months 1..12; nullopt when malformed.
std::optional<Months> parse_months(const std::string& text);

/// True when `month` (1..12) is in `months`, or months is empty (all year).
bool in_months(const Months& months, int month) noexcept;

}  // namespace accessplan::scenarios
