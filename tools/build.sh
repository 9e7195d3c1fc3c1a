#!/usr/bin/env bash
# Configures and builds accessplan (Release, Ninja) into build/. Extra arguments go to cmake's configure step,
# e.g. tools/build.sh -DACCESSPLAN_SANITIZE=ON.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ACCESSPLAN_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
