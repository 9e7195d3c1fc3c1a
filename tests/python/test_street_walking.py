"""Walking in towns follows streets (issue 22): accessplan's travel time to the nearest school on the central Hanoi
OpenStreetMap extract, against an independent shortest-path computation on the street network of the same file
(street_reference.py: GDAL's OSM driver + networkx, no accessplan code).

The study area is the extract's complete box (its .osm.pbf header box). N seeded-random points uniformly inside it
are kept when they lie within MAX_SNAP_M of a walkable street and on a finite raster cell; for each the ratio
raster minutes (the cell holding the point) / reference minutes is taken. Points whose reference time is below
MIN_REFERENCE_MIN are left out of the ratios (counted in the table). Asserted: median ratio in [0.9, 1.1] and at
least 70% of points within +-20%.

Run by ctest with Debian's /usr/bin/python3: ACCESSPLAN_BINARY names the accessplan program, ACCESSPLAN_SHARED_DATA
the vietnam data folder (default /work/shared/data/vietnam); without the extract the test is skipped.
By hand, for bench/RESULTS.md (markdown table, several cell sizes):
    /usr/bin/python3 tests/python/test_street_walking.py --cells 100 30 10 --binary build/accessplan
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest
from osgeo import gdal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import street_reference as ref  # noqa: E402

gdal.UseExceptions()

# Off-road walking speed (km/h) in built-up land: the scenario gives it (docs/travel-models.md "Towns": where the
# streets are mapped, walks follow them), and the reference uses it between a point (or a school) and its nearest street.
OFFROAD_KMH = 1.0

TEST_CELL_M = 30
N_POINTS = 4000
SEED = 22
MAX_SNAP_M = 100.0
MIN_REFERENCE_MIN = 0.5
MEDIAN_RANGE = (0.9, 1.1)
WITHIN_20_MIN_SHARE = 0.70

PBF_NAME = os.path.join("osm", "hanoi_center_bbbike_2026-05-05.osm.pbf")
POP_NAME = os.path.join("fixtures", "hanoi_center", "worldpop2020_1km_hanoi_center.tif")

SCENARIO = """schema_version: 1
name: central Hanoi streets check
area: {{bbox: [{w!r}, {s!r}, {e!r}, {n!r}], cell_size_m: {cell}, buffer_m: 0}}
population: {{total: '{pop}'}}
facilities: {{file: '{pbf}'}}
travel:
  landcover: {{uniform: 50}}
  roads: '{pbf}'
  road_model: {road_model}
  modes: {{walking: {{base: walking, landcover_speed_kmh: {{50: {offroad}}}}}}}
services:
  - {{name: school, facility_types: [school], target_group: primary, threshold_min: 15}}
"""


def data_dir():
    return os.environ.get("ACCESSPLAN_SHARED_DATA", "/work/shared/data/vietnam")


# ------------------------------------------------------------------------------------------------------------------
# the comparison (shared by the test and the command line)
# ------------------------------------------------------------------------------------------------------------------

class Reference:
    """Everything that does not depend on accessplan: the header box, the walk graph, the schools, the sample points
    and their reference minutes."""

    def __init__(self, data, offroad_kmh=OFFROAD_KMH, n_points=N_POINTS, seed=SEED, clip_graph=False):
        self.pbf = os.path.join(data, PBF_NAME)
        self.pop = os.path.join(data, POP_NAME)
        self.offroad_kmh = offroad_kmh
        self.seed = seed
        self.bbox = ref.pbf_header_bbox(self.pbf)
        self.walk = ref.build_walk_graph(self.pbf, clip_bbox=self.bbox if clip_graph else None)
        self.schools = ref.read_schools(self.pbf)
        w, s, e, n = self.bbox
        rng = np.random.default_rng(seed)
        self.lon = rng.uniform(w, e, n_points)
        self.lat = rng.uniform(s, n, n_points)
        self.x, self.y = ref.transformer(4326, ref.UTM48N)(self.lon, self.lat)
        self.snap = ref.snap(self.walk.seg, self.x, self.y)
        self.near = self.snap[2] <= MAX_SNAP_M
        near_snap = tuple(a[self.near] for a in self.snap)
        self.minutes = np.full(n_points, np.nan)
        self.minutes[self.near] = ref.reference_minutes(
            self.walk, np.column_stack([self.x, self.y])[self.near], ref.school_positions(self.schools),
            offroad_kmh, point_snaps=near_snap)

    def scenario(self, cell_m, road_model="network", offroad_kmh=None):
        w, s, e, n = self.bbox
        return SCENARIO.format(w=w, s=s, e=e, n=n, cell=cell_m, pop=self.pop, pbf=self.pbf, road_model=road_model,
                               offroad=self.offroad_kmh if offroad_kmh is None else offroad_kmh)


def raster_minutes(tif, lon, lat):
    """Value of the cell holding each (lon, lat); nan off the raster, on nodata or non-finite cells."""
    ds = gdal.Open(tif)
    band = ds.GetRasterBand(1)
    values = band.ReadAsArray().astype(float)
    nodata = band.GetNoDataValue()
    if nodata is not None:
        values[values == nodata] = np.nan
    values[~np.isfinite(values)] = np.nan
    x0, dx, _, y0, _, dy = ds.GetGeoTransform()
    x, y = ref.transformer(4326, ds.GetProjection())(lon, lat)
    col = np.floor((x - x0) / dx).astype(np.int64)
    row = np.floor((y - y0) / dy).astype(np.int64)
    inside = (col >= 0) & (col < ds.RasterXSize) & (row >= 0) & (row < ds.RasterYSize)
    out = np.full(len(lon), np.nan)
    out[inside] = values[row[inside], col[inside]]
    return out


def run_accessplan(binary, reference, cell_m, workdir, road_model="network", offroad_kmh=None):
    scenario = os.path.join(workdir, f"hanoi_streets_{cell_m}m_{road_model}.yaml")
    with open(scenario, "w", encoding="utf-8") as f:
        f.write(reference.scenario(cell_m, road_model, offroad_kmh))
    out = os.path.join(workdir, f"out_{cell_m}m_{road_model}")
    started = time.monotonic()
    subprocess.run([binary, "run", scenario, "--out", out, "-q"], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, "rasters", "travel_time_school.tif"), time.monotonic() - started


def compare(reference, tif, cell_m):
    raster = raster_minutes(tif, reference.lon, reference.lat)
    sampled = len(raster)
    near = reference.near
    finite = near & np.isfinite(raster)
    reachable = finite & np.isfinite(reference.minutes)
    ratio_ok = reachable & (reference.minutes >= MIN_REFERENCE_MIN)
    r, m = raster[reachable], reference.minutes[reachable]
    ratio = raster[ratio_ok] / reference.minutes[ratio_ok]
    if ratio.size == 0:
        ratio = np.array([np.nan])
    return {
        "cell_m": cell_m,
        "sampled": sampled,
        "far_from_street": int((~near).sum()),
        "raster_nodata": int((near & ~np.isfinite(raster)).sum()),
        "unreachable_reference": int((finite & ~np.isfinite(reference.minutes)).sum()),
        "points": int(reachable.sum()),
        "skipped_short": int((reachable & ~ratio_ok).sum()),
        "ratios": int(ratio.size),
        "median": float(np.median(ratio)),
        "p10": float(np.percentile(ratio, 10)),
        "p90": float(np.percentile(ratio, 90)),
        "within_20": float(np.mean(np.abs(ratio - 1.0) <= 0.2)),
        "raster_le5": float(np.mean(r <= 5)), "reference_le5": float(np.mean(m <= 5)),
        "raster_le10": float(np.mean(r <= 10)), "reference_le10": float(np.mean(m <= 10)),
    }


def markdown(rows, reference):
    w, s, e, n = reference.bbox
    lines = [
        f"Walking to the nearest of {len(reference.schools)} schools, central Hanoi OSM extract, complete box "
        f"{w:.3f}..{e:.3f}E {s:.3f}..{n:.3f}N; {rows[0]['sampled'] if rows else 0} random points (seed {reference.seed}), kept "
        f"within {MAX_SNAP_M:.0f} m of a walkable street; reference = street network, off-road {reference.offroad_kmh:g} "
        f"km/h to and from the nearest street; ratios leave out reference < {MIN_REFERENCE_MIN} min.",
        "",
        "| cell | points | skipped < 0.5 min | median raster/network | p10 | p90 | within ±20% "
        "| ≤ 5 min raster / network | ≤ 10 min raster / network | run (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['cell_m']} m | {row['points']} | {row['skipped_short']} | {row['median']:.2f} | {row['p10']:.2f} "
            f"| {row['p90']:.2f} | {100 * row['within_20']:.1f}% "
            f"| {100 * row['raster_le5']:.0f}% / {100 * row['reference_le5']:.0f}% "
            f"| {100 * row['raster_le10']:.0f}% / {100 * row['reference_le10']:.0f}% | {row.get('seconds', 0):.1f} |")
    dropped = [f"{r['cell_m']} m: {r['far_from_street']} > {MAX_SNAP_M:.0f} m from a street, {r['raster_nodata']} on "
               f"nodata cells, {r['unreachable_reference']} on street pieces without a school" for r in rows]
    lines += ["", "Points left out: " + "; ".join(dropped) + "."]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------------------------
# pytest
# ------------------------------------------------------------------------------------------------------------------

def test_reference_splits_the_snapped_segment():
    """The reference on a toy network: a school in the middle of a street is reached along it from both ends,
    points leave at their own snap points, and several schools on one segment split it in order."""
    speed = 4.0 * 1000 / 60  # m/min
    walk = ref.walk_graph_from_segments([((0, 0), (1000, 0)), ((1000, 0), (1000, 1000))])
    got = ref.reference_minutes(walk, [(800, -20), (200, 30), (1000 + 40, 900)], [(500, 10)], 4.0)
    want = [(10 + 300 + 20) / speed, (10 + 300 + 30) / speed, (10 + 500 + 900 + 40) / speed]
    assert np.allclose(got, want)
    got = ref.reference_minutes(walk, [(450, 0), (700, 5), (1000, 500)], [(300, 0), (600, 0)], 2.0)
    slow = 2.0 * 1000 / 60
    assert np.allclose(got, [150 / speed, 100 / speed + 5 / slow, 900 / speed])
    idx, frac, dist = ref.snap(walk.seg, [250, 1010], [-3, 250])
    assert np.allclose(frac, [0.25, 0.25]) and np.allclose(dist, [3, 10])


def test_reference_on_a_disconnected_piece_is_unreachable():
    walk = ref.walk_graph_from_segments([((0, 0), (100, 0)), ((0, 500), (100, 500))])
    got = ref.reference_minutes(walk, [(50, 490), (50, 5)], [(50, 0)], 4.0)
    assert np.isinf(got[0]) and np.isfinite(got[1])


@pytest.fixture(scope="module")
def reference():
    data = data_dir()
    pbf = os.path.join(data, PBF_NAME)
    if not os.path.isfile(pbf):
        pytest.skip(f"the central Hanoi OSM extract is not there ({pbf}); set ACCESSPLAN_SHARED_DATA to the vietnam "
                    "data folder to run the street-walking check")
    return Reference(data)


def test_header_box_is_the_manifest_box(reference):
    manifest = os.path.join(data_dir(), "MANIFEST.txt")
    if not os.path.isfile(manifest):
        pytest.skip(f"no {manifest}")
    text = open(manifest, encoding="utf-8").read()
    w, s, e, n = reference.bbox
    assert f"header bbox {w:.3f}..{e:.3f}E {s:.3f}..{n:.3f}N" in text, reference.bbox
    assert len(reference.schools) == 28
    # accessplan info reads the same box from the header.
    binary = os.environ.get("ACCESSPLAN_BINARY")
    if binary:
        import json
        info = subprocess.run([binary, "info", "--json", reference.pbf], capture_output=True, text=True, check=True)
        assert np.allclose(json.loads(info.stdout)["complete_inside"], reference.bbox, atol=1e-9)


def test_walking_times_follow_the_streets(reference, capsys):
    binary = os.environ.get("ACCESSPLAN_BINARY")
    if not binary:
        pytest.skip("ACCESSPLAN_BINARY is not set (the accessplan program to check)")
    with tempfile.TemporaryDirectory() as tmp:
        tif, seconds = run_accessplan(binary, reference, TEST_CELL_M, tmp)
        row = compare(reference, tif, TEST_CELL_M)
    row["seconds"] = seconds
    with capsys.disabled():
        print("\n" + markdown([row], reference))
    assert row["ratios"] >= 1000, row
    assert MEDIAN_RANGE[0] <= row["median"] <= MEDIAN_RANGE[1], row
    assert row["within_20"] >= WITHIN_20_MIN_SHARE, row


def test_a_study_area_beyond_the_extract_is_flagged(reference):
    """Notebook 04's former study area (105.79..105.87E 20.95..21.05N, ~92 km2) reaches far beyond the box the extract
    is complete in: the run says so, and summary.json gives the box (as read independently here from the pbf header)
    and the share of the study area inside it (as computed here from the two boxes in UTM 48N)."""
    binary = os.environ.get("ACCESSPLAN_BINARY")
    if not binary:
        pytest.skip("ACCESSPLAN_BINARY is not set (the accessplan program to check)")
    import json
    big = (105.79, 20.95, 105.87, 21.05)
    with tempfile.TemporaryDirectory() as tmp:
        scenario = os.path.join(tmp, "wide.yaml")
        with open(scenario, "w", encoding="utf-8") as f:
            f.write(SCENARIO.format(w=big[0], s=big[1], e=big[2], n=big[3], cell=100, pop=reference.pop,
                                    pbf=reference.pbf, offroad=reference.offroad_kmh, road_model="network"))
        out = os.path.join(tmp, "out")
        run = subprocess.run([binary, "run", scenario, "--out", out], capture_output=True, text=True, check=True)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        # The box is a layer of access.gpkg and a dashed outline on the maps.
        from osgeo import ogr
        gpkg = ogr.Open(os.path.join(out, "access.gpkg"))
        boxes = gpkg.GetLayerByName("osm_extract")
        assert boxes is not None and boxes.GetFeatureCount() == 1
        box_pct = boxes.GetNextFeature().GetField("study_area_pct_inside")
        png = gdal.Open(os.path.join(out, "maps", "travel_time_school.png")).ReadAsArray()
        orange = int(np.sum((png[0] == 204) & (png[1] == 85) & (png[2] == 0)))
    extracts = summary["travel"]["osm_extracts"]
    assert len(extracts) == 1 and extracts[0]["file"] == reference.pbf
    assert np.allclose(extracts[0]["box"], reference.bbox, atol=1e-9)
    to_utm = ref.transformer(4326, ref.UTM48N)

    def area(box):
        # The box as a polygon of many points along each side, in UTM 48N (shoelace).
        w, s, e, n = box
        t = np.linspace(0, 1, 200, endpoint=False)
        lon = np.concatenate([w + (e - w) * t, np.full_like(t, e), e - (e - w) * t, np.full_like(t, w)])
        lat = np.concatenate([np.full_like(t, s), s + (n - s) * t, np.full_like(t, n), n - (n - s) * t])
        x, y = to_utm(lon, lat)
        return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))

    w, s, e, n = reference.bbox
    inside = max(w, big[0]), max(s, big[1]), min(e, big[2]), min(n, big[3])
    expected = 100.0 * area(inside) / area(big)
    assert abs(extracts[0]["study_area_pct_inside"] - expected) < 0.5, (extracts[0], expected)
    assert box_pct == extracts[0]["study_area_pct_inside"]
    assert orange > 200, orange  # the outline (about 4 x 250 px of dashes at A4) and its legend line
    assert any("complete only inside" in w and "lies outside it" in w for w in summary["warnings"]), summary["warnings"]
    assert "complete only inside" in run.stdout + run.stderr


# ------------------------------------------------------------------------------------------------------------------
# command line: the table for bench/RESULTS.md
# ------------------------------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[100, 30, 10], help="cell sizes in metres")
    parser.add_argument("--binary", default=os.environ.get("ACCESSPLAN_BINARY"), help="the accessplan program")
    parser.add_argument("--data", default=data_dir(), help="the vietnam data folder")
    parser.add_argument("--offroad-kmh", type=float, default=OFFROAD_KMH)
    parser.add_argument("--road-model", default="network", choices=["network", "raster"])
    parser.add_argument("--model-offroad-kmh", type=float,
                        help="built-up speed off the streets in the scenario (default: --offroad-kmh, as the reference)")
    parser.add_argument("--points", type=int, default=N_POINTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--clip-graph", action="store_true",
                        help="keep only street segments inside the header box (the model's domain)")
    parser.add_argument("--keep", help="write scenarios and outputs here instead of a temporary folder")
    args = parser.parse_args(argv)
    if not args.binary:
        parser.error("--binary (or ACCESSPLAN_BINARY) is required")
    started = time.monotonic()
    reference = Reference(args.data, args.offroad_kmh, args.points, args.seed, args.clip_graph)
    print(f"reference: {time.monotonic() - started:.1f} s; graph {reference.walk.stats}", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        for cell in args.cells:
            tif, seconds = run_accessplan(args.binary, reference, cell, workdir, args.road_model, args.model_offroad_kmh)
            row = compare(reference, tif, cell)
            row["seconds"] = seconds
            rows.append(row)
    print(f"accessplan: road_model {args.road_model}, built-up off the streets "
          f"{args.model_offroad_kmh or args.offroad_kmh:g} km/h")
    print(markdown(rows, reference))


if __name__ == "__main__":
    main()
