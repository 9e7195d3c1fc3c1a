#include <catch2/catch.hpp>

#include <cstdlib>

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
    CHECK_NOTHROW(require_memory(1e6, "a small run", "nothing to fix"));
    {
        EnvOverride two("2");
        CHECK(*available_memory_bytes() == Approx(2e9));
        CHECK_NOTHROW(require_memory(1.9e9, "a run", "fix"));
        REQUIRE_THROWS_AS(require_memory(2.5e9, "grid.yaml: the analysis grid", "use coarser cells"), InputError);
        REQUIRE_THROWS_WITH(require_memory(2.5e9, "grid.yaml: the analysis grid", "use coarser cells"),
                            Catch::Contains("grid.yaml: the analysis grid needs about 2.50 GB") &&
                                Catch::Contains("only 2.00 GB is available") && Catch::Contains("use coarser cells"));
    }
    {
        EnvOverride bad("lots");
        REQUIRE_THROWS_WITH(available_memory_bytes(), Catch::Contains("ACCESSPLAN_MEMORY_GB='lots'"));
    }
}
