#pragma once
// `accessplan validate`: everything that can be checked before any computation.

#include <string>
#include <vector>

#include "accessplan/scenarios/scenario.hpp"

namespace accessplan::scenarios {

/// Opens every input the scenario names and checks what a run would otherwise find late: rasters readable, layers
/// present, facility modifications referring to facilities that exist. Returns every problem found (empty = ok).
/// The scenario itself has been loaded (load_scenario reports its own problems all at once). What a run would warn
/// about and validate can already see (a facility type no facility has) goes to `warnings` when given.
std::vector<std::string> check_inputs(const Scenario& scenario, std::vector<std::string>* warnings = nullptr);

}  // namespace accessplan::scenarios
