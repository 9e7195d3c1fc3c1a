#!/usr/bin/env bash
# The whole test suite built with AddressSanitizer and UndefinedBehaviorSanitizer (ACCESSPLAN_SANITIZE=ON), for a
# nightly job: about 50 minutes on two cores (bench/RESULTS.md), longer than CI's budget. Installs (Debian 12), builds into build-asan/
# (RelWithDebInfo; no benchmarks; no Python module, which cannot load into Debian's non-sanitized Python) and runs
# ctest there. Any sanitizer report fails its test. Extra arguments go to ctest, e.g. -R "bad input".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ACCESSPLAN_BUILD_DIR:-$root/build-asan}"
bash "$root/tools/setup-debian.sh"
ACCESSPLAN_BUILD_DIR="$build" CMAKE_BUILD_TYPE=RelWithDebInfo bash "$root/tools/build.sh" -DACCESSPLAN_SANITIZE=ON \
  -DACCESSPLAN_BUILD_BENCHMARKS=OFF
# Undefined-behaviour reports stop the program (-fno-sanitize-recover); with a stack trace here.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
exec ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 1800 "$@"
