#include <catch2/catch.hpp>

#include <fstream>
#include <tuple>

#include "accessplan/engine/travel_time.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
using test::run_cli;

TEST_CASE("version and help work, usage errors exit 2", "[cli]") {
    auto v = run_cli({"--version"});
    CHECK(v.exit_code == 0);
    CHECK_THAT(v.out, Catch::Contains("accessplan 0."));
    auto h = run_cli({"traveltime", "--help"});
    CHECK(h.exit_code == 0);
    CHECK_THAT(h.out, Catch::Contains("Example:"));
    CHECK(run_cli({}).exit_code == 2);
    CHECK(run_cli({"traveltime", "--friction"}).exit_code == 2);
    CHECK(run_cli({"no-such-command"}).exit_code == 2);
    auto bad_n = run_cli({"traveltime", "--friction", "f.tif", "--sources", "s.csv", "--out", "t.tif", "--neighbours", "12"});
    CHECK(bad_n.exit_code == 2);
}

TEST_CASE("traveltime writes time and nearest rasters from a CSV of x,y sources", "[cli][traveltime]") {
    test::TempDir dir;
    auto f = test::grid_from_ascii(R"(
        0.01 0.01 0.01 X 0.01
        0.01 0.01 0.01 X 0.01
        0.01 0.01 0.01 0.01 0.01)", 100.0);
    geodata::write_geotiff(dir / "friction.tif", f, {-1.0, "", "", {}});
    const auto& t = f.spec().transform;
    {
        std::ofstream csv(dir / "schools.csv");
        csv << "id,name,x,y\n";
        csv << "4,Truong Tieu hoc A," << t.x_of(0) << "," << t.y_of(0) << "\n";
        csv << "9,Truong Tieu hoc B," << t.x_of(4) << "," << t.y_of(0) << "\n";
    }
    auto r = run_cli({"traveltime", "--friction", (dir / "friction.tif").string(), "--sources",
                      (dir / "schools.csv").string(), "--out", (dir / "time.tif").string(), "--nearest",
                      (dir / "near.tif").string(), "--id-field", "id", "--neighbours", "8"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto time = geodata::read_raster_float(dir / "time.tif");
    auto near = geodata::read_raster_float(dir / "near.tif");
    CHECK(time(0, 0) == 0.0f);
    CHECK(time(1, 0) == Approx(1.0));  // 0.01 min/m x 100 m
    CHECK(std::isnan(time(3, 0)));     // impassable cell: nodata
    CHECK(near(0, 2) == 4.0f);
    CHECK(near(4, 1) == 9.0f);
    // Without --overwrite the outputs are never replaced.
    auto again = run_cli({"traveltime", "--friction", (dir / "friction.tif").string(), "--sources",
                          (dir / "schools.csv").string(), "--out", (dir / "time.tif").string()});
    CHECK(again.exit_code == 3);
    CHECK_THAT(again.err, Catch::Contains("--overwrite"));
    auto over = run_cli({"traveltime", "--overwrite", "--friction", (dir / "friction.tif").string(), "--sources",
                         (dir / "schools.csv").string(), "--out", (dir / "time.tif").string(), "--max-minutes", "1.5"});
    CHECK(over.exit_code == 0);
    auto cut = geodata::read_raster_float(dir / "time.tif");
    CHECK(std::isnan(cut(2, 2)));
}

TEST_CASE("traveltime bad inputs exit 3 with the file named and no output", "[cli][traveltime][errors]") {
    test::TempDir dir;
    auto f = test::grid_from_ascii("0.01 0.01 / 0.01 0.01", 100.0);
    geodata::write_geotiff(dir / "friction.tif", f);
    { std::ofstream(dir / "empty.csv") << "x,y\n"; }
    { std::ofstream(dir / "far.csv") << "x,y\n100,100\n"; }
    const std::string out = (dir / "t.tif").string();
    auto missing = run_cli({"traveltime", "--friction", (dir / "nope.tif").string(), "--sources",
                            (dir / "far.csv").string(), "--out", out});
    CHECK(missing.exit_code == 3);
    CHECK_THAT(missing.err, Catch::Contains("nope.tif") && Catch::Contains("not found"));
    auto empty = run_cli({"traveltime", "--friction", (dir / "friction.tif").string(), "--sources",
                          (dir / "empty.csv").string(), "--out", out});
    CHECK(empty.exit_code == 3);
    CHECK_THAT(empty.err, Catch::Contains("empty.csv") && Catch::Contains("no sources"));
    auto far = run_cli({"traveltime", "--friction", (dir / "friction.tif").string(), "--sources",
                        (dir / "far.csv").string(), "--out", out});
    CHECK(far.exit_code == 3);
    CHECK_THAT(far.err, Catch::Contains("far.csv") && Catch::Contains("CRS"));
    // A friction raster in degrees.
    GridSpec geo = make_grid_spec(2, 2, 0.01, 105.0, 21.0);
    geo.crs = geodata::crs_from_user("EPSG:4326", "test");
    geodata::write_geotiff(dir / "degrees.tif", Grid<float>(geo, 0.01f));
    auto deg = run_cli({"traveltime", "--friction", (dir / "degrees.tif").string(), "--sources",
                        (dir / "far.csv").string(), "--out", out});
    CHECK(deg.exit_code == 3);
    CHECK_THAT(deg.err, Catch::Contains("degrees.tif") && Catch::Contains("geographic"));
    // --id-field values are whole numbers 0..2147483647 (std::stoi read 12abc as 12 and took -5).
    const auto& t = f.spec().transform;
    for (const auto& [code, says] : {std::pair{"12abc", "'12abc' has text after the number"}, {"-5", "-5 is out of range"},
                                     {"1,2", "has a decimal comma"}}) {
        std::ofstream(dir / "ids.csv") << "code,x,y\n\"" << code << "\"," << t.x_of(0) << "," << t.y_of(0) << "\n";
        auto bad_id = run_cli({"traveltime", "--friction", (dir / "friction.tif").string(), "--sources",
                               (dir / "ids.csv").string(), "--out", out, "--id-field", "code"});
        CHECK(bad_id.exit_code == 3);
        CHECK_THAT(bad_id.err, Catch::Contains("ids.csv: feature 1: code (--id-field): ") && Catch::Contains(says));
    }
    // Numeric options: CLI11 took 0x10, 010 (octal) and inf; now usage errors that say what to write.
    for (const auto& [option, value, says] : {std::tuple{"--max-minutes", "inf", "'inf' is not a finite number"},
                                              {"--snap-distance-m", "500m", "write 500"},
                                              {"--neighbours", "0x10", "'0x10' is hexadecimal"},
                                              {"--neighbours", "12", "expected 8 or 16"}}) {
        auto usage = run_cli({"traveltime", "--friction", (dir / "friction.tif").string(), "--sources",
                              (dir / "far.csv").string(), "--out", out, option, value});
        CHECK(usage.exit_code == 2);
        CHECK_THAT(usage.err, Catch::Contains(std::string(option) + ": ") && Catch::Contains(says));
    }
    CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("info describes rasters and vectors", "[cli][info]") {
    test::TempDir dir;
    geodata::write_geotiff(dir / "a.tif", test::grid_from_ascii("1 2 / 3 4", 100.0));
    auto r = run_cli({"info", (dir / "a.tif").string()});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("EPSG:32648") && Catch::Contains("2 x 2 cells") && Catch::Contains("sum 10"));
    auto j = run_cli({"info", "--json", (dir / "a.tif").string()});
    CHECK_THAT(j.out, Catch::Contains("\"kind\": \"raster\""));
    { std::ofstream(dir / "p.csv") << "name,lon,lat\nA,105.8,21.0\n"; }
    auto v = run_cli({"info", (dir / "p.csv").string()});
    CHECK(v.exit_code == 0);
    CHECK_THAT(v.out, Catch::Contains("vector") && Catch::Contains("1 feature"));
    auto missing = run_cli({"info", (dir / "none.gpkg").string()});
    CHECK(missing.exit_code == 3);
}
