#include <catch2/catch.hpp>

#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST_CASE("rasters are written as Cloud-Optimized GeoTIFF with overviews, units and description", "[geodata][raster][cog]") {
    test::TempDir dir;
    GridSpec spec{700, 600, GeoTransform{500000.0, 100.0, 0.0, 2300000.0, 0.0, -100.0}, test::test_crs()};
    Grid<float> minutes(spec, 0.0f);
    Grid<std::int32_t> ids(spec, 0);
    for (std::size_t i = 0; i < minutes.size(); ++i) {
        minutes[i] = static_cast<float>(i % 997) / 7.0f;
        ids[i] = static_cast<std::int32_t>(i % 13);
    }
    minutes[5] = std::numeric_limits<float>::infinity();
    geodata::RasterWriteOptions o;
    o.description = "travel time to primary_school";
    o.units = "minutes";
    o.metadata = {{"SERVICE", "primary_school"}};
    geodata::write_geotiff(dir / "t.tif", minutes, o);
    geodata::write_geotiff(dir / "ids.tif", ids, geodata::RasterWriteOptions{0.0, "nearest facility id", "", {}});
    for (const char* f : {"t.tif", "ids.tif"}) {
        auto info = geodata::read_raster_info(dir / f);
        INFO(f);
        CHECK(info.layout == "COG");  // GDAL's own check of the tiling, overview and IFD order
        REQUIRE(info.bands.size() == 1);
        CHECK(info.bands[0].overviews >= 1);  // 700 x 600 in 256-pixel tiles: at least one overview
    }
    auto info = geodata::read_raster_info(dir / "t.tif");
    CHECK(info.bands[0].units == "minutes");
    CHECK(info.bands[0].description == "travel time to primary_school");
    CHECK(info.bands[0].nodata == std::optional<double>(-9999.0));
    auto back = geodata::read_raster_float(dir / "t.tif");
    CHECK(std::isnan(back[5]));
    CHECK(back[1000] == minutes[1000]);
    auto back_ids = geodata::read_raster_float(dir / "ids.tif");
    CHECK(back_ids[12] == 12.0f);
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

TEST_CASE("staging folders left by killed runs of this machine are removed, other machines' are not", "[geodata][output]") {
    test::TempDir dir;
    const fs::path out = dir / "results";
    // A pid that no longer runs: a child that has exited and been reaped.
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    REQUIRE(child > 0);
    REQUIRE(::waitpid(child, nullptr, 0) == child);
    std::string host;
    {
        geodata::OutputFolder probe(out, false);  // its staging name ends with this machine's name
        const std::string name = probe.staging().filename().string();
        host = name.substr(name.find('@') + 1);
    }
    REQUIRE_FALSE(host.empty());
    const std::string stem = fmt::format(".results.tmp-{}-0", child);
    for (const std::string& name : {stem + "@" + host, stem, stem + "@another-machine"}) fs::create_directory(dir / name);
    {
        geodata::OutputFolder folder(out, false);
        // Its own staging folder, and the one of the machine whose processes it cannot ask.
        CHECK_FALSE(fs::exists(dir / (stem + "@" + host)));
        CHECK_FALSE(fs::exists(dir / stem));  // written by an accessplan before host names
        CHECK(fs::exists(dir / (stem + "@another-machine")));
        CHECK(fs::exists(folder.staging()));
    }
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

namespace {
// A 3-band 600x600 tiled DEFLATE GeoTIFF, band b holding b * 1000 + cell % 997, band 2's nodata at cell 5.
void write_three_bands(const fs::path& path, const char* interleave) {
    geodata::ensure_gdal();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    const char* opts[] = {"TILED=YES", "COMPRESS=DEFLATE", interleave, nullptr};
    std::unique_ptr<GDALDataset> ds(drv->Create(path.string().c_str(), 600, 600, 3, GDT_Float32, const_cast<char**>(opts)));
    double gt[6] = {500000.0, 100.0, 0.0, 2300000.0, 0.0, -100.0};
    ds->SetGeoTransform(gt);
    std::vector<float> v(600 * 600);
    for (int b = 1; b <= 3; ++b) {
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(b * 1000 + static_cast<int>(i % 997));
        if (b == 2) {
            v[5] = -99999.0f;
            ds->GetRasterBand(b)->SetNoDataValue(-99999.0);
        }
        REQUIRE(ds->GetRasterBand(b)->RasterIO(GF_Write, 0, 0, 600, 600, v.data(), 600, 600, GDT_Float32, 0, 0) == CE_None);
    }
}
}  // namespace

TEST_CASE("several bands read at once, pixel- or band-interleaved, also with GDAL's threaded reader",
          "[geodata][raster]") {
    test::TempDir dir;
    const bool threaded = GENERATE(false, true);
    const char* interleave = GENERATE("INTERLEAVE=PIXEL", "INTERLEAVE=BAND");
    INFO(interleave << (threaded ? " with GDAL_NUM_THREADS=ALL_CPUS" : ""));
    write_three_bands(dir / "bands.tif", interleave);
    // GDAL 3.6's threaded reader crashed on dataset reads of band-interleaved files (OSGeo/gdal#7963).
    CPLSetConfigOption("GDAL_NUM_THREADS", threaded ? "ALL_CPUS" : nullptr);
    auto bands = geodata::read_raster_bands(dir / "bands.tif", {3, 2});
    CPLSetConfigOption("GDAL_NUM_THREADS", nullptr);
    REQUIRE(bands.size() == 2);
    CHECK(bands[0][0] == 3000.0f);
    CHECK(bands[0][1234] == static_cast<float>(3000 + 1234 % 997));
    CHECK(bands[1][1234] == static_cast<float>(2000 + 1234 % 997));
    CHECK(std::isnan(bands[1][5]));  // band 2's own nodata
    CHECK(bands[0][5] == 3005.0f);   // band 3 has none
    CHECK(bands[0].spec().cols == 600);
    REQUIRE_THROWS_WITH(geodata::read_raster_bands(dir / "bands.tif", {1, 4}), Catch::Contains("band 4"));
}
