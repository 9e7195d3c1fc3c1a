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

// Layers holding several services (zones, gaps, no_access, ranking) are drawn by QGIS's rule-based renderer with one
// group rule per service, labelled with the service's name; only `shown` is ticked, so one service is drawn at a time
// and the legend's tick boxes switch between them. Expressions always double-quote field names (`"service"`), which is
// how `accessplan export` finds them to rename for a shapefile.

/// Zones filled by the share of children within the threshold (`<service>_pct_within`; pct_within_classes).
std::string zones_qml(const std::vector<std::string>& services, const std::string& shown);

/// Gap polygons of each service (`service`): red outline, hatched by area class (island, border, remote; combinations
/// and none).
std::string gaps_qml(const std::vector<std::string>& services, const std::string& shown);

/// Ranked candidate sites of each service (`service`): white stars labelled with their rank (labels only on the
/// drawn service's sites).
std::string ranking_qml(const std::vector<std::string>& services, const std::string& shown);
/// The `plan` layer: its sites coloured by `year` (plan_year_colour, the years as the layer holds them), labelled with it.
std::string plan_qml(const std::vector<std::string>& years);

/// Land in the study area from which no facility of a service can be reached (the `no_access` layer): filled with
/// unreachable_colour(). Drawn with a travel-time raster, whose nodata is transparent, it tells unreachable land from
/// the sea and from land beyond the study area.
std::string no_access_qml(const std::vector<std::string>& services, const std::string& shown);

/// The study area: its outline only.
std::string study_area_qml();

/// The national border: a purple dash-dot line (as on the maps).
std::string national_border_qml();

/// A travel-time raster in minutes: discrete classes around the threshold (travel_time_classes). Nodata is
/// transparent: it is the sea, land beyond the study area, and land no facility can reach, which the raster cannot
/// tell apart (the no_access layer of access.gpkg draws the last).
std::string travel_time_qml(double threshold_min);

/// A change-of-travel-time raster in minutes (compare): time_change_classes; nodata transparent.
std::string time_change_qml();

/// A comparison's status-change raster (compare, status_change_code): the cells that became reachable or unreachable
/// in the maps' colours (status_change_categories), cells unreachable both times in the no-access grey; cells whose
/// status did not change, and nodata, transparent.
std::string status_change_qml(double threshold_min, Lang lang = Lang::en);

/// Embeds the default styles of an accessplan access.gpkg (facilities, zones, gaps, no_access, ranking, study area,
/// national border: those of its layers that exist) into its `layer_styles` table. `services` name the services in the
/// run's order; zones show the first, gaps, no_access and ranking the first they have features of.
void style_access_geopackage(const std::filesystem::path& gpkg, const std::vector<std::string>& services,
                             const std::vector<std::string>& facility_types);

}  // namespace accessplan::viz
