#pragma once
// A scenario file (YAML, schema_version 1): everything one run needs. Paths are relative to the file.
// The keys are documented in docs/scenarios.md.

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/scenarios/modification.hpp"

namespace accessplan::scenarios {

struct TargetGroup {
    std::string name;
    int min_age = 0;
    int max_age = 0;  ///< inclusive

    bool operator==(const TargetGroup&) const = default;
};

struct Service {
    std::string name;
    std::vector<std::string> facility_types;
    std::string target_group;
    double threshold_min = 30.0;
    std::string mode = "walking";
    /// Order facilities take children in capacity coverage: "file", "capacity_desc" or "capacity_asc".
    std::string coverage_order = "file";

    bool operator==(const Service&) const = default;
};

struct Ferry {
    std::string name;
    double crossing_min = 0.0;
    double headway_min = 0.0;
    bool bidirectional = true;

    bool operator==(const Ferry&) const = default;
};

/// Candidate investments and how to rank them (docs/scenarios.md "ranking").
/// Areas a budget share can be kept for (ranking min_share keys), with the area-class bits each covers.
inline const std::vector<std::pair<std::string, std::uint8_t>>& reserve_areas() {
    using namespace area_class;
    static const std::vector<std::pair<std::string, std::uint8_t>> areas{
        {"island", island}, {"border", border}, {"remote", remote}, {"island_border_remote", island | border | remote}};
    return areas;
}

/// A budget programme (ranking.programmes): services that share one envelope, as provinces budget education, health
/// and sport/culture separately.
struct Programme {
    std::string name;
    std::vector<std::string> services;
    double budget = 0.0;
    /// Shares of the budget kept for sites whose new children mostly live in an area (reserve_areas keys), in the
    /// order of reserve_areas.
    std::vector<std::pair<std::string, double>> min_share;

    bool operator==(const Programme&) const = default;
};

/// A plan over years (ranking.plan): each year's money per programme is ranked from where the years before left
/// off (their sites built), on that year's children (the population grid grown from its year).
struct PlanSettings {
    int first_year = 0, last_year = 0;
    std::optional<int> population_year;   ///< the population grid's year; unset: the first year (the run says so)
    double growth_pct = 0.0;              ///< children's growth, % a year: everywhere, or zones without their own rate
    std::map<std::string, double> zone_growth_pct;  ///< by zone code (growth_pct: {<code>: 2.5, other: 1.0})
    bool other_growth_given = true;       ///< growth by zone: `other:` given (else zones not listed grow 0%, said)
    bool carry_over = true;               ///< money a year leaves adds to the next year's
    /// Per programme ("all" with one budget): the money of every year (each_year for years not listed). A
    /// programme not here has its budget split evenly over the years (the run says so).
    std::map<std::string, std::map<int, double>> budgets;

    int years() const { return last_year - first_year + 1; }
    bool operator==(const PlanSettings&) const = default;
};

struct RankingSettings {
    double budget = 0.0;
    /// Empty: one budget (ranking.budget, ranking.min_share) for every service.
    std::vector<Programme> programmes;
    std::vector<std::pair<std::string, double>> min_share;  ///< with one budget
    std::string currency = "VND";
    std::string objective = "children";  ///< children | time_saved
    double time_cap_min = 120.0;         ///< time_saved: longer times (and none) count as this
    std::map<std::string, double> costs;       ///< per service: the cost of one new site
    std::map<std::string, double> capacities;  ///< per service: capacity of a generated site (0 / absent = no limit)
    double weight_island = 2.0, weight_border = 1.5, weight_remote = 1.5;  ///< a cell takes its largest
    std::vector<std::string> pool_services;    ///< drowning weight and school sites; empty = services with swimming_pool
    double water_distance_m = 500.0;           ///< children this close to open water count drowning_weight times
    double drowning_weight = 1.5;
    // candidates
    std::optional<LayerRef> candidates;        ///< points with fields service, cost, capacity, name, id
    bool generate = true;                      ///< gap-cluster centres and a lattice in the gaps
    double lattice_spacing_m = 2000.0;         ///< 0 = no lattice
    double road_distance_m = 1000.0;           ///< generated sites move to a road this close, else onto passable land
    std::vector<std::string> school_types{"school", "primary_school", "lower_secondary_school"};  ///< pool sites
    bool exact = false;                        ///< solve the integer program (small instances) instead of greedy
    double exact_time_s = 120.0;               ///< the exact solver's wall-clock limit per programme
    std::string exact_solver = "cbc";          ///< cbc | glpk
    double near_m = 500.0;                     ///< funded sites of one service this close are flagged (0 = never)
    // uncertainty: the ranking re-run under resampled population and costs (from the cached reaches)
    int draws = 0;                             ///< 0 = none
    std::uint64_t seed = 1;
    double population_pct = 10.0;              ///< children per zone (or 1 km block) x U(1 - p, 1 + p)
    double cost_pct = 10.0;                    ///< each site's cost x U(1 - c, 1 + c)
    double speed_pct = 0.0;                    ///< every speed of a travel mode x U(1 - s, 1 + s), per mode (0 = not drawn)
    /// Speeds per class x U(1 - p, 1 + p), one factor per class and draw for every mode: road classes (motorway ...
    /// path), land-cover classes (tree_cover, cropland, ...) and boat. Each draw rebuilds friction and searches again.
    std::map<std::string, double> speed_pct_by_class;
    std::optional<PlanSettings> plan;          ///< a plan over years

    bool operator==(const RankingSettings&) const = default;
};

/// Lower-case letters, digits and _, starting with a letter: the names of services and target groups, which name
/// output files (safe on every system, and never a path).
bool is_safe_name(const std::string& name);

struct Scenario {
    std::filesystem::path file;  ///< the scenario file itself
    std::string name;
    /// The scenario file and every file of its `base:` chain (the file first), with their text: hashed into run.json.
    std::vector<std::pair<std::filesystem::path, std::string>> sources;
    std::optional<int> month;  ///< 1..12: seasonal ferries and floods follow it; unset = every ferry runs, floods apply
    /// Where the data comes from, as the maps and the report credit it (credits:); empty = guessed from file names.
    std::vector<std::string> credits;

    // area: a polygon layer, or a longitude/latitude box (WGS 84: west, south, east, north)
    std::optional<LayerRef> area_boundary;
    std::optional<std::array<double, 4>> area_bbox;
    std::optional<std::string> area_crs;  ///< default: UTM zone of the area's centre
    double cell_size_m = 100.0;
    double buffer_m = 2000.0;

    // population
    std::filesystem::path population;                  ///< total persons, any CRS (resampled sum-preserving)
    std::optional<std::filesystem::path> age_sex;      ///< WorldPop-style bands (band descriptions f_0, m_5, ...)
    std::vector<std::filesystem::path> age_sex_files;  ///< or WorldPop's one file per class (vnm_f_0_2020.tif, ...)
    std::optional<std::filesystem::path> age_shares;   ///< census table: share of the population by age per zone
    std::string age_shares_code_field = "code";        ///< its column matching the zone codes
    std::optional<LayerRef> population_mask;            ///< polygons where people may live (default: the land)

    // facilities
    LayerRef facilities;
    std::string type_field = "type";
    std::string name_field = "name";
    std::string id_field = "id";
    std::string capacity_field = "capacity";  ///< supply for E2SFCA; missing, empty or 0 = one facility
    double snap_distance_m = 500.0;
    /// The run stops (InputError) when more than this share (%) of a facility source's facilities is dropped: of the
    /// facility file's, those on the grid with no passable land within snap_distance_m (a file may reach beyond the
    /// grid: a national layer); of an add_facilities modification's, those off the grid too. 100 = never stop.
    double max_dropped_pct = 10.0;

    // travel
    std::filesystem::path landcover;                   ///< ESA WorldCover codes (empty when landcover_uniform)
    std::optional<std::uint8_t> landcover_uniform;     ///< one class everywhere, when no land-cover raster exists
    std::optional<std::filesystem::path> elevation;    ///< DEM for slope-aware walking
    std::optional<LayerRef> roads;
    std::string road_class_field = "highway";
    /// How roads carry travel (docs/travel-models.md): "network" — roads as a graph with their true lengths, searched
    /// with the grid (the hybrid model, default) — or "raster": each road cell takes its road's speed (one friction grid,
    /// as GRASS r.cost and AccessMod).
    std::string road_model = "network";
    /// Which cells a service's search gives a time (docs/scenarios.md): "whole_grid" (default) every cell it reaches;
    /// "study_area" stops once every cell of the study area has its time, leaving the farther cells outside it
    /// without one. Every figure is the same.
    std::string travel_search = "whole_grid";
    /// Polygons that slow off-road movement to a mode's building_speed_kmh. With the network model and an OpenStreetMap
    /// roads file, its building=* areas unless this is set.
    std::optional<LayerRef> buildings;
    std::optional<LayerRef> rivers;
    std::optional<LayerRef> border;                    ///< national land border lines (impassable)
    std::optional<LayerRef> land;                      ///< land polygons: every other cell is sea (default: coastline)
    std::optional<LayerRef> ferries;                   ///< lines: fields crossing_min, headway_min, bidirectional
    double ferry_port_snap_m = 1000.0;
    std::map<std::string, TravelMode> modes;           ///< built-in walking/motorbike plus overrides

    // area classes (island / border / remote)
    double border_km = 10.0;
    double remote_minutes = 90.0;
    std::string remote_mode = "motorbike";
    double island_bridge_m = 150.0;
    double mainland_km2 = 1000.0;           ///< coastline polygons at least this large are the mainland
    std::optional<LayerRef> towns;          ///< district towns / urban centres for "remote"
    std::optional<LayerRef> remote_zones;   ///< listed remote areas (e.g. extremely difficult communes)
    std::optional<LayerRef> island_zones;   ///< listed island areas
    std::optional<LayerRef> coastline;      ///< land polygons: those of mainland_km2 or more are the mainland

    // admin zones for zonal statistics: polygons, or points of unit centres (nearest-centre zones)
    std::optional<LayerRef> zones;
    std::string zone_code_field;   ///< empty: the feature number
    std::string zone_name_field = "name";

    // gap clusters
    double gap_min_cell_children = 0.5;  ///< cells with fewer children of the group do not join clusters
    double gap_min_children = 5.0;       ///< smaller clusters are not reported

    std::vector<TargetGroup> target_groups;
    std::vector<Service> services;
    std::optional<RankingSettings> ranking;
    /// The ranking section comes from the `base:` chain, not from this file (a what-if re-ranks with it; the console
    /// then gives its one-line total instead of reprinting a top 10 like its base's).
    bool ranking_inherited = false;
    std::vector<Modification> modifications;  ///< the base chain's first, then this file's

    const TargetGroup& group(const std::string& name) const;
    /// Age data (age_sex bands or census age_shares): without it every target group counts people of all ages.
    bool has_age_data() const { return age_sex.has_value() || !age_sex_files.empty() || age_shares.has_value(); }

    bool operator==(const Scenario&) const = default;
};

/// True for OpenStreetMap files (.osm.pbf, .osm), whose facilities and roads are read by tag.
bool is_osm_file(const std::filesystem::path& path);

/// Reads and validates a scenario file and its `base:` chain (a file inherits every key of its base and overrides
/// what it sets; mappings merge key by key, lists are replaced, except `modifications`, which are appended). All
/// problems are reported at once in one InputError, each as "file:line:column: key: what was found; what is expected".
Scenario load_scenario(const std::filesystem::path& file);

/// Every input file a scenario reads (deduplicated, in a stable order): for checksums in run.json.
std::vector<std::filesystem::path> input_files(const Scenario& scenario);

/// The scenario file, the files of its base chain and its input files: what an output folder must never hold (an
/// --overwrite would delete them).
std::vector<std::filesystem::path> files_read(const Scenario& scenario);

/// The services whose travel mode is much faster on roads than off them (motorbike, bicycle: a road speed over 1.5
/// times every off-road speed) when the scenario has no road layer: their times are at off-road speed everywhere.
std::vector<std::string> services_without_roads(const Scenario& scenario);

/// The default target groups (ages inclusive): preschool 3-5, primary 6-10, lower_secondary 11-14, under5 0-4,
/// children_3_14 3-14, swim_6_15 6-15.
std::vector<TargetGroup> default_target_groups();

}  // namespace accessplan::scenarios
