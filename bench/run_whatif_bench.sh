#!/usr/bin/env bash
# What-if speed on the demo province: each shipped what-if run after the baseline in one batch (it takes over the
# baseline's inputs, friction, children and searches: scenarios::RunCache) against the same file run on its own.
# Median of N runs, written to the what-if section of bench/RESULTS.md. Usage: bash bench/run_whatif_bench.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
bash "$root/tools/setup-debian.sh"
bash "$root/tools/build.sh" >/dev/null
bin="${ACCESSPLAN_BUILD_DIR:-$root/build}/tools/accessplan"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" demo -q --out "$work/demo" >/dev/null
whatifs="new_ferry close_small_school pool_programme"
for i in $(seq "$runs"); do
  for w in $whatifs; do
    # Batch: the baseline first (all threads), then the what-if (all threads).
    "$bin" run -q "$work/demo/scenarios/baseline.yaml" "$work/demo/scenarios/$w.yaml" --out "$work/batch_${w}_$i" >/dev/null
    start=$(date +%s.%N)
    "$bin" run -q "$work/demo/scenarios/$w.yaml" --out "$work/alone_${w}_$i" >/dev/null
    end=$(date +%s.%N)
    echo "$w $i $(echo "$end - $start" | bc)" >> "$work/wall.txt"
  done
done
python3 - "$work" "$runs" "$whatifs" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" <<'PY' | python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" whatif
import json, statistics, sys, datetime
work, runs, whatifs, commit, cores = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4], sys.argv[5]
wall = {}
for line in open(f"{work}/wall.txt"):
    w, i, s = line.split()
    wall.setdefault(w, []).append(float(s))
def seconds(path):
    return sum(json.load(open(path))["stage_seconds"].values())
rows = []
for w in whatifs:
    reused = statistics.median(seconds(f"{work}/batch_{w}_{i}/{w}/run.json") for i in range(1, runs + 1))
    alone = statistics.median(seconds(f"{work}/alone_{w}_{i}/run.json") for i in range(1, runs + 1))
    stages = {}
    for i in range(1, runs + 1):
        for k, v in json.load(open(f"{work}/batch_{w}_{i}/{w}/run.json"))["stage_seconds"].items():
            stages.setdefault(k, []).append(v)
    top = sorted(((statistics.median(v), k) for k, v in stages.items()), reverse=True)[:3]
    rows.append(f"| {w} | {reused:.2f} | {alone:.2f} | {statistics.median(wall[w]):.2f} | "
                + "; ".join(f"{k} {s:.2f}" for s, k in top) + " |")
section = f"""<!-- whatif:begin -->
## What-ifs reusing the baseline

Command: `bash bench/run_whatif_bench.sh {runs}` — {datetime.date.today()}, accessplan {commit}, {cores} cores.
Demo province (741 x 856 cells of 100 m, 5 services). "Reusing": the what-if run after `baseline.yaml` in one batch
(`accessplan run baseline.yaml WHATIF.yaml`), taking over its grids, friction, children, travel times (updated where
the change reaches) and catchments (searched again only where a new ferry starts inside them); its run time is the
sum of its run.json stage times. "On its own": the same file run alone, the same sum, and the wall-clock time of the
whole command (process start, scenario loading, writing). Outputs are identical either way (tested:
tests/integration/test_whatif.cpp). Medians of {runs} runs.

| what-if | reusing the baseline (s) | on its own (s) | on its own, wall-clock (s) | largest stages when reusing (s) |
|---|---|---|---|---|
{chr(10).join(rows)}
<!-- whatif:end -->"""
sys.stdout.write(section)
PY
echo "wrote $root/bench/RESULTS.md" >&2
