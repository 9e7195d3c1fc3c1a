// accessplan: the command-line entry point. Thin: parse arguments, call the libraries, map errors to exit codes.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include <gnu/libc-version.h>

#include <omp.h>
#include <unistd.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/memory.hpp"
#include "accessplan/engine/version.hpp"
#include "cli_common.hpp"

namespace accessplan::cli {

GlobalOptions& globals() {
    static GlobalOptions options;
    return options;
}

void apply_threads() {
    if (globals().threads > 0) omp_set_num_threads(globals().threads);
}

void stage(int index, int count, const std::string& label) {
    if (globals().verbosity >= 1) fmt::print(stderr, "[{}/{}] {}\n", index, count, label);
}

namespace {

CLI::Option* add_parsed_option(CLI::App& app, const std::string& name, std::function<void(const std::string&)> read,
                               const std::string& help, const char* type) {
    auto on_value = [read = std::move(read)](const std::string& text) {
        try {
            read(text);
        } catch (const InputError& e) {
            throw CLI::ValidationError(e.what());  // a usage error: exit 2
        }
    };
    return app.add_option_function<std::string>(name, on_value, help)->type_name(type);
}

}  // namespace

CLI::Option* add_number_option(CLI::App& app, const std::string& name, std::function<void(double)> set, NumberRule rule,
                               const std::string& help) {
    if (rule.what.empty()) rule.what = name;
    return add_parsed_option(app, name, [set = std::move(set), rule](const std::string& text) { set(parse_number(text, rule)); },
                             help, "NUMBER");
}

CLI::Option* add_money_option(CLI::App& app, const std::string& name, std::function<void(double)> set, NumberRule rule,
                              const std::string& help) {
    if (rule.what.empty()) rule.what = name;
    return add_parsed_option(app, name, [set = std::move(set), rule](const std::string& text) { set(parse_money(text, rule)); },
                             help, "AMOUNT");
}

CLI::Option* add_integer_option(CLI::App& app, const std::string& name, std::function<void(std::int64_t)> set,
                                IntegerRule rule, const std::string& help) {
    if (rule.what.empty()) rule.what = name;
    return add_parsed_option(app, name, [set = std::move(set), rule](const std::string& text) { set(parse_integer(text, rule)); },
                             help, "INT");
}

namespace {
std::string g_command_line;

// SIGINT / SIGTERM: ask the run to stop at its next check (between stages, before any output moves into place), so
// the staging folder is removed and earlier outputs stay as they were. A second signal stops at once (the default).
extern "C" void on_interrupt(int sig) {
    accessplan::request_interrupt();
    static const char message[] = "\naccessplan: interrupted: stopping before anything is written (again to stop at once)\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, message, sizeof message - 1);
    std::signal(sig, SIG_DFL);
}

void install_interrupt_handlers() {
    for (int sig : {SIGINT, SIGTERM}) {
        struct sigaction action {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        sigaction(sig, &action, nullptr);
    }
}
}  // namespace

std::string command_line() { return g_command_line; }

int guarded(const std::function<int()>& body) {
    try {
        apply_threads();
        return body();
    } catch (const Error& e) {
        fmt::print(stderr, "accessplan: error: {}\n", e.what());
        return exit_code_for(e);
    } catch (const std::bad_alloc&) {
        fmt::print(stderr, "accessplan: error: out of memory; use a coarser cell size or a smaller area\n");
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "accessplan: internal error: {}\n", e.what());
        return 1;
    }
}

namespace {

// Where the kernel gives transparent huge pages only to blocks that ask (its "madvise" mode, Debian's default), every
// large block malloc hands out -- GDAL's rasters and buffers, the standard containers -- is faulted in 4 KB at a time
// unless glibc asks for it (the tunable glibc.malloc.hugetlb=1, glibc 2.35 or later). On this project's 2-core virtual
// machine memory faulted in 4 KB at a time comes at about 0.3 GB/s (12 GB/s in 2 MB pages), and a national run faults
// in tens of gigabytes over its stages: 89 s without the tunable, 57 s with it (the median of three), about the same
// peak memory (bench/RESULTS.md). Tunables
// are read when a program starts, so the process starts itself again with it set, once, before anything else runs.
// A GLIBC_TUNABLES that already names glibc.malloc.hugetlb (e.g. =0 to keep 4 KB pages) is left as the user set it.
void restart_with_huge_pages_for_malloc(char** argv) {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (tunables != nullptr && std::string(tunables).find("glibc.malloc.hugetlb") != std::string::npos) return;
    const std::string libc = gnu_get_libc_version();
    const auto dot = libc.find('.');
    if (dot == std::string::npos || std::atoi(libc.c_str()) * 1000 + std::atoi(libc.c_str() + dot + 1) < 2035) return;
    if (accessplan::huge_pages_in_use() != "grids only") return;  // the kernel's "madvise" mode only
    const std::string value = tunables != nullptr && *tunables != '\0' ? std::string(tunables) + ":glibc.malloc.hugetlb=1"
                                                                       : std::string("glibc.malloc.hugetlb=1");
    if (::setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
    ::execv("/proc/self/exe", argv);  // returns only when it failed: run on as we are
}

}  // namespace

}  // namespace accessplan::cli

int main(int argc, char** argv) {
    using namespace accessplan::cli;
    restart_with_huge_pages_for_malloc(argv);
    for (int i = 0; i < argc; ++i) g_command_line += (i ? " " : "") + std::string(argv[i]);
    install_interrupt_handlers();
    CLI::App app{"accessplan: travel-time access of children to schools, health stations, playgrounds and pools;\n"
                 "access gaps in remote, border and island areas; budgeted investment ranking.\n\n"
                 "Example: accessplan demo --out demo-run",
                 "accessplan"};
    app.set_version_flag("--version", std::string("accessplan ") + accessplan::version_string);
    app.require_subcommand(1);
    app.fallthrough(true);
    GlobalOptions& g = globals();
    add_integer_option(app, "--threads", [&g](std::int64_t n) { g.threads = static_cast<int>(n); }, accessplan::IntegerRule{"", 1, 1024},
                       "Worker threads, 1 to 1024 (default: all cores)");
    app.add_flag("--overwrite", g.overwrite, "Replace existing outputs, only when accessplan wrote every file in them and\n"
                                             "none was changed since (otherwise they are never touched)");
    app.add_option("--lang", g.lang, "Language of maps and the report: en (English, default) or vi (tiếng Việt)")
        ->check(CLI::IsMember({"en", "vi"}));
    app.add_flag_function("-q,--quiet", [&](std::int64_t) { g.verbosity = 0; }, "Quiet: only where the outputs went on stdout; errors, and how many warnings\n"
                                                                             "the outputs list, on stderr");
    app.add_flag_function("-v,--verbose", [&](std::int64_t) { g.verbosity = 2; }, "More detail on stderr");

    int exit_code = 0;
    add_info_command(app, exit_code);
    add_traveltime_command(app, exit_code);
    add_demo_command(app, exit_code);
    add_run_command(app, exit_code);
    add_rank_command(app, exit_code);
    add_validate_command(app, exit_code);
    add_compare_command(app, exit_code);
    add_export_command(app, exit_code);
    add_serve_command(app, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    return exit_code;
}
