#pragma once
// Applying a scenario's modifications (docs/scenarios.md "modifications") to its inputs in memory, in order. The
// input files are never changed.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ogr_geometry.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/scenarios/scenario.hpp"

namespace accessplan::scenarios::detail {

/// How to read a layer reference: its layer, where-filter and crs:; CSV x/y columns without crs: are taken to be in
/// `analysis` (the grid's CRS), which is said in `notes` when given.
geodata::ReadOptions read_options(const LayerRef& ref, const Crs& analysis, std::vector<std::string>* notes = nullptr);

/// The features of a layer reference (its layer and where-filter), in `crs` (CSV x/y columns taken to be in `crs`).
std::vector<geodata::Feature> read_layer(const LayerRef& ref, const Crs& crs);

/// For a where-filter of the form FIELD = 'VALUE' that selects nothing: "; the nearest values of FIELD in the layer:
/// 'Quảng Ninh', ..." (up to five, closest first, ignoring case, accents and spaces; hidden characters such as a
/// trailing tab shown), so that a value written without its accents or a layer's stray tab can be found. "" otherwise.
std::string where_value_hint(const LayerRef& ref);

/// "FILE: KEY selects no feature (where W); check the layer and its filter, or leave KEY out" with where_value_hint:
/// a layer reference that selected nothing, which the run would otherwise go on without.
InputError no_feature_selected(const LayerRef& ref, const std::string& key);

/// The study area (area.boundary) in `crs`; its InputErrors name the key, and a filter selecting nothing its nearest
/// values (where_value_hint).
std::unique_ptr<OGRGeometry> read_boundary(const LayerRef& ref, const Crs& crs);

/// A facility id as the nearest-facility rasters hold it: a whole number from 0 to 2147483647 ("12" and "12.0" are 12),
/// or nullopt for anything else ("12a", "-5", "3.5", "").
std::optional<std::int32_t> facility_id_number(const std::string& text);

/// How a facility's capacity (facilities.capacity_field) is read: a number >= 0, 0 = not known. `facility` names it
/// in messages ("facility 12"): "schools.csv: facility 12: capacity: '1,200' has a thousands separator ...".
NumberRule capacity_rule(const std::string& file, const std::string& facility, const std::string& field);

/// Gives every facility point an explicit id (its id field, else its position 1, 2, ... as before any change), then
/// applies add_facilities, close_facilities and set_capacity in order. InputError for an id or filter that selects
/// no facility, a duplicate new id, or an added facility without the type field.
/// InputError when no facility has the type field, an id is not a facility_id_number, or two share an id
/// (facilities.type_field, id_field).
void check_facility_fields(const Scenario& s, const std::vector<geodata::PointFeature>& points);

/// Checks the facilities (check_facility_fields), numbers those without an id, and applies the facility modifications.
/// Then InputError for a capacity that is not a number >= 0 (capacity_rule) on a facility of a type a service uses.
void apply_facility_modifications(const Scenario& s, std::vector<geodata::PointFeature>& points, const Crs& crs,
                                  std::vector<std::string>* notes = nullptr);

/// A change of friction on some cells, in modification order: a road speed for some modes, or a flood.
struct FrictionEdit {
    std::string label;
    Grid<std::uint8_t> cells;
    std::map<std::string, double> speed_kmh;  ///< road speed per mode (modes not listed keep theirs)
    double flood_speed_factor = 1.0;          ///< speeds times this factor (0 = impassable)
};

/// Applies the road modifications to the road features (in the grid's CRS): upgrade_road classes, new_road /
/// new_bridge lines with their class, road_closure cuts (unless `closures` is false). Returns, per modification index
/// with speed_kmh, its speed edit on the road cells it covers.
std::map<std::size_t, FrictionEdit> apply_road_modifications(const Scenario& s, std::vector<geodata::Feature>& roads,
                                                                   const GridSpec& grid, bool closures = true);

/// True when a modification of `s` changes roads (the road raster is built even without travel.roads).
bool changes_roads(const Scenario& s);

/// True when `s` has a road_closure.
bool closes_roads(const Scenario& s);

/// InputError when a new_bridge crosses no river or water cell (it would be a road: say new_road).
void check_bridges(const Scenario& s, const GridSpec& grid, const Grid<std::uint8_t>* rivers, const Grid<std::uint8_t>& landcover);

/// The friction edits that apply in the scenario's month, in modification order: the road speed edits of
/// apply_road_modifications (by modification index) and the floods.
std::vector<FrictionEdit> friction_edits(const Scenario& s, const GridSpec& grid, std::map<std::size_t, FrictionEdit> road_edits);

/// Applies the edits for `mode`; barrier cells (national border) stay impassable.
void apply_friction_edits(const std::vector<FrictionEdit>& edits, const std::string& mode, Grid<float>& friction,
                          const Grid<std::uint8_t>* barriers);

/// A ferry link, from the ferries layer or a new_ferry modification, in the grid's CRS.
struct FerryLink {
    std::string name, source;  ///< source: the file (layer) or the modification label, for messages
    double x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0;
    double crossing_min = 0.0, headway_min = 0.0;
    bool bidirectional = true;
};

/// Ferries operating in the scenario's month (all of them when no month is set).
std::vector<FerryLink> ferry_links(const Scenario& s, const Crs& crs);

/// Population growth factors per cell (population_growth modifications, multiplied), or nullopt when none.
std::optional<Grid<float>> growth_factors(const Scenario& s, const GridSpec& grid);

}  // namespace accessplan::scenarios::detail
