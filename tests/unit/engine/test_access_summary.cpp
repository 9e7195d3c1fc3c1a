#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/random.hpp"
#include "support/ascii_grid.hpp"

using namespace accessplan;

TEST_CASE("access summary by hand: within, unreachable, bands, weighted mean and percentiles", "[engine][metrics]") {
    // Five cells: times 10, 20, 45, 200 minutes and one unreachable; children 10, 20, 30, 40, 50.
    auto minutes = test::grid_from_ascii("10 20 45 200 X", 100.0);
    auto children = test::grid_from_ascii("10 20 30 40 50", 100.0);
    auto s = summarize_access(children, minutes, 30.0);
    CHECK(s.children == 150.0);
    CHECK(s.within_threshold == 30.0);          // 10 + 20
    CHECK(s.unreachable == 50.0);               // reported apart, never dropped
    CHECK(s.pct_within() == Approx(20.0));
    CHECK(s.mean_min == Approx((10 * 10 + 20 * 20 + 30 * 45 + 40 * 200) / 100.0));  // over reachable children
    CHECK(s.median_min == 45.0);                // 50 of 100 reachable children are within 45 min
    CHECK(s.p90_min == 200.0);
    CHECK(s.bands[0] == 10.0);                  // 0-15
    CHECK(s.bands[1] == 20.0);                  // 15-30
    CHECK(s.bands[2] == 30.0);                  // 30-60
    CHECK(s.bands[3] == 0.0);                   // 60-120
    CHECK(s.bands[4] == 40.0);                  // >120
    // Bands plus unreachable account for every child.
    CHECK(std::accumulate(s.bands.begin(), s.bands.end(), 0.0) + s.unreachable == Approx(s.children));
    // A mask restricts the summary; with no facility at all, every child is unreachable, nothing crashes.
    Grid<std::uint8_t> mask(children.spec(), 0);
    mask[4] = 1;
    auto only_last = summarize_access(children, minutes, 30.0, &mask);
    CHECK(only_last.children == 50.0);
    CHECK(only_last.unreachable == 50.0);
    CHECK(std::isnan(only_last.mean_min));
    REQUIRE_THROWS_WITH(summarize_access(children, minutes, 0.0), Catch::Contains("threshold"));
}

TEST_CASE("several masks in one pass give the figures of one summary per mask", "[engine][metrics]") {
    // 40x30 cells of varied times (some unreachable) and children (some zero), three overlapping masks.
    Grid<float> minutes(make_grid_spec(40, 30, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.0f);
    Grid<float> children(minutes.spec(), 0.0f);
    Grid<std::uint8_t> a(minutes.spec(), 0), b(minutes.spec(), 0), none(minutes.spec(), 0);
    for (std::size_t i = 0; i < minutes.size(); ++i) {
        minutes[i] = i % 17 == 0 ? INFINITY : static_cast<float>((i * 7919) % 250) * 0.5f;
        children[i] = i % 5 == 0 ? 0.0f : static_cast<float>((i * 31) % 13);
        a[i] = i % 3 == 0;
        b[i] = (i / 40) < 10;
    }
    const std::vector<const Grid<std::uint8_t>*> masks{nullptr, &a, &b, &none};
    const auto together = summarize_access_masks(children, minutes, 30.0, masks);
    REQUIRE(together.size() == 4);
    for (std::size_t k = 0; k < masks.size(); ++k) {
        INFO("mask " << k);
        const AccessSummary one = summarize_access(children, minutes, 30.0, masks[k]);
        CHECK(together[k].children == one.children);
        CHECK(together[k].within_threshold == one.within_threshold);
        CHECK(together[k].unreachable == one.unreachable);
        CHECK(together[k].bands == one.bands);
        if (k == 3) {
            CHECK(together[k].children == 0.0);
            CHECK(std::isnan(together[k].median_min));
            continue;
        }
        CHECK(together[k].mean_min == one.mean_min);
        CHECK(together[k].median_min == one.median_min);
        CHECK(together[k].p90_min == one.p90_min);
    }
    // The masked summaries differ from "all": the test would notice masks being ignored.
    CHECK(together[1].children < together[0].children);
    CHECK(together[2].children < together[0].children);
    CHECK(together[1].children + together[2].children > together[0].children * 0.3);
}

TEST_CASE("the Gini of travel time over children equals its pairwise definition", "[engine][summary][equity]") {
    SplitMix64 rng(GENERATE(31u, 32u, 33u));
    const GridSpec spec = make_grid_spec(20, 15, 100.0, 500000.0, 2000000.0, test::test_crs());
    Grid<float> kids(spec, 0.0f), minutes(spec, 0.0f);
    const double cap = 60.0;
    for (std::size_t i = 0; i < kids.size(); ++i) {
        kids[i] = rng.uniform() < 0.6 ? static_cast<float>(std::floor(40.0 * rng.uniform())) : 0.0f;
        const double u = rng.uniform();
        minutes[i] = u < 0.1 ? INFINITY : static_cast<float>(std::floor(90.0 * u));  // some beyond the cap, some unreachable
    }
    // sum_i sum_j w_i w_j |t_i - t_j| / (2 W^2 mean), times capped, straight from the definition.
    double pairs = 0.0, weight = 0.0, sum = 0.0;
    for (std::size_t i = 0; i < kids.size(); ++i) {
        const double ti = std::min<double>(minutes[i], cap);
        weight += kids[i];
        sum += kids[i] * ti;
        for (std::size_t j = 0; j < kids.size(); ++j) pairs += double(kids[i]) * kids[j] * std::abs(ti - std::min<double>(minutes[j], cap));
    }
    CHECK(travel_time_gini(kids, minutes, cap) == Approx(pairs / (2.0 * weight * weight * (sum / weight))).epsilon(1e-12));
    // Everyone equally far: 0; nobody: 0.
    CHECK(travel_time_gini(kids, Grid<float>(spec, 12.0f), cap) == Approx(0.0).margin(1e-15));
    CHECK(travel_time_gini(Grid<float>(spec, 0.0f), minutes, cap) == 0.0);
}

TEST_CASE("summaries chosen by a label per cell give the figures of one summary per mask", "[engine][metrics]") {
    // Area-class flags (bits 1, 2, 4) on 50x40 cells; each area-class filter as a mask made from the flags, against
    // the filters' membership of each flag value.
    Grid<float> minutes(make_grid_spec(50, 40, 100.0, 500000.0, 2000000.0, test::test_crs()), 0.0f);
    Grid<float> children(minutes.spec(), 0.0f);
    Grid<std::uint8_t> flags(minutes.spec(), 0);
    for (std::size_t i = 0; i < minutes.size(); ++i) {
        minutes[i] = i % 19 == 0 ? INFINITY : static_cast<float>((i * 104729) % 300) * 0.25f;
        children[i] = i % 7 == 0 ? 0.0f : static_cast<float>((i * 37) % 11);
        flags[i] = static_cast<std::uint8_t>((i * 13 + i / 50) % 8);
    }
    const auto& filters = area_class_filters();
    std::array<std::uint32_t, 256> membership{};
    for (std::size_t v = 0; v < 256; ++v)
        for (std::size_t f = 0; f < filters.size(); ++f)
            if (filters[f].includes(static_cast<std::uint8_t>(v))) membership[v] |= 1u << f;
    const auto together = summarize_access_labels(children, minutes, 20.0, flags, membership, filters.size());
    REQUIRE(together.size() == filters.size());
    for (std::size_t f = 0; f < filters.size(); ++f) {
        INFO("filter " << filters[f].name);
        Grid<std::uint8_t> mask(flags.spec(), 0);
        for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = filters[f].includes(flags[i]) ? 1 : 0;
        const AccessSummary one = summarize_access(children, minutes, 20.0, &mask);
        CHECK(together[f].children == one.children);
        CHECK(together[f].within_threshold == one.within_threshold);
        CHECK(together[f].unreachable == one.unreachable);
        CHECK(together[f].bands == one.bands);
        CHECK(together[f].mean_min == one.mean_min);
        CHECK(together[f].median_min == one.median_min);
        CHECK(together[f].p90_min == one.p90_min);
        if (!filters[f].all) CHECK(one.children < together[0].children);  // a filter that counted every cell would show
    }
}
