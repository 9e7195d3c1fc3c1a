#!/usr/bin/env bash
# Quick start 2: install what accessplan needs (Debian 12), build it, and run the whole test suite with ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/setup-debian.sh"
bash "$root/tools/build.sh"
cd "${ACCESSPLAN_BUILD_DIR:-$root/build}"
exec ctest --output-on-failure -j "$(nproc)" --timeout 900
