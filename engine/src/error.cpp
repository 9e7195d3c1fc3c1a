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
