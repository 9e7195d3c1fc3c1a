// Maps: drawn from in-memory grids (unit) and from a demo run (the run's maps and a comparison's).

#include <catch2/catch.hpp>

#include <cairo.h>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <set>

#include "accessplan/viz/labels.hpp"
#include "accessplan/viz/map.hpp"
#include "accessplan/viz/outputs.hpp"
#include "accessplan/viz/palette.hpp"
#include "support/ascii_grid.hpp"
#include "support/png_image.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

using test::Image;
using test::read_png;

std::size_t pdf_pages(const fs::path& file) {
    const std::string pdf = test::slurp(file);
    std::size_t pages = 0;
    for (std::size_t at = pdf.find("/Type /Page"); at != std::string::npos; at = pdf.find("/Type /Page", at + 1))
        if (pdf.compare(at, 12, "/Type /Pages") != 0) ++pages;
    return pages;
}

}  // namespace

TEST_CASE("a map shows every class of its grid in the frame and in the legend", "[viz][maps]") {
    test::TempDir dir;
    // 60 x 40 cells of 100 m: minutes rising to the east, a column of unreachable cells, water in the south-west.
    GridSpec spec{60, 40, GeoTransform{500000.0, 100.0, 0.0, 2300000.0, 0.0, -100.0}, test::test_crs()};
    Grid<float> minutes(spec, 0.0f);
    viz::MapContext ctx;
    ctx.grid = spec;
    ctx.land = Grid<std::uint8_t>(spec, 2);
    for (std::size_t r = 0; r < spec.rows; ++r)
        for (std::size_t c = 0; c < spec.cols; ++c) {
            minutes(c, r) = static_cast<float>(c) * 2.0f;  // 0 .. 118 min
            if (c == 30) minutes(c, r) = std::numeric_limits<float>::quiet_NaN();
            if (c < 5 && r > 30) (*ctx.land)(c, r) = 0;
        }
    ctx.credits = "Data: test";
    viz::MapPage page;
    page.title = "Travel time";
    page.values = &minutes;
    page.classes = viz::travel_time_classes(30.0);
    page.legend_title = "Travel time (min)";
    const fs::path png = dir / "map.png", pdf = dir / "maps.pdf";
    viz::render_maps(ctx, {page, page}, {png, dir / "second.png"}, pdf, viz::Lang::en);
    const Image img = read_png(png);
    CHECK(img.width == 1754);  // A4 landscape at 150 dpi
    CHECK(img.height == 1240);
    const int legend_x = img.width * 7 / 10;  // the legend panel is the right part of the page
    for (const auto& c : page.classes) {
        INFO(c.label);
        CHECK(img.count(c.colour, 0, 0, legend_x, img.height) > 1000);          // in the map
        CHECK(img.count(c.colour, legend_x, 0, img.width, img.height) > 300);   // and its legend swatch
    }
    CHECK(img.count(viz::unreachable_colour(), 0, 0, legend_x, img.height) > 500);
    CHECK(img.count({219, 233, 246}, 0, 0, legend_x, img.height) > 500);  // water
    CHECK(pdf_pages(pdf) == 2);

    SECTION("Vietnamese labels change the legend, not the map") {
        viz::MapPage vi = page;
        vi.classes = viz::travel_time_classes(30.0, viz::Lang::vi);
        viz::render_maps(ctx, {vi}, {dir / "vi.png"}, {}, viz::Lang::vi);
        const Image v = read_png(dir / "vi.png");
        std::size_t differ_map = 0, differ_legend = 0;
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x)
                if (v.at(x, y) != img.at(x, y)) ++(x < legend_x ? differ_map : differ_legend);
        CHECK(differ_legend > 1000);
        CHECK(differ_map < 100);  // the credits line is the same; the scale bar and frame too
        CHECK(!fs::exists(dir / "vi.pdf"));
    }
}

TEST_CASE("labels in English and Vietnamese", "[viz][labels]") {
    CHECK(viz::tr("water", viz::Lang::vi) == "mặt nước");
    CHECK(viz::display_name("swimming_pool", viz::Lang::vi) == "bể bơi");
    CHECK(viz::display_name("swimming_pool", viz::Lang::en) == "swimming pool");
    CHECK(viz::display_name("youth_centre", viz::Lang::en) == "youth centre");
    CHECK(viz::format_count(1234567.4, viz::Lang::en) == "1,234,567");
    CHECK(viz::format_count(1234567.4, viz::Lang::vi) == "1.234.567");
    CHECK(viz::format_pct(62.34, viz::Lang::vi) == "62,3%");
    CHECK_THROWS_WITH(viz::parse_lang("fr"), Catch::Contains("en") && Catch::Contains("vi"));
}

TEST_CASE("a run draws a travel-time map per service, legible at A4, and one PDF", "[cli][viz][maps]") {
    const fs::path& out = test::demo_results();
    for (const char* service : {"primary_school", "lower_secondary_school", "commune_health_station", "playground", "swimming_pool"}) {
        INFO(service);
        const Image img = read_png(out / "maps" / fmt::format("travel_time_{}.png", service));
        REQUIRE(img.width == 1754);
        const int legend_x = img.width * 7 / 10;
        // Not blank: many colours, most of the map frame coloured.
        std::set<std::uint32_t> colours(img.pixels.begin(), img.pixels.end());
        CHECK(colours.size() > 50);
        std::size_t white = 0;
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < legend_x; ++x) white += img.at(x, y) == 0xFFFFFFu;
        CHECK(white < static_cast<std::size_t>(legend_x) * static_cast<std::size_t>(img.height) / 2);
        // The legend carries every class of the service's ramp; the map the classes within reach (around facilities).
        const auto classes = viz::travel_time_classes(30.0);
        for (const auto& c : classes) CHECK(img.count(c.colour, legend_x, 0, img.width, img.height) > 300);
        CHECK(img.count(classes[0].colour, 0, 0, legend_x, img.height) + img.count(classes[1].colour, 0, 0, legend_x, img.height) > 200);
    }
    CHECK(pdf_pages(out / "maps" / "maps.pdf") == 5);
}

TEST_CASE("compare draws where travel times fell", "[cli][viz][maps][compare]") {
    const fs::path& base = test::demo_results();
    test::TempDir dir;
    // The ferry what-if, with the credits its planner states (kept in run.json: the comparison's maps use them).
    std::ofstream(dir / "ferry.yaml") << "schema_version: 1\nbase: '" << (base / ".." / ".." / "scenarios" / "new_ferry.yaml").lexically_normal().string()
                                      << "'\ncredits: [Sở GTVT ferry timetable 2026, WorldPop 2020]\n";
    auto r = test::run_cli({"run", "-q", (dir / "ferry.yaml").string(), "--out", (dir / "ferry").string()});
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(test::slurp(dir / "ferry" / "run.json"), Catch::Contains("Sở GTVT ferry timetable 2026"));
    CHECK_THAT(test::slurp(dir / "ferry" / "report.html"), Catch::Contains("Sở GTVT ferry timetable 2026; WorldPop 2020"));
    r = test::run_cli({"compare", "-q", base.string(), (dir / "ferry").string(), "--out", (dir / "cmp").string(), "--lang", "vi"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The boat brings the island's children closer to the mainland's pools: purple (faster) on the pool map, and
    // no orange (slower) anywhere.
    const Image pools = read_png(dir / "cmp" / "maps" / "change_swimming_pool.png");
    const auto classes = viz::time_change_classes();
    const int legend_x = pools.width * 7 / 10;
    CHECK(pools.count(classes[0].colour, 0, 0, legend_x, pools.height) + pools.count(classes[1].colour, 0, 0, legend_x, pools.height) > 200);
    for (std::size_t k = 4; k < classes.size(); ++k) CHECK(pools.count(classes[k].colour, 0, 0, legend_x, pools.height) == 0);
    CHECK(pdf_pages(dir / "cmp" / "maps" / "maps.pdf") == 5);
    // --lang vi: the comparison's report speaks Vietnamese (its browser test is tests/browser/check_report.mjs).
    const std::string html = test::slurp(dir / "cmp" / "report.html");
    CHECK_THAT(html, Catch::Contains("<html lang=\"vi\">") && Catch::Contains("Trước và sau") && Catch::Contains("id=\"compare\""));
    CHECK_THAT(html, Catch::Contains("Sở GTVT ferry timetable 2026; WorldPop 2020"));
}

TEST_CASE("maps credit the sources a scenario states, else those its file names show", "[viz][maps]") {
    const std::vector<fs::path> inputs{"data/vnm_ppp_2020_UNadj_constrained.tif", "data/hanoi.osm.pbf", "data/roads.gpkg"};
    CHECK(viz::data_credits(inputs, viz::Lang::en) == "WorldPop (CC BY 4.0); © OpenStreetMap contributors (ODbL)");
    CHECK(viz::data_credits({"a.tif"}, viz::Lang::en) == "the scenario's inputs (see run.json)");
    CHECK(viz::data_credits(inputs, viz::Lang::vi, {"Sở GD&ĐT 2025", "WorldPop 2020"}) == "Sở GD&ĐT 2025; WorldPop 2020");
}
