#pragma once
// What a run shows besides its tables and rasters: QGIS styles (in access.gpkg and beside the travel-time rasters),
// maps and the planner's report.

#include <filesystem>

#include "accessplan/scenarios/compare.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/viz/map.hpp"
#include "accessplan/viz/palette.hpp"

namespace accessplan::viz {

struct VisualOptions {
    Lang lang = Lang::en;
};

/// The data sources to credit on maps and in the report: the scenario's own `credits:` when it states them, else
/// guessed from its input file names (WorldPop, OpenStreetMap, geoBoundaries, GSHHG, the synthetic demo province), or
/// "the scenario's inputs".
std::string data_credits(const std::vector<std::filesystem::path>& input_files, Lang lang,
                         const std::vector<std::string>& stated = {});

/// Adds to a results folder written by scenarios::run_scenario (before it is committed): the default QGIS styles of
/// access.gpkg's layers (its layer_styles table), rasters/travel_time_<service>.qml, and the maps:
/// maps/travel_time_<service>.png (A4, landscape or for a tall area portrait, 150 dpi), maps/maps.pdf (every map, one A4 page each), and
/// report.html (viz/report.hpp).
void write_visual_outputs(const scenarios::Scenario& scenario, const scenarios::RunResult& result,
                          const std::filesystem::path& out_dir, const VisualOptions& options = {});

/// The order a comparison's maps and report show its services in: the one that changed most first
/// (scenarios::most_changed_service), then the others in the runs' order.
std::vector<std::size_t> comparison_service_order(const scenarios::ComparisonReport& report);
/// The change maps' pages of a comparison, in comparison_service_order (`diffs` and `statuses`: the comparison's
/// rasters per service of `report`, in its order; the pages point into them).
std::vector<MapPage> comparison_map_pages(const scenarios::ComparisonReport& report, const MapContext& context,
                                          const std::vector<Grid<float>>& diffs,
                                          const std::vector<Grid<std::uint8_t>>& statuses, Lang lang);
/// Maps of a comparison (`accessplan compare`), into its output folder `out_dir` (written by scenarios::compare_runs,
/// not yet committed): maps/change_<service>.png of the travel-time change (purple faster, orange slower) over the
/// scenario's context, maps/maps.pdf with all of them, and report.html with the before/after tables.
void write_comparison_maps(const scenarios::ComparisonReport& report, const std::filesystem::path& scenario_dir,
                           const std::filesystem::path& out_dir, const VisualOptions& options = {});

}  // namespace accessplan::viz
