#pragma once
// Population-weighted summary of travel times for one service: how many children, how many within the threshold,
// how many cannot reach any facility (reported separately, never dropped), mean / median / 90th percentile time.

#include <cstdint>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

struct AccessSummary {
    double children = 0.0;          ///< all children counted (reachable or not)
    double within_threshold = 0.0;  ///< travel time <= threshold
    double unreachable = 0.0;       ///< no facility reachable at all
    double mean_min = 0.0;          ///< population-weighted, over reachable children (NaN when none)
    double median_min = 0.0;
    double p90_min = 0.0;
    double pct_within() const noexcept { return children > 0.0 ? 100.0 * within_threshold / children : 0.0; }
};

/// Summary over cells where `include` (if given) is non-zero. Children with NaN or negative counts are an InputError.
AccessSummary summarize_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                               const Grid<std::uint8_t>* include = nullptr);

}  // namespace accessplan
