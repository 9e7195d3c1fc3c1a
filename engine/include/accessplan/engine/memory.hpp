#pragma once
// The memory guard (like GRASS r.cost -i): estimate what a run holds at once and refuse, with the figures, a run that
// would not fit, instead of being killed by the operating system halfway. Runs side by side in one process wait for
// each other rather than all starting on the same free memory.

#include <cstddef>
#include <optional>
#include <string>

namespace accessplan {

/// Bytes this process may still use: MemAvailable from /proc/meminfo, lowered to the cgroup (container) limit minus
/// its current use when there is one. ACCESSPLAN_MEMORY_GB, when set, is used instead (a decimal number of GB).
/// nullopt when neither can be read.
std::optional<double> available_memory_bytes();

/// The most this process has held in memory so far (VmHWM: peak resident set), in bytes; nullopt when it cannot be
/// read (not Linux).
std::optional<double> peak_resident_bytes();

/// Which large blocks the kernel backs with transparent huge pages (2 MB) in this process: "always" (the kernel's
/// setting), "large blocks" (the kernel's "madvise" setting, and malloc asks for every large block: GLIBC_TUNABLES
/// holds glibc.malloc.hugetlb=1 or 2, as the command-line tool sets it when it starts), "grids only" (madvise, and
/// only the grids ask: engine/grid.hpp), "never", or "unknown" (the setting cannot be read).
std::string huge_pages_in_use();

/// Memory granted to a run by reserve_memory; given back when the reservation is destroyed (when the run ends).
class MemoryReservation {
public:
    MemoryReservation() = default;
    MemoryReservation(MemoryReservation&& other) noexcept;
    MemoryReservation& operator=(MemoryReservation&& other) noexcept;
    MemoryReservation(const MemoryReservation&) = delete;
    MemoryReservation& operator=(const MemoryReservation&) = delete;
    ~MemoryReservation();

    double bytes() const noexcept { return m_bytes; }

    /// Adds `more_bytes` to this grant, as reserve_memory would grant them: waits while other runs hold memory, and
    /// with none throws InputError naming `what` and `fix`. For what a run learns it needs on the way (road networks).
    void grow(double more_bytes, const std::string& what, const std::string& fix);

private:
    friend MemoryReservation reserve_memory(double, const std::string&, const std::string&);
    explicit MemoryReservation(double bytes) noexcept : m_bytes(bytes) {}
    double m_bytes = 0.0;
};

/// What the program holds before a run allocates anything: its code, GDAL, PROJ and their tables (67 MB measured
/// on Debian 12 at the start of a run), counted in every run's reservation.
inline constexpr double program_bytes = 80e6;

/// A run's memory that lives only within a stage (catchments, a ranking's reaches), counted at its largest: `need`
/// is what the stage holds now, and the reservation grows only by what exceeds the most counted before.
class TransientMemory {
public:
    /// `counted`: passing memory of this size already reserved (an earlier stage's).
    explicit TransientMemory(MemoryReservation* reservation, double counted = 0.0)
        : m_reservation(reservation), m_counted(counted) {}
    void at_least(double need, const std::string& what, const std::string& fix);
    double counted() const noexcept { return m_counted; }

private:
    MemoryReservation* m_reservation;
    double m_counted = 0.0;
};

/// The memory guard of the runs of this process (a batch runs scenarios side by side). Grants `needed_bytes` when it
/// fits in what is available beside the reservations other runs hold; when it does not, waits for those runs to end
/// and asks again; with no other run holding memory, throws InputError naming `what`, both figures in GB and `fix`.
/// Granted when the available figure cannot be read.
[[nodiscard]] MemoryReservation reserve_memory(double needed_bytes, const std::string& what, const std::string& fix);

/// Bytes the live reservations of this process hold.
double reserved_memory_bytes();

}  // namespace accessplan
