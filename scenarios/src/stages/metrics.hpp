#pragma once
// Stage 5: access metrics per service. Takes the children per target group, the travel times, the area classes, the
// placed facilities (with capacities) and the zones; gives per service the access summary (all children and by area
// class), capacity coverage (AccessMod "geographic coverage"), E2SFCA (Luo & Qi 2009), gap clusters, and per zone the
// same figures (zonal statistics).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ogr_geometry.h>

#include "accessplan/scenarios/pipeline.hpp"
#include "facilities.hpp"
#include "inputs.hpp"
#include "stage_clock.hpp"
#include "accessplan/engine/memory.hpp"
#include "travel.hpp"

namespace accessplan::scenarios::detail {

class EarlyRelease;  // results.hpp

/// A service's gap clusters as polygons, by rank.
using GapShapes = std::map<std::int32_t, std::unique_ptr<OGRGeometry>>;

struct MetricsInputs {
    const Scenario& scenario;
    const RunInputs& inputs;
    const FacilitySet& facilities;
    const std::map<std::string, TravelTimeOptions>& travel;
    const std::vector<TravelTimeResult>& times;  ///< per service
    const Grid<std::uint8_t>& area_flags;
    SearchReuse reuse;  ///< catchments of an earlier run
    TransientMemory* memory = nullptr;  ///< the run's memory guard: catchments are counted there
    /// Set: the friction, E2SFCA and nearest-facility grids are written and freed as soon as the metrics no longer
    /// read them, and the gap grids are polygonized and freed (a run nothing reads them from later).
    EarlyRelease* early = nullptr;
};

struct Metrics {
    std::vector<ServiceResult> services;          ///< per Scenario::services
    std::vector<ZoneResult> zones;                ///< when the scenario has zones
    std::vector<Grid<float>> accessibility;       ///< E2SFCA per 1,000 children, per service (empty: written early)
    std::vector<Grid<std::int32_t>> gap_grids;    ///< gap cluster rank per cell (0 = none), per service (empty: freed early)
    std::vector<GapShapes> gap_shapes;            ///< per service where the gap grids were freed early, else none
};

/// Computes every metric; warnings (e.g. capacity coverage skipped) are appended to `warnings`.
Metrics compute_metrics(const MetricsInputs& in, StageClock& clock, std::vector<std::string>& warnings);

}  // namespace accessplan::scenarios::detail
