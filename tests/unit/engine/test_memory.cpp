#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/memory.hpp"

using namespace accessplan;

namespace {
struct EnvOverride {
    explicit EnvOverride(const char* value) { ::setenv("ACCESSPLAN_MEMORY_GB", value, 1); }
    ~EnvOverride() { ::unsetenv("ACCESSPLAN_MEMORY_GB"); }
};
}  // namespace

TEST_CASE("the memory guard reads what the machine has and refuses runs beyond it", "[engine][memory]") {
    const auto machine = available_memory_bytes();
    REQUIRE(machine.has_value());  // Linux: /proc/meminfo
    CHECK(*machine > 1e7);
    CHECK(reserve_memory(1e6, "a small run", "nothing to fix").bytes() == 1e6);
    {
        EnvOverride two("2");
        CHECK(*available_memory_bytes() == Approx(2e9));
        CHECK(reserve_memory(1.9e9, "a run", "fix").bytes() == 1.9e9);
        REQUIRE_THROWS_AS(reserve_memory(2.5e9, "grid.yaml: the analysis grid", "use coarser cells"), InputError);
        REQUIRE_THROWS_WITH(reserve_memory(2.5e9, "grid.yaml: the analysis grid", "use coarser cells"),
                            Catch::Contains("grid.yaml: the analysis grid needs about 2.50 GB") &&
                                Catch::Contains("only 2.00 GB is available") && Catch::Contains("use coarser cells"));
    }
    {
        EnvOverride bad("lots");
        REQUIRE_THROWS_WITH(available_memory_bytes(), Catch::Contains("ACCESSPLAN_MEMORY_GB: 'lots' is not a number; expected a number of gigabytes > 0"));
    }
}

TEST_CASE("runs side by side wait for each other's memory instead of overrunning it together", "[engine][memory]") {
    EnvOverride two("2");
    REQUIRE(reserved_memory_bytes() == 0.0);
    std::optional<MemoryReservation> first = reserve_memory(1.2e9, "first.yaml", "fix");
    CHECK(reserved_memory_bytes() == Approx(1.2e9));
    CHECK(reserve_memory(0.5e9, "small.yaml", "fix").bytes() == 0.5e9);  // fits beside it
    CHECK(reserved_memory_bytes() == Approx(1.2e9));                     // and gave it back at once

    // 1.2 + 1.2 GB do not fit in 2 GB together: the second waits until the first ends.
    std::atomic<bool> granted{false};
    std::thread second([&granted] {
        MemoryReservation r = reserve_memory(1.2e9, "second.yaml", "fix");
        granted = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(granted);  // still waiting (any wait shows this: the first holds its memory until released below)
    first.reset();
    second.join();
    CHECK(granted);
    CHECK(reserved_memory_bytes() == 0.0);

    // Waiting is only for memory others hold: more than the machine has is refused at once, as when alone.
    MemoryReservation held = reserve_memory(1.0e9, "held.yaml", "fix");
    MemoryReservation moved = std::move(held);
    CHECK(held.bytes() == 0.0);
    CHECK(reserved_memory_bytes() == Approx(1.0e9));  // moved, not doubled
    {
        MemoryReservation alone;
        moved = std::move(alone);  // the 1 GB is given back
    }
    CHECK(reserved_memory_bytes() == 0.0);
    REQUIRE_THROWS_WITH(reserve_memory(3e9, "huge.yaml", "use coarser cells"), Catch::Contains("only 2.00 GB is available"));
}

TEST_CASE("a run's grant grows by what it learns it needs, or the run is refused", "[engine][memory]") {
    EnvOverride two_gb("2");
    REQUIRE(reserved_memory_bytes() == 0.0);
    MemoryReservation run = reserve_memory(1.0e9, "the grid", "a coarser grid");
    run.grow(0.5e9, "the road networks", "road_model: raster");  // 1.5 of 2 GB: granted
    CHECK(run.bytes() == Approx(1.5e9));
    CHECK(reserved_memory_bytes() == Approx(1.5e9));
    // 1 GB more would not fit, and no other run holds memory to wait for: refused at once (it once waited for itself).
    REQUIRE_THROWS_WITH(run.grow(1.0e9, "the road networks", "road_model: raster"),
                        Catch::Contains("the road networks needs about 1.00 GB of memory more") &&
                            Catch::Contains("beside the 1.50 GB the run holds") && Catch::Contains("road_model: raster"));
    CHECK(run.bytes() == Approx(1.5e9));
    { MemoryReservation gone = std::move(run); }
    CHECK(reserved_memory_bytes() == 0.0);
}
