#!/usr/bin/env bash
# All of Vietnam at 100 m on one machine (issue 20): the scenario is built from ../shared/data/vietnam as a user would
# (WorldPop 2020 1 km, the DCW Vietnam polygon as the study area, the WDBII border, the 708 HDX district points as
# facilities with a `type` column added, a uniform land cover, one motorbike service of 60 minutes, the 63 provinces
# of geoBoundaries ADM1 as zones: the report's table by province), run once with
# `accessplan run`, and its wall time, peak memory (the process's maximum resident set) and stage table written to the
# "national" section of bench/RESULTS.md.
# Usage: bash bench/run_national_bench.sh [THREADS]   (default: every core; ACCESSPLAN_SHARED_DATA: the data folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-$(nproc)}"
bench_name=run_national_bench.sh
source "$root/bench/vietnam_inputs.sh"
national_scenario "$work/national.yaml"

OMP_NUM_THREADS="$threads" /usr/bin/time -v -o "$work/time.txt" \
  "$bin" run "$work/national.yaml" --out "$work/out" -q >"$work/console.txt" 2>&1 || {
  cat "$work/console.txt" >&2; exit 1; }

/usr/bin/python3 - "$work" "$threads" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" <<'PY' |
import datetime, glob, json, re, sys
work, threads, commit, cores = sys.argv[1:5]
time_txt = open(f"{work}/time.txt").read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", time_txt)
wall_s = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
peak_gb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_txt).group(1)) * 1024 / 1e9
run = json.load(open(glob.glob(f"{work}/out/**/run.json", recursive=True)[0]))
summary = json.load(open(glob.glob(f"{work}/out/**/summary.json", recursive=True)[0]))
grid = summary["grid"]
stages = sorted(run["stage_seconds"].items(), key=lambda kv: -kv[1])
peaks = run["memory"]["stage_peak_resident_gb"]
rows = "\n".join(f"| {k} | {v:.1f} | {peaks.get(k, 0.0):.2f} |" for k, v in stages)
reserved = run["memory"]["reserved_gb"]
section = f"""<!-- national:begin -->
## All of Vietnam at 100 m on one machine

Command: `bash bench/run_national_bench.sh {threads}` — {datetime.date.today()}, accessplan {commit}, {cores} cores,
{threads} thread(s). The scenario is built from `../shared/data/vietnam` by the script: WorldPop 2020 1 km, the DCW
Vietnam polygon as the study area, the WDBII border, the 708 HDX district points as facilities, `landcover: {{uniform:
40}}`, one motorbike service of 60 minutes, the geoBoundaries provinces as zones; {grid['cols']} x {grid['rows']} cells
of 100 m. One run of `accessplan run`, outputs included.

- Wall time {wall_s:.1f} s, peak resident memory {peak_gb:.2f} GB (`/usr/bin/time -v`); the memory guard reserved
  {reserved:.2f} GB ({reserved / peak_gb:.2f}x the peak).

| stage (run.json) | seconds | peak resident memory when it ended (GB) |
|---|---|---|
{rows}
<!-- national:end -->"""
sys.stdout.write(section)
PY
  /usr/bin/python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" national
echo "wrote $root/bench/RESULTS.md" >&2
