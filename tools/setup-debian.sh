#!/usr/bin/env bash
# Installs every Debian 12 package that accessplan's build, demo and tests need (with --fuzz, also clang for
# bench/run_fuzz.sh; with --bench, also CBC for bench/run_exact_bench.sh).
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache   # ccache: rebuilds (and other checkouts) reuse objects
  libgdal-dev gdal-bin libgeos-dev libproj-dev proj-bin
  libboost-dev catch2 libcli11-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev
  libglpk-dev coinor-libcbc-dev libssl-dev zlib1g-dev   # the exact ranking: CBC (default) and GLPK
  libcairo2-dev fonts-dejavu-core   # maps (PNG/SVG/PDF); DejaVu has the Vietnamese letters
  libcpp-httplib-dev                # accessplan serve: the what-if app's HTTP server (and the API tests' client)
  python3-gdal python3-pytest       # GDAL's own COG validation in the tests
  python3-qgis                      # the tests open the styled outputs in QGIS (headless)
  pybind11-dev python3-dev python3-numpy python3-pandas   # the Python module (tools/python)
  python3-nbclient python3-nbformat python3-ipykernel python3-matplotlib python3-yaml   # the notebooks and their test
  python3-networkx                  # the street-network walking test builds its own graph of the OSM ways (issue 22)
  python3-distributed               # python3 -m accessplan.dask: scenarios as tasks on a Dask cluster (docs/distributed.md)
  chromium                          # the report's browser test (driven by playwright-core from npm)
)
# Node.js with npm (any recent one on the machine will do; else Debian's) for the browser test's npm packages.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

# bench/run_fuzz.sh: clang with libFuzzer and its OpenMP runtime (only with --fuzz).
if [[ "${1:-}" == "--fuzz" ]]; then packages+=(clang libclang-rt-14-dev libomp-14-dev); fi
# bench/run_exact_bench.sh: CBC, measured against GLPK on the same integer programs (only with --bench).
if [[ "${1:-}" == "--bench" ]]; then packages+=(coinor-cbc bc); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} Debian packages already installed" >&2
else
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core from the npm registry (pinned in tests/browser/package-lock.json) drives Debian's chromium in the
# report's browser test; it installs into tests/browser/node_modules.
browser_tests="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && pwd)"
if [[ ! -d "$browser_tests/node_modules/playwright-core" ]]; then
  echo "setup: npm ci in tests/browser (playwright-core)" >&2
  (cd "$browser_tests" && npm ci --no-audit --no-fund --loglevel=error)
fi
