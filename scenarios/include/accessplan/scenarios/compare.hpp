#pragma once
// `accessplan compare BASE_DIR SCENARIO_DIR`: what a what-if changes against its baseline, from two results folders.

#include <filesystem>
#include <string>
#include <vector>

#include "accessplan/engine/access_change.hpp"

namespace accessplan::scenarios {

struct ServiceComparison {
    std::string service, target_group;
    double threshold_min = 0.0;
    AccessComparison change;
};

struct ComparisonReport {
    std::string base_name, scenario_name;
    std::vector<ServiceComparison> services;
    std::vector<std::string> warnings;
};

/// InputError unless `dir` is a results folder of `accessplan run` in this version's layout (results_schema): a
/// missing folder, one without summary.json, or one an older version wrote.
void check_results_folder(const std::filesystem::path& dir);

/// Compares two results folders of `accessplan run` on the same analysis grid and writes into `out_dir` (which must
/// exist): compare.csv (service x area class), compare_zones.csv, changed_areas.csv, compare.json and rasters/
/// diff_travel_time_<service>.tif (after - before, minutes) and access_change_<service>.tif (1 gained, -1 lost).
/// Children are the scenario's; area classes and zones the baseline's. InputError for a folder that is not a
/// results folder, or runs on different grids.
ComparisonReport compare_runs(const std::filesystem::path& base_dir, const std::filesystem::path& scenario_dir,
                              const std::filesystem::path& out_dir);

}  // namespace accessplan::scenarios
