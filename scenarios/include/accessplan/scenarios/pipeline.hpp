#pragma once
// One pass of a scenario (DESIGN.md "Data flow"): inputs onto the analysis grid, friction per travel mode, travel
// time per service (in parallel), children per target group, and the summary tables and rasters.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/gaps.hpp"
#include "accessplan/engine/zonal.hpp"
#include "accessplan/engine/grid.hpp"
#include "accessplan/scenarios/scenario.hpp"

namespace accessplan::scenarios {

struct FacilityPlacement {
    std::int32_t id = 0;
    std::string name, type, status;  ///< status: on_cell, moved, outside_grid, no_passable
    double moved_m = 0.0;
    std::string service;
    std::size_t point_index = 0;  ///< position in the facility file (as read)
};

struct ServiceResult {
    std::string service, target_group, mode;
    double threshold_min = 0.0;
    std::size_t facilities = 0;   ///< of the service's types, in the file
    std::size_t placed = 0;       ///< on the grid and reachable from somewhere
    AccessSummary access;         ///< all children
    /// The same by area class: island, border, remote, none (a cell may carry several flags).
    std::vector<std::pair<std::string, AccessSummary>> by_class;
    std::vector<GapCluster> gaps;  ///< ranked clusters of children beyond the threshold
    double e2sfca_per_1000 = 0.0;  ///< children-weighted mean E2SFCA accessibility (supply per 1,000 children)
    /// Capacity coverage (when every facility of the service has a capacity): children covered / not covered.
    std::optional<double> covered, not_covered;
    struct Load {
        std::int32_t id;
        std::string name;
        double capacity, load;
    };
    std::vector<Load> loads;  ///< in processing order
};

struct ZoneResult {
    std::string code, name;
    std::vector<ZoneAccess> per_service;  ///< in the order of RunResult::services
};

struct RunResult {
    GridSpec grid;
    double population_total = 0.0;         ///< on the analysis grid (study area + buffer)
    double population_in_area = 0.0;       ///< inside the study area: what summaries count
    double population_source_total = 0.0;  ///< in the population file
    std::vector<ServiceResult> services;
    std::vector<FacilityPlacement> placements;
    std::size_t towns_placed = 0;           ///< towns used for the "remote" class
    std::vector<ZoneResult> zones;
    std::vector<std::string> warnings;
    std::vector<std::pair<std::string, double>> stage_seconds;  ///< wall-clock time per stage (run.json only)
};

struct RunOptions {
    /// Progress: stage index (1-based), stage count, label.
    std::function<void(int, int, const std::string&)> stage;
    /// Progress inside a long stage: label, done, total (e.g. "travel time (walking)", 2, 4).
    std::function<void(const std::string&, std::size_t, std::size_t)> progress;
    std::string command_line;
};

/// Runs `scenario`, writing outputs into `out_dir` (which must exist; use geodata::OutputFolder to stage it).
RunResult run_scenario(const Scenario& scenario, const std::filesystem::path& out_dir, const RunOptions& options = {});

}  // namespace accessplan::scenarios
