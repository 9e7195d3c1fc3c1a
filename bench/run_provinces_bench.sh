#!/usr/bin/env bash
# The provinces of Vietnam, one scenario each, run one after another, as one batch and as Dask tasks (issue 20): the
# scenarios are built from
# ../shared/data/vietnam as a user would (each polygon of the geoBoundaries ADM1 layer as the study area, chosen by its
# shapeID; WorldPop 2020 1 km; the WDBII border; the 708 HDX district points as facilities with a `type` column added;
# a uniform land cover; one motorbike service of 60 minutes), then run four ways on this machine:
#   1. serially: `accessplan run` of one scenario file at a time (each on every core);
#   2. `accessplan run` of every scenario file in one command (the batch runs as many at once as there are threads,
#      one thread each);
#   3. `python3 -m accessplan.dask run ... --local 1` (a LocalCluster of one worker process);
#   4. `python3 -m accessplan.dask run ... --local 2` (a LocalCluster of two worker processes).
# The wall time of each, and whether 2's, 3's and 4's results equal 1's byte for byte (every file but run.json and the
# list of files written), go to the "provinces" section of bench/RESULTS.md.
# Usage: bash bench/run_provinces_bench.sh   (ACCESSPLAN_SHARED_DATA: the data folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_name=run_provinces_bench.sh
source "$root/bench/vietnam_inputs.sh"
adm1="$data/boundaries/geoboundaries_VNM/geoBoundaries-VNM-ADM1.shp"
mkdir -p "$work/scenarios"
# One scenario per polygon of the layer (by shapeID): 64, as Côn Đảo is a polygon of its own beside Bà Rịa–Vũng Tàu
# (both VN-43). A province is its polygon with every island the layer gives it: Khánh Hòa's reaches Trường Sa, Đà
# Nẵng's Hoàng Sa, so their grids are mostly sea (as a planner of those provinces would run them).
/usr/bin/python3 - "$adm1" "$work" "$data" "$coast" <<'PY'
import re, sys, unicodedata
from osgeo import ogr
adm1, work, data, coast = sys.argv[1:5]
ds = ogr.Open(adm1)
layer = ds.GetLayer()
polygons = [(f.GetField("shapeISO"), f.GetField("shapeName").strip(), f.GetField("shapeID")) for f in layer]
per_iso = {}
for iso, _, _ in polygons:
    per_iso[iso] = per_iso.get(iso, 0) + 1
for iso, name, shape_id in polygons:
    stem = iso.lower().replace("-", "_")
    if per_iso[iso] > 1:  # two polygons of one code: the name tells them apart
        ascii_name = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
        stem += "_" + re.sub(r"[^a-z0-9]+", "_", ascii_name.encode("ascii", "ignore").decode().lower()).strip("_")
    open(f"{work}/scenarios/{stem}.yaml", "w", encoding="utf-8").write(f"""schema_version: 1
name: {name}, district centres by motorbike
area:
  boundary: {{file: {adm1}, where: "shapeID = '{shape_id}'"}}
  cell_size_m: 100
population:
  total: {data}/population/vnm_ppp_2020_1km_Aggregated_UNadj.tif
facilities: {{file: {work}/districts.gpkg, layer: districts, name_field: ADM2_EN}}
travel:
  landcover: {{uniform: 40}}
  border: {{file: {coast}, layer: gshhg_f_borders_lvl1}}
services:
  - name: district_centre
    facility_types: [district_centre]
    target_group: children_3_14
    threshold_min: 60
    mode: motorbike
""")
print(len(polygons), "scenarios", file=sys.stderr)
PY
scenarios=("$work"/scenarios/*.yaml)
export PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}"

seconds() { /usr/bin/python3 -c 'import time; print(time.monotonic())'; }
t0=$(seconds)
for s in "${scenarios[@]}"; do
  "$bin" run "$s" --out "$work/serial/$(basename "$s" .yaml)" -q >"$work/serial.log" 2>&1 || { cat "$work/serial.log" >&2; exit 1; }
done
tb=$(seconds)
"$bin" run "${scenarios[@]}" --out "$work/batch" -q >"$work/batch.log" 2>&1 || { cat "$work/batch.log" >&2; exit 1; }
t1=$(seconds)
/usr/bin/python3 -m accessplan.dask run "${scenarios[@]}" --out "$work/dask1" --local 1 >"$work/dask1.log" 2>&1 || {
  cat "$work/dask1.log" >&2; exit 1; }
t2=$(seconds)
/usr/bin/python3 -m accessplan.dask run "${scenarios[@]}" --out "$work/dask2" --local 2 >"$work/dask2.log" 2>&1 || {
  cat "$work/dask2.log" >&2; exit 1; }
t3=$(seconds)

/usr/bin/python3 - "$work" "$t0" "$tb" "$t1" "$t2" "$t3" "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" <<'PY' |
import datetime, filecmp, glob, json, os, sys
work = sys.argv[1]
t0, tb, t1, t2, t3 = map(float, sys.argv[2:7])
commit, cores = sys.argv[7:9]
provinces = sorted(os.path.basename(p)[:-5] for p in glob.glob(f"{work}/scenarios/*.yaml"))
grids = {}
for p in provinces:
    grid = json.load(open(f"{work}/serial/{p}/summary.json"))["grid"]
    stages = json.load(open(f"{work}/serial/{p}/run.json"))["stage_seconds"]
    seconds = sum(stages.values()) if isinstance(stages, dict) else sum(s["seconds"] for s in stages)
    grids[p] = (grid["cols"], grid["rows"], seconds)
cells = sum(c * r for c, r, _ in grids.values())


def compare(other_dir):
    """Every file of every province but run.json and the list of files written: (files compared, files differing)."""
    compared = differing = 0
    for p in provinces:
        for path in glob.glob(f"{work}/serial/{p}/**/*", recursive=True):
            rel = os.path.relpath(path, f"{work}/serial/{p}")
            if os.path.isdir(path) or rel in ("run.json", ".accessplan-outputs"):
                continue
            compared += 1
            other = f"{other_dir}/{p}/{rel}"
            if not os.path.exists(other) or not filecmp.cmp(path, other, shallow=False):
                differing += 1
                print(f"differs: {other_dir}/{p}/{rel}", file=sys.stderr)
    return compared, differing


comparedb, differingb = compare(f"{work}/batch")
compared1, differing1 = compare(f"{work}/dask1")
compared2, differing2 = compare(f"{work}/dask2")
largest = sorted(grids.items(), key=lambda kv: -kv[1][0] * kv[1][1])[:4]
largest_text = "; ".join(f"{p} {c} x {r} ({s:.1f} s)" for p, (c, r, s) in largest)
serial, batch, dask1, dask2 = tb - t0, t1 - tb, t2 - t1, t3 - t2
n = len(provinces)
section = f"""<!-- provinces:begin -->
## The provinces: one after another, as one batch, as Dask tasks

Command: `bash bench/run_provinces_bench.sh` — {datetime.date.today()}, accessplan {commit}, {cores} cores. One
scenario per polygon of the geoBoundaries ADM1 layer ({n} scenarios: the 63 provinces, Côn Đảo apart from Bà Rịa–Vũng
Tàu; {cells / 1e6:.1f} M cells of 100 m in all), each as the national bench's scenario: WorldPop 2020 1 km, the WDBII
border, the 708 HDX district points, `landcover: {{uniform: 40}}`, one motorbike service of 60 minutes; outputs
included. The largest grids (their runs' stage seconds, run one at a time): {largest_text} — Khánh Hòa's polygon
reaches Trường Sa and Đà Nẵng's Hoàng Sa, so their grids are mostly sea.

| how | wall (s) | per scenario (s) | files equal to those run one after another |
|---|---|---|---|
| `accessplan run FILE`, one file after another (every core each) | {serial:.1f} | {serial / n:.2f} | (the reference) |
| `accessplan run` of the {n} files in one command ({cores} at a time, one thread each) | {batch:.1f} | {batch / n:.2f} | {comparedb - differingb} of {comparedb} |
| `python3 -m accessplan.dask run ... --local 1` (one worker process) | {dask1:.1f} | {dask1 / n:.2f} | {compared1 - differing1} of {compared1} |
| `python3 -m accessplan.dask run ... --local 2` (two worker processes) | {dask2:.1f} | {dask2 / n:.2f} | {compared2 - differing2} of {compared2} |

Dask's wall time includes starting the cluster and checking every scenario before anything is submitted (as
`accessplan run` does); a worker runs one scenario at a time on one thread. The CLI batch runs scenarios side by side
in one process, one per thread; Dask spreads them over processes and machines.

Files compared: every raster, CSV, GeoPackage, map and report of every scenario, byte for byte; not run.json (times,
command line) and the list of files written.
<!-- provinces:end -->"""
sys.stdout.write(section)
PY
  /usr/bin/python3 "$root/bench/replace_section.py" "$root/bench/RESULTS.md" provinces
echo "wrote $root/bench/RESULTS.md" >&2
