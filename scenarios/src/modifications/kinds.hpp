#pragma once
// The modification registry (private to the scenarios library). Each kind of modification.hpp has, in its own file
// here, a parser and the apply steps of the stages it changes, as overloads of:
//   void parse(ParseStep&, K&)            reads the kind's YAML mapping (every problem reported, none thrown)
//   void apply(const K&, FacilityStep&)   facilities (add, close, capacities)            — stage 4
//   void apply(const K&, RoadStep&)       road features before they are rasterised       — stage 2
//   void apply(const K&, BridgeStep&)     checks against rivers and water                — stage 2
//   void apply(const K&, FrictionStep&)   friction edits (floods)                        — stage 3
//   void apply(const K&, FerryStep&)      ferry links                                    — stage 4
//   void apply(const K&, GrowthStep&)     population growth factors                      — stage 1
// A stage calls apply_steps(scenario, step): every modification, in order, whose kind has an apply for that step.
// What a kind leaves to the run cache is its `changes` (modification.hpp).

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <ogr_geometry.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "../modifications.hpp"
#include "../yaml_reader.hpp"

namespace accessplan::scenarios::detail {

/// Reading one modification: its mapping, where it is ("modifications[2].new_ferry"), the scenario read so far.
struct ParseStep {
    Reader& reader;
    const YAML::Node& node;
    const std::string& where;
    Scenario& scenario;
    Modification& modification;
};

struct FacilityStep {
    const Scenario& scenario;
    std::vector<geodata::PointFeature>& points;
    const Crs& crs;
    std::vector<std::string>* notes = nullptr;  ///< what reading a file assumed (CSV x/y in the grid's CRS)
    const Modification* current = nullptr;
};

struct RoadStep {
    const Scenario& scenario;
    std::vector<geodata::Feature>& roads;  ///< in the grid's CRS
    const GridSpec& grid;
    bool closures = true;                            ///< false: road_closure is left out (inputs.cpp)
    std::size_t index = 0;                           ///< of the current modification
    std::map<std::size_t, FrictionEdit> speed_edits;  ///< per modification index with speed_kmh: its road cells
    const Modification* current = nullptr;
};

struct BridgeStep {
    const GridSpec& grid;
    const Grid<std::uint8_t>* rivers;
    const Grid<std::uint8_t>& landcover;
    const Modification* current = nullptr;
};

struct FrictionStep {
    const Scenario& scenario;
    const GridSpec& grid;
    std::vector<FrictionEdit>& edits;
    const Modification* current = nullptr;
};

struct FerryStep {
    const Scenario& scenario;
    const Crs& crs;
    std::vector<FerryLink>& links;
    const Modification* current = nullptr;
    /// Every ferry's name, running in the scenario's month or not (close_ferry: a name no ferry has is an error).
    std::vector<std::string> all_names;
};

struct GrowthStep {
    const GridSpec& grid;
    std::optional<Grid<float>>& factors;
    const Modification* current = nullptr;
};

// The kinds' parsers and apply steps (one file each).
void parse(ParseStep&, modification::AddFacilities&);
void apply(const modification::AddFacilities&, FacilityStep&);
void parse(ParseStep&, modification::CloseFacilities&);
void apply(const modification::CloseFacilities&, FacilityStep&);
void parse(ParseStep&, modification::SetCapacity&);
void apply(const modification::SetCapacity&, FacilityStep&);
void parse(ParseStep&, modification::UpgradeRoad&);
void apply(const modification::UpgradeRoad&, RoadStep&);
void parse(ParseStep&, modification::NewRoad&);
void apply(const modification::NewRoad&, RoadStep&);
void parse(ParseStep&, modification::NewBridge&);
void apply(const modification::NewBridge&, RoadStep&);
void apply(const modification::NewBridge&, BridgeStep&);
void parse(ParseStep&, modification::NewFerry&);
void apply(const modification::NewFerry&, FerryStep&);
void parse(ParseStep&, modification::CloseFerry&);
void apply(const modification::CloseFerry&, FerryStep&);
void parse(ParseStep&, modification::FloodSeason&);
void apply(const modification::FloodSeason&, FrictionStep&);
void parse(ParseStep&, modification::PopulationGrowth&);
void apply(const modification::PopulationGrowth&, GrowthStep&);
void parse(ParseStep&, modification::SetThreshold&);
void parse(ParseStep&, modification::RoadClosure&);
void apply(const modification::RoadClosure&, RoadStep&);

/// Calls apply(kind, step) for every modification of `s`, in order, whose kind has one for this step.
template <typename Step>
void apply_steps(const Scenario& s, Step& step) {
    for (std::size_t k = 0; k < s.modifications.size(); ++k) {
        const Modification& m = s.modifications[k];
        step.current = &m;
        if constexpr (std::is_same_v<Step, RoadStep>) step.index = k;
        std::visit([&](const auto& change) {
            if constexpr (requires { apply(change, step); }) apply(change, step);
        }, m.change);
    }
    step.current = nullptr;
}

/// True when some modification of `s` has an apply for `Step` (e.g. roads change).
template <typename Step>
bool has_steps(const Scenario& s) {
    for (const auto& m : s.modifications) {
        const bool has = std::visit([](const auto& change) { return requires(Step& step) { apply(change, step); }; }, m.change);
        if (has) return true;
    }
    return false;
}

// Shared by several kinds (common.cpp).
std::unique_ptr<OGRGeometry> line_in(const std::vector<LonLat>& points, const Crs& crs);
std::unique_ptr<OGRGeometry> polygon_in(const std::vector<LonLat>& points, const Crs& crs);
/// The cells of polygons from a layer and/or an inline ring, by cell centre; nullopt when neither is given.
std::optional<Grid<std::uint8_t>> area_cells(const std::optional<LayerRef>& file, const std::vector<LonLat>& polygon,
                                             const std::string& label, const GridSpec& grid);
/// "12" and "12.0" name the same feature.
bool same_id(const std::string& a, const std::string& b);
std::string attribute(const std::map<std::string, std::string>& attributes, const std::string& key);
/// Indices of the items `sel` picks; InputError for a listed id no item has, or for nothing selected.
template <typename Item, typename Attributes>
std::vector<std::size_t> select(const std::string& label, const FacilitySelection& sel, const std::vector<Item>& items,
                                Attributes attributes_of, const std::string& id_field, const std::string& capacity_field,
                                const std::string& what, const std::string& file) {
    for (const auto& id : sel.ids)
        if (std::none_of(items.begin(), items.end(), [&](const Item& it) { return same_id(attribute(attributes_of(it), id_field), id); }))
            throw InputError(fmt::format("{}: no {} has {} = {} in {}; check the id (accessplan info {} lists the features)",
                                         label, what, id_field, id, file, file));
    std::vector<std::size_t> picked;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& a = attributes_of(items[i]);
        if (!sel.ids.empty() &&
            std::none_of(sel.ids.begin(), sel.ids.end(), [&](const std::string& id) { return same_id(attribute(a, id_field), id); }))
            continue;
        bool ok = true;
        for (const auto& [field, values] : sel.match)
            ok = ok && std::find(values.begin(), values.end(), attribute(a, field)) != values.end();
        if (ok && sel.capacity_below) {  // (std::stod read "1,200" as 1: below any limit)
            const std::string text = attribute(a, capacity_field);
            const double cap =
                text.empty() ? 0.0 : parse_number(text, capacity_rule(file, fmt::format("{} {}", what, i + 1), capacity_field));
            ok = cap > 0.0 && cap < *sel.capacity_below;
        }
        if (ok) picked.push_back(i);
    }
    if (picked.empty())
        throw InputError(fmt::format("{}: selects no {} in {}; check the field names and values of match/ids", label, what, file));
    return picked;
}
/// The road class and speeds keys of road kinds (highway:, speed_kmh:).
void parse_road_class(ParseStep& p, std::string& road_class, const char* fallback);
void parse_speeds(ParseStep& p, std::map<std::string, double>& speed_kmh);
/// A road drawn in the scenario (new_road, new_bridge): name, line, highway (default tertiary), speed_kmh.
void parse_drawn_road(ParseStep& p, std::vector<LonLat>& line, std::string& road_class, std::map<std::string, double>& speed_kmh);
/// A road kind's line and speed cells (upgrade_road, new_road, new_bridge).
void apply_road_line(const std::vector<LonLat>& line, const std::string& road_class,
                     const std::map<std::string, double>& speed_kmh, std::vector<const OGRGeometry*> geoms, RoadStep& step);

}  // namespace accessplan::scenarios::detail

