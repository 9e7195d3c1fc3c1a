// The memory guard's reservation against the peak the operating system measures for the run (issue 20): at least the
// peak, so a run that would not fit is refused instead of killed, and within 1.5x of it, so runs that fit are not
// refused. The peak is the process's maximum resident set as wait4() reports it for the child, not the run's own figure.

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <gnu/libc-version.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using accessplan::test::TempDir;

struct Measured {
    int exit_code = -1;
    double peak_bytes = 0.0;  ///< ru_maxrss of the child
};

// Runs the accessplan binary with `args` (output to /dev/null) and measures its peak resident memory.
Measured run_measured(const std::vector<std::string>& args) {
    std::vector<std::string> all{ACCESSPLAN_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(spawned == 0);
    int status = 0;
    rusage usage{};
    REQUIRE(wait4(pid, &status, 0, &usage) == pid);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, static_cast<double>(usage.ru_maxrss) * 1024.0};
}

// Runs `scenario` into `out`, and checks the reservation in its run.json against the measured peak.
void require_reservation_covers_peak(const fs::path& scenario, const fs::path& out) {
    const Measured m = run_measured({"run", scenario.string(), "--out", out.string(), "-q"});
    REQUIRE(m.exit_code == 0);
    const auto run = nlohmann::json::parse(accessplan::test::slurp(out / "run.json"));
    const double reserved = run.at("memory").at("reserved_gb").get<double>() * 1e9;
    INFO(scenario.filename().string() << ": reserved " << reserved / 1e9 << " GB, measured peak " << m.peak_bytes / 1e9
                                      << " GB (" << reserved / m.peak_bytes << "x)");
    CHECK(reserved >= m.peak_bytes);
    CHECK(reserved <= 1.5 * m.peak_bytes);
}

}  // namespace

TEST_CASE("the memory guard reserves at least a run's measured peak and at most 1.5x: the demo, its grid 8x finer, speeds drawn by class",
          "[integration][memory]") {
    TempDir dir;
    namespace demo = accessplan::demo;
    const fs::path baseline = demo::write_demo_inputs(demo::generate_demo_province(), dir.path());
    // The demo as it is: 741 x 856 cells, five services, ferries, programmes ranked.
    require_reservation_covers_peak(baseline, dir / "baseline-results");
    // A large grid: the demo province at 35 m (2,116 x 2,444 cells, 8x the cells), one walking service, no ranking.
    // Per-cell buffers dominate here, the program's own memory there.
    std::ofstream(baseline.parent_path() / "fine.yaml")
        << "schema_version: 1\nbase: baseline.yaml\n"
           "area: {boundary: {file: ../inputs/demo_province.gpkg, layer: province}, cell_size_m: 35}\n"
           "services:\n  - {name: playground, facility_types: [playground], target_group: children_3_14, "
           "threshold_min: 15, mode: walking}\nranking: null\n";
    require_reservation_covers_peak(baseline.parent_path() / "fine.yaml", dir / "fine-results");
    // Speeds drawn class by class (each draw prepares the inputs again and builds its problems beside the run's), with
    // the time_saved objective, whose reaches are the widest.
    std::ofstream(baseline.parent_path() / "class_draws.yaml")
        << "schema_version: 1\nbase: baseline.yaml\nranking:\n  objective: time_saved\n  plan: null\n"
           "  uncertainty: {draws: 2, speed_pct_by_class: {track: 40, cropland: 30}}\n";
    require_reservation_covers_peak(baseline.parent_path() / "class_draws.yaml", dir / "class-draws-results");
}

namespace {

// The kernel's transparent huge pages setting, and what run.json's memory.huge_pages should then say of a run of the
// command-line tool, given whether malloc was left to the tool (`tool_sets_malloc`) or told not to ask.
std::string expected_huge_pages(bool tool_sets_malloc) {
    std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    if (!std::getline(thp, modes)) return "unknown";
    if (modes.find("[always]") != std::string::npos) return "always";
    if (modes.find("[madvise]") == std::string::npos) return "never";
    int major = 0, minor = 0;
    std::sscanf(gnu_get_libc_version(), "%d.%d", &major, &minor);
    return tool_sets_malloc && major * 1000 + minor >= 2035 ? "large blocks" : "grids only";
}

}  // namespace

TEST_CASE("the command-line tool has malloc ask for huge pages where the kernel gives them on request, and leaves a GLIBC_TUNABLES "
          "naming the tunable as it is",
          "[integration][memory]") {
    const fs::path demo = accessplan::test::demo_results();
    const auto as_run = nlohmann::json::parse(accessplan::test::slurp(demo / "run.json"));
    CHECK(as_run.at("memory").at("huge_pages").get<std::string>() == expected_huge_pages(true));

    // The user's own setting (4 KB pages for malloc) is kept: no restart with the tunable changed.
    TempDir dir;
    const char* before = std::getenv("GLIBC_TUNABLES");
    const std::string kept = before ? before : "";
    ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", 1);
    const auto r = accessplan::test::run_cli(
        {"run", (demo / "../../scenarios/baseline.yaml").lexically_normal().string(), "--out", (dir / "out").string(), "-q"});
    if (before) ::setenv("GLIBC_TUNABLES", kept.c_str(), 1);
    else ::unsetenv("GLIBC_TUNABLES");
    REQUIRE(r.exit_code == 0);
    const auto told = nlohmann::json::parse(accessplan::test::slurp(dir / "out" / "run.json"));
    CHECK(told.at("memory").at("huge_pages").get<std::string>() == expected_huge_pages(false));
}
