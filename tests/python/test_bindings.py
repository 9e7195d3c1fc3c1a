"""The accessplan Python module against the CLI: the same outputs from the same scenario, the CLI's error messages as
Python exceptions, and arrays that keep their georeferencing. Run by ctest with Debian's /usr/bin/python3; PYTHONPATH
holds the built module and ACCESSPLAN_BINARY names the CLI."""

import csv
import json
import os
import subprocess
import tempfile
import threading

import numpy as np
import pytest
from osgeo import gdal

import accessplan

gdal.UseExceptions()
CLI = os.environ["ACCESSPLAN_BINARY"]
DATA = os.path.join(os.path.dirname(__file__), "..", "data")


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def runs():
    """The demo's inputs; the baseline and the ferry what-if run by the CLI and by one Python session."""
    with tempfile.TemporaryDirectory() as tmp:
        baseline = accessplan.write_demo(os.path.join(tmp, "demo"))
        ferry = os.path.join(os.path.dirname(baseline), "new_ferry.yaml")
        for name, yaml in (("cli_base", baseline), ("cli_ferry", ferry)):
            r = cli("run", "-q", yaml, "--out", os.path.join(tmp, name))
            assert r.returncode == 0, r.stderr
        session = accessplan.Session()
        py_base = session.run(baseline, os.path.join(tmp, "py_base"))
        py_ferry = session.run(ferry, os.path.join(tmp, "py_ferry"))  # takes over the baseline's inputs
        yield {"tmp": tmp, "baseline": baseline, "ferry": ferry, "py_base": py_base, "py_ferry": py_ferry}


def read(path):
    with open(path, "rb") as f:
        return f.read()


def read_csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["summary.csv", "zones.csv", "gaps.csv", "ranking.csv", "bands.csv", "facilities_placement.csv",
                                  "programmes.csv", "budget_curve.csv", "robustness.csv", "plan.csv", "plan_years.csv",
                                  "plan_access.csv"])
def test_the_module_writes_what_the_cli_writes(runs, name):
    tmp = runs["tmp"]
    assert read(os.path.join(tmp, "py_base", name)) == read(os.path.join(tmp, "cli_base", name))
    assert read(os.path.join(tmp, "py_ferry", name)) == read(os.path.join(tmp, "cli_ferry", name))


def test_results_as_dicts_match_the_files(runs):
    result = runs["py_base"]
    rows = {(r["service"], r["area_class"]): r for r in result["summary"]}
    with open(os.path.join(runs["tmp"], "cli_base", "summary.csv")) as f:
        header = f.readline().strip().split(",")
        lines = [dict(zip(header, line.strip().split(","))) for line in f]
    assert len(lines) == len(rows)
    for line in lines:
        row = rows[(line["service"], line["area_class"])]
        assert row["children"] == pytest.approx(float(line["children"]), abs=0.051)
        assert row["pct_within"] == pytest.approx(float(line["pct_within"]), abs=0.0051)
    assert result["ranking"]["rows"][0]["rank"] == 1
    assert result["ranking"]["spent"] <= result["ranking"]["budget"]
    # Programmes and the demo's 200 uncertainty draws, as programmes.csv and robustness.csv hold them.
    programmes = read_csv_rows(os.path.join(runs["tmp"], "cli_base", "programmes.csv"))
    assert [p["name"] for p in result["ranking"]["programmes"]] == [p["programme"] for p in programmes]
    for py, line in zip(result["ranking"]["programmes"], programmes):
        assert py["spent"] == float(line["spent"]) and py["sites"] == int(line["sites"])
    robust = read_csv_rows(os.path.join(runs["tmp"], "cli_base", "robustness.csv"))
    drawn = result["ranking"]["uncertainty"]
    assert drawn["draws"] == 200 and len(drawn["sites"]) == len(robust)
    for py, line in zip(drawn["sites"], robust):
        assert py["candidate_id"] == line["candidate_id"] and py["funded_share"] == pytest.approx(float(line["funded_share"]), abs=5e-4)
    # The demo's five-year plan, as plan_years.csv and plan.csv hold it.
    plan = result["ranking"]["plan"]
    years = read_csv_rows(os.path.join(runs["tmp"], "cli_base", "plan_years.csv"))
    assert (plan["first_year"], plan["last_year"]) == (2026, 2030) and len(plan["years"]) == len(years)
    for py, line in zip(plan["years"], years):
        assert (py["year"], py["programme"]) == (int(line["year"]), line["programme"]) and py["spent"] == float(line["spent"])
    assert [s["candidate_id"] for s in plan["sites"]] == [
        line["candidate_id"] for line in read_csv_rows(os.path.join(runs["tmp"], "cli_base", "plan.csv"))]
    frame = accessplan.frame(result["summary"])
    assert list(frame.columns[:3]) == ["children", "within_threshold", "pct_within"]
    assert len(frame) == len(rows)


def test_compare_matches_the_cli(runs):
    tmp = runs["tmp"]
    py = accessplan.compare(os.path.join(tmp, "py_base"), os.path.join(tmp, "py_ferry"), os.path.join(tmp, "py_cmp"))
    r = cli("compare", "-q", os.path.join(tmp, "cli_base"), os.path.join(tmp, "cli_ferry"), "--out", os.path.join(tmp, "cli_cmp"))
    assert r.returncode == 0, r.stderr
    assert read(os.path.join(tmp, "py_cmp", "compare.csv")) == read(os.path.join(tmp, "cli_cmp", "compare.csv"))
    pools = [row for row in py["rows"] if row["service"] == "swimming_pool" and row["area_class"] == "island"][0]
    assert pools["faster"] > 0 and pools["lost"] == 0
    # The rows carry compare.csv's unreachable counts; largest_change is compare.json's.
    csv_rows = {(r["service"], r["area_class"]): r for r in read_csv_rows(os.path.join(tmp, "cli_cmp", "compare.csv"))}
    for row in py["rows"]:
        line = csv_rows[(row["service"], row["area_class"])]
        for key in ("unreachable_before", "unreachable_after", "unreachable_to_within", "within_to_unreachable",
                    "unreachable_to_beyond", "beyond_to_unreachable"):
            assert row[key] == pytest.approx(float(line[key]), abs=0.051)
    with open(os.path.join(tmp, "cli_cmp", "compare.json"), encoding="utf-8") as f:
        assert py["largest_change"] == json.load(f)["largest_change"]


def test_rasters_keep_their_georeferencing(runs):
    path = os.path.join(runs["tmp"], "py_base", "rasters", "travel_time_primary_school.tif")
    raster = accessplan.read_raster(path)
    ds = gdal.Open(path)
    assert raster.shape == (ds.RasterYSize, ds.RasterXSize)
    assert tuple(raster.transform) == pytest.approx(ds.GetGeoTransform())
    assert raster.epsg == 32648
    assert "32648" in raster.crs_wkt or "UTM zone 48N" in raster.crs_wkt
    assert raster.units == "minutes"
    band = ds.GetRasterBand(1).ReadAsArray().astype(np.float32)
    nodata = ds.GetRasterBand(1).GetNoDataValue()
    assert np.array_equal(np.isnan(raster.array), band == nodata)
    assert np.array_equal(raster.array[~np.isnan(raster.array)], band[band != nodata])
    assert raster.array.dtype == np.float32 and raster.array.flags["C_CONTIGUOUS"]


def test_travel_time_and_access_metrics_from_arrays():
    transform = (500000.0, 100.0, 0.0, 2300000.0, 0.0, -100.0)
    friction = np.full((40, 60), 0.001, dtype=np.float32)  # 1 min per km
    friction[:, 45] = np.nan  # an impassable wall
    minutes, nearest, unplaced = accessplan.travel_time(friction, transform, "EPSG:32648",
                                                        [(500050.0, 2299950.0), (502050.0, 2296050.0)], ids=[7, 9])
    assert unplaced == []
    assert minutes.transform == pytest.approx(transform) and minutes.epsg == 32648
    assert minutes.array[0, 0] == 0.0 and nearest.array[0, 0] == 7
    assert minutes.array[0, 10] == pytest.approx(1.0, rel=1e-5)  # 10 cells of 100 m east at 1 min/km
    assert np.isnan(minutes.array[5, 50]) and nearest.array[5, 50] == -1  # behind the wall
    assert set(np.unique(nearest.array)) == {-1, 7, 9}
    # Without ids, sources are numbered 1, 2, ... as the CLI and scenario runs number them (-1 stays "none").
    _, numbered, _ = accessplan.travel_time(friction, transform, "EPSG:32648", [(500050.0, 2299950.0), (502050.0, 2296050.0)])
    assert set(np.unique(numbered.array)) == {-1, 1, 2} and numbered.array[0, 0] == 1
    children = np.ones_like(friction)
    metrics = accessplan.access_metrics(children, minutes.array, 2.0)
    assert metrics["children"] == pytest.approx(40 * 60)
    assert metrics["unreachable"] == pytest.approx(40 * (60 - 45))  # the wall column is impassable, so unreachable too
    assert 0 < metrics["within_threshold"] < metrics["children"]


def test_computation_releases_the_gil():
    """A Python thread keeps running while travel time is computed."""
    friction = np.full((1500, 1500), 0.001, dtype=np.float32)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        accessplan.travel_time(friction, (0, 100, 0, 150000, 0, -100), "EPSG:32648", [(75000, 75000)])
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 5


def test_errors_are_the_clis(runs, tmp_path):
    bad = os.path.join(DATA, "bad_scenarios", sorted(os.listdir(os.path.join(DATA, "bad_scenarios")))[0])
    r = cli("validate", bad)
    assert r.returncode == 3
    with pytest.raises(accessplan.InputError) as e:
        accessplan.load_scenario(bad)
    assert str(e.value) in r.stderr
    assert issubclass(accessplan.InputError, accessplan.Error) and issubclass(accessplan.Error, RuntimeError)
    # An existing output folder is refused, as by the CLI, and left alone.
    with pytest.raises(accessplan.InputError, match="overwrite"):
        accessplan.Session().run(runs["baseline"], os.path.join(runs["tmp"], "py_base"))
    with pytest.raises(accessplan.InputError, match="geographic"):
        accessplan.travel_time(np.ones((3, 3), np.float32), (105, 0.01, 0, 21, 0, -0.01), "EPSG:4326", [(105.01, 20.99)])
    with pytest.raises(accessplan.InputError, match="north-up"):
        accessplan.travel_time(np.ones((3, 3), np.float32), (0, 100, 0, 0, 0, 100), "EPSG:32648", [(50, 50)])


def test_budget_as_text_like_the_cli(runs):
    """budget= takes what --budget takes ("10 tỷ") and refuses what it refuses, before anything is written."""
    # The demo's baseline has programmes, whose budgets budget= does not replace (as --budget): a what-if with one pot.
    with pytest.raises(accessplan.InputError, match="has programmes"):
        accessplan.Session().run(runs["baseline"], os.path.join(runs["tmp"], "py_bad"), budget="10 tỷ")
    assert not os.path.exists(os.path.join(runs["tmp"], "py_bad"))
    one_pot = os.path.join(os.path.dirname(runs["baseline"]), "one_pot.yaml")
    with open(one_pot, "w", encoding="utf-8") as f:
        f.write("schema_version: 1\nbase: baseline.yaml\nname: one pot\nranking: {budget: 60 tỷ}\n")
    ranked = accessplan.Session().run(one_pot, os.path.join(runs["tmp"], "py_ty"), budget="10 tỷ", maps=False)
    assert ranked["ranking"]["budget"] == 1e10 and ranked["ranking"]["single_budget"]
    assert [p["name"] for p in ranked["ranking"]["programmes"]] == ["all"]
    for bad, words in (("1,5", "decimal comma"), ("1.500 tỷ", "ambiguous"), ("60 lakh", "not a unit")):
        with pytest.raises(accessplan.InputError, match=words):
            accessplan.Session().run(runs["baseline"], os.path.join(runs["tmp"], "py_bad"), budget=bad)
        assert not os.path.exists(os.path.join(runs["tmp"], "py_bad"))
    with pytest.raises(accessplan.InputError, match="out of range"):
        accessplan.Session().run(runs["baseline"], os.path.join(runs["tmp"], "py_bad"), budget=-5.0)
