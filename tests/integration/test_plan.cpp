// A five-year plan on the demo province (its baseline plans 2026-2030: each year's money per programme, children
// growing from the population grid's year, money a year leaves carried to the next). Checked against figures the
// plan does not make itself: the money as the scenario writes it, the access of the last year against a what-if that
// builds every site of the plan and grows the population by a population_growth modification, run in full; and a
// what-if changing one year's money, which leaves the years before it and the other programmes as they were.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "accessplan/geodata/csv_table.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

/// A table's rows as field -> text.
struct Row {
    std::map<std::string, std::string> fields;
    std::string attribute(const std::string& name) const { return fields.at(name); }
};

std::vector<Row> rows_of(const fs::path& csv) {
    const geodata::CsvTable t = geodata::read_csv_table(csv);
    std::vector<Row> out;
    for (const auto& r : t.rows) {
        Row row;
        for (std::size_t k = 0; k < t.header.size(); ++k) row.fields[t.header[k]] = r[k];
        out.push_back(std::move(row));
    }
    return out;
}

double num(const Row& f, const char* field) { return std::stod(f.attribute(field)); }

/// Per programme, year by year: (budget, carried_in, spent, sites).
std::map<std::string, std::vector<std::array<double, 4>>> plan_years(const fs::path& dir) {
    std::map<std::string, std::vector<std::array<double, 4>>> out;
    for (const auto& f : rows_of(dir / "plan_years.csv"))
        out[f.attribute("programme")].push_back({num(f, "budget"), num(f, "carried_in"), num(f, "spent"), num(f, "sites")});
    return out;
}

/// "year programme id" of every site of plan.csv, in order.
std::vector<std::string> plan_sites(const fs::path& dir, int year_from = 0, const std::string& except = "") {
    std::vector<std::string> out;
    for (const auto& f : rows_of(dir / "plan.csv"))
        if (std::stoi(f.attribute("year")) >= year_from && f.attribute("programme") != except)
            out.push_back(fmt::format("{} {} {}", f.attribute("year"), f.attribute("programme"), f.attribute("candidate_id")));
    return out;
}

test::CliResult run(const fs::path& scenario, const fs::path& out) {
    auto r = test::run_cli({"run", scenario.string(), "--out", out.string(), "-q"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r;
}

}  // namespace

TEST_CASE("a five-year plan: money by year as written, carried over, sites built once, one year's change stays in "
          "its year, access with the plan equals a full run building its sites", "[integration][ranking][plan]") {
    test::TempDir dir;
    auto demo = test::run_cli({"demo", "--out", (dir / "demo").string(), "-q"});
    INFO(demo.err);
    REQUIRE(demo.exit_code == 0);
    const fs::path base = dir / "demo" / "results" / "baseline", scenarios = dir / "demo" / "scenarios";
    const auto summary = nlohmann::json::parse(test::slurp(base / "summary.json"));
    const auto& plan = summary.at("ranking").at("plan");
    CHECK(plan.at("first_year") == 2026);
    CHECK(plan.at("last_year") == 2030);
    CHECK(plan.at("budgets_split_evenly") == nlohmann::json::array({"health"}));

    // The money of each year as baseline.yaml writes it (health: its 6 billion split over five years), what was
    // left carried to the next year, never more spent than the year had; each year's sites cost what it spent.
    const auto years = plan_years(base);
    const std::map<std::string, std::vector<double>> written{{"education", {6e9, 6e9, 6e9, 6e9, 6e9}},
                                                             {"health", {1.2e9, 1.2e9, 1.2e9, 1.2e9, 1.2e9}},
                                                             {"sport_culture", {1.6e9, 1.6e9, 1.6e9, 1.6e9, 1.6e9}},
                                                             {"swimming", {2e9, 2e9, 3e9, 3e9, 2e9}}};
    REQUIRE(years.size() == 4);
    std::map<std::pair<int, std::string>, double> cost;
    std::set<std::string> ids;
    for (const auto& f : rows_of(base / "plan.csv")) {
        cost[{std::stoi(f.attribute("year")), f.attribute("programme")}] += num(f, "cost");
        CHECK(ids.insert(f.attribute("service") + " " + f.attribute("candidate_id")).second);  // built once
    }
    for (const auto& [name, money] : written) {
        INFO(name);
        const auto& y = years.at(name);
        REQUIRE(y.size() == 5);
        double left = 0.0;
        for (std::size_t k = 0; k < 5; ++k) {
            CHECK(y[k][0] == Approx(money[k]));
            CHECK(y[k][1] == Approx(left).margin(1.0));
            CHECK(y[k][2] <= y[k][0] + y[k][1] + 1.0);
            CHECK(y[k][2] == Approx(cost[{2026 + static_cast<int>(k), name}]).margin(1.0));
            left = y[k][0] + y[k][1] - y[k][2];
        }
    }
    // Education: a school (15 billion) is beyond one year's 6 billion; carried over, the money builds one in 2028.
    CHECK(years.at("education")[0][2] == 0.0);
    CHECK(years.at("education")[2][2] == Approx(15e9));
    // Per programme over the plan: its money, spent, and left when it ends (health: all of it, no candidate site).
    for (const auto& t : plan.at("programmes")) {
        const auto& y = years.at(t.at("programme").get<std::string>());
        double money = 0.0, spent = 0.0;
        for (const auto& row : y) {
            money += row[0];
            spent += row[2];
        }
        CHECK(t.at("money").get<double>() == Approx(money));
        CHECK(t.at("spent").get<double>() == Approx(spent));
        CHECK(t.at("left_at_end").get<double>() == Approx(money - spent).margin(1.0));
    }
    for (const auto& y : plan.at("years"))
        if (y.at("year") == 2030 && y.at("programme") == "health")
            CHECK_THAT(y.at("unspent_text").get<std::string>(), Catch::Contains("left at the end of the plan"));

    // Plan sites of one service within 500 m of each other (from plan.csv's x, y, any years) are flagged, naming the
    // nearest with its distance and year.
    {
        const auto sites = rows_of(base / "plan.csv");
        std::size_t flagged = 0;
        for (const auto& a : sites) {
            double best = INFINITY;
            std::string expect;
            for (const auto& b : sites) {
                if (&a == &b || a.attribute("service") != b.attribute("service")) continue;
                const double d = std::hypot(num(a, "x") - num(b, "x"), num(a, "y") - num(b, "y"));
                if (d < best) {
                    best = d;
                    expect = fmt::format("{} ({:.0f} m, {})", b.attribute("candidate_id"), d, b.attribute("year"));
                }
            }
            INFO(a.attribute("candidate_id"));
            CHECK(a.attribute("near_funded") == (best <= 500.0 ? expect : std::string()));
            flagged += best <= 500.0 ? 1 : 0;
        }
        CHECK(flagged > 0);  // the demo's island pools, 100 m apart, built in 2026 and 2027
    }

    // Without the draws (so without the reaches searched wide for the speeds' draws) the plan is the same.
    {
        std::ofstream(scenarios / "no_draws.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: no_draws\n"
                                                     "ranking: {uncertainty: {draws: 0}}\n";
        run(scenarios / "no_draws.yaml", dir / "no_draws");
        for (const char* f : {"plan.csv", "plan_years.csv", "plan_access.csv"})
            CHECK(test::slurp(dir / "no_draws" / f) == test::slurp(base / f));
    }

    // A what-if giving education nothing in 2028: the years before, and the other programmes, are as they were.
    {
        std::ofstream(scenarios / "one_year.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: one_year\n"
                                                      "ranking:\n  plan:\n    budgets:\n      education: {2028: 0}\n";
        run(scenarios / "one_year.yaml", dir / "one_year");
        const auto changed = plan_years(dir / "one_year");
        CHECK(changed.at("education")[2][0] == 0.0);
        CHECK(changed.at("education")[2][2] == 0.0);   // 12 billion carried in: not a school
        CHECK(changed.at("education")[3][2] == Approx(15e9));  // 2029: 12 + 6 billion
        // Education's plan money (24 billion) no longer matches its budget (30 billion): the run says so.
        const auto one_year = nlohmann::json::parse(test::slurp(dir / "one_year" / "summary.json"));
        bool warned = false;
        for (const auto& w : one_year.at("warnings"))
            warned = warned || w.get<std::string>().find("programme education's money over 2026-2030 is 24,000,000,000 VND") != std::string::npos;
        CHECK(warned);
        const auto before = plan_sites(base), after = plan_sites(dir / "one_year");
        std::vector<std::string> early_a, early_b;
        for (const auto& s : before)
            if (s < "2028") early_a.push_back(s);
        for (const auto& s : after)
            if (s < "2028") early_b.push_back(s);
        CHECK(early_a == early_b);
        CHECK(plan_sites(base, 0, "education").size() > 10);
        std::vector<std::string> others_a, others_b;
        for (const auto& s : before)
            if (s.find(" education ") == std::string::npos) others_a.push_back(s);
        for (const auto& s : after)
            if (s.find(" education ") == std::string::npos) others_b.push_back(s);
        CHECK(others_a == others_b);
        CHECK(before != after);
    }

    // Access in the last year: children growing 1.5% a year everywhere from 2025, the plan's sites built, against a
    // what-if that adds every site of the plan as a facility and grows the population by 1.015^5, run in full.
    {
        std::ofstream(scenarios / "flat.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: flat\n"
                                                  "ranking:\n  uncertainty: {draws: 0}\n  plan:\n    growth_pct: 1.5\n";
        run(scenarios / "flat.yaml", dir / "flat");
        std::string facilities;
        std::size_t n = 0;
        for (const auto& f : rows_of(dir / "flat" / "plan.csv")) {
            facilities += fmt::format("        - {{name: '{}', type: {}, lon: {}, lat: {}}}\n", f.attribute("candidate_id"),
                                      f.attribute("service"), f.attribute("lon"), f.attribute("lat"));
            ++n;
        }
        REQUIRE(n > 10);
        std::ofstream(scenarios / "flat_built.yaml")
            << "schema_version: 1\nbase: baseline.yaml\nname: flat_built\nranking: null\nmodifications:\n"
            << fmt::format("  - population_growth: {{factor: {:.17g}}}\n", std::pow(1.015, 5))
            << "  - add_facilities:\n      name: the plan's sites\n      facilities:\n" << facilities;
        run(scenarios / "flat_built.yaml", dir / "flat_built");
        const auto built = nlohmann::json::parse(test::slurp(dir / "flat_built" / "summary.json"));
        const auto flat = nlohmann::json::parse(test::slurp(dir / "flat" / "summary.json"));
        std::size_t checked = 0;
        for (const auto& a : flat.at("ranking").at("plan").at("access")) {
            if (a.at("year") != 2030) continue;
            const std::string service = a.at("service");
            INFO(service);
            for (const auto& row : built.at("rows"))
                if (row.at("service") == service && row.at("area_class") == "all") {
                    const double children = row.at("children").get<double>();
                    CHECK(a.at("children").get<double>() == Approx(children).epsilon(1e-5));
                    CHECK(a.at("beyond_threshold_with_plan").get<double>() ==
                          Approx(children - row.at("within_threshold").get<double>()).epsilon(1e-5).margin(0.5));
                    ++checked;
                }
            CHECK(a.at("beyond_threshold_with_plan").get<double>() <= a.at("beyond_threshold_without_plan").get<double>() + 1e-6);
        }
        CHECK(checked == 5);
    }

    // The Vietnamese report: the plan's table and map, and the ranked sites' reasons, origins and generated names
    // in Vietnamese (ranking.csv keeps its English sentence).
    {
        auto r = test::run_cli({"--lang", "vi", "run", (scenarios / "flat.yaml").string(), "--out", (dir / "flat_vi").string(), "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const std::string html = test::slurp(dir / "flat_vi" / "report.html");
        CHECK_THAT(html, Catch::Contains("Kế hoạch 2026–2030") && Catch::Contains("id=\"plan-map\"") &&
                             Catch::Contains("hiện ở ngoài 30 phút tới trường tiểu học được tiếp cận") &&
                             Catch::Contains("<td>lưới</td>"));
        const auto begin = html.find("id=\"ranking-table\""), end = html.find("</table>", begin);
        REQUIRE(begin != std::string::npos);
        CHECK(html.substr(begin, end - begin).find("reaches ") == std::string::npos);
        CHECK(html.substr(begin, end - begin).find("<td>lattice</td>") == std::string::npos);
        // One circle per site of the plan, coloured by its year.
        std::size_t circles = 0;
        for (auto at = html.find("class=\"plan-site\""); at != std::string::npos; at = html.find("class=\"plan-site\"", at + 1)) ++circles;
        CHECK(circles == rows_of(dir / "flat" / "plan.csv").size());
        // The ranking's warnings in Vietnamese: none of summary.json's English ranking sentences is in the report, and
        // the report lists as many warnings as summary.json.
        const auto vi_summary = nlohmann::json::parse(test::slurp(dir / "flat_vi" / "summary.json"));
        const auto warnings = vi_summary.at("warnings").get<std::vector<std::string>>();
        std::size_t ranking_warnings = 0;
        for (const std::string& w : warnings)
            if (w.rfind("ranking", 0) == 0) {
                ++ranking_warnings;
                INFO(w);
                CHECK(html.find(w.substr(0, 60)) == std::string::npos);
            }
        CHECK(ranking_warnings >= 2);
        const auto section = html.substr(html.find("<section id=\"warnings\">"));
        std::size_t items = 0;
        for (auto at = section.find("<li>"); at != std::string::npos && at < section.find("</section>"); at = section.find("<li>", at + 1))
            ++items;
        CHECK(items == warnings.size());
        CHECK_THAT(section, Catch::Contains("xếp hạng, chương trình health: không có địa điểm ứng viên") &&
                                Catch::Contains("kế hoạch: ") && Catch::Contains("(ranking.near_m)"));
    }

    // Growth by a zone code no commune has: exit 3, naming the file, the code and what to use.
    {
        std::ofstream(scenarios / "bad_zone.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: bad_zone\n"
                                                      "ranking:\n  uncertainty: {draws: 0}\n  plan:\n    growth_pct: {XX99: 2}\n";
        auto r = test::run_cli({"run", (scenarios / "bad_zone.yaml").string(), "--out", (dir / "bad_zone").string(), "-q"});
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Catch::Contains("bad_zone.yaml") && Catch::Contains("XX99") && Catch::Contains("no zone has"));
    }
}

TEST_CASE("a five-year plan on real data (Phu Quoc, WorldPop 2020 grown from 2020): access in its last year equals a "
          "full run building its sites", "[integration][ranking][plan][realdata]") {
    REQUIRE_SHARED_DATA(data);
    test::TempDir dir;
    const fs::path fx = data / "fixtures" / "phu_quoc";
    // One health facility (the district centre, from HDX's district points), walking within 60 minutes: most of the
    // island's under-fives are beyond it, and the plan funds 2 billion of generated sites a year.
    std::ofstream(dir / "baseline.yaml")
        << "schema_version: 1\nname: Phu Quoc plan\n"
           "area: {bbox: [103.79, 9.85, 104.16, 10.51], cell_size_m: 100, buffer_m: 0}\n"
           "population: {total: '" << (fx / "worldpop2020_1km_phu_quoc.tif").string() << "'}\n"
        << "facilities: {file: '" << (fx / "hdx_district_point_phu_quoc.geojson").string()
        << "', type_field: ADM2_EN, name_field: ADM2_VI}\n"
           "travel: {landcover: {uniform: 40}, land: {file: '" << (fx / "gshhg_f_land_phu_quoc.geojson").string() << "'}}\n"
        << "services:\n  - {name: health, facility_types: [Phu Quoc], target_group: under5, threshold_min: 60}\n"
           "ranking:\n  budget: 10 tỷ\n  costs: {health: 1 tỷ}\n"
           "  plan: {first_year: 2026, last_year: 2030, population_year: 2020, growth_pct: 2, budgets: {all: 2 tỷ}}\n";
    run(dir / "baseline.yaml", dir / "base");
    const auto summary = nlohmann::json::parse(test::slurp(dir / "base" / "summary.json"));
    const auto& plan = summary.at("ranking").at("plan");
    REQUIRE(plan.at("sites").get<std::size_t>() >= 5);
    // Each year: 2 billion, two sites of 1 billion, children newly within an hour.
    const auto years = plan_years(dir / "base");
    REQUIRE(years.at("all").size() == 5);
    for (const auto& y : years.at("all")) {
        CHECK(y[0] == Approx(2e9));
        CHECK(y[2] <= y[0] + y[1] + 1.0);
    }
    std::string facilities;
    for (const auto& f : rows_of(dir / "base" / "plan.csv"))
        facilities += fmt::format("        - {{name: '{}', type: Phu Quoc, lon: {}, lat: {}}}\n", f.attribute("candidate_id"),
                                  f.attribute("lon"), f.attribute("lat"));
    std::ofstream(dir / "built.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: built\nranking: null\nmodifications:\n"
                                      << fmt::format("  - population_growth: {{factor: {:.17g}}}\n", std::pow(1.02, 10))
                                      << "  - add_facilities:\n      name: the plan's sites\n      facilities:\n" << facilities;
    run(dir / "built.yaml", dir / "built");
    const auto built = nlohmann::json::parse(test::slurp(dir / "built" / "summary.json"));
    double base_children = 0.0;
    for (const auto& row : summary.at("rows"))
        if (row.at("service") == "health" && row.at("area_class") == "all") base_children = row.at("children").get<double>();
    REQUIRE(base_children > 1000.0);
    std::size_t checked = 0;
    for (const auto& a : plan.at("access")) {
        // Every year's children: today's grown by 2% a year from 2020.
        CHECK(a.at("children").get<double>() == Approx(base_children * std::pow(1.02, a.at("year").get<int>() - 2020)).epsilon(1e-5));
        if (a.at("year") != 2030) continue;
        for (const auto& row : built.at("rows"))
            if (row.at("service") == "health" && row.at("area_class") == "all") {
                CHECK(a.at("beyond_threshold_with_plan").get<double>() ==
                      Approx(row.at("children").get<double>() - row.at("within_threshold").get<double>()).epsilon(1e-5).margin(0.5));
                ++checked;
            }
        CHECK(a.at("beyond_threshold_with_plan").get<double>() < a.at("beyond_threshold_without_plan").get<double>());
    }
    CHECK(checked == 1);
}
