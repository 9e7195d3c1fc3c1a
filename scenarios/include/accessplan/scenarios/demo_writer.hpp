#pragma once
// Writes the demo province as the real input files a planner would have: GeoTIFF rasters, one GeoPackage with
// boundaries, roads, rivers, border, ferries, settlements and facilities, and the scenario YAML that uses them.

#include <filesystem>

#include "accessplan/scenarios/demo_province.hpp"

namespace accessplan::demo {

/// Writes inputs into `folder`/inputs and the scenario into `folder`/scenario.yaml; returns the scenario's path.
std::filesystem::path write_demo_inputs(const DemoProvince& province, const std::filesystem::path& folder);

}  // namespace accessplan::demo
