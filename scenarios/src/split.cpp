#include "accessplan/scenarios/split.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "modifications.hpp"
#include "stages/facilities.hpp"
#include "stages/inputs.hpp"
#include "stages/results.hpp"
#include "stages/stage_clock.hpp"
#include "stages/travel.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

bool holds(const CellWindow& outer, const CellWindow& inner) {
    return inner.cols > 0 && inner.rows > 0 && inner.col >= outer.col && inner.row >= outer.row &&
           inner.col + inner.cols <= outer.col + outer.cols && inner.row + inner.rows <= outer.row + outer.rows;
}

/// The part of a tile whose facilities and ferry ends it places as the whole grid does (split.hpp), in the window's
/// cells: `rim` cells in from each side the grid goes on beyond.
struct Inner {
    std::int64_t c0 = 0, r0 = 0, c1 = 0, r1 = 0;  ///< [c0, c1) x [r0, r1)
    bool left = false, top = false, right = false, bottom = false;  ///< the grid goes on beyond that side
    std::int64_t cols = 0;
    bool contains(std::size_t cell) const {
        const auto c = static_cast<std::int64_t>(cell) % cols, r = static_cast<std::int64_t>(cell) / cols;
        return c >= c0 && c < c1 && r >= r0 && r < r1;
    }
};

Inner inner_part(const GridSpec& grid, const CellWindow& w, std::size_t rim) {
    Inner in;
    in.cols = static_cast<std::int64_t>(w.cols);
    in.left = w.col > 0;
    in.top = w.row > 0;
    in.right = w.col + w.cols < grid.cols;
    in.bottom = w.row + w.rows < grid.rows;
    const auto r = static_cast<std::int64_t>(rim);
    in.c0 = in.left ? r : 0;
    in.r0 = in.top ? r : 0;
    in.c1 = static_cast<std::int64_t>(w.cols) - (in.right ? r : 0);
    in.r1 = static_cast<std::int64_t>(w.rows) - (in.bottom ? r : 0);
    return in;
}

/// The core cells (window cells `core`) whose time the tile cannot prove (split.hpp); `pace` is set to the bound used,
/// `longest` raised to the longest time among the reached ones, and the unreached ones (core cell indices, by row) are
/// put in `unreached`. `to_exit` keeps the searched cost to the exits for the next service of the same mode.
std::size_t unproven_cells(const TravelTimeResult& result, const Grid<float>& friction, const TravelTimeOptions& options,
                           double road_pace, bool dem, const Inner& inner, const std::vector<std::size_t>& exits,
                           const CellWindow& core, double& pace, double& longest, std::vector<std::uint32_t>& unreached,
                           Grid<std::uint8_t>* mask, std::optional<Grid<float>>& to_exit) {
    const GridSpec& g = friction.spec();
    const double w = g.cell_width_m(), h = g.cell_height_m();
    const auto cols = static_cast<std::int64_t>(g.cols), rows = static_cast<std::int64_t>(g.rows);
    float lowest = std::numeric_limits<float>::infinity();
    for (const float f : friction.values()) lowest = std::min(lowest, f);
    pace = std::min(static_cast<double>(lowest), options.network ? road_pace : inf);
    if (dem) pace /= tobler_speed_factor(-0.05);  // the greatest speed-up, downhill
    for (const ExtraEdge& e : options.extra_edges) {
        const double dx = (static_cast<double>(e.from % g.cols) - static_cast<double>(e.to % g.cols)) * w;
        const double dy = (static_cast<double>(e.from / g.cols) - static_cast<double>(e.to / g.cols)) * h;
        const double length = std::hypot(dx, dy);
        pace = length > 0.0 ? std::min(pace, e.minutes / length) : 0.0;
    }
    if (!(inner.left || inner.top || inner.right || inner.bottom || !exits.empty())) return 0;  // the whole grid
    auto distance_to_exit = [&](std::int64_t c, std::int64_t r) {
        double d = inf;
        // (to the inner part's side, not to the next cell's centre: a road's node may lie anywhere in its cell)
        if (inner.left) d = std::min(d, (static_cast<double>(c - inner.c0) + 0.5) * w);
        if (inner.right) d = std::min(d, (static_cast<double>(inner.c1 - c) - 0.5) * w);
        if (inner.top) d = std::min(d, (static_cast<double>(r - inner.r0) + 0.5) * h);
        if (inner.bottom) d = std::min(d, (static_cast<double>(inner.r1 - r) - 0.5) * h);
        for (const std::size_t e : exits)
            d = std::min(d, std::hypot(static_cast<double>(static_cast<std::int64_t>(e % g.cols) - c) * w,
                                       static_cast<double>(static_cast<std::int64_t>(e / g.cols) - r) * h));
        return d;
    };
    // Passable cells (and road nodes) an exit reaches: 16 neighbours, ferries and road arcs both ways; made when an
    // unreachable cell needs it.
    std::vector<std::uint8_t> linked;
    auto linked_to_exit = [&](std::size_t cell) {
        if (linked.empty()) {
            const std::size_t cells = friction.size();
            linked.assign(cells + (options.network ? options.network->nodes : 0), 0);
            std::vector<std::size_t> stack;
            auto visit = [&](std::size_t i) {
                if (!linked[i] && (i >= cells || std::isfinite(friction[i]))) {
                    linked[i] = 1;
                    stack.push_back(i);
                }
            };
            for (std::size_t i = 0; i < cells; ++i)
                if (!inner.contains(i)) visit(i);
            for (const std::size_t e : exits) visit(e);
            std::multimap<std::size_t, std::size_t> arcs;
            for (const ExtraEdge& e : options.extra_edges) {
                arcs.emplace(e.from, e.to);
                arcs.emplace(e.to, e.from);
            }
            if (options.network)
                for (const NetworkArc& a : options.network->arcs) {
                    arcs.emplace(a.from, a.to);
                    arcs.emplace(a.to, a.from);
                }
            static constexpr int moves[16][2] = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1},
                                                 {-2, -1}, {-2, 1}, {-1, -2}, {-1, 2}, {1, -2}, {1, 2}, {2, -1}, {2, 1}};
            while (!stack.empty()) {
                const std::size_t i = stack.back();
                stack.pop_back();
                if (i < cells) {
                    const auto r = static_cast<std::int64_t>(i) / cols, c = static_cast<std::int64_t>(i) % cols;
                    for (const auto& m : moves) {
                        const std::int64_t rr = r + m[0], cc = c + m[1];
                        if (rr >= 0 && cc >= 0 && rr < rows && cc < cols) visit(static_cast<std::size_t>(rr * cols + cc));
                    }
                }
                for (auto [a, b] = arcs.equal_range(i); a != b; ++a) visit(a->second);
            }
        }
        return linked[cell] != 0;
    };
    // Without a road network (whose arcs a tile cuts), also the cost from each cell to its nearest exit, searched with
    // the tile's own moves, DEM and ferries from the cells outside the inner part next to it (a move spans at most two
    // cells) and the left-out ferry ends, at 0: a bound often far above the straight line's where the sea or a border
    // line lies between a cell and the rim; +inf where no path reaches an exit. Made when a cell needs it.
    auto exit_cost = [&](std::size_t i) -> double {
        if (!to_exit) {
            std::vector<SourceCell> seeds;
            for (std::int64_t r = std::max<std::int64_t>(0, inner.r0 - 2); r < std::min(rows, inner.r1 + 2); ++r)
                for (std::int64_t c = std::max<std::int64_t>(0, inner.c0 - 2); c < std::min(cols, inner.c1 + 2); ++c) {
                    const auto k = static_cast<std::size_t>(r * cols + c);
                    if (!inner.contains(k) && std::isfinite(friction[k])) seeds.push_back({k, 0});
                }
            for (const std::size_t e : exits) seeds.push_back({e, 0});
            to_exit = seeds.empty() ? Grid<float>(g, std::numeric_limits<float>::infinity())
                                    : compute_travel_time(friction, seeds, options).minutes;
        }
        return (*to_exit)[i];
    };
    std::size_t unproven = 0;
    for (std::size_t r = core.row; r < core.row + core.rows; ++r)
        for (std::size_t c = core.col; c < core.col + core.cols; ++c) {
            const std::size_t i = r * g.cols + c;
            const float t = result.minutes[i];
            bool proved = false;  // a core cell in the rim (a halo narrower than it) never is
            if (inner.contains(i)) {
                if (std::isfinite(t)) {
                    const double d = distance_to_exit(static_cast<std::int64_t>(c), static_cast<std::int64_t>(r));
                    proved = std::isinf(d) || static_cast<double>(t) < 0.999 * pace * d ||
                             (!options.network && static_cast<double>(t) < 0.999 * exit_cost(i));
                } else {
                    proved = !std::isfinite(friction[i]) ||
                             !(options.network ? linked_to_exit(i) : std::isfinite(exit_cost(i)));
                }
            }
            if (proved) continue;
            ++unproven;
            const auto k = static_cast<std::uint32_t>((r - core.row) * core.cols + (c - core.col));
            if (std::isfinite(t)) longest = std::max(longest, static_cast<double>(t));
            else if (std::isfinite(friction[i])) unreached.push_back(k);
            if (mask) (*mask)[k] = 1;
        }
    return unproven;
}

/// Components of the passable cells of `core` (window cells) under the search's moves within the core (a knight's move
/// needs the two cells it passes between passable too): a label per core cell by row, -1 where impassable.
std::vector<std::int32_t> core_components(const Grid<float>& friction, const CellWindow& core) {
    const auto cols = static_cast<std::int64_t>(core.cols), rows = static_cast<std::int64_t>(core.rows);
    auto passable = [&](std::int64_t c, std::int64_t r) {
        return std::isfinite(friction[(core.row + static_cast<std::size_t>(r)) * friction.cols() + core.col + static_cast<std::size_t>(c)]);
    };
    std::vector<std::int32_t> label(core.cols * core.rows, -1);
    std::vector<std::uint32_t> stack;
    std::int32_t next = 0;
    static constexpr int moves[16][2] = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1},
                                         {-2, -1}, {-2, 1}, {-1, -2}, {-1, 2}, {1, -2}, {1, 2}, {2, -1}, {2, 1}};
    for (std::int64_t start = 0; start < cols * rows; ++start) {
        if (label[start] >= 0 || !passable(start % cols, start / cols)) continue;
        label[start] = next;
        stack.push_back(static_cast<std::uint32_t>(start));
        while (!stack.empty()) {
            const std::int64_t i = stack.back();
            stack.pop_back();
            for (const auto& m : moves) {
                const std::int64_t r = i / cols + m[0], c = i % cols + m[1];
                if (r < 0 || c < 0 || r >= rows || c >= cols || label[r * cols + c] >= 0 || !passable(c, r)) continue;
                const std::int64_t r0 = i / cols, c0 = i % cols;
                if (std::abs(m[0]) == 2 && !(passable(c0, r0 + m[0] / 2) && passable(c, r0 + m[0] / 2))) continue;
                if (std::abs(m[1]) == 2 && !(passable(c0 + m[1] / 2, r0) && passable(c0 + m[1] / 2, r))) continue;
                label[r * cols + c] = next;
                stack.push_back(static_cast<std::uint32_t>(r * cols + c));
            }
        }
        ++next;
    }
    return label;
}

/// The labels at `cells` (core cell indices), sorted and once each.
std::vector<std::int32_t> labels_at(const std::vector<std::int32_t>& label, const std::vector<std::uint32_t>& cells) {
    std::vector<std::int32_t> out;
    for (const std::uint32_t i : cells) out.push_back(label[i]);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

/// Gives `ts` the core's components (split.hpp): the frames, the labels of `sources` (window cells: facilities and
/// ferry ends; those outside the core ignored) and of the unreached cells.
void give_components(TileService& ts, const Grid<float>& friction, const CellWindow& core,
                     const std::vector<std::size_t>& sources, const std::vector<std::uint32_t>& unreached) {
    const std::vector<std::int32_t> label = core_components(friction, core);
    const std::size_t cols = core.cols, rows = core.rows;
    for (std::size_t r : {std::size_t{0}, std::size_t{1}})
        for (std::size_t c = 0; c < cols; ++c) {
            ts.frame_top.push_back(label[r * cols + c]);
            ts.frame_bottom.push_back(label[(rows - 2 + r) * cols + c]);
        }
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c : {std::size_t{0}, std::size_t{1}}) {
            ts.frame_left.push_back(label[r * cols + c]);
            ts.frame_right.push_back(label[r * cols + cols - 2 + c]);
        }
    std::vector<std::uint32_t> in_core;
    for (const std::size_t cell : sources) {
        const std::size_t c = cell % friction.cols(), r = cell / friction.cols();
        if (c >= core.col && c < core.col + cols && r >= core.row && r < core.row + rows && std::isfinite(friction[cell]))
            in_core.push_back(static_cast<std::uint32_t>((r - core.row) * cols + (c - core.col)));
    }
    ts.source_labels = labels_at(label, in_core);
    ts.unreached_labels = labels_at(label, unreached);
    ts.has_components = true;
}

template <typename T>
Grid<T> cut(const Grid<T>& grid, const CellWindow& part, const GridSpec& spec) {
    Grid<T> out(spec, T{});
    for (std::size_t r = 0; r < part.rows; ++r)
        std::copy_n(grid.data() + (part.row + r) * grid.cols() + part.col, part.cols, out.data() + r * part.cols);
    return out;
}

}  // namespace

void require_splittable(const Scenario& s) {
    if (s.travel_search == "study_area")
        throw InputError(fmt::format("{}: travel.search: study_area: a split run proves each tile's times against the whole "
                                     "grid's search, whose cells outside the study area such a run leaves without a time; "
                                     "remove travel.search (or set it to whole_grid) to split this scenario",
                                     s.file.string()));
    if (s.modifications.empty()) return;
    std::string chain;  // where they may come from: the file and its base: chain
    for (std::size_t k = 1; k < s.sources.size(); ++k) chain += (k == 1 ? "" : ", ") + s.sources[k].first.string();
    throw InputError(fmt::format("{}: a split run takes a scenario without modifications (it has {}{}); run a what-if "
                                 "whole with accessplan run", s.file.string(), s.modifications.size(),
                                 chain.empty() ? "" : ", in it or in its base: " + chain));
}

GridSpec analysis_grid(const Scenario& s) {
    Crs crs;
    const auto area = detail::study_area_shape(s, crs);
    return detail::scenario_grid(s, *area, crs);
}

GridSpec window_grid(const GridSpec& grid, const CellWindow& w) {
    if (!holds({0, 0, grid.cols, grid.rows}, w))
        throw InputError(fmt::format("a window of {} x {} cells at column {}, row {} does not lie on the analysis grid ({} "
                                     "x {} cells)", w.cols, w.rows, w.col, w.row, grid.cols, grid.rows));
    GridSpec out = grid;
    out.cols = w.cols;
    out.rows = w.rows;
    out.transform.origin_x = grid.transform.origin_x + static_cast<double>(w.col) * grid.transform.pixel_width;
    out.transform.origin_y = grid.transform.origin_y + static_cast<double>(w.row) * grid.transform.pixel_height;
    return out;
}

TileResult run_tile(const Scenario& s, const CellWindow& window, const CellWindow& core, const fs::path& out_dir,
                    bool write_unproven) {
    const auto start = std::chrono::steady_clock::now();
    require_splittable(s);
    if (!holds(window, core))
        throw InputError(fmt::format("the core of {} x {} cells at column {}, row {} does not lie inside its window of {} "
                                     "x {} cells at column {}, row {}", core.cols, core.rows, core.col, core.row,
                                     window.cols, window.rows, window.col, window.row));
    RunOptions quiet;
    detail::StageClock clock(quiet, 6);
    auto [in, memory] = detail::prepare_inputs(s, clock, &window);
    TileResult out;
    out.grid = *in.tile_of;
    out.window = window;
    out.core = core;

    // Facilities and ferry ends placed where the tile places them as the whole grid does: a snap disc around a point
    // within `rim` cells of an inner side may reach beyond the window (twice the snap distance, and a cell).
    const double snap_m = std::max(s.snap_distance_m, s.ferry_port_snap_m);
    out.rim = 2 * static_cast<std::size_t>(std::ceil(snap_m / std::min(in.grid.cell_width_m(), in.grid.cell_height_m()))) + 2;
    const Inner inner = inner_part(out.grid, window, out.rim);
    std::vector<std::string> warnings;  // (a tile's warnings are the whole run's, in part)
    detail::FacilitySet facilities = detail::place_facilities(s, in, warnings);
    for (auto& service : facilities.services)
        std::erase_if(service.sources, [&](const SourceCell& c) { return !inner.contains(c.cell); });
    const std::vector<detail::FerryLink> ferries = detail::ferry_links(s, in.grid.crs);
    auto options = detail::travel_options(s, in, {});
    std::map<std::string, std::vector<std::size_t>> exits;  // per mode: ends of ferries left out
    for (auto& [mode, topt] : options) {
        std::vector<std::size_t>& ends = exits[mode];
        for (const ExtraEdge& e : detail::ferry_edges(ferries, in.friction.at(mode), s.ferry_port_snap_m, &ends)) {
            if (inner.contains(e.from) && inner.contains(e.to)) {
                topt.extra_edges.push_back(e);
            } else {
                ends.push_back(e.from);
                ends.push_back(e.to);
            }
        }
    }
    const std::vector<TravelTimeResult> times = detail::service_travel_times(s, in, options, facilities, {}, clock);

    const CellWindow core_cells{core.col - window.col, core.row - window.row, core.cols, core.rows};
    std::map<std::string, std::optional<Grid<float>>> to_exit;  // per mode (unproven_cells)
    const GridSpec core_grid = window_grid(out.grid, core);
    const ResultsLayout layout(out_dir);
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const Service& svc = s.services[k];
        TileService ts;
        ts.service = svc.name;
        ts.core_cells = core.cols * core.rows;
        // The fastest road of the mode (its road arcs are at least their straight length at that speed).
        const auto& speeds = s.modes.at(svc.mode).road_speed_kmh;
        const double fastest = *std::max_element(speeds.begin(), speeds.end());
        const Grid<float>& friction = in.friction.at(svc.mode);
        const TravelTimeOptions& topt = options.at(svc.mode);
        std::vector<std::uint32_t> unreached;
        std::optional<Grid<std::uint8_t>> mask;
        if (write_unproven) mask.emplace(core_grid, std::uint8_t{0});
        ts.unproven = unproven_cells(times[k], friction, topt, fastest > 0.0 ? 60.0 / (fastest * 1000.0) : inf,
                                     in.elevation.has_value(), inner, exits.at(svc.mode), core_cells, ts.pace_min_per_m,
                                     ts.longest_unproven_min, unreached, mask ? &*mask : nullptr, to_exit[svc.mode]);
        if (mask) {
            geodata::RasterWriteOptions o;
            o.description = fmt::format("1 = a core cell of {} the tile does not prove", svc.name);
            geodata::write_geotiff(out_dir / fmt::format("unproven_{}.tif", svc.name), *mask, o);
        }
        ts.unreachable_unproven = unreached.size();
        const bool core_inner = inner.contains(core_cells.row * window.cols + core_cells.col) &&
                                inner.contains((core_cells.row + core.rows - 1) * window.cols + core_cells.col + core.cols - 1);
        if (!topt.network && core_inner && core.cols >= 2 && core.rows >= 2) {
            std::vector<std::size_t> marked = exits.at(svc.mode);  // facilities and every ferry end
            for (const SourceCell& c : facilities.services[k].sources) marked.push_back(c.cell);
            for (const ExtraEdge& e : topt.extra_edges) {
                marked.push_back(e.from);
                marked.push_back(e.to);
            }
            give_components(ts, friction, core_cells, marked, unreached);
        }
        const Grid<float> minutes = cut(times[k].minutes, core_cells, core_grid);
        for (const float t : minutes.values()) ts.reached += std::isfinite(t) ? 1 : 0;
        geodata::write_geotiff(out_dir / layout.travel_time_tif(svc.name).filename(), minutes, detail::travel_time_raster(svc));
        geodata::write_geotiff(out_dir / layout.nearest_tif(svc.name).filename(), cut(times[k].nearest, core_cells, core_grid),
                               detail::nearest_raster(svc));
        out.services.push_back(std::move(ts));
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

}  // namespace accessplan::scenarios
