#include "accessplan/engine/error.hpp"

namespace accessplan {

int exit_code_for(const Error& error) noexcept {
    if (dynamic_cast<const InputError*>(&error) != nullptr) return 3;
    return 1;
}

}  // namespace accessplan
