// Single years of age from 5-year groups by Sprague's multipliers (engine/sprague.hpp).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

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
