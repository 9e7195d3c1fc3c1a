#pragma once
// Reading a scenario file's YAML (private to the scenarios library): a Reader collects every problem of a file, each as
// "file:line:column: key: what was found; what is expected", before any work starts; and the readers of values that
// several sections and modification kinds share (points, months, facility selections).

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/scenarios/scenario.hpp"

namespace accessplan::scenarios::detail {

namespace fs = std::filesystem;

inline std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// Collects every problem of a scenario file before any work starts.
// Nodes that came from a `base:` file, with that file: their messages name it and their paths are relative to it.
using Origins = std::vector<std::pair<YAML::Node, fs::path>>;

class Reader {
public:
    Reader(fs::path file, const Origins& origins) : m_file(std::move(file)), m_origins(origins) {}

    const fs::path& file_of(const YAML::Node& node) const {
        for (const auto& [n, f] : m_origins)
            if (n.is(node)) return f;
        return m_file;
    }

    /// A path written in the node's file, made relative to that file's folder.
    fs::path resolve(const YAML::Node& node, const std::string& text) const {
        fs::path p(text);
        return p.is_relative() ? file_of(node).parent_path() / p : p;
    }

    void error(const YAML::Node& node, const std::string& key, const std::string& message) {
        const YAML::Mark mark = node.Mark();
        const std::string file = file_of(node).string();
        if (mark.line >= 0)
            m_errors.push_back(fmt::format("{}:{}:{}: {}: {}", file, mark.line + 1, mark.column + 1, key, message));
        else
            m_errors.push_back(fmt::format("{}: {}: {}", file, key, message));
    }

    void check_keys(const YAML::Node& map, const std::string& where, const std::set<std::string>& allowed) {
        if (!map.IsMap()) return;
        for (const auto& kv : map) {
            const std::string key = kv.first.as<std::string>();
            if (allowed.count(key)) continue;
            std::string suggestion;
            std::size_t best = 3;
            for (const auto& a : allowed)
                if (auto d = edit_distance(key, a); d < best) {
                    best = d;
                    suggestion = a;
                }
            if (suggestion.empty())  // "headway" for "headway_min"
                for (const auto& a : allowed)
                    if (key.size() >= 4 && a.rfind(key, 0) == 0) suggestion = a;
            error(kv.first, where.empty() ? key : where + "." + key,
                  fmt::format("unknown key{}; expected one of: {}",
                              suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                              fmt::join(allowed, ", ")));
        }
    }

    YAML::Node map(const YAML::Node& parent, const std::string& key, const std::string& where, bool required) {
        YAML::Node node = parent[key];
        if (!node) {
            if (required) error(parent, qualified(where, key), "missing; this section is required");
            return {};
        }
        if (!node.IsMap()) {
            error(node, qualified(where, key), "expected a mapping of keys");
            return {};
        }
        return node;
    }

    std::optional<std::string> text(const YAML::Node& parent, const std::string& key, const std::string& where,
                                    bool required) {
        if (!parent || !parent.IsMap()) return std::nullopt;
        YAML::Node node = parent[key];
        if (!node) {
            if (required) error(parent, qualified(where, key), "missing; this key is required");
            return std::nullopt;
        }
        if (!node.IsScalar()) {
            error(node, qualified(where, key), "expected a text value");
            return std::nullopt;
        }
        return node.as<std::string>();
    }

    /// A number under `key`, above `min_exclusive` (-1e-12: >= 0), read by the engine's strict parser; an amount of
    /// money (parse_money: 60e9, 60_000_000_000, 60 tỷ) when `money`. Problems are reported; they give nullopt.
    std::optional<double> number(const YAML::Node& parent, const std::string& key, const std::string& where,
                                 double min_exclusive, bool required = false, bool money = false) {
        NumberRule rule;
        if (min_exclusive < 0.0 && min_exclusive > -1e-9) {
            rule.min = 0.0;
        } else {
            rule.min = min_exclusive;
            rule.min_exclusive = true;
        }
        return number(parent, key, where, rule, required, money);
    }

    std::optional<double> number(const YAML::Node& parent, const std::string& key, const std::string& where,
                                 const NumberRule& rule, bool required = false, bool money = false) {
        if (!parent || !parent.IsMap()) return std::nullopt;
        YAML::Node node = parent[key];
        if (!node) {
            if (required) error(parent, qualified(where, key), "missing; this key is required");
            return std::nullopt;
        }
        return scalar_number(node, qualified(where, key), rule, money);
    }

    /// The number a node holds. Its text goes through the strict parser whether or not it was quoted, so "1,200",
    /// 0x10, .inf and 12abc are refused with their reason.
    std::optional<double> scalar_number(const YAML::Node& node, const std::string& key, const NumberRule& rule,
                                        bool money = false) {
        if (!node.IsScalar() && !node.IsNull()) {
            error(node, key, fmt::format("expected a number, not a {}", node.IsSequence() ? "list" : "mapping"));
            return std::nullopt;
        }
        const std::string text = node.IsScalar() ? node.Scalar() : std::string();
        Parsed<double> p = money ? try_parse_money(text, rule) : try_parse_number(text, rule);
        if (!p.value) error(node, key, p.problem);
        return p.value;
    }

    std::optional<fs::path> path(const YAML::Node& parent, const std::string& key, const std::string& where,
                                 bool required) {
        auto t = text(parent, key, where, required);
        if (!t) return std::nullopt;
        const fs::path p = resolve(parent[key], *t);
        std::error_code ec;
        if (!fs::exists(p, ec)) {
            const fs::path dir = file_of(parent[key]).parent_path();
            error(parent[key], qualified(where, key),
                  fmt::format("file '{}' not found (paths are relative to the folder of the file that names them, {})",
                              *t, dir.empty() ? "." : dir.string()));
            return std::nullopt;
        }
        return p;
    }

    std::optional<LayerRef> layer(const YAML::Node& parent, const std::string& key, const std::string& where,
                                  bool required, const std::set<std::string>& extra_keys = {}) {
        YAML::Node node = parent ? parent[key] : YAML::Node();
        if (!node) {
            if (required) error(parent, qualified(where, key), "missing; this key is required");
            return std::nullopt;
        }
        const std::string here = qualified(where, key);
        if (node.IsScalar()) {
            auto p = path(parent, key, where, true);
            if (!p) return std::nullopt;
            return LayerRef{*p, "", "", ""};
        }
        std::set<std::string> allowed{"file", "layer", "where", "crs"};
        allowed.insert(extra_keys.begin(), extra_keys.end());
        check_keys(node, here, allowed);
        return layer_fields(node, here);
    }

    /// file, layer and where of a mapping whose keys are checked elsewhere.
    std::optional<LayerRef> layer_fields(const YAML::Node& node, const std::string& where) {
        auto p = path(node, "file", where, true);
        auto l = text(node, "layer", where, false);
        auto w = text(node, "where", where, false);
        auto c = crs_text(node, where);
        if (!p) return std::nullopt;
        return LayerRef{*p, l.value_or(""), w.value_or(""), c};
    }

    /// node["crs"]: a CRS PROJ knows (EPSG:9210, a PROJ string, WKT, or "VN-2000 / TM-3 105-45"); "" when absent or
    /// wrong (reported).
    std::string crs_text(const YAML::Node& node, const std::string& where) {
        auto c = text(node, "crs", where, false);
        if (!c) return "";
        try {
            geodata::crs_from_user(*c, qualified(where, "crs"));
        } catch (const Error& e) {
            error(node["crs"], qualified(where, "crs"), e.what());
            return "";
        }
        return *c;
    }

    static std::string qualified(const std::string& where, const std::string& key) {
        return where.empty() ? key : where + "." + key;
    }

    const std::vector<std::string>& errors() const { return m_errors; }

private:
    fs::path m_file;
    const Origins& m_origins;
    std::vector<std::string> m_errors;
};

/// [longitude, latitude] in WGS 84 degrees.
std::optional<LonLat> lon_lat(Reader& r, const YAML::Node& node, const std::string& where);

/// parent[key] as a list of at least `min_points` [longitude, latitude] points.
std::vector<LonLat> lon_lat_list(Reader& r, const YAML::Node& parent, const std::string& key, const std::string& where,
                                 std::size_t min_points);

/// parent[key] as true or false; nullopt when absent (or wrong, reported).
std::optional<bool> flag(Reader& r, const YAML::Node& parent, const std::string& key, const std::string& where);

/// parent["months"]: "6-9", "11-3" or [6, 7, 8]; empty = all year.
Months months_of(Reader& r, const YAML::Node& parent, const std::string& where);

/// ids: [..], match: {field: value or [values]}, capacity_below: N (each optional; problems are reported).
void read_selection(Reader& r, const YAML::Node& node, const std::string& where, FacilitySelection& sel);

}  // namespace accessplan::scenarios::detail
