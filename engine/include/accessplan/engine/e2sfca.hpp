#pragma once
// Enhanced two-step floating catchment area accessibility (E2SFCA; Luo & Qi 2009):
//   step 1, per facility j:  R_j = S_j / sum_{k: t_kj <= T} P_k W(t_kj)
//   step 2, per cell i:      A_i = sum_{j: t_ij <= T} R_j W(t_ij)
// with S_j the facility's supply (capacity, or 1), P_k the children in cell k, t the home -> facility travel time and
// W a distance decay: Luo & Qi's three step weights (1, 0.68, 0.22 over thirds of the catchment) or a Gaussian.

#include <cstddef>
#include <vector>

#include "accessplan/engine/travel_time.hpp"

namespace accessplan {

enum class Decay { step, gaussian };

struct E2sfcaOptions {
    double catchment_min = 30.0;
    Decay decay = Decay::step;
    /// Step decay: (upper limit as a share of the catchment, weight), ascending. Default Luo & Qi (2009).
    std::vector<std::pair<double, double>> steps{{1.0 / 3.0, 1.0}, {2.0 / 3.0, 0.68}, {1.0, 0.22}};
    /// Gaussian decay W(t) = exp(-t^2 / beta) with W(T) = gaussian_weight_at_limit.
    double gaussian_weight_at_limit = 0.01;
    /// Cells whose access is summed at a time (a double each: 64 MB by default, not a gigabyte for a national grid;
    /// each band reads only the catchments that reach it); the sums are the same, in the same order, whatever the band.
    std::size_t band_cells = std::size_t{1} << 23;
};

/// Decay weight for travel time t (0 beyond the catchment).
double e2sfca_weight(double minutes, const E2sfcaOptions& options);

/// The same weight with the options worked out once (step limits in minutes, the Gaussian's beta), for the millions
/// of cells in the catchments of a run.
class DecayWeight {
public:
    explicit DecayWeight(const E2sfcaOptions& options);
    double operator()(double minutes) const noexcept;

private:
    double m_limit;
    bool m_gaussian;
    double m_beta = 1.0;
    std::vector<std::pair<double, double>> m_steps;  ///< (limit in minutes, weight), ascending
};

struct SupplyPoint {
    std::size_t cell = 0;
    double supply = 1.0;  ///< capacity (children it can serve), or 1 for "one facility"
};

/// Accessibility A_i per cell, in supply per child (multiply by 1000 for "per 1,000 children"). Cells reaching no
/// facility within the catchment get 0. Identical results whatever the thread count.
Grid<float> e2sfca(const Grid<float>& friction_min_per_m, const std::vector<SupplyPoint>& facilities,
                   const Grid<float>& children, const TravelTimeOptions& travel, const E2sfcaOptions& options);

/// The same from catchments already computed (compute_catchments with max_minutes = catchment_search_limit(catchment_min),
/// one per facility, in facility order), e.g. shared with capacity coverage. The catchments are consumed.
Grid<float> e2sfca(const std::vector<SupplyPoint>& facilities, std::vector<Catchment> catchments,
                   const Grid<float>& children, const E2sfcaOptions& options);

/// The same from catchments held elsewhere (one per facility, in facility order; read, not changed).
Grid<float> e2sfca(const std::vector<SupplyPoint>& facilities, const std::vector<const Catchment*>& catchments,
                   const Grid<float>& children, const E2sfcaOptions& options);

}  // namespace accessplan
