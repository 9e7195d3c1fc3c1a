#!/usr/bin/env bash
# The national run's travel times split into tiles on Dask (issue 20) against the whole run: the scenario of
# run_national_bench.sh (all of Vietnam at 100 m, 708 district centres by motorbike, no roads) with the GSHHG land
# polygons as travel.land (without them the sea is walkable land and times reach across it: the tiles then need the
# whole grid, bench/RESULTS.md), run once whole with
# `accessplan run` and once as `python3 -m accessplan.dask split` on a LocalCluster; wall time and the largest process's
# peak memory of each (`/usr/bin/time -v`: the whole run's process; for the split, the largest of the client, the
# scheduler and the workers), the tiles' tries, and a check that every cell of the mosaics equals the whole run's
# rasters, written to the "split" section of bench/RESULTS.md.
# Usage: bash bench/run_split_bench.sh [WORKERS] [TILE_CELLS] [HALO_KM]   (default: every core, 2000, 20)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workers="${1:-$(nproc)}"
tile_cells="${2:-2000}"
halo_km="${3:-20}"
bench_name=run_split_bench.sh
source "$root/bench/vietnam_inputs.sh"
national_scenario "$work/national.yaml" land

/usr/bin/time -v -o "$work/whole_time.txt" "$bin" run "$work/national.yaml" --out "$work/whole" -q >"$work/whole.txt" 2>&1 || {
  cat "$work/whole.txt" >&2; exit 1; }
PYTHONPATH="$build/python" /usr/bin/time -v -o "$work/split_time.txt" /usr/bin/python3 -m accessplan.dask split \
  "$work/national.yaml" --out "$work/split" --local "$workers" --tile-cells "$tile_cells" --halo-km "$halo_km" \
  >"$work/split.txt" 2>&1 || { cat "$work/split.txt" >&2; exit 1; }

/usr/bin/python3 - "$work" "$workers" "$tile_cells" "$halo_km" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" <<'PY' |
import datetime, json, re, sys
from osgeo import gdal
work, workers, tile_cells, halo_km, commit, cores = sys.argv[1:7]
def timed(name):
    text = open(f"{work}/{name}_time.txt").read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    return (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)),
            int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) * 1024 / 1e9)
whole_s, whole_gb = timed("whole")
split_s, split_gb = timed("split")
run = json.load(open(f"{work}/whole/run.json"))
travel_s = run["stage_seconds"].get("travel time", 0.0)
summary = json.load(open(f"{work}/split/split.json"))
tiles = summary["tiles"]
tries = sum(len(t["tries"]) for t in tiles)
again = sum(1 for t in tiles if len(t["tries"]) > 1)
largest = max(t["tries"][-1]["window"][2] * t["tries"][-1]["window"][3] for t in tiles)
task_s = sum(x["seconds"] for t in tiles for x in t["tries"])
by_components = sum(sum(t["tries"][-1].get("unreached_proved_by_components", {}).values()) for t in tiles)
differ = 0
for service in summary["services"]:
    for kind in ("travel_time", "nearest"):
        a = gdal.Open(f"{work}/split/{kind}_{service}.vrt").ReadAsArray()
        b = gdal.Open(f"{work}/whole/rasters/{kind}_{service}.tif").ReadAsArray()
        differ += int((a != b).sum())
g = summary["grid"]
section = f"""<!-- split:begin -->
## The national run's travel times in tiles on Dask

Command: `bash bench/run_split_bench.sh {workers} {tile_cells} {halo_km}` — {datetime.date.today()}, accessplan {commit},
{cores} cores. The scenario of "All of Vietnam at 100 m" ({g['cols']} x {g['rows']} cells) with the GSHHG land
polygons as `travel.land` (the sea impassable), run whole with
`accessplan run` (every stage, outputs included) and as `python3 -m accessplan.dask split --local {workers}
--tile-cells {tile_cells} --halo-km {halo_km}` (travel time and nearest facility only, one thread per worker).

| | wall (s) | largest process's peak memory (GB) |
|---|---|---|
| whole run, all stages | {whole_s:.1f} | {whole_gb:.2f} |
| (its travel-time stage) | {travel_s:.1f} | |
| split, {len(tiles)} tiles on {workers} worker(s) | {split_s:.1f} | {split_gb:.2f} |

- Tiles: {len(tiles)}; searches {tries} ({again} tile(s) searched again with a wider halo); the largest window searched
  {largest:,} cells; the tasks' own time, summed: {task_s:.1f} s. Unreached cells proved by the tiles' joined
  components (in each tile's last try): {by_components:,}.
- Cells of the mosaics differing from the whole run's `travel_time_*.tif` and `nearest_*.tif`: **{differ}**.
<!-- split:end -->"""
sys.stdout.write(section)
PY
  /usr/bin/python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" split
echo "wrote $root/bench/RESULTS.md" >&2
