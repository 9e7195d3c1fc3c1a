#pragma once
// Stage 4: travel times. Takes the run's inputs (friction per mode, elevation, towns), the scenario's ferries and the
// placed facilities; gives the travel options of each mode (ferry edges, slope), the area classes (island, border,
// remote — remote from a search from the towns) and, per service, the multi-source travel time and nearest facility.
// Searches an earlier run kept (run_cache.hpp) are brought up to date instead of searched again: the same result.

#include <map>
#include <string>
#include <vector>

#include "accessplan/engine/travel_time.hpp"
#include "facilities.hpp"
#include "../modifications.hpp"
#include "inputs.hpp"
#include "run_cache.hpp"
#include "stage_clock.hpp"

namespace accessplan::scenarios::detail {

/// Ferry links as extra edges between the passable cells nearest their ports (crossing + mean wait, half the
/// headway). InputError when a port is not within `snap_m` of passable land, unless `left_out_ends` is given: such a
/// link is then left out and its placed end's cell appended there (a tile of a split run).
std::vector<ExtraEdge> ferry_edges(const std::vector<FerryLink>& links, const Grid<float>& friction, double snap_m,
                                   std::vector<std::size_t>* left_out_ends = nullptr);

/// Per travel mode with friction: `ferries` (ferry_links: in the scenario's month) as extra edges, and the DEM for
/// slope-aware modes.
/// InputError when a ferry port is not within travel.ferries.port_snap_m of passable land.
std::map<std::string, TravelTimeOptions> travel_options(const Scenario& s, const RunInputs& in,
                                                        const std::vector<FerryLink>& ferries);

/// The searches a run can start from (an earlier run's, or none) and where to keep its own (or nowhere).
struct SearchReuse {
    const KeptSearches* earlier = nullptr;
    KeptSearches* keep = nullptr;
};

/// Area-class bit flags per cell (engine/area_classes.hpp): island, border, remote (travel time by the remote mode
/// to the nearest town above area_classes.remote_minutes, or listed).
Grid<std::uint8_t> area_classes(const Scenario& s, const RunInputs& in, const std::map<std::string, TravelTimeOptions>& options,
                                const SearchReuse& reuse);

/// Whether the services' searches stop at the study area (travel.search: study_area, TravelTimeOptions::needed): not
/// for a run whose searches are kept for later runs or brought up to date from an earlier one (what-ifs remove
/// facilities, and an update needs the whole grid's times).
bool study_area_search(const Scenario& s, const SearchReuse& reuse);

/// The travel time and nearest facility of every service (Scenario::services order), the services of one mode
/// searched side by side (stopping at the study area when study_area_search).
std::vector<TravelTimeResult> service_travel_times(const Scenario& s, const RunInputs& in,
                                                   const std::map<std::string, TravelTimeOptions>& options,
                                                   const FacilitySet& facilities, const SearchReuse& reuse,
                                                   const StageClock& clock);

/// The catchments of a service's supply points: those searched in this run, and one pointer per supply point (into
/// `searched`, or into an earlier run's kept searches, which SearchReuse::earlier keeps alive for the run).
struct ServiceCatchments {
    std::vector<Catchment> searched;
    std::vector<const Catchment*> of_supply;
};

/// The catchment of each supply point within `threshold_min` of service `service` (a bounded search each), taken
/// from an earlier run where it is still valid.
ServiceCatchments service_catchments(const std::string& service, const Grid<float>& friction,
                                     const std::vector<SupplyPoint>& supplies, const TravelTimeOptions& bounded,
                                     double threshold_min, const SearchReuse& reuse);

/// Counts the ferry ends (of every mode's ferry edges) on each island of `islands` (IslandRow::id = 1 + land part;
/// `piece_cells`: RunInputs::island_piece_cells) and says how each is reached.
void add_ferry_ports(std::vector<IslandRow>& islands, const std::vector<std::pair<std::uint32_t, std::int32_t>>& piece_cells,
                     const std::map<std::string, TravelTimeOptions>& options);

}  // namespace accessplan::scenarios::detail
