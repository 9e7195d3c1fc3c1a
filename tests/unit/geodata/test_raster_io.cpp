#include <catch2/catch.hpp>

#include <fstream>

#include <gdal_priv.h>

#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/gdal_env.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

TEST_CASE("GeoTIFF round trip keeps values, georeferencing and nodata", "[geodata][raster]") {
    test::TempDir dir;
    auto g = test::grid_from_ascii("1 2 3 / 4 X 6", 100.0);
    geodata::RasterWriteOptions o;
    o.nodata = -9999.0;
    o.units = "minutes";
    geodata::write_geotiff(dir / "t.tif", g, o);
    auto back = geodata::read_raster_float(dir / "t.tif");
    REQUIRE(back.spec().same_grid_as(g.spec()));
    CHECK(back(2, 0) == 3.0f);
    CHECK(std::isnan(back(1, 1)));  // +inf written as nodata, read back as NaN
    CHECK(back.spec().crs.epsg == std::optional<int>(32648));
    auto info = geodata::read_raster_info(dir / "t.tif");
    REQUIRE(info.bands.size() == 1);
    CHECK(info.bands[0].nodata == std::optional<double>(-9999.0));
    // No temporary files are left beside the output.
    std::size_t files = 0;
    for (auto& e : fs::directory_iterator(dir.path())) {
        (void)e;
        ++files;
    }
    CHECK(files == 1);
}

TEST_CASE("missing, empty and corrupt rasters are input errors naming the file", "[geodata][raster][errors]") {
    test::TempDir dir;
    REQUIRE_THROWS_WITH(geodata::read_raster_float(dir / "nope.tif"), Catch::Contains("nope.tif") && Catch::Contains("not found"));
    { std::ofstream(dir / "empty.tif"); }
    REQUIRE_THROWS_AS(geodata::read_raster_float(dir / "empty.tif"), InputError);
    REQUIRE_THROWS_WITH(geodata::read_raster_float(dir / "empty.tif"), Catch::Contains("empty.tif"));
    { std::ofstream(dir / "junk.tif") << "II*\0 this is not a tiff at all"; }
    REQUIRE_THROWS_AS(geodata::read_raster_float(dir / "junk.tif"), InputError);
    auto g = test::grid_from_ascii("1 2", 100.0);
    geodata::write_geotiff(dir / "ok.tif", g);
    REQUIRE_THROWS_WITH(geodata::read_raster_float(dir / "ok.tif", 3), Catch::Contains("band 3"));
}

TEST_CASE("rotated rasters are refused with the gdalwarp fix", "[geodata][raster][errors]") {
    test::TempDir dir;
    geodata::ensure_gdal();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    const std::string path = (dir / "rotated.tif").string();
    GDALDataset* ds = drv->Create(path.c_str(), 4, 4, 1, GDT_Float32, nullptr);
    double gt[6] = {500000, 100, 10, 2000000, 10, -100};
    ds->SetGeoTransform(gt);
    GDALClose(ds);
    REQUIRE_THROWS_WITH(geodata::read_raster_float(path), Catch::Contains("rotated") && Catch::Contains("gdalwarp"));
}

TEST_CASE("class rasters must hold whole numbers 0..255", "[geodata][raster][errors]") {
    test::TempDir dir;
    auto g = test::grid_from_ascii("10 40 300", 100.0);
    geodata::write_geotiff(dir / "lc.tif", g);
    REQUIRE_THROWS_WITH(geodata::read_raster_byte(dir / "lc.tif"), Catch::Contains("300"));
}

TEST_CASE("output folders are swapped in whole or not at all", "[geodata][output]") {
    test::TempDir dir;
    const fs::path out = dir / "results";
    {
        geodata::OutputFolder folder(out, false);
        geodata::write_text_file(folder.staging() / "a.txt", "first");
        folder.commit();
    }
    CHECK(fs::exists(out / "a.txt"));
    // Without --overwrite an existing folder is refused before anything is written.
    REQUIRE_THROWS_WITH(geodata::OutputFolder(out, false), Catch::Contains("--overwrite"));
    // A run that fails midway (no commit) leaves the previous results untouched and no staging folder behind.
    {
        geodata::OutputFolder folder(out, true);
        geodata::write_text_file(folder.staging() / "b.txt", "half");
    }
    CHECK(fs::exists(out / "a.txt"));
    CHECK_FALSE(fs::exists(out / "b.txt"));
    std::size_t entries = 0;
    for (auto& e : fs::directory_iterator(dir.path())) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1);
    // With overwrite and a commit, the new folder replaces the old one completely.
    {
        geodata::OutputFolder folder(out, true);
        geodata::write_text_file(folder.staging() / "b.txt", "second");
        folder.commit();
    }
    CHECK(fs::exists(out / "b.txt"));
    CHECK_FALSE(fs::exists(out / "a.txt"));
}

TEST_CASE("auto-UTM picks the zone of the area's centre", "[geodata][crs]") {
    CHECK(geodata::utm_crs_for(105.85, 21.03).epsg == std::optional<int>(32648));  // Hanoi
    CHECK(geodata::utm_crs_for(108.2, 16.05).epsg == std::optional<int>(32649));   // Da Nang
    CHECK(geodata::utm_crs_for(-47.9, -15.8).epsg == std::optional<int>(32723));   // southern hemisphere
    REQUIRE_THROWS_WITH(geodata::crs_from_user("EPSG:99999999", "area.crs"), Catch::Contains("area.crs"));
}

TEST_CASE("analysis grid covers the area plus buffer in whole cells", "[geodata][grid]") {
    OGRPolygon square;
    OGRLinearRing ring;
    ring.addPoint(105.80, 21.00);
    ring.addPoint(105.90, 21.00);
    ring.addPoint(105.90, 21.08);
    ring.addPoint(105.80, 21.08);
    ring.closeRings();
    square.addRing(&ring);
    geodata::AnalysisGridOptions o;
    o.cell_size_m = 100.0;
    o.buffer_m = 1000.0;
    GridSpec s = geodata::make_analysis_grid(square, geodata::wgs84(), o);
    CHECK(s.crs.epsg == std::optional<int>(32648));
    CHECK(s.transform.cell_width() == 100.0);
    CHECK(std::fmod(s.transform.origin_x, 100.0) == Approx(0.0).margin(1e-6));
    // ~10.4 km x 8.9 km plus 2 km of buffer, rounded out to cells.
    CHECK(s.cols >= 124);
    CHECK(s.cols <= 128);
    CHECK(s.rows >= 108);
    CHECK(s.rows <= 112);
    o.crs = geodata::wgs84();
    REQUIRE_THROWS_WITH(geodata::make_analysis_grid(square, geodata::wgs84(), o), Catch::Contains("geographic"));
    o.crs.reset();
    o.cell_size_m = 0.0;
    REQUIRE_THROWS_WITH(geodata::make_analysis_grid(square, geodata::wgs84(), o), Catch::Contains("cell_size_m"));
}

TEST_CASE("resampling counts between aligned grids is an exact shift", "[geodata][population]") {
    test::TempDir dir;
    auto pop = test::grid_from_ascii("1 2 3 / 4 5 6", 100.0);  // origin 500000, 2000000
    geodata::write_geotiff(dir / "pop.tif", pop);
    // Target: one cell larger on every side, same cell size, aligned.
    GridSpec target = make_grid_spec(5, 4, 100.0, 499900.0, 2000100.0, test::test_crs());
    ResampleReport report;
    auto out = geodata::resample_counts(dir / "pop.tif", 1, target, &report);
    CHECK(out(1, 1) == 1.0f);
    CHECK(out(3, 2) == 6.0f);
    CHECK(out(0, 0) == 0.0f);
    CHECK(report.kept_total == Approx(21.0));
    // Shifted so that the last column falls outside: reported, not kept.
    GridSpec smaller = make_grid_spec(2, 2, 100.0, 500000.0, 2000000.0, test::test_crs());
    auto cut = geodata::resample_counts(dir / "pop.tif", 1, smaller, &report);
    CHECK(report.source_total == Approx(21.0));
    CHECK(report.kept_total == Approx(12.0));
    CHECK(cut(1, 1) == 5.0f);
}
