#include "facilities.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/engine/snap.hpp"
#include "../modifications.hpp"
#include "../yaml_reader.hpp"

namespace accessplan::scenarios::detail {
namespace {

/// Facilities as points with the scenario's type/name fields; OpenStreetMap files are read by tag (type = the tag
/// value: school, kindergarten, clinic, hospital, playground, swimming_pool, ...).
std::vector<geodata::PointFeature> read_facilities(const Scenario& s, const GridSpec& grid, std::vector<std::string>& warnings) {
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
    return geodata::read_points(s.facilities.file, grid.crs, read_options(s.facilities, grid.crs, &warnings));
}

/// "Swimming Pool", "swimming-pool" -> "swimming_pool": how a type may be mistyped without being another.
std::string normalised_type(const std::string& type) {
    std::string n;
    for (const char c : type) n += (c == ' ' || c == '-') ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return n;
}

/// Stops the run when a facility source lost too many of its facilities (Scenario::max_dropped_pct): a CSV of new pools
/// in VN-2000 read as UTM once left the what-if equal to its baseline, exit 0.
void check_dropped_share(const Scenario& s, const std::vector<geodata::PointFeature>& points,
                         const std::vector<FacilityPlacement>& placements) {
    struct Source {
        std::size_t total = 0, on_grid = 0;
        std::vector<std::string> dropped;  // "facility 12 (name): outside_grid"
    };
    std::map<std::size_t, std::pair<bool, std::string>> status;  // point -> (placed for some service, a failed status)
    for (const auto& fp : placements) {
        auto& [placed, failed] = status[fp.point_index];
        if (fp.status == "on_cell" || fp.status == "moved" || fp.status == "flooded") placed = true;
        else failed = fp.status;
    }
    std::map<std::string, Source> sources;  // the facility file, or an add_facilities modification's label
    for (const auto& [p, st] : status) {
        const auto& attrs = points[p].attributes;
        const auto mod = attrs.find("modification");
        const bool added = mod != attrs.end();
        Source& src = sources[added ? mod->second : s.facilities.file.string()];
        ++src.total;
        const bool outside = !st.first && st.second == "outside_grid";
        if (!outside) ++src.on_grid;
        if (!st.first && (added || !outside)) {
            const auto name = attrs.find(s.name_field);
            const auto from = attrs.find("source_feature");
            const auto id = attrs.find(s.id_field);  // a new facility by its id (given, or the next free number)
            const std::string which = from != attrs.end() ? from->second
                                      : added         ? fmt::format("new facility {}", id != attrs.end() ? id->second
                                                                                                       : std::to_string(points[p].fid))
                                                      : fmt::format("feature {}", points[p].fid);
            src.dropped.push_back(fmt::format("{}{}: {}", which, name == attrs.end() ? "" : " (" + name->second + ")", st.second));
        }
    }
    for (const auto& [source, src] : sources) {
        const bool added = source != s.facilities.file.string();
        if (!added && src.on_grid == 0)
            throw InputError(fmt::format("{}: none of its {} facilities of the services' types lies on the analysis grid; "
                                         "are its coordinates in another CRS than it says (give the right one with crs: "
                                         "under facilities:, e.g. crs: EPSG:9210 for VN-2000 / TM-3 105-45), or is it "
                                         "another province's file?", source, src.total));
        const std::size_t base = added ? src.total : src.on_grid;
        if (base == 0 || 100.0 * static_cast<double>(src.dropped.size()) / static_cast<double>(base) <= s.max_dropped_pct)
            continue;
        std::vector<std::string> shown(src.dropped.begin(), src.dropped.begin() + std::min<std::size_t>(src.dropped.size(), 10));
        if (src.dropped.size() > 10) shown.emplace_back("...");
        throw InputError(fmt::format(
            "{}: {} of its {} facilities {}were dropped ({:.0f}%, more than facilities.max_dropped_pct = {:g}%): {}. "
            "outside_grid: beyond the analysis grid (coordinates in another CRS? give it with crs:, e.g. EPSG:9210 "
            "for VN-2000 / TM-3 105-45; lon/lat swapped?); no_passable: no passable land within {:g} m (at sea, in a "
            "lake). Fix them, or set facilities.max_dropped_pct to go on without them",
            source, src.dropped.size(), base, added ? "" : "on the grid ",
            100.0 * static_cast<double>(src.dropped.size()) / static_cast<double>(base), s.max_dropped_pct,
            fmt::join(shown, "; "), s.snap_distance_m));
    }
}

}  // namespace

void check_facility_types(const Scenario& s, const std::vector<geodata::PointFeature>& points,
                          std::vector<std::string>* warnings) {
    std::map<std::string, std::size_t> present;  // type -> facilities
    for (const auto& p : points)
        if (auto it = p.attributes.find(s.type_field); it != p.attributes.end()) ++present[it->second];
    std::vector<std::string> typos;
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const Service& svc = s.services[k];
        for (const auto& type : svc.facility_types) {
            if (present.count(type)) continue;
            // The closest type of the file this service does not list already.
            std::string best;
            std::size_t best_d = std::numeric_limits<std::size_t>::max();
            for (const auto& [other, n] : present) {
                if (std::find(svc.facility_types.begin(), svc.facility_types.end(), other) != svc.facility_types.end()) continue;
                const std::size_t d = edit_distance(normalised_type(type), normalised_type(other));
                if (d < best_d) best_d = d, best = other;
            }
            const std::size_t allowed = std::clamp<std::size_t>(type.size() / 4, 1, 3);
            std::vector<std::string> listed;
            for (const auto& [t, n] : present) listed.push_back(fmt::format("{} ({})", t, n));
            if (!best.empty() && best_d <= allowed)
                typos.push_back(fmt::format("{}: services[{}] ({}).facility_types: no facility in {} has {} '{}' (did you mean "
                                            "'{}', which {} facilities have?); the types there: {}",
                                            s.file.string(), k, svc.name, s.facilities.file.string(), s.type_field, type, best,
                                            present.at(best), fmt::join(listed, ", ")));
            else if (warnings)
                warnings->push_back(fmt::format("service {}: no facility in {} has {} '{}' (the types there: {}); if the "
                                                "province has none yet, every child counts as without one of them",
                                                svc.name, s.facilities.file.filename().string(), s.type_field, type,
                                                fmt::join(listed, ", ")));
        }
    }
    if (!typos.empty()) throw InputError(fmt::format("{}", fmt::join(typos, "\n")));
}

FacilitySet place_facilities(const Scenario& s, const RunInputs& in, std::vector<std::string>& warnings) {
    FacilitySet out;
    out.points = read_facilities(s, in.grid, warnings);
    apply_facility_modifications(s, out.points, in.grid.crs, &warnings);
    const auto& points = out.points;
    check_facility_types(s, points, &warnings);
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
    // A facility standing in a flood (its own cell), by the flood's label.
    auto flood_of = [&](double x, double y) -> const std::string* {
        const std::optional<std::size_t> cell = in.grid.cell_at(x, y);
        if (!cell) return nullptr;
        for (const auto& [label, cells] : in.floods)
            if (cells[*cell]) return &label;
        return nullptr;
    };
    std::map<std::string, std::set<std::string>> flooded;     // flood -> facilities that serve nobody in it
    std::map<std::string, std::set<std::string>> moved_out;   // flood -> facilities moved to dry land beside it
    for (const auto& m : modes_used) {
        const Grid<float>& f = in.friction.at(m);
        for (std::size_t k = 0; k < s.services.size(); ++k) {
            const Service& svc = s.services[k];
            if (svc.mode != m) continue;
            ServiceFacilities& sf = out.services[k];
            std::size_t in_floods = 0;  // of the service's facilities, not placed because they stand in a flood
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
                if (const std::string* flood = snap.status != SnapStatus::on_cell ? flood_of(pt.x, pt.y) : nullptr) {
                    const std::string who = fmt::format("{} ({})", fp.name.empty() ? type : fp.name, id);
                    if (!snap.placed()) {
                        fp.status = "flooded";
                        ++in_floods;
                        flooded[*flood].insert(who);
                    } else {
                        moved_out[*flood].insert(who);
                    }
                }
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
            if (sf.placed + in_floods < sf.count)
                warnings.push_back(fmt::format("service {}: {} of {} facilities are off the grid or farther than {} m "
                                               "from passable land (see facilities_placement.csv)",
                                               svc.name, sf.count - sf.placed - in_floods, sf.count, s.snap_distance_m));
        }
    }
    if (!in.tile_of) check_dropped_share(s, points, out.placements);  // (a tile holds a part of the facilities)
    for (const auto& [flood, names] : flooded)
        warnings.push_back(fmt::format("{}: {} facilit{} stand in the flood with no passable land within {} m, so they "
                                       "serve nobody while it lasts (status flooded in facilities_placement.csv): {}",
                                       flood, names.size(), names.size() == 1 ? "y" : "ies", s.snap_distance_m,
                                       fmt::join(names, ", ")));
    for (const auto& [flood, names] : moved_out)
        warnings.push_back(fmt::format("{}: {} facilit{} stand in the flood and are reached from the nearest dry land "
                                       "within {} m (status moved): {}", flood, names.size(),
                                       names.size() == 1 ? "y" : "ies", s.snap_distance_m, fmt::join(names, ", ")));
    return out;
}

}  // namespace accessplan::scenarios::detail
