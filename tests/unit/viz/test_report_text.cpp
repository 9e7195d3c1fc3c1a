// The report's texts in its language: every warning the ranking can give (each notes.add key in the ranking's
// source) has its Vietnamese sentence, quoting the note's figures, money as officers write it.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <regex>
#include <set>

#include "accessplan/viz/report.hpp"
#include "support/run_cli.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

/// The keys the ranking gives its notes, read from its source: a key added there without a Vietnamese sentence
/// fails the test below.
std::set<std::string> ranking_note_keys() {
    const std::string source = test::slurp(fs::path(ACCESSPLAN_SOURCE_DIR) / "scenarios" / "src" / "stages" / "ranking.cpp");
    std::set<std::string> keys;
    const std::regex add(R"(notes\.add\(\s*"([a-z_]+)\")");
    for (auto it = std::sregex_iterator(source.begin(), source.end(), add); it != std::sregex_iterator(); ++it)
        keys.insert((*it)[1].str());
    return keys;
}

}  // namespace

TEST_CASE("every warning of the ranking has its Vietnamese sentence in the report, quoting its figures") {
    const std::set<std::string> keys = ranking_note_keys();
    REQUIRE(keys.size() >= 20);  // the ranking's warnings, as counted when the notes came in
    scenarios::RankingReport report;
    report.currency = "VND";
    report.single_budget = false;
    scenarios::ProgrammeReport education;
    education.name = "education";
    education.budget = 40e9;
    education.spent = 25e9;
    education.unspent_reason = "nothing_affordable";
    education.cheapest_useful = 16.5e9;
    education.reserves.push_back({"island_border_remote", 0.3, 12e9, 4e9, true});
    report.programmes.push_back(education);
    const std::string english = "an English sentence that must not reach the Vietnamese report";
    for (const std::string& key : keys) {
        INFO(key);
        scenarios::RankingNote note{key, english,
                                    {{"count", 7}, {"zones", 3}, {"of", 12}, {"snap_m", 500}, {"road_m", 1000}, {"roads", 1},
                                     {"limit", 2000}, {"candidates", 2417}, {"seconds", 0.5}, {"gap_pct", 1.25}, {"greedy_better", 1},
                                     {"population_year", 2027}, {"first_year", 2026}, {"last_year", 2030}, {"money", 55e9},
                                     {"budget", 5e9}, {"cheapest", 7.5e9}, {"plan", 1}, {"draws", 1}, {"near_m", 500},
                                     {"programme", 0}, {"reserve", 0}, {"spent_0", 4e9}, {"target_0", 12e9}},
                                    {{"programme", "education"}, {"file", "candidates.csv"}, {"ids", "A1, A2"},
                                     {"service", "pool"}, {"where_0", "education 2027"}, {"classes", "snow_ice"}}};
        CHECK(viz::ranking_note_text(note, report, viz::Lang::en) == english);
        const std::string vi = viz::ranking_note_text(note, report, viz::Lang::vi);
        CHECK(vi != english);
        CHECK(vi.find("nan") == std::string::npos);
        CHECK(vi.find("inf") == std::string::npos);
        // Vietnamese words, not English ones.
        CHECK((vi.find("xếp hạng") != std::string::npos || vi.find("kế hoạch") != std::string::npos ||
               vi.find("ứng viên") != std::string::npos));
        for (const char* word : {" the ", " and ", " site", " budget "}) CHECK(vi.find(word) == std::string::npos);
    }
    // Figures as officers read them.
    const auto text = [&](const std::string& key) {
        const scenarios::RankingNote n{key, english,
                                       {{"budget", 5e9}, {"cheapest", 7.5e9}, {"programme", 0}, {"reserve", 0}, {"count", 1200},
                                        {"near_m", 500}},
                                       {{"programme", "education"}}};
        return viz::ranking_note_text(n, report, viz::Lang::vi);
    };
    CHECK_THAT(text("budget_below_cheapest"), Catch::Contains("5 tỷ đồng") && Catch::Contains("7,5 tỷ đồng"));
    CHECK_THAT(text("money_left"), Catch::Contains("chương trình education") && Catch::Contains("còn 15 tỷ đồng") &&
                                       Catch::Contains("16,5 tỷ đồng"));
    CHECK_THAT(text("share_not_met"), Catch::Contains("30%") && Catch::Contains("4 tỷ đồng / 12 tỷ đồng") &&
                                          Catch::Contains("hải đảo, biên giới"));
    CHECK_THAT(text("near_funded"), Catch::Contains("1.200 địa điểm") && Catch::Contains("500 m"));
    const scenarios::RankingNote unmet{"plan_share_not_met", english, {{"count", 1}, {"spent_0", 1.2e9}, {"target_0", 1.9e9}},
                                       {{"where_0", "swimming 2026"}}};
    CHECK_THAT(viz::ranking_note_text(unmet, report, viz::Lang::vi),
               Catch::Contains("swimming 2026 (đã dùng 1,2 tỷ đồng / 1,9 tỷ đồng)"));
}
