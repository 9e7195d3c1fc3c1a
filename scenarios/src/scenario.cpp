#include "accessplan/scenarios/scenario.hpp"
#include "modifications/kinds.hpp"
#include "modifications/registry.hpp"
#include "yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/utf8.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {
namespace {

using namespace detail;

std::vector<std::string> text_list(Reader& r, const YAML::Node& parent, const std::string& key, const std::string& where) {
    std::vector<std::string> out;
    YAML::Node node = parent[key];
    if (!node) return out;
    if (!node.IsSequence()) {
        r.error(node, where + "." + key, "expected a list");
        return out;
    }
    for (const auto& v : node) {
        if (v.IsScalar()) out.push_back(v.as<std::string>());
        else r.error(v, where + "." + key, "expected a list of names (text values)");
    }
    return out;
}

/// ranking.plan: years, the population's year and growth, carry_over, and each programme's money per year.
PlanSettings read_plan(Reader& r, const YAML::Node& node, const RankingSettings& rk, const fs::path& own_file) {
    const std::string w = "ranking.plan";
    r.check_keys(node, w, {"first_year", "last_year", "population_year", "growth_pct", "carry_over", "budgets"});
    PlanSettings plan;
    NumberRule year{"", 1900.0, 2200.0};
    year.expected = "a year such as 2026";
    auto whole_year = [&](const YAML::Node& parent, const char* key, bool required) -> std::optional<int> {
        auto v = r.number(parent, key, w, year, required);
        if (!v) return std::nullopt;
        if (*v != std::floor(*v)) {
            r.error(parent[key], w + "." + key, fmt::format("{:g} is not a year; write a year such as 2026", *v));
            return std::nullopt;
        }
        return static_cast<int>(*v);
    };
    plan.first_year = whole_year(node, "first_year", true).value_or(0);
    plan.last_year = whole_year(node, "last_year", true).value_or(0);
    if (plan.first_year && plan.last_year && (plan.last_year < plan.first_year || plan.years() > 30))
        r.error(node["last_year"], w + ".last_year",
                fmt::format("{} to {}: a plan runs from first_year to last_year, 1 to 30 years (2026 to 2030: five)",
                            plan.first_year, plan.last_year));
    plan.population_year = whole_year(node, "population_year", false);
    NumberRule growth{"", -50.0, 50.0};
    growth.expected = "a growth rate in % a year, from -50 to 50 (1.5 = +1.5% a year)";
    if (YAML::Node g = node["growth_pct"]; g && g.IsMap()) {
        plan.other_growth_given = false;
        for (const auto& kv : g) {
            const std::string code = kv.first.as<std::string>();
            auto v = r.scalar_number(kv.second, fmt::format("{}.growth_pct.{}", w, code), growth);
            if (!v) continue;
            if (code == "other") {
                plan.growth_pct = *v;
                plan.other_growth_given = true;
            } else {
                plan.zone_growth_pct[code] = *v;
            }
        }
    } else if (g) {
        plan.growth_pct = r.number(node, "growth_pct", w, growth).value_or(0.0);
    }
    if (YAML::Node c = node["carry_over"]) {
        try {
            plan.carry_over = c.as<bool>();
        } catch (const YAML::Exception&) {
            r.error(c, w + ".carry_over", "expected true or false");
        }
    }
    std::set<std::string> names;
    for (const Programme& p : rk.programmes) names.insert(p.name);
    if (names.empty()) names.insert("all");
    if (YAML::Node b = node["budgets"] ? r.map(node, "budgets", w, false) : YAML::Node(); b.IsMap()) {
        for (const auto& kv : b) {
            const std::string name = kv.first.as<std::string>();
            const std::string bw = w + ".budgets." + name;
            if (!names.count(name)) {
                // A what-if that removed a programme (programmes: {x: null}) drops its base's money for it too.
                if (fs::absolute(r.file_of(kv.first)).lexically_normal() != fs::absolute(own_file).lexically_normal()) continue;
                r.error(kv.first, bw, fmt::format("'{}' is not a programme; use {}{}", name, fmt::join(names, ", "),
                                                  rk.programmes.empty() ? " (one budget: its programme is called all)" : ""));
                continue;
            }
            std::map<int, double>& money = plan.budgets[name];
            std::optional<double> each;
            bool each_given = false;   // written, even if it could not be read (its error is enough)
            std::set<int> written;
            if (kv.second.IsMap()) {
                for (const auto& yv : kv.second) {
                    const std::string key = yv.first.as<std::string>();
                    if (key == "each_year") {
                        each_given = true;
                        each = r.scalar_number(yv.second, bw + ".each_year", NumberRule{"", 0.0}, true);
                        continue;
                    }
                    Parsed<double> y = try_parse_number(key, year);
                    if (!y.value || *y.value != std::floor(*y.value) || *y.value < plan.first_year || *y.value > plan.last_year) {
                        r.error(yv.first, bw + "." + key,
                                fmt::format("not a year of the plan ({} to {}); give the money of a year as <year>: <amount>, "
                                            "or each_year: <amount>", plan.first_year, plan.last_year));
                        continue;
                    }
                    written.insert(static_cast<int>(*y.value));
                    if (auto v = r.scalar_number(yv.second, bw + "." + key, NumberRule{"", 0.0}, true))
                        money[static_cast<int>(*y.value)] = *v;
                }
            } else {
                each_given = true;
                each = r.scalar_number(kv.second, bw, NumberRule{"", 0.0}, true);
            }
            std::vector<std::string> missing;
            for (int y = plan.first_year; y <= plan.last_year && plan.years() <= 30; ++y)
                if (!money.count(y)) {
                    if (each) money[y] = *each;
                    else if (!each_given && !written.count(y)) missing.push_back(std::to_string(y));
                }
            if (!missing.empty())
                r.error(kv.second, bw,
                        fmt::format("no money for {}; give every year of the plan ({} to {}) its amount (0 for none), or "
                                    "each_year: <amount> for the years not listed (a what-if changing one year of a base "
                                    "that wrote one amount for every year: {{each_year: <that amount>, <year>: <amount>}})",
                                    fmt::join(missing, ", "), plan.first_year, plan.last_year));
        }
    }
    return plan;
}

/// The ranking section; service names are checked against the services read before it.
void read_ranking(Reader& r, const YAML::Node& node, Scenario& s) {
    const std::string w = "ranking";
    r.check_keys(node, w, {"budget", "programmes", "min_share", "currency", "objective", "time_cap_min", "costs",
                           "capacities", "equity_weights", "drowning", "candidates", "exact", "exact_solver", "exact_time_s",
                           "uncertainty", "plan", "near_m"});
    RankingSettings rk;
    // Programmes or one budget. A what-if may turn its base's programmes into one pot (its own ranking.budget) or
    // the other way round: the key in the scenario's own file wins; both in one file is an error.
    const auto given = [&](const char* key) { return node[key] && !node[key].IsNull(); };
    const auto own = [&](const char* key) {
        return fs::absolute(r.file_of(node[key])).lexically_normal() == fs::absolute(s.file).lexically_normal();
    };
    bool programmes = given("programmes");
    if (programmes)
        for (const char* key : {"budget", "min_share"}) {
            if (!given(key)) continue;
            if (own(key) && !own("programmes")) {
                programmes = false;  // the what-if's one budget replaces the base's programmes
            } else if (!(own("programmes") && !own(key))) {  // (the what-if's programmes replace the base's budget)
                r.error(node[key], w + "." + key,
                        fmt::format("set together with ranking.programmes; give each programme its {} "
                                    "(ranking.programmes.<name>.{}) and remove ranking.{}, or remove the programmes for "
                                    "one budget", key, key, key));
            }
        }
    rk.budget = programmes ? 0.0 : r.number(node, "budget", w, -1e-12, true, true).value_or(0.0);
    rk.currency = r.text(node, "currency", w, false).value_or(rk.currency);
    rk.objective = r.text(node, "objective", w, false).value_or(rk.objective);
    if (rk.objective != "children" && rk.objective != "time_saved")
        r.error(node["objective"], w + ".objective", fmt::format("'{}' is not an objective; use children or time_saved", rk.objective));
    rk.time_cap_min = r.number(node, "time_cap_min", w, 0.0).value_or(rk.time_cap_min);
    rk.near_m = r.number(node, "near_m", w, -1e-12).value_or(rk.near_m);
    rk.exact_time_s = r.number(node, "exact_time_s", w, 0.0).value_or(rk.exact_time_s);
    rk.exact_solver = r.text(node, "exact_solver", w, false).value_or(rk.exact_solver);
    if (rk.exact_solver != "cbc" && rk.exact_solver != "glpk")
        r.error(node["exact_solver"], w + ".exact_solver", fmt::format("'{}' is not a solver; use cbc (the default) or glpk", rk.exact_solver));
    if (YAML::Node e = node["exact"]) {
        try {
            rk.exact = e.as<bool>();
        } catch (const YAML::Exception&) {
            r.error(e, w + ".exact", "expected true or false");
        }
    }
    auto known_service = [&](const YAML::Node& at, const std::string& key, const std::string& name) {
        if (std::any_of(s.services.begin(), s.services.end(), [&](const Service& v) { return v.name == name; })) return true;
        std::vector<std::string> names;
        for (const auto& v : s.services) names.push_back(v.name);
        const bool digits = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
        // A what-if that restates services: inherits its base's ranking, which may name the services it dropped.
        const bool inherited = fs::absolute(r.file_of(at)).lexically_normal() != fs::absolute(s.file).lexically_normal();
        r.error(at, key, fmt::format("'{}' is not a service; use one of {}{}{}", name, fmt::join(names, ", "),
                                     digits ? fmt::format(" (a number as a key: was a thousands separator or a decimal "
                                                          "comma written, as in 1,{}? write the number without it)", name)
                                            : "",
                                     inherited ? fmt::format(" (this ranking section comes from the base file, and {} "
                                                             "changes services:; give it a ranking section of its own, "
                                                             "or ranking: null)", s.file.filename().string())
                                               : ""));
        return false;
    };
    for (const char* table : {"costs", "capacities"}) {
        if (!node[table]) continue;
        YAML::Node t = r.map(node, table, w, false);
        if (!t.IsMap()) continue;
        for (const auto& kv : t) {
            const std::string name = kv.first.as<std::string>();
            const std::string key = fmt::format("{}.{}.{}", w, table, name);
            if (!known_service(kv.first, key, name)) continue;
            const bool costs = std::string(table) == "costs";  // money: 1.2 tỷ, 1_200_000_000
            auto v = r.number(t, name, fmt::format("{}.{}", w, table), costs ? 0.0 : -1e-12, false, costs);
            if (v) (costs ? rk.costs : rk.capacities)[name] = *v;
        }
    }
    if (YAML::Node eq = node["equity_weights"] ? r.map(node, "equity_weights", w, false) : YAML::Node(); eq.IsMap()) {
        r.check_keys(eq, w + ".equity_weights", {"island", "border", "remote"});
        rk.weight_island = r.number(eq, "island", w + ".equity_weights", -1e-12).value_or(rk.weight_island);
        rk.weight_border = r.number(eq, "border", w + ".equity_weights", -1e-12).value_or(rk.weight_border);
        rk.weight_remote = r.number(eq, "remote", w + ".equity_weights", -1e-12).value_or(rk.weight_remote);
    }
    if (YAML::Node dr = node["drowning"] ? r.map(node, "drowning", w, false) : YAML::Node(); dr.IsMap()) {
        r.check_keys(dr, w + ".drowning", {"services", "water_distance_m", "weight"});
        rk.pool_services = text_list(r, dr, "services", w + ".drowning");
        for (const auto& name : rk.pool_services) known_service(dr["services"], w + ".drowning.services", name);
        rk.water_distance_m = r.number(dr, "water_distance_m", w + ".drowning", -1e-12).value_or(rk.water_distance_m);
        rk.drowning_weight = r.number(dr, "weight", w + ".drowning", -1e-12).value_or(rk.drowning_weight);
    }
    if (rk.pool_services.empty())
        for (const auto& v : s.services)
            if (std::find(v.facility_types.begin(), v.facility_types.end(), "swimming_pool") != v.facility_types.end())
                rk.pool_services.push_back(v.name);
    if (YAML::Node c = node["candidates"] ? r.map(node, "candidates", w, false) : YAML::Node(); c.IsMap()) {
        const std::string cw = w + ".candidates";
        r.check_keys(c, cw, {"file", "layer", "where", "crs", "generate", "lattice_spacing_m", "road_distance_m", "school_types"});
        if (c["file"]) rk.candidates = r.layer(node, "candidates", w, false, {"generate", "lattice_spacing_m", "road_distance_m", "school_types"});
        if (YAML::Node g = c["generate"]) {
            try {
                rk.generate = g.as<bool>();
            } catch (const YAML::Exception&) {
                r.error(g, cw + ".generate", "expected true or false");
            }
        }
        rk.lattice_spacing_m = r.number(c, "lattice_spacing_m", cw, -1e-12).value_or(rk.lattice_spacing_m);
        rk.road_distance_m = r.number(c, "road_distance_m", cw, -1e-12).value_or(rk.road_distance_m);
        if (c["school_types"]) rk.school_types = text_list(r, c, "school_types", cw);
    }
    if (rk.generate && rk.costs.empty())
        r.error(node, w + ".costs", "missing; generated candidates take their cost from here (service: cost of one site)");
    if (YAML::Node u = node["uncertainty"] ? r.map(node, "uncertainty", w, false) : YAML::Node(); u.IsMap()) {
        const std::string uw = w + ".uncertainty";
        r.check_keys(u, uw, {"draws", "seed", "population_pct", "cost_pct", "speed_pct", "speed_pct_by_class"});
        NumberRule draws{"", 0.0, 10000.0};
        draws.expected = "a whole number of draws from 0 to 10000 (0 = none)";
        if (auto v = r.number(u, "draws", uw, draws)) {
            if (*v != std::floor(*v)) r.error(u["draws"], uw + ".draws", fmt::format("{:g} is not a whole number of draws", *v));
            rk.draws = static_cast<int>(*v);
        }
        NumberRule seed{"", 0.0, 9.0e15};
        seed.expected = "a whole number from 0 to 9e15";
        if (auto v = r.number(u, "seed", uw, seed)) rk.seed = static_cast<std::uint64_t>(*v);
        NumberRule pct{"", 0.0, 100.0};
        pct.expected = "a percentage from 0 to 100 (20 = +-20%)";
        rk.population_pct = r.number(u, "population_pct", uw, pct).value_or(rk.population_pct);
        NumberRule cost{"", 0.0, 99.0};
        cost.expected = "a percentage from 0 to 99 (15 = +-15%; a cost stays above 0)";
        rk.cost_pct = r.number(u, "cost_pct", uw, cost).value_or(rk.cost_pct);
        NumberRule speed{"", 0.0, 50.0};
        speed.expected = "a percentage from 0 to 50 (10 = every speed of a mode +-10% in a draw)";
        rk.speed_pct = r.number(u, "speed_pct", uw, speed).value_or(rk.speed_pct);
        if (YAML::Node by = u["speed_pct_by_class"] ? r.map(u, "speed_pct_by_class", uw, false) : YAML::Node(); by.IsMap()) {
            // Keys: the speed classes (road classes, land-cover classes, boat), with a "did you mean" for a near miss.
            const std::vector<std::string> names = speed_class_names();
            r.check_keys(by, uw + ".speed_pct_by_class", std::set<std::string>(names.begin(), names.end()));
            NumberRule class_pct{"", 0.0, 90.0};
            class_pct.expected = "a percentage from 0 to 90 (40 = the class's speeds +-40% in a draw; a speed stays above 0)";
            rk.speed_pct_by_class.clear();
            for (const auto& kv : by) {
                const std::string name = kv.first.as<std::string>("");
                if (std::find(names.begin(), names.end(), name) == names.end()) continue;  // (check_keys said so)
                if (auto v = r.scalar_number(kv.second, uw + ".speed_pct_by_class." + name, class_pct))
                    rk.speed_pct_by_class[name] = *v;
            }
        }
    }
    // min_share: {island_border_remote: 0.3}: a share (0..1) of the budget kept for sites reaching mostly those areas.
    auto shares = [&](const YAML::Node& parent, const std::string& where) {
        std::vector<std::pair<std::string, double>> out;
        YAML::Node m = r.map(parent, "min_share", where, false);
        if (!m.IsMap()) return out;
        std::set<std::string> allowed;
        for (const auto& [name, bits] : reserve_areas()) allowed.insert(name);
        r.check_keys(m, where + ".min_share", allowed);
        NumberRule rule{"", 0.0, 1.0};
        rule.expected = "a share of the budget from 0 to 1: 0.3 (or \"30%\")";
        double total = 0.0;
        std::vector<std::string> parts;
        for (const auto& [name, bits] : reserve_areas()) {
            std::optional<double> v;
            const YAML::Node at = m[name];
            if (at && at.IsScalar() && !at.Scalar().empty() && at.Scalar().back() == '%') {  // "30%" = 0.3
                NumberRule pct{"", 0.0, 100.0};
                pct.expected = "a percentage from 0 to 100, or a share from 0 to 1";
                const std::string text = at.Scalar().substr(0, at.Scalar().size() - 1);
                Parsed<double> p = try_parse_number(text, pct);
                if (p.value) v = *p.value / 100.0;
                else r.error(at, where + ".min_share." + name, p.problem);
            } else {
                v = r.number(m, name, where + ".min_share", rule);
            }
            if (!v) continue;
            out.emplace_back(name, *v);
            total += *v;
            parts.push_back(fmt::format("{} {:g} in {}", name, *v, r.file_of(at).filename().string()));
        }
        if (total > 1.0 + 1e-9)
            r.error(m, where + ".min_share", fmt::format("the shares add up to {:g} ({}; a what-if's shares merge with its "
                                                         "base's), more than the whole budget; lower them so that they add "
                                                         "up to 1 at most, or remove one with null", total,
                                                         fmt::join(parts, ", ")));
        return out;
    };
    rk.min_share = programmes ? decltype(rk.min_share){} : shares(node, w);
    if (programmes) {
        YAML::Node pm = r.map(node, "programmes", w, false);
        std::map<std::string, std::pair<std::string, YAML::Node>> owner;  // service -> programme and its services node
        for (const auto& kv : pm.IsMap() ? pm : YAML::Node()) {
            Programme p;
            p.name = kv.first.as<std::string>();
            const std::string pw = w + ".programmes." + p.name;
            if (!is_safe_name(p.name))
                r.error(kv.first, pw, "a programme's name is lower-case letters, digits and _, starting with a letter "
                                      "(education, health, sport_culture)");
            if (!kv.second.IsMap()) {
                r.error(kv.second, pw, "expected a mapping with services and budget (and optionally min_share)");
                continue;
            }
            r.check_keys(kv.second, pw, {"services", "budget", "min_share"});
            if (!kv.second["services"]) r.error(kv.second, pw + ".services", "missing; list the services this budget pays for");
            p.services = text_list(r, kv.second, "services", pw);
            for (const auto& name : p.services) {
                if (!known_service(kv.second["services"], pw + ".services", name)) continue;
                if (auto [it, fresh] = owner.emplace(name, std::pair{p.name, kv.second["services"]}); !fresh) {
                    // Said where the user wrote it: at the programme of the scenario's own file when one is.
                    const bool earlier_own = fs::absolute(r.file_of(it->second.second)).lexically_normal() ==
                                             fs::absolute(s.file).lexically_normal();
                    const bool here_own = fs::absolute(r.file_of(kv.second["services"])).lexically_normal() ==
                                          fs::absolute(s.file).lexically_normal();
                    const bool swap = earlier_own && !here_own;
                    r.error(swap ? it->second.second : kv.second["services"],
                            w + ".programmes." + (swap ? it->second.first : p.name) + ".services",
                            fmt::format("'{}' is in programme '{}' too; a service is paid from one programme", name,
                                        swap ? p.name : it->second.first));
                }
            }
            p.budget = r.number(kv.second, "budget", pw, -1e-12, true, true).value_or(0.0);
            p.min_share = shares(kv.second, pw);
            rk.programmes.push_back(std::move(p));
        }
        if (pm.IsMap() && rk.programmes.empty())
            r.error(pm, w + ".programmes", "empty; name at least one programme with its services and budget");
    }
    if (YAML::Node pl = node["plan"] ? r.map(node, "plan", w, false) : YAML::Node(); pl.IsMap())
        rk.plan = read_plan(r, pl, rk, s.file);
    s.ranking = std::move(rk);
}

NumberRule speed_rule(const char* expected) {
    NumberRule rule{"", 0.0};
    rule.expected = expected;
    return rule;
}

void read_mode_overrides(Reader& r, const YAML::Node& node, const std::string& where, TravelMode& mode) {
    r.check_keys(node, where, {"base", "road_speed_kmh", "landcover_speed_kmh", "boat_speed_kmh", "building_speed_kmh",
                               "slope_aware", "osm_access"});
    if (YAML::Node roads = node["road_speed_kmh"]; roads && roads.IsMap()) {
        for (const auto& kv : roads) {
            const std::string name = kv.first.as<std::string>();
            auto cls = road_class_from_osm(name);
            if (!cls || *cls == RoadClass::none) {
                r.error(kv.first, where + ".road_speed_kmh." + name, "not a road class; use OSM highway values such as "
                                                                   "trunk, primary, secondary, tertiary, track, path");
                continue;
            }
            if (auto v = r.scalar_number(kv.second, where + ".road_speed_kmh." + name, speed_rule("a speed >= 0 km/h (0 = cannot use)")))
                mode.road_speed_kmh[static_cast<std::size_t>(*cls)] = *v;
        }
    }
    if (YAML::Node lc = node["landcover_speed_kmh"]; lc && lc.IsMap()) {
        for (const auto& kv : lc) {
            // yaml-cpp's as<int> read "010" as 8 and "0x0A" as 10: codes are read as decimal whole numbers.
            const std::optional<std::int64_t> code = try_parse_integer(kv.first.Scalar(), IntegerRule{"", 0, 255}).value;
            if (!code) {
                r.error(kv.first, where + ".landcover_speed_kmh", "keys are land-cover codes 0..255 (ESA WorldCover: 10, 20, ... 100)");
                continue;
            }
            if (auto v = r.scalar_number(kv.second, fmt::format("{}.landcover_speed_kmh.{}", where, *code), speed_rule("a speed >= 0 km/h")))
                mode.landcover_speed_kmh[static_cast<std::uint8_t>(*code)] = *v;
        }
    }
    if (node["boat_speed_kmh"])  // (.inf was taken)
        if (auto v = r.scalar_number(node["boat_speed_kmh"], where + ".boat_speed_kmh", speed_rule("a speed >= 0 km/h")))
            mode.boat_speed_kmh = *v;
    if (node["building_speed_kmh"]) {
        NumberRule rule{"", 0.0};
        rule.min_exclusive = true;
        rule.expected = "a speed > 0 km/h (people live in buildings: 0 would leave them without access)";
        if (auto v = r.scalar_number(node["building_speed_kmh"], where + ".building_speed_kmh", rule)) mode.building_speed_kmh = *v;
    }
    if (node["osm_access"]) {
        const std::string access = node["osm_access"].IsScalar() ? node["osm_access"].Scalar() : "";
        if (access == "foot" || access == "motorcycle" || access == "bicycle") mode.osm_access = access;
        else r.error(node["osm_access"], where + ".osm_access", fmt::format("'{}': expected foot, motorcycle or bicycle (which "
                                                                            "OpenStreetMap access and one-way tags apply to the mode)",
                                                                            access.empty() ? "(not a word)" : access));
    }
    if (node["slope_aware"]) {
        try {
            mode.slope_aware = node["slope_aware"].as<bool>();
        } catch (const YAML::Exception&) {
            r.error(node["slope_aware"], where + ".slope_aware", "expected true or false");
        }
    }
}


// --- base: chains --------------------------------------------------------------------------------------------

/// Every key of every mapping must be a plain name: `[x]: 1` or `{a: b}: 1` (YAML allows them) are refused here, once,
/// so that the readers below can take keys as text.
void require_scalar_keys(const YAML::Node& node, const fs::path& file) {
    if (node.IsMap()) {
        for (const auto& kv : node) {
            if (!kv.first.IsScalar())
                throw InputError(fmt::format("{}:{}:{}: a key must be a plain name, not a {}; check the brackets and colons on "
                                             "this line", file.string(), kv.first.Mark().line + 1, kv.first.Mark().column + 1,
                                             kv.first.IsSequence() ? "list" : kv.first.IsMap() ? "mapping" : "null"));
            require_scalar_keys(kv.second, file);
        }
    } else if (node.IsSequence()) {
        for (const auto& item : node) require_scalar_keys(item, file);
    }
}

/// A scenario is a few kilobytes of YAML; anything this large is another file given by mistake.
constexpr std::uintmax_t max_scenario_bytes = 1024 * 1024;

YAML::Node parse_yaml_file(const fs::path& file, std::string& text) {
    std::error_code ec;
    if (!fs::exists(file, ec)) throw InputError(fmt::format("{}: scenario file not found; check the path", file.string()));
    if (fs::is_directory(file, ec))
        throw InputError(fmt::format("{}: a folder, not a scenario file; give the .yaml file inside it", file.string()));
    if (const auto bytes = fs::file_size(file, ec); !ec && bytes > max_scenario_bytes)
        throw InputError(fmt::format("{}: {:.1f} MB; a scenario is a few kilobytes of YAML that names its data files. Was a "
                                     "data file (GeoJSON, CSV, raster) given as the scenario? Reference it from the scenario "
                                     "instead (docs/scenarios.md)", file.string(), static_cast<double>(bytes) / 1e6));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: cannot be read (permissions?)", file.string()));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw InputError(fmt::format("{}: the file is empty; a scenario needs at least schema_version, area, population, "
                                     "facilities, travel and services (docs/scenarios.md)", file.string()));
    if (const auto bad = geodata::first_invalid_utf8(text)) {
        const auto line_start = text.rfind('\n', *bad == 0 ? 0 : *bad - 1);
        const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
        const std::size_t column = line_start == std::string::npos ? *bad + 1 : *bad - line_start;
        throw InputError(fmt::format("{}:{}:{}: not UTF-8 text (a legacy encoding such as Windows-1258 or Latin-1?); save "
                                     "the file as UTF-8 so that Vietnamese names survive", file.string(), line, column));
    }
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        throw InputError(fmt::format("{}:{}:{}: not valid YAML: {}", file.string(), e.mark.line + 1, e.mark.column + 1, e.msg));
    }
    if (!root.IsMap())
        throw InputError(fmt::format("{}: expected a YAML mapping at the top (schema_version: 1, area: ..., ...)", file.string()));
    require_scalar_keys(root, file);
    return root;
}

void record_origin(const YAML::Node& node, const fs::path& file, Origins& origins) {
    origins.emplace_back(node, file);
    if (node.IsMap())
        for (const auto& kv : node) {
            origins.emplace_back(kv.first, file);
            record_origin(kv.second, file, origins);
        }
    else if (node.IsSequence())
        for (const auto& v : node) record_origin(v, file, origins);
}

/// `over` on top of `base`: mappings merge key by key, other values (lists included) replace, null removes;
/// `modifications`
/// lists append (a what-if built on a what-if applies both). Nodes keep their identity, so their marks and files.
YAML::Node merge_nodes(const YAML::Node& base, const YAML::Node& over, bool top) {
    if (!base.IsMap() || !over.IsMap()) return over;
    YAML::Node out(YAML::NodeType::Map);
    // The merged value of `key` (over's kv on top of the base's value b), or nothing when over removes it.
    auto put = [&](const YAML::Node& key_node, const std::string& key, const YAML::Node& b, const YAML::Node& value) {
        // `key: null` removes the base's value (as in JSON merge patch, RFC 7386). A null key the base does not have
        // stays, so that it is checked like any other key: `{swimming_pool: 1,200}` reads as {swimming_pool: 1,
        // 200: null}, and the stray `200` must be reported, not dropped.
        if (value.IsNull() && b) return;
        if (top && key == "modifications" && b && b.IsSequence() && value.IsSequence()) {
            YAML::Node list(YAML::NodeType::Sequence);
            for (const auto& v : b) list.push_back(v);
            for (const auto& v : value) list.push_back(v);
            out[key_node] = list;
        } else if (b && b.IsMap() && value.IsMap()) {
            out[key_node] = merge_nodes(b, value, false);
        } else {
            out[key_node] = value;
        }
    };
    // The base's keys keep their order (programmes, services listed in a base stay in its order in a what-if); the
    // what-if's new keys follow.
    std::map<std::string, std::pair<YAML::Node, YAML::Node>> restated;  // key -> the what-if's key and value nodes
    for (const auto& kv : over) restated.emplace(kv.first.as<std::string>(), std::pair{kv.first, kv.second});
    for (const auto& kv : base) {
        const std::string key = kv.first.as<std::string>();
        if (top && key == "base") continue;
        if (auto it = restated.find(key); it != restated.end()) put(it->second.first, key, kv.second, it->second.second);
        else out[kv.first] = kv.second;
    }
    for (const auto& kv : over) {
        const std::string key = kv.first.as<std::string>();
        if ((top && key == "base") || base[key]) continue;
        put(kv.first, key, YAML::Node(YAML::NodeType::Undefined), kv.second);
    }
    return out;
}

/// Reads `file` and, recursively, its `base:` (relative to it). `chain` holds the files being read, to catch cycles.
/// `own`, when given, gets `file`'s own keys, before its base's are merged in.
YAML::Node load_chain(const fs::path& file, std::vector<fs::path>& chain, Origins& origins,
                      std::vector<std::pair<fs::path, std::string>>& sources, YAML::Node* own = nullptr) {
    std::string text;
    YAML::Node root = parse_yaml_file(file, text);
    if (own) *own = root;
    sources.emplace_back(file, text);
    if (!chain.empty()) record_origin(root, file, origins);
    const YAML::Node base = root["base"];
    if (!base) return root;
    const YAML::Mark mark = base.Mark();
    const std::string at = fmt::format("{}:{}:{}: base", file.string(), mark.line + 1, mark.column + 1);
    if (!base.IsScalar()) throw InputError(fmt::format("{}: expected the file name of the scenario this one builds on", at));
    fs::path base_file(base.as<std::string>());
    if (base_file.is_relative()) base_file = file.parent_path() / base_file;
    std::error_code ec;
    if (!fs::exists(base_file, ec))
        throw InputError(fmt::format("{}: file '{}' not found (relative to {})", at, base.as<std::string>(),
                                     file.parent_path().empty() ? "." : file.parent_path().string()));
    chain.push_back(fs::weakly_canonical(file, ec));
    const fs::path canonical = fs::weakly_canonical(base_file, ec);
    if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
        std::vector<std::string> names;
        for (const auto& c : chain) names.push_back(c.filename().string());
        names.push_back(canonical.filename().string());
        throw InputError(fmt::format("{}: circular base chain {}; a scenario cannot build on itself", at, fmt::join(names, " -> ")));
    }
    if (chain.size() > 32) throw InputError(fmt::format("{}: more than 32 base files in a chain", at));
    const YAML::Node parent = load_chain(base_file, chain, origins, sources);
    chain.pop_back();
    return merge_nodes(parent, root, true);
}

// --- modifications ---------------------------------------------------------------------------------------------

void read_modifications(Reader& r, const YAML::Node& list, Scenario& s) {
    if (!list.IsSequence()) {
        r.error(list, "modifications", "expected a list; each item is one change, e.g. - new_ferry: {from: [lon, lat], ...}");
        return;
    }
    const std::vector<std::string>& names = modification_kind_names();
    const std::set<std::string> kind_names(names.begin(), names.end());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const YAML::Node item = list[i];
        // Numbered within the file that lists it (a base's modifications come first in the merged list).
        std::size_t index = 0;
        for (std::size_t j = 0; j < i; ++j) index += r.file_of(list[j]) == r.file_of(item) ? 1 : 0;
        const std::string at = fmt::format("modifications[{}]", index);
        if (!item.IsMap() || item.size() != 1) {
            r.error(item, at, fmt::format("expected one change as a mapping with one key ({})", fmt::join(kind_names, ", ")));
            continue;
        }
        const auto kv = *item.begin();
        r.check_keys(item, at, kind_names);
        const std::string kind_name = kv.first.as<std::string>();
        std::optional<ModificationChange> change = make_change(kind_name);
        if (!change) continue;
        const YAML::Node node = kv.second;
        const std::string w = at + "." + kind_name;
        if (!node.IsMap()) {
            r.error(node, w, "expected a mapping of its settings (docs/scenarios.md, modifications)");
            continue;
        }
        Modification m;
        const YAML::Mark mark = kv.first.Mark();
        m.label = fmt::format("{}:{}: {} ({})", r.file_of(kv.first).string(), mark.line + 1, at, kind_name);
        m.name = r.text(node, "name", w, false).value_or("");
        ParseStep step{r, node, w, s, m};
        std::visit([&](auto& c) { parse(step, c); }, *change);
        m.change = std::move(*change);
        s.modifications.push_back(std::move(m));
    }
}

}  // namespace

std::optional<Months> parse_months(const std::string& text) {
    std::set<int> months;
    std::size_t pos = 0;
    auto number = [&](int& out) {
        while (pos < text.size() && text[pos] == ' ') ++pos;
        const std::size_t start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
        if (pos == start || pos - start > 2) return false;
        out = std::stoi(text.substr(start, pos - start));
        while (pos < text.size() && text[pos] == ' ') ++pos;
        return out >= 1 && out <= 12;
    };
    for (;;) {
        int a = 0, b = 0;
        if (!number(a)) return std::nullopt;
        b = a;
        if (pos < text.size() && text[pos] == '-') {
            ++pos;
            if (!number(b)) return std::nullopt;
        }
        for (int m = a;; m = m % 12 + 1) {  // 11-2 wraps over the new year
            months.insert(m);
            if (m == b) break;
        }
        if (pos == text.size()) break;
        if (text[pos] != ',') return std::nullopt;
        ++pos;
    }
    if (months.size() == 12) return Months{};
    return Months(months.begin(), months.end());
}

bool in_months(const Months& months, int month) noexcept {
    return months.empty() || std::find(months.begin(), months.end(), month) != months.end();
}

std::vector<fs::path> input_files(const Scenario& s) {
    std::vector<fs::path> files;
    auto add = [&](const fs::path& f) {
        if (!f.empty() && std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
    };
    auto add_layer = [&](const std::optional<LayerRef>& l) {
        if (l) add(l->file);
    };
    add_layer(s.area_boundary);
    add(s.population);
    if (s.age_sex) add(*s.age_sex);
    for (const auto& f : s.age_sex_files) add(f);
    if (s.age_shares) add(*s.age_shares);
    add(s.facilities.file);
    add(s.landcover);
    if (s.elevation) add(*s.elevation);
    for (const auto* l : {&s.population_mask, &s.land, &s.roads, &s.buildings, &s.rivers, &s.border, &s.ferries, &s.towns, &s.remote_zones, &s.island_zones,
                          &s.coastline, &s.zones})
        add_layer(*l);
    if (s.ranking) add_layer(s.ranking->candidates);
    for (const auto& m : s.modifications) {
        std::visit([&](const auto& c) {
            if constexpr (requires { c.file; }) add_layer(c.file);
            if constexpr (requires { c.polygons; }) add_layer(c.polygons);
            if constexpr (requires { c.factor_raster; }) if (c.factor_raster) add(*c.factor_raster);
        }, m.change);
    }
    return files;
}

std::vector<fs::path> files_read(const Scenario& s) {
    std::vector<fs::path> files;
    for (const auto& [file, text] : s.sources) files.push_back(file);
    if (s.sources.empty() && !s.file.empty()) files.push_back(s.file);
    for (auto& f : input_files(s)) files.push_back(std::move(f));
    return files;
}

std::vector<std::string> services_without_roads(const Scenario& s) {
    std::vector<std::string> out;
    if (s.roads) return out;
    for (const auto& svc : s.services) {
        const TravelMode& m = s.modes.at(svc.mode);
        double off_road = 0.0, road = 0.0;
        for (const auto& [cls, v] : m.landcover_speed_kmh) off_road = std::max(off_road, v);
        for (const double v : m.road_speed_kmh) road = std::max(road, v);
        if (road > 1.5 * off_road) out.push_back(svc.name);
    }
    return out;
}

bool is_osm_file(const fs::path& path) {
    std::string name = path.filename().string();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name.ends_with(".osm.pbf") || name.ends_with(".pbf") || name.ends_with(".osm");
}

bool is_safe_name(const std::string& name) {
    if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::vector<TargetGroup> default_target_groups() {
    return {{"preschool", 3, 5},        {"primary", 6, 10},        {"lower_secondary", 11, 14},
            {"under5", 0, 4},           {"children_3_14", 3, 14},  {"swim_6_15", 6, 15}};
}

const TargetGroup& Scenario::group(const std::string& group_name) const {
    for (const auto& g : target_groups)
        if (g.name == group_name) return g;
    throw InternalError("unknown target group " + group_name);
}

namespace {

using namespace detail;

Scenario read_scenario(const fs::path& file) {
    Scenario s;
    s.file = file;
    Origins origins;
    std::vector<fs::path> chain;
    YAML::Node own;
    const YAML::Node root = load_chain(file, chain, origins, s.sources, &own);
    std::error_code ec;

    Reader r(file, origins);
    r.check_keys(root, "", {"schema_version", "name", "credits", "area", "population", "facilities", "travel", "area_classes",
                            "zones", "gaps", "target_groups", "services", "ranking", "month", "modifications"});
    if (root["month"]) {
        auto m = r.number(root, "month", "", 0.0);
        if (m && (*m > 12.0 || *m != std::floor(*m))) r.error(root["month"], "month", fmt::format("{} is not a month; expected 1..12", *m));
        else if (m) s.month = static_cast<int>(*m);
    }
    if (auto v = r.text(root, "schema_version", "", true); v && *v != "1")
        r.error(root["schema_version"], "schema_version", fmt::format("'{}' is not supported; this accessplan reads schema_version 1", *v));
    // A what-if without a name of its own is not its base: "<file name> (on <base's name>)".
    const bool has_base = s.sources.size() > 1;
    s.name = r.text(root, "name", "", false).value_or(file.stem().string());
    if (has_base && !(own.IsMap() && own["name"])) s.name = fmt::format("{} (on {})", file.stem().string(), s.name);
    s.ranking_inherited = has_base && !(own.IsMap() && own["ranking"]);
    if (YAML::Node credits = root["credits"]) {  // one text, or a list of them
        if (credits.IsScalar() && !credits.as<std::string>().empty()) {
            s.credits.push_back(credits.as<std::string>());
        } else if (credits.IsSequence() && credits.size() > 0) {
            for (const auto& c : credits)
                if (c.IsScalar() && !c.as<std::string>().empty()) s.credits.push_back(c.as<std::string>());
                else r.error(c, "credits", "expected a list of texts, e.g. [\"WorldPop 2020 (CC BY 4.0)\", \"© OpenStreetMap contributors\"]");
        } else if (!credits.IsNull()) {
            r.error(credits, "credits", "expected a text or a list of texts naming the data sources, e.g. "
                                        "[\"WorldPop 2020 (CC BY 4.0)\", \"© OpenStreetMap contributors\"]");
        }
    }

    if (YAML::Node area = r.map(root, "area", "", true)) {
        r.check_keys(area, "area", {"boundary", "bbox", "crs", "cell_size_m", "buffer_m"});
        if (area["boundary"] && area["bbox"]) r.error(area, "area", "give either boundary or bbox, not both");
        if (!area["boundary"] && !area["bbox"])
            r.error(area, "area", "missing boundary (a polygon layer) or bbox ([west, south, east, north] in degrees)");
        if (area["boundary"]) s.area_boundary = r.layer(area, "boundary", "area", true);
        if (YAML::Node bbox = area["bbox"]) {
            std::array<double, 4> b{};
            bool ok = bbox.IsSequence() && bbox.size() == 4;
            for (std::size_t k = 0; ok && k < 4; ++k) {
                std::optional<double> v;
                if (bbox[k].IsScalar()) v = parse_number(bbox[k].Scalar());
                if (v) b[k] = *v;
                else ok = false;
            }
            ok = ok && b[0] < b[2] && b[1] < b[3] && b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90;
            if (ok) s.area_bbox = b;
            else r.error(bbox, "area.bbox", "expected [west, south, east, north] in degrees (WGS 84), west < east, south < north");
        }
        s.area_crs = r.text(area, "crs", "area", false);
        s.cell_size_m = r.number(area, "cell_size_m", "area", 0.0).value_or(s.cell_size_m);
        if (area["buffer_m"]) s.buffer_m = r.number(area, "buffer_m", "area", -1e-12).value_or(s.buffer_m);
    }
    if (YAML::Node pop = r.map(root, "population", "", true)) {
        r.check_keys(pop, "population", {"total", "age_sex", "age_shares", "mask"});
        s.population_mask = r.layer(pop, "mask", "population", false);
        if (auto p = r.path(pop, "total", "population", true)) s.population = *p;
        if (YAML::Node files = pop["age_sex"]; files && files.IsSequence()) {
            for (std::size_t k = 0; k < files.size(); ++k) {
                if (!files[k].IsScalar()) {
                    r.error(files[k], fmt::format("population.age_sex[{}]", k), "expected a file name");
                    continue;
                }
                const fs::path f = r.resolve(files[k], files[k].as<std::string>());
                if (!fs::exists(f, ec))
                    r.error(files[k], fmt::format("population.age_sex[{}]", k), fmt::format("file '{}' not found", f.string()));
                else
                    s.age_sex_files.push_back(f);
            }
        } else {
            s.age_sex = r.path(pop, "age_sex", "population", false);
        }
        if (YAML::Node shares = pop["age_shares"]) {
            if (shares.IsMap()) {
                r.check_keys(shares, "population.age_shares", {"file", "code_field"});
                s.age_shares = r.path(shares, "file", "population.age_shares", true);
                s.age_shares_code_field = r.text(shares, "code_field", "population.age_shares", false).value_or("code");
            } else {
                s.age_shares = r.path(pop, "age_shares", "population", false);
            }
            if (pop["age_sex"]) r.error(shares, "population.age_shares", "give age_sex or age_shares, not both");
            if (!root["zones"]) r.error(shares, "population.age_shares", "needs zones: (the admin units the table's codes refer to)");
        }
    }
    if (YAML::Node fac = r.map(root, "facilities", "", true)) {
        r.check_keys(fac, "facilities", {"file", "layer", "where", "crs", "type_field", "name_field", "id_field",
                                            "capacity_field", "snap_distance_m", "max_dropped_pct"});
        if (auto p = r.path(fac, "file", "facilities", true)) s.facilities.file = *p;
        s.facilities.layer = r.text(fac, "layer", "facilities", false).value_or("");
        s.facilities.where = r.text(fac, "where", "facilities", false).value_or("");
        s.facilities.crs = r.crs_text(fac, "facilities");
        if (!s.facilities.where.empty() && is_osm_file(s.facilities.file))
            r.error(fac["where"], "facilities.where", "an OpenStreetMap file has no attribute table to filter; choose the "
                                                      "facilities by the services' facility_types");
        s.type_field = r.text(fac, "type_field", "facilities", false).value_or(s.type_field);
        s.name_field = r.text(fac, "name_field", "facilities", false).value_or(s.name_field);
        s.id_field = r.text(fac, "id_field", "facilities", false).value_or(s.id_field);
        s.capacity_field = r.text(fac, "capacity_field", "facilities", false).value_or(s.capacity_field);
        s.snap_distance_m = r.number(fac, "snap_distance_m", "facilities", 0.0).value_or(s.snap_distance_m);
        s.max_dropped_pct = r.number(fac, "max_dropped_pct", "facilities",
                                     NumberRule{"", 0.0, 100.0, false, "a share in % from 0 to 100"}).value_or(s.max_dropped_pct);
    }
    s.modes["walking"] = default_walking_mode();
    s.modes["motorbike"] = default_motorbike_mode();
    if (YAML::Node travel = r.map(root, "travel", "", true)) {
        r.check_keys(travel, "travel", {"landcover", "elevation", "roads", "road_model", "search", "buildings", "rivers", "border", "land",
                                        "ferries", "modes"});
        s.land = r.layer(travel, "land", "travel", false);
        if (YAML::Node lc = travel["landcover"]; lc && lc.IsMap()) {
            r.check_keys(lc, "travel.landcover", {"uniform"});
            auto code = r.number(lc, "uniform", "travel.landcover", -1.0, true);
            if (code && (*code > 255.0 || *code != std::floor(*code)))
                r.error(lc["uniform"], "travel.landcover.uniform", "expected a land-cover class code 0..255 (ESA WorldCover: 50 built-up, 40 cropland, ...)");
            else if (code) s.landcover_uniform = static_cast<std::uint8_t>(*code);
        } else if (auto p = r.path(travel, "landcover", "travel", true)) {
            s.landcover = *p;
        }
        s.elevation = r.path(travel, "elevation", "travel", false);
        s.roads = r.layer(travel, "roads", "travel", false, {"class_field"});
        if (travel["roads"] && travel["roads"].IsMap())
            s.road_class_field = r.text(travel["roads"], "class_field", "travel.roads", false).value_or(s.road_class_field);
        if (travel["search"]) {
            const YAML::Node m = travel["search"];
            if (m.IsScalar() && (m.Scalar() == "whole_grid" || m.Scalar() == "study_area")) s.travel_search = m.Scalar();
            else r.error(m, "travel.search", fmt::format("'{}': expected whole_grid (every cell of the grid gets its travel "
                                                         "time, the default) or study_area (the search stops once every "
                                                         "cell of the study area has its time)",
                                                         m.IsScalar() ? m.Scalar() : "(not a word)"));
        }
        if (travel["road_model"]) {
            const YAML::Node m = travel["road_model"];
            if (m.IsScalar() && (m.Scalar() == "network" || m.Scalar() == "raster")) s.road_model = m.Scalar();
            else r.error(m, "travel.road_model", fmt::format("'{}': expected network (roads as a graph with their true lengths, "
                                                             "the default) or raster (each road cell takes its road's speed, as "
                                                             "AccessMod)", m.IsScalar() ? m.Scalar() : "(not a word)"));
        }
        s.buildings = r.layer(travel, "buildings", "travel", false);
        s.rivers = r.layer(travel, "rivers", "travel", false);
        s.border = r.layer(travel, "border", "travel", false);
        s.ferries = r.layer(travel, "ferries", "travel", false, {"port_snap_m"});
        if (travel["ferries"] && travel["ferries"].IsMap())
            s.ferry_port_snap_m = r.number(travel["ferries"], "port_snap_m", "travel.ferries", 0.0).value_or(s.ferry_port_snap_m);
        if (YAML::Node modes = r.map(travel, "modes", "travel", false)) {
            for (const auto& kv : modes) {
                const std::string name = kv.first.as<std::string>();
                const std::string where = "travel.modes." + name;
                if (!kv.second.IsMap()) {
                    r.error(kv.second, where, "expected a mapping (base, road_speed_kmh, landcover_speed_kmh, ...)");
                    continue;
                }
                TravelMode mode;
                const std::string base = kv.second["base"] ? kv.second["base"].as<std::string>()
                                                           : (s.modes.count(name) ? name : "walking");
                if (!s.modes.count(base)) {
                    r.error(kv.second["base"], where + ".base", fmt::format("'{}' is not a mode; use walking or motorbike", base));
                    continue;
                }
                mode = s.modes[base];
                mode.name = name;
                read_mode_overrides(r, kv.second, where, mode);
                s.modes[name] = mode;
            }
        }
    }
    if (YAML::Node ac = r.map(root, "area_classes", "", false)) {
        r.check_keys(ac, "area_classes", {"border_km", "remote_minutes", "remote_mode", "island_bridge_m", "towns",
                                          "remote_zones", "island_zones", "coastline", "mainland_km2"});
        if (ac["border_km"]) s.border_km = r.number(ac, "border_km", "area_classes", -1e-12).value_or(s.border_km);
        s.remote_minutes = r.number(ac, "remote_minutes", "area_classes", 0.0).value_or(s.remote_minutes);
        s.remote_mode = r.text(ac, "remote_mode", "area_classes", false).value_or(s.remote_mode);
        if (!s.modes.count(s.remote_mode))
            r.error(ac["remote_mode"], "area_classes.remote_mode", fmt::format("'{}' is not a travel mode", s.remote_mode));
        if (ac["island_bridge_m"])
            s.island_bridge_m = r.number(ac, "island_bridge_m", "area_classes", -1e-12).value_or(s.island_bridge_m);
        s.mainland_km2 = r.number(ac, "mainland_km2", "area_classes", 0.0).value_or(s.mainland_km2);
        s.towns = r.layer(ac, "towns", "area_classes", false);
        s.remote_zones = r.layer(ac, "remote_zones", "area_classes", false);
        s.island_zones = r.layer(ac, "island_zones", "area_classes", false);
        s.coastline = r.layer(ac, "coastline", "area_classes", false);
    }
    if (YAML::Node gaps = r.map(root, "gaps", "", false)) {
        r.check_keys(gaps, "gaps", {"min_cell_children", "min_children"});
        if (gaps["min_cell_children"])
            s.gap_min_cell_children = r.number(gaps, "min_cell_children", "gaps", -1e-12).value_or(s.gap_min_cell_children);
        if (gaps["min_children"]) s.gap_min_children = r.number(gaps, "min_children", "gaps", -1e-12).value_or(s.gap_min_children);
    }
    if (root["zones"]) {
        s.zones = r.layer(root, "zones", "", false, {"code_field", "name_field"});
        if (root["zones"].IsMap()) {
            s.zone_code_field = r.text(root["zones"], "code_field", "zones", false).value_or("");
            s.zone_name_field = r.text(root["zones"], "name_field", "zones", false).value_or(s.zone_name_field);
        }
    }
    s.target_groups = default_target_groups();
    if (YAML::Node groups = r.map(root, "target_groups", "", false)) {
        for (const auto& kv : groups) {
            const std::string name = kv.first.as<std::string>();
            const std::string where = "target_groups." + name;
            if (!is_safe_name(name)) {
                r.error(kv.first, where, fmt::format("'{}' must be lower-case letters, digits and _, starting with a letter "
                                                     "(it names output files: children_<group>.tif)", name));
                continue;
            }
            r.check_keys(kv.second, where, {"min_age", "max_age"});
            auto lo = r.number(kv.second, "min_age", where, -1.0, true);
            auto hi = r.number(kv.second, "max_age", where, -1.0, true);
            if (!lo || !hi) continue;
            bool ages_ok = true;
            for (const auto& [key, age] : {std::pair{"min_age", *lo}, std::pair{"max_age", *hi}})
                if (age > 120.0 || age != std::floor(age)) {
                    r.error(kv.second[key], where + "." + key, fmt::format("{:g} is not an age in whole years 0..120", age));
                    ages_ok = false;
                }
            if (!ages_ok) continue;
            if (*hi < *lo) {
                r.error(kv.second, where, fmt::format("max_age {} is below min_age {}", *hi, *lo));
                continue;
            }
            TargetGroup g{name, static_cast<int>(*lo), static_cast<int>(*hi)};
            auto it = std::find_if(s.target_groups.begin(), s.target_groups.end(), [&](const auto& t) { return t.name == name; });
            if (it != s.target_groups.end()) *it = g;
            else s.target_groups.push_back(g);
        }
    }
    YAML::Node services = root["services"];
    if (!services) {
        r.error(root, "services", "missing; list at least one service (name, facility_types, target_group, threshold_min, mode)");
    } else if (!services.IsSequence() || services.size() == 0) {
        r.error(services, "services", "expected a non-empty list of services");
    } else {
        std::set<std::string> names;
        for (std::size_t k = 0; k < services.size(); ++k) {
            const YAML::Node node = services[k];
            const std::string where = fmt::format("services[{}]", k);
            r.check_keys(node, where, {"name", "facility_types", "target_group", "threshold_min", "mode", "coverage_order"});
            Service svc;
            svc.name = r.text(node, "name", where, true).value_or("");
            if (!svc.name.empty() && !is_safe_name(svc.name))
                r.error(node["name"], where + ".name", fmt::format("'{}' must be lower-case letters, digits and _ (it names output files)", svc.name));
            if (!svc.name.empty() && !names.insert(svc.name).second)
                r.error(node["name"], where + ".name", fmt::format("'{}' is used by another service", svc.name));
            YAML::Node types = node["facility_types"];
            if (!types || !types.IsSequence() || types.size() == 0)
                r.error(types ? types : node, where + ".facility_types", "expected a non-empty list of facility type values");
            else
                for (const auto& t : types) {
                    if (t.IsScalar()) svc.facility_types.push_back(t.as<std::string>());
                    else r.error(t, where + ".facility_types", "expected a list of facility type values (text)");
                }
            svc.target_group = r.text(node, "target_group", where, true).value_or("");
            if (!svc.target_group.empty() &&
                std::none_of(s.target_groups.begin(), s.target_groups.end(), [&](const auto& g) { return g.name == svc.target_group; })) {
                std::vector<std::string> known;
                for (const auto& g : s.target_groups) known.push_back(g.name);
                r.error(node["target_group"], where + ".target_group",
                        fmt::format("'{}' is not defined; use one of {} or add it under target_groups", svc.target_group, fmt::join(known, ", ")));
            }
            svc.threshold_min = r.number(node, "threshold_min", where, 0.0, true).value_or(svc.threshold_min);
            svc.mode = r.text(node, "mode", where, false).value_or("walking");
            if (!s.modes.count(svc.mode)) {
                std::vector<std::string> known;
                for (const auto& [m, _] : s.modes) known.push_back(m);
                r.error(node["mode"], where + ".mode", fmt::format("'{}' is not a travel mode; use one of {}", svc.mode, fmt::join(known, ", ")));
            }
            svc.coverage_order = r.text(node, "coverage_order", where, false).value_or("file");
            if (svc.coverage_order != "file" && svc.coverage_order != "capacity_desc" && svc.coverage_order != "capacity_asc")
                r.error(node["coverage_order"], where + ".coverage_order",
                        fmt::format("'{}' is not an order; use file, capacity_desc or capacity_asc", svc.coverage_order));
            s.services.push_back(std::move(svc));
        }
    }
    if (root["ranking"])  // (a missing key's map() is a null node, which still tests true)
        if (YAML::Node rk = r.map(root, "ranking", "", false); rk.IsMap()) read_ranking(r, rk, s);
    if (YAML::Node mods = root["modifications"]) read_modifications(r, mods, s);
    if (!r.errors().empty())
        throw InputError(fmt::format("{} problem(s) in the scenario:\n  {}", r.errors().size(), fmt::join(r.errors(), "\n  ")));
    for (auto& [name, mode] : s.modes) validate_travel_mode(mode);
    return s;
}
}  // namespace

Scenario load_scenario(const fs::path& file) {
    try {
        return read_scenario(file);
    } catch (const YAML::Exception& e) {
        // The readers catch what they expect; a structure they did not foresee still gets a message with a place.
        throw InputError(fmt::format("{}:{}:{}: unexpected YAML here ({}); compare with docs/scenarios.md", file.string(),
                                     e.mark.line + 1, e.mark.column + 1, e.msg));
    }
}

}  // namespace accessplan::scenarios
