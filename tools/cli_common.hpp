#pragma once
// What every subcommand shares: global options, logging to stderr, and the exit-code contract
// (0 ok, 1 processing/I-O failure, 2 usage error, 3 invalid input data).

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "accessplan/engine/numbers.hpp"

namespace accessplan::cli {

struct GlobalOptions {
    int threads = 0;         ///< 0 = OpenMP's default
    bool overwrite = false;
    std::string lang = "en";  ///< maps and report: en or vi
    int verbosity = 1;       ///< 0 quiet, 1 normal, 2 verbose
    bool json = false;
};

GlobalOptions& globals();

/// Applies --threads to OpenMP.
void apply_threads();

template <typename... Args>
void log(fmt::format_string<Args...> format, Args&&... args) {
    if (globals().verbosity >= 1) fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    if (globals().verbosity >= 2) fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
}

/// A stage label on stderr ("[2/5] travel time: primary_school").
void stage(int index, int count, const std::string& label);

// Numeric options, read by the engine's strict parser (engine/numbers.hpp) instead of CLI11's strtold/strtoll, which
// take "0x10", "010" (octal: 8), "inf", "nan", " 5" and, for unsigned options, "-1". A refused value is a usage error
// (exit 2) naming the option: "--budget: '1,5' has a decimal comma; ... write 1.5". `set` receives the value and may
// throw InputError for further checks. rule.what defaults to the option's name.
CLI::Option* add_number_option(CLI::App& app, const std::string& name, std::function<void(double)> set, NumberRule rule,
                               const std::string& help);
/// An amount of money: 40000000000, 40e9, 40_000_000_000 or 40 tỷ (parse_money).
CLI::Option* add_money_option(CLI::App& app, const std::string& name, std::function<void(double)> set, NumberRule rule,
                              const std::string& help);
CLI::Option* add_integer_option(CLI::App& app, const std::string& name, std::function<void(std::int64_t)> set,
                                IntegerRule rule, const std::string& help);

// Subcommand registration: each returns the callback's exit code through `run`.
void add_info_command(CLI::App& app, int& exit_code);
void add_traveltime_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_rank_command(CLI::App& app, int& exit_code);
void add_validate_command(CLI::App& app, int& exit_code);
void add_compare_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace accessplan::cli

namespace accessplan::scenarios {
struct Scenario;
}
namespace accessplan::geodata {
class OutputFolder;
}

namespace accessplan::cli {

/// What `accessplan rank` overrides in the scenario's ranking section.
struct RankingOverrides {
    std::optional<double> budget;
    bool exact = false;
    std::optional<std::string> objective;
    std::optional<int> draws;
    std::optional<std::uint64_t> seed;
};

/// Runs a loaded scenario into the folder's staging area (or its sub-folder `sub`, e.g. the demo's results/baseline,
/// which then gets an outputs list of its own) with stage lines and a progress bar, swaps the folder into place, and
/// prints the summary table and where the outputs are.
int run_into_folder(const scenarios::Scenario& scenario, geodata::OutputFolder& folder, const RankingOverrides& rank = {},
                    const std::filesystem::path& sub = {});

/// After `folder` was committed: says which results written later inside it (a what-if's, in the demo's results/)
/// went with it, except `remade` (the sub-folder the command wrote again).
void note_replaced_results(const geodata::OutputFolder& folder, const std::filesystem::path& remade = {});

/// Runs `body`, mapping accessplan exceptions to messages on stderr and exit codes.
int guarded(const std::function<int()>& body);

}  // namespace accessplan::cli
