#pragma once
// Writes the demo province as the real input files a planner would have: GeoTIFF rasters, one GeoPackage with
// boundaries, roads, rivers, border, ferries, settlements and facilities, and the scenario YAML that uses them.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "accessplan/scenarios/demo_province.hpp"

namespace accessplan::demo {

/// The scenario examples of scenarios/examples/ (file name, text), embedded at build time: baseline.yaml and the
/// what-ifs built on it.
const std::vector<std::pair<std::string, std::string>>& scenario_examples();

/// Writes the inputs into `folder`/inputs and the examples into `folder`/scenarios (their paths lead to ../inputs), apart
/// from any results, so that re-running a scenario with --overwrite cannot touch them; returns the path of
/// `folder`/scenarios/baseline.yaml.
std::filesystem::path write_demo_inputs(const DemoProvince& province, const std::filesystem::path& folder);

}  // namespace accessplan::demo
