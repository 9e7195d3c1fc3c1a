#include "accessplan/scenarios/validate.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modifications.hpp"
#include "stages/facilities.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {

std::vector<std::string> check_inputs(const Scenario& s, std::vector<std::string>* warnings) {
    std::vector<std::string> problems;
    auto guard = [&](auto&& check) {
        try {
            check();
        } catch (const Error& e) {
            problems.emplace_back(e.what());
        }
    };
    auto raster = [&](const fs::path& file, const char* key) {
        guard([&] {
            const auto info = geodata::read_raster_info(file);
            if (info.bands.empty()) throw InputError(fmt::format("{}: {} has no bands", file.string(), key));
        });
    };
    auto layer = [&](const std::optional<LayerRef>& ref, const char* key) {
        if (!ref || is_osm_file(ref->file)) return;
        guard([&] {
            const auto info = geodata::read_vector_info(ref->file);
            if (ref->layer.empty()) return;
            std::vector<std::string> names;
            for (const auto& l : info.layers) names.push_back(l.name);
            if (std::find(names.begin(), names.end(), ref->layer) == names.end())
                throw InputError(fmt::format("{}: {}: no layer '{}'; its layers are {}", ref->file.string(), key, ref->layer,
                                             fmt::join(names, ", ")));
        });
    };
    raster(s.population, "population.total");
    if (s.age_sex) raster(*s.age_sex, "population.age_sex");
    for (const auto& f : s.age_sex_files) raster(f, "population.age_sex");
    if (!s.landcover.empty()) raster(s.landcover, "travel.landcover");
    if (s.elevation) raster(*s.elevation, "travel.elevation");
    layer(s.area_boundary, "area.boundary");
    // A filter on the study area must select a polygon (a run would stop at once).
    if (problems.empty() && s.area_boundary && !s.area_boundary->where.empty())
        guard([&] {
            try {
                detail::read_boundary(*s.area_boundary, geodata::wgs84());
            } catch (const InputError& e) {
                throw InputError(fmt::format("{}: {}", s.file.string(), e.what()));
            }
        });
    layer(s.facilities, "facilities");
    for (auto [ref, key] : {std::pair{&s.roads, "travel.roads"}, {&s.buildings, "travel.buildings"}, {&s.rivers, "travel.rivers"}, {&s.border, "travel.border"},
                            {&s.land, "travel.land"}, {&s.population_mask, "population.mask"},
                            {&s.ferries, "travel.ferries"}, {&s.towns, "area_classes.towns"},
                            {&s.remote_zones, "area_classes.remote_zones"}, {&s.island_zones, "area_classes.island_zones"},
                            {&s.coastline, "area_classes.coastline"}, {&s.zones, "zones"}})
        layer(*ref, key);
    if (s.ranking) layer(s.ranking->candidates, "ranking.candidates");
    for (const auto& m : s.modifications) {
        std::visit([&](const auto& c) {
            if constexpr (requires { c.file; }) layer(c.file, m.label.c_str());
            if constexpr (requires { c.polygons; }) layer(c.polygons, m.label.c_str());
            if constexpr (requires { c.factor_raster; }) if (c.factor_raster) raster(*c.factor_raster, m.label.c_str());
        }, m.change);
    }
    // Facility modifications against the facilities themselves (ids that exist, filters that select something).
    if (problems.empty() && !is_osm_file(s.facilities.file))
        guard([&] {
            auto points = geodata::read_points(s.facilities.file, geodata::wgs84(), detail::read_options(s.facilities, geodata::wgs84()));
            detail::apply_facility_modifications(s, points, geodata::wgs84());
            detail::check_facility_types(s, points, warnings);
        });
    // A plan's growth by zone code against the zones' codes (the run checks them too, after its travel times).
    if (problems.empty() && s.ranking && s.ranking->plan && !s.ranking->plan->zone_growth_pct.empty())
        guard([&] {
            if (!s.zones)
                throw InputError(fmt::format("{}: ranking.plan.growth_pct gives rates by zone code, and the scenario has no "
                                             "zones (zones:); give one rate for everywhere (growth_pct: 1.5) or set zones",
                                             s.file.string()));
            std::set<std::string> codes;
            for (const auto& f : detail::read_layer(*s.zones, geodata::wgs84()))
                codes.insert(s.zone_code_field.empty() ? std::to_string(f.fid) : f.attribute(s.zone_code_field));
            std::vector<std::string> unknown;
            for (const auto& [code, pct] : s.ranking->plan->zone_growth_pct)
                if (!codes.count(code)) unknown.push_back(code);
            if (!unknown.empty())
                throw InputError(fmt::format("{}: ranking.plan.growth_pct names zone code(s) {} that no zone of {} has; use "
                                             "the codes of the zones layer ({}), and other: for the rest", s.file.string(),
                                             fmt::join(unknown, ", "), s.zones->file.filename().string(),
                                             s.zone_code_field.empty() ? "feature numbers" : "field " + s.zone_code_field));
        });
    if (problems.empty())
        guard([&] {
            const std::vector<detail::FerryLink> ferries = detail::ferry_links(s, geodata::wgs84());
            // Ports against the land polygons (travel.land, else the coastline), when the scenario has them: a port at
            // sea would only fail when the run starts.
            const std::optional<LayerRef>& land = s.land ? s.land : s.coastline;
            if (ferries.empty() || !land) return;
            const Crs metric = geodata::utm_crs_for(ferries.front().x0, ferries.front().y0);
            std::vector<geodata::Feature> polygons = detail::read_layer(*land, metric);
            const geodata::CoordinateTransform to_metric(geodata::wgs84(), metric);
            std::vector<std::string> at_sea;
            for (const auto& f : ferries) {
                for (auto [x, y, end] : {std::tuple{f.x0, f.y0, "first"}, {f.x1, f.y1, "last"}}) {
                    to_metric.transform_point(x, y);
                    OGRPoint port(x, y);
                    double nearest = std::numeric_limits<double>::infinity();
                    for (const auto& p : polygons)
                        if (p.geometry) nearest = std::min(nearest, p.geometry->Distance(&port));
                    if (nearest > s.ferry_port_snap_m)
                        at_sea.push_back(fmt::format("{}: ferry '{}': the {} port is {:.0f} m from the land of {} (more than "
                                                     "travel.ferries.port_snap_m, {:g} m); move it onto the quay",
                                                     f.source, f.name, end, nearest, land->file.filename().string(),
                                                     s.ferry_port_snap_m));
                }
            }
            problems.insert(problems.end(), at_sea.begin(), at_sea.end());
        });
    return problems;
}

}  // namespace accessplan::scenarios
