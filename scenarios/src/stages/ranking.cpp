#include "ranking.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <ogr_geometry.h>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/engine/random.hpp"
#include "accessplan/engine/ranking.hpp"
#include "accessplan/engine/snap.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/csv_table.hpp"
#include "accessplan/geodata/output.hpp"
#include "../modifications.hpp"

namespace accessplan::scenarios {
namespace fs = std::filesystem;
using geodata::csv_text;

namespace {

struct Site {
    RankingCandidate candidate;
    std::string id, name, origin;
};

/// 12345.6 -> "12,346".
std::string thousands(double v) {
    const std::string digits = fmt::format("{:.0f}", std::abs(v));
    std::string out = v < -0.5 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

/// The ranking's warnings: each in English in the run's warnings (console, summary.json) and as a RankingNote (a key
/// and what it quotes) that the report writes in its own language.
struct Notes {
    std::vector<std::string>& warnings;
    std::vector<RankingNote>& notes;
    void add(std::string key, std::string text, std::map<std::string, double> figures = {},
             std::map<std::string, std::string> words = {}) {
        warnings.push_back(text);
        notes.push_back({std::move(key), std::move(text), std::move(figures), std::move(words)});
    }
};

std::string attribute(const geodata::PointFeature& p, const std::string& key) {
    auto it = p.attributes.find(key);
    return it == p.attributes.end() ? std::string() : it->second;
}

std::size_t service_index(const Scenario& s, const std::string& name) {
    for (std::size_t k = 0; k < s.services.size(); ++k)
        if (s.services[k].name == name) return k;
    return s.services.size();
}

/// Candidates listed in the scenario's file: fields service, cost, capacity, name, id.
std::vector<Site> file_candidates(const RankingContext& c, Notes& notes) {
    const Scenario& s = c.scenario;
    const RankingSettings& rk = *s.ranking;
    const geodata::ReadOptions o = detail::read_options(*rk.candidates, c.grid.crs, &notes.warnings);
    const std::string file = rk.candidates->file.string();
    std::vector<Site> out;
    std::vector<std::string> unplaced;
    for (const auto& p : geodata::read_points(rk.candidates->file, c.grid.crs, o)) {
        const std::string what = fmt::format("{}: candidate {}", file, p.fid);
        const std::string service = attribute(p, "service");
        const std::size_t k = service_index(s, service);
        if (k == s.services.size()) {
            std::vector<std::string> names;
            for (const auto& v : s.services) names.push_back(v.name);
            throw InputError(fmt::format("{} has service '{}', which is not a service of the scenario; use one of {}", what,
                                         service, fmt::join(names, ", ")));
        }
        // The cost is money (60e9, 1_200_000_000, 1.2 tỷ), the capacity a plain number; both read strictly.
        std::optional<double> cost;
        if (const std::string text = attribute(p, "cost"); !text.empty())
            cost = parse_money(text, NumberRule{fmt::format("{}: cost", what)});
        else if (auto it = rk.costs.find(service); it != rk.costs.end())
            cost = it->second;
        if (!cost)
            throw InputError(fmt::format("{} has no cost; fill its cost field or set ranking.costs.{}", what, service));
        if (!(*cost > 0.0))
            throw InputError(fmt::format("{} costs {}; costs must be positive (a free site would always come first)", what, *cost));
        NumberRule capacity_rule{fmt::format("{}: capacity", what), 0.0};
        capacity_rule.expected = "a capacity >= 0 (0 = no limit)";
        const std::string capacity_text = attribute(p, "capacity");
        const double capacity = capacity_text.empty() ? 0.0 : parse_number(capacity_text, capacity_rule);
        std::string id = attribute(p, "id");
        if (id.empty()) id = fmt::format("F{}", p.fid);
        const SnapResult snap = snap_to_passable(*c.friction[k], p.x, p.y, s.snap_distance_m);
        if (!snap.placed()) {
            unplaced.push_back(id);
            continue;
        }
        out.push_back({{k, snap.cell, *cost, capacity}, id, attribute(p, "name"), "file"});
    }
    if (!unplaced.empty())
        notes.add("candidates_unplaced",
                  fmt::format("{}: {} candidate(s) are outside the grid or farther than {} m from passable land and were left "
                              "out: {}", file, unplaced.size(), s.snap_distance_m, fmt::join(unplaced, ", ")),
                  {{"count", unplaced.size()}, {"snap_m", s.snap_distance_m}}, {{"file", file}, {"ids", fmt::format("{}", fmt::join(unplaced, ", "))}});
    return out;
}

/// Gap-cluster centres (children-weighted), a lattice inside the gaps, and (for pools) existing school sites.
/// Sites off the roads: a generated site with no road within road_distance_m (or any site, without a road layer)
/// stands on the nearest passable land within facilities.snap_distance_m instead, its name saying so; `off_road`
/// counts them and `dropped` counts the sites with no passable land either.
std::vector<Site> generated_candidates(const RankingContext& c, std::size_t& dropped, std::size_t& off_road) {
    const Scenario& s = c.scenario;
    const RankingSettings& rk = *s.ranking;
    const GridSpec& g = c.grid;
    std::vector<Site> out;
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const auto cost = rk.costs.find(s.services[k].name);
        if (cost == rk.costs.end()) continue;
        const double capacity = rk.capacities.count(s.services[k].name) ? rk.capacities.at(s.services[k].name) : 0.0;
        const Grid<float>& f = *c.friction[k];
        // Generated sites stand near a road: only road cells are "passable" for their snapping.
        Grid<float> on_road = f;
        if (c.roads)
            for (std::size_t i = 0; i < on_road.size(); ++i)
                if (!(*c.roads)[i]) on_road[i] = INFINITY;
        auto add = [&](double x, double y, const std::string& id, const std::string& origin, const std::string& name,
                       const Grid<float>& where, double tolerance) {
            SnapResult snap = snap_to_passable(where, x, y, tolerance);
            std::string label = name;
            if (!snap.placed() && &where == &on_road) {  // no road near: passable land, said in its name
                snap = snap_to_passable(f, x, y, s.snap_distance_m);
                if (snap.placed()) {
                    ++off_road;
                    label = fmt::format("{}{}(no road within {:g} m)", name, name.empty() ? "" : " ", rk.road_distance_m);
                }
            }
            if (!snap.placed()) {
                ++dropped;
                return;
            }
            out.push_back({{k, snap.cell, cost->second, capacity}, id, label, origin});
        };
        const Grid<std::int32_t>& gap = *c.gaps[k];
        const Grid<float>& kids = *c.children[k];
        std::map<std::int32_t, std::array<double, 3>> centre;  // rank -> sum c*x, sum c*y, sum c
        for (std::size_t i = 0; i < gap.size(); ++i) {
            if (gap[i] <= 0 || !(kids[i] > 0.0f)) continue;
            const double x = g.transform.x_of(static_cast<double>(i % g.cols)), y = g.transform.y_of(static_cast<double>(i / g.cols));
            auto& a = centre[gap[i]];
            a[0] += kids[i] * x;
            a[1] += kids[i] * y;
            a[2] += kids[i];
        }
        const std::string svc = s.services[k].name;
        for (const auto& [rank, a] : centre)
            add(a[0] / a[2], a[1] / a[2], fmt::format("{}-G{}", svc, rank), "gap_centre", fmt::format("gap {} centre", rank),
                on_road, rk.road_distance_m);
        if (rk.lattice_spacing_m > 0.0) {
            const auto step = static_cast<std::size_t>(std::max(1.0, std::round(rk.lattice_spacing_m / g.cell_width_m())));
            std::size_t n = 0;
            for (std::size_t r = step / 2; r < g.rows; r += step)
                for (std::size_t col = step / 2; col < g.cols; col += step)
                    if (gap(col, r) > 0)
                        add(g.transform.x_of(static_cast<double>(col)), g.transform.y_of(static_cast<double>(r)),
                            fmt::format("{}-L{}", svc, ++n), "lattice", "", on_road, rk.road_distance_m);
        }
        if (std::find(rk.pool_services.begin(), rk.pool_services.end(), svc) != rk.pool_services.end()) {
            for (const auto& p : c.facilities) {
                const std::string type = attribute(p, s.type_field);
                if (std::find(rk.school_types.begin(), rk.school_types.end(), type) == rk.school_types.end()) continue;
                std::string id = attribute(p, s.id_field);
                add(p.x, p.y, fmt::format("{}-S{}", svc, id.empty() ? std::to_string(p.fid) : id), "school",
                    attribute(p, s.name_field), f, s.snap_distance_m);
            }
        }
    }
    return out;
}

/// Weight per cell for service k: the largest equity weight of the cell's area classes (1 for none), times the
/// drowning weight for pools where the cell lies within water_distance_m of open water.
Grid<float> cell_weights(const RankingContext& c, std::size_t k, const Grid<float>& to_water) {
    const RankingSettings& rk = *c.scenario.ranking;
    const bool pool = std::find(rk.pool_services.begin(), rk.pool_services.end(), c.scenario.services[k].name) !=
                      rk.pool_services.end();
    Grid<float> w(c.grid, 1.0f);
    for (std::size_t i = 0; i < w.size(); ++i) {
        const std::uint8_t f = c.area_flags[i];
        double v = 1.0;
        if (f & area_class::island) v = std::max(v, rk.weight_island);
        if (f & area_class::border) v = std::max(v, rk.weight_border);
        if (f & area_class::remote) v = std::max(v, rk.weight_remote);
        if (pool && to_water[i] <= rk.water_distance_m) v *= rk.drowning_weight;
        w[i] = static_cast<float>(v);
    }
    return w;
}

std::string reason(const RankingContext& c, const RankingRow& row, std::size_t k, bool pool) {
    const Scenario& s = c.scenario;
    const Service& svc = s.services[k];
    const TargetGroup& g = s.group(svc.target_group);
    std::string text;
    const std::string who = s.has_age_data() ? fmt::format("children aged {}-{}", g.min_age, g.max_age)
                                             : "people of all ages (no age data)";
    if (c.objective.value_or(c.scenario.ranking->objective) == "time_saved") {
        text = fmt::format("brings {} {} closer to a {}, {:.0f} min sooner on average", thousands(row.children), who,
                           svc.name, row.children > 0.0 ? row.minutes_saved / row.children : 0.0);
    } else {
        text = fmt::format("reaches {} {} now beyond {:g} min of a {}", thousands(row.children), who, svc.threshold_min,
                           svc.name);
    }
    std::vector<std::string> where;
    for (auto [label, n] : {std::pair{"on islands", row.island}, {"near the border", row.border}, {"in remote areas", row.remote}})
        if (n >= 0.1 * row.children && n >= 1.0) where.push_back(fmt::format("{} {}", thousands(n), label));
    if (!where.empty()) text += fmt::format(" ({})", fmt::join(where, ", "));
    if (pool && row.near_water >= 1.0)
        text += fmt::format(", {} of them within {:g} m of open water", thousands(row.near_water), s.ranking->water_distance_m);
    if (!row.zone.empty()) text += fmt::format("; mostly in {}", row.zone);
    return text;
}

/// The distance between the centres of two cells of the grid, in metres.
double site_distance_m(const GridSpec& g, std::size_t a, std::size_t b) {
    const double dx = (static_cast<double>(a % g.cols) - static_cast<double>(b % g.cols)) * g.cell_width_m();
    const double dy = (static_cast<double>(a / g.cols) - static_cast<double>(b / g.cols)) * g.cell_width_m();
    return std::hypot(dx, dy);
}

/// For each site (.service, .x, .y in the grid's CRS), the nearest other site of its service within `near_m` metres
/// and how far it is: (its index, metres), or (the site's own index, inf) when none is (near_m 0: never).
template <class Sites>
std::vector<std::pair<std::size_t, double>> nearest_of_service(const Sites& sites, double near_m, double metres_per_unit) {
    std::vector<std::pair<std::size_t, double>> out;
    for (std::size_t a = 0; a < sites.size(); ++a) {
        out.emplace_back(a, INFINITY);
        if (!(near_m > 0.0)) continue;
        for (std::size_t b = 0; b < sites.size(); ++b) {
            if (b == a || sites[b].service != sites[a].service) continue;
            const double d = std::hypot(sites[b].x - sites[a].x, sites[b].y - sites[a].y) * metres_per_unit;
            if (d <= near_m && d < out[a].second) out[a] = {b, d};
        }
    }
    return out;
}

/// A uniform number in [0, 1) for one draw: a hash of the seed, the draw, a stream (population, costs) and an index,
/// so that every programme sees the same draw and the result does not depend on the order things are drawn in.
double draw_uniform(std::uint64_t seed, int draw, std::uint64_t stream, std::uint64_t index) {
    const std::uint64_t h = splitmix64(splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(draw + 1)) ^ (stream << 56) ^ index);
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

/// The q-quantile (0..1) of `v`, linear between order statistics.
double quantile(std::vector<double> v, double q) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    const double at = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(at));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (at - static_cast<double>(lo));
}

std::vector<std::string> programme_names(const std::vector<Programme>& programmes) {
    std::vector<std::string> out;
    for (const Programme& p : programmes) out.push_back(p.name);
    return out;
}

std::string programme_label(const ProgrammeReport& p, bool single) {
    return single ? std::string("the budget") : fmt::format("programme {}", p.name);
}

/// Why a programme's money is left, in a sentence ("" when none is).
std::string unspent_text(const ProgrammeReport& p, const std::string& currency) {
    const double left = p.budget - p.spent;
    if (p.unspent_reason == "no_candidates")
        return p.beyond >= 0.5
                   ? fmt::format("no candidate site of {}: no candidates in the file, and the {} children beyond the "
                                 "threshold live in no gap cluster of {:g} children or more (gaps.min_children) to "
                                 "generate sites in; list candidate sites in a file (ranking.candidates) to rank them",
                                 fmt::join(p.services, ", "), thousands(p.beyond), p.gap_min_children)
                   : fmt::format("no candidate site of {}: every child is within the threshold", fmt::join(p.services, ", "));
    if (p.unspent_reason == "nobody_left")
        return fmt::format("{} {} left: no site left would bring anyone new within its threshold", thousands(left), currency);
    if (p.unspent_reason == "nothing_affordable")
        return fmt::format("{} {} left: the cheapest site that would still reach anyone new costs {} {}", thousands(left),
                           currency, thousands(p.cheapest_useful), currency);
    return "";
}

/// A reserve's outcome, in a sentence.
std::string reserve_text(const ReserveReport& r, const std::string& currency) {
    const std::string areas = r.areas == "island_border_remote" ? "island, border or remote" : r.areas;
    return fmt::format("{:g}% kept for sites reaching mostly {} children ({} {}): {} {} spent on such sites{}", 100.0 * r.share,
                       areas, thousands(r.target), currency, thousands(r.spent), currency,
                       r.met() ? ""
                       : r.short_of_money ? ", short of the share: the next such site does not fit the budget"
                                          : ", short of the share: no site is left whose new children (one at least) mostly "
                                            "live there");
}

/// Warnings where a planner must hear them: a share not met, a tenth or more of the money left, no candidates.
/// (The note's figures: the programme's index in RankingReport::programmes, and the reserve's in its reserves.)
/// `left_said`: why the money is left was said already (one budget, nothing ranked).
void note_programme(const ProgrammeReport& p, std::size_t index, bool single, const std::string& currency, bool left_said,
                    Notes& notes) {
    for (std::size_t k = 0; k < p.reserves.size(); ++k)
        if (!p.reserves[k].met())
            notes.add("share_not_met", fmt::format("ranking, {}: {}", programme_label(p, single), reserve_text(p.reserves[k], currency)),
                      {{"programme", index}, {"reserve", k}});
    if (left_said) return;
    if (p.unspent_reason == "no_candidates" || (!p.unspent_reason.empty() && p.budget - p.spent >= 0.1 * p.budget))
        notes.add("money_left", fmt::format("ranking, {}: {}", programme_label(p, single), unspent_text(p, currency)),
                  {{"programme", index}});
}

/// The children's factor of each year of a plan: (1 + growth)^(year - population year) per cell, growth by zone
/// where the plan gives it. InputError for a zone code no zone has, or growth by zone without zones.
std::vector<Grid<float>> plan_factors(const RankingContext& c, const PlanSettings& plan, PlanReport& out, Notes& notes) {
    const std::string file = c.scenario.file.string();
    out.first_year = plan.first_year;
    out.last_year = plan.last_year;
    out.carry_over = plan.carry_over;
    out.population_year_assumed = !plan.population_year;
    out.population_year = plan.population_year.value_or(plan.first_year);
    std::vector<float> rate;  // per zone id (0: no zone), % a year
    if (!plan.zone_growth_pct.empty()) {
        if (!c.zone_ids || !c.zone_codes || c.zone_codes->empty())
            throw InputError(fmt::format("{}: ranking.plan.growth_pct gives rates by zone code, and the scenario has no zones "
                                         "(zones:); give one rate for everywhere (growth_pct: 1.5) or set zones", file));
        rate.assign(c.zone_codes->size() + 1, static_cast<float>(plan.growth_pct));
        std::vector<std::string> unknown;
        std::size_t listed = 0;
        for (const auto& [code, pct] : plan.zone_growth_pct) {
            const auto it = std::find(c.zone_codes->begin(), c.zone_codes->end(), code);
            if (it == c.zone_codes->end()) {
                unknown.push_back(code);
                continue;
            }
            rate[static_cast<std::size_t>(it - c.zone_codes->begin()) + 1] = static_cast<float>(pct);
            ++listed;
        }
        if (!unknown.empty()) {
            const std::vector<std::string> some(c.zone_codes->begin(), c.zone_codes->begin() + std::min<std::ptrdiff_t>(
                                                                            3, static_cast<std::ptrdiff_t>(c.zone_codes->size())));
            throw InputError(fmt::format("{}: ranking.plan.growth_pct names zone code(s) {} that no zone has (zone codes "
                                         "such as {}); use the codes of the zones layer, and other: for the rest",
                                         file, fmt::join(unknown, ", "), fmt::join(some, ", ")));
        }
        const std::size_t rest = c.zone_codes->size() - listed;
        if (rest > 0 && !plan.other_growth_given)
            notes.add("plan_zones_without_growth",
                      fmt::format("ranking.plan: {} of {} zones have no growth rate in growth_pct and grow 0% a year; give "
                                  "them other: <% a year>", rest, c.zone_codes->size()),
                      {{"zones", rest}, {"of", c.zone_codes->size()}});
        out.growth = fmt::format("children grow by zone: {} zone(s) listed, {:g}% a year elsewhere", listed, plan.growth_pct);
        out.growth_zones = listed;
    } else {
        out.growth = fmt::format("children grow {:g}% a year everywhere", plan.growth_pct);
    }
    out.growth_pct = plan.growth_pct;
    out.growth += fmt::format(", from the population grid's year {}{}", out.population_year,
                              out.population_year_assumed ? " (population_year not set: taken as the plan's first year)" : "");
    if (out.population_year > plan.first_year)
        notes.add("plan_population_year_after",
                  fmt::format("ranking.plan: population_year {} is after the first year {}: the years before it shrink the "
                              "children back by the growth rate", out.population_year, plan.first_year),
                  {{"population_year", out.population_year}, {"first_year", plan.first_year}});
    if (out.population_year_assumed && (plan.growth_pct != 0.0 || !plan.zone_growth_pct.empty()))
        notes.add("plan_population_year_unset",
                  fmt::format("ranking.plan: population_year is not set; the population grid is taken as of {} (the plan's "
                              "first year) and grows from there; set the year of the population data (WorldPop 2020: "
                              "population_year: 2020)", plan.first_year),
                  {{"first_year", plan.first_year}});
    std::vector<Grid<float>> out_factors;
    for (int y = plan.first_year; y <= plan.last_year; ++y) {
        const double n = y - out.population_year;
        Grid<float> f(c.grid, static_cast<float>(std::pow(1.0 + plan.growth_pct / 100.0, n)));
        if (!rate.empty())
            for (std::size_t i = 0; i < f.size(); ++i)
                f[i] = static_cast<float>(std::pow(1.0 + rate[static_cast<std::size_t>(std::max(0, (*c.zone_ids)[i]))] / 100.0, n));
        out_factors.push_back(std::move(f));
    }
    return out_factors;
}

/// Children beyond the threshold (all, and in priority cells) as summary.csv counts them.
std::pair<double, double> beyond_threshold(const Grid<float>& kids, const Grid<float>& minutes, double threshold,
                                           const Grid<std::uint8_t>& priority) {
    const auto a = summarize_access_masks(kids, minutes, threshold, {nullptr, &priority});
    return {a[0].children - a[0].within_threshold, a[1].children - a[1].within_threshold};
}

Grid<std::uint8_t> priority_cells(const RankingContext& c) {
    Grid<std::uint8_t> priority(c.grid, 0);
    for (std::size_t i = 0; i < priority.size(); ++i)
        priority[i] = (c.area_flags[i] & (area_class::island | area_class::border | area_class::remote)) != 0;
    return priority;
}

/// Per year of a plan and service: the year's children beyond the threshold without the plan's sites and with the
/// sites built by the end of that year (today's search brought up to date with them, year by year).
std::vector<PlanAccess> plan_access(const RankingContext& c, const std::vector<Grid<float>>& factors, int first_year,
                                    const std::vector<std::vector<std::pair<std::size_t, std::size_t>>>& built_by_year) {
    const Scenario& s = c.scenario;
    const Grid<std::uint8_t> priority = priority_cells(c);
    std::vector<PlanAccess> out;
    std::vector<std::optional<TravelTimeResult>> now(s.services.size());
    std::vector<std::vector<SourceCell>> sources(s.services.size());
    for (std::size_t k = 0; k < s.services.size(); ++k)
        if (c.results[k] && c.sources[k]) sources[k] = *c.sources[k];
    for (std::size_t y = 0; y < factors.size(); ++y) {
        for (std::size_t k = 0; k < s.services.size(); ++k) {
            if (!c.results[k] || !c.sources[k]) continue;
            std::int32_t next = 0;
            for (const SourceCell& x : sources[k]) next = std::max(next, x.id + 1);
            bool added = false;
            for (const auto& [service, cell] : built_by_year[y])
                if (service == k) {
                    sources[k].push_back({cell, next++});
                    added = true;
                }
            if (!now[k]) now[k] = *c.results[k];
            if (added) update_travel_time(*c.friction[k], sources[k], *c.travel[k], {}, *now[k]);
            Grid<float> kids = *c.children[k];
            for (std::size_t i = 0; i < kids.size(); ++i) kids[i] *= factors[y][i];
            PlanAccess a;
            a.year = first_year + static_cast<int>(y);
            a.service = s.services[k].name;
            for (std::size_t i = 0; i < kids.size(); ++i) a.children += kids[i];
            const double threshold = s.services[k].threshold_min;
            std::tie(a.beyond_without, a.priority_without) = beyond_threshold(kids, c.results[k]->minutes, threshold, priority);
            std::tie(a.beyond_with, a.priority_with) = beyond_threshold(kids, now[k]->minutes, threshold, priority);
            out.push_back(std::move(a));
        }
    }
    return out;
}

/// Before and after the ranked sites, per service: today's search brought up to date with the new sites as sources
/// (exactly a fresh search), then the children beyond the threshold, those of them in island, border or remote
/// areas, and the Gini of travel time over children.
std::vector<EquityRow> equity_rows(const RankingContext& c, const std::vector<std::pair<const Site*, RankedSite>>& picked) {
    const Scenario& s = c.scenario;
    std::vector<EquityRow> out;
    const double cap = s.ranking->time_cap_min;
    const Grid<std::uint8_t> priority = priority_cells(c);
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        if (!c.results[k] || !c.sources[k]) continue;
        EquityRow row;
        row.service = s.services[k].name;
        std::vector<SourceCell> sources = *c.sources[k];
        std::int32_t next = 0;
        for (const SourceCell& x : sources) next = std::max(next, x.id + 1);
        for (const auto& [site, ranked] : picked)
            if (site->candidate.service == k) sources.push_back({site->candidate.cell, next++});
        row.new_sites = sources.size() - c.sources[k]->size();
        TravelTimeResult after = *c.results[k];
        if (row.new_sites > 0) update_travel_time(*c.friction[k], sources, *c.travel[k], {}, after);
        const Grid<float>& kids = *c.children[k];
        const double threshold = s.services[k].threshold_min;
        std::tie(row.beyond_before, row.priority_before) = beyond_threshold(kids, c.results[k]->minutes, threshold, priority);
        std::tie(row.beyond_after, row.priority_after) = beyond_threshold(kids, after.minutes, threshold, priority);
        row.gini_before = travel_time_gini(kids, c.results[k]->minutes, cap);
        row.gini_after = travel_time_gini(kids, after.minutes, cap);
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace

RankingReport run_ranking(const RankingContext& c, std::vector<std::string>& warnings) {
    const Scenario& s = c.scenario;
    const RankingSettings& rk = *s.ranking;
    RankingReport report;
    report.all_ages = !s.has_age_data();
    Notes notes{warnings, report.notes};
    report.objective = c.objective.value_or(rk.objective);
    if (report.objective != "children" && report.objective != "time_saved")
        throw InputError(fmt::format("objective '{}': use children or time_saved", report.objective));
    report.currency = rk.currency;
    // (ranking.budget and --budget were read by parse_money; a library caller's number is checked the same way)
    report.budget = check_number(c.budget.value_or(rk.budget), NumberRule{"budget", 0.0, max_money, false, "an amount from 0 to 1e18"});
    report.exact = c.exact || rk.exact;

    std::vector<Site> sites;
    if (rk.candidates) {
        sites = file_candidates(c, notes);
        report.from_file = sites.size();
    }
    if (rk.generate) {
        auto more = generated_candidates(c, report.dropped, report.off_road);
        report.generated = more.size();
        sites.insert(sites.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
        if (report.off_road > 0)
            notes.add("off_road",
                      fmt::format("ranking: {} generated candidate site(s) have no road within {:g} m{}: they stand on "
                                  "passable land instead (their names say so), and a road to them may be needed that their "
                                  "cost leaves out", report.off_road, rk.road_distance_m, c.roads ? "" : " (travel.roads is not set)"),
                      {{"count", report.off_road}, {"road_m", rk.road_distance_m}, {"roads", c.roads ? 1.0 : 0.0}});
        if (report.dropped > 0)
            notes.add("generated_dropped",
                      fmt::format("ranking: {} generated candidate site(s) had no passable land within {:g} m "
                                  "(facilities.snap_distance_m) and were left out", report.dropped, s.snap_distance_m),
                      {{"count", report.dropped}, {"snap_m", s.snap_distance_m}});
    }
    // One candidate per service and cell: the first one listed (file before generated).
    std::set<std::pair<std::size_t, std::size_t>> seen;
    sites.erase(std::remove_if(sites.begin(), sites.end(),
                               [&](const Site& x) { return !seen.insert({x.candidate.service, x.candidate.cell}).second; }),
                sites.end());
    report.same_cell = report.from_file + report.generated - sites.size();
    report.candidates = sites.size();
    if (sites.empty()) {
        notes.add("no_candidates", "ranking: no candidate sites (no file candidates, and no gaps to generate them in)");
        return report;
    }

    // The programmes: the scenario's, or one for every service under the one budget.
    std::vector<Programme> programmes = rk.programmes;
    report.single_budget = programmes.empty();
    if (programmes.empty()) {
        Programme all;
        all.name = "all";
        for (const auto& v : s.services) all.services.push_back(v.name);
        all.budget = report.budget;
        all.min_share = rk.min_share;
        programmes.push_back(std::move(all));
    } else {
        if (c.budget)
            throw InputError(fmt::format("--budget sets one budget, and this scenario's ranking has programmes ({}); set "
                                         "their budgets in ranking.programmes.<name>.budget",
                                         fmt::join(programme_names(programmes), ", ")));
        report.budget = 0.0;
        for (const Programme& p : programmes)
            report.budget += check_number(p.budget, NumberRule{fmt::format("ranking.programmes.{}.budget", p.name), 0.0, max_money,
                                                               false, "an amount from 0 to 1e18"});
        std::set<std::size_t> paid;
        for (const Programme& p : programmes)
            for (const auto& name : p.services) paid.insert(service_index(s, name));
        std::map<std::string, std::size_t> left_out;
        for (const Site& x : sites)
            if (!paid.count(x.candidate.service)) ++left_out[s.services[x.candidate.service].name];
        for (const auto& [name, n] : left_out)
            notes.add("service_in_no_programme",
                      fmt::format("ranking: service {} is in no programme (ranking.programmes): its {} candidate site(s) are "
                                  "not ranked; add it to a programme's services to rank them", name, n),
                      {{"count", n}}, {{"service", name}});
    }
    Grid<std::uint8_t> water(c.grid, 0);
    for (std::size_t i = 0; i < water.size(); ++i)
        water[i] = (c.landcover[i] == landcover::water || (c.rivers && (*c.rivers)[i])) ? 1 : 0;
    const Grid<float> to_water = distance_to_cells_m(water);
    // Speeds drawn per mode (uncertainty.speed_pct): the reaches are searched wide enough for every draw's factor.
    // Speeds drawn class by class (speed_pct_by_class): each draw rebuilds friction and searches again, the modes'
    // factors with it.
    const int draws = c.draws.value_or(rk.draws);
    const bool class_draws = draws > 0 && std::any_of(rk.speed_pct_by_class.begin(), rk.speed_pct_by_class.end(),
                                                      [](const auto& e) { return e.second > 0.0; });
    if (class_draws && !c.travel_at_speeds)
        throw InputError(fmt::format("{}: ranking.uncertainty.speed_pct_by_class needs the run's inputs to rebuild travel "
                                     "speeds, which this ranking was not given", s.file.string()));
    const double speed_spread = draws > 0 && !class_draws ? rk.speed_pct / 100.0 : 0.0;
    if (speed_spread > 0.0 && report.objective != "children")
        throw InputError(fmt::format("{}: ranking.uncertainty.speed_pct draws speeds for the children objective only; use "
                                     "objective: children, or speed_pct: 0", s.file.string()));
    std::vector<Grid<float>> weights;
    weights.reserve(s.services.size());
    std::vector<RankingService> services;
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        weights.push_back(cell_weights(c, k, to_water));
        services.push_back({s.services[k].name, s.services[k].threshold_min, c.children[k], c.minutes[k], &weights.back(),
                            c.friction[k], *c.travel[k], speed_spread});
    }
    std::map<std::string, Grid<std::uint8_t>> reserve_cells;
    for (const Programme& p : programmes)
        for (const auto& [areas, share] : p.min_share) {
            if (reserve_cells.count(areas)) continue;
            std::uint8_t bits = 0;
            for (const auto& [name, b] : reserve_areas())
                if (name == areas) bits = b;
            Grid<std::uint8_t> cells(c.grid, 0);
            for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = (c.area_flags[i] & bits) ? 1 : 0;
            reserve_cells.emplace(areas, std::move(cells));
        }
    const RankObjective objective = report.objective == "time_saved" ? RankObjective::time_saved : RankObjective::children;
    if (objective == RankObjective::time_saved &&
        std::any_of(sites.begin(), sites.end(), [](const Site& x) { return x.candidate.capacity > 0.0; }))
        notes.add("time_saved_capacity", "ranking: the time_saved objective does not limit sites by capacity (capacities are "
                                         "used by the children objective)");

    // Uncertainty draws: children per zone (or 1 km block) and each site's cost resampled; every draw re-ranks each
    // programme from the reaches computed once.
    if (draws < 0 || draws > 10000) throw InputError(fmt::format("--draws {}: expected 0 to 10000", draws));
    // Spreads given without draws (draws defaults to 0) would do nothing without a word (--draws 0 says it already).
    if (draws == 0 && !c.draws && (rk.speed_pct > 0.0 || !rk.speed_pct_by_class.empty() ||
                       rk.population_pct != RankingSettings{}.population_pct || rk.cost_pct != RankingSettings{}.cost_pct))
        notes.add("uncertainty_without_draws",
                  "ranking: ranking.uncertainty gives spreads but no draws (draws: 0, the default): the ranking is not "
                  "re-run under them; set ranking.uncertainty.draws (e.g. 200) or --draws to draw");
    Grid<std::int32_t> unit(c.grid, 0);
    std::int32_t units = 0;
    if (draws > 0) {
        report.uncertainty.emplace();
        UncertaintyReport& u = *report.uncertainty;
        u.draws = draws;
        u.seed = c.seed.value_or(rk.seed);
        u.population_pct = rk.population_pct;
        u.cost_pct = rk.cost_pct;
        u.speed_pct = rk.speed_pct;
        if (class_draws) u.speed_pct_by_class = rk.speed_pct_by_class;
        const bool zoned = c.zone_ids && c.zone_names && !c.zone_names->empty();
        u.population_unit = zoned ? "zone" : "1 km block";
        u.near_m = rk.near_m;
        const auto block = static_cast<std::size_t>(std::max(1.0, std::round(1000.0 / c.grid.cell_width_m())));
        const std::size_t block_cols = c.grid.cols / block + 1;
        const auto zones = zoned ? static_cast<std::int32_t>(c.zone_names->size()) : 0;
        for (std::size_t i = 0; i < unit.size(); ++i) {
            const std::int32_t z = zoned ? (*c.zone_ids)[i] : 0;
            unit[i] = z > 0 ? z - 1 : zones + static_cast<std::int32_t>((i / c.grid.cols / block) * block_cols + (i % c.grid.cols) / block);
            units = std::max(units, unit[i] + 1);
        }
    }
    std::map<const Site*, double> funded_share;
    std::vector<std::string> mode_order;  // travel modes in the order of services, for the draws' speed factors
    for (const Service& v : s.services)
        if (std::find(mode_order.begin(), mode_order.end(), v.mode) == mode_order.end()) mode_order.push_back(v.mode);
    // A plan over years: the children of each year, and the picks of every programme's years.
    std::vector<Grid<float>> plan_factor;
    struct PlanPick {
        std::size_t year, programme;
        const Site* site;
        RankedSite ranked;
    };
    std::vector<PlanPick> plan_picks;
    std::vector<std::string> unmet_shares;  // programme year (spent of target): a plan year's min_share not met
    struct Unmet {
        std::string where;  // programme year
        double spent, target;
    };
    std::vector<Unmet> unmet_where;  // the same, for the note's figures
    if (rk.plan) {
        report.plan.emplace();
        plan_factor = plan_factors(c, *rk.plan, *report.plan, notes);
    }

    // A programme's candidates and reserves; a draw's children per cell and costs of a programme's candidates.
    const auto programme_sites = [&](const Programme& p) {
        std::vector<const Site*> mine;
        for (const Site& x : sites)
            if (std::find(p.services.begin(), p.services.end(), s.services[x.candidate.service].name) != p.services.end())
                mine.push_back(&x);
        return mine;
    };
    const auto programme_reserves = [&](const Programme& p) {
        std::vector<BudgetReserve> reserves;
        for (const auto& [areas, share] : p.min_share) reserves.push_back({share, &reserve_cells.at(areas)});
        return reserves;
    };
    const auto draw_children_and_costs = [&](int d, const std::vector<const Site*>& mine, Grid<float>& factor,
                                             std::vector<double>& costs) {
        const UncertaintyReport& u = *report.uncertainty;
        std::vector<float> unit_factor(static_cast<std::size_t>(units));
        for (std::size_t k = 0; k < unit_factor.size(); ++k)
            unit_factor[k] = static_cast<float>(1.0 + u.population_pct / 100.0 * (2.0 * draw_uniform(u.seed, d, 1, k) - 1.0));
        for (std::size_t i = 0; i < factor.size(); ++i) factor[i] = unit_factor[static_cast<std::size_t>(unit[i])];
        costs.resize(mine.size());
        for (std::size_t j = 0; j < mine.size(); ++j) {
            const auto index = static_cast<std::uint64_t>(mine[j] - sites.data());  // the same site in every programme
            costs[j] = mine[j]->candidate.cost * (1.0 + u.cost_pct / 100.0 * (2.0 * draw_uniform(u.seed, d, 2, index) - 1.0));
        }
    };
    // With speeds drawn class by class: every draw's ranking of every programme, before the programmes' loop, so that
    // a draw's travel (friction, today's travel times, each candidate's reach) is built once for all programmes.
    std::vector<std::vector<RankingResult>> class_drawn(programmes.size());
    if (class_draws) {
        // A class no service's mode moves on, or that no cell has, changes nothing: say so (each draw still costs a rebuild).
        std::vector<std::string> idle;
        for (const auto& [name, pct] : rk.speed_pct_by_class) {
            if (!(pct > 0.0)) continue;
            bool moves = false, present = false;
            for (const std::string& m : mode_order) {
                const TravelMode& mode = s.modes.at(m);
                const std::map<std::string, double> one{{name, 2.0}};
                moves = moves || !(scale_speeds(mode, one) == mode);  // doubling the class's speeds changes the mode
            }
            const auto has = [](const Grid<std::uint8_t>& g, std::uint8_t code) {
                return std::find(g.values().begin(), g.values().end(), code) != g.values().end();
            };
            if (name == "boat") {
                present = c.rivers != nullptr || has(c.landcover, landcover::water);
            } else if (const auto road = road_class_from_osm(name)) {  // (a class's own name is its OSM value)
                present = c.roads != nullptr && has(*c.roads, static_cast<std::uint8_t>(*road));
            } else {
                for (int code = 1; code < 256 && !present; ++code)
                    if (landcover::class_name(static_cast<std::uint8_t>(code)) == std::optional<std::string_view>(name))
                        present = has(c.landcover, static_cast<std::uint8_t>(code));
            }
            if (!moves || !present) idle.push_back(name);
        }
        if (!idle.empty())
            notes.add("speed_classes_idle",
                      fmt::format("ranking.uncertainty.speed_pct_by_class: {} change(s) nothing: no service's travel mode "
                                  "moves on them, or no cell of the grid has them; their draws only cost time",
                                  fmt::join(idle, ", ")),
                      {{"count", idle.size()}}, {{"classes", fmt::format("{}", fmt::join(idle, ", "))}});
        UncertaintyReport& u = *report.uncertainty;
        const std::vector<std::string> class_names = speed_class_names();
        Grid<float> factor(c.grid, 1.0f);
        std::vector<double> costs;
        for (int d = 0; d < draws; ++d) {
            SpeedDraw drawn_speeds;
            for (std::size_t k = 0; k < class_names.size(); ++k)
                if (const auto it = rk.speed_pct_by_class.find(class_names[k]); it != rk.speed_pct_by_class.end() && it->second > 0.0)
                    drawn_speeds.by_class[class_names[k]] = 1.0 + it->second / 100.0 * (2.0 * draw_uniform(u.seed, d, 4, k) - 1.0);
            Scenario drawn = s;
            for (auto& [name, mode] : drawn.modes) {
                const auto at = std::find(mode_order.begin(), mode_order.end(), name);
                double all = 1.0;
                if (at != mode_order.end() && rk.speed_pct > 0.0) {  // the same stream as speed_pct's draws alone
                    all = 1.0 + rk.speed_pct / 100.0 *
                                    (2.0 * draw_uniform(u.seed, d, 3, static_cast<std::uint64_t>(at - mode_order.begin())) - 1.0);
                    drawn_speeds.by_mode[name] = all;
                }
                mode = scale_speeds(mode, drawn_speeds.by_class, all);
            }
            u.speed_draws.push_back(drawn_speeds);
            const std::shared_ptr<const DrawnTravel> travel = c.travel_at_speeds(drawn);
            const double drawn_bytes = travel->reserved_bytes - program_bytes;  // its inputs and today's times
            std::vector<RankingService> at_speeds = services;
            for (std::size_t k = 0; k < s.services.size(); ++k) {
                const std::string& mode = s.services[k].mode;
                at_speeds[k].friction = &travel->inputs->friction.at(mode);
                at_speeds[k].travel = travel->options.at(mode);
                at_speeds[k].current_minutes = &travel->times[k].minutes;
                at_speeds[k].speed_spread = 0.0;
            }
            for (std::size_t pi = 0; pi < programmes.size(); ++pi) {
                const std::vector<const Site*> mine = programme_sites(programmes[pi]);
                std::vector<RankingCandidate> candidates;
                for (const Site* x : mine) candidates.push_back(x->candidate);
                const RankingProblem problem(at_speeds, std::move(candidates), objective, rk.time_cap_min);
                draw_children_and_costs(d, mine, factor, costs);
                const RankingProblem drawn_problem = problem.perturbed(costs, &factor);
                // Beside the run's own grids: the draw's inputs and searches, the problem and its perturbed copy (which
                // shares its reaches), and the ranking's grids (cell numbering, weights per service, draw units and
                // factors, distance to water: 4 bytes a cell each).
                if (c.memory != nullptr)
                    c.memory->at_least(c.services_bytes + drawn_bytes + static_cast<double>(problem.memory_bytes()) +
                                           static_cast<double>(drawn_problem.memory_bytes() - drawn_problem.shared_bytes()) +
                                           4.0 * static_cast<double>(c.grid.cell_count() * (s.services.size() + 4)),
                                       fmt::format("{}: a draw of speeds class by class ({} candidates)", s.file.string(), mine.size()),
                                       "use fewer candidates or a larger area.cell_size_m, or drop speed_pct_by_class");
                class_drawn[pi].push_back(drawn_problem.rank_greedy(programmes[pi].budget, programme_reserves(programmes[pi]), false));
            }
            if (c.progress) c.progress(static_cast<std::size_t>(d + 1), static_cast<std::size_t>(draws));
        }
    }

    // Each programme is ranked within its envelope: its own candidates, its own budget and reserves.
    std::vector<std::pair<const Site*, RankedSite>> picked;  // in programme order, then pick order
    std::vector<std::size_t> picked_programme;
    double greedy_gain = 0.0, exact_gain = 0.0;
    report.proven_optimal = true;
    for (std::size_t pi = 0; pi < programmes.size(); ++pi) {
        const Programme& p = programmes[pi];
        ProgrammeReport pr;
        pr.name = p.name;
        pr.services = p.services;
        pr.budget = p.budget;
        // The exact solver does not take min_share: such a programme is ranked by the greedy, and the run says so.
        pr.exact = report.exact && std::none_of(p.min_share.begin(), p.min_share.end(), [](const auto& m) { return m.second > 0.0; });
        if (report.exact && !pr.exact)
            notes.add("greedy_for_min_share",
                      fmt::format("ranking, {}: ranked by the greedy, not the exact solver, which does not take min_share "
                                  "yet; programmes.csv gives the greedy's bound where one is known (sites without a capacity)",
                                  programme_label(pr, report.single_budget)),
                      {}, {{"programme", report.single_budget ? "" : p.name}});
        const std::vector<const Site*> mine = programme_sites(p);
        std::vector<RankingCandidate> candidates;
        for (const Site* x : mine) candidates.push_back(x->candidate);
        pr.candidates = mine.size();
        const std::vector<BudgetReserve> reserves = programme_reserves(p);
        for (const auto& [areas, share] : p.min_share) pr.reserves.push_back({areas, share, share * p.budget, 0.0});
        // Candidates the integer program takes (RankingProblem::rank_exact): CBC solves 400 in a tenth of a second
        // where GLPK needs minutes (bench/RESULTS.md), and the wall-clock limit stops either.
        const std::size_t exact_limit = rk.exact_solver == "glpk" ? 500 : 2000;
        if (pr.exact && mine.size() > exact_limit) {
            if (report.single_budget)
                throw InputError(fmt::format("ranking: the exact solver takes up to {} candidates and there are {}; rank "
                                             "with the greedy (drop --exact) or narrow the candidates", exact_limit, mine.size()));
            notes.add("greedy_for_size",
                      fmt::format("ranking, {}: ranked by the greedy, not the exact solver, which takes up to {} candidates "
                                  "and this programme has {}; programmes.csv gives the greedy's bound where one is known (sites "
                                  "without a capacity)", programme_label(pr, false), exact_limit, mine.size()),
                      {{"limit", exact_limit}, {"candidates", mine.size()}}, {{"programme", p.name}});
            pr.exact = false;
        }
        const RankingProblem problem(services, std::move(candidates), objective, rk.time_cap_min);
        if (c.memory != nullptr)  // its reaches and per-cell state, and the cell numbering built with them (4 bytes a cell)
            c.memory->at_least(c.services_bytes + static_cast<double>(problem.memory_bytes()) +
                                   4.0 * static_cast<double>(c.grid.cell_count()),
                               fmt::format("{}: the ranking of {} ({} candidates)", s.file.string(),
                                           programme_label(pr, report.single_budget), pr.candidates),
                               "use fewer candidates (a shorter ranking.candidates file, a larger "
                               "ranking.lattice_spacing_m) or a larger area.cell_size_m");
        const RankingResult greedy = problem.rank_greedy(p.budget, reserves);
        RankingResult chosen = greedy;
        if (pr.exact) {
            chosen = problem.rank_exact(p.budget, exact_limit, rk.exact_time_s, "",
                                        rk.exact_solver == "glpk" ? ExactSolver::glpk : ExactSolver::cbc);
            if (!chosen.solved) {
                const double bound = chosen.upper_bound;
                chosen = greedy;
                if (std::isfinite(bound)) chosen.upper_bound = std::isfinite(greedy.upper_bound) ? std::min(bound, greedy.upper_bound) : bound;
                const double gap = std::isfinite(chosen.upper_bound) ? gap_to_bound_pct(chosen.gain, chosen.upper_bound) : NAN;
                notes.add("exact_no_solution",
                          fmt::format("ranking, {}: the exact solver found no solution within its time limit ({:g} s of "
                                      "wall-clock time, ranking.exact_time_s); the ranking is the greedy's{}",
                                      programme_label(pr, report.single_budget), rk.exact_time_s,
                                      std::isfinite(gap) ? fmt::format(", at most {:.1f}% below the optimum (programmes.csv gap_pct)", gap)
                                                         : std::string()),
                          {{"seconds", rk.exact_time_s}, {"gap_pct", gap}}, {{"programme", report.single_budget ? "" : p.name}});
                pr.exact = false;
            }
        }
        if (pr.exact) {
            greedy_gain += greedy.gain;
            exact_gain += chosen.exact_bound;
            report.proven_optimal = report.proven_optimal && chosen.proven_optimal;
            pr.proven_optimal = chosen.proven_optimal;
            if (!chosen.proven_optimal) {
                // Stopped at the wall-clock limit: the better of its best solution and the greedy's, with the bound of
                // the search (no choice gains more), so the gap is known.
                const double bound = std::isfinite(chosen.upper_bound) ? chosen.upper_bound : greedy.upper_bound;
                const bool greedy_better = greedy.gain > chosen.gain;
                if (greedy_better) {
                    chosen = greedy;
                    chosen.upper_bound = std::isfinite(bound) && std::isfinite(greedy.upper_bound) ? std::min(bound, greedy.upper_bound) : bound;
                }
                const double gap = std::isfinite(chosen.upper_bound) ? gap_to_bound_pct(chosen.gain, chosen.upper_bound) : NAN;
                notes.add("exact_stopped",
                          fmt::format("ranking, {}: the exact solver stopped at its time limit ({:g} s of wall-clock time, "
                                      "ranking.exact_time_s); the ranking is {}{}",
                                      programme_label(pr, report.single_budget), rk.exact_time_s,
                                      greedy_better ? "the greedy's, better than the best solution the solver found"
                                                    : "the best solution it found",
                                      std::isfinite(gap) ? fmt::format(", at most {:.1f}% below the optimum (programmes.csv gap_pct)", gap)
                                                         : std::string()),
                          {{"seconds", rk.exact_time_s}, {"gap_pct", gap}, {"greedy_better", greedy_better ? 1.0 : 0.0}},
                          {{"programme", report.single_budget ? "" : p.name}});
            }
        }
        pr.started_from_best_single = chosen.started_from_best_single;
        pr.spent = chosen.spent;
        pr.children = chosen.children;
        pr.gain = chosen.gain;
        pr.upper_bound = chosen.upper_bound;
        pr.sites = chosen.sites.size();
        for (std::size_t r = 0; r < pr.reserves.size() && r < chosen.reserve_spent.size(); ++r) {
            pr.reserves[r].spent = chosen.reserve_spent[r];
            pr.reserves[r].short_of_money = chosen.reserve_short_of_money[r] != 0;
        }
        const double left = p.budget - chosen.spent;
        if (mine.empty()) pr.unspent_reason = "no_candidates";
        else if (left > 0.0 && !std::isfinite(chosen.cheapest_useful)) pr.unspent_reason = "nobody_left";
        else if (left > 0.0 && chosen.cheapest_useful > left) {
            pr.unspent_reason = "nothing_affordable";
            pr.cheapest_useful = chosen.cheapest_useful;
        }
        if (report.uncertainty) {
            UncertaintyReport& u = *report.uncertainty;
            std::vector<int> funded(mine.size(), 0);
            std::vector<double> low(mine.size(), INFINITY), high(mine.size(), 0.0), totals;
            Grid<float> factor(c.grid, 1.0f);
            std::vector<double> costs;
            std::vector<std::vector<std::size_t>> funded_in(static_cast<std::size_t>(draws));
            for (int d = 0; d < draws; ++d) {
                std::vector<double> speed;  // one factor per travel mode, its services alike
                if (speed_spread > 0.0)
                    for (const Service& v : s.services) {
                        const auto mode = static_cast<std::uint64_t>(std::distance(
                            mode_order.begin(), std::find(mode_order.begin(), mode_order.end(), v.mode)));
                        speed.push_back(1.0 + speed_spread * (2.0 * draw_uniform(u.seed, d, 3, mode) - 1.0));
                    }
                RankingResult r;
                if (class_draws) {
                    r = std::move(class_drawn[pi][static_cast<std::size_t>(d)]);
                } else {
                    draw_children_and_costs(d, mine, factor, costs);
                    r = problem.perturbed(costs, &factor, speed).rank_greedy(p.budget, reserves, false);
                }
                totals.push_back(r.children);
                for (const RankedSite& site : r.sites) {
                    funded_in[static_cast<std::size_t>(d)].push_back(site.candidate);
                    ++funded[site.candidate];
                    low[site.candidate] = std::min(low[site.candidate], site.children);
                    high[site.candidate] = std::max(high[site.candidate], site.children);
                }
            }
            std::map<std::size_t, int> rank_of;  // rank in ranking.csv (programmes before this one come first)
            for (std::size_t k = 0; k < chosen.sites.size(); ++k)
                rank_of[chosen.sites[k].candidate] = static_cast<int>(picked.size() + k + 1);
            std::vector<std::size_t> order;
            for (std::size_t j = 0; j < mine.size(); ++j)
                if (funded[j] > 0 || rank_of.count(j)) order.push_back(j);
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return funded[a] > funded[b]; });
            std::size_t core = 0, core_area = 0;
            for (std::size_t j : order) {
                const double share = static_cast<double>(funded[j]) / draws;
                // The draws funding it or a site of its service within near_m.
                std::vector<char> near(mine.size(), 0);
                for (std::size_t i = 0; i < mine.size(); ++i)
                    near[i] = i == j || (mine[i]->candidate.service == mine[j]->candidate.service &&
                                         site_distance_m(c.grid, mine[i]->candidate.cell, mine[j]->candidate.cell) <= rk.near_m);
                int around = 0;
                for (const auto& in_draw : funded_in)
                    around += std::any_of(in_draw.begin(), in_draw.end(), [&](std::size_t i) { return near[i] != 0; }) ? 1 : 0;
                const double area_share = static_cast<double>(around) / draws;
                if (rank_of.count(j)) {
                    funded_share[mine[j]] = share;
                    if (share >= 0.9) ++core;
                    if (area_share >= 0.9) ++core_area;
                }
                const std::size_t cell = mine[j]->candidate.cell;
                const double x = c.grid.transform.x_of(static_cast<double>(cell % c.grid.cols));
                const double y = c.grid.transform.y_of(static_cast<double>(cell / c.grid.cols));
                u.sites.push_back({p.name, mine[j]->id, mine[j]->name, s.services[mine[j]->candidate.service].name,
                                   rank_of.count(j) ? rank_of.at(j) : 0, x, y, x, y, share, area_share,
                                   funded[j] > 0 ? low[j] : 0.0, high[j]});
            }
            u.children_pct.push_back({quantile(totals, 0.05), quantile(totals, 0.5), quantile(totals, 0.95)});
            u.robust_core.push_back(core);
            u.robust_core_area.push_back(core_area);
        }
        // What smaller budgets buy: re-ranked at each, from the reaches computed once.
        for (int k = 1; k <= 10; ++k) {
            const double b = p.budget * k / 10.0;
            const RankingResult at = k == 10 ? greedy : problem.rank_greedy(b, reserves);
            pr.curve.push_back({b, at.spent, at.children, at.gain, at.upper_bound, at.sites.size()});
        }
        if (rk.plan) {
            const PlanSettings& plan = *rk.plan;
            const auto own = plan.budgets.find(p.name);
            if (own == plan.budgets.end()) report.plan->split_evenly.push_back(p.name);
            std::vector<RankingPhase> phases;
            for (int y = 0; y < plan.years(); ++y)
                phases.push_back({own == plan.budgets.end() ? p.budget / plan.years() : own->second.at(plan.first_year + y),
                                  &plan_factor[static_cast<std::size_t>(y)], reserves});
            std::vector<RankingResult> years = problem.rank_phased(phases, plan.carry_over);
            double carried = 0.0;
            for (std::size_t y = 0; y < years.size(); ++y) {
                RankingResult& r = years[y];
                PlanYear row;
                row.year = plan.first_year + static_cast<int>(y);
                row.programme = p.name;
                row.budget = phases[y].budget;
                row.carried_in = carried;
                row.spent = r.spent;
                row.children = r.children;
                row.gain = r.gain;
                row.upper_bound = r.upper_bound;
                row.sites = r.sites.size();
                for (std::size_t k = 0; k < p.min_share.size(); ++k)
                    row.reserves.push_back({p.min_share[k].first, p.min_share[k].second, p.min_share[k].second * r.budget,
                                            k < r.reserve_spent.size() ? r.reserve_spent[k] : 0.0,
                                            k < r.reserve_short_of_money.size() && r.reserve_short_of_money[k] != 0});
                const double year_left = r.budget - r.spent;
                if (year_left > 0.0 && !std::isfinite(r.cheapest_useful))
                    row.unspent_reason = mine.empty() ? "no_candidates" : "nobody_left";
                else if (year_left > 0.0 && r.cheapest_useful > year_left) {
                    row.unspent_reason = "nothing_affordable";
                    row.cheapest_useful = r.cheapest_useful;
                }
                carried = plan.carry_over ? year_left : 0.0;
                for (RankedSite& site : r.sites) plan_picks.push_back({y, pi, mine[site.candidate], std::move(site)});
                for (const ReserveReport& x : row.reserves)
                    if (!x.met() && x.share > 0.0) {
                        unmet_shares.push_back(fmt::format("{} {} ({} of {} {})", p.name, row.year, thousands(x.spent),
                                                           thousands(x.target), rk.currency));
                        unmet_where.push_back({fmt::format("{} {}", p.name, row.year), x.spent, x.target});
                    }
                report.plan->years.push_back(std::move(row));
            }
            PlanReport::Total total{p.name, 0.0, 0.0, 0.0, p.budget};
            for (const RankingPhase& ph : phases) total.money += ph.budget;
            for (const RankingResult& r : years) total.spent += r.spent;
            total.left_at_end = years.empty() ? 0.0 : years.back().budget - years.back().spent;
            if (!plan.carry_over) total.left_at_end = total.money - total.spent;
            if (std::abs(total.money - p.budget) > 0.005 * std::max(1.0, p.budget))
                notes.add("plan_money_differs",
                          fmt::format("ranking.plan: {}'s money over {}-{} is {} {}, and its budget (ranking{}) {} {}: the "
                                      "plan spends its years' money (plan_years.csv), the one-shot ranking (ranking.csv) the "
                                      "budget; make them agree if both are to be quoted", programme_label(pr, report.single_budget),
                                      plan.first_year, plan.last_year, thousands(total.money), rk.currency,
                                      report.single_budget ? ".budget" : fmt::format(".programmes.{}.budget", p.name),
                                      thousands(p.budget), rk.currency),
                          {{"first_year", plan.first_year}, {"last_year", plan.last_year}, {"money", total.money}, {"budget", p.budget}},
                          {{"programme", report.single_budget ? "" : p.name}});
            report.plan->totals.push_back(std::move(total));
        }
        for (RankedSite& site : chosen.sites) {
            picked.emplace_back(mine[site.candidate], std::move(site));
            picked_programme.push_back(pi);
        }
        report.spent += pr.spent;
        report.gain += pr.gain;
        report.children += pr.children;
        report.started_from_best_single = report.started_from_best_single || pr.started_from_best_single;
        report.programmes.push_back(std::move(pr));
    }
    if (!unmet_shares.empty()) {
        // (figures spent_k and target_k, words where_k: the k-th programme-year)
        std::map<std::string, double> figures{{"count", unmet_shares.size()}};
        std::map<std::string, std::string> words;
        for (std::size_t k = 0; k < unmet_where.size(); ++k) {
            words[fmt::format("where_{}", k)] = unmet_where[k].where;
            figures[fmt::format("spent_{}", k)] = unmet_where[k].spent;
            figures[fmt::format("target_{}", k)] = unmet_where[k].target;
        }
        notes.add("plan_share_not_met",
                  fmt::format("ranking.plan: a minimum share was not met in {} programme-year(s): {}; plan_years.csv "
                              "min_share_spent and why_unspent say what was spent and why money is left",
                              unmet_shares.size(), fmt::join(unmet_shares, ", ")),
                  std::move(figures), std::move(words));
    }
    report.exact = std::any_of(report.programmes.begin(), report.programmes.end(), [](const ProgrammeReport& p) { return p.exact; });
    if (report.exact && (rk.plan || report.uncertainty))
        notes.add("exact_one_shot_only",
                  fmt::format("ranking: the exact solver ranks the one-shot ranking (ranking.csv) only; {} ranked by the "
                              "greedy, so an optimal site may show a low funded_share",
                              rk.plan && report.uncertainty ? "the budget curves, the plan's years and the draws are"
                              : rk.plan                     ? "the budget curves and the plan's years are"
                                                            : "the budget curves and the draws are"),
                  {{"plan", rk.plan ? 1.0 : 0.0}, {"draws", report.uncertainty ? 1.0 : 0.0}});
    if (report.exact) {
        report.greedy_gain = greedy_gain;
        report.exact_gain = exact_gain;
    } else {
        report.proven_optimal = false;
    }
    if (picked.empty()) {
        const double cheapest = std::min_element(sites.begin(), sites.end(), [](const Site& a, const Site& b) {
                                    return a.candidate.cost < b.candidate.cost;
                                })->candidate.cost;
        if (cheapest > report.budget)
            notes.add("budget_below_cheapest",
                      fmt::format("ranking: the budget {} {} is below the cheapest candidate ({} {}): nothing ranked",
                                  thousands(report.budget), rk.currency, thousands(cheapest), rk.currency),
                      {{"budget", report.budget}, {"cheapest", cheapest}});
        else
            notes.add("nobody_new", "ranking: no candidate brings anyone new within its threshold: nothing ranked");
    }

    report.equity = equity_rows(c, picked);
    for (std::size_t pi = 0; pi < report.programmes.size(); ++pi) {
        ProgrammeReport& p = report.programmes[pi];
        p.gap_min_children = s.gap_min_children;
        for (const EquityRow& e : report.equity)
            if (std::find(p.services.begin(), p.services.end(), e.service) != p.services.end()) p.beyond += e.beyond_before;
        note_programme(p, pi, report.single_budget, rk.currency, report.single_budget && picked.empty(), notes);
    }
    geodata::CoordinateTransform to_lonlat(c.grid.crs, geodata::wgs84());
    if (report.uncertainty)
        for (DrawnSite& x : report.uncertainty->sites) to_lonlat.transform_point(x.lon, x.lat);
    // A site's row: where it is, what it brings, where its children live, in a sentence.
    const auto describe = [&](const Site& x, const RankedSite& site) {
        const std::size_t k = x.candidate.service;
        RankingRow row;
        row.id = x.id;
        row.name = x.name;
        row.service = s.services[k].name;
        row.origin = x.origin;
        row.x = c.grid.transform.x_of(static_cast<double>(x.candidate.cell % c.grid.cols));
        row.y = c.grid.transform.y_of(static_cast<double>(x.candidate.cell / c.grid.cols));
        row.lon = row.x;
        row.lat = row.y;
        to_lonlat.transform_point(row.lon, row.lat);
        row.cost = x.candidate.cost;
        row.capacity = x.candidate.capacity;
        row.gain = site.gain;
        row.children = site.children;
        row.minutes_saved = site.minutes_saved;
        std::map<std::int32_t, double> by_zone;
        for (const auto& [cell, n] : site.cells) {
            const std::uint8_t f = c.area_flags[cell];
            if (f & area_class::island) row.island += n;
            if (f & area_class::border) row.border += n;
            if (f & area_class::remote) row.remote += n;
            if (to_water[cell] <= rk.water_distance_m) row.near_water += n;
            if (c.zone_ids && (*c.zone_ids)[cell] > 0) by_zone[(*c.zone_ids)[cell]] += n;
        }
        if (!by_zone.empty()) {
            const auto top = std::max_element(by_zone.begin(), by_zone.end(),
                                              [](const auto& a, const auto& b) { return a.second < b.second; });
            row.zone = (*c.zone_names)[static_cast<std::size_t>(top->first - 1)];
            row.zone_code = (*c.zone_codes)[static_cast<std::size_t>(top->first - 1)];
        }
        const bool pool = std::find(rk.pool_services.begin(), rk.pool_services.end(), row.service) != rk.pool_services.end();
        row.reason = reason(c, row, k, pool);
        return row;
    };
    double cum_cost = 0.0, cum_children = 0.0, cum_gain = 0.0;
    for (std::size_t j = 0; j < picked.size(); ++j) {
        const Site& x = *picked[j].first;
        const RankedSite& site = picked[j].second;
        RankingRow row = describe(x, site);
        row.rank = static_cast<int>(report.rows.size() + 1);
        row.programme = programmes[picked_programme[j]].name;
        if (auto it = funded_share.find(&x); it != funded_share.end()) row.funded_share = it->second;
        if (site.reserve >= 0) row.picked_for = programmes[picked_programme[j]].min_share[static_cast<std::size_t>(site.reserve)].first;
        if (j > 0 && picked_programme[j] != picked_programme[j - 1]) cum_cost = cum_children = cum_gain = 0.0;
        cum_cost += row.cost;
        cum_children += row.children;
        cum_gain += row.gain;
        row.cumulative_cost = cum_cost;
        row.cumulative_children = cum_children;
        row.cumulative_gain = cum_gain;
        report.rows.push_back(std::move(row));
    }
    // Funded sites of one service close together: each pays (it reaches children the other does not), and the
    // officer should know they are neighbours.
    std::size_t near_pairs = 0;
    const auto near_rows = nearest_of_service(report.rows, rk.near_m, c.grid.crs.metres_per_unit);
    for (std::size_t a = 0; a < report.rows.size(); ++a) {
        const auto [other, best] = near_rows[a];
        if (other == a) continue;
        ++near_pairs;
        RankingRow& row = report.rows[a];
        row.near_funded = fmt::format("{} ({:.0f} m)", report.rows[other].id, best);
        row.reason += fmt::format("; {:.0f} m from {} (rank {}), also funded: each reaches children the other does not",
                                  best, report.rows[other].id, report.rows[other].rank);
    }
    if (near_pairs > 0)
        notes.add("near_funded",
                  fmt::format("ranking: {} funded site(s) stand within {:g} m (ranking.near_m) of another funded site of "
                              "their service (ranking.csv near_funded): each brings children the other does not, but check "
                              "that they are not one place listed twice", near_pairs, rk.near_m),
                  {{"count", near_pairs}, {"near_m", rk.near_m}});
    if (report.plan) {
        // Year by year, programmes in order (as the picks came), pick order within; access per year with the sites.
        std::stable_sort(plan_picks.begin(), plan_picks.end(), [](const PlanPick& a, const PlanPick& b) { return a.year < b.year; });
        std::vector<std::vector<std::pair<std::size_t, std::size_t>>> built(plan_factor.size());
        for (std::size_t j = 0; j < plan_picks.size(); ++j) {
            const PlanPick& pick = plan_picks[j];
            const RankingRow row = describe(*pick.site, pick.ranked);
            PlanSite ps;
            ps.year = rk.plan->first_year + static_cast<int>(pick.year);
            ps.rank = j > 0 && plan_picks[j - 1].year == pick.year && plan_picks[j - 1].programme == pick.programme
                          ? report.plan->sites.back().rank + 1 : 1;
            ps.programme = programmes[pick.programme].name;
            ps.id = row.id;
            ps.name = row.name;
            ps.service = row.service;
            ps.origin = row.origin;
            ps.zone = row.zone;
            if (pick.ranked.reserve >= 0)
                ps.picked_for = programmes[pick.programme].min_share[static_cast<std::size_t>(pick.ranked.reserve)].first;
            ps.reason = row.reason;
            ps.x = row.x;
            ps.y = row.y;
            ps.lon = row.lon;
            ps.lat = row.lat;
            ps.cost = row.cost;
            ps.children = row.children;
            ps.island = row.island;
            ps.border = row.border;
            ps.remote = row.remote;
            report.plan->sites.push_back(std::move(ps));
            built[pick.year].emplace_back(pick.site->candidate.service, pick.site->candidate.cell);
        }
        // Sites of one service close together, built in any years of the plan: flagged as the one-shot ranking's are.
        std::size_t near_plan = 0;
        auto& ps = report.plan->sites;
        const auto near_sites = nearest_of_service(ps, rk.near_m, c.grid.crs.metres_per_unit);
        for (std::size_t a = 0; a < ps.size(); ++a) {
            const auto [other, best] = near_sites[a];
            if (other == a) continue;
            ++near_plan;
            ps[a].near_funded = fmt::format("{} ({:.0f} m, {})", ps[other].id, best, ps[other].year);
        }
        if (near_plan > 0)
            notes.add("plan_near_funded",
                      fmt::format("ranking.plan: {} site(s) of the plan stand within {:g} m (ranking.near_m) of another site "
                                  "of their service in the plan (plan.csv near_funded): each brings children the other does "
                                  "not, but check that they are not one place listed twice", near_plan, rk.near_m),
                      {{"count", near_plan}, {"near_m", rk.near_m}});
        report.plan->access = plan_access(c, plan_factor, rk.plan->first_year, built);
        std::stable_sort(report.plan->years.begin(), report.plan->years.end(),
                         [](const PlanYear& a, const PlanYear& b) { return a.year < b.year; });
    }
    return report;
}

namespace {

/// A number for a table or JSON that may be unknown (NaN: no bound with capacities): empty text / null.
std::string maybe(double v, int digits) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : std::string(); }

}  // namespace

nlohmann::json programmes_json(const RankingReport& r) {
    nlohmann::json out = nlohmann::json::array();
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    for (const ProgrammeReport& p : r.programmes) {
        nlohmann::json reserves = nlohmann::json::array();
        for (const ReserveReport& x : p.reserves)
            reserves.push_back({{"areas", x.areas}, {"share", x.share}, {"target", x.target}, {"spent", x.spent}, {"met", x.met()},
                                {"text", reserve_text(x, r.currency)}});
        nlohmann::json curve = nlohmann::json::array();
        for (const BudgetPoint& b : p.curve)
            curve.push_back({{"budget", b.budget}, {"spent", b.spent}, {"sites", b.sites}, {"children_reached", b.children},
                             {"weighted_gain", b.gain}, {"upper_bound", num(b.upper_bound)},
                             {"gap_pct", num(gap_to_bound_pct(b.gain, b.upper_bound))}});
        nlohmann::json draws;
        if (r.uncertainty) {
            const std::size_t k = static_cast<std::size_t>(&p - r.programmes.data());
            draws = {{"robust_core", r.uncertainty->robust_core.at(k)},
                     {"robust_core_with_neighbours", r.uncertainty->robust_core_area.at(k)},
                     {"children_p5", r.uncertainty->children_pct.at(k)[0]},
                     {"children_p50", r.uncertainty->children_pct.at(k)[1]},
                     {"children_p95", r.uncertainty->children_pct.at(k)[2]}};
        }
        out.push_back({{"name", p.name}, {"services", p.services}, {"budget", p.budget}, {"spent", p.spent}, {"draws", draws},
                       {"unspent", p.budget - p.spent}, {"unspent_reason", p.unspent_reason},
                       {"unspent_text", unspent_text(p, r.currency)}, {"candidates", p.candidates}, {"sites", p.sites},
                       {"children_reached", p.children}, {"weighted_gain", p.gain}, {"upper_bound", num(p.upper_bound)},
                       {"gap_pct", num(gap_to_bound_pct(p.gain, p.upper_bound))}, {"reserves", reserves}, {"budget_curve", curve}});
    }
    return out;
}

/// Why a year of a plan left money, in a sentence ("" when it spent all or the reason is none).
std::string plan_unspent_text(const PlanYear& y, const std::string& currency, bool carry_over, bool last_year) {
    const double left = y.budget + y.carried_in - y.spent;
    const std::string where = last_year ? "left at the end of the plan"
                              : carry_over ? "carried to the next year" : "not carried over (carry_over: false)";
    if (y.unspent_reason == "no_candidates") return fmt::format("{} {} left, {}: no candidate site", thousands(left), currency, where);
    if (y.unspent_reason == "nobody_left")
        return fmt::format("{} {} left, {}: no site left would bring anyone new within its threshold", thousands(left), currency, where);
    if (y.unspent_reason == "nothing_affordable")
        return fmt::format("{} {} left, {}: the cheapest site that would still reach anyone new costs {} {}", thousands(left),
                           currency, where, thousands(y.cheapest_useful), currency);
    return "";
}

nlohmann::json plan_json(const RankingReport& r) {
    const PlanReport& p = *r.plan;
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    nlohmann::json years = nlohmann::json::array(), access = nlohmann::json::array();
    for (const PlanYear& y : p.years) {
        nlohmann::json reserves = nlohmann::json::array();
        for (const ReserveReport& x : y.reserves)
            reserves.push_back({{"areas", x.areas}, {"share", x.share}, {"target", x.target}, {"spent", x.spent}, {"met", x.met()}});
        years.push_back({{"year", y.year}, {"programme", y.programme}, {"budget", y.budget}, {"carried_in", y.carried_in},
                         {"spent", y.spent}, {"unspent", y.budget + y.carried_in - y.spent}, {"sites", y.sites},
                         {"children_reached", y.children}, {"weighted_gain", y.gain}, {"upper_bound", num(y.upper_bound)},
                         {"unspent_reason", y.unspent_reason}, {"unspent_text", plan_unspent_text(y, r.currency, p.carry_over, y.year == p.last_year)},
                         {"reserves", reserves}});
    }
    for (const PlanAccess& a : p.access)
        access.push_back({{"year", a.year}, {"service", a.service}, {"children", a.children},
                          {"beyond_threshold_without_plan", a.beyond_without}, {"beyond_threshold_with_plan", a.beyond_with},
                          {"beyond_in_priority_areas_without_plan", a.priority_without},
                          {"beyond_in_priority_areas_with_plan", a.priority_with}});
    double spent = 0.0, children = 0.0;
    for (const PlanYear& y : p.years) {
        spent += y.spent;
        children += y.children;
    }
    nlohmann::json totals = nlohmann::json::array();
    for (const PlanReport::Total& t : p.totals)
        totals.push_back({{"programme", t.programme}, {"money", t.money}, {"spent", t.spent}, {"left_at_end", t.left_at_end},
                          {"programme_budget", t.programme_budget}});
    return {{"first_year", p.first_year}, {"last_year", p.last_year}, {"population_year", p.population_year},
            {"programmes", totals},
            {"population_year_assumed", p.population_year_assumed}, {"growth", p.growth}, {"carry_over", p.carry_over},
            {"budgets_split_evenly", p.split_evenly}, {"sites", p.sites.size()}, {"spent", spent},
            {"children_reached", children}, {"years", years}, {"access", access}};
}

void write_ranking_tables(const RankingReport& r, const ResultsLayout& layout) {
    if (const auto& plan = r.plan) {
        std::string sites = "year,programme,rank_in_year,candidate_id,name,service,origin,x,y,lon,lat,cost,children_new,"
                            "children_island,children_border,children_remote,zone,picked_for,reason,near_funded\n";
        for (const PlanSite& x : plan->sites)
            sites += fmt::format("{},{},{},{},{},{},{},{:.1f},{:.1f},{:.6f},{:.6f},{:.0f},{:.1f},{:.1f},{:.1f},{:.1f},{},{},{},{}\n", x.year,
                                 x.programme, x.rank, csv_text(x.id), csv_text(x.name), x.service, x.origin, x.x, x.y, x.lon, x.lat,
                                 x.cost, x.children, x.island, x.border, x.remote, csv_text(x.zone), x.picked_for, csv_text(x.reason),
                                 csv_text(x.near_funded));
        std::string years = "year,programme,budget,carried_in,spent,unspent,sites,children_new,weighted_gain,upper_bound,"
                            "min_share_spent,why_unspent\n";
        for (const PlanYear& y : plan->years) {
            std::vector<std::string> shares;
            for (const ReserveReport& x : y.reserves)
                shares.push_back(fmt::format("{} {:.0f} of {:.0f}", x.areas, x.spent, x.target));
            years += fmt::format("{},{},{:.0f},{:.0f},{:.0f},{:.0f},{},{:.1f},{:.2f},{},{},{}\n", y.year, y.programme, y.budget,
                                 y.carried_in, y.spent, y.budget + y.carried_in - y.spent, y.sites, y.children, y.gain,
                                 maybe(y.upper_bound, 2), csv_text(fmt::format("{}", fmt::join(shares, "; "))),
                                 csv_text(plan_unspent_text(y, r.currency, plan->carry_over, y.year == plan->last_year)));
        }
        std::string access = "year,service,children,beyond_without_plan,beyond_with_plan,priority_beyond_without_plan,"
                             "priority_beyond_with_plan\n";
        for (const PlanAccess& a : plan->access)
            access += fmt::format("{},{},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f}\n", a.year, a.service, a.children, a.beyond_without,
                                  a.beyond_with, a.priority_without, a.priority_with);
        geodata::write_text_file(layout.plan_csv(), sites);
        geodata::write_text_file(layout.plan_years_csv(), years);
        geodata::write_text_file(layout.plan_access_csv(), access);
    }
    std::string programmes = "programme,services,budget,spent,unspent,sites,children_new,weighted_gain,upper_bound,gap_pct,"
                             "candidates,min_share,why_unspent\n";
    std::string budgets = "programme,budget,spent,sites,children_new,weighted_gain,upper_bound,gap_pct\n";
    for (const ProgrammeReport& p : r.programmes) {
        std::vector<std::string> shares;
        for (const ReserveReport& x : p.reserves) shares.push_back(reserve_text(x, r.currency));
        programmes += fmt::format("{},{},{:.0f},{:.0f},{:.0f},{},{:.1f},{:.2f},{},{},{},{},{}\n", p.name,
                                  csv_text(fmt::format("{}", fmt::join(p.services, " "))), p.budget, p.spent, p.budget - p.spent,
                                  p.sites, p.children, p.gain, maybe(p.upper_bound, 2), maybe(gap_to_bound_pct(p.gain, p.upper_bound), 2),
                                  p.candidates, csv_text(fmt::format("{}", fmt::join(shares, "; "))),
                                  csv_text(unspent_text(p, r.currency)));
        for (const BudgetPoint& b : p.curve)
            budgets += fmt::format("{},{:.0f},{:.0f},{},{:.1f},{:.2f},{},{}\n", p.name, b.budget, b.spent, b.sites, b.children,
                                   b.gain, maybe(b.upper_bound, 2), maybe(gap_to_bound_pct(b.gain, b.upper_bound), 2));
    }
    if (r.uncertainty) {
        std::string robust = "programme,candidate_id,name,service,x,y,lon,lat,rank,funded_share,robust,area_funded_share,"
                             "children_min,children_max\n";
        for (const DrawnSite& x : r.uncertainty->sites)
            robust += fmt::format("{},{},{},{},{:.1f},{:.1f},{:.6f},{:.6f},{},{:.3f},{},{:.3f},{:.1f},{:.1f}\n", x.programme,
                                  csv_text(x.id), csv_text(x.name), x.service, x.x, x.y, x.lon, x.lat,
                                  x.rank > 0 ? std::to_string(x.rank) : std::string(), x.funded_share,
                                  x.rank > 0 && x.funded_share >= 0.9 ? 1 : 0, x.area_funded_share, x.children_min, x.children_max);
        geodata::write_text_file(layout.robustness_csv(), robust);
    }
    geodata::write_text_file(layout.programmes_csv(), programmes);
    geodata::write_text_file(layout.budget_curve_csv(), budgets);
    std::string csv =
        "rank,candidate_id,name,service,origin,x,y,lon,lat,cost,capacity,weighted_gain,children_new,children_island,"
        "children_border,children_remote,children_near_water,minutes_saved,cumulative_cost,cumulative_children,"
        "cost_per_child,zone,reason,programme,picked_for,funded_share,near_funded\n";
    // The pick order's running totals, per programme (row 0: nothing spent). What a smaller budget buys is in
    // budget_curve.csv (re-ranked at that budget), not here.
    std::string curve = "programme,rank,cumulative_cost,pct_of_budget,cumulative_children,cumulative_weighted_gain\n";
    std::map<std::string, double> envelope;
    for (const ProgrammeReport& p : r.programmes) envelope[p.name] = p.budget;
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        const RankingRow& x = r.rows[i];
        if (i == 0 || x.programme != r.rows[i - 1].programme) curve += fmt::format("{},0,0,0.00,0.0,0.0\n", x.programme);
        csv += fmt::format("{},{},{},{},{},{:.1f},{:.1f},{:.6f},{:.6f},{:.0f},{:.0f},{:.2f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},"
                           "{:.0f},{:.1f},{},{},{},{},{},{},{}\n",
                           x.rank, csv_text(x.id), csv_text(x.name), x.service, x.origin, x.x, x.y, x.lon, x.lat, x.cost, x.capacity,
                           x.gain, x.children, x.island, x.border, x.remote, x.near_water, x.minutes_saved, x.cumulative_cost,
                           x.cumulative_children, x.children > 0.0 ? fmt::format("{:.0f}", x.cost / x.children) : "",
                           csv_text(x.zone), csv_text(x.reason), x.programme, x.picked_for, maybe(x.funded_share, 3),
                           csv_text(x.near_funded));
        const double budget = envelope.count(x.programme) ? envelope.at(x.programme) : r.budget;
        curve += fmt::format("{},{},{:.0f},{:.2f},{:.1f},{:.2f}\n", x.programme, x.rank, x.cumulative_cost,
                             budget > 0.0 ? 100.0 * x.cumulative_cost / budget : 0.0, x.cumulative_children, x.cumulative_gain);
    }
    geodata::write_text_file(layout.ranking_csv(), csv);
    geodata::write_text_file(layout.cost_curve_csv(), curve);
}

geodata::OutLayer ranking_layer(const RankingReport& r) {
    using geodata::FieldType;
    geodata::OutLayer layer{ResultsLayout::ranking_layer, wkbPoint,
                            {{"rank", FieldType::integer}, {"candidate_id", FieldType::string}, {"name", FieldType::string},
                             {"service", FieldType::string}, {"origin", FieldType::string}, {"cost", FieldType::real},
                             {"capacity", FieldType::real}, {"zone_code", FieldType::string}, {"zone_name", FieldType::string},
                             {"weighted_gain", FieldType::real}, {"children_new", FieldType::real},
                             {"cost_per_child", FieldType::real}, {"children_island", FieldType::real},
                             {"children_border", FieldType::real}, {"children_remote", FieldType::real},
                             {"children_near_water", FieldType::real}, {"cumulative_cost", FieldType::real},
                             {"cumulative_children", FieldType::real}, {"reason", FieldType::string},
                             {"programme", FieldType::string}, {"picked_for", FieldType::string}},
                            {}};
    // Unknown values stay NULL: no capacity given (0), no zones, no child reached (no cost per child).
    auto text = [](const std::string& v) { return v.empty() ? geodata::FieldValue() : geodata::FieldValue(v); };
    for (const RankingRow& x : r.rows) {
        geodata::OutFeature f;
        f.geometry = std::make_unique<OGRPoint>(x.x, x.y);
        f.values = {std::int64_t{x.rank}, x.id, x.name, x.service, x.origin, x.cost,
                    x.capacity > 0.0 ? geodata::FieldValue(x.capacity) : geodata::FieldValue(), text(x.zone_code),
                    text(x.zone), x.gain, x.children,
                    x.children > 0.0 ? geodata::FieldValue(x.cost / x.children) : geodata::FieldValue(), x.island, x.border,
                    x.remote, x.near_water, x.cumulative_cost, x.cumulative_children, x.reason, x.programme,
                    text(x.picked_for)};
        layer.features.push_back(std::move(f));
    }
    return layer;
}

geodata::OutLayer plan_layer(const PlanReport& plan) {
    using geodata::FieldType;
    geodata::OutLayer layer{ResultsLayout::plan_layer, wkbPoint,
                            {{"year", FieldType::integer}, {"programme", FieldType::string}, {"rank_in_year", FieldType::integer},
                             {"candidate_id", FieldType::string}, {"name", FieldType::string}, {"service", FieldType::string},
                             {"cost", FieldType::real}, {"children_new", FieldType::real}, {"zone_name", FieldType::string},
                             {"picked_for", FieldType::string}, {"reason", FieldType::string}},
                            {}};
    auto text = [](const std::string& v) { return v.empty() ? geodata::FieldValue() : geodata::FieldValue(v); };
    for (const PlanSite& x : plan.sites) {
        geodata::OutFeature f;
        f.geometry = std::make_unique<OGRPoint>(x.x, x.y);
        f.values = {std::int64_t{x.year}, x.programme, std::int64_t{x.rank}, x.id, x.name, x.service, x.cost, x.children,
                    text(x.zone), text(x.picked_for), x.reason};
        layer.features.push_back(std::move(f));
    }
    return layer;
}

RankingContext ranking_context(const Scenario& s, const detail::RunInputs& in, const detail::FacilitySet& facilities,
                               const std::map<std::string, TravelTimeOptions>& travel,
                               const std::vector<TravelTimeResult>& times, const Grid<std::uint8_t>& area_flags,
                               const detail::Metrics& metrics, const RunOptions& options) {
    RankingContext rc{s, in.grid, {}, {}, {}, {}, {}, {}, {}, area_flags, in.landcover, in.rivers ? &*in.rivers : nullptr,
                      in.roads ? &*in.roads : nullptr, facilities.points, in.zones ? &in.zones->ids : nullptr,
                      in.zones ? &in.zones->codes : nullptr, in.zones ? &in.zones->names : nullptr, options.budget, options.exact, options.objective,
                      options.draws, options.seed};
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        rc.children.push_back(&in.children.at(s.services[k].target_group));
        rc.minutes.push_back(&times[k].minutes);
        rc.friction.push_back(&in.friction.at(s.services[k].mode));
        rc.travel.push_back(&travel.at(s.services[k].mode));
        rc.gaps.push_back(&metrics.gap_grids[k]);
        rc.sources.push_back(&facilities.services[k].sources);
        rc.results.push_back(&times[k]);
    }
    return rc;
}

}  // namespace accessplan::scenarios
