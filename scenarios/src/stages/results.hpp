#pragma once
// Stage 6: the results folder (ResultsLayout; docs/scenarios.md "Outputs"). Takes what the stages computed; writes the
// rasters (Cloud-Optimized GeoTIFFs), tables (CSV, summary.json), access.gpkg and the ranking tables. run.json, the
// provenance, is written last, after the maps (RunOptions::visual_outputs), so that it times them. Nothing here
// computes a figure: every number comes from RunResult or the stage outputs.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "facilities.hpp"
#include "inputs.hpp"
#include "metrics.hpp"
#include "stage_clock.hpp"

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
    const EarlyRelease* early = nullptr;  ///< what was written before (its rasters are not written again)
};

/// A run that no later stage or run reads the grids of — no ranking (it reads the friction, nearest facilities and
/// gap grids), nothing kept for later runs (RunOptions::cache), outputs written — writes each large raster as soon as
/// it is final and frees its grid, and frees the inputs no later stage reads: holding every grid to the end made the
/// national run's peak (issue 20). write_results writes the rest. The files are the same as written at the end.
class EarlyRelease {
public:
    /// The rasters' writing is timed as "writing outputs" on `clock`.
    EarlyRelease(const ResultsLayout& layout, const Scenario& s, RunInputs& inputs, std::vector<TravelTimeResult>& times,
                 StageClock& clock)
        : m_layout(layout), m_scenario(s), m_inputs(inputs), m_times(times), m_clock(clock) {}

    /// Frees the inputs no stage reads once the inputs are prepared (land cover, rivers) or once the area classes are
    /// made (island, border line, the listed island and remote areas, the friction of a mode only the remote class uses).
    void inputs_done();
    void area_classes_done();
    /// Writes rasters/friction_<mode>.tif (when a service uses the mode) and frees the mode's friction: call once no
    /// stage reads it (the last catchments of its services).
    void friction_done(const std::string& mode);
    /// Writes rasters/e2sfca_<service>.tif from `grid` and frees it.
    void e2sfca_done(std::size_t service, Grid<float>& grid);
    /// Writes rasters/nearest_<service>.tif and hands the service's nearest-facility grid over, for the gap clusters
    /// to be made in (their last reader: find_gap_clusters consumes it).
    Grid<std::int32_t> nearest_written(std::size_t service);
    /// Whether `path` was written here.
    bool written(const std::filesystem::path& path) const { return m_written.count(path) > 0; }
    /// The names of the files written here, in order.
    const std::vector<std::string>& written_names() const noexcept { return m_names; }

private:
    const ResultsLayout& m_layout;
    const Scenario& m_scenario;
    RunInputs& m_inputs;
    std::vector<TravelTimeResult>& m_times;
    StageClock& m_clock;
    std::set<std::filesystem::path> m_written;
    std::vector<std::string> m_names;  ///< of m_written, in the order written

    /// Writes with `write` timed as "writing outputs", and records `path`.
    template <typename Write>
    void write(const std::filesystem::path& path, Write&& write) {
        const std::string stage = m_clock.current();
        m_clock.substage("writing outputs");
        write();
        m_written.insert(path);
        m_names.push_back(path.filename().string());
        m_clock.substage(stage);
    }
};

/// How rasters/travel_time_<service>.tif and nearest_<service>.tif are written (nodata, units, description).
/// With `searched_to_min` (travel.search: study_area) the description and metadata say how far the search went.
geodata::RasterWriteOptions travel_time_raster(const Service& svc, std::optional<double> searched_to_min = std::nullopt);
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
