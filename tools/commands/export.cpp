// accessplan export RESULTS_DIR OUT_DIR --format gpkg|geojson|shp|csv: a run's layers for other tools.

#include <filesystem>

#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/vector_export.hpp"
#include "accessplan/scenarios/compare.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "../cli_common.hpp"

namespace fs = std::filesystem;

namespace accessplan::cli {
namespace {

int export_results(const std::string& results, const std::string& out, const std::string& format_name) {
    const geodata::ExportFormat format = geodata::parse_export_format(format_name);
    scenarios::check_results_folder(results);
    geodata::OutputFolder folder(out, globals().overwrite, {results});
    const auto layers = geodata::export_layers(scenarios::ResultsLayout(results).access_gpkg(), folder.staging(), format);
    folder.commit();
    note_replaced_results(folder);
    for (const auto& l : globals().verbosity >= 1 ? layers : decltype(layers){}) {
        fmt::print("{:<12} {:>7} feature(s)  {}\n", l.layer, l.features, (folder.target() / l.file.filename()).string());
        if (!l.renamed.empty()) fmt::print("{:<12} {} field name(s) shortened for dBase: see {}.fields.csv\n", "", l.renamed.size(), l.layer);
    }
    fmt::print("Outputs: {}\n", fs::absolute(folder.target()).lexically_normal().string());
    return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
    static std::string results, out, format = "gpkg";
    auto* cmd = app.add_subcommand("export",
                                   "Export a results folder's layers (facilities, zones, gaps, no access, ranking, study\n"
                                   "area, national border) for other tools: "
                                   "gpkg (the styled GeoPackage), geojson (WGS 84, RFC 7946), shp (short field names,\n"
                                   "mapped in <layer>.fields.csv, and <layer>.qml: the QGIS style with those names) or\n"
                                   "csv (x,y or WKT geometry). Fields: docs/outputs.md.\n"
                                   "Example: accessplan export baseline-results baseline-shp --format shp");
    cmd->add_option("RESULTS_DIR", results, "Results folder of `accessplan run`")->required();
    cmd->add_option("OUT_DIR", out, "Folder to create (refused if it exists, unless --overwrite)")->required();
    cmd->add_option("--format", format, "gpkg, geojson, shp or csv (default gpkg)")
        ->check(CLI::IsMember({"gpkg", "geojson", "shp", "csv"}));
    cmd->callback([&exit_code] { exit_code = guarded([] { return export_results(results, out, format); }); });
}

}  // namespace accessplan::cli
