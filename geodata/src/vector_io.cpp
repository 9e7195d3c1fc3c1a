#include "accessplan/geodata/vector_io.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <set>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gdal_priv.h>
#include <ogr_api.h>
#include <ogrsf_frmts.h>

#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/utf8.hpp"
#include "accessplan/geodata/gdal_env.hpp"
#include "gdal_handles.hpp"

namespace fs = std::filesystem;

namespace accessplan::geodata {
namespace {

using detail::DatasetPtr;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool is_csv(const fs::path& path) { return lower(path.extension().string()) == ".csv"; }

const std::set<std::string>& lon_names() {
    static const std::set<std::string> names{"lon", "long", "longitude", "lng"};
    return names;
}
const std::set<std::string>& lat_names() {
    static const std::set<std::string> names{"lat", "latitude"};
    return names;
}

DatasetPtr open_vector(const fs::path& path, bool csv_geometry = true) {
    ensure_gdal();
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw InputError(fmt::format("{}: file not found; check the path (relative paths are taken from the "
                                     "current folder or the scenario file's folder)", path.string()));
    std::vector<const char*> open_options;
    if (is_csv(path) && csv_geometry) {
        open_options = {"X_POSSIBLE_NAMES=x,lon,long,longitude,lng,easting", "Y_POSSIBLE_NAMES=y,lat,latitude,northing",
                        "KEEP_GEOM_COLUMNS=YES", "AUTODETECT_TYPE=YES"};
    }
    open_options.push_back(nullptr);
    reset_gdal_error();
    DatasetPtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                    open_options.data(), nullptr));
    if (!ds)
        throw InputError(fmt::format("{}: not a readable vector file ({}); expected GeoPackage, GeoJSON, Shapefile, "
                                     "CSV with x/y or lon/lat columns, or OpenStreetMap .osm.pbf",
                                     path.string(), last_gdal_error().empty() ? "unrecognised format" : last_gdal_error()));
    return ds;
}

OGRLayer* pick_layer(GDALDataset& ds, const fs::path& path, const std::string& name) {
    if (ds.GetLayerCount() == 0) throw InputError(fmt::format("{}: the file has no layers", path.string()));
    if (name.empty()) return ds.GetLayer(0);
    if (OGRLayer* layer = ds.GetLayerByName(name.c_str())) return layer;
    std::vector<std::string> names;
    for (int i = 0; i < ds.GetLayerCount(); ++i) names.emplace_back(ds.GetLayer(i)->GetName());
    throw InputError(fmt::format("{}: no layer '{}'; the file has: {}", path.string(), name, fmt::join(names, ", ")));
}

std::map<std::string, std::string> attributes_of(OGRFeature& feature) {
    std::map<std::string, std::string> attrs;
    for (int i = 0; i < feature.GetFieldCount(); ++i) {
        if (!feature.IsFieldSetAndNotNull(i)) continue;
        attrs[feature.GetFieldDefnRef(i)->GetNameRef()] = feature.GetFieldAsString(i);
    }
    return attrs;
}

/// OGR's CSV driver reads coordinates its own way: "501,500" as 501.5 (a decimal comma) and " 107.25 " with a warning.
/// The coordinate columns of the features read, opened again as plain text, must be numbers as engine/numbers.hpp reads
/// them (empty ones are left to read_points: "no geometry").
void check_csv_coordinates(const fs::path& path, const std::string& layer_name, const std::set<std::int64_t>& fids) {
    DatasetPtr raw = open_vector(path, false);
    OGRLayer* layer = pick_layer(*raw, path, layer_name);
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    std::vector<int> columns;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const std::string n = lower(defn->GetFieldDefn(i)->GetNameRef());
        if (lon_names().count(n) || lat_names().count(n) || n == "x" || n == "easting" || n == "y" || n == "northing")
            columns.push_back(i);
    }
    layer->ResetReading();
    while (OGRFeature* next = layer->GetNextFeature()) {
        std::unique_ptr<OGRFeature, void (*)(OGRFeature*)> f(next, OGRFeature::DestroyFeature);
        if (!fids.count(f->GetFID())) continue;
        for (int i : columns) {
            const std::string text = f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "";
            if (text.empty()) continue;
            NumberRule rule{fmt::format("{}: feature {}: {}", path.string(), f->GetFID(), defn->GetFieldDefn(i)->GetNameRef())};
            rule.expected = "a coordinate";
            parse_number(text, rule);
        }
    }
}

/// The CRS a layer's coordinates are in: the file's own (options.crs must agree), else options.crs, else for CSVs WGS 84
/// for lon/lat columns and csv_xy_crs (said in options.notes) for x/y; `assumed` tells the last case.
Crs layer_crs(OGRLayer& layer, const fs::path& path, const ReadOptions& options, bool* assumed = nullptr) {
    if (const OGRSpatialReference* srs = layer.GetSpatialRef()) {
        if (options.crs) {
            const OGRSpatialReference said = to_srs(*options.crs);
            if (!srs->IsSame(&said))
                throw InputError(fmt::format("{}: layer '{}' declares {}, but crs: says {}; crs: is for files that declare "
                                             "none (a CSV, a shapefile without .prj): remove it, or fix the file's CRS",
                                             path.string(), layer.GetName(), crs_from_srs(*srs).label(), options.crs->label()));
        }
        return crs_from_srs(*srs);
    }
    if (options.crs) return *options.crs;
    if (is_csv(path)) {
        OGRFeatureDefn* defn = layer.GetLayerDefn();
        bool has_lon = false, has_lat = false, has_x = false, has_y = false, x_first = false;
        std::vector<std::string> fields;
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            const std::string n = lower(defn->GetFieldDefn(i)->GetNameRef());
            fields.push_back(defn->GetFieldDefn(i)->GetNameRef());
            has_lon |= lon_names().count(n) > 0;
            has_lat |= lat_names().count(n) > 0;
            x_first |= (n == "x" || n == "easting") && !has_lon;
            has_x |= n == "x" || n == "easting";
            has_y |= n == "y" || n == "northing";
        }
        if (has_lon && has_lat) {
            // (OGR takes the geometry from the first coordinate column: x/y before lon/lat, as in ranking.csv, are not
            // degrees, so they are not checked as such.)
            if (assumed && x_first) *assumed = true;
            return wgs84();
        }
        if (has_x && has_y) {
            if (options.csv_xy_crs) {
                if (options.notes)
                    options.notes->push_back(fmt::format(
                        "{}: its x/y columns carry no CRS and were read as {} (the analysis grid's); if they are in "
                        "another (VN-2000 / TM-3 of the province, say), give it with crs: (e.g. crs: EPSG:9210 for "
                        "VN-2000 / TM-3 105-45)", path.string(), options.csv_xy_crs->label()));
                if (assumed) *assumed = true;
                return *options.csv_xy_crs;
            }
            throw InputError(fmt::format("{}: x/y columns carry no CRS; give coordinates as lon/lat columns "
                                         "(WGS 84) or say which CRS x/y are in (crs:)", path.string()));
        }
        throw InputError(fmt::format("{}: no coordinate columns; expected x,y (in the analysis CRS) or lon,lat "
                                     "(WGS 84) columns, found: {}", path.string(), fmt::join(fields, ", ")));
    }
    throw InputError(fmt::format("{}: layer '{}' has no coordinate reference system; assign one, e.g. "
                                 "ogr2ogr -a_srs EPSG:4326 fixed.gpkg input.shp (.prj file missing?)",
                                 path.string(), layer.GetName()));
}

std::unique_ptr<OGRGeometry> clean_geometry(const OGRGeometry& g, bool make_valid) {
    std::unique_ptr<OGRGeometry> copy(g.clone());
    const OGRwkbGeometryType flat = wkbFlatten(copy->getGeometryType());
    if (make_valid && (flat == wkbPolygon || flat == wkbMultiPolygon) && !copy->IsValid()) {
        if (OGRGeometry* fixed = copy->MakeValid()) copy.reset(fixed);
    }
    return copy;
}

}  // namespace

std::string Feature::attribute(const std::string& key, const std::string& fallback) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? fallback : it->second;
}

bool is_vector(const fs::path& path) {
    ensure_gdal();
    reset_gdal_error();
    DatasetPtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    return ds && ds->GetLayerCount() > 0;
}

VectorInfo read_vector_info(const fs::path& path) {
    DatasetPtr ds = open_vector(path);
    VectorInfo info;
    info.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    const bool osm = info.driver == "OSM";
    for (int i = 0; i < ds->GetLayerCount(); ++i) {
        OGRLayer* layer = ds->GetLayer(i);
        VectorLayerInfo li;
        li.name = layer->GetName();
        li.geometry_type = OGRGeometryTypeToName(layer->GetGeomType());
        if (!osm) li.feature_count = layer->GetFeatureCount(TRUE);
        if (const OGRSpatialReference* srs = layer->GetSpatialRef()) li.crs = crs_from_srs(*srs);
        OGRFeatureDefn* defn = layer->GetLayerDefn();
        for (int f = 0; f < defn->GetFieldCount(); ++f)
            li.fields.push_back({defn->GetFieldDefn(f)->GetNameRef(),
                                 OGRFieldDefn::GetFieldTypeName(defn->GetFieldDefn(f)->GetType())});
        OGREnvelope env;
        if (!osm && layer->GetExtent(&env, TRUE) == OGRERR_NONE)
            li.extent = std::array<double, 4>{env.MinX, env.MinY, env.MaxX, env.MaxY};
        info.layers.push_back(std::move(li));
    }
    if (osm) {
        // The OSM driver reads the whole file once for counts: do it, interleaved, as GDAL recommends.
        std::map<std::string, std::int64_t> counts;
        OGRLayer* layer = nullptr;
        while (OGRFeature* f = ds->GetNextFeature(&layer, nullptr, nullptr, nullptr)) {
            ++counts[layer->GetName()];
            OGRFeature::DestroyFeature(f);
        }
        for (auto& li : info.layers) li.feature_count = counts[li.name];
    }
    return info;
}

std::vector<Feature> read_features(const fs::path& path, const Crs& target, const ReadOptions& options) {
    DatasetPtr ds = open_vector(path);
    OGRLayer* layer = pick_layer(*ds, path, options.layer);
    bool assumed = false;
    const Crs source = layer_crs(*layer, path, options, &assumed);
    OGRSpatialReference src_srs = to_srs(source);
    OGRSpatialReference dst_srs = to_srs(target);
    std::unique_ptr<OGRCoordinateTransformation> ct;
    if (!src_srs.IsSame(&dst_srs)) {
        ct.reset(OGRCreateCoordinateTransformation(&src_srs, &dst_srs));
        if (!ct) throw IoError(fmt::format("{}: cannot transform {} -> {}: {}", path.string(), source.label(),
                                           target.label(), last_gdal_error()));
    }
    if (!options.where.empty()) {
        reset_gdal_error();
        if (layer->SetAttributeFilter(options.where.c_str()) != OGRERR_NONE) {
            // The layer's fields, for a misspelt one.
            std::vector<std::string> fields;
            OGRFeatureDefn* defn = layer->GetLayerDefn();
            for (int i = 0; i < defn->GetFieldCount(); ++i) fields.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
            throw InputError(fmt::format("{}: the filter \"{}\" is not valid OGR SQL ({}); its fields are {}; e.g. "
                                         "kind IN ('city','town')", path.string(), options.where, last_gdal_error(),
                                         fields.empty() ? std::string("none") : fmt::format("{}", fmt::join(fields, ", "))));
        }
    }
    std::vector<Feature> features;
    std::set<std::int64_t> fids;
    layer->ResetReading();
    std::size_t failed = 0;
    // Points of a CSV in degrees beyond ±90 latitude or ±180 longitude, by the file's line (OGR numbers a CSV's rows
    // from 1 after its header line): swapped columns, most likely.
    const bool csv_degrees = is_csv(path) && src_srs.IsGeographic() && !assumed;  // (x/y in an assumed CRS: not degrees)
    std::vector<std::string> off_earth;
    std::size_t swapped = 0, off_count = 0;
    while (OGRFeature* raw = layer->GetNextFeature()) {
        std::unique_ptr<OGRFeature, void (*)(OGRFeature*)> f(raw, OGRFeature::DestroyFeature);
        Feature feature;
        feature.fid = f->GetFID();
        fids.insert(feature.fid);
        feature.attributes = attributes_of(*f);
        for (const auto& [field, value] : feature.attributes)
            if (const auto bad = first_invalid_utf8(value))
                throw InputError(fmt::format("{}: feature {} field '{}' holds text that is not UTF-8 (byte {} of \"{}\"); save the "
                                             "file as UTF-8 (QGIS: Save As, encoding UTF-8; ogr2ogr -lco ENCODING=UTF-8), or for a "
                                             "shapefile add a .cpg file naming its encoding (e.g. CP1258)",
                                             path.string(), feature.fid, field, *bad + 1, value.substr(0, *bad)));
        if (const OGRGeometry* g = f->GetGeometryRef(); g != nullptr && !g->IsEmpty()) {
            if (csv_degrees && wkbFlatten(g->getGeometryType()) == wkbPoint) {
                const auto* p = g->toPoint();
                if (std::abs(p->getY()) > 90.0 || std::abs(p->getX()) > 180.0) {
                    const bool looks_swapped = std::abs(p->getX()) <= 90.0 && std::abs(p->getY()) <= 180.0;
                    swapped += looks_swapped ? 1 : 0;
                    ++off_count;
                    if (off_earth.size() < 10)
                        off_earth.push_back(fmt::format("line {} (lon {:g}, lat {:g})", feature.fid + 1, p->getX(), p->getY()));
                    else if (off_earth.size() == 10)
                        off_earth.emplace_back("...");
                    continue;
                }
            }
            feature.geometry = clean_geometry(*g, options.make_valid);
            feature.geometry->assignSpatialReference(nullptr);
            if (ct && feature.geometry->transform(ct.get()) != OGRERR_NONE) {
                ++failed;
                continue;
            }
        }
        features.push_back(std::move(feature));
    }
    if (is_csv(path)) check_csv_coordinates(path, options.layer, fids);
    if (!off_earth.empty())
        throw InputError(fmt::format("{}: {} row(s) have a latitude beyond ±90 or a longitude beyond ±180 degrees: {}; {}",
                                     path.string(), off_count,
                                     fmt::join(off_earth, ", "),
                                     swapped > 0 ? "the lon and lat columns look swapped (Vietnam lies at lon 102-110, "
                                                   "lat 8-24): swap the values or the column names"
                                                 : "fix those rows, or give the file's CRS with crs: if they are not degrees"));
    if (failed > 0)
        throw InputError(fmt::format("{}: {} feature(s) could not be transformed from {} to {}; are the coordinates "
                                     "in the CRS the file declares?", path.string(), failed, source.label(), target.label()));
    return features;
}

std::optional<std::pair<double, double>> representative_point(const OGRGeometry& g) {
    if (g.IsEmpty()) return std::nullopt;
    const OGRwkbGeometryType flat = wkbFlatten(g.getGeometryType());
    if (flat == wkbPoint) {
        const auto& p = *g.toPoint();
        return std::pair{p.getX(), p.getY()};
    }
    if (flat == wkbLineString) {
        const auto& line = *g.toLineString();
        OGRPoint p;
        line.Value(line.get_Length() / 2.0, &p);
        return std::pair{p.getX(), p.getY()};
    }
    OGRPoint p;
    if (OGRGeometryH h = OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g)))) {
        std::unique_ptr<OGRGeometry> on(OGRGeometry::FromHandle(h));
        if (!on->IsEmpty() && wkbFlatten(on->getGeometryType()) == wkbPoint)
            return std::pair{on->toPoint()->getX(), on->toPoint()->getY()};
    }
    if (g.Centroid(&p) == OGRERR_NONE && !p.IsEmpty()) return std::pair{p.getX(), p.getY()};
    return std::nullopt;
}

std::vector<PointFeature> read_points(const fs::path& path, const Crs& target, const ReadOptions& options) {
    std::vector<PointFeature> points;
    std::size_t without = 0;
    for (Feature& f : read_features(path, target, options)) {
        std::optional<std::pair<double, double>> p;
        if (f.geometry) p = representative_point(*f.geometry);
        if (!p) {
            ++without;
            continue;
        }
        points.push_back({f.fid, p->first, p->second, std::move(f.attributes)});
    }
    if (without > 0)
        throw InputError(fmt::format("{}: {} feature(s) have no geometry or empty coordinates; fix or remove them",
                                     path.string(), without));
    return points;
}

std::map<std::string, std::string> parse_osm_other_tags(const std::string& text) {
    // Format written by OGR's OSM driver: "key"=>"value","key2"=>"value2" with \" and \\ escaped.
    std::map<std::string, std::string> tags;
    std::size_t i = 0;
    auto read_quoted = [&](std::string& out) -> bool {
        if (i >= text.size() || text[i] != '"') return false;
        ++i;
        while (i < text.size() && text[i] != '"') {
            if (text[i] == '\\' && i + 1 < text.size()) ++i;
            out += text[i++];
        }
        if (i >= text.size()) return false;
        ++i;
        return true;
    };
    while (i < text.size()) {
        std::string key, value;
        if (!read_quoted(key)) break;
        if (text.compare(i, 2, "=>") != 0) break;
        i += 2;
        if (!read_quoted(value)) break;
        tags[key] = value;
        if (i < text.size() && text[i] == ',') ++i;
    }
    return tags;
}

namespace {

std::optional<std::string> facility_type(const std::map<std::string, std::string>& tags) {
    static const std::set<std::string> amenities{"school", "kindergarten", "clinic", "hospital", "doctors"};
    static const std::set<std::string> leisures{"playground", "swimming_pool", "sports_centre"};
    if (auto it = tags.find("amenity"); it != tags.end() && amenities.count(it->second)) return it->second;
    if (auto it = tags.find("leisure"); it != tags.end() && leisures.count(it->second)) return it->second;
    if (auto it = tags.find("healthcare"); it != tags.end() && !it->second.empty() && it->second != "no")
        return "healthcare:" + it->second;
    return std::nullopt;
}

std::string osm_kind(const std::string& layer, const std::map<std::string, std::string>& tags) {
    if (layer == "points") return "node/" + tags.at("osm_id");
    if (layer == "lines") return "way/" + tags.at("osm_id");
    if (auto it = tags.find("osm_way_id"); it != tags.end()) return "way/" + it->second;
    if (auto it = tags.find("osm_id"); it != tags.end()) return "relation/" + it->second;
    return layer;
}

template <typename Visit>
void for_each_osm_feature(const fs::path& path, const Crs& target, Visit&& visit) {
    DatasetPtr ds = open_vector(path, false);
    if (ds->GetDriver() == nullptr || std::string(ds->GetDriver()->GetDescription()) != "OSM")
        throw InputError(fmt::format("{}: not an OpenStreetMap file (GDAL read it as {}); expected .osm.pbf or .osm",
                                     path.string(), ds->GetDriver() ? ds->GetDriver()->GetDescription() : "unknown"));
    OGRSpatialReference src = to_srs(wgs84());
    OGRSpatialReference dst = to_srs(target);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
    if (!ct) throw IoError(fmt::format("{}: cannot transform WGS 84 -> {}", path.string(), target.label()));
    OGRLayer* layer = nullptr;
    while (OGRFeature* raw = ds->GetNextFeature(&layer, nullptr, nullptr, nullptr)) {
        std::unique_ptr<OGRFeature, void (*)(OGRFeature*)> f(raw, OGRFeature::DestroyFeature);
        OGRGeometry* g = f->GetGeometryRef();
        if (g == nullptr || g->IsEmpty()) continue;
        auto tags = attributes_of(*f);
        if (auto it = tags.find("other_tags"); it != tags.end()) {
            for (auto& [k, v] : parse_osm_other_tags(it->second)) tags.emplace(k, v);
            tags.erase("other_tags");
        }
        std::unique_ptr<OGRGeometry> geometry(g->clone());
        geometry->assignSpatialReference(nullptr);
        if (geometry->transform(ct.get()) != OGRERR_NONE) continue;
        visit(std::string(layer->GetName()), std::move(tags), std::move(geometry));
    }
}

}  // namespace

std::vector<OsmFacility> read_osm_facilities(const fs::path& path, const Crs& target) {
    std::vector<OsmFacility> facilities;
    for_each_osm_feature(path, target, [&](const std::string& layer, std::map<std::string, std::string> tags,
                                           std::unique_ptr<OGRGeometry> geometry) {
        if (layer == "multilinestrings" || layer == "other_relations") return;
        auto type = facility_type(tags);
        if (!type) return;
        std::unique_ptr<OGRGeometry> shape = std::move(geometry);
        // A closed way tagged only healthcare=* arrives as a line: treat its ring as an area.
        if (layer == "lines") {
            auto* line = shape->toLineString();
            if (line->get_IsClosed() && line->getNumPoints() >= 4) {
                auto poly = std::make_unique<OGRPolygon>();
                auto ring = std::make_unique<OGRLinearRing>();
                ring->addSubLineString(line);
                poly->addRingDirectly(ring.release());
                shape = std::move(poly);
            }
        }
        auto p = representative_point(*shape);
        if (!p) return;
        OsmFacility facility;
        facility.osm_id = osm_kind(layer, tags);
        facility.type = *type;
        facility.name = tags.count("name") ? tags.at("name") : "";
        facility.x = p->first;
        facility.y = p->second;
        facility.tags = std::move(tags);
        facilities.push_back(std::move(facility));
    });
    std::sort(facilities.begin(), facilities.end(), [](const OsmFacility& a, const OsmFacility& b) { return a.osm_id < b.osm_id; });
    return facilities;
}

std::vector<Feature> read_osm_roads(const fs::path& path, const Crs& target,
                                    std::vector<std::unique_ptr<OGRGeometry>>* buildings) {
    std::vector<Feature> roads;
    for_each_osm_feature(path, target, [&](const std::string& layer, std::map<std::string, std::string> tags,
                                           std::unique_ptr<OGRGeometry> geometry) {
        if (buildings && layer == "multipolygons") {
            const auto it = tags.find("building");
            if (it != tags.end() && !it->second.empty() && it->second != "no") buildings->push_back(std::move(geometry));
            return;
        }
        if (layer != "lines") return;
        auto it = tags.find("highway");
        if (it == tags.end() || it->second.empty()) return;
        Feature f;
        f.fid = static_cast<std::int64_t>(roads.size());
        f.geometry = std::move(geometry);
        f.attributes = std::move(tags);
        roads.push_back(std::move(f));
    });
    return roads;
}

}  // namespace accessplan::geodata
