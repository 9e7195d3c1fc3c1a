#pragma once
// `accessplan compare BASE_DIR SCENARIO_DIR`: what a what-if changes against its baseline, from two results folders.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "accessplan/engine/access_change.hpp"

namespace accessplan::scenarios {

/// A facility of a service that one run has and the other has not, or has elsewhere (the runs' facilities layers
/// in access.gpkg, matched by facility_id among the facilities the service uses).
struct FacilityChange {
    enum class Kind { added, moved, closed };
    Kind kind = Kind::added;
    std::int64_t facility_id = 0;
    std::string name, type;
    double x_before = 0.0, y_before = 0.0;  ///< grid CRS; where it was (added: where it is)
    double x_after = 0.0, y_after = 0.0;    ///< where it is (closed: where it was)
    double moved_m = 0.0;                   ///< moved: the distance between the two (added, closed: 0)
};

/// "new", "moved", "closed": as compare.json and the maps' legends name them.
const char* facility_change_name(FacilityChange::Kind kind) noexcept;

struct ServiceComparison {
    std::string service, target_group;
    double threshold_min = 0.0;          ///< the scenario's: "after" counts children within it
    double threshold_before_min = 0.0;   ///< the baseline's: "before" counts children within it
    AccessComparison change;
    std::vector<FacilityChange> facilities;  ///< new, then moved, then closed; by facility_id within each
};

struct ComparisonZone {
    std::string code, name;
};

struct ComparisonReport {
    std::string base_name, scenario_name;
    std::vector<ServiceComparison> services;
    std::vector<ComparisonZone> zones;  ///< the baseline's zones, by zone id - 1 (AccessComparison::by_zone)
    std::vector<std::string> warnings;
    bool all_ages = false;  ///< either run had no age data: its "children" are people of all ages
};

/// The service a reader should see first: the one whose access changed most (engine changed_more: children within
/// the threshold and children with no access), the first on a tie; 0 when there is none.
std::size_t most_changed_service(const ComparisonReport& report);

/// One zone of one service, for the zones that changed most.
struct ZoneChangeRef {
    std::size_t service = 0, zone = 0;  ///< indices into report.services and report.zones
};

/// The zone x service pairs whose access changed most (changed_more), at most `count`; pairs without any change
/// (no child changed status, none reaches faster or slower) are left out.
std::vector<ZoneChangeRef> largest_zone_changes(const ComparisonReport& report, std::size_t count = 10);

/// InputError unless `dir` is a results folder of `accessplan run` in this version's layout (results_schema): a
/// missing folder, one without summary.json, or one an older version wrote.
void check_results_folder(const std::filesystem::path& dir);

/// Compares two results folders of `accessplan run` on the same analysis grid and writes into `out_dir` (which must
/// exist): compare.csv (service x area class), compare_zones.csv, changed_areas.csv, compare.json and rasters/
/// diff_travel_time_<service>.tif (after - before, minutes), access_change_<service>.tif (1 gained, -1 lost) and
/// status_change_<service>.tif (status_change_code). Children are the scenario's; area classes and zones the
/// baseline's. InputError for a folder that is not a results folder, or runs on different grids.
ComparisonReport compare_runs(const std::filesystem::path& base_dir, const std::filesystem::path& scenario_dir,
                              const std::filesystem::path& out_dir);

struct RunResult;

/// compare_runs's figures for two runs held in memory on the same analysis grid (a server's what-if against its
/// baseline; RunResult::grids): per service, by area class and by zone, with the same warnings; facility changes are
/// left out and nothing is written. InputError for runs on different grids.
ComparisonReport compare_results(const RunResult& base, const RunResult& scenario);

/// compare.json's figures of `report` as JSON text: {"services": [...], "largest_change", "warnings", "all_ages"}, each
/// service as compare.json has it (without its facilities).
std::string comparison_json(const ComparisonReport& report);

}  // namespace accessplan::scenarios
