#!/usr/bin/env bash
# One travel-time search on 1 thread and on every core (issue 20): the same random friction surfaces as
# run_traveltime_bench.sh (100 m cells, off-road patches, lakes, roads), best of 2 solves each, and the two outputs
# compared byte for byte. Rewrites the "parallel search" section of bench/RESULTS.md.
# Usage: bash bench/run_parallel_search_bench.sh [SIZE:SOURCES ...]   (default: 2000:100 6000:100 6000:900)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cases=("$@")
((${#cases[@]})) || cases=(2000:100 6000:100 6000:900)
bash "$root/tools/setup-debian.sh"
bash "$root/tools/build.sh" >/dev/null
bench="${ACCESSPLAN_BUILD_DIR:-$root/build}/bench/traveltime_bench"
cores="$(nproc)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rows=""
for c in "${cases[@]}"; do
  size="${c%%:*}" sources="${c##*:}" dir="$work/$c"
  "$bench" generate --size "$size" --sources "$sources" --out "$dir" >/dev/null
  one=$("$bench" solve "$dir" --repeat 2 --threads 1 --out one.tif | sed -n 's/.*accessplan_seconds=\([0-9.]*\).*/\1/p')
  all=$("$bench" solve "$dir" --repeat 2 --threads "$cores" --out all.tif | sed -n 's/.*accessplan_seconds=\([0-9.]*\).*/\1/p')
  same=$(cmp -s "$dir/one.tif" "$dir/all.tif" && echo yes || echo NO)
  rows+="| ${size} x ${size} | ${sources} | ${one} | ${all} | $(/usr/bin/python3 -c "print(f'{$one / $all:.2f}')") | ${same} |"$'\n'
done

/usr/bin/python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" parallel <<EOF
<!-- parallel:begin -->
## One search on every core

Command: \`bash bench/run_parallel_search_bench.sh ${cases[*]}\` — $(date +%F), accessplan $(git -C "$root" rev-parse --short HEAD),
${cores} cores. One multi-source search (16 neighbours) on the random surfaces of the travel-time benchmark, best of 2
solves, on 1 thread and on ${cores}; "identical" compares the two GeoTIFFs of travel times byte for byte.

| grid | sources | 1 thread (s) | ${cores} threads (s) | speed-up | identical |
|---|---|---|---|---|---|
${rows%$'\n'}
<!-- parallel:end -->
EOF
echo "wrote $root/bench/RESULTS.md" >&2
