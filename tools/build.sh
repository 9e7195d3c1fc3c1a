#!/usr/bin/env bash
# Configures and builds accessplan (Release, Ninja) into build/. Extra arguments go to cmake's configure step,
# e.g. tools/build.sh -DACCESSPLAN_SANITIZE=ON.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ACCESSPLAN_BUILD_DIR:-$root/build}"
launcher=()
# ccache (when installed) lets a rebuild, or another checkout of the same sources, reuse compiled objects.
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}" CCACHE_NOHASHDIR=1
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
