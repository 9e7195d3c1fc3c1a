// GIS outputs of a run: Cloud-Optimized rasters, QGIS styles in access.gpkg and beside the rasters, and
// `accessplan export` in every format.

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include <unistd.h>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include "accessplan/geodata/gdal_env.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_export.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

struct StyleRow {
    std::string geometry_column, qml;
    int use_as_default = 0;
};

std::map<std::string, StyleRow> layer_styles(const fs::path& gpkg) {
    geodata::ensure_gdal();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(gpkg.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    REQUIRE(ds);
    OGRLayer* table = ds->GetLayerByName("layer_styles");
    REQUIRE(table != nullptr);
    std::map<std::string, StyleRow> rows;
    for (auto& f : *table)
        rows[f->GetFieldAsString("f_table_name")] = {f->GetFieldAsString("f_geometry_column"), f->GetFieldAsString("styleQML"),
                                                     f->GetFieldAsInteger("useAsDefault")};
    return rows;
}

std::set<std::string> field_names(const geodata::VectorLayerInfo& l) {
    std::set<std::string> names;
    for (const auto& f : l.fields) names.insert(f.name);
    return names;
}

}  // namespace

TEST_CASE("every raster of a run is a Cloud-Optimized GeoTIFF, travel times with a QGIS style", "[cli][export][cog]") {
    const fs::path& out = test::demo_results();
    std::size_t rasters = 0;
    for (const auto& e : fs::directory_iterator(out / "rasters")) {
        if (e.path().extension() != ".tif") continue;
        ++rasters;
        INFO(e.path().string());
        CHECK(geodata::read_raster_info(e.path()).layout == "COG");
    }
    CHECK(rasters >= 15);
    const std::string qml = test::slurp(out / "rasters" / "travel_time_primary_school.qml");
    CHECK_THAT(qml, Catch::Contains("singlebandpseudocolor") && Catch::Contains("DISCRETE"));
    // Classes around the 30-minute threshold, written without the values: 15, 30, then doubling to 16 T and beyond
    // (a map shows those its values reach: viz::travel_time_classes).
    for (const char* v : {"value=\"15\"", "value=\"30\"", "value=\"60\"", "value=\"120\"", "value=\"240\"", "value=\"480\"",
                          "value=\"inf\""})
        CHECK_THAT(qml, Catch::Contains(v));
    CHECK_THAT(qml, Catch::Contains("classificationMax=\"480\""));
    CHECK(fs::exists(out / "rasters" / "travel_time_swimming_pool.qml"));
}

TEST_CASE("access.gpkg carries QGIS default styles for its layers", "[cli][export][styles]") {
    const fs::path& out = test::demo_results();
    const auto styles = layer_styles(out / "access.gpkg");
    const auto info = geodata::read_vector_info(out / "access.gpkg");
    for (const char* layer : {"facilities", "zones", "gaps", "no_access", "ranking"}) {
        INFO(layer);
        REQUIRE(styles.count(layer) == 1);
        const StyleRow& row = styles.at(layer);
        CHECK(row.use_as_default == 1);
        CHECK(row.geometry_column == "geom");
        CHECK_THAT(row.qml, Catch::StartsWith("<!DOCTYPE qgis") && Catch::Contains("<renderer-v2"));
    }
    // The attribute each style classifies by is a field of its layer.
    std::map<std::string, std::set<std::string>> fields;
    for (const auto& l : info.layers) fields[l.name] = field_names(l);
    CHECK(fields["facilities"].count("type") == 1);
    CHECK_THAT(styles.at("facilities").qml, Catch::Contains("attr=\"type\""));
    for (const char* type : {"primary_school", "commune_health_station", "swimming_pool"})
        CHECK_THAT(styles.at("facilities").qml, Catch::Contains(fmt::format("value=\"{}\"", type)));
    CHECK_THAT(styles.at("zones").qml, Catch::Contains("&quot;primary_school_pct_within&quot; &lt;= 50"));
    CHECK(fields["zones"].count("primary_school_pct_within") == 1);
    CHECK_THAT(styles.at("gaps").qml, Catch::Contains("&quot;area_class&quot; = &apos;island&apos;"));
    CHECK_THAT(styles.at("ranking").qml, Catch::Contains("fieldName=\"rank\""));
    CHECK(fields["ranking"].count("rank") == 1);
    // Layers of several services: one rule per service, all but one unticked (QGIS draws one service at a time).
    const std::vector<std::string> services{"primary_school", "lower_secondary_school", "commune_health_station", "playground",
                                            "swimming_pool"};
    for (const char* layer : {"zones", "gaps", "no_access", "ranking"}) {
        INFO(layer);
        const std::string& qml = styles.at(layer).qml;
        CHECK_THAT(qml, Catch::Contains("type=\"RuleRenderer\""));
        for (const auto& svc : services) CHECK_THAT(qml, Catch::Contains(fmt::format("key=\"{}:{}\" label=\"{}\"", layer, svc, svc)));
        std::size_t unticked = 0;
        for (auto at = qml.find("checkstate=\"0\""); at != std::string::npos; at = qml.find("checkstate=\"0\"", at + 1)) ++unticked;
        CHECK(unticked == services.size() - 1);
    }
    // The demo ranks primary schools, playgrounds and pools (no lower secondary school, no health station): the
    // ranking shows primary schools (the first service it has sites of) when opened, the rest unticked.
    auto rule_line = [](const std::string& qml, const std::string& key) {
        const auto at = qml.find(fmt::format("key=\"{}\"", key));
        REQUIRE(at != std::string::npos);
        return qml.substr(at, qml.find('\n', at) - at);
    };
    CHECK_THAT(rule_line(styles.at("ranking").qml, "ranking:primary_school"), !Catch::Contains("checkstate"));
    CHECK_THAT(rule_line(styles.at("ranking").qml, "ranking:playground"), Catch::Contains("checkstate=\"0\""));
    CHECK_THAT(rule_line(styles.at("zones").qml, "zones:primary_school"), !Catch::Contains("checkstate"));
    // Travel-time rasters: nodata (sea, beyond the border, unreachable) has no colour, so the basemap shows.
    CHECK_THAT(test::slurp(out / "rasters" / "travel_time_primary_school.qml"), Catch::Contains("nodataColor=\"\""));
}

TEST_CASE("export renames a style's fields as the shapefile names them", "[export][unit][styles]") {
    const std::string qml = "<renderer-v2 attr=\"cost\"><rule filter=\"&quot;cost_per_child&quot; &gt; 1 AND &quot;cost&quot; "
                            "&lt; 2\"/><text-style fieldName=\"primary_school_pct_within\"/><x field=\"rank\"/>"
                            "<s value=\"cost\"/></renderer-v2>";
    const std::string out = geodata::rename_qml_fields(qml, {{"cost_per_child", "costpechil"}, {"cost", "costpechil2"},
                                                             {"primary_school_pct_within", "prscpcwi"}, {"costpechil", "no"}});
    CHECK(out == "<renderer-v2 attr=\"costpechil2\"><rule filter=\"&quot;costpechil&quot; &gt; 1 AND &quot;costpechil2&quot; "
                 "&lt; 2\"/><text-style fieldName=\"prscpcwi\"/><x field=\"rank\"/><s value=\"cost\"/></renderer-v2>");
}

TEST_CASE("shapefile field names are short, unique and readable", "[export][unit]") {
    const auto names = geodata::shapefile_field_names(
        {"zone_code", "primary_school_pct_within", "primary_school_pct_winter", "primary_school_children", "rank"});
    CHECK(names[0] == "zone_code");
    CHECK(names[1] == "prscpcwi");
    CHECK(names[4] == "rank");
    CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
    for (const auto& n : names) CHECK(n.size() <= 10);
}

TEST_CASE("accessplan export writes every layer in each format", "[cli][export]") {
    const fs::path& out = test::demo_results();
    test::TempDir dir;
    const auto source = geodata::read_vector_info(out / "access.gpkg");
    std::map<std::string, std::int64_t> counts;
    for (const auto& l : source.layers)
        if (l.name != "layer_styles") counts[l.name] = l.feature_count;
    REQUIRE(counts.size() == 8);  // facilities, zones, gaps, no_access, ranking, plan, study_area, national_border

    for (const std::string format : {"gpkg", "geojson", "shp", "csv"}) {
        INFO(format);
        const fs::path to = dir / format;
        const auto r = test::run_cli({"export", out.string(), to.string(), "--format", format});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        for (const auto& [layer, n] : counts) {
            INFO(layer);
            const std::string ext = format == "gpkg" ? "" : "." + format;
            if (format == "gpkg") {
                CHECK(layer_styles(to / "access.gpkg").count(layer) == 1);  // the styles go along
                continue;
            }
            const fs::path file = to / (layer + ext);
            REQUIRE(fs::exists(file));
            if (format == "csv") {
                std::ifstream in(file);
                std::string header;
                std::getline(in, header);
                CHECK_THAT(header, Catch::StartsWith(layer == "facilities" || layer == "ranking" || layer == "plan" ? "X,Y" : "WKT"));
                std::size_t lines = 0;
                for (std::string line; std::getline(in, line);) ++lines;
                CHECK(lines == static_cast<std::size_t>(n));  // one line per feature, WKT quoted on it
                continue;
            }
            const auto info = geodata::read_vector_info(file);
            REQUIRE(info.layers.size() == 1);
            CHECK(info.layers[0].feature_count == n);
            if (format == "geojson") CHECK(info.layers[0].crs.epsg == std::optional<int>(4326));
            if (format == "shp") {
                for (const auto& f : info.layers[0].fields) CHECK(f.name.size() <= 10);
                const std::string mapping = test::slurp(to / (layer + ".fields.csv"));
                CHECK_THAT(mapping, Catch::StartsWith("field,shapefile_field\n"));
                if (layer == "zones") CHECK_THAT(mapping, Catch::Contains("primary_school_pct_within,prscpcwi"));
                CHECK(fs::exists(to / (layer + ".cpg")));
                // The style goes along, with the short names (tests/python renders it in QGIS).
                const std::string qml = test::slurp(to / (layer + ".qml"));
                CHECK_THAT(qml, Catch::StartsWith("<!DOCTYPE qgis"));
                if (layer == "zones") CHECK_THAT(qml, Catch::Contains("&quot;prscpcwi&quot;") && !Catch::Contains("pct_within"));
            }
        }
    }
}

TEST_CASE("export refuses an existing folder, a missing one and an older results layout", "[cli][export][errors]") {
    const fs::path& out = test::demo_results();
    test::TempDir dir;
    // An existing output folder is left as it was.
    fs::create_directories(dir / "taken");
    std::ofstream(dir / "taken" / "mine.txt") << "keep";
    auto r = test::run_cli({"export", out.string(), (dir / "taken").string(), "--format", "geojson"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("--overwrite"));
    CHECK(test::folder_files(dir / "taken").size() == 1);

    r = test::run_cli({"export", (dir / "nowhere").string(), (dir / "x").string()});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("nowhere"));
    CHECK(!fs::exists(dir / "x"));

    // A results folder of the first layout (no results_schema in summary.json).
    fs::create_directories(dir / "old");
    fs::copy_file(out / "access.gpkg", dir / "old" / "access.gpkg");
    auto summary = nlohmann::json::parse(test::slurp(out / "summary.json"));
    summary.erase("results_schema");
    std::ofstream(dir / "old" / "summary.json") << summary.dump();
    r = test::run_cli({"export", (dir / "old").string(), (dir / "y").string()});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("layout 1") && Catch::Contains("run the scenario again"));
    CHECK(!fs::exists(dir / "y"));

    r = test::run_cli({"export", out.string(), (dir / "z").string(), "--format", "kml"});
    CHECK(r.exit_code == 2);

    // A place nothing can be written to (/proc refuses new folders even to root): an I/O error naming it, exit 1.
    r = test::run_cli({"export", out.string(), "/proc/accessplan-export-test", "--format", "csv"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("/proc/accessplan-export-test") && Catch::Contains("choose a folder you can write to"));
    // A read-only folder (permissions do not bind root, so only as another user).
    if (::geteuid() != 0) {
        fs::create_directories(dir / "ro");
        fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
        r = test::run_cli({"export", out.string(), (dir / "ro" / "x").string()});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("choose a folder you can write to"));
        CHECK(fs::is_empty(dir / "ro"));
        fs::permissions(dir / "ro", fs::perms::owner_all);
    }
}
