#include "accessplan/geodata/vector_write.hpp"

#include <system_error>

#include <cpl_conv.h>
#include <fmt/format.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/gdal_env.hpp"
#include "gdal_handles.hpp"
#include "grid_view.hpp"
#include "accessplan/geodata/output.hpp"

namespace fs = std::filesystem;

namespace accessplan::geodata {
namespace {
using detail::DatasetPtr;

OGRFieldType ogr_type(FieldType t) {
    switch (t) {
        case FieldType::integer: return OFTInteger64;
        case FieldType::real: return OFTReal;
        case FieldType::string: break;
    }
    return OFTString;
}
}  // namespace

void write_geopackage(const fs::path& path, const Crs& crs, const std::vector<OutLayer>& layers) {
    ensure_gdal();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (driver == nullptr) throw IoError("GDAL has no GPKG driver; reinstall libgdal");
    const fs::path tmp = temporary_sibling(path).replace_extension(".gpkg");
    reset_gdal_error();
    // Byte-identical files for identical contents: GDAL would stamp gpkg_contents.last_change with the clock (the
    // run's time is in run.json). The setter is thread-local, and leaves a value the user set (OGR_CURRENT_DATE).
    CPLConfigOptionSetter fixed_date("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z", true);
    DatasetPtr ds(driver->Create(tmp.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw IoError(fmt::format("{}: cannot create GeoPackage: {}", path.string(), last_gdal_error()));
    OGRSpatialReference srs = to_srs(crs);
    auto fail = [&](const std::string& what) {
        ds.reset();
        std::error_code ec;
        fs::remove(tmp, ec);
        throw IoError(fmt::format("{}: {}: {}", path.string(), what, last_gdal_error()));
    };
    for (const OutLayer& l : layers) {
        OGRLayer* layer = ds->CreateLayer(l.name.c_str(), &srs, l.geometry_type, nullptr);
        if (layer == nullptr) fail("cannot create layer " + l.name);
        for (const OutField& f : l.fields) {
            OGRFieldDefn defn(f.name.c_str(), ogr_type(f.type));
            if (layer->CreateField(&defn) != OGRERR_NONE) fail("cannot create field " + f.name);
        }
        if (layer->StartTransaction() != OGRERR_NONE) fail("cannot start a transaction");
        for (const OutFeature& of : l.features) {
            OGRFeature feature(layer->GetLayerDefn());
            for (std::size_t k = 0; k < of.values.size() && k < l.fields.size(); ++k) {
                const int idx = static_cast<int>(k);
                std::visit(
                    [&](const auto& v) {
                        using V = std::decay_t<decltype(v)>;
                        if constexpr (std::is_same_v<V, std::string>) feature.SetField(idx, v.c_str());
                        else if constexpr (std::is_same_v<V, std::int64_t>) feature.SetField(idx, static_cast<GIntBig>(v));
                        else if constexpr (std::is_same_v<V, double>) feature.SetField(idx, v);
                        else feature.SetFieldNull(idx);
                    },
                    of.values[k]);
            }
            if (of.geometry) feature.SetGeometry(of.geometry.get());
            if (layer->CreateFeature(&feature) != OGRERR_NONE) fail("cannot write a feature of layer " + l.name);
        }
        if (layer->CommitTransaction() != OGRERR_NONE) fail("cannot commit layer " + l.name);
    }
    reset_gdal_error();
    ds.reset();
    if (!last_gdal_error().empty()) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw IoError(fmt::format("{}: closing the GeoPackage failed: {}", path.string(), last_gdal_error()));
    }
    commit_file(tmp, path);
}

void write_layer_styles(const fs::path& gpkg, const std::vector<LayerStyle>& styles) {
    ensure_gdal();
    const fs::path tmp = temporary_sibling(gpkg).replace_extension(".gpkg");
    std::error_code ec;
    fs::copy_file(gpkg, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec) throw IoError(fmt::format("{}: cannot copy it to add styles: {}", gpkg.string(), ec.message()));
    CPLConfigOptionSetter fixed_date("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z", true);  // as write_geopackage
    reset_gdal_error();
    DatasetPtr ds(GDALDataset::Open(tmp.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    auto fail = [&](const std::string& what) {
        ds.reset();
        fs::remove(tmp, ec);
        throw IoError(fmt::format("{}: {}: {}", gpkg.string(), what, last_gdal_error()));
    };
    if (!ds) fail("cannot open the GeoPackage to add styles");
    // QGIS's schema (QgsOgrProviderUtils, "layer_styles"): it finds a layer's default style by table name, an empty
    // catalog and schema, the geometry column and useAsDefault.
    OGRLayer* table = ds->GetLayerByName("layer_styles");
    if (table == nullptr) {
        table = ds->CreateLayer("layer_styles", nullptr, wkbNone, nullptr);
        if (table == nullptr) fail("cannot create the layer_styles table");
        const std::pair<const char*, OGRFieldType> fields[] = {
            {"f_table_catalog", OFTString}, {"f_table_schema", OFTString}, {"f_table_name", OFTString},
            {"f_geometry_column", OFTString}, {"styleName", OFTString}, {"styleQML", OFTString},
            {"styleSLD", OFTString}, {"useAsDefault", OFTInteger}, {"description", OFTString},
            {"owner", OFTString}, {"ui", OFTString}, {"update_time", OFTDateTime}};
        for (const auto& [name, type] : fields) {
            OGRFieldDefn defn(name, type);
            if (type == OFTInteger) defn.SetSubType(OFSTBoolean);
            if (table->CreateField(&defn) != OGRERR_NONE) fail(fmt::format("cannot create field layer_styles.{}", name));
        }
    }
    if (table->StartTransaction() != OGRERR_NONE) fail("cannot start a transaction");
    for (const LayerStyle& st : styles) {
        OGRLayer* layer = ds->GetLayerByName(st.layer.c_str());
        if (layer == nullptr) fail(fmt::format("no layer {} to style", st.layer));
        OGRFeature f(table->GetLayerDefn());
        f.SetField("f_table_catalog", "");
        f.SetField("f_table_schema", "");
        f.SetField("f_table_name", st.layer.c_str());
        f.SetField("f_geometry_column", layer->GetGeometryColumn());
        f.SetField("styleName", st.name.c_str());
        f.SetField("styleQML", st.qml.c_str());
        f.SetField("styleSLD", "");
        f.SetField("useAsDefault", 1);
        f.SetField("description", st.description.c_str());
        f.SetField("owner", "accessplan");
        f.SetField("ui", "");
        if (table->CreateFeature(&f) != OGRERR_NONE) fail("cannot write the style of layer " + st.layer);
    }
    if (table->CommitTransaction() != OGRERR_NONE) fail("cannot commit the styles");
    reset_gdal_error();
    ds.reset();
    if (!last_gdal_error().empty()) {
        fs::remove(tmp, ec);
        throw IoError(fmt::format("{}: closing the GeoPackage failed: {}", gpkg.string(), last_gdal_error()));
    }
    commit_file(tmp, gpkg);
}

namespace {

template <typename T>
std::map<std::int32_t, std::unique_ptr<OGRGeometry>> polygonize_cells(const Grid<T>& zones) {
    ensure_gdal();
    // GDAL reads the grid itself (no in-memory copy: a national grid of ids is half a gigabyte); 0 is nodata, masked.
    RasterWriteOptions nodata;
    nodata.nodata = 0.0;
    detail::GridView<T> raster(zones.spec(), {&zones}, {""}, nodata);
    GDALRasterBand* band = raster.GetRasterBand(1);
    GDALDriver* memv = GetGDALDriverManager()->GetDriverByName("Memory");
    DatasetPtr vec(memv->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* layer = vec->CreateLayer("zones", nullptr, wkbPolygon, nullptr);
    OGRFieldDefn field("value", OFTInteger);
    layer->CreateField(&field);
    const char* options[] = {"8CONNECTED=8", nullptr};
    reset_gdal_error();
    if (GDALPolygonize(band, band->GetMaskBand(), layer, 0, const_cast<char**>(options), nullptr, nullptr) != CE_None)
        throw IoError(fmt::format("polygonize failed: {}", last_gdal_error()));
    std::map<std::int32_t, std::unique_ptr<OGRMultiPolygon>> parts;
    layer->ResetReading();
    while (OGRFeature* raw = layer->GetNextFeature()) {
        std::unique_ptr<OGRFeature, void (*)(OGRFeature*)> f(raw, OGRFeature::DestroyFeature);
        const std::int32_t value = f->GetFieldAsInteger(0);
        if (value == 0 || f->GetGeometryRef() == nullptr) continue;
        auto& mp = parts[value];
        if (!mp) mp = std::make_unique<OGRMultiPolygon>();
        mp->addGeometry(f->GetGeometryRef());
    }
    std::map<std::int32_t, std::unique_ptr<OGRGeometry>> result;
    for (auto& [value, mp] : parts) {
        // Pieces of one zone touch only along edges or corners: UnionCascaded dissolves the shared edges.
        std::unique_ptr<OGRGeometry> merged(mp->UnionCascaded());
        result[value] = merged ? std::move(merged) : std::unique_ptr<OGRGeometry>(mp.release());
    }
    return result;
}

}  // namespace

std::map<std::int32_t, std::unique_ptr<OGRGeometry>> polygonize(const Grid<std::int32_t>& zones) { return polygonize_cells(zones); }
std::map<std::int32_t, std::unique_ptr<OGRGeometry>> polygonize(const Grid<std::uint8_t>& zones) { return polygonize_cells(zones); }

}  // namespace accessplan::geodata
