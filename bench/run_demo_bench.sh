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
python3 - "$root/bench/RESULTS.md" "$work" "$runs" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" <<'PY'
import json, re, statistics, sys, datetime
path, work, runs, commit, cores = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
stages = {}
for i in range(1, runs + 1):
    for k, v in json.load(open(f"{work}/run{i}/run.json"))["stage_seconds"].items():
        stages.setdefault(k, []).append(v)
rows = "\n".join(f"| {k} | {statistics.median(v):.2f} |" for k, v in stages.items())
metrics = sum(statistics.median(v) for k, v in stages.items() if k.startswith("access metrics"))
core = sum(statistics.median(v) for k, v in stages.items()
           if k.startswith("access metrics") and ("summaries" in k or "gap clusters" in k))
tt = statistics.median(stages["travel time"])
section = f"""<!-- demo:begin -->
## Demo province: travel time vs access metrics

Command: `bash bench/run_demo_bench.sh {runs}` — {datetime.date.today()}, accessplan {commit}, {cores} cores (both used).
Median over {runs} runs of `accessplan demo` (741 x 856 cells of 100 m, 5 services, 172 communes, 691 facilities);
seconds per stage as recorded in each run's run.json.

| stage | seconds |
|---|---|
{rows}

Travel time for the 5 services: {tt:.2f} s. Summaries by area class, bands, gap clusters and zonal statistics: {core:.2f} s
({'less' if core < tt else 'more'} than the travel-time step). All access metrics together, including children per
target group (age/sex bands resampled onto the grid), E2SFCA and capacity coverage (one bounded search per facility):
{metrics:.2f} s, which is more than the travel-time step.
<!-- demo:end -->"""
text = open(path, encoding="utf-8").read()
pat = re.compile(r"<!-- demo:begin -->.*?<!-- demo:end -->", re.S)
text = pat.sub(lambda m: section, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
echo "wrote $root/bench/RESULTS.md" >&2
