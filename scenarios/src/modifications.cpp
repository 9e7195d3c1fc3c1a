#include "modifications.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios::detail {
namespace {

using Kind = Modification::Kind;

std::unique_ptr<OGRGeometry> line_in(const std::vector<LonLat>& points, const Crs& crs) {
    std::vector<double> x, y;
    for (const auto& p : points) {
        x.push_back(p.lon);
        y.push_back(p.lat);
    }
    geodata::CoordinateTransform(geodata::wgs84(), crs).transform(x.size(), x.data(), y.data());
    auto line = std::make_unique<OGRLineString>();
    for (std::size_t k = 0; k < x.size(); ++k) line->addPoint(x[k], y[k]);
    return line;
}

std::unique_ptr<OGRGeometry> polygon_in(const std::vector<LonLat>& points, const Crs& crs) {
    auto line = line_in(points, crs);
    auto ring = std::make_unique<OGRLinearRing>();
    for (const auto& p : *line->toLineString()) ring->addPoint(p.getX(), p.getY());
    ring->closeRings();
    auto polygon = std::make_unique<OGRPolygon>();
    polygon->addRingDirectly(ring.release());
    return polygon;
}

/// The cells of a modification's area: its polygons file and/or inline polygon, by cell centre.
std::optional<Grid<std::uint8_t>> area_cells(const Modification& m, const GridSpec& grid) {
    std::vector<std::unique_ptr<OGRGeometry>> owned;
    std::vector<geodata::Feature> features;
    if (m.file) features = read_layer(*m.file, grid.crs);
    std::vector<const OGRGeometry*> geoms;
    for (const auto& f : features)
        if (f.geometry) geoms.push_back(f.geometry.get());
    if (m.file && geoms.empty())
        throw InputError(fmt::format("{}: {} has no polygons{}; check the file and its filter", m.label, m.file->file.string(),
                                     m.file->where.empty() ? "" : " (where " + m.file->where + ")"));
    if (!m.polygon.empty()) {
        owned.push_back(polygon_in(m.polygon, grid.crs));
        geoms.push_back(owned.back().get());
    }
    if (geoms.empty()) return std::nullopt;
    return geodata::rasterize_mask(geoms, grid, false);
}

bool same_id(const std::string& a, const std::string& b) {
    if (a == b) return true;
    const auto x = parse_number(a), y = parse_number(b);  // "12" and "12.0" name the same facility
    return x && y && *x == *y;
}

std::string attribute(const std::map<std::string, std::string>& attributes, const std::string& key) {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
}

/// Indices of the items the selection picks; InputError for a listed id no item has, or for nothing selected.
template <typename Item, typename Attributes>
std::vector<std::size_t> select(const Modification& m, const std::vector<Item>& items, Attributes attributes_of,
                                const std::string& id_field, const std::string& capacity_field, const std::string& what,
                                const std::string& file) {
    for (const auto& id : m.select.ids)
        if (std::none_of(items.begin(), items.end(), [&](const Item& it) { return same_id(attribute(attributes_of(it), id_field), id); }))
            throw InputError(fmt::format("{}: no {} has {} = {} in {}; check the id (accessplan info {} lists the features)",
                                         m.label, what, id_field, id, file, file));
    std::vector<std::size_t> picked;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& a = attributes_of(items[i]);
        if (!m.select.ids.empty() &&
            std::none_of(m.select.ids.begin(), m.select.ids.end(), [&](const std::string& id) { return same_id(attribute(a, id_field), id); }))
            continue;
        bool ok = true;
        for (const auto& [field, values] : m.select.match)
            ok = ok && std::find(values.begin(), values.end(), attribute(a, field)) != values.end();
        if (ok && m.select.capacity_below) {  // (std::stod read "1,200" as 1: below any limit)
            const std::string text = attribute(a, capacity_field);
            const double cap = text.empty() ? 0.0 : parse_number(text, capacity_rule(file, fmt::format("{} {}", what, i + 1), capacity_field));
            ok = cap > 0.0 && cap < *m.select.capacity_below;
        }
        if (ok) picked.push_back(i);
    }
    if (picked.empty())
        throw InputError(fmt::format("{}: selects no {} in {}; check the field names and values of match/ids", m.label, what, file));
    return picked;
}

double parse_minutes(const geodata::Feature& f, const std::string& key, const fs::path& file, bool required) {
    const std::string v = f.attribute(key);
    if (v.empty()) {
        if (required)
            throw InputError(fmt::format("{}: ferry feature {} has no '{}' value; expected minutes", file.string(), f.fid, key));
        return 0.0;
    }
    NumberRule rule{fmt::format("{}: ferry feature {}: {}", file.string(), f.fid, key), 0.0};
    rule.expected = "a number of minutes >= 0";
    return parse_number(v, rule);
}

}  // namespace

std::vector<geodata::Feature> read_layer(const LayerRef& ref, const Crs& crs) {
    geodata::ReadOptions o;
    o.layer = ref.layer;
    o.where = ref.where;
    o.csv_xy_crs = crs;
    return geodata::read_features(ref.file, crs, o);
}

std::optional<std::int32_t> facility_id_number(const std::string& text) {
    IntegerRule rule{"", 0, std::numeric_limits<std::int32_t>::max()};
    rule.allow_zero_fraction = true;  // "12.0": a real field holding a whole number
    const auto id = try_parse_integer(text, rule).value;
    return id ? std::optional<std::int32_t>(static_cast<std::int32_t>(*id)) : std::nullopt;
}

NumberRule capacity_rule(const std::string& file, const std::string& facility, const std::string& field) {
    NumberRule rule{fmt::format("{}: {}: {}", file, facility, field), 0.0};
    rule.expected = "a capacity >= 0 (0 = not known; facilities.capacity_field)";
    return rule;
}

void check_facility_fields(const Scenario& s, const std::vector<geodata::PointFeature>& points) {
    const std::string file = s.facilities.file.string();
    if (!points.empty() && std::none_of(points.begin(), points.end(), [&](const auto& p) { return p.attributes.count(s.type_field) != 0; })) {
        std::vector<std::string> fields;
        for (const auto& [k, v] : points.front().attributes) fields.push_back(k);
        throw InputError(fmt::format("{}: facilities: no field '{}' (facilities.type_field), so no facility would match any "
                                     "service; its fields are {}. Set facilities.type_field to the field holding the type",
                                     file, s.type_field, fmt::join(fields, ", ")));
    }
    std::map<std::int32_t, std::size_t> seen;
    for (std::size_t p = 0; p < points.size(); ++p) {
        const auto it = points[p].attributes.find(s.id_field);
        if (it == points[p].attributes.end()) continue;
        const std::optional<std::int32_t> id = facility_id_number(it->second);
        if (!id)
            throw InputError(fmt::format("{}: facilities: feature {} has {} '{}'; ids must be whole numbers from 0 to "
                                         "2147483647 (the nearest-facility rasters hold them). Fix the file, or set "
                                         "facilities.id_field to a field of whole numbers", file, p + 1, s.id_field,
                                         it->second));
        const auto [at, fresh] = seen.emplace(*id, p);
        if (!fresh)
            throw InputError(fmt::format("{}: facilities: {} {} is used by features {} and {}; ids must be unique (they name "
                                         "facilities in the nearest-facility rasters and in close_facilities). Fix the file, or "
                                         "set facilities.id_field to a field that is unique", file, s.id_field, it->second,
                                         at->second + 1, p + 1));
    }
}

void apply_facility_modifications(const Scenario& s, std::vector<geodata::PointFeature>& points, const Crs& crs) {
    check_facility_fields(s, points);
    for (std::size_t p = 0; p < points.size(); ++p)
        if (!points[p].attributes.count(s.id_field)) points[p].attributes[s.id_field] = std::to_string(p + 1);
    const std::string file = s.facilities.file.string();
    auto attrs = [](const geodata::PointFeature& p) -> const std::map<std::string, std::string>& { return p.attributes; };
    for (const auto& m : s.modifications) {
        switch (m.kind) {
            case Kind::add_facilities: {
                std::vector<geodata::PointFeature> added;
                const geodata::CoordinateTransform from_lonlat(geodata::wgs84(), crs);
                for (const auto& f : m.facilities) {
                    geodata::PointFeature p;
                    p.x = f.at.lon;
                    p.y = f.at.lat;
                    from_lonlat.transform_point(p.x, p.y);
                    p.attributes = {{s.type_field, f.type}, {s.name_field, f.name}};
                    if (!f.id.empty()) p.attributes[s.id_field] = f.id;
                    if (f.capacity > 0.0) p.attributes[s.capacity_field] = fmt::format("{}", f.capacity);
                    added.push_back(std::move(p));
                }
                if (m.file) {
                    geodata::ReadOptions o;
                    o.layer = m.file->layer;
                    o.where = m.file->where;
                    o.csv_xy_crs = crs;
                    for (auto& p : geodata::read_points(m.file->file, crs, o)) {
                        if (attribute(p.attributes, s.type_field).empty())
                            throw InputError(fmt::format("{}: {} feature {} has no '{}' value (facilities.type_field); "
                                                         "say what each new facility is", m.label, m.file->file.string(),
                                                         p.fid, s.type_field));
                        added.push_back(std::move(p));
                    }
                }
                std::int64_t next = 0;
                for (const auto& p : points)  // every id is a number: check_facility_fields
                    next = std::max<std::int64_t>(next, facility_id_number(attribute(p.attributes, s.id_field)).value_or(0));
                for (auto& p : added) {
                    const std::string id = attribute(p.attributes, s.id_field);
                    if (id.empty()) {
                        p.attributes[s.id_field] = std::to_string(++next);
                    } else {
                        const std::optional<std::int32_t> number = facility_id_number(id);
                        if (!number)
                            throw InputError(fmt::format("{}: id '{}' is not a whole number from 0 to 2147483647; give the "
                                                         "new facility such an id, or none (one is chosen)", m.label, id));
                        if (std::any_of(points.begin(), points.end(), [&](const auto& q) { return same_id(attribute(q.attributes, s.id_field), id); }))
                            throw InputError(fmt::format("{}: id {} is already a facility's in {}; give the new facility "
                                                         "another id, or none (one is chosen)", m.label, id, file));
                        next = std::max<std::int64_t>(next, *number);
                    }
                    p.attributes["modification"] = m.label;
                    p.fid = static_cast<std::int64_t>(points.size());
                    points.push_back(std::move(p));
                }
                break;
            }
            case Kind::close_facilities: {
                const auto picked = select(m, points, attrs, s.id_field, s.capacity_field, "facility", file);
                std::vector<geodata::PointFeature> kept;
                for (std::size_t i = 0, k = 0; i < points.size(); ++i) {
                    if (k < picked.size() && picked[k] == i) {
                        ++k;
                        continue;
                    }
                    kept.push_back(std::move(points[i]));
                }
                points = std::move(kept);
                break;
            }
            case Kind::set_capacity:
                for (std::size_t i : select(m, points, attrs, s.id_field, s.capacity_field, "facility", file))
                    points[i].attributes[s.capacity_field] = fmt::format("{}", m.capacity);
                break;
            default: break;
        }
    }
    // The capacities of the facilities the services use, read as the run reads them (so that validate finds "1,200"),
    // after set_capacity, which may be the fix.
    std::set<std::string> types;
    for (const auto& svc : s.services) types.insert(svc.facility_types.begin(), svc.facility_types.end());
    for (const auto& p : points) {
        const std::string capacity = attribute(p.attributes, s.capacity_field);
        if (capacity.empty() || !types.count(attribute(p.attributes, s.type_field))) continue;
        const std::string added_by = attribute(p.attributes, "modification");
        parse_number(capacity, capacity_rule(added_by.empty() ? file : added_by, fmt::format("facility {}", p.fid), s.capacity_field));
    }
}

std::map<std::size_t, Grid<std::uint8_t>> apply_road_modifications(const Scenario& s, std::vector<geodata::Feature>& roads,
                                                                   const GridSpec& grid) {
    std::map<std::size_t, Grid<std::uint8_t>> cells;
    const std::string file = s.roads ? s.roads->file.string() : "travel.roads";
    auto attrs = [](const geodata::Feature& f) -> const std::map<std::string, std::string>& { return f.attributes; };
    for (std::size_t k = 0; k < s.modifications.size(); ++k) {
        const Modification& m = s.modifications[k];
        std::vector<const OGRGeometry*> geoms;
        if (m.kind == Kind::upgrade_road) {
            if (!m.select.ids.empty() || !m.select.match.empty()) {
                if (roads.empty())
                    throw InputError(fmt::format("{}: the scenario has no roads (travel.roads) to upgrade; draw the road "
                                                 "with line: instead", m.label));
                for (std::size_t i : select(m, roads, attrs, m.id_field, "", "road", file)) {
                    if (!m.road_class.empty()) roads[i].attributes[s.road_class_field] = m.road_class;
                    if (roads[i].geometry) geoms.push_back(roads[i].geometry.get());
                }
            }
        }
        if (m.kind == Kind::upgrade_road || m.kind == Kind::new_road || m.kind == Kind::new_bridge) {
            std::unique_ptr<OGRGeometry> line;
            if (!m.line.empty()) {
                line = line_in(m.line, grid.crs);
                geoms.push_back(line.get());
            }
            if (!m.speed_kmh.empty()) cells.emplace(k, geodata::rasterize_mask(geoms, grid, true));
            if (line && !m.road_class.empty()) {
                geodata::Feature f;
                f.fid = -static_cast<std::int64_t>(k) - 1;
                f.geometry = std::move(line);
                f.attributes[s.road_class_field] = m.road_class;
                roads.push_back(std::move(f));
            }
        }
    }
    return cells;
}

void check_bridges(const Scenario& s, const GridSpec& grid, const Grid<std::uint8_t>* rivers, const Grid<std::uint8_t>& landcover) {
    for (const auto& m : s.modifications) {
        if (m.kind != Kind::new_bridge) continue;
        auto line = line_in(m.line, grid.crs);
        const Grid<std::uint8_t> cells = geodata::rasterize_mask({line.get()}, grid, true);
        bool crosses = false, inside = false;
        for (std::size_t i = 0; i < cells.size() && !crosses; ++i) {
            if (!cells[i]) continue;
            inside = true;
            crosses = landcover[i] == landcover::water || (rivers && (*rivers)[i]);
        }
        if (!inside)
            throw InputError(fmt::format("{}: the bridge lies outside the analysis grid; check its [longitude, latitude] points", m.label));
        if (!crosses)
            throw InputError(fmt::format("{}: the line crosses no river (travel.rivers) or water cell; a bridge must span "
                                         "one (draw it from bank to bank), or say new_road", m.label));
    }
}

std::vector<FrictionEdit> friction_edits(const Scenario& s, const GridSpec& grid, std::map<std::size_t, Grid<std::uint8_t>> road_cells) {
    std::vector<FrictionEdit> edits;
    for (std::size_t k = 0; k < s.modifications.size(); ++k) {
        const Modification& m = s.modifications[k];
        if (auto it = road_cells.find(k); it != road_cells.end()) {
            edits.push_back({m.label, std::move(it->second), m.speed_kmh, 1.0});
        } else if (m.kind == Kind::flood_season && (!s.month || in_months(m.months, *s.month))) {
            if (auto cells = area_cells(m, grid)) edits.push_back({m.label, std::move(*cells), {}, m.impassable ? 0.0 : m.speed_factor});
        }
    }
    return edits;
}

void apply_friction_edits(const std::vector<FrictionEdit>& edits, const std::string& mode, Grid<float>& friction,
                          const Grid<std::uint8_t>* barriers) {
    constexpr float inf = std::numeric_limits<float>::infinity();
    for (const auto& e : edits) {
        const auto speed = e.speed_kmh.find(mode);
        if (speed == e.speed_kmh.end() && e.flood_speed_factor == 1.0) continue;
        const float road = speed != e.speed_kmh.end() ? friction_for_speed_kmh(speed->second) : 0.0f;
        for (std::size_t i = 0; i < friction.size(); ++i) {
            if (!e.cells[i] || (barriers && (*barriers)[i])) continue;
            if (speed != e.speed_kmh.end()) friction[i] = road;
            else friction[i] = e.flood_speed_factor > 0.0 ? static_cast<float>(friction[i] / e.flood_speed_factor) : inf;
        }
    }
}

std::vector<FerryLink> ferry_links(const Scenario& s, const Crs& crs) {
    std::vector<FerryLink> links;
    if (s.ferries) {
        for (const auto& f : read_layer(*s.ferries, crs)) {
            const fs::path& file = s.ferries->file;
            if (!f.geometry || wkbFlatten(f.geometry->getGeometryType()) != wkbLineString)
                throw InputError(fmt::format("{}: ferry feature {} is not a line; draw each ferry as a line from port to port",
                                             file.string(), f.fid));
            const std::string months_text = f.attribute("months");
            const auto months = months_text.empty() ? std::optional<Months>(Months{}) : parse_months(months_text);
            if (!months)
                throw InputError(fmt::format("{}: ferry feature {} has months='{}'; write the months it runs as \"1-12\", "
                                             "\"11-4\" or \"5,6,7\"", file.string(), f.fid, months_text));
            if (s.month && !in_months(*months, *s.month)) continue;
            const auto* line = f.geometry->toLineString();
            FerryLink l;
            l.name = f.attribute("name", fmt::format("ferry {}", f.fid));
            l.source = file.string();
            l.x0 = line->getX(0);
            l.y0 = line->getY(0);
            l.x1 = line->getX(line->getNumPoints() - 1);
            l.y1 = line->getY(line->getNumPoints() - 1);
            l.crossing_min = parse_minutes(f, "crossing_min", file, true);
            l.headway_min = parse_minutes(f, "headway_min", file, false);
            l.bidirectional = f.attribute("bidirectional", "1") != "0";
            links.push_back(std::move(l));
        }
    }
    for (const auto& m : s.modifications) {
        if (m.kind != Kind::new_ferry || (s.month && !in_months(m.months, *s.month))) continue;
        FerryLink l;
        l.name = m.name.empty() ? "new ferry" : m.name;
        l.source = m.label;
        l.x0 = m.from.lon;
        l.y0 = m.from.lat;
        l.x1 = m.to.lon;
        l.y1 = m.to.lat;
        geodata::CoordinateTransform t(geodata::wgs84(), crs);
        t.transform_point(l.x0, l.y0);
        t.transform_point(l.x1, l.y1);
        l.crossing_min = m.crossing_min;
        l.headway_min = m.headway_min;
        l.bidirectional = m.bidirectional;
        links.push_back(std::move(l));
    }
    return links;
}

std::optional<Grid<float>> growth_factors(const Scenario& s, const GridSpec& grid) {
    std::optional<Grid<float>> g;
    for (const auto& m : s.modifications) {
        if (m.kind != Kind::population_growth) continue;
        if (!g) g = Grid<float>(grid, 1.0f);
        if (m.factor_raster) {
            const Grid<float> f = geodata::warp_to_grid(*m.factor_raster, 1, grid, geodata::Resampling::bilinear);
            for (std::size_t i = 0; i < f.size(); ++i) {
                if (std::isnan(f[i])) continue;  // outside the raster or nodata: no change
                if (!(f[i] >= 0.0f) || !std::isfinite(f[i]))
                    throw InputError(fmt::format("{}: {} has a factor of {} at cell {}; growth factors must be >= 0",
                                                 m.label, m.factor_raster->string(), f[i], i));
                (*g)[i] *= f[i];
            }
            continue;
        }
        const auto cells = area_cells(m, grid);
        for (std::size_t i = 0; i < g->size(); ++i)
            if (!cells || (*cells)[i]) (*g)[i] *= static_cast<float>(m.factor);
    }
    return g;
}

}  // namespace accessplan::scenarios::detail
