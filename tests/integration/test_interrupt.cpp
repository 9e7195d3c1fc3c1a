// Interrupted runs (issue "Reliability"): a run stopped by SIGINT or SIGTERM midway leaves the previous results folder
// exactly as it was and no staging folder or half-written file behind; one killed outright (SIGKILL) leaves the
// results intact too, and its abandoned staging folder is removed by the next run.

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "support/ascii_grid.hpp"
#include "support/run_cli.hpp"

extern char** environ;

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> staging_leftovers(const fs::path& parent) {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(parent))
        if (e.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(e.path().filename().string());
    return found;
}

/// Starts `accessplan run SCENARIO --out OUT --overwrite` (stderr to a file), waits until its staging folder exists
/// and then `delay` more, sends `sig`, and returns the exit status.
int run_and_signal(const fs::path& scenario, const fs::path& out, int sig, std::chrono::milliseconds delay) {
    const std::string bin = ACCESSPLAN_BINARY, log = (out.parent_path() / "signal.log").string();
    std::vector<std::string> args{bin, "run", scenario.string(), "--out", out.string(), "--overwrite"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (staging_leftovers(out.parent_path()).empty() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(delay);
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

}  // namespace

TEST_CASE("a run interrupted midway leaves the previous results as they were", "[integration][interrupt][cli]") {
    test::TempDir dir;
    demo::write_demo_inputs(demo::generate_demo_province(28), dir.path());
    const fs::path out = dir / "results";
    auto first = test::run_cli({"run", (dir / "scenarios" / "baseline.yaml").string(), "--out", out.string(), "-q"});
    REQUIRE(first.exit_code == 0);
    const auto before = test::folder_files(out);
    REQUIRE(before.size() > 20);

    for (int sig : {SIGINT, SIGTERM}) {
        for (int delay_ms : {0, 300, 900}) {
            INFO("signal " << sig << " after " << delay_ms << " ms");
            const int status = run_and_signal(dir / "scenarios" / "baseline.yaml", out, sig, std::chrono::milliseconds(delay_ms));
            REQUIRE(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 130);
            CHECK_THAT(test::slurp(dir / "signal.log"), Catch::Contains("interrupted"));
            CHECK(staging_leftovers(dir.path()).empty());
            CHECK(test::folder_files(out) == before);
        }
    }

    // Killed outright: nothing can be tidied, but the results are still the old ones, and the next run removes the
    // abandoned staging folder.
    const int killed = run_and_signal(dir / "scenarios" / "baseline.yaml", out, SIGKILL, std::chrono::milliseconds(300));
    CHECK(WIFSIGNALED(killed));
    CHECK(test::folder_files(out) == before);
    CHECK(staging_leftovers(dir.path()).size() == 1);
    auto again = test::run_cli({"run", (dir / "scenarios" / "baseline.yaml").string(), "--out", out.string(), "--overwrite", "-q"});
    REQUIRE(again.exit_code == 0);
    CHECK(staging_leftovers(dir.path()).empty());
}

TEST_CASE("a run that would not fit in memory is refused before anything is written", "[integration][memory][cli]") {
    test::TempDir dir;
    demo::write_demo_inputs(demo::generate_demo_province(28), dir.path());
    ::setenv("ACCESSPLAN_MEMORY_GB", "0.01", 1);
    auto r = test::run_cli({"run", (dir / "scenarios" / "baseline.yaml").string(), "--out", (dir / "out").string()});
    ::unsetenv("ACCESSPLAN_MEMORY_GB");
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("baseline.yaml: the analysis grid of 741 x 856 cells of 100 m") &&
                          Catch::Contains("GB of memory") && Catch::Contains("cell_size_m"));
    CHECK_FALSE(fs::exists(dir / "out"));
    CHECK(staging_leftovers(dir.path()).empty());
}
