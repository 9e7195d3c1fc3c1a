// Maps: drawn from in-memory grids (unit) and from a demo run (the run's maps and a comparison's).

#include <catch2/catch.hpp>

#include <cairo.h>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <set>

#include <ogr_geometry.h>

#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/viz/labels.hpp"
#include "accessplan/viz/map.hpp"
#include "accessplan/scenarios/compare.hpp"
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

/// A 60 x 40 cell map context of 100 m cells, all land of the study area.
viz::MapContext small_context() {
    GridSpec spec{60, 40, GeoTransform{500000.0, 100.0, 0.0, 2300000.0, 0.0, -100.0}, test::test_crs()};
    viz::MapContext ctx;
    ctx.grid = spec;
    ctx.land = std::make_shared<const Grid<std::uint8_t>>(spec, 2);
    ctx.credits = "Data: test";
    return ctx;
}

/// A ranked site of the ranking layer at (x, y).
geodata::Feature ranked_site(int rank, const std::string& service, double x, double y) {
    geodata::Feature f;
    f.fid = rank;
    f.geometry = std::make_unique<OGRPoint>(x, y);
    f.attributes = {{"rank", std::to_string(rank)}, {"service", service}};
    return f;
}

}  // namespace

TEST_CASE("a map numbers its ranked sites without overlap and says which it leaves out", "[viz][maps][placer]") {
    viz::MapContext ctx = small_context();
    // 40 pools within 60 m of one point (less than a point on the page), 3 sites of another service, and 2 pools far
    // apart: the crowded ones cannot all be numbered.
    for (int k = 0; k < 40; ++k) ctx.ranking.push_back(ranked_site(k + 1, "swimming_pool", 503000.0 + 1.5 * k, 2298000.0 + k % 3));
    for (int k = 0; k < 3; ++k) ctx.ranking.push_back(ranked_site(41 + k, "playground", 501000.0, 2297000.0 + 200.0 * k));
    ctx.ranking.push_back(ranked_site(50, "swimming_pool", 500500.0, 2299500.0));
    ctx.ranking.push_back(ranked_site(51, "swimming_pool", 505500.0, 2296500.0));
    viz::MapPage page;
    page.title = "Travel time";
    page.service = "swimming_pool";
    const viz::RankedSiteMarks marks = viz::ranked_site_marks(ctx, page);
    CHECK(marks.service_sites == 42);
    CHECK(marks.all_sites == 45);
    REQUIRE(marks.marks.size() == viz::RankedSiteMarks::max_numbered_sites);  // the best 30 of the service
    CHECK(marks.marks.front().rank == 1);
    CHECK(marks.marks.back().rank == 30);
    std::size_t numbered = 0;
    for (std::size_t a = 0; a < marks.marks.size(); ++a) {
        const auto& m = marks.marks[a];
        if (!m.numbered) continue;
        ++numbered;
        for (std::size_t b = a + 1; b < marks.marks.size(); ++b)
            if (marks.marks[b].numbered) CHECK_FALSE(m.box.intersects(marks.marks[b].box));
    }
    CHECK(numbered >= 4);
    REQUIRE_FALSE(marks.unnumbered.empty());
    CHECK(numbered + marks.unnumbered.size() == marks.marks.size());
    const auto notes = viz::ranked_site_notes(marks, viz::Lang::en);
    REQUIRE(notes.size() == 2);
    CHECK_THAT(notes[0], Catch::Contains("30 highest-ranked of this service's 42 sites (ranks 1–30)") &&
                             Catch::Contains("ranking.csv lists all 45"));
    CHECK_THAT(notes[1], Catch::Contains(std::to_string(marks.unnumbered.front())) && Catch::Contains("white dots"));
    CHECK_THAT(viz::ranked_site_notes(marks, viz::Lang::vi)[1], Catch::Contains("chấm trắng"));

    SECTION("the page draws them") {
        test::TempDir dir;
        Grid<float> minutes(ctx.grid, 10.0f);
        page.values = &minutes;
        page.classes = viz::travel_time_classes(30.0);
        viz::render_maps(ctx, {page}, {dir / "map.png"}, {}, viz::Lang::en);
        const Image img = read_png(dir / "map.png");
        CHECK(img.count(viz::ranked_site_colour(), 0, 0, img.width * 7 / 10, img.height) > 2000);  // white discs
    }
    SECTION("a map of a service with few sites numbers them all on their points") {
        page.service = "playground";
        const viz::RankedSiteMarks few = viz::ranked_site_marks(ctx, page);
        REQUIRE(few.marks.size() == 3);
        for (const auto& m : few.marks) CHECK((m.numbered && !m.leader));
        CHECK(few.unnumbered.empty());
        const auto lines = viz::ranked_site_notes(few, viz::Lang::en);
        REQUIRE(lines.size() == 1);
        CHECK_THAT(lines[0], Catch::Contains("all 3 sites of this service (ranks 41–43)"));
    }
}

TEST_CASE("facility markers shrink where they crowd, so the travel times stay visible (a national map)", "[viz][maps]") {
    // The same 6 x 4 km frame with 6 facilities far apart, then with 1,600 on a 40 m lattice (a marker every few
    // points of the page, as the district centres of Vietnam's deltas on a national map): the ink per marker.
    auto facility = [](double x, double y) {
        geodata::Feature f;
        f.geometry = std::make_unique<OGRPoint>(x, y);
        f.attributes = {{"type", "school"}};
        return f;
    };
    auto draw = [&](const std::vector<std::pair<double, double>>& at) {
        viz::MapContext ctx = small_context();
        for (const auto& [x, y] : at) ctx.facilities.push_back(facility(x, y));
        test::TempDir dir;
        Grid<float> minutes(ctx.grid, 10.0f);
        viz::MapPage page;
        page.title = "Travel time";
        page.values = &minutes;
        page.classes = viz::travel_time_classes(30.0);
        page.facility_types = {"school"};
        viz::render_maps(ctx, {page}, {dir / "map.png"}, {}, viz::Lang::en);
        const Image img = read_png(dir / "map.png");
        // The frame is the left part of the page (the legend, with its one marker, is on the right).
        return std::pair{img.count(viz::facility_colour(0), 0, 0, img.width * 6 / 10, img.height),
                         img.count(viz::travel_time_classes(30.0).front().colour, 0, 0, img.width * 6 / 10, img.height)};
    };
    std::vector<std::pair<double, double>> few, many;
    for (int k = 0; k < 6; ++k) few.emplace_back(500500.0 + 1000.0 * k, 2298000.0 - 400.0 * (k % 2));
    for (int r = 0; r < 40; ++r)
        for (int c = 0; c < 40; ++c) many.emplace_back(501000.0 + 40.0 * c, 2299000.0 - 40.0 * r);
    const auto [few_ink, few_background] = draw(few);
    const auto [many_ink, many_background] = draw(many);
    INFO("marker pixels: " << few_ink << " for 6 facilities, " << many_ink << " for 1,600; travel-time pixels "
                           << few_background << " and " << many_background);
    REQUIRE(few_ink > 0);
    CHECK(static_cast<double>(many_ink) / 1600.0 < 0.25 * static_cast<double>(few_ink) / 6.0);  // smaller markers
    // Markers of full size would cover the lattice's 1.6 x 1.6 km square solid (their discs overlap); the small ones
    // leave a third of it or more to the travel times (the frame, 6 x 4 km, is nearly all travel time in `few`).
    const double square_px = static_cast<double>(few_background) * (1.6 * 1.6) / (6.0 * 4.0);
    CHECK(static_cast<double>(few_background - many_background) < (2.0 / 3.0) * square_px);
}

TEST_CASE("a map's title and subtitle fit the page however long", "[viz][maps]") {
    viz::MapPage page;
    page.title = "Change in travel time to the nearest commune health station or district hospital with a paediatric ward";
    page.subtitle = "Sơn Hải - swimming-pool programme for island, border and remote communes, second phase (2027–2030) · "
                    "compared with Sơn Hải demo province (baseline, rainy season with the ferry suspended) · threshold 30 min";
    const viz::MapHeading h = viz::map_heading(page);
    REQUIRE_FALSE(h.title_lines.empty());
    REQUIRE_FALSE(h.subtitle_lines.empty());
    CHECK(h.title_lines.size() <= 2);
    CHECK(h.subtitle_lines.size() <= 2);
    CHECK(h.height_pt >= 50.0);
    // Measured anew with Cairo, in the maps' font and the sizes the heading chose.
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t* cr = cairo_create(surface);
    auto width = [&](const std::string& s, double size, bool bold) {
        cairo_select_font_face(cr, viz::map_font(), CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, size);
        cairo_text_extents_t e;
        cairo_text_extents(cr, s.c_str(), &e);
        return e.x_advance;
    };
    CHECK(width(page.title, 15.0, true) > h.width_pt);  // the test means something: too long as it was drawn
    for (const auto& l : h.title_lines) CHECK(width(l, h.title_size_pt, true) <= h.width_pt);
    for (const auto& l : h.subtitle_lines) CHECK(width(l, h.subtitle_size_pt, false) <= h.width_pt);
    // Every word of the title is kept (it fits on two lines).
    std::string joined;
    for (const auto& l : h.title_lines) joined += (joined.empty() ? "" : " ") + l;
    CHECK(joined == page.title);
    // A short title keeps its size, on one line.
    viz::MapPage short_page;
    short_page.title = "Travel time to the nearest playground";
    short_page.subtitle = "demo";
    const viz::MapHeading s = viz::map_heading(short_page);
    CHECK(s.title_lines.size() == 1);
    CHECK(s.title_size_pt == 15.0);
    CHECK(s.height_pt == 50.0);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);

    SECTION("nothing is drawn beyond the right margin") {
        test::TempDir dir;
        viz::MapContext ctx = small_context();
        Grid<float> minutes(ctx.grid, 10.0f);
        page.values = &minutes;
        page.classes = viz::travel_time_classes(30.0);
        viz::render_maps(ctx, {page}, {dir / "map.png"}, {}, viz::Lang::en);
        const Image img = read_png(dir / "map.png");
        const int heading_bottom = static_cast<int>(h.height_pt * 150.0 / 72.0), right = img.width - 22 * 150 / 72;
        std::size_t ink_beyond = 0, ink_within = 0;
        for (int y = 0; y < heading_bottom; ++y)
            for (int x = 0; x < img.width; ++x)
                if (img.at(x, y) != 0xFFFFFFu) ++(x >= right ? ink_beyond : ink_within);
        CHECK(ink_within > 1000);
        CHECK(ink_beyond == 0);
    }
}

TEST_CASE("a map shows every class of its grid in the frame and in the legend", "[viz][maps]") {
    test::TempDir dir;
    // 60 x 40 cells of 100 m: minutes rising to the east, a column of unreachable cells, water in the south-west.
    GridSpec spec{60, 40, GeoTransform{500000.0, 100.0, 0.0, 2300000.0, 0.0, -100.0}, test::test_crs()};
    Grid<float> minutes(spec, 0.0f);
    viz::MapContext ctx;
    ctx.grid = spec;
    Grid<std::uint8_t> land(spec, 2);
    for (std::size_t r = 0; r < spec.rows; ++r)
        for (std::size_t c = 0; c < spec.cols; ++c) {
            minutes(c, r) = static_cast<float>(c) * 2.0f;  // 0 .. 118 min
            if (c == 30) minutes(c, r) = std::numeric_limits<float>::quiet_NaN();
            if (c < 5 && r > 30) land(c, r) = 0;
        }
    ctx.land = std::make_shared<const Grid<std::uint8_t>>(std::move(land));
    ctx.credits = "Data: test";
    viz::MapPage page;
    page.title = "Travel time";
    page.values = &minutes;
    page.classes = viz::travel_time_classes(30.0, minutes.values());
    REQUIRE(page.classes.size() == 4);  // up to 15, 30, 60 and 120 min: the values reach 118
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
        vi.classes = viz::travel_time_classes(30.0, minutes.values(), viz::Lang::vi);
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

TEST_CASE("travel-time classes reach as far as the travel times go", "[viz][maps][classes]") {
    auto uniform = [](double from, double to, int n) {
        std::vector<float> v;
        for (int k = 0; k < n; ++k) v.push_back(static_cast<float>(from + (to - from) * k / (n - 1)));
        return v;
    };
    auto class_of = [](const std::vector<viz::ValueClass>& classes, double v) {
        std::size_t k = 0;
        while (k + 1 < classes.size() && v > classes[k].upper) ++k;
        return k;
    };
    SECTION("far beyond the threshold: classes beyond 3 T, and 2 hours apart from 10 hours") {
        const auto classes = viz::travel_time_classes(30.0, uniform(0, 600, 1000));  // mean 300 min, as pools
        REQUIRE(classes.size() == 7);  // 15, 30, 60, 120, 240, 480 min, > 480 min
        CHECK(classes[classes.size() - 2].upper > 3 * 30.0);
        CHECK(std::isinf(classes.back().upper));
        CHECK(class_of(classes, 120) != class_of(classes, 600));
        CHECK(classes[3].label == "60–120 min");
        CHECK(classes[4].label == "2–4 h");
        CHECK(classes[5].label == "4–8 h");
        CHECK(classes.back().label == "> 8 h");
        CHECK(classes[0].label == "≤ 15 min");
        CHECK_THAT(viz::travel_time_classes(30.0, uniform(0, 600, 1000), viz::Lang::vi).back().label, Catch::Contains("giờ"));
    }
    SECTION("within the threshold: no class beyond it") {
        const auto classes = viz::travel_time_classes(30.0, uniform(0, 28, 1000));
        REQUIRE(classes.size() == 2);
        CHECK(classes[1].upper == 30.0);
        CHECK(classes[1].label == "15–30 min");
    }
    SECTION("a little beyond it: as many classes as the values need, no empty one") {
        const auto classes = viz::travel_time_classes(30.0, uniform(0, 50, 1000));
        REQUIRE(classes.size() == 3);  // 15, 30, 60: 50 is within the third
        CHECK(classes.back().upper == 60.0);
        CHECK(classes.back().label == "30–60 min");
    }
    SECTION("a few values far out get one open class, not a ladder up to them") {
        std::vector<float> v = uniform(0, 25, 1000);
        for (int k = 0; k < 5; ++k) v.push_back(500.0f);
        const auto classes = viz::travel_time_classes(30.0, v);
        REQUIRE(classes.size() == 3);
        CHECK(std::isinf(classes.back().upper));
        CHECK(classes.back().label == "> 30 min");
    }
    SECTION("unreachable cells (NaN, infinite) are left aside") {
        std::vector<float> v = uniform(0, 20, 100);
        v.insert(v.end(), 500, std::numeric_limits<float>::quiet_NaN());
        v.insert(v.end(), 500, std::numeric_limits<float>::infinity());
        CHECK(viz::travel_time_classes(30.0, v).size() == 2);
        CHECK(viz::travel_time_classes(30.0, std::vector<float>{}).size() == 2);
    }
    SECTION("a class has the same colour and label whatever else the map holds") {
        const auto near = viz::travel_time_classes(30.0, uniform(0, 100, 500)), far = viz::travel_time_classes(30.0, uniform(0, 2000, 500));
        REQUIRE(near.size() == 4);
        REQUIRE(far.size() == 7);  // capped: "> 16 T"
        CHECK(far.back().label == "> 8 h");
        for (std::size_t k = 0; k < near.size(); ++k) {
            CHECK(near[k].upper == far[k].upper);
            CHECK(near[k].colour.hex() == far[k].colour.hex());
            CHECK(near[k].label == far[k].label);
        }
        // The style written without the values (QGIS) holds them all.
        const auto all = viz::travel_time_classes(30.0);
        REQUIRE(all.size() == far.size());
        for (std::size_t k = 0; k < all.size(); ++k) CHECK(all[k].colour.hex() == far[k].colour.hex());
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
    const viz::MapContext ctx = viz::load_map_context(out, "");
    for (const auto& [service, threshold] : std::vector<std::pair<std::string, double>>{
             {"primary_school", 30}, {"lower_secondary_school", 45}, {"commune_health_station", 60}, {"playground", 15}, {"swimming_pool", 30}}) {
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
        const Grid<float> minutes = geodata::read_raster_float(out / "rasters" / fmt::format("travel_time_{}.tif", service));
        const auto classes = viz::travel_time_classes(threshold, viz::study_area_values(ctx, minutes));
        for (const auto& c : classes) CHECK(img.count(c.colour, legend_x, 0, img.width, img.height) > 300);
        CHECK(img.count(classes[0].colour, 0, 0, legend_x, img.height) + img.count(classes[1].colour, 0, 0, legend_x, img.height) > 200);
        // Pools are hours away from most of the province: its classes reach far beyond the threshold, and the
        // farthest is not most of the map (it was "> 90 min" over most of the province).
        if (service == "swimming_pool") {
            REQUIRE(classes.size() >= 6);
            CHECK(classes[classes.size() - 2].upper >= 8 * threshold);
            CHECK(img.count(classes.back().colour, 0, 0, legend_x, img.height) <
                  img.count(classes[classes.size() - 2].colour, 0, 0, legend_x, img.height) + img.count(classes[classes.size() - 3].colour, 0, 0, legend_x, img.height));
        }
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

TEST_CASE("a comparison's maps open on the service that changed, say change in their legend and fit their titles", "[viz][maps][compare]") {
    const viz::MapContext ctx = small_context();
    scenarios::ComparisonReport report;
    report.base_name = "Sơn Hải demo province (baseline, rainy season with the ferry suspended and two schools closed)";
    report.scenario_name = "Sơn Hải - swimming-pool programme for island, border and remote communes, second phase";
    for (const char* service : {"primary_school", "swimming_pool", "playground"}) {
        scenarios::ServiceComparison svc;
        svc.service = service;
        svc.threshold_min = 30;
        AccessChange all;
        all.children = 1000;
        all.within_before = all.within_after = 400;
        if (svc.service == "swimming_pool") {
            all.within_after = 520;
            all.gained = 120;
            all.faster = 300;
        }
        svc.change.by_class.emplace_back("all", all);
        report.services.push_back(std::move(svc));
    }
    const std::vector<Grid<float>> diffs(3, Grid<float>(ctx.grid, 0.0f));
    const std::vector<Grid<std::uint8_t>> statuses(3, Grid<std::uint8_t>(ctx.grid, 11));
    CHECK(viz::comparison_service_order(report) == std::vector<std::size_t>{1, 0, 2});
    for (const auto lang : {viz::Lang::en, viz::Lang::vi}) {
        const auto pages = viz::comparison_map_pages(report, ctx, diffs, statuses, lang);
        REQUIRE(pages.size() == 3);
        CHECK(pages[0].facilities_of == "swimming_pool");
        CHECK(pages[0].values == &diffs[1]);
        CHECK(pages[1].facilities_of == "primary_school");
        CHECK_THAT(pages[0].legend_title, Catch::StartsWith(lang == viz::Lang::en ? "Change in travel time" : "Thay đổi thời gian"));
        for (const auto& page : pages) {
            const viz::MapHeading h = viz::map_heading(page);
            CHECK(h.subtitle_lines.size() == 2);  // too long for one line: wrapped, not cut
            std::string joined;
            for (const auto& l : h.subtitle_lines) joined += (joined.empty() ? "" : " ") + l;
            CHECK(joined == page.subtitle);
        }
    }
}

TEST_CASE("maps credit the sources a scenario states, else those its file names show", "[viz][maps]") {
    const std::vector<fs::path> inputs{"data/vnm_ppp_2020_UNadj_constrained.tif", "data/hanoi.osm.pbf", "data/roads.gpkg"};
    CHECK(viz::data_credits(inputs, viz::Lang::en) == "WorldPop (CC BY 4.0); © OpenStreetMap contributors (ODbL)");
    CHECK(viz::data_credits({"a.tif"}, viz::Lang::en) == "the scenario's inputs (see run.json)");
    CHECK(viz::data_credits(inputs, viz::Lang::vi, {"Sở GD&ĐT 2025", "WorldPop 2020"}) == "Sở GD&ĐT 2025; WorldPop 2020");
}

TEST_CASE("a tall area's map is drawn on a portrait page, larger than landscape would draw it", "[viz][maps]") {
    // 50 x 110 cells (all of Vietnam's grid is 7,830 x 16,612), every cell 10 minutes, and a square area beside it.
    test::TempDir dir;
    auto draw = [&](std::size_t cols, std::size_t rows, const std::string& name) {
        GridSpec spec{cols, rows, GeoTransform{500000.0, 100.0, 0.0, 2300000.0, 0.0, -100.0}, test::test_crs()};
        const Grid<float> minutes(spec, 10.0f);
        viz::MapContext ctx;
        ctx.grid = spec;
        ctx.land = std::make_shared<const Grid<std::uint8_t>>(spec, std::uint8_t{2});
        ctx.credits = "Data: test";
        viz::MapPage page;
        page.title = "Travel time";
        page.values = &minutes;
        page.classes = viz::travel_time_classes(30.0, minutes.values());
        page.legend_title = "Travel time (min)";
        viz::render_maps(ctx, {page}, {dir / (name + ".png")}, "", viz::Lang::en);
        return read_png(dir / (name + ".png"));
    };
    const Image tall = draw(50, 110, "tall"), square = draw(60, 60, "square");
    CHECK(tall.width == 1240);  // A4 portrait at 150 dpi
    CHECK(tall.height == 1754);
    CHECK(square.width == 1754);
    CHECK(square.height == 1240);
    // The map's own colour (the class of 10 minutes) covers more of the portrait page than the whole landscape frame
    // could hold: there the frame is at most the page's height less heading and credits tall, so at most that times
    // 50/110 wide.
    const auto cls = viz::travel_time_classes(30.0, std::vector<float>{10.0f});
    REQUIRE(!cls.empty());
    const int legend_x = tall.width - static_cast<int>(tall.width * 240.0 / 595.0);
    const std::size_t drawn = tall.count(cls.front().colour, 0, 0, legend_x, tall.height);
    const double landscape_frame_h = (595.0 - 22.0 - 50.0 - 22.0 - 18.0) * 150.0 / 72.0;
    INFO(drawn << " pixels of the map's colour; a landscape frame holds at most "
               << landscape_frame_h * landscape_frame_h * 50.0 / 110.0);
    CHECK(static_cast<double>(drawn) > 1.5 * landscape_frame_h * landscape_frame_h * 50.0 / 110.0);
}
