// add_facilities: new facilities, inline (type, lon, lat, name, id, capacity) and/or from a point file.
#include "kinds.hpp"

#include "accessplan/geodata/crs.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::AddFacilities& m) {
    Reader& r = p.reader;
    const YAML::Node& node = p.node;
    const std::string& w = p.where;
    r.check_keys(node, w, {"name", "facilities", "file", "layer", "where", "crs"});
    if (node["file"]) m.file = r.layer_fields(node, w);
    if (const YAML::Node f = node["facilities"]) {
        if (!f.IsSequence() || f.size() == 0) r.error(f, w + ".facilities", "expected a list of facilities");
        for (std::size_t k = 0; f.IsSequence() && k < f.size(); ++k) {
            const std::string fw = fmt::format("{}.facilities[{}]", w, k);
            r.check_keys(f[k], fw, {"id", "name", "type", "lon", "lat", "capacity"});
            NewFacility nf;
            nf.type = r.text(f[k], "type", fw, true).value_or("");
            nf.id = r.text(f[k], "id", fw, false).value_or("");
            nf.name = r.text(f[k], "name", fw, false).value_or("");
            auto lon = r.number(f[k], "lon", fw, NumberRule{"", -180.0, 180.0, false, "a longitude -180..180"}, true);
            auto lat = r.number(f[k], "lat", fw, NumberRule{"", -90.0, 90.0, false, "a latitude -90..90"}, true);
            nf.at = {lon.value_or(0.0), lat.value_or(0.0)};
            nf.capacity = r.number(f[k], "capacity", fw, -1e-12).value_or(0.0);
            m.facilities.push_back(std::move(nf));
        }
    }
    if (!node["file"] && !node["facilities"])
        r.error(node, w, "give facilities: [{type, lon, lat, name, id, capacity}, ...] or file: (points)");
}

void apply(const modification::AddFacilities& m, FacilityStep& step) {
    const Scenario& s = step.scenario;
    auto& points = step.points;
    const std::string& label = step.current->label;
    std::vector<geodata::PointFeature> added;
    const geodata::CoordinateTransform from_lonlat(geodata::wgs84(), step.crs);
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
        for (auto& p : geodata::read_points(m.file->file, step.crs, read_options(*m.file, step.crs, step.notes))) {
            if (attribute(p.attributes, s.type_field).empty())
                throw InputError(fmt::format("{}: {} feature {} has no '{}' value (facilities.type_field); say what each new "
                                             "facility is", label, m.file->file.string(), p.fid, s.type_field));
            // (where it came from, for messages about it: a CSV's feature n is its line n + 1)
            p.attributes["source_feature"] = fmt::format("{} feature {}", m.file->file.filename().string(), p.fid);
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
                throw InputError(fmt::format("{}: id '{}' is not a whole number from 0 to 2147483647; give the new facility "
                                             "such an id, or none (one is chosen)", label, id));
            if (std::any_of(points.begin(), points.end(), [&](const auto& q) { return same_id(attribute(q.attributes, s.id_field), id); }))
                throw InputError(fmt::format("{}: id {} is already a facility's in {}; give the new facility another id, or "
                                             "none (one is chosen)", label, id, s.facilities.file.string()));
            next = std::max<std::int64_t>(next, *number);
        }
        p.attributes["modification"] = label;
        p.fid = static_cast<std::int64_t>(points.size());
        points.push_back(std::move(p));
    }
}

}  // namespace accessplan::scenarios::detail
