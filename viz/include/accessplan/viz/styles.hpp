#pragma once
// QGIS styles (QML) for accessplan's outputs: embedded in access.gpkg (the `layer_styles` table QGIS reads its default
// styles from) and written beside each travel-time raster (`<raster>.qml`, which QGIS loads with the raster). Classes
// and colours come from palette.hpp, so QGIS shows what the maps and the report show.

#include <filesystem>
#include <string>
#include <vector>

#include "accessplan/viz/palette.hpp"

namespace accessplan::viz {

/// Facilities as points coloured by `type` (one category per type, in the order given, plus "other").
std::string facilities_qml(const std::vector<std::string>& types);

/// Zones filled by the share of children within the threshold of one service (`<service>_pct_within`).
std::string zones_qml(const std::string& service);

/// Gap polygons: red outline, hatched by area class (island, border, remote; combinations and none).
std::string gaps_qml();

/// Ranked candidate sites: white stars labelled with their rank.
std::string ranking_qml();

/// The study area: its outline only.
std::string study_area_qml();

/// The national border: a purple dash-dot line (as on the maps).
std::string national_border_qml();

/// A travel-time raster in minutes: discrete classes around the threshold (travel_time_classes), nodata (unreachable)
/// grey.
std::string travel_time_qml(double threshold_min);

/// A change-of-travel-time raster in minutes (compare): time_change_classes.
std::string time_change_qml();

/// Embeds the default styles of an accessplan access.gpkg (facilities, zones by the first service's share within its
/// threshold, gaps, ranking, study area, national border: those of its layers that exist) into its `layer_styles`
/// table. `services` name the services in the run's order.
void style_access_geopackage(const std::filesystem::path& gpkg, const std::vector<std::string>& services,
                             const std::vector<std::string>& facility_types);

}  // namespace accessplan::viz
