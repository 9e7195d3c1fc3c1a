#pragma once
// The memory guard (like GRASS r.cost -i): estimate what a run holds at once and refuse, with the figures, a run that
// would not fit, instead of being killed by the operating system halfway.

#include <cstddef>
#include <optional>
#include <string>

namespace accessplan {

/// Bytes this process may still use: MemAvailable from /proc/meminfo, lowered to the cgroup (container) limit minus
/// its current use when there is one. ACCESSPLAN_MEMORY_GB, when set, is used instead (a decimal number of GB).
/// nullopt when neither can be read.
std::optional<double> available_memory_bytes();

/// InputError when `needed_bytes` is more than what is available, naming `what`, both figures in GB and `fix`.
void require_memory(double needed_bytes, const std::string& what, const std::string& fix);

}  // namespace accessplan
