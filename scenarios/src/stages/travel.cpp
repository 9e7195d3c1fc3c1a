#include "travel.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/parallel.hpp"
#include "accessplan/engine/snap.hpp"
#include "../modifications.hpp"

namespace accessplan::scenarios::detail {

std::vector<ExtraEdge> ferry_edges(const std::vector<FerryLink>& links, const Grid<float>& friction, double snap_m,
                                   std::vector<std::size_t>* left_out_ends) {
    std::vector<ExtraEdge> edges;
    for (const auto& l : links) {
        SnapResult a = snap_to_passable(friction, l.x0, l.y0, snap_m);
        SnapResult b = snap_to_passable(friction, l.x1, l.y1, snap_m);
        if ((!a.placed() || !b.placed()) && left_out_ends) {
            for (const SnapResult* end : {&a, &b})
                if (end->placed()) left_out_ends->push_back(end->cell);
            continue;
        }
        if (!a.placed() || !b.placed())
            throw InputError(fmt::format("{}: ferry '{}': the {} port is not within {} m of passable land ({}); move the "
                                         "line's end onto the quay or raise travel.ferries.port_snap_m",
                                         l.source, l.name, a.placed() ? "last" : "first", snap_m,
                                         to_string(a.placed() ? b.status : a.status)));
        const double minutes = l.crossing_min + l.headway_min / 2.0;  // mean wait is half the headway
        edges.push_back({a.cell, b.cell, minutes});
        if (l.bidirectional) edges.push_back({b.cell, a.cell, minutes});
    }
    return edges;
}

namespace {

/// The edges of `now` that `before` did not have (a multiset difference), or nullopt when an edge of `before` is gone.
std::optional<std::vector<ExtraEdge>> added_edges(std::vector<ExtraEdge> before, std::vector<ExtraEdge> now) {
    auto less = [](const ExtraEdge& x, const ExtraEdge& y) {
        return std::tie(x.from, x.to, x.minutes) < std::tie(y.from, y.to, y.minutes);
    };
    std::sort(before.begin(), before.end(), less);
    std::sort(now.begin(), now.end(), less);
    if (!std::includes(now.begin(), now.end(), before.begin(), before.end(), less)) return std::nullopt;
    std::vector<ExtraEdge> added;
    std::set_difference(now.begin(), now.end(), before.begin(), before.end(), std::back_inserter(added), less);
    return added;
}

/// The travel time from `sources`: an earlier run's search brought up to date when it can be (same friction, its
/// edges all still there), else a full search. Both give the same result exactly.
TravelTimeResult reuse_search(const BaseSearch* base, const Grid<float>& friction, const std::vector<SourceCell>& sources,
                              const TravelTimeOptions& options) {
    if (base == nullptr || base->result.minutes.size() != friction.size() || !added_edges(base->edges, options.extra_edges))
        return compute_travel_time(friction, sources, options);
    std::vector<std::int32_t> removed;
    for (const SourceCell& b : base->sources)
        if (std::none_of(sources.begin(), sources.end(), [&](const SourceCell& c) { return c.cell == b.cell && c.id == b.id; }))
            removed.push_back(b.id);
    TravelTimeResult r = base->result;
    update_travel_time(friction, sources, options, removed, r);
    return r;
}

/// The catchment of each supply point: an earlier run's when it was searched with the same threshold, no edge of it
/// is gone and no new edge starts inside it (the search never reached a new edge), else a bounded search. The
/// earlier run's are pointed to, not copied.
ServiceCatchments catchments_from(const KeptCatchments* earlier, const Grid<float>& friction,
                                  const std::vector<SupplyPoint>& supplies, const TravelTimeOptions& bounded,
                                  double threshold_min) {
    ServiceCatchments out;
    out.of_supply.assign(supplies.size(), nullptr);
    std::vector<std::size_t> new_edge_cells;  // the cells searches expand to use a new edge
    std::optional<std::vector<ExtraEdge>> added;
    if (earlier != nullptr && earlier->threshold_min == threshold_min) added = added_edges(earlier->edges, bounded.extra_edges);
    const bool usable = added.has_value();
    if (usable)
        for (const ExtraEdge& e : *added) new_edge_cells.push_back(e.to);
    std::vector<SourceCell> missing;
    std::vector<std::size_t> missing_index;
    for (std::size_t j = 0; j < supplies.size(); ++j) {
        if (usable)
            if (auto it = earlier->by_cell.find(supplies[j].cell); it != earlier->by_cell.end()) {
                const Catchment& c = it->second;
                const bool reaches_new_edge = std::any_of(c.begin(), c.end(), [&](const ReachedCell& r) {
                    return std::find(new_edge_cells.begin(), new_edge_cells.end(), r.cell) != new_edge_cells.end();
                });
                if (!reaches_new_edge) {
                    out.of_supply[j] = &c;
                    continue;
                }
            }
        missing.push_back({supplies[j].cell, static_cast<std::int32_t>(j)});
        missing_index.push_back(j);
    }
    out.searched = compute_catchments(friction, missing, bounded);
    for (std::size_t m = 0; m < missing.size(); ++m) out.of_supply[missing_index[m]] = &out.searched[m];
    return out;
}

}  // namespace

std::map<std::string, TravelTimeOptions> travel_options(const Scenario& s, const RunInputs& in,
                                                        const std::vector<FerryLink>& ferries) {
    std::map<std::string, TravelTimeOptions> options;
    for (const auto& [m, f] : in.friction) {
        TravelTimeOptions topt;
        topt.extra_edges = ferry_edges(ferries, f, s.ferry_port_snap_m);
        if (in.elevation && s.modes.at(m).slope_aware) topt.elevation_m = &*in.elevation;
        if (const auto it = in.networks.find(m); it != in.networks.end()) topt.network = it->second;
        options[m] = std::move(topt);
    }
    return options;
}

Grid<std::uint8_t> area_classes(const Scenario& s, const RunInputs& in, const std::map<std::string, TravelTimeOptions>& options,
                                const SearchReuse& reuse) {
    std::optional<Grid<float>> to_town;
    if (s.towns) {
        const TravelTimeOptions& topt = options.at(s.remote_mode);
        TravelTimeResult t = reuse_search(reuse.earlier ? &reuse.earlier->town : nullptr, in.friction.at(s.remote_mode),
                                          in.towns, topt);
        if (reuse.keep) reuse.keep->town = {in.towns, topt.extra_edges, t};
        to_town = std::move(t.minutes);
    }
    return classify_areas({&in.land, &in.island, in.border ? &*in.border : nullptr, to_town ? &*to_town : nullptr,
                           in.listed_remote ? &*in.listed_remote : nullptr, in.listed_island ? &*in.listed_island : nullptr,
                           &in.study_area},
                          in.class_options);
}

bool study_area_search(const Scenario& s, const SearchReuse& reuse) {
    return s.travel_search == "study_area" && reuse.earlier == nullptr && reuse.keep == nullptr;
}

std::vector<TravelTimeResult> service_travel_times(const Scenario& s, const RunInputs& in,
                                                   const std::map<std::string, TravelTimeOptions>& options,
                                                   const FacilitySet& facilities, const SearchReuse& reuse,
                                                   const StageClock& clock) {
    std::vector<TravelTimeResult> times(s.services.size());
    std::set<std::string> modes_used;
    for (const auto& svc : s.services) modes_used.insert(svc.mode);
    for (const auto& m : modes_used) {
        const Grid<float>& f = in.friction.at(m);
        TravelTimeOptions topt = options.at(m);
        if (study_area_search(s, reuse)) topt.needed = &in.study_area;
        std::vector<std::size_t> which;
        std::vector<std::vector<SourceCell>> sets;
        for (std::size_t k = 0; k < s.services.size(); ++k) {
            if (s.services[k].mode != m) continue;
            which.push_back(k);
            sets.push_back(facilities.services[k].sources);
        }
        if (reuse.earlier) {  // bring the earlier run's searches up to date (exactly what a full search gives)
            parallel_for(which.size(), [&](std::size_t j) {
                auto it = reuse.earlier->services.find(s.services[which[j]].name);
                times[which[j]] = reuse_search(it != reuse.earlier->services.end() ? &it->second : nullptr, f, sets[j], topt);
            });
        } else {
            ProgressCallback progress;
            if (clock.options().progress)
                progress = [&](std::size_t done, std::size_t total) {
                    clock.options().progress(fmt::format("travel time ({})", m), done, total);
                };
            auto computed = compute_travel_times(f, sets, topt, progress);
            for (std::size_t j = 0; j < which.size(); ++j) times[which[j]] = std::move(computed[j]);
        }
        if (reuse.keep)
            for (std::size_t j = 0; j < which.size(); ++j)
                reuse.keep->services[s.services[which[j]].name] = {sets[j], topt.extra_edges, times[which[j]]};
    }
    return times;
}

ServiceCatchments service_catchments(const std::string& service, const Grid<float>& friction,
                                     const std::vector<SupplyPoint>& supplies, const TravelTimeOptions& bounded,
                                     double threshold_min, const SearchReuse& reuse) {
    const KeptCatchments* earlier = nullptr;
    if (reuse.earlier)
        if (auto it = reuse.earlier->catchments.find(service); it != reuse.earlier->catchments.end()) earlier = &it->second;
    ServiceCatchments catchments = catchments_from(earlier, friction, supplies, bounded, threshold_min);
    if (reuse.keep) {
        auto& kept = reuse.keep->catchments[service];
        kept.threshold_min = threshold_min;
        kept.edges = bounded.extra_edges;
        for (std::size_t j = 0; j < supplies.size(); ++j) kept.by_cell.emplace(supplies[j].cell, *catchments.of_supply[j]);
    }
    return catchments;
}

void add_ferry_ports(std::vector<IslandRow>& islands, const std::vector<std::pair<std::uint32_t, std::int32_t>>& piece_cells,
                     const std::map<std::string, TravelTimeOptions>& options) {
    std::map<std::int32_t, std::set<std::size_t>> ends;  // land part -> port cells
    for (const auto& [mode, topt] : options)
        for (const auto& e : topt.extra_edges)
            for (const std::size_t cell : {e.from, e.to}) {
                const auto at = std::lower_bound(piece_cells.begin(), piece_cells.end(), cell,
                                                 [](const auto& pc, std::size_t c) { return pc.first < c; });
                if (at != piece_cells.end() && at->first == cell) ends[at->second].insert(cell);
            }
    for (auto& row : islands) {
        auto it = ends.find(row.id);
        row.ferry_ports = it == ends.end() ? 0 : static_cast<int>(it->second.size());
        if (row.status.ends_with("island"))
            row.reached_by = row.ferry_ports > 0 ? "ferry" : "no road, bridge or ferry in the data";
    }
}

}  // namespace accessplan::scenarios::detail
