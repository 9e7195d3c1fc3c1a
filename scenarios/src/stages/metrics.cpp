#include "metrics.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <omp.h>

#include "accessplan/engine/access_summary.hpp"
#include "accessplan/engine/area_classes.hpp"
#include "accessplan/engine/coverage.hpp"
#include "accessplan/engine/e2sfca.hpp"
#include "accessplan/engine/gaps.hpp"
#include "accessplan/engine/parallel.hpp"
#include "accessplan/engine/zonal.hpp"
#include "accessplan/geodata/vector_write.hpp"
#include "results.hpp"

namespace accessplan::scenarios::detail {

Metrics compute_metrics(const MetricsInputs& in, StageClock& clock, std::vector<std::string>& warnings) {
    const Scenario& s = in.scenario;
    const auto& children = in.inputs.children;
    const auto& zones = in.inputs.zones;
    const Grid<std::uint8_t>& study_area = in.inputs.study_area;
    const Grid<std::uint8_t>& area_flags = in.area_flags;
    const auto& times = in.times;
    Metrics out;
    auto& services = out.services;
    auto& accessibility = out.accessibility;
    auto& gap_grids = out.gap_grids;
    // Every area-class filter (all, island, border, remote, none) over the flags a cell can hold: one pass per service,
    // with no mask grid (a byte a cell each).
    const auto& filters = area_class_filters();
    std::array<std::uint32_t, 256> membership{};
    for (std::size_t v = 0; v < membership.size(); ++v)
        for (std::size_t f = 0; f < filters.size(); ++f)
            if (filters[f].includes(static_cast<std::uint8_t>(v))) membership[v] |= 1u << f;
    services.resize(s.services.size());
    parallel_for(s.services.size(), [&](std::size_t k) {
        const Service& svc = s.services[k];
        ServiceResult& r = services[k];
        r.service = svc.name;
        r.target_group = svc.target_group;
        r.mode = svc.mode;
        r.threshold_min = svc.threshold_min;
        r.facilities = in.facilities.services[k].count;
        r.placed = in.facilities.services[k].placed;
        const std::vector<AccessSummary> by_filter = summarize_access_labels(
            children.at(svc.target_group), times[k].minutes, svc.threshold_min, area_flags, membership, filters.size());
        for (std::size_t f = 0; f < by_filter.size(); ++f) {
            if (filters[f].all) r.access = by_filter[f];
            else r.by_class.emplace_back(filters[f].name, by_filter[f]);
        }
    });

    // Gaps and zonal statistics first: the gap clusters are the last reader of the nearest-facility grids, which a run
    // that releases early writes beforehand and makes its cluster grids in (not beside them), all before the
    // catchments are searched.
    clock.substage("access metrics: gap clusters and zonal statistics");
    gap_grids.resize(s.services.size());
    std::vector<Grid<std::int32_t>> nearest_written(s.services.size());
    if (in.early)
        for (std::size_t k = 0; k < s.services.size(); ++k) nearest_written[k] = in.early->nearest_written(k);
    std::vector<std::vector<ZoneAccess>> per_zone(s.services.size());
    parallel_for(s.services.size(), [&](std::size_t k) {
        const Grid<float>& kids = children.at(s.services[k].target_group);
        const double threshold = s.services[k].threshold_min;
        GapResult g = in.early ? find_gap_clusters(kids, times[k].minutes, std::move(nearest_written[k]), threshold,
                                                   &area_flags, &study_area, s.gap_min_children, s.gap_min_cell_children)
                               : find_gap_clusters(kids, times[k].minutes, times[k].nearest, threshold, &area_flags,
                                                   &study_area, s.gap_min_children, s.gap_min_cell_children);
        services[k].gaps = std::move(g.clusters);
        gap_grids[k] = std::move(g.cluster);
        if (!zones) return;
        per_zone[k] = zonal_access(kids, times[k].minutes, s.services[k].threshold_min, zones->ids, zones->codes.size(),
                                   &area_flags);
    });
    if (in.early)
        for (std::size_t k = 0; k < s.services.size(); ++k) {  // the gaps as polygons, their grids freed
            out.gap_shapes.push_back(geodata::polygonize(gap_grids[k]));
            gap_grids[k] = Grid<std::int32_t>();
        }
    // Per service: the catchment of every facility within the service threshold (a bounded travel-time search each),
    // shared by capacity coverage and E2SFCA, then released.
    for (std::size_t k = 0; k < s.services.size(); ++k) {
        const Service& svc = s.services[k];
        clock.substage("travel time: one catchment per facility (E2SFCA, coverage)");
        TravelTimeOptions bounded = in.travel.at(svc.mode);
        bounded.max_minutes = catchment_search_limit(svc.threshold_min);
        const Grid<float>& friction = in.inputs.friction.at(svc.mode);
        ServiceCatchments catchments = service_catchments(svc.name, friction, in.facilities.services[k].supplies,
                                                               bounded, svc.threshold_min, in.reuse);
        if (in.memory != nullptr) {
            // The catchments (8 bytes a cell reached) and each thread's search scratch (8 bytes a cell of its band).
            // A catchment's vector holds more than its cells (it grew by doubling); memory the kernel backs with 2 MB
            // pages is resident as soon as any of it is touched, so there the whole allocation counts (the demo: its
            // peak 0.24 GB in 4 KB pages, 0.30 GB in 2 MB pages).
            const std::string huge = huge_pages_in_use();
            const bool whole_blocks = huge == "large blocks" || huge == "always";
            double bytes = in.inputs.services_bytes;  // on top of the services' grids
            for (const Catchment* c : catchments.of_supply)
                bytes += static_cast<double>((whole_blocks ? c->capacity() : c->size()) * sizeof(ReachedCell));
            const std::size_t reach = catchment_reach_rows(friction, bounded);
            const double band = reach == 0 ? static_cast<double>(friction.size())
                                           : static_cast<double>(std::min(friction.rows(), 2 * reach + 1) * friction.cols());
            bytes += 8.0 * band * static_cast<double>(std::max(1, omp_get_max_threads()));
            in.memory->at_least(bytes, fmt::format("{}: the catchments of service {} ({} facilities within {:g} minutes)",
                                                   s.file.string(), svc.name, catchments.of_supply.size(), svc.threshold_min),
                                "use a larger area.cell_size_m or a smaller study area");
        }
        if (in.early && std::none_of(s.services.begin() + static_cast<std::ptrdiff_t>(k) + 1, s.services.end(),
                                     [&](const Service& later) { return later.mode == svc.mode; }))
            in.early->friction_done(svc.mode);  // no later catchments search it
        const Grid<float>& kids = children.at(svc.target_group);

        clock.substage("access metrics: capacity coverage");
        // Capacity coverage (AccessMod "geographic coverage") where every placed facility has a capacity.
        if (in.facilities.services[k].placed > 0 && in.facilities.services[k].capacities.size() < in.facilities.services[k].placed) {
            warnings.push_back(fmt::format("service {}: capacity coverage skipped: {} of {} facilities have no capacity ('{}' missing or 0)",
                                                  svc.name, in.facilities.services[k].placed - in.facilities.services[k].capacities.size(), in.facilities.services[k].placed, s.capacity_field));
        } else if (in.facilities.services[k].placed > 0) {
            auto order = in.facilities.services[k].capacities;
            if (svc.coverage_order == "capacity_desc")
                std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.capacity > b.capacity; });
            else if (svc.coverage_order == "capacity_asc")
                std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.capacity < b.capacity; });
            std::vector<CoverageFacility> cf;
            std::vector<const Catchment*> reach;
            for (const auto& c : order) {
                cf.push_back({c.cell, c.id, c.capacity});
                reach.push_back(catchments.of_supply[c.supply]);
            }
            CoverageResult cov = capacity_coverage(cf, reach, kids);
            services[k].covered = cov.covered;
            services[k].not_covered = cov.uncovered_total;
            for (std::size_t j = 0; j < order.size(); ++j)
                services[k].loads.push_back({order[j].id, order[j].name, order[j].capacity, cov.load[j]});
        }

        clock.substage("access metrics: E2SFCA");
        // E2SFCA (Luo & Qi 2009): catchment = the service threshold, step decay, supply = capacity (or 1).
        E2sfcaOptions eo;
        eo.catchment_min = svc.threshold_min;
        Grid<float> a = e2sfca(in.facilities.services[k].supplies, catchments.of_supply, kids, eo);
        catchments = ServiceCatchments{};  // their memory back before the next grid is made or written
        double weighted = 0.0, total = 0.0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            a[i] *= 1000.0f;  // per 1,000 children
            weighted += static_cast<double>(a[i]) * kids[i];
            total += kids[i];
        }
        services[k].e2sfca_per_1000 = total > 0.0 ? weighted / total : 0.0;
        if (zones) {  // per zone, weighted as above and divided by the zone's children of the zonal statistics
            std::vector<double> weighted_in(zones->codes.size(), 0.0);
            for (std::size_t i = 0; i < kids.size(); ++i)
                if (const auto zid = zones->ids[i]; zid > 0) weighted_in[static_cast<std::size_t>(zid - 1)] += a[i] * kids[i];
            for (std::size_t z = 0; z < per_zone[k].size(); ++z)
                per_zone[k][z].e2sfca_per_1000 =
                    per_zone[k][z].access.children > 0.0 ? weighted_in[z] / per_zone[k][z].access.children : 0.0;
        }
        if (in.early) in.early->e2sfca_done(k, a);
        accessibility.push_back(std::move(a));
    }
    if (zones) {
        out.zones.resize(zones->codes.size());
        for (std::size_t z = 0; z < zones->codes.size(); ++z) {
            out.zones[z].code = zones->codes[z];
            out.zones[z].name = zones->names[z];
            for (std::size_t k = 0; k < s.services.size(); ++k) out.zones[z].per_service.push_back(per_zone[k][z]);
        }
    }
    return out;
}

}  // namespace accessplan::scenarios::detail
