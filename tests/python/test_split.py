"""python3 -m accessplan.dask split against `accessplan run`: one scenario's travel times searched tile by tile as Dask
tasks (LocalCluster of two worker processes on loopback) give mosaics equal, cell for cell, to the rasters a whole run
writes — on the demo province (its roads as a network and as a raster, a national border, rivers, a ferry to an
island, a DEM) and on Hai Phong from
../shared/data/vietnam (GSHHG land, Cat Ba reached by a ferry the test draws between two land polygons, Bach Long Vi
with no link at all). The proof a tile makes is needed: with a small halo, tiles give cells that differ from the whole
run, and never more than they say they cannot prove. Refusals (modifications, a folder in the way) come before any
task, with exit code 3. Skipped without python3-distributed."""

import json
import os
import subprocess
import sys
import tempfile

import pytest

distributed = pytest.importorskip("distributed", reason="python3-distributed is not installed (tools/setup-debian.sh)")
gdal = pytest.importorskip("osgeo.gdal", reason="python3-gdal is not installed (tools/setup-debian.sh)")
ogr = pytest.importorskip("osgeo.ogr", reason="python3-gdal is not installed (tools/setup-debian.sh)")
np = pytest.importorskip("numpy")

import accessplan  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()
CLI = os.environ["ACCESSPLAN_BINARY"]
SHARED = os.environ.get("ACCESSPLAN_SHARED_DATA", "")


def tool(*args):
    return subprocess.run([sys.executable, "-m", "accessplan.dask", *args], capture_output=True, text=True, timeout=600)


def run_whole(scenario, out):
    r = subprocess.run([CLI, "run", scenario, "--out", out, "-q"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return out


def array(path):
    return gdal.Open(path).ReadAsArray()


def assert_mosaics_equal(split_dir, whole_dir, services):
    for service in services:
        for kind in ("travel_time", "nearest"):
            mosaic = gdal.Open(os.path.join(split_dir, f"{kind}_{service}.vrt"))
            whole = gdal.Open(os.path.join(whole_dir, "rasters", f"{kind}_{service}.tif"))
            assert mosaic.GetGeoTransform() == whole.GetGeoTransform()
            assert mosaic.GetRasterBand(1).GetNoDataValue() == whole.GetRasterBand(1).GetNoDataValue()
            assert mosaic.GetRasterBand(1).GetDescription() == whole.GetRasterBand(1).GetDescription()
            a, b = mosaic.ReadAsArray(), whole.ReadAsArray()
            assert a.shape == b.shape
            differ = int((a != b).sum())
            assert differ == 0, f"{kind}_{service}: {differ} cells differ from the whole run"
    # Something to compare: cells reached, and (travel times) more than one facility nearest somewhere.
    reached = array(os.path.join(whole_dir, "rasters", f"nearest_{services[0]}.tif"))
    assert (reached >= 0).sum() > 1000 and len(np.unique(reached[reached >= 0])) > 1


@pytest.fixture(scope="module")
def demo():
    with tempfile.TemporaryDirectory() as tmp:
        accessplan.write_demo(os.path.join(tmp, "demo"), 1, False)
        scenarios = os.path.join(tmp, "demo", "scenarios")
        path = os.path.join(scenarios, "split.yaml")  # the baseline's roads as a network (its default)
        with open(path, "w", encoding="utf-8") as f:
            f.write("schema_version: 1\nbase: baseline.yaml\nname: split\narea: {cell_size_m: 200}\nranking: null\n")
        raster = os.path.join(scenarios, "split_raster.yaml")
        with open(raster, "w", encoding="utf-8") as f:
            f.write("schema_version: 1\nbase: split.yaml\nname: split, roads as a raster\ntravel: {road_model: raster}\n")
        whole = run_whole(path, os.path.join(tmp, "whole"))
        yield {"tmp": tmp, "scenario": path, "raster": raster, "scenarios": scenarios, "whole": whole}


def whole_raster(demo):
    """The whole run of the demo with roads as a raster (made once)."""
    out = os.path.join(demo["tmp"], "whole_raster")
    return out if os.path.isdir(out) else run_whole(demo["raster"], out)


def test_demo_split_equals_the_whole_run_cell_for_cell(demo):
    out = os.path.join(demo["tmp"], "split")
    r = tool("split", demo["scenario"], "--out", out, "--local", "2", "--tile-cells", "150", "--halo-km", "3")
    assert r.returncode == 0, r.stderr
    assert f"Outputs: {out}" in r.stdout
    services = [s["name"] for s in accessplan.load_scenario(demo["scenario"])["services"]]
    assert_mosaics_equal(out, demo["whole"], services)
    with open(os.path.join(out, "split.json"), encoding="utf-8") as f:
        summary = json.load(f)
    assert len(summary["tiles"]) >= 6
    for tile in summary["tiles"]:
        assert not any(tile["tries"][-1]["unproven"].values())
    # The first halo (3 km) does not prove every tile: they were searched again, wider.
    assert any(len(t["tries"]) > 1 for t in summary["tiles"])
    assert not [e for e in os.listdir(demo["tmp"]) if ".tmp-" in e]
    # Again over it: refused without --overwrite; replaced with it.
    again = tool("split", demo["scenario"], "--out", out, "--local", "1")
    assert again.returncode == 3 and "already exists" in again.stderr
    again = tool("split", demo["scenario"], "--out", out, "--local", "1", "--tile-cells", "400", "--overwrite")
    assert again.returncode == 0, again.stderr
    assert_mosaics_equal(out, demo["whole"], services)
    # --overwrite replaces a split's folder only while nobody changed it, as `accessplan run`'s: a file of the user's
    # (even down in tiles/) or an edited split.json stops it, and both stay.
    tile = os.path.join(out, "tiles", sorted(os.listdir(os.path.join(out, "tiles")))[0])
    with open(os.path.join(tile, "notes.txt"), "w") as f:
        f.write("a user's note\n")
    again = tool("split", demo["scenario"], "--out", out, "--local", "1", "--tile-cells", "400", "--overwrite")
    assert again.returncode == 3 and "notes.txt, which accessplan did not write" in again.stderr
    assert os.path.exists(os.path.join(tile, "notes.txt"))
    os.remove(os.path.join(tile, "notes.txt"))
    with open(os.path.join(out, "split.json"), "a") as f:
        f.write(" ")
    again = tool("split", demo["scenario"], "--out", out, "--local", "1", "--tile-cells", "400", "--overwrite")
    assert again.returncode == 3 and "split.json, which was changed after accessplan wrote it" in again.stderr
    bad = tool("split", demo["scenario"], "--out", out, "--local", "1", "--tile-cells", "0")
    assert bad.returncode == 2 and "a tile's side in cells" in bad.stderr


def test_demo_split_with_roads_as_a_raster_equals_the_whole_run(demo):
    whole = whole_raster(demo)
    out = os.path.join(demo["tmp"], "split_raster")
    r = tool("split", demo["raster"], "--out", out, "--local", "2", "--tile-cells", "200", "--halo-km", "5")
    assert r.returncode == 0, r.stderr
    services = [s["name"] for s in accessplan.load_scenario(demo["raster"])["services"]]
    assert_mosaics_equal(out, whole, services)
    # Cells no search reaches though they touch a tile's side (beyond the border line) were proved by the tiles'
    # components joined over the grid, not by searching wider (without roads as a network, the tiles give them).
    with open(os.path.join(out, "split.json"), encoding="utf-8") as f:
        summary = json.load(f)
    assert any(any(t["unreached_proved_by_components"].values()) for tile in summary["tiles"] for t in tile["tries"])
    assert "the tiles' components of passable cells" in r.stderr


def components_of(passable):
    """Labels of passable cells under the search's 16 moves (a knight's move needs the two cells it passes between),
    by a plain graph search over the whole array. -1 where impassable."""
    rows, cols = passable.shape
    label = np.full(passable.shape, -1, dtype=np.int64)
    moves = [(dr, dc) for dr in range(-2, 3) for dc in range(-2, 3) if 0 < abs(dr) + abs(dc) <= 3 and abs(dr) < 3
             and not (abs(dr) == 2 and dc == 0) and not (abs(dc) == 2 and dr == 0)]
    assert len(moves) == 16
    n = 0
    for r0 in range(rows):
        for c0 in range(cols):
            if label[r0, c0] >= 0 or not passable[r0, c0]:
                continue
            label[r0, c0] = n
            queue = [(r0, c0)]
            while queue:
                r, c = queue.pop()
                for dr, dc in moves:
                    rr, cc = r + dr, c + dc
                    if not (0 <= rr < rows and 0 <= cc < cols) or label[rr, cc] >= 0 or not passable[rr, cc]:
                        continue
                    if abs(dr) == 2 and not (passable[r + dr // 2, c] and passable[r + dr // 2, cc]):
                        continue
                    if abs(dc) == 2 and not (passable[r, c + dc // 2] and passable[rr, c + dc // 2]):
                        continue
                    label[rr, cc] = n
                    queue.append((rr, cc))
            n += 1
    return label


def test_joined_components_equal_the_whole_grids():
    """accessplan.split.joined_components from cores labelled on their own equals a labelling of the whole grid: cells
    of two cores share a component exactly when the whole grid's search links them (thin barriers, a knight's move
    blocked between them, cores of 2 cells at the grid's edge)."""
    from accessplan.split import joined_components, tile_cores

    rng = np.random.default_rng(7)
    rows, cols, size = 47, 61, 9
    passable = rng.random((rows, cols)) < 0.45
    passable[:, 30] = False  # a barrier line one cell wide, with a knight's move over it blocked
    passable[20, 30] = True  # ... and a gap in it
    whole = components_of(passable)
    cores = tile_cores(cols, rows, size)
    records, own = [], []
    for c0, r0, w, h in cores:
        part = passable[r0:r0 + h, c0:c0 + w]
        label = components_of(part)
        own.append(label)
        comps = {"top": label[:2].ravel().tolist(), "bottom": label[-2:].ravel().tolist(),
                 "left": label[:, :2].ravel().tolist(), "right": label[:, -2:].ravel().tolist(), "unreached": []}
        # "Facilities": the passable cells of every 11th row and 13th column.
        seeds = [(r, c) for r in range(h) for c in range(w) if part[r, c] and (r0 + r) % 11 == 0 and (c0 + c) % 13 == 0]
        comps["sources"] = sorted({int(label[r, c]) for r, c in seeds})
        records.append({"services": [{"service": "s", "components": comps}]})
    reachable = joined_components(cores, records, "s", cols, rows)
    held = {int(whole[r, c]) for r in range(0, rows, 11) for c in range(0, cols, 13) if passable[r, c]}
    checked = 0
    for k, (c0, r0, w, h) in enumerate(cores):
        for label in np.unique(own[k][own[k] >= 0]):
            r, c = np.argwhere(own[k] == label)[0]
            assert reachable(k, [int(label)]) == (int(whole[r0 + r, c0 + c]) in held), (k, label)
            checked += 1
    assert checked > 100
    assert len(held) > 1 and len({int(x) for x in whole[passable]}) > len(held)  # some components without a facility
    # A tile without components (a road network): nothing is joined.
    records[3]["services"][0].pop("components")
    assert joined_components(cores, records, "s", cols, rows) is None


def test_a_halo_narrower_than_the_rim_still_gives_the_whole_run(tmp_path):
    """The demo `accessplan demo` writes (seed 28), at its own 100 m cells (a rim of 22 cells), roads as a raster, and a
    first halo of 1 km: a core reaches into its window's rim, where a tile places no facility, and those cells are never
    proved (a new user's run once kept 13 of them unreached that the whole run reaches)."""
    accessplan.write_demo(str(tmp_path / "demo"), 28, False)
    path = str(tmp_path / "demo" / "scenarios" / "split_raster_100m.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("schema_version: 1\nbase: baseline.yaml\nname: split at 100 m\nranking: null\n"
                "travel: {road_model: raster}\n")
    whole = run_whole(path, str(tmp_path / "whole"))
    out = str(tmp_path / "split")
    r = tool("split", path, "--out", out, "--local", "2", "--tile-cells", "150", "--halo-km", "1")
    assert r.returncode == 0, r.stderr
    services = [s["name"] for s in accessplan.load_scenario(path)["services"]]
    assert_mosaics_equal(out, whole, services)
    with open(os.path.join(out, "split.json"), encoding="utf-8") as f:
        summary = json.load(f)
    assert all(t["tries"][0]["halo_cells"] < t["tries"][0]["rim_cells"] for t in summary["tiles"])


@pytest.mark.parametrize("model", ["network", "raster"])
def test_a_tile_without_its_proof_would_be_wrong(demo, model):
    """Tiles with a 2 km halo searched directly: cells differ from the whole run, each one a cell the tile does not
    prove (unproven_<service>.tif), and the mosaic of their cores would be wrong without the proof (roads as a network: the straight-line
    bound; as a raster: the searched cost to the tile's side too)."""
    scenario = demo["scenario"] if model == "network" else demo["raster"]
    whole_dir = demo["whole"] if model == "network" else whole_raster(demo)
    grid = accessplan._core._analysis_grid(scenario)
    cols, rows = grid["cols"], grid["rows"]
    halo, size = 10, 150
    differ_total = 0
    for r0 in range(0, rows, size * 2):
        for c0 in range(0, cols, size * 2):
            core = (c0, r0, min(size, cols - c0), min(size, rows - r0))
            window = (max(0, c0 - halo), max(0, r0 - halo))
            window += (min(cols, c0 + core[2] + halo) - window[0], min(rows, r0 + core[3] + halo) - window[1])
            out = os.path.join(demo["tmp"], f"tile_{model}_{r0}_{c0}")
            os.makedirs(out, exist_ok=True)
            record = accessplan._core._run_tile(scenario, out, window, core, True)
            for s in record["services"]:
                name = s["service"]
                whole_t = array(os.path.join(whole_dir, "rasters", f"travel_time_{name}.tif"))[r0:r0 + core[3], c0:c0 + core[2]]
                whole_n = array(os.path.join(whole_dir, "rasters", f"nearest_{name}.tif"))[r0:r0 + core[3], c0:c0 + core[2]]
                differ = ((array(os.path.join(out, f"travel_time_{name}.tif")) != whole_t) |
                          (array(os.path.join(out, f"nearest_{name}.tif")) != whole_n))
                unproven = array(os.path.join(out, f"unproven_{name}.tif")) == 1
                assert int(unproven.sum()) == s["unproven"]
                claimed = int((differ & ~unproven).sum())
                assert claimed == 0, f"tile {r0},{c0} {name}: {claimed} cells differ from the whole run though proved"
                differ_total += int(differ.sum())
    assert differ_total > 0


def test_refusals_come_before_any_task(demo):
    ferry = os.path.join(demo["scenarios"], "new_ferry.yaml")
    r = tool("split", ferry, "--out", os.path.join(demo["tmp"], "f"), "--local", "1")
    assert r.returncode == 3 and "without modifications" in r.stderr and "new_ferry.yaml" in r.stderr
    # A file whose modification comes from its base: the base is named.
    inherits = os.path.join(demo["scenarios"], "inherits_ferry.yaml")
    with open(inherits, "w", encoding="utf-8") as f:
        f.write("schema_version: 1\nbase: new_ferry.yaml\nname: inherits a ferry\n")
    r = tool("split", inherits, "--out", os.path.join(demo["tmp"], "f"), "--local", "1")
    assert r.returncode == 3 and "in it or in its base: " in r.stderr and "new_ferry.yaml" in r.stderr
    assert "worker" not in r.stderr  # (refused before a cluster started)
    assert not os.path.exists(os.path.join(demo["tmp"], "f"))
    # A search stopped at the study area leaves cells without the whole grid's time: no tile could be proved.
    stopped = os.path.join(demo["scenarios"], "study_area_search.yaml")
    with open(stopped, "w", encoding="utf-8") as f:
        f.write("schema_version: 1\nbase: split.yaml\nname: stopped\ntravel: {search: study_area}\n")
    r = tool("split", stopped, "--out", os.path.join(demo["tmp"], "f"), "--local", "1")
    assert r.returncode == 3 and "travel.search: study_area" in r.stderr and "study_area_search.yaml" in r.stderr
    assert not os.path.exists(os.path.join(demo["tmp"], "f"))
    mine = os.path.join(demo["tmp"], "mine")
    os.makedirs(mine)
    with open(os.path.join(mine, "notes.txt"), "w") as f:
        f.write("a user's file\n")
    r = tool("split", demo["scenario"], "--out", mine, "--local", "1", "--overwrite")
    assert r.returncode == 3 and "accessplan did not write this folder" in r.stderr
    assert os.listdir(mine) == ["notes.txt"]


def land_point(land, lon, lat):
    """A point inside the land polygon nearest (lon, lat) (its PointOnSurface), from the GSHHG fixture."""
    ds = ogr.Open(land)
    layer = ds.GetLayer(0)
    here = ogr.CreateGeometryFromWkt(f"POINT ({lon} {lat})")
    best = min(layer, key=lambda f: f.GetGeometryRef().Distance(here))
    p = best.GetGeometryRef().PointOnSurface()
    return p.GetX(), p.GetY()


@pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "fixtures", "hai_phong")),
                    reason="../shared/data/vietnam is not there (ACCESSPLAN_SHARED_DATA)")
def test_hai_phong_split_with_a_ferry_and_an_unlinked_island_equals_the_whole_run(tmp_path):
    fx = os.path.join(SHARED, "fixtures", "hai_phong")
    land = os.path.join(fx, "gshhg_f_land_hai_phong.geojson")
    districts = os.path.join(SHARED, "boundaries", "hdx_cod_ab_vnm_20201027", "vnm_admbndp_admALL_gov_itos_20201027.shp")
    facilities = str(tmp_path / "districts.gpkg")
    # The district centres but those of Cat Hai (on Cat Ba) and Bach Long Vi: the islands are then reached only by the
    # ferry below, and not at all.
    gdal.VectorTranslate(facilities, districts, layerName="districts",
                         SQLStatement="SELECT *, 'district_centre' AS type FROM vnm_admbndp_admALL_gov_itos_20201027 "
                                      "WHERE ADM2_EN NOT IN ('Cat Hai', 'Bach Long Vi')")
    # A ferry from the mainland near Hai Phong's port to Cat Ba island (inside the two land polygons).
    a, b = land_point(land, 106.80, 20.85), land_point(land, 107.05, 20.78)
    ferry = str(tmp_path / "ferry.geojson")
    with open(ferry, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
            "name": "Hai Phong - Cat Ba", "crossing_min": 60, "headway_min": 120, "months": "1-12", "bidirectional": 1},
            "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]}}]}, f)
    scenario = str(tmp_path / "hai_phong.yaml")
    with open(scenario, "w", encoding="utf-8") as f:
        f.write(f"""schema_version: 1
name: Hai Phong split
area: {{boundary: {{file: '{os.path.join(fx, "geoboundaries_adm1_hai_phong.geojson")}'}}, cell_size_m: 250, buffer_m: 3000}}
population: {{total: '{os.path.join(fx, "worldpop2020_1km_hai_phong_box.tif")}'}}
facilities: {{file: '{facilities}', layer: districts, type_field: type}}
travel: {{landcover: {{uniform: 40}}, land: {{file: '{land}'}}, road_model: raster, ferries: {{file: '{ferry}', port_snap_m: 2000}}}}
services:
  - {{name: health, facility_types: [district_centre], target_group: under5, threshold_min: 60, mode: motorbike}}
""")
    whole = run_whole(scenario, str(tmp_path / "whole"))
    out = str(tmp_path / "split")
    r = tool("split", scenario, "--out", out, "--local", "2", "--tile-cells", "200", "--halo-km", "10")
    assert r.returncode == 0, r.stderr
    assert_mosaics_equal(out, whole, ["health"])
    # The ferry is in play: without it, fewer cells are reached (Cat Ba); and land no route reaches is there
    # (Bach Long Vi, 110 km out, has no link at all): the tiles proved unreachable cells too.
    without = str(tmp_path / "without.yaml")
    with open(scenario, encoding="utf-8") as f, open(without, "w", encoding="utf-8") as g:
        g.write(f.read().replace(f", ferries: {{file: '{ferry}', port_snap_m: 2000}}", ""))
    t = array(os.path.join(whole, "rasters", "travel_time_health.tif"))
    t0 = array(os.path.join(run_whole(without, str(tmp_path / "whole0")), "rasters", "travel_time_health.tif"))
    assert (t != -9999).sum() > (t0 != -9999).sum() + 1000
    on_land = array(os.path.join(whole, "rasters", "land.tif")) > 0
    assert (on_land & (t == -9999)).sum() > 10
