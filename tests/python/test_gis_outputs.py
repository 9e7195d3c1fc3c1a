"""GIS outputs as GIS software sees them: GDAL's own COG validator, and QGIS (headless) opening access.gpkg, the
travel-time rasters and the exported shapefiles with accessplan's styles, and rendering them over a known background
to check what a GIS officer would see, pixel by pixel. Run by ctest with Debian's /usr/bin/python3 and pytest;
ACCESSPLAN_BINARY names the accessplan program. With ACCESSPLAN_TEST_PNG_DIR set, the rendered pictures are saved
there to look at."""

import os
import subprocess
import tempfile

import numpy as np
import pytest
from osgeo import gdal

gdal.UseExceptions()

BACKGROUND = (255, 0, 255)  # magenta: in none of accessplan's palettes


def results_dir(out):
    """The results folder of `accessplan demo --out out` (the one place that knows the demo's layout)."""
    baseline = os.path.join(out, "results", "baseline")
    return baseline if os.path.isdir(baseline) else out


@pytest.fixture(scope="module")
def results():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "demo")
        subprocess.run([os.environ["ACCESSPLAN_BINARY"], "demo", "-q", "--out", out], check=True)
        yield results_dir(out)


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


def vector_layer(core, path, name=None):
    uri = f"{path}|layername={name}" if name else path
    layer = core.QgsVectorLayer(uri, name or os.path.basename(path), "ogr")
    assert layer.isValid(), uri
    return layer


def gpkg_layer(core, results, name):
    return vector_layer(core, os.path.join(results, "access.gpkg"), name)


def render(core, layers, extent, size, picture=None):
    """The layers (the first on top) drawn by QGIS over BACKGROUND, as an RGBA array, with the settings used."""
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor, QImage

    settings = core.QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor(*BACKGROUND))
    job = core.QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage().convertToFormat(QImage.Format_RGBA8888)
    if picture and os.environ.get("ACCESSPLAN_TEST_PNG_DIR"):
        image.save(os.path.join(os.environ["ACCESSPLAN_TEST_PNG_DIR"], picture + ".png"))
    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    rows = np.frombuffer(bits, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[:, :, :3].copy(), settings


def pixel_of(settings, x, y):
    p = settings.mapToPixel().transform(x, y)
    return int(p.y()), int(p.x())


def is_background(rgb):
    return tuple(int(v) for v in rgb) == BACKGROUND


def interior(mask):
    """Cells of mask whose eight neighbours are in it too (away from edges, where pixels blend)."""
    inner = mask.copy()
    inner[0, :] = inner[-1, :] = inner[:, 0] = inner[:, -1] = False
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            inner &= np.roll(np.roll(mask, dr, axis=0), dc, axis=1)
    return inner


def test_qgis_opens_the_layers_with_their_styles(results, qgis_app):
    core = qgis_app
    facilities = gpkg_layer(core, results, "facilities")
    renderer = facilities.renderer()
    assert renderer.type() == "categorizedSymbol"
    assert renderer.classAttribute() == "type"
    values = {c.value() for c in renderer.categories()}
    assert {"primary_school", "swimming_pool", "commune_health_station"} <= values

    for name in ("zones", "gaps", "no_access", "ranking"):
        layer = gpkg_layer(core, results, name)
        assert layer.renderer().type() == "RuleRenderer", name

    ranking = gpkg_layer(core, results, "ranking")
    assert ranking.labelsEnabled()
    assert ranking.labeling().settings().fieldName == "rank"
    fields = set(ranking.fields().names())
    assert {"cost", "capacity", "zone_code", "zone_name", "cost_per_child"} <= fields
    for f in ranking.getFeatures():
        assert f["cost_per_child"] == pytest.approx(f["cost"] / f["children_new"])
        assert f["zone_code"] and f["zone_name"]  # the demo has zones

    border = gpkg_layer(core, results, "national_border")
    assert border.renderer().type() == "singleSymbol"
    assert border.renderer().symbol().symbolLayer(0).layerType() == "SimpleLine"
    area = gpkg_layer(core, results, "study_area")
    assert area.renderer().symbol().symbolLayer(0).brushStyle() == 0  # Qt.NoBrush: the outline only


def test_qgis_styles_travel_time_rasters_by_threshold(results, qgis_app):
    core = qgis_app
    layer = core.QgsRasterLayer(os.path.join(results, "rasters", "travel_time_primary_school.tif"), "t")
    assert layer.isValid()
    renderer = layer.renderer()
    assert renderer.type() == "singlebandpseudocolor"
    assert not renderer.nodataColor().isValid()  # no colour: transparent
    items = renderer.shader().rasterShaderFunction().colorRampItemList()
    assert [round(i.value, 3) for i in items[:-1]] == [15, 30, 60, 120, 240, 480]  # T/2, T, then doubling to 16 T


def test_travel_time_rendered_sea_transparent_unreachable_grey(results, qgis_app):
    """The travel-time raster and the no_access layer over a magenta background: the sea and land beyond the study
    area show the background, unreachable land the no-access grey, cells within reach the first blue class."""
    core = qgis_app
    service = "primary_school"
    tif = os.path.join(results, "rasters", f"travel_time_{service}.tif")
    raster = core.QgsRasterLayer(tif, "travel time")
    no_access = gpkg_layer(core, results, "no_access")
    dataset = gdal.Open(tif)  # kept open while its band is used (GDAL < 3.8 bands do not hold their dataset)
    band = dataset.GetRasterBand(1)
    minutes, nodata, gt = band.ReadAsArray(), band.GetNoDataValue(), dataset.GetGeoTransform()
    land = gdal.Open(os.path.join(results, "rasters", "land.tif")).ReadAsArray()
    first = raster.renderer().shader().rasterShaderFunction().colorRampItemList()[0]
    grey = no_access.renderer().rootRule().children()[0].symbol().color()
    assert grey.red() == grey.green() == grey.blue() < 128  # a dark neutral grey, as on the maps

    rows, cols = minutes.shape
    scale = 3  # pixels per cell
    image, settings = render(core, [raster, no_access], raster.extent(), (cols * scale, rows * scale),
                             f"travel_time_{service}_over_magenta")

    def colour_at(cell):
        r, c = cell
        return image[pixel_of(settings, gt[0] + (c + 0.5) * gt[1], gt[3] + (r + 0.5) * gt[5])]

    def some(mask, what):
        cells = np.argwhere(mask)
        assert len(cells) > 0, f"the demo has no {what}"
        return [tuple(cells[i]) for i in np.linspace(0, len(cells) - 1, 25).astype(int)]

    unreached = minutes == nodata
    for cell in some(interior(land == 0) & unreached, "sea"):
        assert is_background(colour_at(cell)), f"sea cell {cell}: {colour_at(cell)}"
    for cell in some(interior(land == 1) & unreached, "land beyond the study area"):
        assert is_background(colour_at(cell)), f"cell beyond the study area {cell}: {colour_at(cell)}"
    for cell in some((land == 2) & unreached, "unreachable land"):
        assert tuple(colour_at(cell)) == (grey.red(), grey.green(), grey.blue()), f"unreachable cell {cell}"
    within = interior((land == 2) & ~unreached & (minutes <= first.value))
    blue = first.color
    for cell in some(within, "cell within the first class"):
        assert tuple(colour_at(cell)) == (blue.red(), blue.green(), blue.blue()), f"cell {cell}: {minutes[cell]} min"


def filtered(core, layer, expression):
    """The features of `layer` matching `expression` in a memory layer, with `layer`'s style. (Not setSubsetString:
    in QGIS 3.22, a GeoPackage layer with a subset stops other layers of the file loading their default styles.)"""
    copy = layer.materialize(core.QgsFeatureRequest().setFilterExpression(expression))
    copy.setRenderer(layer.renderer().clone())
    if layer.labeling():
        copy.setLabeling(layer.labeling().clone())
        copy.setLabelsEnabled(layer.labelsEnabled())
    return copy


def group_rules(layer):
    return {r.label(): r for r in layer.renderer().rootRule().children()}


@pytest.mark.parametrize("name", ["gaps", "no_access", "ranking"])
def test_layers_of_several_services_draw_one_at_a_time(results, qgis_app, name):
    """Drawn as it opens, a layer of several services is drawn exactly as its first service's features alone (labels
    too); the other services are drawn once ticked in the legend."""
    core = qgis_app
    layer = gpkg_layer(core, results, name)
    services = sorted({f["service"] for f in layer.getFeatures()})
    assert len(services) >= 2, f"the demo's {name} layer should hold several services"
    rules = group_rules(layer)
    ticked = [label for label, r in rules.items() if r.active()]
    assert len(ticked) == 1 and ticked[0] in services
    shown = ticked[0]
    extent, size = layer.extent(), (900, 900)
    everything, _ = render(core, [layer], extent, size, f"{name}_as_opened")
    only_shown, _ = render(core, [filtered(core, layer, f"\"service\" = '{shown}'")], extent, size)
    assert not np.all(everything == BACKGROUND), f"{name}: nothing drawn"
    assert np.array_equal(everything, only_shown), f"{name}: more than {shown} drawn"

    other = next(s for s in services if s != shown)
    rest = filtered(core, layer, f"\"service\" <> '{shown}'")
    hidden, _ = render(core, [rest], extent, size)
    assert np.all(hidden == BACKGROUND), f"{name}: unticked services drawn"
    renderer = rest.renderer()
    renderer.checkLegendSymbolItem(group_rules(rest)[other].ruleKey(), True)
    ticked_other, _ = render(core, [rest], extent, size, f"{name}_{other}_ticked")
    assert not np.all(ticked_other == BACKGROUND), f"{name}: ticking {other} draws nothing"


def fill_of(core, group, feature):
    """The fill colour and opacity the group rule's first matching child rule gives the feature."""
    for rule in group.children():
        context = core.QgsExpressionContext()
        context.setFeature(feature)
        if core.QgsExpression(rule.filterExpression()).evaluate(context):
            return rule.symbol().color(), rule.symbol().opacity()
    raise AssertionError(f"no rule of {group.label()} matches zone {feature['zone_code']}")


def test_zones_show_the_first_service_and_switch_in_the_legend(results, qgis_app):
    core = qgis_app
    layer = gpkg_layer(core, results, "zones")
    rules = group_rules(layer)
    assert [label for label, r in rules.items() if r.active()] == ["primary_school"]
    # A large zone whose class differs between primary schools and pools.
    zones = sorted(layer.getFeatures(), key=lambda f: -f.geometry().area())
    zone = next(f for f in zones if fill_of(core, rules["primary_school"], f)[0] != fill_of(core, rules["swimming_pool"], f)[0])
    centre = zone.geometry().poleOfInaccessibility(10.0)[0].asPoint()
    extent, size = layer.extent(), (900, 900)

    def seen(picture):
        image, settings = render(core, [layer], extent, size, picture)
        return tuple(int(v) for v in image[pixel_of(settings, centre.x(), centre.y())])

    def blended(service):
        colour, opacity = fill_of(core, rules[service], zone)
        return tuple(round(opacity * c + (1 - opacity) * b)
                     for c, b in zip((colour.red(), colour.green(), colour.blue()), BACKGROUND))

    assert np.allclose(seen("zones_as_opened"), blended("primary_school"), atol=3)
    layer.renderer().checkLegendSymbolItem(rules["primary_school"].ruleKey(), False)
    layer.renderer().checkLegendSymbolItem(rules["swimming_pool"].ruleKey(), True)
    assert np.allclose(seen("zones_swimming_pool_ticked"), blended("swimming_pool"), atol=3)


def referenced_fields(core, layer):
    """Every field a layer's style names: classification, rule filters, labels."""
    renderer, names = layer.renderer(), set()
    if renderer.type() in ("categorizedSymbol", "graduatedSymbol"):
        names.add(renderer.classAttribute())
    if renderer.type() == "RuleRenderer":
        pending = list(renderer.rootRule().children())
        while pending:
            rule = pending.pop()
            pending.extend(rule.children())
            if rule.filterExpression():
                expression = core.QgsExpression(rule.filterExpression())
                assert not expression.hasParserError(), rule.filterExpression()
                names |= expression.referencedColumns()
    if layer.labelsEnabled():
        names.add(layer.labeling().settings().fieldName)
    return names


def test_shapefile_exports_ship_styles_with_short_field_names(results, qgis_app, tmp_path):
    """`accessplan export --format shp` writes <layer>.qml beside each shapefile; QGIS loads it, every field it names
    exists under the short name, and the shapefile draws exactly as the GeoPackage's layer."""
    core = qgis_app
    out = tmp_path / "shp"
    subprocess.run([os.environ["ACCESSPLAN_BINARY"], "export", results, str(out), "--format", "shp"], check=True,
                   capture_output=True)
    shapefiles = sorted(p for p in os.listdir(out) if p.endswith(".shp"))
    assert {"zones.shp", "gaps.shp", "no_access.shp", "ranking.shp", "facilities.shp"} <= set(shapefiles)
    for shp in shapefiles:
        name = shp[:-4]
        assert (out / f"{name}.qml").exists(), name
        exported = vector_layer(core, str(out / shp))
        original = gpkg_layer(core, results, name)
        assert exported.renderer().type() == original.renderer().type(), name
        fields = set(exported.fields().names())
        used = referenced_fields(core, exported)
        assert used <= fields, f"{name}: the style names {used - fields}, not fields of {shp}"
        if name == "zones":
            assert "prscpcwi" in used  # primary_school_pct_within, shortened
        extent, size = original.extent(), (700, 700)
        a, _ = render(core, [original], extent, size)
        b, _ = render(core, [exported], extent, size, f"shapefile_{name}")
        assert not np.all(a == BACKGROUND) or name == "national_border", f"{name}: nothing drawn"
        # Equal but for antialiasing at edges (the shapefile's vertices are not the GeoPackage's bit for bit).
        differ = np.any(np.abs(a.astype(int) - b) > 3, axis=2)
        assert not differ.any(), f"{name}: the shapefile draws differently ({differ.sum()} pixels)"
