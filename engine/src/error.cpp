#include "accessplan/engine/error.hpp"

#include <atomic>

namespace accessplan {
namespace {
std::atomic<bool> g_interrupt{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the interrupt flag is set from a signal handler");
}  // namespace

int exit_code_for(const Error& error) noexcept {
    if (dynamic_cast<const InputError*>(&error) != nullptr) return 3;
    if (dynamic_cast<const Interrupted*>(&error) != nullptr) return 130;
    return 1;
}

void request_interrupt() noexcept { g_interrupt.store(true); }

bool interrupt_requested() noexcept { return g_interrupt.load(); }

void throw_if_interrupted() {
    if (interrupt_requested())
        throw Interrupted("interrupted: stopped before writing anything; earlier outputs are as they were");
}

}  // namespace accessplan

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ACCESSPLAN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(ACCESSPLAN_ASAN)
// LeakSanitizer in sanitized builds (ACCESSPLAN_SANITIZE, ACCESSPLAN_FUZZ): fontconfig, which Cairo uses to find the
// maps' font, keeps its configuration for the life of the process and never frees it. Not our leak; everything else
// is still reported. (This object is in every accessplan program, so the suppression reaches them all.)
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
#endif
