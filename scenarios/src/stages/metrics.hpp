#pragma once
// Stage 5: access metrics per service. Takes the children per target group, the travel times, the area classes, the
// placed facilities (with capacities) and the zones; gives per service the access summary (all children and by area
// class), capacity coverage (AccessMod "geographic coverage"), E2SFCA (Luo & Qi 2009), gap clusters, and per zone the
// same figures (zonal statistics).

#include <map>
#include <string>
#include <vector>

#include "accessplan/scenarios/pipeline.hpp"
#include "facilities.hpp"
#include "inputs.hpp"
#include "stage_clock.hpp"
#include "accessplan/engine/memory.hpp"
#include "travel.hpp"

namespace accessplan::scenarios::detail {

struct MetricsInputs {
    const Scenario& scenario;
    const RunInputs& inputs;
    const FacilitySet& facilities;
    const std::map<std::string, TravelTimeOptions>& travel;
    const std::vector<TravelTimeResult>& times;  ///< per service
    const Grid<std::uint8_t>& area_flags;
    SearchReuse reuse;  ///< catchments of an earlier run
    TransientMemory* memory = nullptr;  ///< the run's memory guard: catchments are counted there
};

struct Metrics {
    std::vector<ServiceResult> services;          ///< per Scenario::services
    std::vector<ZoneResult> zones;                ///< when the scenario has zones
    std::vector<Grid<float>> accessibility;       ///< E2SFCA per 1,000 children, per service
    std::vector<Grid<std::int32_t>> gap_grids;    ///< gap cluster rank per cell (0 = none), per service
};

/// Computes every metric; warnings (e.g. capacity coverage skipped) are appended to `warnings`.
Metrics compute_metrics(const MetricsInputs& in, StageClock& clock, std::vector<std::string>& warnings);

}  // namespace accessplan::scenarios::detail
