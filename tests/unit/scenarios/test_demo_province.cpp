// The demo province must look and behave like a real province (issue: foundation): mountains on a national border
// in the north, a coastal plain with rivers, an island district 15-30 km offshore reached only by ferry,
// 300-800 thousand people with a realistic age structure, facilities at realistic densities.

#include <catch2/catch.hpp>

#include <map>
#include <numeric>
#include <queue>

#include "accessplan/engine/snap.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/scenarios/demo_province.hpp"

using namespace accessplan;

namespace {

const demo::DemoProvince& province() {
    static const demo::DemoProvince p = demo::generate_demo_province(28);
    return p;
}

double distance_to_line(const demo::XY& p, const std::vector<demo::XY>& line) {
    double best = 1e18;
    for (std::size_t k = 0; k + 1 < line.size(); ++k) {
        const demo::XY a = line[k], b = line[k + 1];
        const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
        const double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
        best = std::min(best, std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)));
    }
    return best;
}

/// Land components (8-connected, non-water land cover); returns component id per cell and sizes.
std::vector<int> land_components(const Grid<std::uint8_t>& lc, std::vector<std::size_t>& sizes) {
    std::vector<int> comp(lc.size(), -1);
    const long cols = static_cast<long>(lc.cols()), rows = static_cast<long>(lc.rows());
    for (std::size_t start = 0; start < lc.size(); ++start) {
        if (lc[start] == landcover::water || comp[start] >= 0) continue;
        const int id = static_cast<int>(sizes.size());
        sizes.push_back(0);
        std::queue<std::size_t> q;
        q.push(start);
        comp[start] = id;
        while (!q.empty()) {
            const std::size_t i = q.front();
            q.pop();
            ++sizes.back();
            const long r = static_cast<long>(i) / cols, c = static_cast<long>(i) % cols;
            for (long dr = -1; dr <= 1; ++dr)
                for (long dc = -1; dc <= 1; ++dc) {
                    const long rr = r + dr, cc = c + dc;
                    if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
                    const std::size_t j = static_cast<std::size_t>(rr * cols + cc);
                    if (lc[j] == landcover::water || comp[j] >= 0) continue;
                    comp[j] = id;
                    q.push(j);
                }
        }
    }
    return comp;
}

}  // namespace

TEST_CASE("demo province: population and age structure are realistic", "[scenarios][demo]") {
    const auto& p = province();
    const double total = std::accumulate(p.population.values().begin(), p.population.values().end(), 0.0);
    CHECK(total > 300000.0);
    CHECK(total < 800000.0);
    double children = 0.0;  // ages 0-14
    for (const auto& [name, band] : p.age_sex_bands)
        if (name != "f_15" && name != "m_15") children += std::accumulate(band.values().begin(), band.values().end(), 0.0);
    // Vietnam 2019 census: 0-14 is about 24% of the population; mountain districts are younger.
    CHECK(children / total > 0.20);
    CHECK(children / total < 0.30);
    // No one lives at sea or across the border.
    for (std::size_t i = 0; i < p.population.size(); ++i)
        if (p.commune_id[i] == 0) REQUIRE(p.population[i] == 0.0f);
}

TEST_CASE("demo province: mountains along the northern border, a low coastal plain", "[scenarios][demo]") {
    const auto& p = province();
    REQUIRE(p.national_border.size() == 1);
    const auto& border = p.national_border.front().points;
    double near_border = 0.0, plain = 0.0;
    std::size_t n_border = 0, n_plain = 0;
    for (std::size_t i = 0; i < p.elevation_m.size(); ++i) {
        if (p.commune_id[i] == 0) continue;
        const demo::XY xy{p.grid.transform.x_of(double(i % p.grid.cols)), p.grid.transform.y_of(double(i / p.grid.cols))};
        if (distance_to_line(xy, border) < 8000.0) {
            near_border += p.elevation_m[i];
            ++n_border;
        }
        if (xy.y < border.front().y - 45000.0 && p.elevation_m[i] > 0) {
            plain += p.elevation_m[i];
            ++n_plain;
        }
    }
    REQUIRE(n_border > 1000);
    REQUIRE(n_plain > 1000);
    CHECK(near_border / double(n_border) > 500.0);
    CHECK(plain / double(n_plain) < 80.0);
    // The border runs west-east across the whole grid.
    CHECK(border.front().x <= p.grid.min_x() + 1.0);
    CHECK(border.back().x >= p.grid.max_x() - 1.0);
}

TEST_CASE("demo province: an island district 15-30 km offshore, reached only by ferry", "[scenarios][demo]") {
    const auto& p = province();
    std::vector<std::size_t> sizes;
    auto comp = land_components(p.landcover, sizes);
    const int mainland = static_cast<int>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
    // The island district's town lies on land not connected to the mainland.
    const auto island_district = std::find_if(p.districts.begin(), p.districts.end(), [](const auto& d) { return d.kind == "island"; });
    REQUIRE(island_district != p.districts.end());
    const std::size_t town = *p.grid.cell_at(island_district->town.x, island_district->town.y);
    const int island = comp[town];
    REQUIRE(island >= 0);
    CHECK(island != mainland);
    const double island_km2 = double(sizes[static_cast<std::size_t>(island)]) * p.grid.cell_area_m2() / 1e6;
    CHECK(island_km2 > 20.0);
    CHECK(island_km2 < 200.0);
    // Shortest gap between island and mainland cells.
    double gap = 1e18;
    std::vector<std::size_t> island_cells, mainland_cells;
    for (std::size_t i = 0; i < comp.size(); i += 1) {
        if (comp[i] == island) island_cells.push_back(i);
        else if (comp[i] == mainland && p.elevation_m[i] < 10.0) mainland_cells.push_back(i);
    }
    for (std::size_t a = 0; a < island_cells.size(); a += 7)
        for (std::size_t b = 0; b < mainland_cells.size(); b += 5) {
            const double dx = double(island_cells[a] % p.grid.cols) - double(mainland_cells[b] % p.grid.cols);
            const double dy = double(island_cells[a] / p.grid.cols) - double(mainland_cells[b] / p.grid.cols);
            gap = std::min(gap, std::hypot(dx, dy) * 100.0);
        }
    CHECK(gap > 15000.0 * 0.95);
    CHECK(gap < 30000.0);
    // Exactly the ferry links them.
    REQUIRE(p.ferries.size() == 1);
    const auto& ferry = p.ferries.front();
    CHECK(comp[*p.grid.cell_at(ferry.points.front().x, ferry.points.front().y)] == island);
    CHECK(comp[*p.grid.cell_at(ferry.points.back().x, ferry.points.back().y)] == mainland);
    CHECK(std::stod(ferry.attributes.at("crossing_min")) > 30.0);

    // Travel: a mainland health station cannot serve the island without the ferry; with it, it can.
    Grid<float> friction = build_friction({&p.landcover, nullptr, nullptr, nullptr}, default_motorbike_mode());
    const auto capital = std::find_if(p.districts.begin(), p.districts.end(), [](const auto& d) { return d.kind == "city"; });
    SnapResult h = snap_to_passable(friction, capital->town.x, capital->town.y, 500.0);
    REQUIRE(h.placed());
    auto without = compute_travel_time(friction, {{h.cell, 1}});
    CHECK(std::isinf(without.minutes[town]));
    TravelTimeOptions o;
    SnapResult a = snap_to_passable(friction, ferry.points.front().x, ferry.points.front().y, 1000.0);
    SnapResult b = snap_to_passable(friction, ferry.points.back().x, ferry.points.back().y, 1000.0);
    REQUIRE(a.placed());
    REQUIRE(b.placed());
    o.extra_edges = {{a.cell, b.cell, 100.0}, {b.cell, a.cell, 100.0}};
    auto with = compute_travel_time(friction, {{h.cell, 1}}, o);
    CHECK(std::isfinite(with.minutes[town]));
    CHECK(with.minutes[town] > 100.0);
}

TEST_CASE("demo province: facility densities are realistic (pools rare)", "[scenarios][demo]") {
    const auto& p = province();
    std::map<std::string, int> count;
    std::map<std::string, int> stations_per_commune;
    for (const auto& f : p.facilities) {
        ++count[f.attributes.at("type")];
        if (f.attributes.at("type") == "commune_health_station") ++stations_per_commune[f.attributes.at("commune_code")];
    }
    // One commune health station per commune (national policy).
    CHECK(count["commune_health_station"] == static_cast<int>(p.communes.size()));
    for (const auto& [code, n] : stations_per_commune) CHECK(n == 1);
    CHECK(count["primary_school"] >= static_cast<int>(p.communes.size()));
    CHECK(count["lower_secondary_school"] <= count["primary_school"]);
    CHECK(count["swimming_pool"] >= 1);
    CHECK(count["swimming_pool"] <= 5);
    CHECK(count["playground"] < count["primary_school"]);
    CHECK(count["hospital"] == static_cast<int>(p.districts.size()));
    CHECK(p.communes.size() > 60);
    CHECK(p.communes.size() < 300);
    // Communes of the island district exist; some mountain communes are on the extremely difficult list.
    CHECK(std::any_of(p.communes.begin(), p.communes.end(), [](const auto& c) { return c.extremely_difficult; }));
}

TEST_CASE("demo province: rivers drain to the sea and roads form a hierarchy", "[scenarios][demo]") {
    const auto& p = province();
    std::size_t to_sea = 0;
    for (const auto& r : p.rivers) {
        auto last = p.grid.cell_at(r.points.back().x, r.points.back().y);
        if (last && p.elevation_m[*last] <= 0.0f) ++to_sea;
    }
    CHECK(to_sea >= 2);
    std::map<std::string, int> roads;
    for (const auto& r : p.roads) ++roads[r.attributes.at("highway")];
    CHECK(roads["trunk"] >= 1);
    CHECK(roads["primary"] >= 1);
    CHECK(roads["tertiary"] > 20);
    CHECK(roads["track"] + roads["path"] > 10);
}

TEST_CASE("demo province: the same seed gives the same province", "[scenarios][demo]") {
    const auto again = demo::generate_demo_province(28);
    const auto& p = province();
    CHECK(again.population.values() == p.population.values());
    CHECK(again.landcover.values() == p.landcover.values());
    CHECK(again.facilities.size() == p.facilities.size());
    const auto other = demo::generate_demo_province(29);
    CHECK(other.population.values() != p.population.values());
}
