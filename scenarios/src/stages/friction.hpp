#pragma once
// Part of stage 3: the friction surface (minutes per metre) of every travel mode a run uses, from land cover, roads,
// rivers and the national border (engine/travel_model.hpp), with the scenario's road and flood modifications applied.

#include <map>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "../modifications.hpp"

namespace accessplan::scenarios::detail {

/// The class rasters friction is built from (land cover required; the others may be null).
struct FrictionLayers {
    const Grid<std::uint8_t>* landcover = nullptr;
    const Grid<std::uint8_t>* roads = nullptr;
    const Grid<std::uint8_t>* rivers = nullptr;
    const Grid<std::uint8_t>* border = nullptr;
    const Grid<std::uint8_t>* buildings = nullptr;
};

/// Friction per mode of friction_modes(s), after `edits` (road speeds, floods); border cells stay impassable.
std::map<std::string, Grid<float>> friction_per_mode(const Scenario& s, const FrictionLayers& layers,
                                                     const std::vector<FrictionEdit>& edits);

}  // namespace accessplan::scenarios::detail
