#include "yaml_reader.hpp"

namespace accessplan::scenarios::detail {

std::optional<LonLat> lon_lat(Reader& r, const YAML::Node& node, const std::string& where) {
    if (!node.IsSequence() || node.size() != 2) {
        r.error(node, where, "expected [longitude, latitude] in degrees (WGS 84)");
        return std::nullopt;
    }
    std::optional<double> lon, lat;
    if (node[0].IsScalar() && node[1].IsScalar()) {
        lon = parse_number(node[0].Scalar());
        lat = parse_number(node[1].Scalar());
    }
    if (lon && lat && std::abs(*lon) <= 180.0 && std::abs(*lat) <= 90.0) return LonLat{*lon, *lat};
    r.error(node, where, "expected [longitude, latitude] in degrees (WGS 84), longitude -180..180, latitude -90..90");
    return std::nullopt;
}

std::vector<LonLat> lon_lat_list(Reader& r, const YAML::Node& parent, const std::string& key, const std::string& where,
                                 std::size_t min_points) {
    std::vector<LonLat> out;
    const YAML::Node node = parent[key];
    const std::string here = where + "." + key;
    if (!node || !node.IsSequence() || node.size() < min_points) {
        r.error(node ? node : parent, here, fmt::format("expected a list of at least {} [longitude, latitude] points", min_points));
        return out;
    }
    for (std::size_t k = 0; k < node.size(); ++k)
        if (auto p = lon_lat(r, node[k], fmt::format("{}[{}]", here, k))) out.push_back(*p);
    return out;
}

std::optional<bool> flag(Reader& r, const YAML::Node& parent, const std::string& key, const std::string& where) {
    const YAML::Node node = parent[key];
    if (!node) return std::nullopt;
    try {
        return node.as<bool>();
    } catch (const YAML::Exception&) {
        r.error(node, where + "." + key, "expected true or false");
        return std::nullopt;
    }
}

Months months_of(Reader& r, const YAML::Node& parent, const std::string& where) {
    const YAML::Node node = parent["months"];
    if (!node) return {};
    std::string text;
    if (node.IsScalar()) {
        text = node.as<std::string>();
    } else if (node.IsSequence()) {
        for (const auto& v : node) text += (text.empty() ? "" : ",") + (v.IsScalar() ? v.as<std::string>() : std::string("?"));
    }
    if (auto m = parse_months(text)) return *m;
    r.error(node, where + ".months", fmt::format("'{}' is not a set of months; write \"6-9\", \"11-3\" or [6, 7, 8]", text));
    return {};
}

void read_selection(Reader& r, const YAML::Node& node, const std::string& where, FacilitySelection& sel) {
    if (node["ids"]) {
        if (!node["ids"].IsSequence() || node["ids"].size() == 0)
            r.error(node["ids"], where + ".ids", "expected a non-empty list of ids");
        else
            for (const auto& v : node["ids"]) {
                if (v.IsScalar()) sel.ids.push_back(v.as<std::string>());
                else r.error(v, where + ".ids", "expected ids (numbers or text)");
            }
    }
    if (node["match"]) {
        const YAML::Node m = node["match"];
        if (!m.IsMap() || m.size() == 0) {
            r.error(m, where + ".match", "expected a mapping of field: value (or field: [values])");
        } else {
            for (const auto& kv : m) {
                auto& values = sel.match[kv.first.as<std::string>()];
                if (kv.second.IsScalar()) values.push_back(kv.second.as<std::string>());
                else if (kv.second.IsSequence())
                    for (const auto& v : kv.second) values.push_back(v.IsScalar() ? v.as<std::string>() : "");
                else r.error(kv.second, where + ".match." + kv.first.as<std::string>(), "expected a value or a list of values");
            }
        }
    }
    if (node["capacity_below"]) sel.capacity_below = r.number(node, "capacity_below", where, 0.0);
}

}  // namespace accessplan::scenarios::detail
