#!/usr/bin/env bash
# Stage timings of `accessplan demo` (travel time vs access metrics), median of N runs, written to the demo section
# of bench/RESULTS.md. Usage: bash bench/run_demo_bench.sh [RUNS]   (default 3)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
bash "$root/tools/setup-debian.sh"
bash "$root/tools/build.sh" >/dev/null
bin="${ACCESSPLAN_BUILD_DIR:-$root/build}/tools/accessplan"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for i in $(seq "$runs"); do
  "$bin" demo -q --overwrite --out "$work/run$i" >/dev/null
done
python3 - "$root/bench/RESULTS.md" "$work" "$runs" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" <<'PY' | python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" demo
import json, re, statistics, sys, datetime
path, work, runs, commit, cores = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
stages = {}
for i in range(1, runs + 1):
    for k, v in json.load(open(f"{work}/run{i}/results/baseline/run.json"))["stage_seconds"].items():
        stages.setdefault(k, []).append(v)
rows = "\n".join(f"| {k} | {statistics.median(v):.2f} |" for k, v in stages.items())
med = {k: statistics.median(v) for k, v in stages.items()}
metrics = sum(v for k, v in med.items() if k.startswith("access metrics"))
full = med["travel time"]
catch = sum(v for k, v in med.items() if k.startswith("travel time:"))
children = med.get("population: children per target group", 0.0)
visual = med.get("maps, styles and report", 0.0)
total = sum(med.values())
cmp = lambda a, b: "less" if a < b else "more"
section = f"""<!-- demo:begin -->
## Demo province: travel time vs access metrics

Command: `bash bench/run_demo_bench.sh {runs}` — {datetime.date.today()}, accessplan {commit}, {cores} cores (both used).
Median over {runs} runs of `accessplan demo` (741 x 856 cells of 100 m, 5 services, 172 communes, 691 facilities);
seconds per stage as recorded in each run's run.json.

| stage | seconds |
|---|---|
{rows}

- Travel time: {full:.2f} s for the nearest-facility grids of the 5 services (one multi-source search each), plus
  {catch:.2f} s for the bounded search of every facility's own catchment (one per facility: E2SFCA and capacity
  coverage share them) — {full + catch:.2f} s in all.
- Access metrics for the 5 services (summaries by area class and band, gap clusters, zonal statistics, capacity
  coverage, E2SFCA sums): {metrics:.2f} s, {cmp(metrics, full)} than the nearest-facility travel-time step alone
  ({full:.2f} s) and {cmp(metrics, full + catch)} than all travel-time work ({full + catch:.2f} s).
- Children per target group (reading the age/sex rasters and resampling them onto the grid, input preparation):
  {children:.2f} s.
- Maps (a PNG per service and the PDF), QGIS styles and report.html: {visual:.2f} s of the {total:.2f} s of all
  stages ({100 * visual / total:.0f}%).
<!-- demo:end -->"""
sys.stdout.write(section)
PY
echo "wrote $root/bench/RESULTS.md" >&2
