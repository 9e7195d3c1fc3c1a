#pragma once
// Every file and layer of a results folder, by name (docs/outputs.md and docs/scenarios.md "Outputs"). The run, compare,
// export, viz and the Python module ask this value for a path; nothing else spells one.

#include <filesystem>
#include <string>

namespace accessplan::scenarios {

/// The layout of a results folder (its files, their columns and formats), in summary.json and run.json. Raised when
/// a change means older folders cannot be read as they are: 2 = Cloud-Optimized rasters and QGIS styles.
inline constexpr int results_schema = 2;

class ResultsLayout {
public:
    explicit ResultsLayout(std::filesystem::path root) : m_root(std::move(root)) {}

    const std::filesystem::path& root() const noexcept { return m_root; }

    // Tables and provenance of a run.
    std::filesystem::path summary_json() const { return m_root / "summary.json"; }
    std::filesystem::path summary_csv() const { return m_root / "summary.csv"; }
    std::filesystem::path bands_csv() const { return m_root / "bands.csv"; }
    std::filesystem::path zones_csv() const { return m_root / "zones.csv"; }
    std::filesystem::path gaps_csv() const { return m_root / "gaps.csv"; }
    std::filesystem::path islands_csv() const { return m_root / "islands.csv"; }
    std::filesystem::path facilities_load_csv() const { return m_root / "facilities_load.csv"; }
    std::filesystem::path facilities_placement_csv() const { return m_root / "facilities_placement.csv"; }
    std::filesystem::path ranking_csv() const { return m_root / "ranking.csv"; }
    std::filesystem::path cost_curve_csv() const { return m_root / "cost_curve.csv"; }
    std::filesystem::path programmes_csv() const { return m_root / "programmes.csv"; }
    std::filesystem::path budget_curve_csv() const { return m_root / "budget_curve.csv"; }
    std::filesystem::path robustness_csv() const { return m_root / "robustness.csv"; }
    std::filesystem::path plan_csv() const { return m_root / "plan.csv"; }
    std::filesystem::path plan_years_csv() const { return m_root / "plan_years.csv"; }
    std::filesystem::path plan_access_csv() const { return m_root / "plan_access.csv"; }
    std::filesystem::path run_json() const { return m_root / "run.json"; }
    std::filesystem::path access_gpkg() const { return m_root / "access.gpkg"; }
    std::filesystem::path report_html() const { return m_root / "report.html"; }

    // Rasters (Cloud-Optimized GeoTIFFs) and the QGIS styles beside them.
    std::filesystem::path rasters_dir() const { return m_root / "rasters"; }
    std::filesystem::path travel_time_tif(const std::string& service) const { return raster("travel_time_" + service + ".tif"); }
    std::filesystem::path travel_time_qml(const std::string& service) const { return raster("travel_time_" + service + ".qml"); }
    std::filesystem::path nearest_tif(const std::string& service) const { return raster("nearest_" + service + ".tif"); }
    std::filesystem::path e2sfca_tif(const std::string& service) const { return raster("e2sfca_" + service + ".tif"); }
    std::filesystem::path children_tif(const std::string& group) const { return raster("children_" + group + ".tif"); }
    std::filesystem::path friction_tif(const std::string& mode) const { return raster("friction_" + mode + ".tif"); }
    std::filesystem::path area_class_tif() const { return raster("area_class.tif"); }
    std::filesystem::path land_tif() const { return raster("land.tif"); }
    std::filesystem::path zones_tif() const { return raster("zones.tif"); }

    // Maps.
    std::filesystem::path maps_dir() const { return m_root / "maps"; }
    std::filesystem::path maps_pdf() const { return maps_dir() / "maps.pdf"; }
    std::filesystem::path travel_time_png(const std::string& service) const { return maps_dir() / ("travel_time_" + service + ".png"); }

    // A comparison's folder (accessplan compare).
    std::filesystem::path compare_csv() const { return m_root / "compare.csv"; }
    std::filesystem::path compare_json() const { return m_root / "compare.json"; }
    std::filesystem::path compare_zones_csv() const { return m_root / "compare_zones.csv"; }
    std::filesystem::path changed_areas_csv() const { return m_root / "changed_areas.csv"; }
    std::filesystem::path diff_travel_time_tif(const std::string& service) const { return raster("diff_travel_time_" + service + ".tif"); }
    std::filesystem::path access_change_tif(const std::string& service) const { return raster("access_change_" + service + ".tif"); }
    std::filesystem::path status_change_tif(const std::string& service) const { return raster("status_change_" + service + ".tif"); }
    std::filesystem::path change_png(const std::string& service) const { return maps_dir() / ("change_" + service + ".png"); }

    // Layers of access.gpkg.
    static constexpr const char* facilities_layer = "facilities";
    static constexpr const char* zones_layer = "zones";
    static constexpr const char* gaps_layer = "gaps";
    static constexpr const char* no_access_layer = "no_access";
    static constexpr const char* ranking_layer = "ranking";
    static constexpr const char* plan_layer = "plan";
    static constexpr const char* study_area_layer = "study_area";
    static constexpr const char* national_border_layer = "national_border";
    /// The box an OpenStreetMap input is complete in, when the study area reaches beyond it (results there lack its
    /// roads and facilities).
    static constexpr const char* osm_extract_layer = "osm_extract";

private:
    std::filesystem::path raster(const std::string& name) const { return m_root / "rasters" / name; }

    std::filesystem::path m_root;
};

}  // namespace accessplan::scenarios
