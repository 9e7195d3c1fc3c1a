#pragma once
// The ranking stage of a run (private to the scenarios library). Takes what the run computed (RankingContext);
// gives the ranked sites: candidates from the scenario's file and generated in the gaps, per-cell weights (equity by
// area class, drowning exposure for pools), the engine's ranking; and the rows, tables and layer of the results folder.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "accessplan/engine/travel_time.hpp"
#include "accessplan/engine/zonal.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/geodata/vector_write.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "facilities.hpp"
#include "inputs.hpp"
#include "metrics.hpp"

namespace accessplan::scenarios {

/// Travel at other speeds (a draw of speeds class by class): the inputs prepared afresh for a scenario whose modes'
/// speeds differ, with the friction and travel options (ferries, network, DEM) of every mode.
struct DrawnTravel {
    std::shared_ptr<const detail::RunInputs> inputs;
    /// What preparing them reserved (released when they were ready: the ranking counts them in the run's reservation).
    double reserved_bytes = 0.0;
    std::map<std::string, TravelTimeOptions> options;    ///< per mode; the friction is inputs->friction
    std::vector<TravelTimeResult> times;                 ///< today's facilities searched on them, per service
};

/// What the run has computed by the time it ranks; every per-service vector follows Scenario::services.
struct RankingContext {
    const Scenario& scenario;
    const GridSpec& grid;
    std::vector<const Grid<float>*> children;        ///< target group of each service (0 outside the study area)
    std::vector<const Grid<float>*> minutes;         ///< current travel time of each service
    std::vector<const Grid<float>*> friction;        ///< of each service's mode
    std::vector<const TravelTimeOptions*> travel;    ///< of each service's mode
    std::vector<const Grid<std::int32_t>*> gaps;     ///< gap cluster rank per cell (0 = no gap)
    std::vector<const std::vector<SourceCell>*> sources;  ///< of each service: today's facilities
    std::vector<const TravelTimeResult*> results;         ///< of each service: the search from them
    const Grid<std::uint8_t>& area_flags;
    const Grid<std::uint8_t>& landcover;
    const Grid<std::uint8_t>* rivers = nullptr;
    const Grid<std::uint8_t>* roads = nullptr;
    const std::vector<geodata::PointFeature>& facilities;
    const ZoneGrid* zone_ids = nullptr;    ///< 1-based into zone_codes and zone_names
    const std::vector<std::string>* zone_codes = nullptr;
    const std::vector<std::string>* zone_names = nullptr;
    std::optional<double> budget;                    ///< overrides ranking.budget
    bool exact = false;                              ///< overrides ranking.exact (when true)
    std::optional<std::string> objective;            ///< overrides ranking.objective
    std::optional<int> draws;                        ///< overrides ranking.uncertainty.draws
    std::optional<std::uint64_t> seed;               ///< overrides ranking.uncertainty.seed
    TransientMemory* memory = nullptr;               ///< the run's memory guard: each programme's problem is counted
    double services_bytes = 0.0;                     ///< what the guard counts for the services' grids
    /// The run's travel rebuilt for a scenario with other speeds (uncertainty.speed_pct_by_class); set by the run.
    std::function<std::shared_ptr<const DrawnTravel>(const Scenario&)> travel_at_speeds;
    std::function<void(std::size_t done, std::size_t total)> progress;  ///< draws of speeds by class done (may be empty)
};

/// Builds the candidates and ranks them. InputError (exit 3) for bad candidate files, unknown services, costs <= 0,
/// or too many candidates for the exact solver; a budget below every cost gives an empty ranking and a warning.
RankingReport run_ranking(const RankingContext& context, std::vector<std::string>& warnings);

/// The context of a run's stages: the scenario, inputs, facilities, travel times, area classes and gap grids.
RankingContext ranking_context(const Scenario& s, const detail::RunInputs& in, const detail::FacilitySet& facilities,
                               const std::map<std::string, TravelTimeOptions>& travel,
                               const std::vector<TravelTimeResult>& times, const Grid<std::uint8_t>& area_flags,
                               const detail::Metrics& metrics, const RunOptions& options);

/// ranking.csv, cost_curve.csv, programmes.csv and budget_curve.csv (robustness.csv with draws; plan.csv,
/// plan_years.csv and plan_access.csv with a plan).
void write_ranking_tables(const RankingReport& report, const ResultsLayout& layout);

/// summary.json's ranking.programmes: per programme its budget, spending, reserves, why money is left, the curve.
nlohmann::json programmes_json(const RankingReport& report);

/// summary.json's ranking.plan: the years, growth, per year and programme the money and what it bought, access.
nlohmann::json plan_json(const RankingReport& report);

/// The `ranking` point layer for access.gpkg.
geodata::OutLayer ranking_layer(const RankingReport& report);

/// The `plan` point layer for access.gpkg: the plan's sites with the year each is built.
geodata::OutLayer plan_layer(const PlanReport& plan);

}  // namespace accessplan::scenarios
