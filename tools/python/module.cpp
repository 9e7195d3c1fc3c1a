// The `accessplan` Python module (pybind11): the engine from notebooks, with NumPy arrays for grids.
// Grids cross with their georeferencing (Raster: array, geotransform, CRS WKT, EPSG); results are plain dicts and
// lists, and pandas DataFrames through the *_frame helpers of the Python side (accessplan.frames) when pandas is
// installed. Errors arrive as accessplan.InputError / IoError / Error with the CLI's messages. Computation releases
// the GIL.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <malloc.h>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <variant>

#include <fmt/format.h>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/engine/snap.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/engine/version.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_export.hpp"
#include "accessplan/scenarios/compare.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "accessplan/scenarios/demo_province.hpp"
#include "accessplan/scenarios/demo_writer.hpp"
#include "accessplan/scenarios/pipeline.hpp"
#include "accessplan/scenarios/scenario.hpp"
#include "accessplan/scenarios/split.hpp"
#include "accessplan/scenarios/validate.hpp"
#include "accessplan/viz/outputs.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;
using namespace accessplan;

namespace {

/// A grid as a NumPy array that owns it: no copy (the Grid moves into the array's base object).
template <typename T>
py::array_t<T> to_numpy(Grid<T>&& grid) {
    auto* owner = new Grid<T>(std::move(grid));
    py::capsule base(owner, [](void* p) { delete static_cast<Grid<T>*>(p); });
    return py::array_t<T>({owner->rows(), owner->cols()}, {owner->cols() * sizeof(T), sizeof(T)}, owner->data(), base);
}

/// A raster crossing into Python: the array (rows x cols, north up) and its georeferencing.
struct Raster {
    py::array array;
    std::array<double, 6> transform{};  ///< GDAL order: origin_x, pixel_width, 0, origin_y, 0, pixel_height (< 0)
    std::string crs_wkt;
    std::optional<int> epsg;
    std::string description, units;
};

Raster make_raster(py::array array, const GridSpec& spec) {
    const auto& t = spec.transform;
    return {std::move(array), {t.origin_x, t.pixel_width, t.rot_x, t.origin_y, t.rot_y, t.pixel_height}, spec.crs.wkt, spec.crs.epsg, "", ""};
}

GridSpec spec_from(std::size_t rows, std::size_t cols, const std::array<double, 6>& transform, const std::string& crs) {
    GridSpec spec;
    spec.rows = rows;
    spec.cols = cols;
    spec.transform = GeoTransform{transform[0], transform[1], transform[2], transform[3], transform[4], transform[5]};
    if (!transform[1] || transform[5] >= 0 || transform[2] != 0 || transform[4] != 0)
        throw InputError(fmt::format("geotransform ({}, {}, {}, {}, {}, {}): expected a north-up grid (pixel width > 0, "
                                     "pixel height < 0, no rotation)", transform[0], transform[1], transform[2], transform[3],
                                     transform[4], transform[5]));
    if (!crs.empty()) spec.crs = geodata::crs_from_user(crs, "crs");
    return spec;
}

Raster read_raster(const fs::path& path, int band) {
    Grid<float> grid = [&] {
        py::gil_scoped_release release;
        return geodata::read_raster_float(path, band);
    }();
    const GridSpec spec = grid.spec();
    const auto info = geodata::read_raster_info(path);
    Raster r = make_raster(to_numpy(std::move(grid)), spec);
    if (band >= 1 && static_cast<std::size_t>(band) <= info.bands.size()) {
        r.description = info.bands[static_cast<std::size_t>(band - 1)].description;
        r.units = info.bands[static_cast<std::size_t>(band - 1)].units;
    }
    return r;
}

py::dict summary_dict(const AccessSummary& a) {
    py::dict d;
    d["children"] = a.children;
    d["within_threshold"] = a.within_threshold;
    d["pct_within"] = a.pct_within();
    d["unreachable"] = a.unreachable;
    d["mean_min"] = a.mean_min;
    d["median_min"] = a.median_min;
    d["p90_min"] = a.p90_min;
    py::dict bands;
    for (std::size_t b = 0; b < a.bands.size(); ++b) bands[travel_time_band_names[b]] = a.bands[b];
    d["bands_min"] = bands;
    return d;
}

py::dict result_dict(const scenarios::RunResult& r, const fs::path& out) {
    py::dict d;
    d["out_dir"] = fs::absolute(out).lexically_normal().string();
    d["population_in_area"] = r.population_in_area;
    d["population_total"] = r.population_total;
    const auto& pa = r.population;
    d["population"] = py::dict(py::arg("source_total") = pa.source_total, py::arg("in_grid") = pa.in_grid,
                               py::arg("in_boundary") = pa.in_boundary, py::arg("kept_to") = pa.mask,
                               py::arg("moved_off_water") = pa.moved_off_water,
                               py::arg("on_water_not_placed") = pa.not_placed, py::arg("beyond_border") = pa.beyond_border,
                               py::arg("left_boundary") = pa.left_boundary,
                               py::arg("in_study_area") = pa.in_study_area);
    py::list islands;
    for (const auto& i : r.islands)
        islands.append(py::dict(py::arg("island") = i.id, py::arg("status") = i.status, py::arg("area_km2") = i.area_km2,
                                py::arg("people") = i.people, py::arg("lon") = i.lon, py::arg("lat") = i.lat,
                                py::arg("zone") = i.zone, py::arg("ferry_ports") = i.ferry_ports,
                                py::arg("reached_by") = i.reached_by));
    d["islands"] = islands;
    d["grid"] = py::dict(py::arg("cols") = r.grid.cols, py::arg("rows") = r.grid.rows, py::arg("cell_size_m") = r.grid.cell_width_m(),
                         py::arg("crs") = r.grid.crs.label());
    py::list services, summary;
    for (const auto& s : r.services) {
        py::dict sd;
        sd["service"] = s.service;
        sd["target_group"] = s.target_group;
        sd["mode"] = s.mode;
        sd["threshold_min"] = s.threshold_min;
        sd["facilities"] = s.facilities;
        sd["placed"] = s.placed;
        sd["e2sfca_per_1000"] = s.e2sfca_per_1000;
        sd["access"] = summary_dict(s.access);
        py::list gaps;
        for (const auto& g : s.gaps)
            gaps.append(py::dict(py::arg("rank") = g.rank, py::arg("children") = g.children,
                                 py::arg("unreachable_children") = g.unreachable_children, py::arg("island_children") = g.island_children,
                                 py::arg("border_children") = g.border_children, py::arg("remote_children") = g.remote_children,
                                 py::arg("mean_min") = g.mean_min, py::arg("nearest_facility") = g.nearest_facility,
                                 py::arg("cells") = g.cells));
        sd["gaps"] = gaps;
        services.append(sd);
        std::vector<std::pair<std::string, const AccessSummary*>> rows{{"all", &s.access}};
        for (const auto& [cls, a] : s.by_class) rows.emplace_back(cls, &a);
        for (const auto& [cls, a] : rows) {
            py::dict row = summary_dict(*a);
            row["service"] = s.service;
            row["area_class"] = cls;
            summary.append(row);
        }
    }
    d["services"] = services;
    d["summary"] = summary;
    py::list zones;
    for (const auto& z : r.zones)
        for (std::size_t k = 0; k < z.per_service.size(); ++k) {
            py::dict row = summary_dict(z.per_service[k].access);
            row["zone_code"] = z.code;
            row["zone_name"] = z.name;
            row["service"] = r.services[k].service;
            zones.append(row);
        }
    d["zones"] = zones;
    if (r.ranking) {
        const auto& rk = *r.ranking;
        py::list rows;
        for (const auto& x : rk.rows)
            rows.append(py::dict(py::arg("rank") = x.rank, py::arg("candidate_id") = x.id, py::arg("name") = x.name,
                                 py::arg("service") = x.service, py::arg("origin") = x.origin, py::arg("x") = x.x, py::arg("y") = x.y,
                                 py::arg("lon") = x.lon, py::arg("lat") = x.lat, py::arg("cost") = x.cost,
                                 py::arg("children_new") = x.children, py::arg("weighted_gain") = x.gain,
                                 py::arg("children_island") = x.island, py::arg("children_border") = x.border,
                                 py::arg("children_remote") = x.remote, py::arg("children_near_water") = x.near_water,
                                 py::arg("cumulative_cost") = x.cumulative_cost, py::arg("cumulative_children") = x.cumulative_children,
                                 py::arg("zone") = x.zone, py::arg("reason") = x.reason, py::arg("programme") = x.programme,
                                 py::arg("picked_for") = x.picked_for, py::arg("near_funded") = x.near_funded,
                                 py::arg("funded_share") = std::isfinite(x.funded_share) ? py::object(py::float_(x.funded_share))
                                                                                         : py::object(py::none())));
        const auto maybe = [](double v) { return std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none()); };
        py::list programmes;
        for (const auto& p : rk.programmes) {
            py::list reserves, curve;
            for (const auto& x : p.reserves)
                reserves.append(py::dict(py::arg("areas") = x.areas, py::arg("share") = x.share, py::arg("target") = x.target,
                                         py::arg("spent") = x.spent, py::arg("met") = x.met()));
            for (const auto& b : p.curve)
                curve.append(py::dict(py::arg("budget") = b.budget, py::arg("spent") = b.spent, py::arg("sites") = b.sites,
                                      py::arg("children") = b.children, py::arg("weighted_gain") = b.gain,
                                      py::arg("upper_bound") = maybe(b.upper_bound)));
            programmes.append(py::dict(py::arg("name") = p.name, py::arg("services") = p.services, py::arg("budget") = p.budget,
                                       py::arg("spent") = p.spent, py::arg("sites") = p.sites, py::arg("children") = p.children,
                                       py::arg("weighted_gain") = p.gain, py::arg("upper_bound") = maybe(p.upper_bound),
                                       py::arg("candidates") = p.candidates, py::arg("unspent_reason") = p.unspent_reason,
                                       py::arg("reserves") = reserves, py::arg("budget_curve") = curve));
        }
        d["ranking"] = py::dict(py::arg("objective") = rk.objective, py::arg("currency") = rk.currency, py::arg("budget") = rk.budget,
                                py::arg("spent") = rk.spent, py::arg("children") = rk.children, py::arg("candidates") = rk.candidates,
                                py::arg("exact") = rk.exact, py::arg("rows") = rows, py::arg("programmes") = programmes,
                                py::arg("single_budget") = rk.single_budget);
        if (const auto& u = rk.uncertainty) {
            py::list sites;
            for (const auto& x : u->sites)
                sites.append(py::dict(py::arg("programme") = x.programme, py::arg("candidate_id") = x.id, py::arg("name") = x.name,
                                      py::arg("service") = x.service, py::arg("lon") = x.lon, py::arg("lat") = x.lat,
                                      py::arg("rank") = x.rank, py::arg("funded_share") = x.funded_share,
                                      py::arg("area_funded_share") = x.area_funded_share,
                                      py::arg("children_min") = x.children_min, py::arg("children_max") = x.children_max));
            py::list core;
            for (std::size_t k = 0; k < u->robust_core.size(); ++k)
                core.append(py::dict(py::arg("programme") = rk.programmes[k].name, py::arg("robust_core") = u->robust_core[k],
                                     py::arg("robust_core_with_neighbours") = u->robust_core_area[k],
                                     py::arg("children_p5") = u->children_pct[k][0], py::arg("children_p50") = u->children_pct[k][1],
                                     py::arg("children_p95") = u->children_pct[k][2]));
            d["ranking"]["uncertainty"] = py::dict(py::arg("draws") = u->draws, py::arg("seed") = u->seed,
                                                   py::arg("population_pct") = u->population_pct, py::arg("cost_pct") = u->cost_pct,
                                                   py::arg("speed_pct") = u->speed_pct,
                                                   py::arg("speed_pct_by_class") = u->speed_pct_by_class, py::arg("near_m") = u->near_m,
                                                   py::arg("population_unit") = u->population_unit, py::arg("sites") = sites,
                                                   py::arg("programmes") = core);
        } else {
            d["ranking"]["uncertainty"] = py::none();
        }
        if (const auto& plan = rk.plan) {
            py::list years, sites, access;
            for (const auto& y : plan->years)
                years.append(py::dict(py::arg("year") = y.year, py::arg("programme") = y.programme, py::arg("budget") = y.budget,
                                      py::arg("carried_in") = y.carried_in, py::arg("spent") = y.spent, py::arg("sites") = y.sites,
                                      py::arg("children") = y.children, py::arg("weighted_gain") = y.gain,
                                      py::arg("upper_bound") = maybe(y.upper_bound), py::arg("unspent_reason") = y.unspent_reason));
            for (const auto& x : plan->sites)
                sites.append(py::dict(py::arg("year") = x.year, py::arg("programme") = x.programme, py::arg("rank_in_year") = x.rank,
                                      py::arg("candidate_id") = x.id, py::arg("name") = x.name, py::arg("service") = x.service,
                                      py::arg("lon") = x.lon, py::arg("lat") = x.lat, py::arg("cost") = x.cost,
                                      py::arg("children_new") = x.children, py::arg("zone") = x.zone, py::arg("reason") = x.reason));
            for (const auto& a : plan->access)
                access.append(py::dict(py::arg("year") = a.year, py::arg("service") = a.service, py::arg("children") = a.children,
                                       py::arg("beyond_without_plan") = a.beyond_without, py::arg("beyond_with_plan") = a.beyond_with,
                                       py::arg("priority_beyond_without_plan") = a.priority_without,
                                       py::arg("priority_beyond_with_plan") = a.priority_with));
            d["ranking"]["plan"] = py::dict(py::arg("first_year") = plan->first_year, py::arg("last_year") = plan->last_year,
                                            py::arg("population_year") = plan->population_year, py::arg("growth") = plan->growth,
                                            py::arg("carry_over") = plan->carry_over, py::arg("budgets_split_evenly") = plan->split_evenly,
                                            py::arg("years") = years, py::arg("sites") = sites, py::arg("access") = access);
        } else {
            d["ranking"]["plan"] = py::none();
        }
    } else {
        d["ranking"] = py::none();
    }
    d["warnings"] = r.warnings;
    return d;
}

/// budget= of Session.run: a number, or text as on the command line ("10 tỷ", "60_000_000_000", "60e9"), which
/// parse_money reads; both must be amounts from 0 to 1e18.
using Budget = std::optional<std::variant<double, std::string>>;
std::optional<double> budget_of(const Budget& budget) {
    if (!budget) return std::nullopt;
    const NumberRule rule{"budget", 0.0, max_money, false, "an amount from 0 to 1e18"};
    if (const auto* text = std::get_if<std::string>(&*budget)) return parse_money(*text, rule);
    return check_number(std::get<double>(*budget), rule);
}

/// Runs of one Python session: what-ifs after their baseline reuse its inputs and searches (scenarios::RunCache).
class Session {
public:
    Session() : m_cache(scenarios::make_run_cache()) {}

    py::dict run(const fs::path& scenario_file, const fs::path& out, bool overwrite, const Budget& budget_arg, bool exact,
                 std::optional<std::string> objective, const std::string& lang, bool visuals,
                 const std::optional<std::string>& command_line) {
        const std::optional<double> budget = budget_of(budget_arg);
        const scenarios::Scenario scenario = scenarios::load_scenario(scenario_file);
        const viz::Lang language = viz::parse_lang(lang);
        scenarios::RunResult result;
        {
            py::gil_scoped_release release;
            geodata::OutputFolder folder(out, overwrite, scenarios::files_read(scenario));
            scenarios::RunOptions options;
            options.cache = m_cache;
            options.budget = budget;
            options.exact = exact;
            options.objective = std::move(objective);
            options.command_line = command_line.value_or("python: accessplan.run(" + scenario_file.string() + ")");
            if (visuals)
                options.visual_outputs = [&scenario, &folder, language](const scenarios::RunResult& r) {
                    viz::write_visual_outputs(scenario, r, folder.staging(), {language});
                };
            result = scenarios::run_scenario(scenario, folder.staging(), options);
            folder.commit();
        }
        return result_dict(result, out);
    }

private:
    std::shared_ptr<scenarios::RunCache> m_cache;
};

py::dict compare(const fs::path& base, const fs::path& scenario, const fs::path& out, bool overwrite, const std::string& lang) {
    const viz::Lang language = viz::parse_lang(lang);
    scenarios::ComparisonReport r;
    {
        py::gil_scoped_release release;
        geodata::OutputFolder folder(out, overwrite, {base, scenario});
        r = scenarios::compare_runs(base, scenario, folder.staging());
        viz::write_comparison_maps(r, scenario, folder.staging(), {language});
        folder.commit();
    }
    py::dict d;
    d["base"] = r.base_name;
    d["scenario"] = r.scenario_name;
    py::list rows;
    for (const auto& s : r.services)
        for (const auto& [cls, a] : s.change.by_class)
            rows.append(py::dict(py::arg("service") = s.service, py::arg("area_class") = cls, py::arg("children") = a.children,
                                 py::arg("within_before") = a.within_before, py::arg("within_after") = a.within_after,
                                 py::arg("gained") = a.gained, py::arg("lost") = a.lost, py::arg("pct_points") = a.pct_points(),
                                 py::arg("faster") = a.faster, py::arg("slower") = a.slower,
                                 py::arg("unreachable_before") = a.unreachable_before,
                                 py::arg("unreachable_after") = a.unreachable_after,
                                 py::arg("unreachable_to_within") = a.unreachable_to_within,
                                 py::arg("within_to_unreachable") = a.within_to_unreachable,
                                 py::arg("unreachable_to_beyond") = a.unreachable_to_beyond,
                                 py::arg("beyond_to_unreachable") = a.beyond_to_unreachable));
    d["rows"] = rows;
    d["largest_change"] = r.services.empty() ? std::string() : r.services[scenarios::most_changed_service(r)].service;
    d["warnings"] = r.warnings;
    d["out_dir"] = fs::absolute(out).lexically_normal().string();
    return d;
}

/// Travel time over a friction array (minutes per metre; NaN, negative or inf = impassable) from sources given as
/// (x, y) in the grid's CRS, each moved to the nearest passable cell within snap_m.
py::tuple travel_time(py::array_t<float, py::array::c_style | py::array::forcecast> friction, const std::array<double, 6>& transform,
                      const std::string& crs, const std::vector<std::array<double, 2>>& sources, std::optional<std::vector<std::int32_t>> ids,
                      int neighbours, std::optional<double> max_minutes, double snap_m) {
    if (friction.ndim() != 2) throw InputError(fmt::format("friction: expected a 2-D array (rows, cols), got {} dimensions", friction.ndim()));
    if (neighbours != 8 && neighbours != 16) throw InputError(fmt::format("neighbours={}: use 8 or 16", neighbours));
    if (ids && ids->size() != sources.size())
        throw InputError(fmt::format("ids: {} ids for {} sources; give one id per source", ids->size(), sources.size()));
    const GridSpec spec = spec_from(static_cast<std::size_t>(friction.shape(0)), static_cast<std::size_t>(friction.shape(1)), transform, crs);
    if (spec.crs.geographic)
        throw InputError("crs: geographic (degrees); travel time needs a projected grid in metres: reproject the friction first");
    Grid<float> grid(spec);
    std::copy(friction.data(), friction.data() + grid.size(), grid.data());  // the engine's Grid owns its cells
    TravelTimeResult result;
    std::vector<std::size_t> unplaced;
    {
        py::gil_scoped_release release;
        for (float& f : grid.values())
            if (std::isnan(f) || f < 0.0f) f = std::numeric_limits<float>::infinity();
        std::vector<std::pair<double, double>> xy;
        for (const auto& p : sources) xy.emplace_back(p[0], p[1]);
        PlacedSources placed = place_sources(grid, xy, ids.value_or(std::vector<std::int32_t>{}), snap_m);
        unplaced = placed.unplaced;
        std::vector<SourceCell>& cells = placed.cells;
        if (cells.empty())
            throw InputError(fmt::format("sources: none of the {} sources lies on or within {} m of a passable cell of the grid ({}); "
                                         "are they (x, y) in the grid's CRS?", sources.size(), snap_m, spec.describe()));
        TravelTimeOptions options;
        options.neighbours = neighbours == 8 ? Neighbourhood::eight : Neighbourhood::sixteen;
        if (max_minutes) options.max_minutes = *max_minutes;
        result = compute_travel_time(grid, cells, options);
        for (float& v : result.minutes.values())
            if (std::isinf(v)) v = std::numeric_limits<float>::quiet_NaN();  // NaN = unreachable, as read from files
    }
    return py::make_tuple(make_raster(to_numpy(std::move(result.minutes)), spec), make_raster(to_numpy(std::move(result.nearest)), spec),
                          unplaced);
}

py::dict access_metrics(py::array_t<float, py::array::c_style | py::array::forcecast> children,
                        py::array_t<float, py::array::c_style | py::array::forcecast> minutes, double threshold_min) {
    if (children.ndim() != 2 || minutes.ndim() != 2 || children.shape(0) != minutes.shape(0) || children.shape(1) != minutes.shape(1))
        throw InputError("children and minutes: expected two 2-D arrays of the same shape");
    GridSpec spec;
    spec.rows = static_cast<std::size_t>(children.shape(0));
    spec.cols = static_cast<std::size_t>(children.shape(1));
    spec.transform = GeoTransform{0, 1, 0, 0, 0, -1};
    Grid<float> c(spec), m(spec);
    std::copy(children.data(), children.data() + c.size(), c.data());
    std::copy(minutes.data(), minutes.data() + m.size(), m.data());
    AccessSummary a;
    {
        py::gil_scoped_release release;
        for (float& v : m.values())
            if (std::isnan(v)) v = std::numeric_limits<float>::infinity();
        a = summarize_access(c, m, threshold_min);
    }
    return summary_dict(a);
}

}  // namespace

PYBIND11_MODULE(_core, m) {  // accessplan._core; tools/python/accessplan/__init__.py re-exports it
    m.doc() = "accessplan: travel-time access to children's services, gaps and budgeted investment ranking";
    m.attr("__version__") = version_string;
    static py::exception<Error> error(m, "Error", PyExc_RuntimeError);
    static py::exception<InputError> input_error(m, "InputError", error.ptr());
    static py::exception<IoError> io_error(m, "IoError", error.ptr());
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const InputError& e) {
            input_error(e.what());
        } catch (const IoError& e) {
            io_error(e.what());
        } catch (const Error& e) {
            error(e.what());
        }
    });

    py::class_<Raster>(m, "Raster", "A grid: NumPy array (rows, cols), GDAL geotransform, CRS (WKT and EPSG code)")
        .def_readonly("array", &Raster::array)
        .def_readonly("transform", &Raster::transform)
        .def_readonly("crs_wkt", &Raster::crs_wkt)
        .def_readonly("epsg", &Raster::epsg)
        .def_readonly("description", &Raster::description)
        .def_readonly("units", &Raster::units)
        .def_property_readonly("shape", [](const Raster& r) { return py::make_tuple(r.array.shape(0), r.array.shape(1)); })
        .def_property_readonly("extent", [](const Raster& r) {
            const auto& t = r.transform;
            return py::make_tuple(t[0], t[3] + t[5] * static_cast<double>(r.array.shape(0)), t[0] + t[1] * static_cast<double>(r.array.shape(1)), t[3]);
        }, "(min_x, min_y, max_x, max_y)")
        .def("__repr__", [](const Raster& r) {
            return fmt::format("<accessplan.Raster {} x {} EPSG:{}>", r.array.shape(1), r.array.shape(0), r.epsg ? std::to_string(*r.epsg) : "?");
        });

    py::class_<Session>(m, "Session",
                        "Runs of one notebook session. What-ifs run after their baseline take over its inputs and searches\n"
                        "(same results, faster).")
        .def(py::init<>())
        .def("run", &Session::run, py::arg("scenario"), py::arg("out"), py::arg("overwrite") = false, py::arg("budget") = py::none(),
             py::arg("exact") = false, py::arg("objective") = py::none(), py::arg("lang") = "en", py::arg("maps") = true,
             py::arg("command_line") = py::none(),
             "Runs a scenario file into the folder `out` (refused if it exists, unless overwrite) as `accessplan run` does;\n"
             "returns the results as dicts and lists. budget/exact/objective override the ranking section; budget is a\n"
             "number or text as on the command line (\"10 tỷ\", \"60_000_000_000\"). command_line is what run.json\n"
             "records as the command (default: python: accessplan.run(<scenario>)).");

    m.def("load_scenario", [](const fs::path& file) {
        const auto s = scenarios::load_scenario(file);
        py::list services;
        for (const auto& svc : s.services)
            services.append(py::dict(py::arg("name") = svc.name, py::arg("facility_types") = svc.facility_types,
                                     py::arg("target_group") = svc.target_group, py::arg("threshold_min") = svc.threshold_min,
                                     py::arg("mode") = svc.mode));
        py::list mods;
        for (const auto& mod : s.modifications) mods.append(mod.label);
        return py::dict(py::arg("name") = s.name, py::arg("file") = s.file.string(), py::arg("services") = services,
                        py::arg("modifications") = mods, py::arg("ranking") = s.ranking.has_value());
    }, py::arg("file"), "Reads and checks a scenario file; its name, services and modifications. InputError lists every problem.");
    m.def("_analysis_grid", [](const fs::path& file) {
        const auto s = scenarios::load_scenario(file);
        scenarios::require_splittable(s);
        py::gil_scoped_release release;
        const GridSpec g = scenarios::analysis_grid(s);
        py::gil_scoped_acquire hold;
        const auto& t = g.transform;
        return py::dict(py::arg("cols") = g.cols, py::arg("rows") = g.rows,
                        py::arg("transform") = py::make_tuple(t.origin_x, t.pixel_width, t.rot_x, t.origin_y, t.rot_y, t.pixel_height),
                        py::arg("crs_wkt") = g.crs.wkt, py::arg("cell_width_m") = g.cell_width_m(),
                        py::arg("cell_height_m") = g.cell_height_m(),
                        py::arg("services") = [&] {
                            py::list names;
                            for (const auto& svc : s.services) names.append(svc.name);
                            return names;
                        }());
    }, py::arg("scenario"), "The scenario's analysis grid (no raster read): what a split run cuts into tiles; InputError\n"
                            "when the scenario cannot be split (scenarios::require_splittable).");
    m.def("_run_tile", [](const fs::path& file, const fs::path& out, const std::array<std::size_t, 4>& window,
                          const std::array<std::size_t, 4>& core, bool write_unproven) {
        const auto s = scenarios::load_scenario(file);
        scenarios::TileResult r;
        {
            py::gil_scoped_release release;
            r = scenarios::run_tile(s, {window[0], window[1], window[2], window[3]}, {core[0], core[1], core[2], core[3]}, out,
                                    write_unproven);
        }
        py::list services;
        for (const auto& ts : r.services) {
            py::dict d(py::arg("service") = ts.service, py::arg("core_cells") = ts.core_cells,
                       py::arg("unproven") = ts.unproven, py::arg("reached") = ts.reached,
                       py::arg("pace_min_per_m") = ts.pace_min_per_m,
                       py::arg("longest_unproven_min") = ts.longest_unproven_min,
                       py::arg("unreachable_unproven") = ts.unreachable_unproven);
            if (ts.has_components)
                d["components"] = py::dict(py::arg("top") = ts.frame_top, py::arg("bottom") = ts.frame_bottom,
                                           py::arg("left") = ts.frame_left, py::arg("right") = ts.frame_right,
                                           py::arg("sources") = ts.source_labels, py::arg("unreached") = ts.unreached_labels);
            services.append(d);
        }
        return py::dict(py::arg("window") = window, py::arg("core") = core, py::arg("rim") = r.rim,
                        py::arg("services") = services, py::arg("seconds") = r.seconds);
    }, py::arg("scenario"), py::arg("out"), py::arg("window"), py::arg("core"), py::arg("write_unproven") = false,
          "One tile of a split run (scenarios/split.hpp): the travel times of `window` = (col, row, cols, rows) of the\n"
          "analysis grid, the `core` cells written to `out` (existing; with write_unproven, unproven_<service>.tif: 1 on\n"
          "the cells not proved) and, per service, the core cells not proved (and,\n"
          "when the tile gives them, the core's components: its frames' labels, those holding a source and those of the\n"
          "cells it does not reach).");
    m.def("_move_into_place", [](const fs::path& staging, const fs::path& target, bool overwrite) {
        geodata::move_into_place(staging, target, overwrite);
    }, py::arg("staging"), py::arg("target"), py::arg("overwrite"),
          "Lists `staging`'s files as accessplan's outputs and renames it onto `target`, replacing an existing one only "
          "with `overwrite` and putting it back if the rename fails (geodata::move_into_place; accessplan.dask split).");
    m.def("_remove_abandoned_staging", [](const fs::path& parent, const std::string& name) {
        return geodata::remove_abandoned_staging(parent, name);
    }, py::arg("parent"), py::arg("name"),
          "Removes the staging folders of `name` in `parent` left by accessplan processes of this machine that no longer "
          "run (geodata::remove_abandoned_staging); returns their paths.");
    // Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_ set (distributed.nanny.pre-spawn-environ), which turns
    // glibc's dynamic mmap threshold off: every buffer of 128 KB or more (GDAL's compressed blocks) is then mapped and
    // unmapped, its pages cleared again on each first touch, and writing a province's outputs took four times as long
    // (bench/RESULTS.md, "provinces"). A task sets the thresholds the dynamic rule reaches (buffers under 32 MB from
    // the heap, trimmed above 64 MB free) and, done, gives the freed memory back, which is what Dask's setting is for.
    m.def("_worker_malloc_settings", [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
    }, "Heap thresholds for a run in a Dask worker (accessplan.dask); see module.cpp.");
    m.def("_release_free_memory", [] { malloc_trim(0); }, "Returns freed heap memory to the system (malloc_trim).");
    m.def("validate", [](const fs::path& file) {
        const auto s = scenarios::load_scenario(file);
        py::gil_scoped_release release;
        return scenarios::check_inputs(s);
    }, py::arg("file"), "Every check `accessplan validate` makes: a list of problems (empty when the inputs are valid).");
    m.def("_check_output_folders", [](const std::vector<fs::path>& targets, bool overwrite, const std::vector<fs::path>& scenario_files) {
        // As `accessplan run` with several files checks its folders before running any: no target may be in the way
        // (without overwrite: none may exist; with it: only folders accessplan wrote, holding none of the files any of
        // the scenarios reads). Each geodata::OutputFolder is made and dropped: its parent is created, abandoned
        // staging folders of dead processes of this machine are removed, and nothing else changes.
        std::vector<fs::path> read;
        for (const auto& file : scenario_files)
            for (auto& f : scenarios::files_read(scenarios::load_scenario(file))) read.push_back(std::move(f));
        py::gil_scoped_release release;
        std::vector<std::unique_ptr<geodata::OutputFolder>> folders;
        for (const auto& t : targets) folders.push_back(std::make_unique<geodata::OutputFolder>(t, overwrite, read));
    }, py::arg("targets"), py::arg("overwrite"), py::arg("scenario_files"),
          "For accessplan.dask: InputError, with the CLI's message, when one of the output folders is in the way.");
    m.def("compare", &compare, py::arg("base_dir"), py::arg("scenario_dir"), py::arg("out"), py::arg("overwrite") = false,
          py::arg("lang") = "en", "Compares two results folders as `accessplan compare` does; the rows of compare.csv.");
    m.def("write_demo", [](const fs::path& out, std::uint64_t seed, bool overwrite) {
        fs::path scenario;
        {
            py::gil_scoped_release release;
            geodata::OutputFolder folder(out, overwrite);
            const fs::path staged = demo::write_demo_inputs(demo::generate_demo_province(seed), folder.staging());
            folder.commit();
            scenario = out / staged.lexically_relative(folder.staging());
        }
        return fs::absolute(scenario).lexically_normal().string();
    }, py::arg("out"), py::arg("seed") = 28, py::arg("overwrite") = false,
          "Writes the demo province's inputs (out/inputs) and scenario files (out/scenarios: baseline.yaml and the what-ifs),\n"
          "without running them (`accessplan demo` also runs the baseline into out/results/baseline); returns the path of\n"
          "scenarios/baseline.yaml.");
    m.def("export", [](const fs::path& results, const fs::path& out, const std::string& format, bool overwrite) {
        const auto fmt_ = geodata::parse_export_format(format);
        scenarios::check_results_folder(results);
        py::list files;
        std::vector<geodata::ExportedLayer> layers;
        {
            py::gil_scoped_release release;
            geodata::OutputFolder folder(out, overwrite, {results});
            layers = geodata::export_layers(scenarios::ResultsLayout(results).access_gpkg(), folder.staging(), fmt_);
            folder.commit();
        }
        for (const auto& l : layers)
            files.append(py::dict(py::arg("layer") = l.layer, py::arg("file") = (out / l.file.filename()).string(),
                                  py::arg("features") = l.features, py::arg("renamed") = l.renamed));
        return files;
    }, py::arg("results_dir"), py::arg("out"), py::arg("format") = "gpkg", py::arg("overwrite") = false,
          "As `accessplan export`: the layers of a results folder as gpkg, geojson, shp or csv; one dict per layer written.");
    m.def("read_raster", &read_raster, py::arg("path"), py::arg("band") = 1,
          "A raster file as a Raster (float32; nodata as NaN) with its georeferencing.");
    m.def("travel_time", &travel_time, py::arg("friction"), py::arg("transform"), py::arg("crs"), py::arg("sources"),
          py::arg("ids") = py::none(), py::arg("neighbours") = 16, py::arg("max_minutes") = py::none(), py::arg("snap_m") = 500.0,
          "Travel time (minutes) over a friction array (minutes per metre; NaN, negative or inf impassable) on a projected\n"
          "north-up grid, from sources (x, y) in its CRS. Returns (minutes Raster (NaN = unreachable), nearest-source Raster\n"
          "(the source's id, or its position 1, 2, ... without ids; -1 = none), indices of sources not placed).");
    m.def("frame", [](const py::object& rows) {
        py::module_ pandas;
        try {
            pandas = py::module_::import("pandas");
        } catch (const py::error_already_set&) {
            throw py::import_error("accessplan.frame needs pandas (Debian: apt-get install python3-pandas); the rows are plain "
                                   "dicts without it");
        }
        return pandas.attr("DataFrame")(rows);
    }, py::arg("rows"), "A list of row dicts (result['summary'], ['zones'], ['ranking']['rows'], compare's rows) as a pandas DataFrame.");
    m.def("access_metrics", &access_metrics, py::arg("children"), py::arg("minutes"), py::arg("threshold_min"),
          "Children within the threshold, unreachable (NaN minutes), mean/median/p90 minutes and bands, as run summaries.");
}
