#include "accessplan/scenarios/pipeline.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>

#include "accessplan/scenarios/results_layout.hpp"
#include "modifications.hpp"
#include "stages/facilities.hpp"
#include "stages/inputs.hpp"
#include "stages/metrics.hpp"
#include "stages/ranking.hpp"
#include "stages/results.hpp"
#include "stages/run_cache.hpp"
#include "stages/stage_clock.hpp"
#include "stages/travel.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {

// One pass of a scenario (DESIGN.md "Data flow"): inputs → friction → travel times → metrics → ranking → results.
// Each stage is in stages/ with a header saying what it takes and gives.
RunResult run_scenario(const Scenario& s, const fs::path& out, const RunOptions& options) {
    using namespace detail;
    StageClock clock(options, 6);
    const ResultsLayout layout(out);
    if (options.write_outputs) fs::create_directories(layout.rasters_dir());

    // Stages 1-3, the inputs before facilities and ferries count: an earlier run's (RunOptions::cache) when only
    // facilities, ferries, thresholds or the ranking differ, else read. The memory reservation is held to the end.
    std::shared_ptr<const CacheEntry> earlier = options.cache ? options.cache->find(s) : nullptr;
    const bool keep = !earlier && options.cache && options.cache->accepts();  // this run's inputs and searches, kept for later runs
    const Scenario key = keep ? shared_inputs_key(s) : Scenario{};
    const FileStamps stamps = keep ? file_stamps(key) : FileStamps{};  // the files as they are before they are read
    std::shared_ptr<const RunInputs> inputs;
    std::shared_ptr<RunInputs> own;  // this run's inputs, read by no other run (no cache)
    // A run that nothing reads the grids of later (no ranking, no cache) writes its large rasters as soon as they are
    // final and frees them, and frees the inputs no later stage reads.
    const bool releases_early = !earlier && !keep && !s.ranking && options.write_outputs;
    MemoryReservation memory;
    if (earlier) {
        clock.stage(3, "analysis grid, population, land cover, roads, friction, children: reused from an earlier run",
                    "inputs reused from an earlier run");
        inputs = earlier->inputs;
    } else {
        auto [prepared, reservation] = prepare_inputs(s, clock, nullptr, releases_early);
        if (keep) {
            inputs = std::make_shared<const RunInputs>(std::move(prepared));
        } else {
            own = std::make_shared<RunInputs>(std::move(prepared));
            inputs = own;
        }
        memory = std::move(reservation);
    }
    std::vector<TravelTimeResult> times;  // per service
    std::optional<EarlyRelease> early;
    if (releases_early) {
        early.emplace(layout, s, *own, times, clock);
        early->inputs_done();
    }
    const RunInputs& in = *inputs;
    auto kept = std::make_shared<KeptSearches>();
    const SearchReuse reuse{earlier ? earlier->searches.get() : nullptr, keep ? kept.get() : nullptr};
    RunResult result;
    result.grid = in.grid;
    result.population_total = in.population_total;
    result.population_source_total = in.population_source_total;
    result.population_in_area = in.population_in_area;
    result.population = in.population_account;
    result.all_ages = !s.has_age_data();
    result.islands = in.islands;
    result.warnings = in.warnings;
    result.towns_placed = in.towns.size();

    clock.substage("facilities, ferries and area classes");
    const std::vector<FerryLink> ferries = ferry_links(s, in.grid.crs);  // read once: the search edges and the result's list
    const auto travel = travel_options(s, in, ferries);
    for (const FerryLink& f : ferries)
        result.ferries.push_back({f.name, f.x0, f.y0, f.x1, f.y1, f.crossing_min, f.headway_min});
    add_ferry_ports(result.islands, in.island_piece_cells, travel);
    FacilitySet facilities = place_facilities(s, in, result.warnings);
    result.placements = facilities.placements;
    Grid<std::uint8_t> area_flags = area_classes(s, in, travel, reuse);
    if (early) early->area_classes_done();

    clock.stage(4, "travel time");
    times = service_travel_times(s, in, travel, facilities, reuse, clock);
    if (study_area_search(s, reuse)) {
        result.travel_search = "study_area";
        for (std::size_t k = 0; k < s.services.size(); ++k) {
            float farthest = -1.0f;
            const Grid<float>& minutes = times[k].minutes;
            for (std::size_t i = 0; i < minutes.size(); ++i)
                if (in.study_area[i] && minutes[i] != std::numeric_limits<float>::infinity()) farthest = std::max(farthest, minutes[i]);
            result.searched_to_min[s.services[k].name] = farthest;
        }
    } else if (s.travel_search == "study_area") {
        result.warnings.push_back("travel.search is study_area, but this run searches the whole grid: its searches are "
                                  "kept for the what-ifs run after it (or brought up to date from an earlier run's), "
                                  "which need every cell's time. Travel times cover the whole grid; every figure is the same");
    }

    clock.stage(5, "access metrics", "access metrics: summaries by area class");
    // Catchments and rankings on top of the services' grids, counted at their largest, beyond what was reserved for
    // the larger of those grids and what preparing the inputs held for a while (nothing was with an earlier run's
    // inputs: the services' grids are then counted with the first catchments).
    TransientMemory transient(&memory, earlier ? 0.0 : in.after_inputs_bytes);
    Metrics metrics = compute_metrics({s, in, facilities, travel, times, area_flags, reuse, &transient, early ? &*early : nullptr},
                                      clock, result.warnings);
    result.services = std::move(metrics.services);
    result.zones = std::move(metrics.zones);

    if (s.ranking) {
        clock.substage("ranking: candidates, catchments, greedy");
        RankingContext context = ranking_context(s, in, facilities, travel, times, area_flags, metrics, options);
        context.memory = &transient;
        context.services_bytes = in.services_bytes;
        // Speeds drawn class by class: the inputs prepared again with the draw's speeds and today's facilities
        // searched on them, as stages 1-4 do (no progress lines).
        context.travel_at_speeds = [&](const Scenario& drawn) {
            RunOptions quiet = options;
            quiet.stage = nullptr;
            quiet.progress = nullptr;
            StageClock drawn_clock(quiet, 6);
            auto [drawn_inputs, reservation] = prepare_inputs(drawn, drawn_clock);
            auto drawn_travel = std::make_shared<DrawnTravel>();
            drawn_travel->inputs = std::make_shared<const RunInputs>(std::move(drawn_inputs));
            drawn_travel->reserved_bytes = reservation.bytes();
            drawn_travel->options = travel_options(drawn, *drawn_travel->inputs, ferries);
            drawn_travel->times = service_travel_times(drawn, *drawn_travel->inputs, drawn_travel->options, facilities,
                                                       SearchReuse{}, drawn_clock);
            return std::shared_ptr<const DrawnTravel>(std::move(drawn_travel));
        };
        if (options.progress)
            context.progress = [&](std::size_t done, std::size_t total) {
                options.progress("ranking: speeds drawn by class", done, total);
            };
        result.ranking = run_ranking(context, result.warnings);
    }

    clock.stage(6, options.write_outputs ? "writing outputs" : "summary (nothing written)");
    result.summary_json = summary_json(s, in, result);
    Grid<std::uint8_t> land = land_map(in);
    if (options.write_outputs) write_results(layout, {s, in, facilities, times, area_flags, land, metrics, result, early ? &*early : nullptr});
    auto grids = std::make_shared<RunGrids>(RunGrids{{}, std::move(land), std::move(area_flags), {}, {}});
    for (auto& t : times) grids->travel_time_min.push_back(std::move(t.minutes));
    // Aliasing pointers: the grids live as long as the inputs they belong to, with no copy.
    grids->children = std::shared_ptr<const std::map<std::string, Grid<float>>>(inputs, &inputs->children);
    if (in.zones) grids->zones = std::shared_ptr<const ZoneGrid>(inputs, &inputs->zones->ids);
    result.grids = std::move(grids);
    if (options.visual_outputs && options.write_outputs) {
        clock.substage("maps, styles and report");
        options.visual_outputs(result);
    }
    result.stage_seconds = clock.finish();
    result.stage_peak_bytes = clock.peaks();
    result.memory_reserved_bytes = memory.bytes();
    if (early) result.written_early = early->written_names();
    if (options.write_outputs) write_run_json(layout, s, result, options);
    if (keep) options.cache->store(std::make_shared<const CacheEntry>(CacheEntry{key, stamps, inputs, std::move(kept)}));
    return result;
}

}  // namespace accessplan::scenarios
