#pragma once
// Stage 6: the results folder (ResultsLayout; docs/scenarios.md "Outputs"). Takes what the stages computed; writes the
// rasters (Cloud-Optimized GeoTIFFs), tables (CSV, summary.json), access.gpkg and the ranking tables. run.json, the
// provenance, is written last, after the maps (RunOptions::visual_outputs), so that it times them. Nothing here
// computes a figure: every number comes from RunResult or the stage outputs.

#include <map>
#include <string>
#include <vector>

#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "facilities.hpp"
#include "inputs.hpp"
#include "metrics.hpp"

namespace accessplan::scenarios::detail {

struct ResultsInputs {
    const Scenario& scenario;
    const RunInputs& inputs;
    const FacilitySet& facilities;
    const std::vector<TravelTimeResult>& times;  ///< per service
    const Grid<std::uint8_t>& area_flags;
    const Grid<std::uint8_t>& land;  ///< land_map(inputs)
    const Metrics& metrics;  ///< its accessibility and gap grids (the figures are in `result`)
    const RunResult& result;
};

/// How rasters/travel_time_<service>.tif and nearest_<service>.tif are written (nodata, units, description).
geodata::RasterWriteOptions travel_time_raster(const Service& svc);
geodata::RasterWriteOptions nearest_raster(const Service& svc);

/// For maps: 0 water, 1 land outside the study area, 2 land in the study area.
Grid<std::uint8_t> land_map(const RunInputs& in);

/// summary.json's text (RunResult::summary_json): the figures of `result` and the inputs' travel model.
std::string summary_json(const Scenario& s, const RunInputs& inputs, const RunResult& result);

/// Every data output of a run into `layout`'s folder (which exists).
void write_results(const ResultsLayout& layout, const ResultsInputs& in);

/// run.json: version, command line, scenario chain and its hash, stage times, every input's SHA-256.
void write_run_json(const ResultsLayout& layout, const Scenario& s, const RunResult& result, const RunOptions& options);

}  // namespace accessplan::scenarios::detail
