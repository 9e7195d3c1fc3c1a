#pragma once
// Capacity-aware coverage (the "geographic coverage" analysis of WHO AccessMod): facilities, in a chosen order, take
// the children not yet covered within their catchment by increasing travel time until their capacity is used; the
// last cell a facility reaches may be covered in part.

#include <vector>

#include "accessplan/engine/travel_time.hpp"

namespace accessplan {

struct CoverageFacility {
    std::size_t cell = 0;
    std::int32_t id = 0;
    double capacity = 0.0;  ///< children it can take (> 0)
};

struct CoverageResult {
    Grid<float> uncovered;          ///< children left per cell
    std::vector<double> load;       ///< children taken by each facility, in input order
    double covered = 0.0;
    double uncovered_total = 0.0;
};

/// Processes `facilities` in the given order (the caller sorts them: by file order, capacity, priority...).
/// Children are conserved: covered + uncovered_total equals the children total.
CoverageResult capacity_coverage(const Grid<float>& friction_min_per_m, const std::vector<CoverageFacility>& facilities,
                                 const Grid<float>& children, const TravelTimeOptions& travel, double catchment_min);

/// The same from catchments already computed (compute_catchments with max_minutes =
/// catchment_search_limit(catchment_min)); catchments[j] belongs to facilities[j].
CoverageResult capacity_coverage(const std::vector<CoverageFacility>& facilities,
                                 const std::vector<const Catchment*>& catchments, const Grid<float>& children);

}  // namespace accessplan
