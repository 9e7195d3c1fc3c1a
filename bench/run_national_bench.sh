#!/usr/bin/env bash
# All of Vietnam at 100 m on one machine (issue 20): the scenario is built from ../shared/data/vietnam as a user would
# (WorldPop 2020 1 km, the DCW Vietnam polygon as the study area, the WDBII border, the 708 HDX district points as
# facilities with a `type` column added, a uniform land cover, one motorbike service of 60 minutes, the 63 provinces
# of geoBoundaries ADM1 as zones: the report's table by province, travel.search: study_area), run RUNS times with
# `accessplan run` (this machine's wall times vary by half from run to run: every one is shown, the stage table is the
# median run's), then once with the whole grid searched (no travel.search: every cell of the sea and the neighbouring
# countries gets its time) and once with malloc kept to 4 KB pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=0: what the
# tool's restart with huge pages saves), and the wall times, peak memory (the process's maximum resident set) and
# stage table written to the "national" section of bench/RESULTS.md.
# Usage: bash bench/run_national_bench.sh [THREADS] [RUNS]   (defaults: every core, 3; ACCESSPLAN_SHARED_DATA: the
# data folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-$(nproc)}"
runs="${2:-3}"
bench_name=run_national_bench.sh
source "$root/bench/vietnam_inputs.sh"
national_scenario "$work/national.yaml" - study_area
national_scenario "$work/national_whole.yaml"

# run_once NAME SCENARIO [ENV=VALUE...]: one run into $work/NAME, its /usr/bin/time figures in $work/NAME.time
run_once() {
  local name="$1" scenario="$2"; shift 2
  env "$@" OMP_NUM_THREADS="$threads" /usr/bin/time -v -o "$work/$name.time" \
    "$bin" run "$work/$scenario" --out "$work/$name" -q >"$work/$name.console" 2>&1 || {
    cat "$work/$name.console" >&2; exit 1; }
}
for i in $(seq 1 "$runs"); do run_once "run$i" national.yaml; echo "run $i of $runs done" >&2; done
run_once whole_grid national_whole.yaml
run_once small_pages national.yaml GLIBC_TUNABLES=glibc.malloc.hugetlb=0

/usr/bin/python3 - "$work" "$threads" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" "$runs" <<'PY' |
import datetime, glob, json, re, sys
work, threads, commit, cores, runs = sys.argv[1:6]

def measured(name):
    time_txt = open(f"{work}/{name}.time").read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", time_txt)
    wall_s = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    peak_gb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_txt).group(1)) * 1024 / 1e9
    run = json.load(open(f"{work}/{name}/run.json"))
    return {"wall": wall_s, "peak": peak_gb, "run": run}

done = [measured(f"run{i}") for i in range(1, int(runs) + 1)]
small = measured("small_pages")
whole = measured("whole_grid")
median = sorted(done, key=lambda m: m["wall"])[(len(done) - 1) // 2]
run = median["run"]
summary = json.load(open(f"{work}/run1/summary.json"))
grid = summary["grid"]
stages = sorted(run["stage_seconds"].items(), key=lambda kv: -kv[1])
peaks = run["memory"]["stage_peak_resident_gb"]
walls = ", ".join(f"{m['wall']:.1f} s" for m in done)
peak_list = ", ".join(f"{m['peak']:.2f}" for m in done)
wall_s, peak_gb = median["wall"], median["peak"]
rows = "\n".join(f"| {k} | {v:.1f} | {peaks.get(k, 0.0):.2f} |" for k, v in stages)
reserved = run["memory"]["reserved_gb"]
slow_small = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(small["run"]["stage_seconds"].items(), key=lambda kv: -kv[1])[:4])
section = f"""<!-- national:begin -->
## All of Vietnam at 100 m on one machine

Command: `bash bench/run_national_bench.sh {threads} {runs}` — {datetime.date.today()}, accessplan {commit}, {cores} cores,
{threads} thread(s). The scenario is built from `../shared/data/vietnam` by the script: WorldPop 2020 1 km, the DCW
Vietnam polygon as the study area, the WDBII border, the 708 HDX district points as facilities, `landcover: {{uniform:
40}}`, one motorbike service of 60 minutes, the geoBoundaries provinces as zones, `travel: {{search: study_area}}`;
{grid['cols']} x {grid['rows']} cells of 100 m. {runs} runs of `accessplan run`, outputs included, one after another;
the stage table is the median run's.

- Wall times {walls} (median {wall_s:.1f} s); peak resident memory {peak_list} GB (`/usr/bin/time -v`); the memory
  guard reserved {reserved:.2f} GB ({reserved / peak_gb:.2f}x the median run's peak). Huge pages: {run["memory"]["huge_pages"]}.
- Once more with the whole grid searched (no `travel.search`: the sea and the neighbouring countries, three quarters
  of the grid, get their times too; every figure the same): {whole["wall"]:.1f} s, {whole["peak"]:.2f} GB; travel time
  {whole["run"]["stage_seconds"]["travel time"]:.1f} s (with `search: study_area` in the median run:
  {run["stage_seconds"]["travel time"]:.1f} s, the search stopped at {summary["travel"]["searched_to_min"]["district_centre"]:.0f} min,
  the study area's farthest cell).
- Once more with malloc kept to 4 KB pages (`GLIBC_TUNABLES=glibc.malloc.hugetlb=0`, huge pages:
  {small["run"]["memory"]["huge_pages"]}): {small["wall"]:.1f} s, {small["peak"]:.2f} GB; its slowest stages: {slow_small}.

| stage (run.json) | seconds | peak resident memory when it ended (GB) |
|---|---|---|
{rows}
<!-- national:end -->"""
sys.stdout.write(section)
PY
  /usr/bin/python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" national
echo "wrote $root/bench/RESULTS.md" >&2
