// The inputs earlier runs keep for what-ifs (scenarios/src/stages/run_cache.cpp): at most `keep` entries, the least
// recently stored or found forgotten first, so that a batch or a notebook of unrelated scenarios does not hold every
// run's grids.

#include <catch2/catch.hpp>

#include "../scenarios/src/stages/run_cache.hpp"

using namespace accessplan::scenarios;

namespace {

/// A scenario whose shared inputs differ from another's by its cell size (no input files: nothing on disk to stamp).
Scenario with_cell(double cell_m) {
    Scenario s;
    s.cell_size_m = cell_m;
    return s;
}

std::shared_ptr<const detail::CacheEntry> entry_of(const Scenario& s) {
    const Scenario key = detail::shared_inputs_key(s);
    return std::make_shared<const detail::CacheEntry>(detail::CacheEntry{key, detail::file_stamps(key), nullptr, nullptr});
}

}  // namespace

TEST_CASE("the run cache keeps the entries used last, at most as many as it was made for", "[unit][scenarios][cache]") {
    RunCache cache(2);
    const Scenario a = with_cell(100), b = with_cell(200), c = with_cell(300);
    CHECK(cache.accepts());
    cache.store(entry_of(a));
    cache.store(entry_of(b));
    CHECK(cache.find(a) != nullptr);
    CHECK(cache.find(b) != nullptr);
    // a found again: b is now the least recently used, and goes when c comes.
    REQUIRE(cache.find(a) != nullptr);
    cache.store(entry_of(c));
    CHECK(cache.find(a) != nullptr);
    CHECK(cache.find(b) == nullptr);
    CHECK(cache.find(c) != nullptr);
    // A what-if of a (another name, a threshold) finds a's entry; storing a's key again replaces it (no duplicate).
    Scenario whatif = a;
    whatif.name = "what-if";
    CHECK(cache.find(whatif) == cache.find(a));
    cache.store(entry_of(a));
    CHECK(cache.find(c) != nullptr);
}

TEST_CASE("a run cache made to keep nothing, or frozen, stores nothing", "[unit][scenarios][cache]") {
    RunCache none(0);
    CHECK_FALSE(none.accepts());
    none.store(entry_of(with_cell(100)));
    CHECK(none.find(with_cell(100)) == nullptr);
    RunCache frozen(4);
    frozen.store(entry_of(with_cell(100)));
    frozen.freeze();
    CHECK_FALSE(frozen.accepts());
    frozen.store(entry_of(with_cell(200)));
    CHECK(frozen.find(with_cell(100)) != nullptr);
    CHECK(frozen.find(with_cell(200)) == nullptr);
}
