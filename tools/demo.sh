#!/usr/bin/env bash
# Quick start 1: install what accessplan needs (Debian 12), build it, and run the demo province.
# Usage: bash tools/demo.sh [OUT_DIR]   (default: accessplan-demo in the current folder: OUT_DIR/inputs, OUT_DIR/scenarios,
#   OUT_DIR/results/baseline; an earlier demo there is replaced, unless a file in it was added or changed by hand)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-accessplan-demo}"
bash "$root/tools/setup-debian.sh"
bash "$root/tools/build.sh"
exec "${ACCESSPLAN_BUILD_DIR:-$root/build}/tools/accessplan" demo --out "$out" --overwrite
