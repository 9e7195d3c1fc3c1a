#include "accessplan/engine/memory.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"

namespace accessplan {
namespace {

std::optional<double> read_number(const char* path) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text == "max") return std::nullopt;
    return parse_number(text);
}

// What the live reservations of this process hold, and the signal that one of them ended.
std::mutex g_mutex;
std::condition_variable g_released;
double g_reserved = 0.0;

}  // namespace

std::optional<double> available_memory_bytes() {
    if (const char* env = std::getenv("ACCESSPLAN_MEMORY_GB"); env != nullptr && *env != '\0') {
        NumberRule rule{"ACCESSPLAN_MEMORY_GB", 0.0};
        rule.min_exclusive = true;
        rule.expected = "a number of gigabytes > 0, e.g. 8 or 0.5";
        return parse_number(env, rule) * 1e9;
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

std::optional<double> peak_resident_bytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        std::istringstream fields(line);
        std::string key;
        double kb = 0.0;
        if (fields >> key >> kb && key == "VmHWM:") return kb * 1024.0;
    }
    return std::nullopt;
}

std::string huge_pages_in_use() {
    std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    if (!std::getline(thp, modes)) return "unknown";
    if (modes.find("[always]") != std::string::npos) return "always";
    if (modes.find("[madvise]") == std::string::npos) return "never";
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    const std::string text = tunables != nullptr ? tunables : "";
    constexpr std::string_view key = "glibc.malloc.hugetlb=";
    const auto at = text.find(key);
    const char value = at != std::string::npos && at + key.size() < text.size() ? text[at + key.size()] : '0';
    return value == '1' || value == '2' ? "large blocks" : "grids only";
}

MemoryReservation::MemoryReservation(MemoryReservation&& other) noexcept : m_bytes(other.m_bytes) { other.m_bytes = 0.0; }

MemoryReservation& MemoryReservation::operator=(MemoryReservation&& other) noexcept {
    if (this != &other) {
        MemoryReservation old(std::move(*this));  // gives back what this held
        m_bytes = other.m_bytes;
        other.m_bytes = 0.0;
    }
    return *this;
}

MemoryReservation::~MemoryReservation() {
    if (m_bytes <= 0.0) return;
    {
        std::lock_guard lock(g_mutex);
        g_reserved -= m_bytes;
        if (g_reserved < 1.0) g_reserved = 0.0;  // rounding of the sums
    }
    g_released.notify_all();
}

MemoryReservation reserve_memory(double needed_bytes, const std::string& what, const std::string& fix) {
    std::unique_lock lock(g_mutex);
    for (;;) {
        // Asked afresh each time: what other runs already allocated is gone from it, so counting their reservations
        // as well errs on the side of waiting.
        const std::optional<double> available = available_memory_bytes();
        if (!available || needed_bytes + g_reserved <= *available) {
            g_reserved += needed_bytes;
            return MemoryReservation(needed_bytes);
        }
        if (g_reserved <= 0.0)
            throw InputError(fmt::format("{} needs about {:.2f} GB of memory, but only {:.2f} GB is available on this "
                                         "machine; {} (or set ACCESSPLAN_MEMORY_GB to override the available figure)",
                                         what, needed_bytes / 1e9, *available / 1e9, fix));
        g_released.wait_for(lock, std::chrono::milliseconds(200));  // and stop waiting on Ctrl-C
        throw_if_interrupted();
    }
}

void MemoryReservation::grow(double more_bytes, const std::string& what, const std::string& fix) {
    std::unique_lock lock(g_mutex);
    for (;;) {
        const std::optional<double> available = available_memory_bytes();
        if (!available || more_bytes + g_reserved <= *available) {
            g_reserved += more_bytes;
            m_bytes += more_bytes;
            return;
        }
        if (g_reserved - m_bytes <= 0.0)  // nobody else to wait for
            throw InputError(fmt::format("{} needs about {:.2f} GB of memory more, but only {:.2f} GB is available on this "
                                         "machine beside the {:.2f} GB the run holds; {} (or set ACCESSPLAN_MEMORY_GB to "
                                         "override the available figure)",
                                         what, more_bytes / 1e9, (*available - g_reserved) / 1e9, m_bytes / 1e9, fix));
        g_released.wait_for(lock, std::chrono::milliseconds(200));
        throw_if_interrupted();
    }
}

void TransientMemory::at_least(double need, const std::string& what, const std::string& fix) {
    if (need <= m_counted) return;
    if (m_reservation != nullptr) m_reservation->grow(need - m_counted, what, fix);
    m_counted = need;
}

double reserved_memory_bytes() {
    std::lock_guard lock(g_mutex);
    return g_reserved;
}

}  // namespace accessplan
