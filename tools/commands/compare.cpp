// accessplan compare BASE_DIR SCENARIO_DIR [--out DIR]: children gaining and losing access between two runs.

#include <filesystem>

#include "accessplan/geodata/output.hpp"
#include "accessplan/scenarios/compare.hpp"
#include "accessplan/viz/outputs.hpp"
#include "../cli_common.hpp"

namespace fs = std::filesystem;

namespace accessplan::cli {
namespace {

int compare(const std::string& base, const std::string& scenario, std::string out) {
    if (out.empty())
        out = fmt::format("{}-vs-{}", fs::path(scenario).lexically_normal().filename().string(),
                          fs::path(base).lexically_normal().filename().string());
    geodata::OutputFolder folder(out, globals().overwrite, {base, scenario});
    const scenarios::ComparisonReport r = scenarios::compare_runs(base, scenario, folder.staging());
    viz::write_comparison_maps(r, scenario, folder.staging(), {viz::parse_lang(globals().lang)});
    folder.commit();
    note_replaced_results(folder);
    if (globals().verbosity == 0) {
        if (!r.warnings.empty())
            fmt::print(stderr, "accessplan: {} warning(s): compare.json and report.html list them\n", r.warnings.size());
        fmt::print("Outputs: {}\n", fs::absolute(folder.target()).lexically_normal().string());
        return 0;
    }
    const char* who = r.all_ages ? "people" : "children";
    fmt::print("{} compared with {}{}\n", r.scenario_name, r.base_name, r.all_ages ? " (no age data: people of all ages)" : "");
    // faster / slower: reachable both times, their time fell / rose (a ferry that shortens trips without moving anyone
    // across the threshold shows here, not in gained).
    fmt::print("{:<24} {:>7} {:>10} {:>10} {:>10} {:>9} {:>10} {:>10} {:>9} {:>8} {:>10} {:>10}\n", "service", "limit", who,
               "gained", "lost", "net", "faster", "slower", "% before", "% after", "no access", "no access");
    fmt::print("{:<24} {:>7} {:>10} {:>10} {:>10} {:>9} {:>10} {:>10} {:>9} {:>8} {:>10} {:>10}\n", "", "", "", "", "", "", "",
               "", "", "", "before", "after");
    for (const auto& s : r.services) {
        const AccessChange& a = s.change.by_class.front().second;
        fmt::print("{:<24} {:>5.0f}m {:>10.0f} {:>10.0f} {:>10.0f} {:>+9.0f} {:>10.0f} {:>10.0f} {:>8.1f}% {:>7.1f}% {:>10.0f} {:>10.0f}\n",
                   s.service, s.threshold_min, a.children, a.gained, a.lost, a.gained - a.lost, a.faster, a.slower,
                   a.children > 0 ? 100.0 * a.within_before / a.children : 0.0,
                   a.children > 0 ? 100.0 * a.within_after / a.children : 0.0, a.unreachable_before, a.unreachable_after);
    }
    // Children who move between "no access" and "beyond the threshold" change neither gained nor lost: say so.
    for (const auto& s : r.services) {
        const AccessChange& a = s.change.by_class.front().second;
        if (a.unreachable_to_within >= 0.5)
            fmt::print("{}: {:.0f} of the {} gaining access could reach none before\n", s.service, a.unreachable_to_within, who);
        if (a.within_to_unreachable >= 0.5)
            fmt::print("{}: {:.0f} of the {} losing access can now reach none\n", s.service, a.within_to_unreachable, who);
        if (a.unreachable_to_beyond >= 0.5)
            fmt::print("{}: {:.0f} {} who could reach none can now reach one, still beyond {:g} min\n", s.service,
                       a.unreachable_to_beyond, who, s.threshold_min);
        if (a.beyond_to_unreachable >= 0.5)
            fmt::print("{}: {:.0f} {} beyond {:g} min before can now reach none\n", s.service, a.beyond_to_unreachable,
                       who, s.threshold_min);
    }
    for (const auto& w : r.warnings) log("warning: {}", w);
    fmt::print("Outputs: {}\n", fs::absolute(folder.target()).lexically_normal().string());
    return 0;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
    static std::string base, scenario, out;
    auto* cmd = app.add_subcommand("compare",
                                   "Compare two results folders of the same study area: travel-time differences, children\n"
                                   "gaining or losing access and children with no access before and after, per service x area\n"
                                   "class and per zone; the largest areas of change; facilities new, moved or closed; maps and\n"
                                   "a report (compare.csv, compare_zones.csv, changed_areas.csv, compare.json, rasters/, maps/,\n"
                                   "report.html).\n"
                                   "Example: accessplan compare baseline-results new_ferry-results --out ferry-vs-baseline");
    cmd->add_option("BASE_DIR", base, "Results folder of the baseline")->required();
    cmd->add_option("SCENARIO_DIR", scenario, "Results folder of the what-if")->required();
    cmd->add_option("--out", out, "Output folder (default: <scenario folder>-vs-<base folder>; refused if it exists,\n"
                                  "unless --overwrite)");
    cmd->callback([&exit_code] { exit_code = guarded([] { return compare(base, scenario, out); }); });
}

}  // namespace accessplan::cli
