#include "facilities.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/engine/snap.hpp"
#include "../modifications.hpp"

namespace accessplan::scenarios::detail {
namespace {

/// Facilities as points with the scenario's type/name fields; OpenStreetMap files are read by tag (type = the tag
/// value: school, kindergarten, clinic, hospital, playground, swimming_pool, ...).
std::vector<geodata::PointFeature> read_facilities(const Scenario& s, const GridSpec& grid) {
    if (is_osm_file(s.facilities.file)) {
        std::vector<geodata::PointFeature> points;
        for (auto& f : geodata::read_osm_facilities(s.facilities.file, grid.crs)) {
            geodata::PointFeature p;
            p.fid = static_cast<std::int64_t>(points.size());
            p.x = f.x;
            p.y = f.y;
            p.attributes = {{s.type_field, f.type}, {s.name_field, f.name}, {"osm_id", f.osm_id}};
            points.push_back(std::move(p));
        }
        return points;
    }
    geodata::ReadOptions fo;
    fo.layer = s.facilities.layer;
    fo.where = s.facilities.where;
    fo.csv_xy_crs = grid.crs;
    return geodata::read_points(s.facilities.file, grid.crs, fo);
}

}  // namespace

FacilitySet place_facilities(const Scenario& s, const RunInputs& in, std::vector<std::string>& warnings) {
    FacilitySet out;
    out.points = read_facilities(s, in.grid);
    apply_facility_modifications(s, out.points, in.grid.crs);
    const auto& points = out.points;
    if (points.empty())
        throw InputError(s.facilities.where.empty()
                             ? fmt::format("{}: the facility layer is empty; add facilities or point facilities.file "
                                           "elsewhere", s.facilities.file.string())
                             : fmt::format("{}: no facility matches facilities.where ({}); check the filter against the "
                                           "layer's fields (accessplan info FILE lists them)", s.facilities.file.string(),
                                           s.facilities.where));
    out.services.resize(s.services.size());
    std::set<std::string> modes_used;
    for (const auto& svc : s.services) modes_used.insert(svc.mode);
    for (const auto& m : modes_used) {
        const Grid<float>& f = in.friction.at(m);
        for (std::size_t k = 0; k < s.services.size(); ++k) {
            const Service& svc = s.services[k];
            if (svc.mode != m) continue;
            ServiceFacilities& sf = out.services[k];
            for (std::size_t p = 0; p < points.size(); ++p) {
                const auto& pt = points[p];
                const std::string type = pt.attributes.count(s.type_field) ? pt.attributes.at(s.type_field) : "";
                if (std::find(svc.facility_types.begin(), svc.facility_types.end(), type) == svc.facility_types.end()) continue;
                ++sf.count;
                std::int32_t id = static_cast<std::int32_t>(p + 1);
                if (auto it = pt.attributes.find(s.id_field); it != pt.attributes.end()) {
                    const std::optional<std::int32_t> number = facility_id_number(it->second);
                    if (!number)  // an id numbered past 2147483647 by add_facilities (the file's were checked)
                        throw InputError(fmt::format("{}: facility {} has {}='{}'; ids must be whole numbers from 0 to "
                                                     "2147483647", s.facilities.file.string(), pt.fid, s.id_field, it->second));
                    id = *number;
                }
                SnapResult snap = snap_to_passable(f, pt.x, pt.y, s.snap_distance_m);
                FacilityPlacement fp{id, pt.attributes.count(s.name_field) ? pt.attributes.at(s.name_field) : "", type,
                                     to_string(snap.status), snap.moved_m, svc.name, p};
                out.placements.push_back(fp);
                if (!snap.placed()) continue;
                ++sf.placed;
                sf.sources.push_back({snap.cell, id});
                double supply = 1.0;
                if (auto it = pt.attributes.find(s.capacity_field); it != pt.attributes.end() && !it->second.empty()) {
                    supply = parse_number(it->second, capacity_rule(s.facilities.file.string(),
                                                                    fmt::format("facility {}", pt.fid), s.capacity_field));
                    if (supply == 0.0) supply = 1.0;
                    else sf.capacities.push_back({snap.cell, id, supply, fp.name, sf.supplies.size()});
                }
                sf.supplies.push_back({snap.cell, supply});
            }
            if (sf.count == 0)
                warnings.push_back(fmt::format("service {}: no facilities of type {} in {}: every child is in the gap",
                                               svc.name, fmt::join(svc.facility_types, ", "), s.facilities.file.string()));
            else if (sf.placed < sf.count)
                warnings.push_back(fmt::format("service {}: {} of {} facilities are off the grid or farther than {} m "
                                               "from passable land (see facilities_placement.csv)",
                                               svc.name, sf.count - sf.placed, sf.count, s.snap_distance_m));
        }
    }
    return out;
}

}  // namespace accessplan::scenarios::detail
