// libFuzzer target: the scenario parser (scenarios::load_scenario) on arbitrary bytes. Bad scenarios must end in an
// InputError with a message; anything else escaping (another exception, a crash, a sanitizer report) is a bug.
// Built with clang by bench/run_fuzz.sh; replayed over tests/fuzz/corpus/scenario in every test run.

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/scenarios/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // load_scenario reads a file (its base: chain is relative to it): one scratch file per process.
    static const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("accessplan-fuzz-scenario-" + std::to_string(::getpid()) + ".yaml");
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        (void)accessplan::scenarios::load_scenario(file);
    } catch (const accessplan::InputError& e) {
        if (std::string(e.what()).empty()) std::abort();  // an error must say what is wrong
    }
    return 0;
}
