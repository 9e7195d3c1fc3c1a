#pragma once
// Runs the accessplan binary and captures its exit code, stdout and stderr.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace accessplan::test {

struct CliResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs ACCESSPLAN_BINARY with `args` (each shell-quoted) in the current folder.
CliResult run_cli(const std::vector<std::string>& args);

/// The whole text of a file ("" when it cannot be read).
std::string slurp(const std::filesystem::path& path);

/// Every file under `dir` (relative path -> bytes), except those named `skip` (e.g. "run.json") and the outputs lists
/// (.accessplan-outputs: they hold write times).
std::map<std::string, std::string> folder_files(const std::filesystem::path& dir, const std::string& skip = "");

/// The baseline's results folder of `accessplan demo` (<demo>/results/baseline; the demo's inputs are in ../../inputs,
/// its scenarios in ../../scenarios), made once per test process (about 8 s) and shared by its cases; read only.
const std::filesystem::path& demo_results();

}  // namespace accessplan::test
