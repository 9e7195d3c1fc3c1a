// accessplan traveltime: travel time over a friction raster (minutes per metre) from a set of sources.

#include <filesystem>
#include <limits>

#include <omp.h>

#include "accessplan/engine/snap.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "../cli_common.hpp"

namespace fs = std::filesystem;

namespace accessplan::cli {
namespace {

struct TravelTimeArgs {
    std::string friction, sources, out, nearest, id_field;
    int neighbours = 16;
    double max_minutes = -1.0;
    double snap_m = 500.0;
};

void refuse_existing(const std::string& path) {
    if (!path.empty() && fs::exists(path) && !globals().overwrite)
        throw InputError(fmt::format("{}: output already exists; pass --overwrite to replace it", path));
}

int run_traveltime(const TravelTimeArgs& a) {
    refuse_existing(a.out);
    refuse_existing(a.nearest);
    stage(1, 3, "reading inputs");
    Grid<float> friction = geodata::read_raster_float(a.friction);
    require_projected_grid(friction.spec(), a.friction);
    std::size_t impassable = 0;
    for (float& f : friction.values())
        if (std::isnan(f) || f < 0.0f || std::isinf(f)) {
            f = std::numeric_limits<float>::infinity();  // nodata or negative = impassable (MAP convention)
            ++impassable;
        }
    debug("{}: {}, {} impassable cells", a.friction, friction.spec().describe(), impassable);

    geodata::ReadOptions read;
    read.csv_xy_crs = friction.spec().crs;
    std::vector<geodata::PointFeature> points = geodata::read_points(a.sources, friction.spec().crs, read);
    if (points.empty())
        throw InputError(fmt::format("{}: no sources (the file has no features); travel time needs at least one", a.sources));

    std::vector<std::pair<double, double>> xy;
    std::vector<std::int32_t> ids;  // empty: 1, 2, ... in file order
    for (const auto& p : points) {
        xy.emplace_back(p.x, p.y);
        if (!a.id_field.empty()) {
            auto it = p.attributes.find(a.id_field);
            if (it == p.attributes.end())
                throw InputError(fmt::format("{}: feature {} has no field '{}' (--id-field)", a.sources, p.fid, a.id_field));
            // (std::stoi read "12abc" as 12, and took -5, which the nearest-source raster holds as "no source")
            IntegerRule rule{fmt::format("{}: feature {}: {} (--id-field)", a.sources, p.fid, a.id_field), 0,
                             std::numeric_limits<std::int32_t>::max()};
            rule.allow_zero_fraction = true;  // 12.0 in a real field
            ids.push_back(static_cast<std::int32_t>(parse_integer(it->second, rule)));
        }
    }
    PlacedSources placed = place_sources(friction, xy, ids, a.snap_m);
    std::vector<SourceCell>& sources = placed.cells;
    const std::size_t moved = placed.moved;
    std::vector<std::string> unplaced;
    for (std::size_t i : placed.unplaced)
        unplaced.push_back(fmt::format("#{} ({:.1f}, {:.1f}): {}", i + 1, xy[i].first, xy[i].second, to_string(placed.status[i])));
    for (const auto& u : unplaced) log("warning: {}: source {} not placed (no passable cell within {} m)", a.sources, u, a.snap_m);
    if (sources.empty())
        throw InputError(fmt::format("{}: none of the {} sources lies on or within {} m of a passable cell of {} ({}); "
                                     "are they in the friction raster's CRS ({}) and inside its extent?",
                                     a.sources, points.size(), a.snap_m, a.friction, friction.spec().describe(),
                                     friction.spec().crs.label()));
    log("{} sources placed ({} moved to the nearest passable cell, {} not placed)", sources.size(), moved, unplaced.size());

    stage(2, 3, fmt::format("travel time ({} neighbours, {} thread(s))", a.neighbours, omp_get_max_threads()));
    TravelTimeOptions options;
    options.neighbours = a.neighbours == 8 ? Neighbourhood::eight : Neighbourhood::sixteen;
    if (a.max_minutes >= 0.0) options.max_minutes = a.max_minutes;
    TravelTimeResult result = compute_travel_time(friction, sources, options);

    stage(3, 3, "writing outputs");
    geodata::RasterWriteOptions wo;
    wo.nodata = -9999.0;
    wo.description = "travel time to the nearest source";
    wo.units = "minutes";
    // Both files are written beside their targets first and renamed only when both are complete.
    const fs::path out_tmp = geodata::temporary_sibling(a.out);
    geodata::write_geotiff(out_tmp, result.minutes, wo);
    if (!a.nearest.empty()) {
        geodata::RasterWriteOptions no;
        no.nodata = static_cast<double>(no_facility);
        no.description = "id of the nearest source";
        const fs::path near_tmp = geodata::temporary_sibling(a.nearest);
        try {
            geodata::write_geotiff(near_tmp, result.nearest, no);
        } catch (...) {
            std::error_code ec;
            fs::remove(out_tmp, ec);
            throw;
        }
        geodata::commit_file(near_tmp, a.nearest);
    }
    geodata::commit_file(out_tmp, a.out);
    std::size_t reached = 0;
    for (float t : result.minutes.values()) reached += std::isfinite(t) ? 1 : 0;
    log("{} of {} cells reached; wrote {}{}", reached, result.minutes.size(), a.out,
        a.nearest.empty() ? "" : " and " + a.nearest);
    return 0;
}

}  // namespace

void add_traveltime_command(CLI::App& app, int& exit_code) {
    static TravelTimeArgs args;
    auto* cmd = app.add_subcommand(
        "traveltime",
        "Travel time (minutes) from every cell to the nearest source over a friction raster in minutes per metre\n"
        "(nodata or negative = impassable), with the move costs of GRASS r.cost -k.\n"
        "Example: accessplan traveltime --friction friction.tif --sources schools.csv --out time.tif --nearest id.tif");
    cmd->add_option("--friction", args.friction, "Friction GeoTIFF, minutes per metre, projected CRS")->required();
    cmd->add_option("--sources", args.sources,
                    "Sources: CSV with x,y columns in the friction CRS (or lon,lat) or any vector file")->required();
    cmd->add_option("--out", args.out, "Output travel-time GeoTIFF (float32 minutes, nodata -9999)")->required();
    cmd->add_option("--nearest", args.nearest, "Also write the id of the nearest source per cell (int32, nodata -1)");
    add_integer_option(*cmd, "--neighbours", [](std::int64_t n) {
        if (n != 8 && n != 16) throw InputError(fmt::format("--neighbours: {} is not a neighbourhood; expected 8 or 16", n));
        args.neighbours = static_cast<int>(n);
    }, IntegerRule{}, "8 or 16 (knight's moves)")->default_str(std::to_string(args.neighbours));
    add_number_option(*cmd, "--max-minutes", [](double v) { args.max_minutes = v; }, NumberRule{"", 0.0},
                      "Stop the search beyond this travel time (minutes >= 0)");
    add_number_option(*cmd, "--snap-distance-m", [](double v) { args.snap_m = v; }, NumberRule{"", 0.0},
                      "Move sources on impassable cells to the nearest passable cell within this distance (m >= 0)")
        ->default_str(fmt::format("{:g}", args.snap_m));
    cmd->add_option("--id-field", args.id_field, "Field of whole numbers 0 to 2147483647 giving each source's id (default: 1, 2, ... in file order)");
    cmd->callback([&exit_code] { exit_code = guarded([] { return run_traveltime(args); }); });
}

}  // namespace accessplan::cli
