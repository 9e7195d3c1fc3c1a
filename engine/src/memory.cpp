#include "accessplan/engine/memory.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"

namespace accessplan {
namespace {

std::optional<double> read_number(const char* path) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text == "max") return std::nullopt;
    try {
        return std::stod(text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

std::optional<double> available_memory_bytes() {
    if (const char* env = std::getenv("ACCESSPLAN_MEMORY_GB"); env != nullptr && *env != '\0') {
        char* end = nullptr;
        const double gb = std::strtod(env, &end);
        if (end == env || *end != '\0' || !(gb > 0.0))
            throw InputError(fmt::format("ACCESSPLAN_MEMORY_GB='{}': expected a number of gigabytes > 0, e.g. 8 or 0.5", env));
        return gb * 1e9;
    }
    std::optional<double> available;
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        std::istringstream fields(line);
        std::string key;
        double kb = 0.0;
        if (fields >> key >> kb && key == "MemAvailable:") available = kb * 1024.0;
    }
    // cgroup v2 (containers, systemd slices): the limit minus what the group already uses.
    if (const auto limit = read_number("/sys/fs/cgroup/memory.max")) {
        const double left = *limit - read_number("/sys/fs/cgroup/memory.current").value_or(0.0);
        if (!available || left < *available) available = left;
    }
    return available;
}

void require_memory(double needed_bytes, const std::string& what, const std::string& fix) {
    const std::optional<double> available = available_memory_bytes();
    if (!available || needed_bytes <= *available) return;
    throw InputError(fmt::format("{} needs about {:.2f} GB of memory, but only {:.2f} GB is available on this machine; {} "
                                 "(or set ACCESSPLAN_MEMORY_GB to override the available figure)",
                                 what, needed_bytes / 1e9, *available / 1e9, fix));
}

}  // namespace accessplan
