// Tests on real Vietnamese data from ../shared/data/vietnam (see its MANIFEST.txt). They skip, with a message, when
// the folder is absent.

#include <catch2/catch.hpp>

#include <map>

#include "accessplan/engine/snap.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("central Hanoi OSM extract yields the facilities osmium counts", "[geodata][osm][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const auto pbf = data / "osm" / "hanoi_center_bbbike_2026-05-05.osm.pbf";
    const Crs utm = geodata::utm_crs_for(105.83, 21.0);
    auto facilities = geodata::read_osm_facilities(pbf, utm);
    std::map<std::string, int> by_type, nodes_by_type;
    int with_healthcare_tag = 0;
    for (const auto& f : facilities) {
        ++by_type[f.type];
        if (f.osm_id.rfind("node/", 0) == 0) ++nodes_by_type[f.type];
        if (f.tags.count("healthcare")) ++with_healthcare_tag;
        // Every facility lands in (or near) the extract: UTM 48N, central Hanoi.
        REQUIRE(f.x == Approx(586000).margin(12000));
        REQUIRE(f.y == Approx(2323000).margin(12000));
    }
    // MANIFEST.txt (osmium 1.15): amenity=school 28 (3 nodes + 25 ways), kindergarten 10, hospital 10, clinic 6,
    // healthcare=* 28, leisure=playground 7, swimming_pool 5.
    CHECK(by_type["school"] == 28);
    CHECK(nodes_by_type["school"] == 3);
    CHECK(by_type["kindergarten"] == 10);
    CHECK(by_type["hospital"] == 10);
    CHECK(by_type["clinic"] == 6);
    CHECK(by_type["playground"] == 7);
    CHECK(by_type["swimming_pool"] == 5);
    CHECK(with_healthcare_tag == 28);

    auto roads = geodata::read_osm_roads(pbf, utm);
    CHECK(roads.size() > 2300);  // MANIFEST: 2,398 highway ways, ~2,387 line features
    CHECK(roads.size() <= 2398);
    std::size_t classified = 0;
    for (const auto& r : roads) classified += road_class_from_osm(r.attribute("highway")).has_value() ? 1 : 0;
    CHECK(classified > roads.size() * 9 / 10);
}

TEST_CASE("Ha Giang WorldPop keeps its total through reprojection to 100 m", "[geodata][population][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const auto dir = data / "fixtures" / "ha_giang";
    auto area = geodata::read_study_area(dir / "geoboundaries_adm1_ha_giang.geojson", geodata::wgs84());
    GridSpec grid = geodata::make_analysis_grid(*area, geodata::wgs84(), {100.0, 5000.0, std::nullopt});
    CHECK(grid.crs.epsg == std::optional<int>(32648));
    ResampleReport report;
    Grid<float> pop = geodata::resample_counts(dir / "worldpop2020_1km_ha_giang.tif", 1, grid, &report);
    double total = 0.0;
    for (float v : pop.values()) total += v;
    // MANIFEST.txt: sum 855,216 (census 2019 ~854.7k). Must be kept within 0.1%.
    CHECK(report.source_total == Approx(855216.0).epsilon(1e-4));
    CHECK(total == Approx(855216.0).epsilon(1e-3));
    CHECK(total == Approx(report.kept_total).epsilon(1e-6));
}

TEST_CASE("Phu Quoc: island children cannot reach a facility on other land without a ferry",
          "[geodata][traveltime][island][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const auto dir = data / "fixtures" / "phu_quoc";
    const auto land_file = dir / "gshhg_f_land_phu_quoc.geojson";
    auto area = geodata::read_study_area(land_file, geodata::wgs84());
    GridSpec grid = geodata::make_analysis_grid(*area, geodata::wgs84(), {100.0, 2000.0, std::nullopt});
    auto land = geodata::read_features(land_file, grid.crs);
    // Phu Quoc is the largest polygon (~574 km2); any other land polygon stands in for "elsewhere".
    std::size_t island = 0, other = 0;
    for (std::size_t i = 0; i < land.size(); ++i)
        if (land[i].geometry->toPolygon()->get_Area() > land[island].geometry->toPolygon()->get_Area()) island = i;
    for (std::size_t i = 0; i < land.size(); ++i)
        if (i != island && (other == island || land[i].geometry->toPolygon()->get_Area() >
                                                   land[other].geometry->toPolygon()->get_Area()))
            other = i;
    CHECK(land[island].geometry->toPolygon()->get_Area() / 1e6 == Approx(574).margin(15));

    std::vector<const OGRGeometry*> geoms;
    std::vector<std::int32_t> ids;
    for (std::size_t i = 0; i < land.size(); ++i) {
        geoms.push_back(land[i].geometry.get());
        ids.push_back(static_cast<std::int32_t>(i + 1));
    }
    Grid<std::int32_t> land_id = geodata::rasterize(geoms, ids, grid, false);
    Grid<std::uint8_t> cover(grid, landcover::water);
    for (std::size_t i = 0; i < cover.size(); ++i)
        if (land_id[i] != 0) cover[i] = landcover::cropland;
    Grid<float> friction = build_friction({&cover, nullptr, nullptr, nullptr}, default_motorbike_mode());

    Grid<float> pop = geodata::resample_counts(dir / "worldpop2020_1km_phu_quoc.tif", 1, grid);
    double island_pop = 0.0;
    for (std::size_t i = 0; i < pop.size(); ++i)
        if (land_id[i] == static_cast<std::int32_t>(island + 1)) island_pop += pop[i];
    CHECK(island_pop > 50000.0);

    auto facility_at = geodata::representative_point(*land[other].geometry);
    REQUIRE(facility_at);
    SnapResult snap = snap_to_passable(friction, facility_at->first, facility_at->second, 300.0);
    REQUIRE(snap.placed());
    auto reached_island_pop = [&](const TravelTimeResult& r) {
        double reached = 0.0;
        for (std::size_t i = 0; i < pop.size(); ++i)
            if (land_id[i] == static_cast<std::int32_t>(island + 1) && std::isfinite(r.minutes[i])) reached += pop[i];
        return reached;
    };
    auto without = compute_travel_time(friction, {{snap.cell, 1}});
    CHECK(reached_island_pop(without) == 0.0);

    // A ferry from the island's point-on-surface cell to the facility's land: now the island is served.
    auto port = geodata::representative_point(*land[island].geometry);
    SnapResult port_snap = snap_to_passable(friction, port->first, port->second, 300.0);
    REQUIRE(port_snap.placed());
    TravelTimeOptions o;
    o.extra_edges.push_back({port_snap.cell, snap.cell, 90.0});
    auto with = compute_travel_time(friction, {{snap.cell, 1}}, o);
    CHECK(reached_island_pop(with) > 0.95 * island_pop);
}
