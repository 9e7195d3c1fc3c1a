#include "accessplan/viz/outputs.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <fstream>

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/version.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/viz/labels.hpp"
#include "accessplan/viz/map.hpp"
#include "accessplan/viz/report.hpp"
#include "accessplan/viz/styles.hpp"

namespace fs = std::filesystem;

namespace accessplan::viz {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string travel_time_title(const std::string& service, Lang lang) {
    return lang == Lang::vi ? fmt::format("Thời gian di chuyển đến {} gần nhất", display_name(service, lang))
                            : fmt::format("Travel time to the nearest {}", display_name(service, lang));
}

/// The lines under a change map's legend: gained and lost (those from or to no access), faster and slower, the share
/// within the threshold and the children with no access before and after, and those reached now beyond the threshold.
std::vector<std::string> comparison_key_figures(const scenarios::ServiceComparison& svc, Lang lang) {
    const AccessChange& all = svc.change.by_class.front().second;
    const bool vi = lang == Lang::vi;
    auto count = [lang](double v) { return format_count(v, lang); };
    std::vector<std::string> lines;
    auto with_part = [&](const char* key, double total, double part, const char* part_en, const char* part_vi) {
        std::string line = fmt::format("{}: {} {}", tr(key, lang), count(total), tr("children", lang));
        if (part >= 0.5) line += fmt::format(" ({} {})", count(part), vi ? part_vi : part_en);
        lines.push_back(std::move(line));
    };
    with_part("gained access", all.gained, all.unreachable_to_within, "had no access before", "trước không tiếp cận được");
    with_part("lost access", all.lost, all.within_to_unreachable, "have no access now", "nay không tiếp cận được");
    lines.push_back(vi ? fmt::format("{} trẻ đi nhanh hơn, {} trẻ đi chậm hơn.", count(all.faster), count(all.slower))
                       : fmt::format("{} children reach it faster, {} slower.", count(all.faster), count(all.slower)));
    if (all.children > 0)
        lines.push_back(fmt::format("{} {} {}: {} → {}", tr("within", lang), svc.threshold_min, tr("minutes", lang),
                                    format_pct(100.0 * all.within_before / all.children, lang),
                                    format_pct(100.0 * all.within_after / all.children, lang)));
    lines.push_back(vi ? fmt::format("Trẻ không tiếp cận được: {} → {}", count(all.unreachable_before), count(all.unreachable_after))
                       : fmt::format("Children with no access: {} → {}", count(all.unreachable_before), count(all.unreachable_after)));
    if (all.unreachable_to_beyond >= 0.5)
        lines.push_back(vi ? fmt::format("{} trẻ trước không tiếp cận được nay tiếp cận được, nhưng quá {} phút.",
                                         count(all.unreachable_to_beyond), svc.threshold_min)
                           : fmt::format("{} children with no access before can reach one now, beyond {} min.",
                                         count(all.unreachable_to_beyond), svc.threshold_min));
    if (all.beyond_to_unreachable >= 0.5)
        lines.push_back(vi ? fmt::format("{} trẻ trước quá {} phút nay không tiếp cận được.", count(all.beyond_to_unreachable),
                                         svc.threshold_min)
                           : fmt::format("{} children beyond {} min before have no access now.", count(all.beyond_to_unreachable),
                                         svc.threshold_min));
    const auto n = [&](scenarios::FacilityChange::Kind kind) {
        return std::count_if(svc.facilities.begin(), svc.facilities.end(), [&](const auto& f) { return f.kind == kind; });
    };
    using Kind = scenarios::FacilityChange::Kind;
    if (!svc.facilities.empty())
        lines.push_back(vi ? fmt::format("Cơ sở: {} mới, {} di dời, {} đóng cửa.", n(Kind::added), n(Kind::moved), n(Kind::closed))
                           : fmt::format("Facilities: {} new, {} moved, {} closed.", n(Kind::added), n(Kind::moved), n(Kind::closed)));
    return lines;
}

}  // namespace

std::string data_credits(const std::vector<fs::path>& input_files, Lang lang, const std::vector<std::string>& stated) {
    if (!stated.empty()) return fmt::format("{}", fmt::join(stated, "; "));
    std::vector<std::string> sources;
    auto add = [&](const std::string& s) {
        if (std::find(sources.begin(), sources.end(), s) == sources.end()) sources.push_back(s);
    };
    for (const auto& f : input_files) {
        const std::string name = lower(f.string());
        if (name.find("worldpop") != std::string::npos || name.find("_ppp_") != std::string::npos ||
            name.find("_pop_") != std::string::npos)
            add("WorldPop (CC BY 4.0)");
        if (name.ends_with(".pbf") || name.ends_with(".osm") || name.find("osm") != std::string::npos)
            add("© OpenStreetMap contributors (ODbL)");
        if (name.find("geoboundaries") != std::string::npos) add("geoBoundaries (CC BY 4.0)");
        if (name.find("gshhg") != std::string::npos || name.find("gshhs") != std::string::npos) add("GSHHG (LGPL)");
        if (name.find("demo_province") != std::string::npos)
            add(lang == Lang::vi ? "tỉnh mẫu tổng hợp của accessplan (không phải dữ liệu thật)"
                                 : "accessplan's synthetic demo province (not real data)");
    }
    if (sources.empty()) add(lang == Lang::vi ? "dữ liệu đầu vào của kịch bản (xem run.json)" : "the scenario's inputs (see run.json)");
    std::string joined;
    for (const auto& s : sources) joined += (joined.empty() ? "" : "; ") + s;
    return joined;
}

void write_visual_outputs(const scenarios::Scenario& scenario, const scenarios::RunResult& result, const fs::path& out,
                          const VisualOptions& options) {
    const Lang lang = options.lang;
    std::vector<std::string> services, types;
    for (const auto& svc : scenario.services) {
        services.push_back(svc.name);
        for (const auto& t : svc.facility_types)
            if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
    }
    const scenarios::ResultsLayout layout(out);
    style_access_geopackage(layout.access_gpkg(), services, types);
    for (const auto& svc : result.services)
        geodata::write_text_file(layout.travel_time_qml(svc.service), travel_time_qml(svc.threshold_min));

    // Maps: travel time per service, one PNG each and all in one PDF.
    // The run's grids in memory when it kept them (run_scenario does), else its rasters.
    const scenarios::RunGrids* grids = result.grids.get();
    const MapContext context = load_map_context(
        out, fmt::format("{}: {} · {}: accessplan {} · {} {}", tr("data", lang), data_credits(scenarios::input_files(scenario), lang, scenario.credits), tr("map", lang),
                         version_string, tr("projection", lang), result.grid.crs.label()),
        grids ? std::shared_ptr<const Grid<std::uint8_t>>(result.grids, &grids->land) : nullptr,
        grids ? std::shared_ptr<const Grid<std::uint8_t>>(result.grids, &grids->area_class) : nullptr);
    // The run's travel times as they are in memory (+inf = unreachable, drawn as the rasters' nodata, NaN, is: no copy
    // of a national grid), else read from its rasters.
    std::vector<Grid<float>> read;
    std::vector<const Grid<float>*> minutes;
    if (!grids)
        for (const auto& svc : result.services) read.push_back(geodata::read_raster_float(layout.travel_time_tif(svc.service)));
    for (std::size_t k = 0; k < result.services.size(); ++k) minutes.push_back(grids ? &grids->travel_time_min.at(k) : &read[k]);
    std::vector<MapPage> pages;
    std::vector<fs::path> files;
    fs::create_directories(layout.maps_dir());
    const std::vector<std::string> no_roads = scenarios::services_without_roads(scenario);
    for (std::size_t k = 0; k < result.services.size(); ++k) {
        const auto& svc = result.services[k];
        const scenarios::Service& def = scenario.services[k];
        const auto& group = scenario.group(svc.target_group);
        const bool all_ages = !scenario.has_age_data();
        const std::string ages = age_group_label(group.min_age, group.max_age, lang, all_ages);
        MapPage page;
        page.title = travel_time_title(svc.service, lang);
        page.subtitle = fmt::format("{} · {} {} · {} {} {} · {}", scenario.name, tr("by", lang), display_name(svc.mode, lang),
                                    tr("threshold", lang), svc.threshold_min, tr("minutes", lang), ages);
        page.values = minutes[k];
        page.classes = travel_time_classes(svc.threshold_min, study_area_values(context, *minutes[k]), lang);
        page.legend_title = tr("travel time", lang);  // the classes say their unit (minutes, or hours when long)
        page.service = svc.service;
        page.facility_types = def.facility_types;
        const auto& a = svc.access;
        page.key_figures.push_back(lang == Lang::vi
            ? fmt::format("{} trong số {} {} đến được trong vòng {} phút.", format_pct(a.pct_within(), lang),
                          format_count(a.children, lang), ages, svc.threshold_min)
            : fmt::format("{} of {} {} live within {} min.", format_pct(a.pct_within(), lang), format_count(a.children, lang),
                          ages, svc.threshold_min));
        if (a.unreachable > 0.5)
            page.key_figures.push_back(lang == Lang::vi
                ? fmt::format("{} {} không thể tiếp cận cơ sở nào.", format_count(a.unreachable, lang), people_noun(all_ages, lang))
                : fmt::format("{} {} cannot reach any {}.", format_count(a.unreachable, lang), people_noun(all_ages, lang),
                              display_name(svc.service, lang)));
        for (const auto& [cls, summary] : svc.by_class)
            if (cls != "all" && cls != "none" && summary.children > 0.5)
                page.key_figures.push_back(fmt::format("{}: {} {} ({} {})", display_name(cls, lang), format_pct(summary.pct_within(), lang),
                                                       tr("within", lang), format_count(summary.children, lang),
                                                       people_noun(all_ages, lang)));
        if (std::count(no_roads.begin(), no_roads.end(), svc.service))
            page.key_figures.push_back(lang == Lang::vi ? "CẢNH BÁO: không có dữ liệu đường: thời gian đi lại tính theo tốc độ ngoài đường."
                                                        : "WARNING: no road data: travel times are at off-road speed.");
        pages.push_back(std::move(page));
        files.push_back(layout.travel_time_png(svc.service));
    }
    render_maps(context, pages, files, layout.maps_pdf(), lang);
    write_run_report(scenario, result, context, minutes, out, lang);
}

std::vector<std::size_t> comparison_service_order(const scenarios::ComparisonReport& report) {
    std::vector<std::size_t> order;
    if (report.services.empty()) return order;
    order.push_back(scenarios::most_changed_service(report));
    for (std::size_t k = 0; k < report.services.size(); ++k)
        if (k != order.front()) order.push_back(k);
    return order;
}

std::vector<MapPage> comparison_map_pages(const scenarios::ComparisonReport& report, const MapContext& context,
                                          const std::vector<Grid<float>>& diffs,
                                          const std::vector<Grid<std::uint8_t>>& statuses, Lang lang) {
    if (diffs.size() != report.services.size() || statuses.size() != report.services.size())
        throw InternalError("comparison_map_pages: one change raster and one status raster per service");
    const bool vi = lang == Lang::vi;
    std::vector<MapPage> pages;
    for (const std::size_t k : comparison_service_order(report)) {
        const auto& svc = report.services[k];
        MapPage page;
        page.title = vi ? fmt::format("Thay đổi thời gian di chuyển đến {} gần nhất", display_name(svc.service, lang))
                        : fmt::format("Change in travel time to the nearest {}", display_name(svc.service, lang));
        page.subtitle = fmt::format("{} · {} {} · {} {} {}", report.scenario_name, tr("compared with", lang), report.base_name,
                                    tr("threshold", lang), svc.threshold_min, tr("minutes", lang));
        page.values = &diffs[k];
        page.classes = time_change_classes(lang);
        page.legend_title = fmt::format("{} ({})", tr("change in travel time", lang), tr("minutes", lang));
        // Cells reached or no longer reached have no change in minutes: drawn by what happened to them, in the
        // legend when the map has them; those unreachable both times stay "no access".
        page.categories.codes = &statuses[k];
        page.categories.categories = categories_present(context, statuses[k], status_change_categories(svc.threshold_min, lang));
        page.unreachable_label = unreachable_both_label(lang);
        page.facilities_of = svc.service;
        page.facility_changes = svc.facilities;
        page.key_figures = comparison_key_figures(svc, lang);
        pages.push_back(std::move(page));
    }
    return pages;
}

void write_comparison_maps(const scenarios::ComparisonReport& report, const fs::path& scenario_dir, const fs::path& out,
                           const VisualOptions& options) {
    const Lang lang = options.lang;
    // Credits: those the scenario's run.json states, else guessed from the inputs it lists.
    std::vector<fs::path> inputs;
    std::vector<std::string> stated;
    try {
        std::ifstream in(scenarios::ResultsLayout(scenario_dir).run_json());
        const auto run = nlohmann::json::parse(in);
        for (const auto& i : run.value("inputs", nlohmann::json::array())) inputs.emplace_back(i.value("file", ""));
        stated = run.value("credits", std::vector<std::string>{});
    } catch (const nlohmann::json::exception&) {
        // no credits beyond the generic line
    }
    MapContext context = load_map_context(scenario_dir, fmt::format("{}: {} · {}: accessplan {}", tr("data", lang),
                                                                     data_credits(inputs, lang, stated), tr("map", lang), version_string));
    context.gaps.clear();
    context.ranking.clear();
    const scenarios::ResultsLayout layout(out);
    std::vector<Grid<float>> diffs;
    std::vector<Grid<std::uint8_t>> statuses;
    for (const auto& svc : report.services) {
        diffs.push_back(geodata::read_raster_float(layout.diff_travel_time_tif(svc.service)));
        statuses.push_back(geodata::read_raster_byte(layout.status_change_tif(svc.service)));
        // QGIS styles beside them, as beside a run's travel-time rasters.
        geodata::write_text_file(fs::path(layout.diff_travel_time_tif(svc.service)).replace_extension(".qml"), time_change_qml());
        geodata::write_text_file(fs::path(layout.status_change_tif(svc.service)).replace_extension(".qml"),
                                 status_change_qml(svc.threshold_min, lang));
    }
    fs::create_directories(layout.maps_dir());
    // maps.pdf opens on the service that changed most, as the report does.
    std::vector<fs::path> files;
    for (const std::size_t k : comparison_service_order(report)) files.push_back(layout.change_png(report.services[k].service));
    render_maps(context, comparison_map_pages(report, context, diffs, statuses, lang), files, layout.maps_pdf(), lang);
    write_comparison_report(report, context, out, lang);
}

}  // namespace accessplan::viz
