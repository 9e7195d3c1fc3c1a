// A downstream program built against an installed accessplan (tests/install/run_install_test.sh): it includes the
// installed headers, links accessplan::engine and accessplan::scenarios, and checks what they compute.
#include <accessplan/engine/grid.hpp>
#include <accessplan/engine/travel_time.hpp>
#include <accessplan/engine/version.hpp>
#include <accessplan/scenarios/scenario.hpp>

#include <cmath>
#include <cstdio>
#include <string_view>

int main() {
    int failures = 0;
    const auto check = [&failures](bool ok, const char* what) {
        if (!ok) {
            std::fprintf(stderr, "downstream: FAILED: %s\n", what);
            ++failures;
        }
    };

    // The header's version is the package's (accessplanConfigVersion.cmake).
    check(std::string_view{accessplan::version_string} == ACCESSPLAN_PACKAGE_VERSION,
          "version.hpp says the version find_package(accessplan) found");

    // 5 x 1 cells of 100 m at walking speed 6 km/h (0.01 min/m), a facility (id 7) in the first cell: each straight
    // move costs the mean friction of its two cells x 100 m = 1 minute, so the last cell is 4 minutes away.
    accessplan::Grid<float> friction(accessplan::make_grid_spec(5, 1, 100.0), accessplan::friction_for_speed_kmh(6.0));
    friction(2, 0) = accessplan::friction_for_speed_kmh(3.0);  // a slower cell in the middle: +0.5 min each side
    const accessplan::TravelTimeResult result = accessplan::compute_travel_time(friction, {accessplan::SourceCell{0, 7}});
    check(result.minutes(0, 0) == 0.0f, "the facility's cell is 0 minutes from it");
    check(std::abs(result.minutes(4, 0) - 5.0f) < 1e-4f, "the last cell is 5 minutes away (1 + 1.5 + 1.5 + 1)");
    check(result.nearest(4, 0) == 7, "the last cell's nearest facility is id 7");

    // accessplan::scenarios (and through it geodata, GDAL and yaml-cpp) links.
    bool primary_found = false;
    for (const auto& group : accessplan::scenarios::default_target_groups())
        if (group.name == "primary") primary_found = group.min_age == 6 && group.max_age == 10;
    check(primary_found, "default_target_groups() has primary, ages 6-10");

    if (failures != 0) return 1;
    std::printf("downstream: accessplan %s: travel time %.2f min to the last cell; %zu default target groups\n",
                accessplan::version_string, static_cast<double>(result.minutes(4, 0)),
                accessplan::scenarios::default_target_groups().size());
    return 0;
}
