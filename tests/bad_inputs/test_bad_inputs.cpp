// The bad-input catalogue (docs/bad-inputs.md): every entry is one test case here, named by its id. Each feeds one bad
// input to the `accessplan` binary and checks the exit code, the words of the message, and that nothing was written
// (or, for the inputs accessplan repairs or accepts, that the run goes through). A last case checks that the table
// in docs/bad-inputs.md and these cases list the same ids.

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "accessplan/geodata/gdal_env.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

std::set<std::string>& registered() {
    static std::set<std::string> ids;
    return ids;
}
struct Register {
    explicit Register(const char* id) { registered().insert(id); }
};

/// The demo province's inputs and scenario files, written once per test process (no run).
const fs::path& demo_folder() {
    static test::TempDir dir;
    static const fs::path folder = [] {
        const fs::path f = dir / "demo";
        fs::create_directories(f);
        demo::write_demo_inputs(demo::generate_demo_province(28), f);
        return f;
    }();
    return folder;
}

/// A scenario in `dir` built on the demo's baseline, with `yaml` on top.
fs::path on_baseline(const fs::path& dir, const std::string& yaml, const std::string& name = "case.yaml") {
    std::ofstream(dir / name) << "schema_version: 1\nbase: '" << (demo_folder() / "scenarios" / "baseline.yaml").string() << "'\n" << yaml;
    return dir / name;
}

void write(const fs::path& file, const std::string& bytes) { std::ofstream(file, std::ios::binary) << bytes; }

void expect(const test::CliResult& r, int exit_code, const std::vector<std::string>& says) {
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == exit_code);
    for (const auto& s : says) CHECK_THAT(r.err + r.out, Catch::Contains(s));
}

test::CliResult validate(const fs::path& scenario) { return test::run_cli({"validate", scenario.string()}); }

/// Runs `scenario` into dir/out and checks that a failing run leaves nothing there.
test::CliResult run(const fs::path& scenario, const fs::path& dir) {
    auto r = test::run_cli({"run", "-q", scenario.string(), "--out", (dir / "out").string()});
    if (r.exit_code != 0) CHECK(!fs::exists(dir / "out"));
    return r;
}

/// A copy of the demo's population raster with its pixels changed by `edit`, written as a plain GeoTIFF.
fs::path population_with(const fs::path& dir, const std::function<void(GDALDataset&)>& edit, const std::string& name = "pop.tif") {
    geodata::ensure_gdal();
    std::unique_ptr<GDALDataset> src(GDALDataset::Open((demo_folder() / "inputs" / "population.tif").string().c_str(), GDAL_OF_RASTER));
    REQUIRE(src);
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    std::unique_ptr<GDALDataset> out(gtiff->CreateCopy((dir / name).string().c_str(), src.get(), FALSE, nullptr, nullptr, nullptr));
    REQUIRE(out);
    edit(*out);
    return dir / name;
}

/// The demo's facilities as a new GeoPackage layer, through `edit` (fields id, name, type unless told otherwise).
/// The layer is in the demo's CRS unless `srs` is given.
fs::path facilities_with(const fs::path& dir, const std::function<void(OGRLayer& in, OGRLayer& out)>& copy,
                         const std::vector<std::string>& fields = {"id", "name", "type"},
                         OGRSpatialReference* srs = nullptr) {
    geodata::ensure_gdal();
    std::unique_ptr<GDALDataset> src(GDALDataset::Open((demo_folder() / "inputs" / "demo_province.gpkg").string().c_str(), GDAL_OF_VECTOR));
    OGRLayer* in = src->GetLayerByName("facilities");
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    std::unique_ptr<GDALDataset> dst(gpkg->Create((dir / "facilities.gpkg").string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* out = dst->CreateLayer("facilities", srs ? srs : in->GetSpatialRef(), wkbPoint, nullptr);
    for (const auto& f : fields) {
        OGRFieldDefn d(f.c_str(), f == "id" ? OFTInteger : OFTString);
        out->CreateField(&d);
    }
    copy(*in, *out);
    return dir / "facilities.gpkg";
}

void copy_features(OGRLayer& in, OGRLayer& out, const std::function<void(OGRFeature&, std::size_t)>& edit = {}) {
    std::size_t k = 0;
    for (auto& f : in) {
        OGRFeature g(out.GetLayerDefn());
        g.SetFrom(f.get(), TRUE);
        if (edit) edit(g, k);
        ++k;
        REQUIRE(out.CreateFeature(&g) == OGRERR_NONE);
    }
}

const char* const facilities_yaml = "facilities: {file: facilities.gpkg, layer: facilities, type_field: type, name_field: name, id_field: id}\n";

/// The first `n` primary schools of the demo (as points in `epsg`, traditional x/y order): sites on land for new
/// facilities written as CSV x/y in another CRS.
std::vector<std::pair<double, double>> demo_sites_in(int epsg, std::size_t n) {
    geodata::ensure_gdal();
    std::unique_ptr<GDALDataset> src(GDALDataset::Open((demo_folder() / "inputs" / "demo_province.gpkg").string().c_str(), GDAL_OF_VECTOR));
    OGRLayer* in = src->GetLayerByName("facilities");
    OGRSpatialReference to;
    to.importFromEPSG(epsg);
    to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(in->GetSpatialRef(), &to));
    std::vector<std::pair<double, double>> sites;
    for (auto& f : *in) {
        if (std::string(f->GetFieldAsString("type")) != "primary_school") continue;
        double x = f->GetGeometryRef()->toPoint()->getX(), y = f->GetGeometryRef()->toPoint()->getY();
        REQUIRE(ct->Transform(1, &x, &y));
        sites.emplace_back(x, y);
        if (sites.size() == n) break;
    }
    return sites;
}

}  // namespace

#define ACCESSPLAN_CAT2(a, b) a##b
#define ACCESSPLAN_CAT(a, b) ACCESSPLAN_CAT2(a, b)
/// One catalogue entry: registered under `id` for the docs check, and a test case of its own.
#define BAD_INPUT(id, what)                                                        \
    static const Register ACCESSPLAN_CAT(bad_input_, __LINE__){id};               \
    TEST_CASE("bad input " id ": " what, "[bad_inputs]")

// ---- scenario files -----------------------------------------------------------------------------------------------

BAD_INPUT("scenario-missing", "a scenario file that does not exist") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(dir / "nope.yaml"), 3, {"nope.yaml", "scenario file not found"});
}

BAD_INPUT("scenario-empty", "an empty scenario file") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "empty.yaml", "");
    expect(validate(dir / "empty.yaml"), 3, {"empty.yaml", "the file is empty"});
}

BAD_INPUT("scenario-folder", "a folder given as the scenario") {
    expect(validate(demo_folder() / "inputs"), 3, {"a folder, not a scenario file"});
}

BAD_INPUT("scenario-10mb", "a 10 MB file given as the scenario") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    std::string big = "type: FeatureCollection\nfeatures:\n";
    while (big.size() < 10'000'000) big += "  - {type: Feature, geometry: {type: Point, coordinates: [107.1, 21.2]}}\n";
    write(dir / "big.yaml", big);
    expect(validate(dir / "big.yaml"), 3, {"big.yaml", "MB; a scenario is a few kilobytes", "data file"});
}

BAD_INPUT("scenario-not-utf8", "a scenario saved in a legacy encoding") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "latin1.yaml", "schema_version: 1\nname: Tr\xf4ng\n");
    expect(validate(dir / "latin1.yaml"), 3, {"latin1.yaml:2:9", "not UTF-8 text", "save the file as UTF-8"});
}

BAD_INPUT("scenario-bad-yaml", "a YAML syntax error") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "bad.yaml", "schema_version: 1\narea: [1, 2\n");
    expect(validate(dir / "bad.yaml"), 3, {"bad.yaml:", "not valid YAML"});
}

BAD_INPUT("scenario-not-mapping", "a YAML list instead of a mapping") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "list.yaml", "- schema_version\n- area\n");
    expect(validate(dir / "list.yaml"), 3, {"expected a YAML mapping at the top"});
}

BAD_INPUT("scenario-list-as-key", "a list where a key belongs (found by the fuzzer)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "s.yaml", "schema_version: 1\nservices: [{name: a,  [x], target_group: primary, threshold_min: 30}]\n");
    expect(validate(dir / "s.yaml"), 3, {"s.yaml:2:", "a key must be a plain name, not a list"});
}

BAD_INPUT("schema-version-missing", "no schema_version") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "s.yaml", "name: no version\n");
    expect(validate(dir / "s.yaml"), 3, {"schema_version"});
}

BAD_INPUT("schema-version-unsupported", "schema_version 2") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "s.yaml", "schema_version: 2\nbase: '" + (demo_folder() / "scenarios" / "baseline.yaml").string() + "'\n");
    expect(validate(dir / "s.yaml"), 3, {"schema_version"});
}

BAD_INPUT("unknown-key", "a misspelt key") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "servics: []\n")), 3, {"servics", "did you mean"});
}

BAD_INPUT("wrong-type", "text where a number belongs") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "area: {cell_size_m: abc}\n")), 3, {"cell_size_m"});
}

BAD_INPUT("cell-size-negative", "a negative cell size") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "area: {cell_size_m: -100}\n")), 3, {"cell_size_m"});
}

BAD_INPUT("no-services", "an empty services list") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "services: []\n")), 3, {"services"});
}

BAD_INPUT("unknown-target-group", "a service for an undefined age group") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "services:\n  - {name: x, facility_types: [primary_school], target_group: elders, threshold_min: 30}\n")),
           3, {"elders"});
}

BAD_INPUT("target-group-bad", "a target group whose name is a path, or whose ages are not ages") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "target_groups:\n  ../teens: {min_age: 11, max_age: 14}\n", "path.yaml")), 3,
           {"target_groups.../teens: '../teens' must be lower-case letters, digits and _", "children_<group>.tif"});
    expect(validate(on_baseline(dir, "target_groups:\n  teens: {min_age: 11, max_age: 1e20}\n", "ages.yaml")), 3,
           {"target_groups.teens.max_age: 1e+20 is not an age in whole years 0..120"});
    expect(validate(on_baseline(dir, "target_groups:\n  teens: {min_age: 11.5, max_age: 14}\n", "half.yaml")), 3,
           {"target_groups.teens.min_age: 11.5 is not an age"});
}

BAD_INPUT("threshold-negative", "a negative threshold") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "services:\n  - {name: x, facility_types: [primary_school], target_group: primary, threshold_min: -5}\n")),
           3, {"threshold_min"});
}

BAD_INPUT("unknown-mode", "a travel mode nobody defined") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "services:\n  - {name: x, facility_types: [primary_school], target_group: primary, threshold_min: 30, "
                                     "mode: hovercraft}\n")),
           3, {"hovercraft"});
}

BAD_INPUT("duplicate-service", "two services with one name") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "services:\n  - {name: x, facility_types: [primary_school], target_group: primary, threshold_min: 30}\n"
                                     "  - {name: x, facility_types: [playground], target_group: primary, threshold_min: 15}\n")),
           3, {"x"});
}

BAD_INPUT("base-missing", "a base: file that does not exist") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "s.yaml", "schema_version: 1\nbase: nothere.yaml\n");
    expect(validate(dir / "s.yaml"), 3, {"nothere.yaml"});
}

BAD_INPUT("base-cycle", "two scenarios each based on the other") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "a.yaml", "schema_version: 1\nbase: b.yaml\n");
    write(dir / "b.yaml", "schema_version: 1\nbase: a.yaml\n");
    expect(validate(dir / "a.yaml"), 3, {"a.yaml", "b.yaml"});
}

BAD_INPUT("close-unknown-facility", "closing a facility id that does not exist") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "modifications:\n  - close_facilities: {ids: [99999]}\n")), 3, {"99999"});
}

BAD_INPUT("ferry-bad-months", "a ferry season that is not months") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "modifications:\n  - new_ferry: {from: [107.3359, 21.1619], to: [107.3661, 21.3105], "
                                     "crossing_min: 30, months: summer}\n")),
           3, {"months"});
}

BAD_INPUT("close-unknown-ferry", "closing a ferry no ferry is named, or with no names") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "modifications:\n  - close_ferry: {names: [\"Phà ma\"]}\n")), 3,
           {"no ferry is named 'Phà ma'", "Phà Cô Lam - Cảng Hải Tiến"});
    expect(validate(on_baseline(dir, "modifications:\n  - close_ferry: {names: []}\n")), 3, {"the ferries to close, by name"});
}

BAD_INPUT("ranking-budget-text", "a budget written 60 tỷ (accepted) or with thousands separators (refused)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    for (const char* budget : {"60 tỷ", "60_000_000_000", "60e9", "\"60 ty đồng\""})
        expect(validate(on_baseline(dir, fmt::format("ranking: {{budget: {}}}\n", budget), "ok.yaml")), 0, {"valid"});
    expect(validate(on_baseline(dir, "ranking: {budget: 60.000.000.000}\n", "dots.yaml")), 3,
           {"dots.yaml:", "ranking.budget: '60.000.000.000' has thousands separators, which are not allowed", "write 60000000000"});
    expect(validate(on_baseline(dir, "ranking: {costs: {playground: 1.500 tỷ}}\n", "ambiguous.yaml")), 3,
           {"ranking.costs.playground: '1.500 tỷ' is ambiguous", "write 1500 tỷ or 1.5 tỷ"});
}

BAD_INPUT("ranking-programmes", "programmes: a service in two, a budget beside them, shares above the whole budget") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    // A what-if's own one budget replaces its base's programmes; its own programmes replace a base's one budget.
    expect(validate(on_baseline(dir, "ranking: {budget: 60 tỷ, min_share: {island: 0.2}}\n", "pot.yaml")), 0, {"valid"});
    expect(validate(on_baseline(dir, "ranking:\n  programmes:\n    health: null\n    education: null\n    sport_culture:\n"
                                     "      services: [playground, commune_health_station]\n      budget: 14 tỷ\n",
                                "moved.yaml")), 0, {"valid"});
    expect(validate(on_baseline(dir, "ranking:\n  programmes:\n    health: {services: [commune_health_station, playground], "
                                     "budget: 6 tỷ}\n", "twice.yaml")), 3,
           {"twice.yaml:", "ranking.programmes.health.services", "'playground' is in programme 'sport_culture' too",
            "a service is paid from one programme"});
    expect(validate(on_baseline(dir, "ranking:\n  budget: 60 tỷ\n  programmes: {health: {services: [commune_health_station], "
                                     "budget: 6 tỷ}}\n", "both.yaml")), 3,
           {"both.yaml:", "ranking.budget: set together with ranking.programmes", "remove ranking.budget"});
    expect(validate(on_baseline(dir, "ranking:\n  programmes:\n    swimming: {min_share: {island: 0.6, border: 0.5}}\n",
                                "shares.yaml")), 3,
           {"shares.yaml:", "ranking.programmes.swimming.min_share: the shares add up to 1.4 (island 0.6 in shares.yaml, border 0.5 in "
            "shares.yaml, island_border_remote 0.3 in baseline.yaml; a what-if's shares merge with its base's), more than "
            "the whole budget"});
    expect(validate(on_baseline(dir, "ranking:\n  programmes:\n    sport_culture: {min_share: {islands: 0.3}}\n", "key.yaml")), 3,
           {"key.yaml:", "min_share.islands: unknown key (did you mean 'island'?)"});
    expect(validate(on_baseline(dir, "ranking:\n  programmes:\n    sport_culture: {min_share: {island: 30}}\n", "pct.yaml")), 3,
           {"pct.yaml:", "min_share.island", "a share of the budget from 0 to 1: 0.3 (or \"30%\")"});
    expect(validate(on_baseline(dir, "ranking:\n  programmes:\n    sport_culture: {min_share: {island: 30%}}\n", "pct_ok.yaml")), 0,
           {"valid"});
    expect(validate(on_baseline(dir, "ranking:\n  programmes:\n    Sport: {services: [playground], budget: 1 tỷ}\n", "name.yaml")), 3,
           {"name.yaml:", "ranking.programmes.Sport", "lower-case letters"});
}

BAD_INPUT("ranking-uncertainty", "uncertainty draws: a fraction of a draw, a spread of 150% or 100% of a cost, a typo") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "ranking: {uncertainty: {draws: 2.5}}\n", "half.yaml")), 3,
           {"half.yaml:", "ranking.uncertainty.draws: 2.5 is not a whole number of draws"});
    expect(validate(on_baseline(dir, "ranking: {uncertainty: {draws: 20000}}\n", "many.yaml")), 3,
           {"many.yaml:", "ranking.uncertainty.draws", "a whole number of draws from 0 to 10000"});
    expect(validate(on_baseline(dir, "ranking: {uncertainty: {population_pct: 150}}\n", "pop.yaml")), 3,
           {"pop.yaml:", "ranking.uncertainty.population_pct", "a percentage from 0 to 100"});
    expect(validate(on_baseline(dir, "ranking: {uncertainty: {cost_pct: 100}}\n", "cost.yaml")), 3,
           {"cost.yaml:", "ranking.uncertainty.cost_pct", "a percentage from 0 to 99 (15 = +-15%; a cost stays above 0)"});
    expect(validate(on_baseline(dir, "ranking: {uncertainty: {draw: 10}}\n", "typo.yaml")), 3,
           {"typo.yaml:", "ranking.uncertainty.draw: unknown key (did you mean 'draws'?)"});
    expect(test::run_cli({"rank", (demo_folder() / "scenarios" / "baseline.yaml").string(), "--draws", "-1"}), 2, {"--draws"});
}

BAD_INPUT("ranking-plan", "a plan: a year without money, a year outside the plan, an unknown programme, years reversed") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    // The base writes sport_culture's money as one amount for every year: a what-if's mapping replaces it whole.
    expect(validate(on_baseline(dir, "ranking: {plan: {budgets: {sport_culture: {2028: 0}}}}\n", "gap.yaml")), 3,
           {"gap.yaml:", "ranking.plan.budgets.sport_culture: no money for 2026, 2027, 2029, 2030",
            "{each_year: <that amount>, <year>: <amount>}"});
    expect(validate(on_baseline(dir, "ranking: {plan: {budgets: {sport_culture: {each_year: 1.6 tỷ, 2028: 0}}}}\n", "each.yaml")), 0,
           {"valid"});
    expect(validate(on_baseline(dir, "ranking: {plan: {budgets: {education: {2031: 6 tỷ}}}}\n", "late.yaml")), 3,
           {"late.yaml:", "ranking.plan.budgets.education.2031: not a year of the plan (2026 to 2030)"});
    expect(validate(on_baseline(dir, "ranking: {plan: {budgets: {sport: 1 tỷ}}}\n", "name.yaml")), 3,
           {"name.yaml:", "ranking.plan.budgets.sport: 'sport' is not a programme; use education, health, sport_culture, swimming"});
    expect(validate(on_baseline(dir, "ranking: {plan: {last_year: 2020}}\n", "back.yaml")), 3,
           {"back.yaml:", "ranking.plan.last_year: 2026 to 2020", "1 to 30 years"});
    expect(validate(on_baseline(dir, "ranking: {plan: {growth_pct: 80}}\n", "fast.yaml")), 3,
           {"fast.yaml:", "ranking.plan.growth_pct", "from -50 to 50"});
    // Growth by a commune code no commune has: validate finds it (the run too, after its travel times).
    expect(validate(on_baseline(dir, "ranking: {plan: {growth_pct: {XX99: 2}}}\n", "zone.yaml")), 3,
           {"zone.yaml", "ranking.plan.growth_pct names zone code(s) XX99 that no zone of demo_province.gpkg has"});
    // A year's money that cannot be read is one error, not also "no money" for that year.
    {
        const auto r = validate(on_baseline(dir, "ranking: {plan: {budgets: {education: {2028: 6.000.000.000}}}}\n", "dots.yaml"));
        expect(r, 3, {"dots.yaml:", "ranking.plan.budgets.education.2028", "thousands separators"});
        CHECK(r.err.find("no money for") == std::string::npos);
    }
    // A what-if that drops a programme drops its money in the plan too.
    expect(validate(on_baseline(dir, "ranking: {programmes: {education: null}}\n", "dropped.yaml")), 0, {"valid"});
}

BAD_INPUT("path-with-spaces-and-diacritics", "inputs under a folder named with spaces and Vietnamese letters (accepted)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const fs::path folder = dir / "dữ liệu tỉnh Sơn Hải";
    fs::copy(demo_folder(), folder, fs::copy_options::recursive);
    const auto r = validate(folder / "scenarios" / "baseline.yaml");
    expect(r, 0, {"valid"});
}

// ---- rasters ------------------------------------------------------------------------------------------------------

BAD_INPUT("population-missing", "a population raster that does not exist") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "population: {total: missing.tif}\n")), 3, {"missing.tif", "not found", "paths are relative to the folder"});
}

BAD_INPUT("raster-empty-file", "a 0-byte GeoTIFF") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "empty.tif", "");
    expect(validate(on_baseline(dir, "population: {total: empty.tif}\n")), 3, {"empty.tif", "not a readable raster"});
}

BAD_INPUT("raster-truncated", "a GeoTIFF cut off halfway (an interrupted download)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const std::string bytes = test::slurp(demo_folder() / "inputs" / "population.tif");
    write(dir / "cut.tif", bytes.substr(0, bytes.size() / 2));
    expect(run(on_baseline(dir, "population: {total: cut.tif}\n"), dir), 3, {"cut.tif", "truncated or corrupt", "re-download"});
}

BAD_INPUT("population-negative", "negative people in the population raster") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const fs::path pop = population_with(dir, [](GDALDataset& d) {
        float v = -5.0f;
        REQUIRE(d.GetRasterBand(1)->RasterIO(GF_Write, 100, 100, 1, 1, &v, 1, 1, GDT_Float32, 0, 0) == CE_None);
    });
    expect(run(on_baseline(dir, "population: {total: pop.tif}\n"), dir), 3, {"pop.tif", "cannot be negative", "nodata"});
}

BAD_INPUT("population-all-nodata", "a population raster with nobody in the study area") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const fs::path pop = population_with(dir, [](GDALDataset& d) {
        GDALRasterBand* b = d.GetRasterBand(1);
        b->SetNoDataValue(-99999.0);
        std::vector<float> nodata(static_cast<std::size_t>(d.GetRasterXSize()) * static_cast<std::size_t>(d.GetRasterYSize()), -99999.0f);
        REQUIRE(b->RasterIO(GF_Write, 0, 0, d.GetRasterXSize(), d.GetRasterYSize(), nodata.data(), d.GetRasterXSize(),
                            d.GetRasterYSize(), GDT_Float32, 0, 0) == CE_None);
    });
    expect(run(on_baseline(dir, "population: {total: pop.tif}\n"), dir), 3, {"pop.tif", "no people inside the study area"});
}

BAD_INPUT("landcover-not-classes", "a continuous raster given as land cover") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    population_with(dir, [](GDALDataset& d) {  // a continuous raster given as land cover
        float v = 2.5f;
        REQUIRE(d.GetRasterBand(1)->RasterIO(GF_Write, 10, 10, 1, 1, &v, 1, 1, GDT_Float32, 0, 0) == CE_None);
    }, "landcover.tif");
    // Warped onto the grid as classes, its values are codes no travel mode has a speed for.
    expect(run(on_baseline(dir, "travel: {landcover: landcover.tif}\n"), dir), 3,
           {"landcover.tif (land cover): class codes", "have no speed in travel mode", "expected ESA WorldCover codes"});
}

BAD_INPUT("raster-rotated", "a rotated raster") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    population_with(dir, [](GDALDataset& d) {
        double gt[6];
        d.GetGeoTransform(gt);
        gt[2] = 5.0;
        gt[4] = 5.0;
        d.SetGeoTransform(gt);
    });
    expect(run(on_baseline(dir, "population: {total: pop.tif}\n"), dir), 3, {"pop.tif", "rotated or not north-up", "gdalwarp"});
}

BAD_INPUT("raster-no-georeferencing", "a raster without a geotransform") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    geodata::ensure_gdal();
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    std::unique_ptr<GDALDataset>(gtiff->Create((dir / "plain.tif").string().c_str(), 10, 10, 1, GDT_Float32, nullptr)).reset();
    expect(run(on_baseline(dir, "population: {total: plain.tif}\n"), dir), 3, {"plain.tif", "no georeferencing"});
}

BAD_INPUT("friction-in-degrees", "traveltime on a friction raster in degrees") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    Grid<float> f(GridSpec{20, 20, GeoTransform{107.0, 0.001, 0, 21.0, 0, -0.001}, Crs{}}, 0.001f);
    geodata::ensure_gdal();
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    {
        std::unique_ptr<GDALDataset> d(gtiff->Create((dir / "f.tif").string().c_str(), 20, 20, 1, GDT_Float32, nullptr));
        double gt[6] = {107.0, 0.001, 0, 21.0, 0, -0.001};
        d->SetGeoTransform(gt);
        OGRSpatialReference wgs;
        wgs.importFromEPSG(4326);
        d->SetSpatialRef(&wgs);
        REQUIRE(d->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 20, 20, f.data(), 20, 20, GDT_Float32, 0, 0) == CE_None);
    }
    write(dir / "s.csv", "lon,lat\n107.01,20.99\n");
    expect(test::run_cli({"traveltime", "--friction", (dir / "f.tif").string(), "--sources", (dir / "s.csv").string(), "--out",
                          (dir / "t.tif").string()}),
           3, {"f.tif", "geographic (degrees)"});
    CHECK(!fs::exists(dir / "t.tif"));
}

BAD_INPUT("friction-nan-and-minus-inf", "NaN and -inf in a friction raster (read as impassable)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    auto g = test::grid_from_ascii("0.01 0.01 0.01 0.01 / 0.01 0.01 0.01 0.01 / 0.01 0.01 0.01 0.01", 100.0);
    g(2, 0) = std::numeric_limits<float>::quiet_NaN();
    g(2, 1) = -std::numeric_limits<float>::infinity();
    g(2, 2) = std::numeric_limits<float>::quiet_NaN();
    geodata::ensure_gdal();
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    {
        std::unique_ptr<GDALDataset> d(gtiff->Create((dir / "f.tif").string().c_str(), 4, 3, 1, GDT_Float32, nullptr));
        const auto& t = g.spec().transform;
        double gt[6] = {t.origin_x, t.pixel_width, 0, t.origin_y, 0, t.pixel_height};
        d->SetGeoTransform(gt);
        OGRSpatialReference utm;
        utm.importFromEPSG(32648);
        d->SetSpatialRef(&utm);
        REQUIRE(d->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 3, g.data(), 4, 3, GDT_Float32, 0, 0) == CE_None);
    }
    write(dir / "s.csv", fmt::format("x,y\n{},{}\n", g.spec().transform.x_of(0), g.spec().transform.y_of(1)));
    const auto r = test::run_cli({"traveltime", "--friction", (dir / "f.tif").string(), "--sources", (dir / "s.csv").string(),
                                  "--out", (dir / "t.tif").string()});
    expect(r, 0, {});
    const auto t = geodata::read_raster_float(dir / "t.tif");
    CHECK(t(0, 1) == 0.0f);
    CHECK(std::isnan(t(3, 1)));  // the NaN/-inf column walls off the east
}

// ---- vectors ------------------------------------------------------------------------------------------------------

BAD_INPUT("boundary-self-intersecting", "a self-intersecting study-area polygon (repaired with MakeValid)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "bowtie.geojson", R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":
        {"type":"Polygon","coordinates":[[[107.15,21.2],[107.45,21.4],[107.45,21.2],[107.15,21.4],[107.15,21.2]]]}}]})");
    const auto r = run(on_baseline(dir, "area: {boundary: {file: bowtie.geojson, layer: bowtie}, buffer_m: 2000}\ntravel: {ferries: null}\nranking: null\n"), dir);
    expect(r, 0, {});
    CHECK(nlohmann::json::parse(test::slurp(dir / "out" / "summary.json"))["population_in_area"].get<double>() > 1000.0);
}

BAD_INPUT("vector-truncated", "a GeoPackage cut off halfway") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const std::string bytes = test::slurp(demo_folder() / "inputs" / "demo_province.gpkg");
    write(dir / "facilities.gpkg", bytes.substr(0, bytes.size() / 3));
    expect(validate(on_baseline(dir, facilities_yaml)), 3, {"facilities.gpkg", "not a readable vector file"});
}

BAD_INPUT("vector-no-crs", "a shapefile without its .prj") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    geodata::ensure_gdal();
    GDALDriver* shp = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
    {
        std::unique_ptr<GDALDataset> d(shp->Create((dir / "towns.shp").string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* l = d->CreateLayer("towns", nullptr, wkbPoint, nullptr);
        OGRFeature f(l->GetLayerDefn());
        OGRPoint p(107.2, 21.3);
        f.SetGeometry(&p);
        REQUIRE(l->CreateFeature(&f) == OGRERR_NONE);
    }
    expect(run(on_baseline(dir, "area_classes: {towns: {file: towns.shp, layer: towns, where: null}}\n"), dir), 3, {"towns.shp", "no coordinate reference system"});
}

BAD_INPUT("layer-missing", "a layer name the file does not have") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(validate(on_baseline(dir, "facilities: {layer: schools}\n")), 3, {"no layer 'schools'", "its layers are"});
}

BAD_INPUT("facilities-empty", "a facility layer without features") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    facilities_with(dir, [](OGRLayer&, OGRLayer&) {});
    expect(run(on_baseline(dir, facilities_yaml), dir), 3, {"facilities.gpkg"});
}

BAD_INPUT("facilities-duplicate-ids", "two facilities with one id") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    facilities_with(dir, [](OGRLayer& in, OGRLayer& out) { copy_features(in, out, [](OGRFeature& f, std::size_t k) { if (k == 1) f.SetField("id", 1); }); });
    expect(validate(on_baseline(dir, facilities_yaml)), 3, {"facilities.gpkg", "is used by features", "ids must be unique"});
}

BAD_INPUT("facilities-bad-ids", "facility ids that are not whole numbers, or the same number twice") {
    const std::string yaml = "facilities: {file: facilities.gpkg, layer: facilities, type_field: type, name_field: name, id_field: code}\n";
    // Feature 5's code is `bad`; the others are 1, 2, 3, ...
    const auto with_code = [&yaml](const std::string& bad) {
        test::TempDir tmp;
        facilities_with(tmp.path(), [&bad](OGRLayer& in, OGRLayer& out) {
            copy_features(in, out, [&bad](OGRFeature& f, std::size_t k) { f.SetField("code", k == 4 ? bad.c_str() : std::to_string(k + 1).c_str()); });
        }, {"code", "name", "type"});
        return validate(on_baseline(tmp.path(), yaml));
    };
    for (const std::string bad : {"12b", "-5", "3.5", "2147483648"})
        expect(with_code(bad), 3, {"facilities.gpkg", "feature 5 has code '" + bad + "'", "whole numbers from 0 to 2147483647"});
    // 2.0 is feature 2's id again, as the nearest-facility raster would hold it.
    expect(with_code("2.0"), 3, {"code 2.0 is used by features 2 and 5", "ids must be unique"});
    expect(with_code("5.0"), 0, {});
}

BAD_INPUT("facilities-capacity-text", "a capacity written 1,200 or 250 students in a facility CSV") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const std::string yaml = "facilities: {file: facilities.csv, layer: facilities}\n";
    // std::stod read these as 1 and 250.
    write(dir / "facilities.csv", "id,name,type,capacity,lon,lat\n1,Truong A,primary_school,\"1,200\",107.2,21.3\n");
    expect(validate(on_baseline(dir, yaml)), 3,
           {"facilities.csv: facility 1: capacity: '1,200' has a thousands separator, which is not allowed", "write 1200",
            "decimals use a point"});
    expect(run(on_baseline(dir, yaml), dir), 3, {"'1,200' has a thousands separator"});
    write(dir / "facilities.csv", "id,name,type,capacity,lon,lat\n1,Truong A,primary_school,250 students,107.2,21.3\n");
    expect(validate(on_baseline(dir, yaml)), 3, {"capacity: '250 students' has text after the number", "write 250"});
    write(dir / "facilities.csv", "id,name,type,capacity,lon,lat\n1,Truong A,primary_school, 1200 ,107.2,21.3\n");
    expect(validate(on_baseline(dir, yaml)), 0, {"valid"});
}

BAD_INPUT("facilities-no-type-field", "a facility layer without the type field") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    facilities_with(dir, [](OGRLayer& in, OGRLayer& out) { copy_features(in, out); }, {"id", "name"});
    expect(validate(on_baseline(dir, facilities_yaml)), 3, {"no field 'type'", "facilities.type_field"});
}

BAD_INPUT("facilities-not-utf8", "facility names in a legacy encoding") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "facilities.csv", "id,name,type,lon,lat\n1,Tr\xf4ng A,primary_school,107.2,21.3\n");
    expect(validate(on_baseline(dir, "facilities: {file: facilities.csv, layer: facilities}\n")), 3,
           {"facilities.csv", "not UTF-8", "ENCODING=UTF-8"});
}

BAD_INPUT("facilities-at-sea", "facilities far out at sea (reported, not placed)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    facilities_with(dir, [](OGRLayer& in, OGRLayer& out) {
        copy_features(in, out, [](OGRFeature& f, std::size_t k) {
            if (k < 3) {
                OGRPoint sea(760000.0, 2330000.0);
                f.SetGeometry(&sea);
            }
        });
    });
    const auto r = test::run_cli({"run", on_baseline(dir, facilities_yaml + std::string("ranking: null\n")).string(), "--out", (dir / "out").string()});
    expect(r, 0, {"farther than 500 m from passable land", "facilities_placement.csv"});
    CHECK_THAT(test::slurp(dir / "out" / "facilities_placement.csv"), Catch::Contains("no_passable") || Catch::Contains("outside_grid"));
}

BAD_INPUT("facilities-other-crs", "facilities in WGS 84 over a grid in UTM") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const auto to_wgs84 = [&wgs84](OGRLayer& in, OGRLayer& out) {
        std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(in.GetSpatialRef(), &wgs84));
        REQUIRE(ct);
        copy_features(in, out, [&ct](OGRFeature& f, std::size_t) { REQUIRE(f.GetGeometryRef()->transform(ct.get()) == OGRERR_NONE); });
    };
    facilities_with(dir, to_wgs84, {"id", "name", "type"}, &wgs84);
    fs::create_directories(dir / "utm");
    facilities_with(dir / "utm", [](OGRLayer& in, OGRLayer& out) { copy_features(in, out); });
    // Reprojected onto the grid on reading: the same children reach the same facilities as from the layer in UTM.
    const std::string yaml = facilities_yaml + std::string("ranking: null\n");
    const auto r = test::run_cli({"run", on_baseline(dir, yaml).string(), "--out", (dir / "out").string()});
    const auto r_utm = test::run_cli({"run", "-q", on_baseline(dir / "utm", yaml).string(), "--out", (dir / "out_utm").string()});
    expect(r, 0, {});
    expect(r_utm, 0, {});
    CHECK_THAT(r.err, !Catch::Contains("farther than"));
    CHECK(test::slurp(dir / "out" / "summary.csv") == test::slurp(dir / "out_utm" / "summary.csv"));
    CHECK(test::slurp(dir / "out" / "facilities_load.csv") == test::slurp(dir / "out_utm" / "facilities_load.csv"));
}

/// Services on the demo's baseline: primary schools, and `name` with one facility type, `type`; no ranking.
static std::string two_services(const std::string& name, const std::string& type) {
    return "services:\n"
           "  - {name: primary_school, facility_types: [primary_school], target_group: primary, threshold_min: 30}\n"
           "  - {name: " + name + ", facility_types: [" + type + "], target_group: swim_6_15, threshold_min: 30}\n"
           "ranking: null\n";
}

BAD_INPUT("facility-type-typo", "a facility type with a typo (swiming_pool) that no facility has") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const std::string yaml = two_services("swimming_pool", "swiming_pool");
    const std::vector<std::string> says{"services[1] (swimming_pool).facility_types", "no facility in", "'swiming_pool'",
                                        "did you mean 'swimming_pool'"};
    expect(validate(on_baseline(dir, yaml)), 3, says);
    expect(run(on_baseline(dir, yaml), dir), 3, says);
    // Without ranking: null, the base's ranking names services this file dropped: said, with the way out.
    const std::string inherited = yaml.substr(0, yaml.find("ranking: null"));
    expect(validate(on_baseline(dir, inherited, "inherited.yaml")), 3,
           {"'playground' is not a service", "this ranking section comes from the base file, and inherited.yaml changes services:",
            "or ranking: null"});
}

BAD_INPUT("facility-type-absent", "a service whose facility type no facility has (a province without pools yet)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const std::string yaml = two_services("water_park", "water_park");
    // validate says it already (and that the scenario is valid: a province may have none yet).
    expect(validate(on_baseline(dir, yaml)), 0, {"valid", "warning: ", "no facility in demo_province.gpkg has type 'water_park'"});
    const auto r = run(on_baseline(dir, yaml), dir);
    expect(r, 0, {});
    // Said where the planner reads it: the console (a count with -q), summary.json and the report.
    CHECK_THAT(r.err, Catch::Contains("warning(s)"));
    const std::string warning = "service water_park: no facility in demo_province.gpkg has type 'water_park'";
    CHECK_THAT(test::slurp(dir / "out" / "summary.json"), Catch::Contains(warning));
    CHECK_THAT(test::slurp(dir / "out" / "report.html"), Catch::Contains("service water_park: no facility in demo_province.gpkg has type"));
}

BAD_INPUT("csv-xy-other-crs", "new pools as CSV x/y in VN-2000 / TM-3 105-45 (a CSV cannot declare its CRS)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    std::string csv = "name,type,x,y\n";
    for (const auto& [x, y] : demo_sites_in(9210, 3)) csv += fmt::format("Pool,swimming_pool,{:.2f},{:.2f}\n", x, y);
    write(dir / "pools.csv", csv);
    const std::string yaml = "ranking: null\nmodifications:\n  - add_facilities: {file: pools.csv";
    // Read as the grid's UTM 48N they fall ~80 km west, off the grid: the run stops instead of equalling the baseline.
    expect(run(on_baseline(dir, yaml + "}\n", "plain.yaml"), dir), 3,
           {"3 of its 3 facilities were dropped", "pools.csv feature 1 (Pool): outside_grid", "crs:", "EPSG:9210"});
    // With crs: (an EPSG code, or the name surveyors write) they land where the schools stand.
    for (const char* crs : {"EPSG:9210", "VN-2000 / TM-3 105-45"}) {
        INFO(crs);
        fs::remove_all(dir / "out");
        const auto r = run(on_baseline(dir, yaml + ", crs: '" + crs + "'}\n", "with_crs.yaml"), dir);
        expect(r, 0, {});
        const std::string placement = test::slurp(dir / "out" / "facilities_placement.csv");
        std::size_t placed = 0;
        for (std::size_t at = placement.find("\"Pool\",swimming_pool,"); at != std::string::npos;
             at = placement.find("\"Pool\",swimming_pool,", at + 1)) {
            const std::string status = placement.substr(at + 21, placement.find(',', at + 21) - at - 21);
            placed += (status == "on_cell" || status == "moved") ? 1 : 0;
        }
        CHECK(placed == 3);
    }
    // In the grid's CRS without crs:, read, and the assumption said.
    std::string utm = "name,type,x,y\n";
    for (const auto& [x, y] : demo_sites_in(32648, 3)) utm += fmt::format("Pool,swimming_pool,{:.2f},{:.2f}\n", x, y);
    write(dir / "pools.csv", utm);
    fs::remove_all(dir / "out");
    expect(validate(on_baseline(dir, yaml + "}\n", "utm.yaml")), 0, {"valid"});
    expect(run(on_baseline(dir, yaml + "}\n", "utm.yaml"), dir), 0, {});
    CHECK_THAT(test::slurp(dir / "out" / "summary.json"), Catch::Contains("pools.csv: its x/y columns carry no CRS and were read as"));
    // A crs: that PROJ does not know: named at once by validate.
    expect(validate(on_baseline(dir, yaml + ", crs: 'VN-2000 / TM-3 481'}\n", "bad_crs.yaml")), 3,
           {"crs: ", "not a coordinate reference system PROJ knows", "VN-2000 / TM-3 105-45"});
}

BAD_INPUT("csv-lonlat-swapped", "a CSV of facilities with its lon and lat values swapped") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "new.csv", "name,type,lon,lat\nA,swimming_pool,107.3817,21.3110\nB,swimming_pool,21.3110,107.3817\n"
                           "C,swimming_pool,21.35,107.30\n");
    expect(validate(on_baseline(dir, "modifications:\n  - add_facilities: {file: new.csv}\n")), 3,
           {"new.csv: 2 row(s) have a latitude beyond", "line 3 (lon 21.311, lat 107.382)", "line 4", "look swapped"});
}

BAD_INPUT("facilities-flooded", "a school standing in an impassable flood (reported as flooded, not as off the grid)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const auto [lon, lat] = demo_sites_in(4326, 1).front();
    const double d = 0.02;  // ~2 km each way: no dry land within 500 m
    const std::string yaml = fmt::format(
        "ranking: null\nmodifications:\n  - flood_season: {{polygon: [[{0}, {1}], [{2}, {1}], [{2}, {3}], [{0}, {3}]], "
        "impassable: true}}\n", lon - d, lat - d, lon + d, lat + d);
    const auto r = run(on_baseline(dir, yaml), dir);
    expect(r, 0, {});
    const std::string summary = test::slurp(dir / "out" / "summary.json");
    CHECK_THAT(summary, Catch::Contains("stand in the flood with no passable land within 500 m"));
    CHECK_THAT(summary, !Catch::Contains("off the grid or farther"));
    CHECK_THAT(test::slurp(dir / "out" / "facilities_placement.csv"), Catch::Contains(",flooded,"));
}

BAD_INPUT("osm-no-roads", "an OpenStreetMap file without roads") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "noroads.osm", R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="21.30" lon="107.20" version="1"><tag k="amenity" v="school"/></node>
</osm>
)");
    expect(run(on_baseline(dir, "travel: {roads: noroads.osm}\n"), dir), 3, {"noroads.osm", "no roads"});
}

BAD_INPUT("osm-extract-partial", "an OpenStreetMap extract complete only in a corner of the study area") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    write(dir / "corner.osm", R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <bounds minlat="21.30" minlon="107.20" maxlat="21.32" maxlon="107.22"/>
  <node id="1" lat="21.305" lon="107.205" version="1"/>
  <node id="2" lat="21.315" lon="107.215" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
</osm>
)");
    const auto r = run(on_baseline(dir, "travel: {roads: corner.osm}\n"), dir);
    expect(r, 0, {"warning(s)"});
    const std::string says = "corner.osm: this OpenStreetMap extract is complete only inside 107.2000..107.2200E 21.3000..21.3200N";
    const auto summary = nlohmann::json::parse(test::slurp(dir / "out" / "summary.json"));
    CHECK_THAT(summary.at("warnings").dump(), Catch::Contains(says) && Catch::Contains("of the study area lies outside it"));
    CHECK_THAT(test::slurp(dir / "out" / "report.html"), Catch::Contains("this OpenStreetMap extract is complete only inside"));
    const auto& extract = summary.at("travel").at("osm_extracts").at(0);
    CHECK(extract.at("study_area_pct_inside").get<double>() < 1.0);  // 4.6 km2 of the demo's thousands
    CHECK(extract.at("box").at(2).get<double>() == Approx(107.22));
    // On the maps and in access.gpkg: the box (the outline's test is tests/python/test_street_walking.py).
    geodata::ensure_gdal();
    std::unique_ptr<GDALDataset> gpkg(GDALDataset::Open((dir / "out" / "access.gpkg").string().c_str(), GDAL_OF_VECTOR));
    REQUIRE(gpkg);
    CHECK(gpkg->GetLayerByName("osm_extract") != nullptr);
}

BAD_INPUT("road-model-unknown", "travel.road_model: vector") {
    test::TempDir tmp;
    expect(validate(on_baseline(tmp.path(), "travel: {road_model: vector}\n")), 3,
           {"travel.road_model", "'vector': expected network", "or raster"});
}

BAD_INPUT("travel-search-unknown", "travel.search: everywhere") {
    test::TempDir tmp;
    expect(validate(on_baseline(tmp.path(), "travel: {search: everywhere}\n")), 3,
           {"travel.search", "'everywhere': expected whole_grid", "or study_area"});
}

BAD_INPUT("facility-field-absent", "facilities.id_field naming a field no facility has") {
    test::TempDir tmp;
    expect(validate(on_baseline(tmp.path(), "facilities: {id_field: none_such}\n")), 3,
           {"demo_province.gpkg: facilities.id_field 'none_such': the facilities have no such field (or it is empty in every one)",
            "their fields with values: capacity, commune_code, id, name, type.", "or leave id_field out (default 'id')"});
}

BAD_INPUT("osm-access-unknown", "a travel mode with osm_access: car") {
    test::TempDir tmp;
    expect(validate(on_baseline(tmp.path(), "travel: {modes: {walking: {osm_access: car}}}\n")), 3,
           {"travel.modes.walking.osm_access", "'car': expected foot, motorcycle or bicycle"});
}

BAD_INPUT("buildings-not-polygons", "travel.buildings naming a layer of lines, a filter matching nothing, a speed of 0") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const std::string gpkg = (demo_folder() / "inputs" / "demo_province.gpkg").string();
    expect(run(on_baseline(dir, "travel: {buildings: {file: '" + gpkg + "', layer: roads}}\n"), dir), 3,
           {"demo_province.gpkg: travel.buildings:", "are not polygons (lines or points)", "layer: multipolygons"});
    expect(run(on_baseline(dir, "travel: {buildings: {file: '" + gpkg + "', layer: communes, where: \"name = 'none'\"}}\n", "w.yaml"), dir), 3,
           {"travel.buildings selects no feature (where name = 'none')"});
    expect(validate(on_baseline(dir, "travel: {modes: {walking: {building_speed_kmh: 0}}}\n", "z.yaml")), 3,
           {"travel.modes.walking.building_speed_kmh", "a speed > 0 km/h (people live in buildings"});
}

BAD_INPUT("layer-selects-nothing", "rivers, a border, listed zones or ferries whose where: selects no feature") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const std::string gpkg = (demo_folder() / "inputs" / "demo_province.gpkg").string();
    // Each ran on without the layer, silently: rivers crossed anywhere, no border, nothing listed, no ferry.
    expect(run(on_baseline(dir, "travel: {rivers: {file: '" + gpkg + "', layer: rivers, where: \"name = 'none'\"}}\n", "r.yaml"), dir), 3,
           {"demo_province.gpkg: travel.rivers selects no feature (where name = 'none')", "or leave travel.rivers out"});
    expect(run(on_baseline(dir, "area_classes: {island_zones: {file: '" + gpkg + "', layer: communes, where: \"name = 'none'\"}}\n",
                           "i.yaml"), dir), 3,
           {"area_classes.island_zones selects no feature (where name = 'none')"});
    expect(run(on_baseline(dir, "travel: {ferries: {file: '" + gpkg + "', layer: ferries, where: \"name = 'none'\"}}\n", "f.yaml"), dir), 3,
           {"travel.ferries selects no feature (where name = 'none')"});
}

BAD_INPUT("area-outside-population", "a study area the population raster does not cover") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(run(on_baseline(dir, "area: {bbox: [100.0, 10.0, 100.05, 10.05], boundary: null}\narea_classes: null\nzones: null\n"
                                "ranking: null\ntravel: {ferries: null}\n"), dir),
           3, {"population.tif", "no people inside the study area"});
}

// ---- the command line ---------------------------------------------------------------------------------------------

BAD_INPUT("cli-unknown-option", "an option accessplan does not have") {
    expect(test::run_cli({"run", "--fast", (demo_folder() / "scenarios" / "baseline.yaml").string()}), 2, {"--fast"});
}

BAD_INPUT("cli-no-subcommand", "no subcommand") { expect(test::run_cli({}), 2, {}); }

BAD_INPUT("cli-threads-zero", "--threads 0") {
    expect(test::run_cli({"--threads", "0", "validate", (demo_folder() / "scenarios" / "baseline.yaml").string()}), 2, {"threads"});
}

BAD_INPUT("cli-budget-negative", "a negative budget") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(test::run_cli({"rank", (demo_folder() / "scenarios" / "baseline.yaml").string(), "--budget", "-5", "--out", (dir / "o").string()}), 2, {"budget"});
    CHECK(!fs::exists(dir / "o"));
}

BAD_INPUT("cli-budget-units", "--budget \"10 tỷ\" (accepted) and --budget 1,5 (refused)") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    // One budget (a what-if of the demo, whose baseline has programmes): --budget replaces it.
    const std::string baseline = on_baseline(dir, "ranking: {budget: 60 tỷ}\n", "one_pot.yaml").string();
    const auto refused = test::run_cli({"rank", baseline, "--budget", "1,5", "--out", (dir / "o").string()});
    expect(refused, 2, {"--budget: '1,5' has a decimal comma", "write 1.5"});
    CHECK(!fs::exists(dir / "o"));
    expect(test::run_cli({"rank", baseline, "--budget", "1.500 tỷ", "--out", (dir / "o").string()}), 2, {"ambiguous"});
    CHECK(!fs::exists(dir / "o"));
    const auto accepted = test::run_cli({"rank", baseline, "--budget", "10 tỷ", "--out", (dir / "o").string()});
    expect(accepted, 0, {"within a budget of 10,000,000,000 VND"});
    CHECK_THAT(test::slurp(dir / "o" / "summary.json"), Catch::Contains("\"budget\": 10000000000.0"));
}

BAD_INPUT("cli-budget-with-programmes", "--budget on a scenario whose ranking has programmes") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    const auto r = test::run_cli({"rank", (demo_folder() / "scenarios" / "baseline.yaml").string(), "--budget", "10 tỷ", "--out",
                                  (dir / "o").string()});
    expect(r, 3, {"baseline.yaml: --budget sets one budget", "has programmes (education, health, sport_culture, swimming)",
                  "or rank one pot with a what-if (base: baseline.yaml, ranking: {budget: ...})",
                  "ranking.programmes.<name>.budget"});
    CHECK(!fs::exists(dir / "o"));
}

BAD_INPUT("cli-objective-unknown", "an unknown ranking objective") {
    expect(test::run_cli({"rank", (demo_folder() / "scenarios" / "baseline.yaml").string(), "--objective", "votes"}), 2, {"objective"});
}

BAD_INPUT("cli-lang-unknown", "a language accessplan does not speak") {
    expect(test::run_cli({"--lang", "fr", "validate", (demo_folder() / "scenarios" / "baseline.yaml").string()}), 2, {"lang"});
}

BAD_INPUT("cli-output-exists", "an output folder that exists, without --overwrite") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    fs::create_directories(dir / "out");
    write(dir / "out" / "keep.txt", "mine");
    expect(test::run_cli({"run", (demo_folder() / "scenarios" / "baseline.yaml").string(), "--out", (dir / "out").string()}), 3, {"--overwrite"});
    CHECK(test::folder_files(dir / "out").size() == 1);
}

BAD_INPUT("cli-output-unwritable", "an output folder where nothing can be written") {
    expect(test::run_cli({"run", (demo_folder() / "scenarios" / "baseline.yaml").string(), "--out", "/proc/accessplan-catalogue"}), 1,
           {"/proc/accessplan-catalogue", "choose a folder you can write to"});
}

BAD_INPUT("compare-not-results", "compare given folders that are not results") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    expect(test::run_cli({"compare", demo_folder().string(), (demo_folder() / "inputs").string(), "--out", (dir / "c").string()}), 3,
           {"not an accessplan results folder"});
    CHECK(!fs::exists(dir / "c"));
}

BAD_INPUT("compare-damaged-summary", "compare of a results folder whose summary.json was edited or damaged") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    fs::create_directories(dir / "edited");
    for (const char* services : {R"([{"name": 5}])", R"([{"name": "pools", "target_group": "primary"}])", R"(["pools"])",
                                 R"([{"name": "../../x", "target_group": "primary", "threshold_min": 30}])"}) {
        INFO(services);
        write(dir / "edited" / "summary.json", fmt::format(R"({{"results_schema": 2, "services": {}}})", services));
        expect(test::run_cli({"compare", (dir / "edited").string(), (dir / "edited").string(), "--out", (dir / "c").string()}), 3,
               {"summary.json: services[0] lacks its name, target_group or threshold_min", "run the scenario again"});
        CHECK(!fs::exists(dir / "c"));
    }
}

BAD_INPUT("export-older-layout", "export of a results folder from an older accessplan") {
    test::TempDir tmp;
    const fs::path& dir = tmp.path();
    fs::create_directories(dir / "old");
    write(dir / "old" / "summary.json", R"({"scenario": "old", "services": []})");
    expect(test::run_cli({"export", (dir / "old").string(), (dir / "x").string()}), 3, {"layout 1", "run the scenario again"});
    CHECK(!fs::exists(dir / "x"));
}

// ---- the catalogue and its documentation ---------------------------------------------------------------------------

TEST_CASE("docs/bad-inputs.md lists exactly the catalogue's entries", "[bad_inputs][docs]") {
    const std::string doc = test::slurp(fs::path(ACCESSPLAN_SOURCE_DIR) / "docs" / "bad-inputs.md");
    REQUIRE(!doc.empty());
    std::set<std::string> documented;
    const std::regex row(R"(\n\| `([a-z0-9-]+)` \|)");
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator(); ++it) documented.insert((*it)[1]);
    CHECK(registered().size() >= 40);
    for (const auto& id : registered()) {
        INFO(id);
        CHECK(documented.count(id) == 1);
    }
    for (const auto& id : documented) {
        INFO(id);
        CHECK(registered().count(id) == 1);
    }
}
