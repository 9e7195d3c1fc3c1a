#pragma once
// Part of stage 4: the facilities of every service on the analysis grid. Takes the scenario (its facility file and
// facility modifications) and the run's friction; gives the facility points, where each landed (snapped to the
// nearest passable cell of its service's mode), and per service the search sources and E2SFCA/coverage supplies.

#include <cstdint>
#include <string>
#include <vector>

#include "accessplan/engine/e2sfca.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "inputs.hpp"

namespace accessplan::scenarios::detail {

/// The facilities of one service.
struct ServiceFacilities {
    std::size_t count = 0;   ///< of the service's types, in the file (after modifications)
    std::size_t placed = 0;  ///< on the grid, within the snap distance of passable land
    std::vector<SourceCell> sources;   ///< placed facilities: cell and id
    std::vector<SupplyPoint> supplies;  ///< the same with their supply (capacity, or 1)
    struct Capacity {
        std::size_t cell;
        std::int32_t id;
        double capacity;
        std::string name;
        std::size_t supply;  ///< index in supplies (and in the service's catchments)
    };
    std::vector<Capacity> capacities;  ///< placed facilities with a known capacity
};

struct FacilitySet {
    std::vector<geodata::PointFeature> points;   ///< as read, after the facility modifications
    std::vector<FacilityPlacement> placements;   ///< per service × facility of its types, modes in name order
    std::vector<ServiceFacilities> services;     ///< per Scenario::services
};

/// The services' facility_types against the types the facilities have (`points`, after the modifications): a type no
/// facility has but close to one that exists (a typo: 'swiming_pool') is an InputError with "did you mean", all such at
/// once; a type absent altogether (a province may have no pools yet) is a warning, appended to `warnings` when given.
void check_facility_types(const Scenario& s, const std::vector<geodata::PointFeature>& points,
                          std::vector<std::string>* warnings);

/// Reads the facilities, applies the facility modifications and places each on the grid for every service of its
/// type. Warnings for services without facilities or with facilities off the grid. InputError for bad ids,
/// capacities or an empty layer.
FacilitySet place_facilities(const Scenario& s, const RunInputs& in, std::vector<std::string>& warnings);

}  // namespace accessplan::scenarios::detail
