#include "support/skip.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace accessplan::test {

int skip_exit_code() {
    const char* code = std::getenv("ACCESSPLAN_TEST_SKIP_CODE");
    if (code == nullptr) return 0;
    const int value = std::atoi(code);
    return value > 0 && value < 256 ? value : 0;
}

void skip_test(const std::string& message) {
    if (const int code = skip_exit_code(); code != 0) {
        std::cout << "SKIPPED: " << message << std::endl;
        std::fflush(nullptr);
        std::exit(code);
    }
    WARN("skipped: " << message);
}

}  // namespace accessplan::test
