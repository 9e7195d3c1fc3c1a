// Single years of age from 5-year groups by Sprague's multipliers (engine/sprague.hpp), and target age groups that
// split WorldPop or census bands by them (engine/age_groups.hpp, AgeRangeSplit).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "accessplan/engine/age_groups.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/sprague.hpp"

using namespace accessplan;

namespace {

// The Sprague multipliers published in Shryock, H. S. & Siegel, J. S., "The Methods and Materials of Demography"
// (US Bureau of the Census, 1973; Siegel & Swanson 2004, 2nd ed.), for subdividing 5-year groups into single years,
// typed here in the published layout (one row per single year, columns = the groups N1..N5 the panel reads) as
// reproduced in DemoTools' graduate_sprague_expand (its g1g2, g3 and g4g5 blocks; Riffe et al., DemoTools R package)
// and in IIEP-UNESCO's Spatialized-school-age-populations (Sprague-multipliers-Single-years.py).
const double published[5][5][5] = {
    // First panel (first group, N1 = the group itself)
    {{0.3616, -0.2768, 0.1488, -0.0336, 0.0000},
     {0.2640, -0.0960, 0.0400, -0.0080, 0.0000},
     {0.1840, 0.0400, -0.0320, 0.0080, 0.0000},
     {0.1200, 0.1360, -0.0720, 0.0160, 0.0000},
     {0.0704, 0.1968, -0.0848, 0.0176, 0.0000}},
    // Second panel (second group, N2)
    {{0.0336, 0.2272, -0.0752, 0.0144, 0.0000},
     {0.0080, 0.2320, -0.0480, 0.0080, 0.0000},
     {-0.0080, 0.2160, -0.0080, 0.0000, 0.0000},
     {-0.0160, 0.1840, 0.0400, -0.0080, 0.0000},
     {-0.0176, 0.1408, 0.0912, -0.0144, 0.0000}},
    // Middle panel (N3, between two groups on each side)
    {{-0.0128, 0.0848, 0.1504, -0.0240, 0.0016},
     {-0.0016, 0.0144, 0.2224, -0.0416, 0.0064},
     {0.0064, -0.0336, 0.2544, -0.0336, 0.0064},
     {0.0064, -0.0416, 0.2224, 0.0144, -0.0016},
     {0.0016, -0.0240, 0.1504, 0.0848, -0.0128}},
    // Next-to-last panel (N4)
    {{0.0000, -0.0144, 0.0912, 0.1408, -0.0176},
     {0.0000, -0.0080, 0.0400, 0.1840, -0.0160},
     {0.0000, 0.0000, -0.0080, 0.2160, -0.0080},
     {0.0000, 0.0080, -0.0480, 0.2320, 0.0080},
     {0.0000, 0.0144, -0.0752, 0.2272, 0.0336}},
    // Last panel (N5)
    {{0.0000, 0.0176, -0.0848, 0.1968, 0.0704},
     {0.0000, 0.0160, -0.0720, 0.1360, 0.1200},
     {0.0000, 0.0080, -0.0320, 0.0400, 0.1840},
     {0.0000, -0.0080, 0.0400, -0.0960, 0.2640},
     {0.0000, -0.0336, 0.1488, -0.2768, 0.3616}},
};

/// A cubic in age, declining over 0..90 (its derivative -12 + 0.2a - 0.006a^2 is always negative): a young pyramid.
double cubic(int age) {
    const double a = age;
    return 900.0 - 12.0 * a + 0.1 * a * a - 0.002 * a * a * a;
}

double sum_of(double (*p)(int), int first, int last) {
    double s = 0.0;
    for (int a = first; a <= last; ++a) s += p(a);
    return s;
}

/// One sex of WorldPop's classes: f_0, f_1, f_5, ..., f_75, f_80 (80+).
std::vector<AgeBand> worldpop_bands() {
    std::vector<AgeBand> bands;
    for (int age : {0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80}) {
        AgeBand b;
        REQUIRE(parse_worldpop_band("f_" + std::to_string(age), b));
        bands.push_back(b);
    }
    return bands;
}

/// Band totals from single years p(age) (the open band: ages 80-89).
std::vector<double> totals_from(const std::vector<AgeBand>& bands, double (*p)(int)) {
    std::vector<double> totals;
    for (const AgeBand& b : bands) totals.push_back(sum_of(p, b.first_age, std::min(b.last_age, 89)));
    return totals;
}

std::map<std::string, double> weights_by_name(const AgeRangeSplit& split, const std::vector<double>& totals) {
    std::map<std::string, double> w;
    for (const auto& x : split.weights(totals)) w[x.name] = x.weight;
    return w;
}

}  // namespace

TEST_CASE("Sprague: the multipliers are the published ones", "[engine][sprague]") {
    const auto& panels = sprague_panels();
    for (std::size_t k = 0; k < 5; ++k)
        for (std::size_t r = 0; r < 5; ++r)
            for (std::size_t c = 0; c < 5; ++c) {
                INFO("panel " << k << ", row " << r << ", column " << c);
                CHECK(panels[k][r][c] == published[k][r][c]);
            }
}

TEST_CASE("Sprague: each panel's columns add up to 1 for its own group and 0 for the others", "[engine][sprague]") {
    // Own group: the first panel's is its first column, the second's its second, ..., the last panel's its fifth.
    const auto& panels = sprague_panels();
    for (std::size_t k = 0; k < 5; ++k) {
        for (std::size_t c = 0; c < 5; ++c) {
            double column = 0.0;
            for (std::size_t r = 0; r < 5; ++r) column += panels[k][r][c];
            INFO("panel " << k << ", column " << c);
            CHECK(column == Approx(c == k ? 1.0 : 0.0).margin(1e-12));
        }
        for (std::size_t r = 0; r < 5; ++r) {  // and each row to 1/5: equal groups give equal single years
            double row = 0.0;
            for (std::size_t c = 0; c < 5; ++c) row += panels[k][r][c];
            CHECK(row == Approx(0.2).margin(1e-12));
        }
    }
}

TEST_CASE("Sprague: the single years of a cubic's 5-year sums are the cubic", "[engine][sprague]") {
    // Ten groups, ages 0-49: group sums of the cubic in, the cubic's own values out, in the middle panels (ages
    // 10-39) and, the multipliers being exact for cubics, at both ends too.
    std::vector<double> groups;
    for (int g = 0; g < 10; ++g) groups.push_back(sum_of(cubic, 5 * g, 5 * g + 4));
    const std::vector<double> years = sprague_single_years(groups);
    REQUIRE(years.size() == 50);
    for (int age = 0; age < 50; ++age) {
        INFO("age " << age << (age >= 10 && age < 40 ? " (middle panel)" : " (end panels)"));
        CHECK(years[static_cast<std::size_t>(age)] == Approx(cubic(age)).epsilon(1e-12));
    }
    // Five groups, the fewest: every panel once.
    const std::vector<double> five(groups.begin() + 3, groups.begin() + 8);
    const std::vector<double> y5 = sprague_single_years(five);
    for (int age = 0; age < 25; ++age) CHECK(y5[static_cast<std::size_t>(age)] == Approx(cubic(age + 15)).epsilon(1e-12));
    REQUIRE_THROWS_AS(sprague_single_years({1.0, 2.0, 3.0, 4.0}), InputError);
}

TEST_CASE("Sprague: single years add up to their groups, and equal groups split exactly evenly", "[engine][sprague]") {
    // A Vietnamese-looking pyramid (thousands, 2019 census shape), with a dip at 20-24.
    const std::vector<double> groups{7300, 7900, 7100, 6500, 6900, 8100, 8300, 7600, 7000, 6600, 5900, 5000};
    const std::vector<double> years = sprague_single_years(groups);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        double s = 0.0;
        for (std::size_t r = 0; r < 5; ++r) s += years[5 * g + r];
        CHECK(s == Approx(groups[g]).epsilon(1e-12));
    }
    const std::vector<double> flat(7, 123.4);
    for (double y : sprague_single_years(flat)) CHECK(y == 123.4 / 5.0);
}

TEST_CASE("Sprague split: a spike gives negative single years, clamped at 0 and rescaled within each band",
          "[engine][sprague][age]") {
    // One 5-year group ten times its neighbours: the interpolation swings below 0 next to it.
    std::vector<AgeBand> bands;
    std::vector<double> totals;
    for (int g = 0; g < 8; ++g) {
        AgeBand b;
        REQUIRE(parse_age_column(fmt::format("age_{}_{}", 5 * g, 5 * g + 4), b));
        bands.push_back(b);
        totals.push_back(g == 3 ? 1000.0 : 100.0);
    }
    const std::vector<double> raw = sprague_single_years(totals);
    REQUIRE(*std::min_element(raw.begin(), raw.end()) < 0.0);  // the case the clamp is for
    for (std::size_t b = 0; b < bands.size(); ++b) {
        double sum = 0.0;
        for (int age = bands[b].first_age; age <= bands[b].last_age; ++age) {
            const AgeRangeSplit split(bands, age, age);
            CHECK(split.split_evenly().empty());
            const auto w = weights_by_name(split, totals);
            REQUIRE(w.size() == 1);
            INFO(bands[b].name << " at age " << age);
            CHECK(w.at(bands[b].name) >= 0.0);
            sum += w.at(bands[b].name);
        }
        CHECK(sum == Approx(1.0).epsilon(1e-12));  // the band's people, all of them, once
    }
    // Where the interpolation went below 0, that single year gets nobody.
    for (int age = 0; age < 40; ++age)
        if (raw[static_cast<std::size_t>(age)] < 0.0) {
            const AgeRangeSplit split(bands, age, age);
            CHECK(split.weights(totals).front().weight == 0.0);
        }
}

TEST_CASE("Sprague split: ages 6-10 from WorldPop bands follow the pyramid, and a flat pyramid splits evenly",
          "[engine][sprague][age]") {
    const std::vector<AgeBand> bands = worldpop_bands();
    const AgeRangeSplit primary(bands, 6, 10);
    CHECK(primary.split_evenly().empty());
    // It reads the totals of 0 and 1-4 (together the group 0-4), 5-9, ..., 20-24: the groups of the panels of 5-9
    // (the second panel) and 10-14 (the middle panel).
    std::vector<std::string> needed;
    for (std::size_t b : primary.needs_totals()) needed.push_back(bands[b].name);
    CHECK(needed == std::vector<std::string>{"f_0", "f_1", "f_5", "f_10", "f_15", "f_20"});

    SECTION("a sloped pyramid: the cubic's own share of each band") {
        const std::vector<double> totals = totals_from(bands, cubic);
        const auto w = weights_by_name(primary, totals);
        REQUIRE(w.size() == 2);
        const double expected_5 = sum_of(cubic, 6, 9) / sum_of(cubic, 5, 9);
        const double expected_10 = cubic(10) / sum_of(cubic, 10, 14);
        CHECK(w.at("f_5") == Approx(expected_5).epsilon(1e-12));
        CHECK(w.at("f_10") == Approx(expected_10).epsilon(1e-12));
        // Younger ages outnumber older ones: less than 4/5 of 5-9 (age 5 is the largest), more than 1/5 of 10-14.
        CHECK(w.at("f_5") < 0.8 - 1e-4);
        CHECK(w.at("f_10") > 0.2 + 1e-4);
        // Children of a cell holding the area's structure: not the even split's figure.
        const double children = w.at("f_5") * totals[2] + w.at("f_10") * totals[3];
        const double even = 0.8 * totals[2] + 0.2 * totals[3];
        CHECK(children == Approx(sum_of(cubic, 6, 10)).epsilon(1e-12));
        CHECK(std::abs(children - even) > 1e-4 * children);  // 4047.40 against 4048.32: the even split misses the curve
    }
    SECTION("a flat pyramid: exactly the even split") {
        std::vector<double> totals(bands.size(), 500.0);
        totals[0] = 100.0;  // age 0
        totals[1] = 400.0;  // 1-4: together 500, like every 5-year group
        totals.back() = 900.0;
        const auto w = weights_by_name(primary, totals);
        std::map<std::string, double> even;
        for (const auto& x : bands_for_age_range_evenly(bands, 6, 10)) even[x.name] = x.weight;
        CHECK(w == even);
        CHECK(w.at("f_5") == 0.8);
        CHECK(w.at("f_10") == 0.2);
    }
}

TEST_CASE("Sprague split: age 0 keeps its band, 1-4 takes the interpolated shape of ages 1..4", "[engine][sprague][age]") {
    const std::vector<AgeBand> bands = worldpop_bands();
    const std::vector<double> totals = totals_from(bands, cubic);
    const AgeRangeSplit split(bands, 0, 2);
    const auto w = weights_by_name(split, totals);
    REQUIRE(w.size() == 2);
    CHECK(w.at("f_0") == 1.0);
    CHECK(w.at("f_1") == Approx(sum_of(cubic, 1, 2) / sum_of(cubic, 1, 4)).epsilon(1e-12));
    // Whatever the split of 0-4 between its two bands, each keeps its own people: the 0-4 group's total is all the
    // interpolation sees, and ages 1..4 share the 1-4 band in the interpolated proportions.
    std::vector<double> more_infants = totals;
    more_infants[0] += 100.0;
    more_infants[1] -= 100.0;
    CHECK(weights_by_name(split, more_infants).at("f_1") == Approx(w.at("f_1")).epsilon(1e-12));
    // Preschool 3-5: part of 1-4 and part of 5-9.
    const auto pre = weights_by_name(AgeRangeSplit(bands, 3, 5), totals);
    CHECK(pre.at("f_1") == Approx(sum_of(cubic, 3, 4) / sum_of(cubic, 1, 4)).epsilon(1e-12));
    CHECK(pre.at("f_5") == Approx(cubic(5) / sum_of(cubic, 5, 9)).epsilon(1e-12));
    CHECK(pre.count("f_0") == 0);
}

TEST_CASE("Sprague split: where the bands do not allow it, the even split, and the bands are named",
          "[engine][sprague][age]") {
    SECTION("four 5-year groups only (the demo province's 0, 1-4, 5-9, 10-14, 15-19)") {
        std::vector<AgeBand> bands;
        for (const char* n : {"m_0", "m_1", "m_5", "m_10", "m_15"}) {
            AgeBand b;
            REQUIRE(parse_worldpop_band(n, b));
            bands.push_back(b);
        }
        const AgeRangeSplit split(bands, 6, 10);
        CHECK(split.split_evenly() == std::vector<std::string>{"m_5", "m_10"});
        CHECK(split.needs_totals().empty());
        CHECK(split.five_year_groups() == std::vector<std::pair<int, int>>{{0, 4}, {5, 9}, {10, 14}, {15, 19}});
        const auto w = weights_by_name(split, {1.0, 2.0, 30.0, 4.0, 5.0});
        CHECK(w.at("m_5") == 0.8);
        CHECK(w.at("m_10") == 0.2);
        // A group that splits no band: nothing to warn about.
        CHECK(AgeRangeSplit(bands, 5, 14).split_evenly().empty());
    }
    SECTION("census columns that are not 5-year groups") {
        std::vector<AgeBand> bands;
        for (const char* n : {"age_0_2", "age_3_5", "age_6_10", "age_11_14", "age_15_17", "age_18_24", "age_25_29"}) {
            AgeBand b;
            REQUIRE(parse_age_column(n, b));
            bands.push_back(b);
        }
        const AgeRangeSplit split(bands, 6, 9);
        CHECK(split.split_evenly() == std::vector<std::string>{"age_6_10"});
        CHECK(weights_by_name(split, std::vector<double>(bands.size(), 0.1)).at("age_6_10") == 0.8);
    }
    SECTION("the open band 80+ is never split by the interpolation") {
        const std::vector<AgeBand> bands = worldpop_bands();
        const AgeRangeSplit old(bands, 75, 84);
        CHECK(old.split_evenly() == std::vector<std::string>{"f_80"});
        CHECK(old.five_year_groups().back() == std::pair<int, int>{75, 79});
        const auto w = weights_by_name(old, totals_from(bands, cubic));
        CHECK(w.at("f_75") == 1.0);
        CHECK(w.at("f_80") == 5.0 / 20.0);  // as before: an open band counts as 20 years
    }
}

TEST_CASE("Sprague split: census shares per zone (proportions) split like counts", "[engine][sprague][age]") {
    // Shares of a zone's population in 5-year columns age_0_4 .. age_25_29; the interpolation is linear, so shares
    // give the same weights as the counts they are proportions of.
    std::vector<AgeBand> bands;
    std::vector<double> counts, shares;
    for (int g = 0; g < 6; ++g) {
        AgeBand b;
        REQUIRE(parse_age_column(fmt::format("age_{}_{}", 5 * g, 5 * g + 4), b));
        bands.push_back(b);
        counts.push_back(sum_of(cubic, 5 * g, 5 * g + 4));
        shares.push_back(counts.back() / 120000.0);
    }
    const AgeRangeSplit split(bands, 11, 14);
    CHECK(split.split_evenly().empty());
    const auto by_counts = weights_by_name(split, counts), by_shares = weights_by_name(split, shares);
    CHECK(by_shares.at("age_10_14") == Approx(by_counts.at("age_10_14")).epsilon(1e-12));
    CHECK(by_shares.at("age_10_14") == Approx(sum_of(cubic, 11, 14) / sum_of(cubic, 10, 14)).epsilon(1e-12));
}
