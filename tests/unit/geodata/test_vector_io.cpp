#include <catch2/catch.hpp>

#include <fstream>

#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("CSV points: x/y in the analysis CRS, lon/lat in WGS 84", "[geodata][vector]") {
    test::TempDir dir;
    { std::ofstream(dir / "xy.csv") << "id,name,x,y\n1,Truong A,500150,1999950\n2,Truong B,500250,1999850\n"; }
    geodata::ReadOptions o;
    o.csv_xy_crs = test::test_crs();
    auto pts = geodata::read_points(dir / "xy.csv", test::test_crs(), o);
    REQUIRE(pts.size() == 2);
    CHECK(pts[0].x == Approx(500150.0));
    CHECK(pts[1].attributes.at("name") == "Truong B");
    // Without a CRS for x/y the reader refuses rather than guess.
    REQUIRE_THROWS_WITH(geodata::read_points(dir / "xy.csv", test::test_crs()), Catch::Contains("lon/lat"));

    { std::ofstream(dir / "ll.csv") << "name,lon,lat\nHoan Kiem,105.8523,21.0285\n"; }
    auto ll = geodata::read_points(dir / "ll.csv", test::test_crs());
    REQUIRE(ll.size() == 1);
    CHECK(ll[0].x == Approx(588600).margin(2000));  // UTM 48N easting of central Hanoi
    CHECK(ll[0].y == Approx(2325600).margin(2000));

    { std::ofstream(dir / "bad.csv") << "name,east,north\nA,1,2\n"; }
    REQUIRE_THROWS_WITH(geodata::read_points(dir / "bad.csv", test::test_crs()),
                        Catch::Contains("bad.csv") && Catch::Contains("east"));

    // Coordinates are read strictly: OGR's CSV driver took "500,150" as 500.15 (a decimal comma).
    { std::ofstream(dir / "sep.csv") << "id,name,x,y\n1,Truong A,500150,1999950\n2,Truong B,\"500,250\",1999850\n"; }
    REQUIRE_THROWS_WITH(geodata::read_points(dir / "sep.csv", test::test_crs(), o),
                        Catch::Contains("sep.csv: feature 2: x: '500,250' has a thousands separator") &&
                            Catch::Contains("write 500250"));
    { std::ofstream(dir / "words.csv") << "name,lon,lat\nHoan Kiem,105.8523 E,21.0285\n"; }
    REQUIRE_THROWS_WITH(geodata::read_points(dir / "words.csv", test::test_crs()),
                        Catch::Contains("words.csv: feature 1: lon: '105.8523 E' has text after the number"));
    { std::ofstream(dir / "spaced.csv") << "name,lon,lat\nHoan Kiem, 105.8523 ,21.0285\n"; }
    CHECK(geodata::read_points(dir / "spaced.csv", test::test_crs()).size() == 1);
    // A filter leaves out rows, and their coordinates are not read.
    geodata::ReadOptions only_a = o;
    only_a.where = "name = 'Truong A'";
    CHECK(geodata::read_points(dir / "sep.csv", test::test_crs(), only_a).size() == 1);
}

TEST_CASE("vector files without a CRS or with a wrong layer are refused", "[geodata][vector][errors]") {
    test::TempDir dir;
    {
        std::ofstream(dir / "nocrs.geojson")
            << R"({"type":"FeatureCollection","crs":null,"features":[{"type":"Feature","properties":{},
                 "geometry":{"type":"Point","coordinates":[500100,2000100]}}]})";
    }
    // GeoJSON without "crs" is WGS 84 by the RFC; a projected coordinate then cannot be transformed.
    REQUIRE_THROWS_AS(geodata::read_points(dir / "nocrs.geojson", test::test_crs()), InputError);
    REQUIRE_THROWS_WITH(geodata::read_points(dir / "missing.gpkg", test::test_crs()), Catch::Contains("not found"));
    { std::ofstream(dir / "pts.csv") << "lon,lat\n105.8,21.0\n"; }
    geodata::ReadOptions o;
    o.layer = "schools";
    REQUIRE_THROWS_WITH(geodata::read_points(dir / "pts.csv", test::test_crs(), o), Catch::Contains("no layer 'schools'"));
}

TEST_CASE("OSM other_tags are parsed with escapes", "[geodata][osm]") {
    auto tags = geodata::parse_osm_other_tags(R"("amenity"=>"school","name:en"=>"Le \"Quy\" Don","isced:level"=>"1")");
    CHECK(tags.at("amenity") == "school");
    CHECK(tags.at("name:en") == "Le \"Quy\" Don");
    CHECK(tags.at("isced:level") == "1");
    CHECK(geodata::parse_osm_other_tags("").empty());
}

TEST_CASE("rasterising lines with all_touched keeps them connected", "[geodata][rasterize]") {
    GridSpec s = make_grid_spec(10, 10, 100.0, 500000.0, 2001000.0, test::test_crs());
    OGRLineString diagonal;
    diagonal.addPoint(500050.0, 2000950.0);
    diagonal.addPoint(500950.0, 2000050.0);
    auto g = geodata::rasterize({&diagonal}, {7}, s, true);
    for (std::size_t i = 0; i < 10; ++i) CHECK(g(i, i) == 7);
    CHECK(g(9, 0) == 0);
}
