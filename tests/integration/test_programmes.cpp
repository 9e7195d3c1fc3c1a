// Budget programmes on the demo province (its baseline ranks education, health, sport/culture and swimming pools in
// envelopes of their own, with 30% of the pools' kept for island, border and remote children). Each programme is checked
// against a different run: a scenario holding only that programme's services under one budget, ranked on its own,
// as a budget officer would do it by hand; and what a budget curve says a smaller budget buys against a full run at
// that budget.

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

struct Row {
    std::string id, programme, picked_for;
    double cost, children, weighted_gain, island, border, remote;
};

std::vector<Row> ranking_rows(const fs::path& csv) {
    std::vector<Row> out;
    for (const auto& f : geodata::read_features(csv, geodata::wgs84(), {}))
        out.push_back({f.attribute("candidate_id"), f.attribute("programme"), f.attribute("picked_for"), std::stod(f.attribute("cost")),
                       std::stod(f.attribute("children_new")), std::stod(f.attribute("weighted_gain")),
                       std::stod(f.attribute("children_island")), std::stod(f.attribute("children_border")),
                       std::stod(f.attribute("children_remote"))});
    return out;
}

nlohmann::json programme(const nlohmann::json& summary, const std::string& name) {
    for (const auto& p : summary.at("ranking").at("programmes"))
        if (p.at("name") == name) return p;
    FAIL("no programme " << name);
    return {};
}

/// A what-if of the demo's baseline ranking only `services` under one budget.
fs::path one_pot(const fs::path& scenarios, const std::string& name, const std::string& budget, const std::vector<std::string>& services,
                 const std::string& extra = "") {
    std::string costs;
    for (const char* s : {"primary_school", "lower_secondary_school", "commune_health_station", "playground", "swimming_pool"})
        if (std::find(services.begin(), services.end(), s) == services.end()) costs += fmt::format("{}: null, ", s);
    const fs::path file = scenarios / (name + ".yaml");
    std::ofstream(file) << "schema_version: 1\nbase: baseline.yaml\nname: " << name << "\nranking:\n  budget: " << budget
                        << "\n  costs: {" << costs << "}\n" << extra;
    return file;
}

}  // namespace

TEST_CASE("programmes: each ranked within its envelope as if alone, curves are re-ranked budgets, reserves come first",
          "[integration][ranking][programmes]") {
    test::TempDir dir;
    auto demo = test::run_cli({"demo", "--out", (dir / "demo").string(), "-q"});
    INFO(demo.err);
    REQUIRE(demo.exit_code == 0);
    const fs::path base = dir / "demo" / "results" / "baseline", scenarios = dir / "demo" / "scenarios";
    const auto summary = nlohmann::json::parse(test::slurp(base / "summary.json"));
    const auto rows = ranking_rows(base / "ranking.csv");

    // Subtotals: each programme's rows cost what it spent, within its budget; the totals add up.
    double budgets = 0.0, spent = 0.0;
    for (const auto& p : summary.at("ranking").at("programmes")) {
        double cost = 0.0;
        std::size_t sites = 0;
        for (const Row& r : rows)
            if (r.programme == p.at("name")) {
                cost += r.cost;
                ++sites;
            }
        CHECK(cost == p.at("spent").get<double>());
        CHECK(sites == p.at("sites").get<std::size_t>());
        CHECK(cost <= p.at("budget").get<double>());
        budgets += p.at("budget").get<double>();
        spent += cost;
    }
    CHECK(summary.at("budget").get<double>() == budgets);
    CHECK(summary.at("spent").get<double>() == spent);
    CHECK(budgets == 56e9);  // 30 + 6 + 8 + 12 billion VND, as the baseline writes them ("30 tỷ")

    // Education ranked alone under its 30 billion, one pot with only its services: the same sites in the same order.
    {
        const fs::path file = one_pot(scenarios, "education_alone", "30 tỷ", {"primary_school", "lower_secondary_school"});
        auto r = test::run_cli({"run", file.string(), "--out", (dir / "education_alone").string(), "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto alone = ranking_rows(dir / "education_alone" / "ranking.csv");
        std::vector<std::string> a, b;
        for (const Row& x : rows)
            if (x.programme == "education") a.push_back(x.id);
        for (const Row& x : alone) b.push_back(x.id);
        CHECK(!a.empty());
        CHECK(a == b);
    }

    // Swimming: the pools picked for the island/border/remote share come first, each reaching mostly such children,
    // and cost at least 30% of the 12 billion.
    {
        double kept = 0.0;
        bool merit = false;
        for (const Row& x : rows) {
            if (x.programme != "swimming") continue;
            if (x.picked_for.empty()) {
                merit = true;
                continue;
            }
            CHECK(x.picked_for == "island_border_remote");
            CHECK_FALSE(merit);  // no reserve pick after a pick on merit
            CHECK(x.island + x.border + x.remote >= 0.5 * x.children);
            kept += x.cost;
        }
        CHECK(kept >= 0.3 * 12e9);
        const auto sport = programme(summary, "swimming");
        CHECK(sport.at("reserves").at(0).at("spent").get<double>() == kept);
        CHECK(sport.at("reserves").at(0).at("met").get<bool>());
    }

    // The budget curve at 30% of the pools' envelope equals a full run of that programme alone at 3.6 billion.
    {
        const auto sport = programme(summary, "swimming");
        const auto& point = sport.at("budget_curve").at(2);
        REQUIRE(point.at("budget").get<double>() == Approx(3.6e9));
        const fs::path file = one_pot(scenarios, "sport_small", "3.6 tỷ", {"swimming_pool"},
                                      "  min_share: {island_border_remote: 0.3}\n");
        auto r = test::run_cli({"run", file.string(), "--out", (dir / "sport_small").string(), "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto small = nlohmann::json::parse(test::slurp(dir / "sport_small" / "summary.json"));
        CHECK(small.at("ranking").at("sites").get<std::size_t>() == point.at("sites").get<std::size_t>());
        CHECK(small.at("ranking").at("children_reached").get<double>() == Approx(point.at("children_reached").get<double>()));
        CHECK(small.at("spent").get<double>() == point.at("spent").get<double>());
    }

    // Who gains: before = the run's own summary; after = a what-if adding every ranked site as a facility of its
    // service (at its lon/lat from ranking.csv), run in full.
    {
        std::string facilities;
        for (const auto& f : geodata::read_features(base / "ranking.csv", geodata::wgs84(), {}))
            facilities += fmt::format("        - {{name: '{}', type: {}, lon: {}, lat: {}}}\n", f.attribute("candidate_id"),
                                      f.attribute("service"), f.attribute("lon"), f.attribute("lat"));
        std::ofstream(scenarios / "built.yaml") << "schema_version: 1\nbase: baseline.yaml\nname: built\nranking: null\n"
                                                   "modifications:\n  - add_facilities:\n      name: the ranked sites\n"
                                                   "      facilities:\n" << facilities;
        auto r = test::run_cli({"run", (scenarios / "built.yaml").string(), "--out", (dir / "built").string(), "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto built = nlohmann::json::parse(test::slurp(dir / "built" / "summary.json"));
        auto beyond = [](const nlohmann::json& summary, const std::string& service) {
            for (const auto& row : summary.at("rows"))
                if (row.at("service") == service && row.at("area_class") == "all")
                    return row.at("children").get<double>() - row.at("within_threshold").get<double>();
            FAIL("no row for " << service);
            return 0.0;
        };
        REQUIRE(summary.at("ranking").at("equity").size() == 5);
        for (const auto& e : summary.at("ranking").at("equity")) {
            const std::string service = e.at("service");
            INFO(service);
            CHECK(e.at("beyond_threshold_before").get<double>() == Approx(beyond(summary, service)).margin(0.5));
            CHECK(e.at("beyond_threshold_after").get<double>() == Approx(beyond(built, service)).margin(0.5));
            CHECK(e.at("beyond_in_priority_areas_after").get<double>() <= e.at("beyond_in_priority_areas_before").get<double>() + 1e-6);
            if (e.at("new_sites").get<int>() > 0)
                CHECK(e.at("beyond_threshold_after").get<double>() < e.at("beyond_threshold_before").get<double>());
        }
    }

    // Health: nothing to fund (no under-five is beyond 60 minutes in a gap), and the run says why.
    {
        const auto health = programme(summary, "health");
        CHECK(health.at("spent").get<double>() == 0.0);
        CHECK(health.at("unspent_reason") == "no_candidates");
        bool warned = false;
        for (const auto& w : summary.at("warnings"))
            warned = warned || w.get<std::string>().find("ranking, programme health: no candidate site") != std::string::npos;
        CHECK(warned);
    }
}
