#pragma once
// Population-weighted summary of travel times for one service: how many children, how many within the threshold,
// how many cannot reach any facility (reported separately, never dropped), mean / median / 90th percentile time.

#include <array>
#include <cstdint>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan {

/// Upper limits (minutes) of the travel-time bands: 0-15, 15-30, 30-60, 60-120, then >120; unreachable apart.
inline constexpr std::array<double, 4> travel_time_band_limits{15.0, 30.0, 60.0, 120.0};
inline constexpr std::array<const char*, 5> travel_time_band_names{"0-15", "15-30", "30-60", "60-120", ">120"};

struct AccessSummary {
    double children = 0.0;          ///< all children counted (reachable or not)
    double within_threshold = 0.0;  ///< travel time <= threshold
    double unreachable = 0.0;       ///< no facility reachable at all
    double mean_min = 0.0;          ///< population-weighted, over reachable children (NaN when none)
    double median_min = 0.0;
    double p90_min = 0.0;
    /// Children per travel-time band (travel_time_band_names); unreachable children are in `unreachable` only.
    std::array<double, 5> bands{};
    double pct_within() const noexcept { return children > 0.0 ? 100.0 * within_threshold / children : 0.0; }
};

/// Summary over cells where `include` (if given) is non-zero. Children with NaN or negative counts are an InputError.
AccessSummary summarize_access(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                               const Grid<std::uint8_t>* include = nullptr);

/// Several summaries in one pass: summary k over the cells where masks[k] is non-zero (nullptr = every cell), e.g.
/// all, island, border, remote and none at once. At most 32 masks. The same figures as summarize_access per mask.
std::vector<AccessSummary> summarize_access_masks(const Grid<float>& children, const Grid<float>& minutes,
                                                  double threshold_min,
                                                  const std::vector<const Grid<std::uint8_t>*>& masks);

/// The same with each summary's cells given by a byte per cell instead of a mask per summary: summary k (k < count
/// <= 32) counts cell i where bit k of membership[labels[i]] is set, e.g. every area-class filter over the area-class
/// flags, with no mask grid made.
std::vector<AccessSummary> summarize_access_labels(const Grid<float>& children, const Grid<float>& minutes,
                                                   double threshold_min, const Grid<std::uint8_t>& labels,
                                                   const std::array<std::uint32_t, 256>& membership, std::size_t count);

/// One summary per zone in one pass: summary z - 1 over the cells whose id is z (1..zone_count; 0 = no zone).
std::vector<AccessSummary> summarize_access_zones(const Grid<float>& children, const Grid<float>& minutes,
                                                  double threshold_min, const Grid<std::int32_t>& zone_ids,
                                                  std::size_t zone_count);
std::vector<AccessSummary> summarize_access_zones(const Grid<float>& children, const Grid<float>& minutes,
                                                  double threshold_min, const Grid<std::uint16_t>& zone_ids,
                                                  std::size_t zone_count);

/// The same over an explicit list of cells (e.g. the cells of one zone), in O(cells) rather than O(grid).
AccessSummary summarize_access_cells(const Grid<float>& children, const Grid<float>& minutes, double threshold_min,
                                     const std::vector<std::uint32_t>& cells);

/// The Gini index of travel time over children: 0 when every child is as far as every other, towards 1 when a few
/// children bear all the travel time. Times are capped at `cap_min` (no access counts as the cap); cells without
/// children do not count. Weighted form: sum_i sum_j w_i w_j |t_i - t_j| / (2 W^2 mean). 0 when there are no
/// children or every time is 0.
double travel_time_gini(const Grid<float>& children, const Grid<float>& minutes, double cap_min);

}  // namespace accessplan
