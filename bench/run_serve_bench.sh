#!/usr/bin/env bash
# The what-if app (`accessplan serve`) on the demo province: single-facility what-ifs end to end against
# `accessplan run` of the same scenario file, and a bounded load test on loopback (bench/serve_bench.py), written to
# the serve section of bench/RESULTS.md. Usage: bash bench/run_serve_bench.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-20}"
bash "$root/tools/setup-debian.sh"
bash "$root/tools/build.sh" >/dev/null
bin="${ACCESSPLAN_BUILD_DIR:-$root/build}/tools/accessplan"
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$bin" demo -q --out "$work/demo" >/dev/null
"$bin" serve "$work/demo/scenarios/baseline.yaml" --port 0 > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
until grep -q "ready at" "$work/serve.out" 2>/dev/null; do
  kill -0 "$pid" || { cat "$work/serve.err"; exit 1; }
  sleep 0.2
done
url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$work/serve.out")"
/usr/bin/python3 "$root/bench/serve_bench.py" "$url" "$pid" "$bin" "$work" "$runs" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" \
  > "$work/section.md"
python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" serve < "$work/section.md"
cat "$work/section.md"
