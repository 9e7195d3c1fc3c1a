#pragma once
// Part of stage 3: children of a target group on the analysis grid, from WorldPop-style age/sex bands or from a census
// table of age shares per zone; without either, people of all ages (with a warning).

#include <map>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "inputs.hpp"

namespace accessplan::scenarios::detail {

/// Children of target group `g` from age/sex bands (bands read once per run into `band_cache`, kept to the `allowed`
/// cells as the total population is), or the `total` population with a warning when the scenario has no age data. A
/// band the group splits is apportioned by Sprague's single years from the bands' totals in `study_area` (per sex), or
/// evenly by year with a warning where the bands do not allow it (engine/age_groups.hpp).
Grid<float> children_for(const Scenario& s, const TargetGroup& g, const GridSpec& grid, const Grid<float>& total,
                         const Grid<std::uint8_t>* allowed, const Grid<std::uint8_t>& study_area,
                         std::map<std::string, Grid<float>>& band_cache,
                         std::vector<std::string>& warnings);

/// Children of target group `g` from the total population and the census table of age shares per zone; a column the
/// group splits is apportioned by Sprague's single years from each zone's shares where the columns are 5-year groups,
/// else evenly by year with a warning.
Grid<float> children_from_shares(const Scenario& s, const TargetGroup& g, const Grid<float>& population,
                                 const LoadedZones& zones, const Grid<std::uint8_t>& study_area,
                                 std::vector<std::string>& warnings);

}  // namespace accessplan::scenarios::detail
