#include "accessplan/scenarios/demo_writer.hpp"

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_write.hpp"

namespace fs = std::filesystem;

namespace accessplan::demo {
namespace {

using geodata::FieldType;
using geodata::FieldValue;
using geodata::OutFeature;
using geodata::OutField;
using geodata::OutLayer;

std::unique_ptr<OGRGeometry> line_of(const std::vector<XY>& points) {
    auto line = std::make_unique<OGRLineString>();
    for (const XY& p : points) line->addPoint(p.x, p.y);
    return line;
}

std::unique_ptr<OGRGeometry> point_of(const XY& p) { return std::make_unique<OGRPoint>(p.x, p.y); }

/// The generated province keeps its attributes as text (demo_province.cpp writes them): they read back strictly,
/// and one that does not is a bug of the generator.
template <typename T>
T demo_number(const std::optional<T>& value, const std::string& field, const std::string& text) {
    if (!value) throw InternalError(fmt::format("demo province: {}='{}' is not a number", field, text));
    return *value;
}

FieldValue value(const Attributes& a, const OutField& f) {
    auto it = a.find(f.name);
    if (it == a.end() || it->second.empty()) return std::monostate{};
    switch (f.type) {
        case FieldType::integer: return demo_number(parse_integer(it->second), f.name, it->second);
        case FieldType::real: return demo_number(parse_number(it->second), f.name, it->second);
        case FieldType::string: break;
    }
    return it->second;
}

template <typename F>
OutLayer layer_of(const std::string& name, OGRwkbGeometryType type, std::vector<OutField> fields,
                  const std::vector<F>& features) {
    OutLayer layer{name, type, std::move(fields), {}};
    for (const F& f : features) {
        OutFeature out;
        if constexpr (std::is_same_v<F, LineFeature>) out.geometry = line_of(f.points);
        else out.geometry = point_of(f.point);
        for (const auto& field : layer.fields) out.values.push_back(value(f.attributes, field));
        layer.features.push_back(std::move(out));
    }
    return layer;
}


/// Land the big rivers flood in the rainy season: low ground (< 25 m) within 800 m of a river draining 300 km² or
/// more. A planner would take this from the province's flood maps; the `rainy_season_flooding` example uses it.
Grid<std::int32_t> flood_prone_cells(const DemoProvince& p) {
    std::vector<std::unique_ptr<OGRGeometry>> lines;
    std::vector<const OGRGeometry*> geoms;
    for (const auto& r : p.rivers) {
        auto it = r.attributes.find("upstream_km2");
        if (it == r.attributes.end() || demo_number(parse_number(it->second), it->first, it->second) < 300.0) continue;
        lines.push_back(line_of(r.points));
        geoms.push_back(lines.back().get());
    }
    const Grid<std::uint8_t> river = geodata::rasterize_mask(geoms, p.grid, true);
    // Chebyshev distance to the river in cells (two-pass chamfer), up to 8 cells.
    const std::size_t cols = p.grid.cols, rows = p.grid.rows;
    std::vector<int> d(river.size(), 1000);
    for (std::size_t i = 0; i < d.size(); ++i)
        if (river[i]) d[i] = 0;
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            for (auto [dr, dc] : {std::pair{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}}) {
                const auto rr = static_cast<std::ptrdiff_t>(r) + dr, cc = static_cast<std::ptrdiff_t>(c) + dc;
                if (rr < 0 || cc < 0 || cc >= static_cast<std::ptrdiff_t>(cols)) continue;
                d[r * cols + c] = std::min(d[r * cols + c], d[static_cast<std::size_t>(rr) * cols + static_cast<std::size_t>(cc)] + 1);
            }
    for (std::size_t r = rows; r-- > 0;)
        for (std::size_t c = cols; c-- > 0;)
            for (auto [dr, dc] : {std::pair{1, 1}, {1, 0}, {1, -1}, {0, 1}}) {
                const auto rr = static_cast<std::ptrdiff_t>(r) + dr, cc = static_cast<std::ptrdiff_t>(c) + dc;
                if (rr >= static_cast<std::ptrdiff_t>(rows) || cc < 0 || cc >= static_cast<std::ptrdiff_t>(cols)) continue;
                d[r * cols + c] = std::min(d[r * cols + c], d[static_cast<std::size_t>(rr) * cols + static_cast<std::size_t>(cc)] + 1);
            }
    Grid<std::int32_t> flood(p.grid, 0);
    for (std::size_t i = 0; i < flood.size(); ++i)
        if (d[i] <= 8 && p.elevation_m[i] < 25.0f && p.elevation_m[i] >= 0.0f && p.commune_id[i] != 0) flood[i] = 1;
    return flood;
}

}  // namespace

fs::path write_demo_inputs(const DemoProvince& p, const fs::path& folder) {
    const fs::path inputs = folder / "inputs";
    fs::create_directories(inputs);
    const std::vector<std::pair<std::string, std::string>> credit{
        {"SOURCE", "accessplan demo province 'Sơn Hải' (synthetic, deterministic); not a real place"}};

    geodata::RasterWriteOptions elev{std::nullopt, "elevation above sea level", "metres", credit};
    geodata::write_geotiff(inputs / "elevation.tif", p.elevation_m, elev);
    geodata::RasterWriteOptions lc{0.0, "land cover (ESA WorldCover 2021 classes)", "class", credit};
    geodata::write_geotiff(inputs / "landcover.tif", p.landcover, lc);
    geodata::RasterWriteOptions pop{-99999.0, "population, all ages", "persons", credit};
    geodata::write_geotiff(inputs / "population.tif", p.population, pop);
    std::vector<const Grid<float>*> bands;
    std::vector<std::string> names;
    for (const auto& [name, grid] : p.age_sex_bands) {
        bands.push_back(&grid);
        names.push_back(name);
    }
    geodata::RasterWriteOptions age{-99999.0, "", "persons", credit};
    geodata::write_geotiff_bands(inputs / "population_age_sex.tif", bands, names, age);

    std::vector<OutLayer> layers;
    // Boundaries from the commune raster.
    Grid<std::int32_t> province_mask(p.grid, 0), district_ids(p.grid, 0);
    for (std::size_t i = 0; i < p.commune_id.size(); ++i) {
        if (p.commune_id[i] == 0) continue;
        province_mask[i] = 1;
        district_ids[i] = p.communes[static_cast<std::size_t>(p.commune_id[i] - 1)].district_id;
    }
    {
        OutLayer l{"province", wkbMultiPolygon, {{"name", FieldType::string}, {"note", FieldType::string}}, {}};
        for (auto& [id, g] : geodata::polygonize(province_mask))
            l.features.push_back({std::move(g), {std::string("Tỉnh Sơn Hải"), std::string("synthetic demo province")}});
        layers.push_back(std::move(l));
    }
    {
        OutLayer l{"districts", wkbMultiPolygon,
                   {{"id", FieldType::integer}, {"name", FieldType::string}, {"kind", FieldType::string}}, {}};
        for (auto& [id, g] : geodata::polygonize(district_ids)) {
            const District& d = p.districts[static_cast<std::size_t>(id - 1)];
            l.features.push_back({std::move(g), {std::int64_t{d.id}, d.name, d.kind}});
        }
        layers.push_back(std::move(l));
    }
    {
        OutLayer l{"communes", wkbMultiPolygon,
                   {{"id", FieldType::integer}, {"code", FieldType::string}, {"name", FieldType::string},
                    {"district_id", FieldType::integer}, {"district", FieldType::string},
                    {"extremely_difficult", FieldType::integer}},
                   {}};
        for (auto& [id, g] : geodata::polygonize(p.commune_id)) {
            const Commune& c = p.communes[static_cast<std::size_t>(id - 1)];
            l.features.push_back({std::move(g),
                                  {std::int64_t{c.id}, c.code, c.name, std::int64_t{c.district_id},
                                   p.districts[static_cast<std::size_t>(c.district_id - 1)].name,
                                   std::int64_t{c.extremely_difficult ? 1 : 0}}});
        }
        layers.push_back(std::move(l));
    }
    layers.push_back(layer_of("roads", wkbLineString, {{"highway", FieldType::string}, {"name", FieldType::string}}, p.roads));
    layers.push_back(layer_of("rivers", wkbLineString,
                              {{"name", FieldType::string}, {"waterway", FieldType::string}, {"upstream_km2", FieldType::real}},
                              p.rivers));
    layers.push_back(layer_of("national_border", wkbLineString, {{"name", FieldType::string}, {"admin_level", FieldType::integer}},
                              p.national_border));
    layers.push_back(layer_of("ferries", wkbLineString,
                              {{"name", FieldType::string}, {"crossing_min", FieldType::real}, {"headway_min", FieldType::real},
                               {"months", FieldType::string}, {"bidirectional", FieldType::integer}},
                              p.ferries));
    {
        OutLayer l{"flood_prone", wkbMultiPolygon, {{"name", FieldType::string}, {"note", FieldType::string}}, {}};
        for (auto& [id, g] : geodata::polygonize(flood_prone_cells(p)))
            l.features.push_back({std::move(g), {std::string("Vùng ngập lũ sông Lam Giang"),
                                                 std::string("low ground within 800 m of the big rivers (synthetic)")}});
        layers.push_back(std::move(l));
    }
    layers.push_back(layer_of("settlements", wkbPoint,
                              {{"name", FieldType::string}, {"kind", FieldType::string}, {"population", FieldType::integer}},
                              p.settlements));
    layers.push_back(layer_of("facilities", wkbPoint,
                              {{"id", FieldType::integer}, {"type", FieldType::string}, {"name", FieldType::string},
                               {"capacity", FieldType::integer}, {"commune_code", FieldType::string}},
                              p.facilities));
    geodata::write_geopackage(inputs / "demo_province.gpkg", p.grid.crs, layers);

    const fs::path scenarios = folder / "scenarios";
    fs::create_directories(scenarios);
    for (const auto& [name, text] : scenario_examples()) geodata::write_text_file(scenarios / name, text);
    return scenarios / "baseline.yaml";
}

}  // namespace accessplan::demo
