#include "modifications.hpp"
#include "modifications/kinds.hpp"
#include "yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <tuple>

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

geodata::ReadOptions read_options(const LayerRef& ref, const Crs& analysis, std::vector<std::string>* notes) {
    geodata::ReadOptions o;
    o.layer = ref.layer;
    o.where = ref.where;
    if (!ref.crs.empty()) o.crs = geodata::crs_from_user(ref.crs, ref.file.string() + ": crs");
    o.csv_xy_crs = analysis;
    o.notes = notes;
    return o;
}

namespace {

/// Lower-case ASCII letters and digits only: accents (the bytes of every non-ASCII letter), spaces and punctuation
/// dropped ("Quảng Ninh" -> "qungninh", "Quang Ninh" -> "quangninh": one letter apart).
std::string folded(const std::string& text) {
    std::string out;
    for (const char c : text)
        if (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80)
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// A value as the user should write it, hidden characters spelled out ('Hà Nội\t').
std::string shown(const std::string& value) {
    std::string out;
    for (const char c : value) {
        if (c == '\t') out += "\\t";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else out += c;
    }
    return "'" + out + "'";
}

}  // namespace

std::string where_value_hint(const LayerRef& ref) {
    static const std::regex equals(R"re(^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=\s*'((?:[^']|'')*)'\s*$)re");
    std::smatch m;
    if (!std::regex_match(ref.where, m, equals)) return "";
    const std::string field = m[1], wanted = folded(m[2]);
    LayerRef all = ref;
    all.where.clear();
    std::set<std::string> values;
    try {
        for (const auto& f : read_layer(all, geodata::wgs84()))
            if (auto it = f.attributes.find(field); it != f.attributes.end()) values.insert(it->second);
    } catch (const Error&) {
        return "";  // (the layer's own problem is said elsewhere)
    }
    std::vector<std::pair<std::size_t, std::string>> near;
    for (const auto& v : values) near.emplace_back(edit_distance(wanted, folded(v)), v);
    std::stable_sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (near.empty()) return "";
    std::vector<std::string> listed;
    bool hidden = false;
    for (std::size_t k = 0; k < std::min<std::size_t>(5, near.size()); ++k) {
        listed.push_back(shown(near[k].second));
        hidden = hidden || near[k].second.find_first_of("\t\n\r") != std::string::npos;
    }
    return fmt::format("; the nearest values of {} in the layer: {}{}", field, fmt::join(listed, ", "),
                       hidden ? fmt::format(" (a hidden character such as \\t is matched with LIKE: {} LIKE '{}%')", field,
                                            near.front().second.substr(0, near.front().second.find_first_of("\t\n\r")))
                              : "");
}

InputError no_feature_selected(const LayerRef& ref, const std::string& key) {
    return InputError(fmt::format("{}: {} selects no feature{}; check the layer and its filter, or leave {} out{}",
                                  ref.file.string(), key, ref.where.empty() ? "" : fmt::format(" (where {})", ref.where), key,
                                  where_value_hint(ref)));
}

std::unique_ptr<OGRGeometry> read_boundary(const LayerRef& ref, const Crs& crs) {
    try {
        return geodata::read_study_area(ref.file, crs, read_options(ref, crs));
    } catch (const InputError& e) {
        bool nothing = false;  // the filter selects no feature at all (not: features that are no polygons)
        if (!ref.where.empty()) try {
                nothing = read_layer(ref, crs).empty();
            } catch (const Error&) {  // (an invalid filter: said by e)
            }
        throw InputError(fmt::format("area.boundary: {}{}", e.what(), nothing ? where_value_hint(ref) : ""));
    }
}

std::vector<geodata::Feature> read_layer(const LayerRef& ref, const Crs& crs) {
    return geodata::read_features(ref.file, crs, read_options(ref, crs));
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
    // A field named in the scenario that no facility has: the default names (id, name, capacity) may be absent (the
    // facilities are numbered, unnamed, of one unit each), a name given must be there.
    std::set<std::string> fields;
    for (const auto& p : points)
        for (const auto& [field, value] : p.attributes) fields.insert(field);
    std::vector<std::string> missing;
    for (const auto& [key, field, fallback] : {std::tuple{"id_field", &s.id_field, "id"}, {"name_field", &s.name_field, "name"},
                                               {"capacity_field", &s.capacity_field, "capacity"}})
        if (!points.empty() && *field != fallback && !fields.count(*field))
            missing.push_back(fmt::format("{}: facilities.{} '{}': the facilities have no such field (or it is empty in "
                                          "every one); their fields with values: {}. Name one of them, or leave {} out "
                                          "(default '{}')", file, key, *field, fmt::join(fields, ", "), key, fallback));
    if (!missing.empty()) throw InputError(fmt::format("{}", fmt::join(missing, "\n")));
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

void apply_facility_modifications(const Scenario& s, std::vector<geodata::PointFeature>& points, const Crs& crs,
                                  std::vector<std::string>* notes) {
    check_facility_fields(s, points);
    for (std::size_t p = 0; p < points.size(); ++p)
        if (!points[p].attributes.count(s.id_field)) points[p].attributes[s.id_field] = std::to_string(p + 1);
    FacilityStep step{s, points, crs, notes};
    apply_steps(s, step);
    // The capacities of the facilities the services use, read as the run reads them (so that validate finds "1,200"),
    // after set_capacity, which may be the fix.
    const std::string file = s.facilities.file.string();
    std::set<std::string> types;
    for (const auto& svc : s.services) types.insert(svc.facility_types.begin(), svc.facility_types.end());
    for (const auto& p : points) {
        const std::string capacity = attribute(p.attributes, s.capacity_field);
        if (capacity.empty() || !types.count(attribute(p.attributes, s.type_field))) continue;
        const std::string added_by = attribute(p.attributes, "modification");
        parse_number(capacity, capacity_rule(added_by.empty() ? file : added_by, fmt::format("facility {}", p.fid), s.capacity_field));
    }
}

std::map<std::size_t, FrictionEdit> apply_road_modifications(const Scenario& s, std::vector<geodata::Feature>& roads,
                                                             const GridSpec& grid, bool closures) {
    RoadStep step{s, roads, grid, closures, 0, {}, nullptr};
    apply_steps(s, step);
    return std::move(step.speed_edits);
}

bool changes_roads(const Scenario& s) { return has_steps<RoadStep>(s); }

bool closes_roads(const Scenario& s) {
    return std::any_of(s.modifications.begin(), s.modifications.end(),
                       [](const Modification& m) { return m.get<modification::RoadClosure>() != nullptr; });
}

void check_bridges(const Scenario& s, const GridSpec& grid, const Grid<std::uint8_t>* rivers, const Grid<std::uint8_t>& landcover) {
    BridgeStep step{grid, rivers, landcover};
    apply_steps(s, step);
}

std::vector<FrictionEdit> friction_edits(const Scenario& s, const GridSpec& grid, std::map<std::size_t, FrictionEdit> road_edits) {
    std::vector<FrictionEdit> edits;
    FrictionStep step{s, grid, edits};
    for (std::size_t k = 0; k < s.modifications.size(); ++k) {
        const Modification& m = s.modifications[k];
        if (auto it = road_edits.find(k); it != road_edits.end()) {
            edits.push_back(std::move(it->second));
            continue;
        }
        step.current = &m;
        std::visit([&](const auto& change) {
            if constexpr (requires { apply(change, step); }) apply(change, step);
        }, m.change);
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
    std::vector<std::string> all_names;
    if (s.ferries) {
        const auto features = read_layer(*s.ferries, crs);
        if (features.empty()) throw no_feature_selected(*s.ferries, "travel.ferries");
        for (const auto& f : features) {
            const fs::path& file = s.ferries->file;
            if (!f.geometry || wkbFlatten(f.geometry->getGeometryType()) != wkbLineString)
                throw InputError(fmt::format("{}: ferry feature {} is not a line; draw each ferry as a line from port to port",
                                             file.string(), f.fid));
            const std::string months_text = f.attribute("months");
            const auto months = months_text.empty() ? std::optional<Months>(Months{}) : parse_months(months_text);
            if (!months)
                throw InputError(fmt::format("{}: ferry feature {} has months='{}'; write the months it runs as \"1-12\", "
                                             "\"11-4\" or \"5,6,7\"", file.string(), f.fid, months_text));
            const std::string name = f.attribute("name", fmt::format("ferry {}", f.fid));
            all_names.push_back(name);
            if (s.month && !in_months(*months, *s.month)) continue;
            const auto* line = f.geometry->toLineString();
            FerryLink l;
            l.name = name;
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
    FerryStep step{s, crs, links, nullptr, std::move(all_names)};
    apply_steps(s, step);
    return links;
}

std::optional<Grid<float>> growth_factors(const Scenario& s, const GridSpec& grid) {
    std::optional<Grid<float>> factors;
    GrowthStep step{grid, factors};
    apply_steps(s, step);
    return factors;
}

}  // namespace accessplan::scenarios::detail
