#pragma once
// What changes between two runs of the same study area (`accessplan compare`): per service, the children who gain
// access (beyond the threshold or unreachable before, within it after) and who lose it, by area class and by zone,
// and the connected areas (8-connected cells) where access was gained or lost, largest first.

#include <cstdint>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

struct AccessChange {
    double children = 0.0;                       ///< of the target group (the scenario's population)
    double within_before = 0.0, within_after = 0.0;
    double gained = 0.0, lost = 0.0;             ///< children crossing the threshold either way
    double faster = 0.0, slower = 0.0;           ///< children whose time fell / rose (reachable both times)
    double pct_points() const noexcept { return children > 0.0 ? 100.0 * (within_after - within_before) / children : 0.0; }
};

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

/// Compares travel times (minutes, NaN or +inf = unreachable) before and after, weighting cells by `children`.
/// flags and zones (ids 1..zone_count, 0 = none) are optional; areas smaller than min_area_children are left out.
AccessComparison compare_access(const Grid<float>& before_min, const Grid<float>& after_min, const Grid<float>& children,
                                double threshold_min, const Grid<std::uint8_t>* flags, const Grid<std::int32_t>* zones,
                                std::size_t zone_count, double min_area_children = 1.0);

}  // namespace accessplan
