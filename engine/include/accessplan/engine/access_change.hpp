#pragma once
// What changes between two runs of the same study area (`accessplan compare`): per service, the children who gain
// access (beyond the threshold or unreachable before, within it after) and who lose it, those who can reach no
// facility before and after and how they move between within, beyond and unreachable, by area class and by zone,
// and the connected areas (8-connected cells) where access was gained or lost, largest first.

#include <cstdint>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"
#include "accessplan/engine/zonal.hpp"

namespace accessplan {

/// Where a cell stands against a service's threshold: within it, reachable beyond it, or unreachable (no facility
/// can be reached: +inf or NaN minutes, the rasters' nodata).
enum class AccessStatus : std::uint8_t { within = 1, beyond = 2, unreachable = 3 };

AccessStatus access_status(float minutes, double threshold_min) noexcept;

/// A cell's status before and after as two digits, 10 x before + after: 11 within both times, 31 unreachable before
/// and within after, 23 beyond before and unreachable after, ... (rasters/status_change_<service>.tif).
inline std::uint8_t status_change_code(AccessStatus before, AccessStatus after) noexcept {
    return static_cast<std::uint8_t>(10 * static_cast<int>(before) + static_cast<int>(after));
}

struct AccessChange {
    double children = 0.0;                       ///< of the target group (the scenario's population)
    double within_before = 0.0, within_after = 0.0;
    double gained = 0.0, lost = 0.0;             ///< children crossing the threshold either way (unreachable included)
    double faster = 0.0, slower = 0.0;           ///< children whose time fell / rose (reachable both times)
    double unreachable_before = 0.0, unreachable_after = 0.0;  ///< children who can reach no facility
    double unreachable_to_within = 0.0;          ///< unreachable before, within after (part of gained)
    double within_to_unreachable = 0.0;          ///< within before, unreachable after (part of lost)
    double unreachable_to_beyond = 0.0;          ///< now reachable, still beyond the threshold
    double beyond_to_unreachable = 0.0;          ///< reachable beyond the threshold before, unreachable after
    double pct_points() const noexcept { return children > 0.0 ? 100.0 * (within_after - within_before) / children : 0.0; }
    /// The change a planner's figures show: children within the threshold plus children with no access,
    /// |within_after - within_before| + |unreachable_after - unreachable_before|.
    double net_change() const noexcept;
    /// Children whose status (within, beyond, unreachable) differs before and after, whichever way.
    double status_changes() const noexcept { return gained + lost + unreachable_to_beyond + beyond_to_unreachable; }
};

/// True when `a` changed more than `b`: by net_change(), then status_changes(), then faster + slower (for telling
/// which service or zone a comparison should show first).
bool changed_more(const AccessChange& a, const AccessChange& b) noexcept;

/// A connected area where access was gained (or lost), ranked by children.
struct ChangedArea {
    int rank = 0;
    bool gained = true;
    double children = 0.0;
    std::size_t cells = 0;
    double x = 0.0, y = 0.0;       ///< children-weighted centre, in the grid's CRS
    std::uint8_t flags = 0;        ///< area class flags (1 island, 2 border, 4 remote) of the area's most children
    double mean_before_min = 0.0;  ///< children-weighted mean time before (unreachable cells excluded)
    double mean_after_min = 0.0;
};

struct AccessComparison {
    std::vector<std::pair<std::string, AccessChange>> by_class;  ///< all, island, border, remote, none
    std::vector<AccessChange> by_zone;                           ///< zone id - 1
    std::vector<ChangedArea> areas;                              ///< gained and lost, by children, largest first
};

/// access_status of every cell before and after as status_change_code (children or not).
Grid<std::uint8_t> status_change(const Grid<float>& before_min, const Grid<float>& after_min, double threshold_min);

/// The same with a threshold for each run: before against `threshold_before_min` (the baseline's), after against
/// `threshold_after_min` (a what-if that changes the threshold).
Grid<std::uint8_t> status_change(const Grid<float>& before_min, const Grid<float>& after_min, double threshold_before_min,
                                 double threshold_after_min);

/// Compares travel times (minutes, NaN or +inf = unreachable) before and after, weighting cells by `children`.
/// flags and zones (ids 1..zone_count, 0 = none) are optional; areas smaller than min_area_children are left out.
AccessComparison compare_access(const Grid<float>& before_min, const Grid<float>& after_min, const Grid<float>& children,
                                double threshold_min, const Grid<std::uint8_t>* flags, const ZoneGrid* zones,
                                std::size_t zone_count, double min_area_children = 1.0);

/// The same with a threshold for each run (status_change): "within before" counts children within the baseline's
/// threshold, "within after" those within the what-if's; gained and lost compare the two.
AccessComparison compare_access(const Grid<float>& before_min, const Grid<float>& after_min, const Grid<float>& children,
                                double threshold_before_min, double threshold_after_min, const Grid<std::uint8_t>* flags,
                                const ZoneGrid* zones, std::size_t zone_count, double min_area_children = 1.0);

}  // namespace accessplan
