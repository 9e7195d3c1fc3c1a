#include "accessplan/geodata/vector_export.hpp"

#include <algorithm>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/gdal_env.hpp"
#include "accessplan/geodata/output.hpp"
#include "gdal_handles.hpp"

namespace fs = std::filesystem;

namespace accessplan::geodata {
namespace {

using detail::DatasetPtr;

std::vector<std::string> split_words(const std::string& name) {
    std::vector<std::string> words;
    std::string word;
    for (char c : name) {
        if (c == '_') {
            if (!word.empty()) words.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(word);
    return words;
}

std::string short_name(const std::string& name) {
    if (name.size() <= 10) return name;
    const auto words = split_words(name);
    for (std::size_t k = 10; k >= 1; --k) {
        std::string out;
        for (const auto& w : words) out += w.substr(0, k);
        if (out.size() <= 10) return out;
    }
    return name.substr(0, 10);
}

std::vector<std::string> field_names(OGRLayer& layer) {
    std::vector<std::string> names;
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    for (int f = 0; f < defn->GetFieldCount(); ++f) names.emplace_back(defn->GetFieldDefn(f)->GetNameRef());
    return names;
}

/// `layer` as a shapefile with the fields renamed to `short_names`. Written field by field rather than through
/// ogr2ogr: dBase numbers have a fixed width, and GDAL's default for reals (24.15) cannot hold a budget in VND; these
/// get 24.6. The .cpg says UTF-8 (Vietnamese names).
void write_shapefile(OGRLayer& layer, const fs::path& file, const std::vector<std::string>& short_names) {
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
    if (driver == nullptr) throw IoError("GDAL has no ESRI Shapefile driver; reinstall libgdal");
    DatasetPtr ds(driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw IoError("cannot create the shapefile: " + last_gdal_error());
    const char* options[] = {"ENCODING=UTF-8", nullptr};
    OGRLayer* out = ds->CreateLayer(file.stem().string().c_str(), layer.GetSpatialRef(), layer.GetGeomType(), const_cast<char**>(options));
    if (out == nullptr) throw IoError("cannot create the shapefile layer: " + last_gdal_error());
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    for (int f = 0; f < defn->GetFieldCount(); ++f) {
        OGRFieldDefn field(defn->GetFieldDefn(f));
        field.SetName(short_names[static_cast<std::size_t>(f)].c_str());
        if (field.GetType() == OFTReal) {
            field.SetWidth(24);
            field.SetPrecision(6);
        } else if (field.GetType() == OFTString) {
            field.SetWidth(254);  // dBase's longest
        }
        if (out->CreateField(&field) != OGRERR_NONE) throw IoError("cannot create field " + short_names[static_cast<std::size_t>(f)]);
    }
    std::vector<int> same_order(static_cast<std::size_t>(defn->GetFieldCount()));
    for (std::size_t f = 0; f < same_order.size(); ++f) same_order[f] = static_cast<int>(f);
    layer.ResetReading();
    for (auto& feature : layer) {
        OGRFeature copy(out->GetLayerDefn());
        if (copy.SetFrom(feature.get(), same_order.data(), FALSE) != OGRERR_NONE || out->CreateFeature(&copy) != OGRERR_NONE)
            throw IoError(fmt::format("cannot write feature {}: {}", feature->GetFID(), last_gdal_error()));
    }
    reset_gdal_error();
    ds.reset();
    if (!last_gdal_error().empty()) throw IoError("closing the shapefile failed: " + last_gdal_error());
}

/// The default QGIS style of `layer` in the GeoPackage's layer_styles table (QGIS's schema), or "" without one.
std::string default_style(GDALDataset& gpkg, const std::string& layer) {
    OGRLayer* table = gpkg.GetLayerByName("layer_styles");
    if (table == nullptr) return {};
    const OGRFeatureDefn* defn = table->GetLayerDefn();
    const int name = defn->GetFieldIndex("f_table_name"), qml = defn->GetFieldIndex("styleQML"),
              use = defn->GetFieldIndex("useAsDefault");
    if (name < 0 || qml < 0) return {};
    std::string found;
    table->ResetReading();
    for (auto& f : *table) {
        if (layer != f->GetFieldAsString(name)) continue;
        const bool is_default = use >= 0 && f->GetFieldAsInteger(use) != 0;
        if (found.empty() || is_default) found = f->GetFieldAsString(qml);
        if (is_default) break;
    }
    table->ResetReading();
    return found;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

std::string rename_qml_fields(const std::string& qml, const std::vector<std::pair<std::string, std::string>>& renamed) {
    // Each pattern ends with its closing quote, so that renaming `cost` leaves `cost_per_child` alone. All are
    // rewritten in one pass per name through a placeholder, so that a short name equal to another long name is not
    // renamed twice.
    std::string out = qml;
    for (std::size_t k = 0; k < renamed.size(); ++k) {
        const auto& [from, to] = renamed[k];
        const std::string mark = fmt::format("\x01{}\x01", k);
        for (const char* pattern : {"attr=\"{}\"", "fieldName=\"{}\"", "field=\"{}\"", "&quot;{}&quot;"})
            out = replace_all(out, fmt::format(fmt::runtime(pattern), from), fmt::format(fmt::runtime(pattern), mark));
    }
    for (std::size_t k = 0; k < renamed.size(); ++k)
        out = replace_all(out, fmt::format("\x01{}\x01", k), renamed[k].second);
    return out;
}

ExportFormat parse_export_format(const std::string& text) {
    if (text == "gpkg") return ExportFormat::gpkg;
    if (text == "geojson") return ExportFormat::geojson;
    if (text == "shp") return ExportFormat::shp;
    if (text == "csv") return ExportFormat::csv;
    throw InputError(fmt::format("--format {}: unknown format; use gpkg, geojson, shp or csv", text));
}

std::vector<std::string> shapefile_field_names(const std::vector<std::string>& fields) {
    std::vector<std::string> out;
    std::set<std::string> taken;
    for (const auto& f : fields) {
        std::string s = short_name(f);
        for (int n = 2; taken.count(s) != 0; ++n) {
            const std::string suffix = std::to_string(n);
            s = short_name(f).substr(0, 10 - suffix.size()) + suffix;
        }
        taken.insert(s);
        out.push_back(s);
    }
    return out;
}

std::vector<ExportedLayer> export_layers(const fs::path& gpkg, const fs::path& out_dir, ExportFormat format) {
    ensure_gdal();
    std::error_code ec;
    if (!fs::is_regular_file(gpkg, ec))
        throw InputError(fmt::format("{}: not found; give the results folder of an `accessplan run`", gpkg.string()));
    reset_gdal_error();
    DatasetPtr src(GDALDataset::Open(gpkg.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!src || std::string(src->GetDriver()->GetDescription()) != "GPKG")
        throw InputError(fmt::format("{}: not a readable GeoPackage ({}); the results folder is damaged: run the scenario again",
                                     gpkg.string(), last_gdal_error().empty() ? "unrecognised format" : last_gdal_error()));
    std::vector<ExportedLayer> exported;
    if (format == ExportFormat::gpkg) {
        const fs::path target = out_dir / gpkg.filename();
        const fs::path tmp = temporary_sibling(target);
        fs::copy_file(gpkg, tmp, fs::copy_options::overwrite_existing, ec);
        if (ec) throw IoError(fmt::format("{}: cannot copy to {}: {}", gpkg.string(), target.string(), ec.message()));
        commit_file(tmp, target);
        for (int i = 0; i < src->GetLayerCount(); ++i) {
            OGRLayer* l = src->GetLayer(i);
            if (l->GetGeomType() != wkbNone) exported.push_back({l->GetName(), target, l->GetFeatureCount(), {}});
        }
        return exported;
    }
    for (int i = 0; i < src->GetLayerCount(); ++i) {
        OGRLayer* layer = src->GetLayer(i);
        if (layer->GetGeomType() == wkbNone) continue;  // layer_styles
        const std::string name = layer->GetName();
        ExportedLayer out{name, {}, layer->GetFeatureCount(), {}};
        std::vector<std::string> args;
        switch (format) {
            case ExportFormat::geojson:
                out.file = out_dir / (name + ".geojson");
                args = {"-f", "GeoJSON", "-t_srs", "EPSG:4326", "-lco", "RFC7946=YES", "-lco", "WRITE_NAME=NO", name};
                break;
            case ExportFormat::csv:
                out.file = out_dir / (name + ".csv");
                args = {"-f", "CSV", "-lco", wkbFlatten(layer->GetGeomType()) == wkbPoint ? "GEOMETRY=AS_XY" : "GEOMETRY=AS_WKT",
                        "-lco", "LINEFORMAT=LF", name};
                break;
            case ExportFormat::shp: {
                out.file = out_dir / (name + ".shp");
                const auto longs = field_names(*layer);
                const auto shorts = shapefile_field_names(longs);
                std::string mapping = "field,shapefile_field\n";
                for (std::size_t f = 0; f < longs.size(); ++f) {
                    mapping += longs[f] + "," + shorts[f] + "\n";
                    if (longs[f] != shorts[f]) out.renamed.emplace_back(longs[f], shorts[f]);
                }
                write_text_file(out_dir / (name + ".fields.csv"), mapping);
                // QGIS loads <layer>.qml beside a shapefile as its style: the GeoPackage's, with the short names.
                if (const std::string qml = default_style(*src, name); !qml.empty())
                    write_text_file(out_dir / (name + ".qml"), rename_qml_fields(qml, out.renamed));
                break;
            }
            case ExportFormat::gpkg: break;
        }
        // Written beside the target and renamed (a shapefile's sidecars one by one).
        const fs::path tmp_dir = temporary_sibling(out_dir / name);
        fs::create_directories(tmp_dir);
        const fs::path tmp_file = tmp_dir / out.file.filename();
        reset_gdal_error();
        std::string why;
        if (format == ExportFormat::shp) {
            try {
                write_shapefile(*layer, tmp_file, shapefile_field_names(field_names(*layer)));
            } catch (const IoError& e) {
                why = e.what();
            }
        } else {
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            GDALVectorTranslateOptions* options = GDALVectorTranslateOptionsNew(argv.data(), nullptr);
            if (options == nullptr) throw InternalError(fmt::format("export {}: bad translate options: {}", name, last_gdal_error()));
            GDALDatasetH src_handle = GDALDataset::ToHandle(src.get());
            int usage_error = 0;
            GDALDatasetH dst = GDALVectorTranslate(tmp_file.string().c_str(), nullptr, 1, &src_handle, options, &usage_error);
            GDALVectorTranslateOptionsFree(options);
            if (dst != nullptr) GDALClose(dst);
            if (dst == nullptr || usage_error != 0 || !last_gdal_error().empty()) why = last_gdal_error();
        }
        if (!why.empty()) {
            fs::remove_all(tmp_dir, ec);
            throw IoError(fmt::format("{}: exporting layer {} as {} failed: {}", gpkg.string(), name, out.file.filename().string(), why));
        }
        for (const auto& e : fs::directory_iterator(tmp_dir)) commit_file(e.path(), out_dir / e.path().filename());
        fs::remove_all(tmp_dir, ec);
        exported.push_back(std::move(out));
    }
    return exported;
}

}  // namespace accessplan::geodata
