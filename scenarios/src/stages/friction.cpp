#include "friction.hpp"

#include "accessplan/engine/travel_model.hpp"
#include "inputs.hpp"

namespace accessplan::scenarios::detail {

std::map<std::string, Grid<float>> friction_per_mode(const Scenario& s, const FrictionLayers& layers,
                                                     const std::vector<FrictionEdit>& edits) {
    FrictionInputs inputs{layers.landcover, layers.roads, layers.rivers, layers.border, layers.buildings};
    inputs.landcover_source = s.landcover_uniform ? std::string("travel.landcover.uniform") : s.landcover.string() + " (land cover)";
    std::map<std::string, Grid<float>> friction;
    for (const auto& m : friction_modes(s)) {
        Grid<float>& f = friction[m] = build_friction(inputs, s.modes.at(m));
        apply_friction_edits(edits, m, f, layers.border);
    }
    return friction;
}

}  // namespace accessplan::scenarios::detail
