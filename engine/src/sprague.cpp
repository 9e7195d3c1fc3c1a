#include "accessplan/engine/sprague.hpp"

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"

namespace accessplan {

namespace {

// Shryock & Siegel (1973), Sprague multipliers. Rows: the five single years of the group; columns: groups b..b+4.
constexpr std::array<SpraguePanel, 5> k_panels{{
    {{{0.3616, -0.2768, 0.1488, -0.0336, 0.0000},  // first: group 0 from groups 0..4
      {0.2640, -0.0960, 0.0400, -0.0080, 0.0000},
      {0.1840, 0.0400, -0.0320, 0.0080, 0.0000},
      {0.1200, 0.1360, -0.0720, 0.0160, 0.0000},
      {0.0704, 0.1968, -0.0848, 0.0176, 0.0000}}},
    {{{0.0336, 0.2272, -0.0752, 0.0144, 0.0000},  // second: group 1 from groups 0..4
      {0.0080, 0.2320, -0.0480, 0.0080, 0.0000},
      {-0.0080, 0.2160, -0.0080, 0.0000, 0.0000},
      {-0.0160, 0.1840, 0.0400, -0.0080, 0.0000},
      {-0.0176, 0.1408, 0.0912, -0.0144, 0.0000}}},
    {{{-0.0128, 0.0848, 0.1504, -0.0240, 0.0016},  // middle: group i from groups i-2..i+2
      {-0.0016, 0.0144, 0.2224, -0.0416, 0.0064},
      {0.0064, -0.0336, 0.2544, -0.0336, 0.0064},
      {0.0064, -0.0416, 0.2224, 0.0144, -0.0016},
      {0.0016, -0.0240, 0.1504, 0.0848, -0.0128}}},
    {{{0.0000, -0.0144, 0.0912, 0.1408, -0.0176},  // next-to-last: group n-2 from groups n-5..n-1
      {0.0000, -0.0080, 0.0400, 0.1840, -0.0160},
      {0.0000, 0.0000, -0.0080, 0.2160, -0.0080},
      {0.0000, 0.0080, -0.0480, 0.2320, 0.0080},
      {0.0000, 0.0144, -0.0752, 0.2272, 0.0336}}},
    {{{0.0000, 0.0176, -0.0848, 0.1968, 0.0704},  // last: group n-1 from groups n-5..n-1
      {0.0000, 0.0160, -0.0720, 0.1360, 0.1200},
      {0.0000, 0.0080, -0.0320, 0.0400, 0.1840},
      {0.0000, -0.0080, 0.0400, -0.0960, 0.2640},
      {0.0000, -0.0336, 0.1488, -0.2768, 0.3616}}},
}};

}  // namespace

const std::array<SpraguePanel, 5>& sprague_panels() { return k_panels; }

std::size_t sprague_first_group(std::size_t i, std::size_t n) { return i < 2 ? 0 : i + 2 >= n ? n - 5 : i - 2; }

std::array<double, 5> sprague_group(const std::vector<double>& groups, std::size_t i) {
    const std::size_t n = groups.size();
    if (n < 5 || i >= n)
        throw InternalError(fmt::format("sprague_group: group {} of {}; the interpolation needs at least 5 groups", i, n));
    const std::size_t first = sprague_first_group(i, n);
    // The group's column in its panel: 0 and 1 for the first two groups, 2 in the middle, 3 and 4 for the last two.
    const SpraguePanelKind kind = i - first == 0   ? SpraguePanelKind::first
                                  : i - first == 1 ? SpraguePanelKind::second
                                  : i - first == 2 ? SpraguePanelKind::middle
                                  : i - first == 3 ? SpraguePanelKind::next_to_last
                                                   : SpraguePanelKind::last;
    const SpraguePanel& m = sprague_panels()[static_cast<std::size_t>(kind)];
    const double own = groups[i];
    std::array<double, 5> years{};
    for (std::size_t r = 0; r < 5; ++r) {
        double correction = 0.0;
        for (std::size_t c = 0; c < 5; ++c) correction += m[r][c] * (groups[first + c] - own);
        years[r] = own / 5.0 + correction;
    }
    return years;
}

std::vector<double> sprague_single_years(const std::vector<double>& groups) {
    if (groups.size() < 5)
        throw InputError(fmt::format("Sprague interpolation needs at least 5 consecutive 5-year groups; {} given",
                                     groups.size()));
    std::vector<double> years;
    years.reserve(5 * groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i)
        for (double y : sprague_group(groups, i)) years.push_back(y);
    return years;
}

}  // namespace accessplan
