#pragma once
// Skipped, not passed: a test that cannot run here (the shared real data is absent) must show as "Skipped" in ctest,
// not as a pass. Catch2 2.13 has no SKIP, so under ctest such a test ends its process with a skip exit code that
// ctest knows (SKIP_RETURN_CODE, tests/CMakeLists.txt); ctest runs each case in its own process, so exiting is safe.

#include <string>

namespace accessplan::test {

/// The exit code that means "skipped": ACCESSPLAN_TEST_SKIP_CODE, which ctest sets for every test (77, the
/// automake/meson convention); 0 when the variable is absent (the test binary run by hand).
int skip_exit_code();

/// Prints `message` and, under ctest, ends the process with skip_exit_code() after flushing. Run by hand (the whole
/// binary in one process) it only records a warning and returns: the caller then returns from its test case, and
/// the other cases still run.
void skip_test(const std::string& message);

}  // namespace accessplan::test
