#pragma once
// The planner's report: one self-contained HTML file (scripts, styles, map imagery and data inline; no network
// request at all), with key figures, an interactive map (Leaflet, vendored), gaps, the ranked investments with the
// cost–coverage chart, and for comparisons the before/after tables. Printable; English or Vietnamese.

#include <filesystem>

#include "accessplan/scenarios/compare.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/viz/map.hpp"

namespace accessplan::viz {

/// Writes `out_dir`/report.html for a run whose outputs (rasters, access.gpkg) are in `out_dir`; `minutes` are the
/// travel times per service as the maps draw them (NaN or +inf = unreachable).
void write_run_report(const scenarios::Scenario& scenario, const scenarios::RunResult& result, const MapContext& context,
                      const std::vector<const Grid<float>*>& minutes, const std::filesystem::path& out_dir, Lang lang);

/// A ranked site's reason in `lang`: ranking.csv's sentence in English; in Vietnamese the same said from the row's
/// figures (children, area classes, near water, zone, a funded neighbour).
std::string site_reason(const scenarios::RankingRow& row, const scenarios::Scenario& scenario,
                        const scenarios::RankingReport& ranking, bool all_ages, Lang lang);

/// A warning of the ranking in `lang`: its English text (RankingNote::text), or in Vietnamese the sentence of its key
/// said from its figures and words (money as officers write it: "60 tỷ đồng").
std::string ranking_note_text(const scenarios::RankingNote& note, const scenarios::RankingReport& ranking, Lang lang);

/// Writes `out_dir`/report.html for a comparison (`out_dir` holds compare_runs's outputs; the map's context is the
/// scenario's).
void write_comparison_report(const scenarios::ComparisonReport& report, const MapContext& context,
                             const std::filesystem::path& out_dir, Lang lang);

}  // namespace accessplan::viz
