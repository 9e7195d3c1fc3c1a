// A scenario on real data: WorldPop 2020 (1 km) of central Hanoi, the OpenStreetMap extract's schools, health
// facilities, pools and roads, read straight from the .osm.pbf. Skips when ../shared/data/vietnam is absent.

#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

TEST_CASE("central Hanoi: real population and OSM facilities through the whole pipeline", "[integration][realdata]") {
    REQUIRE_SHARED_DATA(data);
    test::TempDir dir;
    const fs::path pbf = data / "osm" / "hanoi_center_bbbike_2026-05-05.osm.pbf";
    std::ofstream(dir / "hanoi.yaml") << "schema_version: 1\n"
                                         "name: central Hanoi\n"
                                         "area: {bbox: [105.79, 20.95, 105.87, 21.05], cell_size_m: 100, buffer_m: 1000}\n"
                                         "population: {total: '"
                                      << (data / "fixtures" / "hanoi_center" / "worldpop2020_1km_hanoi_center.tif").string()
                                      << "'}\nfacilities: {file: '" << pbf.string() << "'}\n"
                                      << "travel: {landcover: {uniform: 50}, roads: '" << pbf.string() << "'}\n"
                                      << "services:\n"
                                         "  - {name: school, facility_types: [school], target_group: primary, threshold_min: 30}\n"
                                         "  - {name: health, facility_types: [hospital, clinic, doctors], target_group: under5, "
                                         "threshold_min: 30, mode: motorbike}\n"
                                         "  - {name: swimming_pool, facility_types: [swimming_pool], target_group: swim_6_15, "
                                         "threshold_min: 30}\n";
    auto scenario = scenarios::load_scenario(dir / "hanoi.yaml");
    fs::create_directories(dir / "out");
    auto result = scenarios::run_scenario(scenario, dir / "out");

    // WorldPop total of the clip (MANIFEST: 2,318,648) is kept by the sum-preserving resampling.
    CHECK(result.population_total == Approx(2318648.0).epsilon(1e-3));
    CHECK(result.population_in_area < result.population_total);  // the 1 km buffer holds people too
    CHECK(result.population_in_area > 0.8 * result.population_total);
    CHECK(result.grid.crs.epsg == std::optional<int>(32648));
    std::map<std::string, int> placed, total;
    for (const auto& p : result.placements) {
        ++total[p.service];
        if (p.status == "on_cell" || p.status == "moved") ++placed[p.service];
    }
    CHECK(total["school"] == 28);
    CHECK(total["swimming_pool"] == 5);
    CHECK(total["health"] == 17);  // hospital 10 + clinic 6 + doctors 1
    CHECK(placed["school"] == 28);
    for (const auto& s : result.services) {
        INFO(s.service);
        CHECK(s.access.children == Approx(result.population_in_area).epsilon(1e-6));  // no age bands: everyone
        CHECK(s.access.pct_within() > 5.0);
        CHECK(s.access.pct_within() < 100.0);
        CHECK(s.access.mean_min > 0.0);
    }
    // More facilities serve more people: health (17 sites, motorbike) reaches more within 30 min than 5 pools on foot.
    auto pct = [&](const std::string& name) {
        for (const auto& s : result.services)
            if (s.service == name) return s.access.pct_within();
        return -1.0;
    };
    CHECK(pct("health") > pct("swimming_pool"));
    // Travel time is 0 at school cells, and the raster has the analysis grid.
    auto t = geodata::read_raster_float(dir / "out" / "rasters" / "travel_time_school.tif");
    CHECK(t.spec().same_grid_as(result.grid));
    std::size_t zeros = 0;
    for (float v : t.values()) zeros += (v == 0.0f) ? 1 : 0;
    CHECK(zeros >= 20);
    CHECK(zeros <= 28);
}
