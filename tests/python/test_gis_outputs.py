"""GIS outputs as GIS software sees them: GDAL's own COG validator, and QGIS (headless) opening access.gpkg and the
travel-time rasters with accessplan's styles. Run by ctest with Debian's /usr/bin/python3 and pytest; ACCESSPLAN_BINARY
names the accessplan program."""

import os
import subprocess
import tempfile

import pytest
from osgeo import gdal

gdal.UseExceptions()


@pytest.fixture(scope="module")
def results():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "demo")
        subprocess.run([os.environ["ACCESSPLAN_BINARY"], "demo", "-q", "--out", out], check=True)
        yield os.path.join(out, "results", "baseline")


def test_rasters_pass_gdal_cog_validation(results):
    validate = pytest.importorskip("osgeo_utils.samples.validate_cloud_optimized_geotiff")
    tifs = sorted(f for f in os.listdir(os.path.join(results, "rasters")) if f.endswith(".tif"))
    assert len(tifs) >= 15
    for name in tifs:
        warnings, errors, _ = validate.validate(os.path.join(results, "rasters", name), full_check=True)
        assert errors == [], f"{name}: {errors}"
        assert warnings == [], f"{name}: {warnings}"


@pytest.fixture(scope="module")
def qgis_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    core = pytest.importorskip("qgis.core", reason="python3-qgis is not installed")
    app = core.QgsApplication([], False)
    app.initQgis()
    yield core
    app.exitQgis()


def vector_layer(core, results, name):
    layer = core.QgsVectorLayer(f"{os.path.join(results, 'access.gpkg')}|layername={name}", name, "ogr")
    assert layer.isValid(), name
    return layer


def test_qgis_opens_the_layers_with_their_styles(results, qgis_app):
    core = qgis_app
    facilities = vector_layer(core, results, "facilities")
    renderer = facilities.renderer()
    assert renderer.type() == "categorizedSymbol"
    assert renderer.classAttribute() == "type"
    values = {c.value() for c in renderer.categories()}
    assert {"primary_school", "swimming_pool", "commune_health_station"} <= values

    zones = vector_layer(core, results, "zones")
    assert zones.renderer().type() == "graduatedSymbol"
    assert zones.renderer().classAttribute() == "primary_school_pct_within"
    assert len(zones.renderer().ranges()) == 5

    gaps = vector_layer(core, results, "gaps")
    assert gaps.renderer().type() == "categorizedSymbol"
    assert gaps.renderer().classAttribute() == "area_class"

    ranking = vector_layer(core, results, "ranking")
    assert ranking.labelsEnabled()
    assert ranking.labeling().settings().fieldName == "rank"

    border = vector_layer(core, results, "national_border")
    assert border.renderer().type() == "singleSymbol"
    assert border.renderer().symbol().symbolLayer(0).layerType() == "SimpleLine"
    area = vector_layer(core, results, "study_area")
    assert area.renderer().symbol().symbolLayer(0).brushStyle() == 0  # Qt.NoBrush: the outline only


def test_qgis_styles_travel_time_rasters_by_threshold(results, qgis_app):
    core = qgis_app
    layer = core.QgsRasterLayer(os.path.join(results, "rasters", "travel_time_primary_school.tif"), "t")
    assert layer.isValid()
    renderer = layer.renderer()
    assert renderer.type() == "singlebandpseudocolor"
    items = renderer.shader().rasterShaderFunction().colorRampItemList()
    assert [round(i.value, 3) for i in items[:-1]] == [15, 30, 45, 60, 90]
