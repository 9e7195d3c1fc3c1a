#!/usr/bin/env bash
# Travel-time benchmark: accessplan's solver vs GRASS GIS r.cost -k (the solver WHO AccessMod uses) on the same random
# friction surfaces (100 m cells, off-road patches, lakes, roads) and sources, one thread, 16 neighbours.
# Installs grass-core from Debian, builds accessplan, runs every case, and rewrites the travel-time section of
# bench/RESULTS.md. Usage: bash bench/run_traveltime_bench.sh [SIZE:SOURCES ...]   (default: 2000:100 2000:900
# 6000:100 6000:900)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cases=("$@")
((${#cases[@]})) || cases=(2000:100 2000:900 6000:100 6000:900)

bash "$root/tools/setup-debian.sh"
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
if ! command -v grass >/dev/null || ! command -v bc >/dev/null; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends grass-core bc >/dev/null
fi
bash "$root/tools/build.sh" >/dev/null
bench="${ACCESSPLAN_BUILD_DIR:-$root/build}/bench/traveltime_bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/grass_import.sh" <<'JOB'
set -e
r.in.gdal --quiet input=friction_per_cell.tif output=f --overwrite
r.in.gdal --quiet input=sources.tif output=s --overwrite
g.region raster=f
JOB
cat > "$work/grass_cost.sh" <<'JOB'
set -e
start=$(date +%s.%N)
r.cost -k --quiet input=f output=c start_raster=s memory=12000 --overwrite
end=$(date +%s.%N)
echo "grass_seconds=$(echo "$end - $start" | bc)"
JOB
cat > "$work/grass_export.sh" <<'JOB'
set -e
r.out.gdal --quiet -c input=c output=grass.tif type=Float64 nodata=-9999 --overwrite
JOB

# Runs per tool and case (interleaved: ours, GRASS, ours, GRASS, ...), so that a slow spell of the machine hits both.
repeats="${ACCESSPLAN_BENCH_REPEATS:-5}"
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
range() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.3g–%.3g", lo, hi}'; }

rows=""
for c in "${cases[@]}"; do
  size="${c%%:*}"; sources="${c##*:}"
  dir="$work/case_${size}_${sources}"
  echo "== ${size}x${size} cells, ${sources} sources" >&2
  "$bench" generate --size "$size" --sources "$sources" --out "$dir" >&2
  (cd "$dir" && grass -c friction_per_cell.tif -e "$dir/grassdb/loc" >/dev/null 2>&1)
  (cd "$dir" && grass "$dir/grassdb/loc/PERMANENT" --exec bash "$work/grass_import.sh" >/dev/null 2>&1)
  ours_times=""; grass_times=""; bpc=""
  for r in $(seq "$repeats"); do
    ours="$("$bench" solve "$dir" --repeat 1)"
    echo "run $r: $ours" >&2
    ours_times+="$(sed -n 's/.*accessplan_seconds=\([0-9.]*\).*/\1/p' <<<"$ours")"$'\n'
    bpc=$(sed -n 's/.*bytes_per_cell=\([0-9.]*\).*/\1/p' <<<"$ours")
    grass_out="$(cd "$dir" && grass "$dir/grassdb/loc/PERMANENT" --exec bash "$work/grass_cost.sh" 2>/dev/null | grep grass_seconds)"
    echo "run $r: $grass_out" >&2
    grass_times+="$(sed -n 's/.*grass_seconds=\([0-9.]*\).*/\1/p' <<<"$grass_out")"$'\n'
  done
  (cd "$dir" && grass "$dir/grassdb/loc/PERMANENT" --exec bash "$work/grass_export.sh" >/dev/null 2>&1)
  cmp="$("$bench" compare "$dir" || true)"
  echo "$cmp" >&2
  a=$(grep . <<<"$ours_times" | median); g=$(grep . <<<"$grass_times" | median)
  ar=$(grep . <<<"$ours_times" | range); gr=$(grep . <<<"$grass_times" | range)
  within=$(sed -n 's/.*within_0.5pct=\([0-9.]*%\).*/\1/p' <<<"$cmp")
  maxd=$(sed -n 's/.*max_rel_diff=\([0-9.]*%\).*/\1/p' <<<"$cmp")
  onlyo=$(sed -n 's/.*reachable_only_ours=\([0-9]*\).*/\1/p' <<<"$cmp")
  onlyg=$(sed -n 's/.*reachable_only_grass=\([0-9]*\).*/\1/p' <<<"$cmp")
  ratio=$(echo "scale=1; $g / $a" | bc)
  rows+="| ${size}×${size} | ${sources} | $(printf '%.2f' "$g") (${gr}) | $(printf '%.3f' "$a") (${ar}) | **${ratio}×** | ${within} | ${maxd} | ${onlyo} / ${onlyg} | ${bpc} |"$'\n'
done

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
section="<!-- traveltime:begin -->
## Travel time vs GRASS \`r.cost -k\`

Command: \`bash bench/run_traveltime_bench.sh ${cases[*]}\` — $(date -u +%Y-%m-%d), accessplan $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown),
GRASS $(grass --version 2>&1 | sed -n 's/^GRASS GIS \([0-9.]*\).*/\1/p' | head -1), machine: ${cpu:-unknown CPU}, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB.
Random friction surfaces at 100 m (off-road patches 1.5–5 km/h, impassable lakes, roads at 30–60 km/h), the same
sources for both; one thread, 16 neighbours (knight's moves). GRASS gets the same friction as minutes per cell (its
moves are in cell units). Each tool ran ${repeats} times per case, interleaved (ours, GRASS, ours, ...); the table
gives the median (and the range) of the solve alone: \`r.cost\` for GRASS, import/export excluded; the solver for
us, reading/writing excluded. Speed-up = median / median. Memory: the friction grid plus everything the solve added
to the process's peak (RSS), per cell.

| grid | sources | GRASS r.cost -k (s) | accessplan (s) | speed-up | cells within 0.5% | max difference | reachable only in ours / GRASS | bytes per cell |
|---|---|---|---|---|---|---|---|---|
${rows}
<!-- traveltime:end -->"

results="$root/bench/RESULTS.md"
python3 "$root/bench/replace_section.py" "$results" traveltime <<<"$section"
echo "wrote $results" >&2
