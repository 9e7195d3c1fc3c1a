#include "accessplan/scenarios/validate.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modifications.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/geodata/vector_io.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios {

std::vector<std::string> check_inputs(const Scenario& s) {
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
    layer(LayerRef{s.facilities.file, s.facilities.layer, ""}, "facilities");
    for (auto [ref, key] : {std::pair{&s.roads, "travel.roads"}, {&s.rivers, "travel.rivers"}, {&s.border, "travel.border"},
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
            geodata::ReadOptions o;
            o.layer = s.facilities.layer;
            o.csv_xy_crs = geodata::wgs84();
            auto points = geodata::read_points(s.facilities.file, geodata::wgs84(), o);
            detail::apply_facility_modifications(s, points, geodata::wgs84());
        });
    if (problems.empty()) guard([&] { detail::ferry_links(s, geodata::wgs84()); });
    return problems;
}

}  // namespace accessplan::scenarios
