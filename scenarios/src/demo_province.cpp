#include "accessplan/scenarios/demo_province.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <queue>

#include <fmt/format.h>

#include "accessplan/engine/travel_time.hpp"
#include "accessplan/engine/random.hpp"
#include "accessplan/engine/travel_model.hpp"
#include "accessplan/geodata/crs.hpp"

namespace accessplan::demo {
namespace {

// ---- deterministic randomness and value noise ----

using Rng = SplitMix64;
constexpr auto mix = splitmix64;

double lattice(std::int64_t ix, std::int64_t iy, std::uint64_t seed) {
    const std::uint64_t h = mix(seed ^ mix(static_cast<std::uint64_t>(ix) * 0x632be59bd9b4e019ULL ^
                                           static_cast<std::uint64_t>(iy) * 0x8cb92ba72f3d8dd7ULL));
    return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

double value_noise(double x, double y, std::uint64_t seed) {
    const double fx = std::floor(x), fy = std::floor(y);
    const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
    const double tx = x - fx, ty = y - fy;
    const double sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty);
    const double a = lattice(ix, iy, seed), b = lattice(ix + 1, iy, seed);
    const double c = lattice(ix, iy + 1, seed), d = lattice(ix + 1, iy + 1, seed);
    return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy;
}

/// Fractal Brownian motion in [0, 1].
double fbm(double x, double y, int octaves, std::uint64_t seed) {
    double sum = 0.0, amp = 1.0, norm = 0.0, freq = 1.0;
    for (int o = 0; o < octaves; ++o) {
        sum += amp * value_noise(x * freq, y * freq, seed + static_cast<std::uint64_t>(o) * 1013);
        norm += amp;
        amp *= 0.5;
        freq *= 2.03;
    }
    return sum / norm;
}

double smoothstep(double e0, double e1, double x) {
    const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

// ---- names ------------------------------------------------------------------------------------------------

const std::array<const char*, 24> kPlainA{"Tân", "Hòa", "Phú", "An", "Thanh", "Đông", "Quảng", "Minh", "Hưng", "Long",
                                          "Vĩnh", "Bình", "Đức", "Thịnh", "Phúc", "Yên", "Hải", "Nghĩa", "Trung", "Kim",
                                          "Hồng", "Cẩm", "Xuân", "Định"};
const std::array<const char*, 20> kPlainB{"Lập", "Bình", "Hòa", "Thịnh", "Phong", "Tiến", "Lợi", "Thành", "Hải", "Sơn",
                                          "Lâm", "Phú", "Hưng", "Lộc", "Mỹ", "Khánh", "Thuận", "Tân", "An", "Đạt"};
const std::array<const char*, 16> kHillA{"Lũng", "Nà", "Khuổi", "Pác", "Bản", "Phìn", "Sà", "Mường", "Pù", "Nậm", "Tả",
                                         "Ma", "Lao", "Sủng", "Thèn", "Cốc"};
const std::array<const char*, 16> kHillB{"Cú", "Phìn", "Lầu", "Mò", "Chải", "Pảng", "Tủng", "Hồ", "Vài", "Chang", "Sán",
                                         "Lìn", "Pàng", "Mế", "Khao", "Thàng"};

std::string place_name(Rng& rng, bool hill) {
    if (hill) return fmt::format("{} {}", kHillA[rng.index(kHillA.size())], kHillB[rng.index(kHillB.size())]);
    return fmt::format("{} {}", kPlainA[rng.index(kPlainA.size())], kPlainB[rng.index(kPlainB.size())]);
}

// ---- the generator ----------------------------------------------------------------------------------------

constexpr std::size_t kCols = 700, kRows = 950;   // 70 km x 95 km at 100 m
constexpr double kCell = 100.0;
constexpr double kX0 = 700000.0, kY0 = 2420000.0; // UTM 48N (synthetic place; see README)

struct Settlement {
    std::size_t cell;
    std::string name;
    std::string kind;  // city, town, village
    double population;
    bool hill;
    bool island;
    std::int32_t district = 0;  // for towns: the district they are the seat of
};

class Generator {
public:
    explicit Generator(std::uint64_t seed) : m_seed(seed), m_rng(seed) {
        m_p.grid = make_grid_spec(kCols, kRows, kCell, kX0, kY0, geodata::crs_from_user("EPSG:32648", "demo province"));
    }

    DemoProvince run() {
        terrain();
        drainage();
        land_cover();
        settlements();
        communes();
        roads();
        stamp_built_up();
        population();
        facilities();
        ferry();
        border_line();
        return std::move(m_p);
    }

private:
    // km coordinates of a cell (x east, y south from the top edge)
    double kx(std::size_t c) const { return (static_cast<double>(c) + 0.5) * kCell / 1000.0; }
    double ky(std::size_t r) const { return (static_cast<double>(r) + 0.5) * kCell / 1000.0; }
    XY map_xy(std::size_t cell) const {
        return {m_p.grid.transform.x_of(static_cast<double>(cell % kCols)),
                m_p.grid.transform.y_of(static_cast<double>(cell / kCols))};
    }
    std::size_t cell_of_km(double x, double y) const {
        const auto c = static_cast<std::size_t>(std::clamp(x * 1000.0 / kCell, 0.0, kCols - 1.0));
        const auto r = static_cast<std::size_t>(std::clamp(y * 1000.0 / kCell, 0.0, kRows - 1.0));
        return r * kCols + c;
    }
    double coast_y(double x) const {
        return 60.0 + 3.5 * std::sin(x / 8.5 + 0.7) + 1.6 * std::sin(x / 3.1) + 4.0 * (fbm(x / 10.0, 0.5, 3, m_seed + 1) - 0.5);
    }
    double border_y(double x) const {
        return 7.0 + 1.8 * std::sin(x / 9.0 + 1.3) + 2.0 * (fbm(x / 6.0, 3.3, 3, m_seed + 2) - 0.5);
    }
    /// Distance (km) to the nearer of the two main river corridors, which meander from the mountains to the sea.
    double corridor_distance(double x, double y) const {
        const double a = 22.0 + 3.0 * std::sin(y / 6.0) + 1.5 * std::sin(y / 2.3 + 1.0);
        const double b = 50.0 + 2.5 * std::sin(y / 5.0 + 2.0) + 1.2 * std::sin(y / 1.9);
        return std::min(std::abs(x - a), std::abs(x - b));
    }
    double island_shape(double x, double y) const {
        // Ellipse centred 44 km east, 82 km south; ~14 x 6.5 km, turned 20 degrees, ragged coast.
        const double a = 0.35, dx = x - 44.0, dy = y - 82.0;
        const double u = dx * std::cos(a) + dy * std::sin(a), v = -dx * std::sin(a) + dy * std::cos(a);
        return std::sqrt((u / 7.0) * (u / 7.0) + (v / 3.2) * (v / 3.2)) + 0.35 * (fbm(x / 2.0, y / 2.0, 3, m_seed + 3) - 0.5);
    }
    bool land(std::size_t i) const { return m_land[i] != 0; }
    bool in_province(std::size_t i) const { return land(i) && ky(i / kCols) > border_y(kx(i % kCols)); }
    double slope(std::size_t i) const {
        const std::size_t c = i % kCols, r = i / kCols;
        const std::size_t c0 = c > 0 ? c - 1 : c, c1 = c + 1 < kCols ? c + 1 : c;
        const std::size_t r0 = r > 0 ? r - 1 : r, r1 = r + 1 < kRows ? r + 1 : r;
        const auto& e = m_p.elevation_m;
        const double gx = (e(c1, r) - e(c0, r)) / (static_cast<double>(c1 - c0) * kCell);
        const double gy = (e(c, r1) - e(c, r0)) / (static_cast<double>(r1 - r0) * kCell);
        return std::hypot(gx, gy);
    }

    void terrain() {
        m_p.elevation_m = Grid<float>(m_p.grid, 0.0f);
        m_land.assign(m_p.grid.cell_count(), 0);
        m_island.assign(m_p.grid.cell_count(), 0);
        for (std::size_t r = 0; r < kRows; ++r)
            for (std::size_t c = 0; c < kCols; ++c) {
                const double x = kx(c), y = ky(r);
                const std::size_t i = r * kCols + c;
                const double cy = coast_y(x);
                double h;
                if (y < cy) {
                    const double m = 1.0 - smoothstep(8.0, 44.0, y);  // 1 in the mountains, 0 on the plain
                    const double ridged = 1.0 - std::abs(2.0 * fbm(x / 6.0, y / 6.0, 5, m_seed + 4) - 1.0);
                    const double broad = fbm(x / 15.0, y / 15.0, 4, m_seed + 5);
                    // Two main river corridors: broad valleys in the mountains, a lateral fall towards them on the
                    // plain, so streams gather into rivers instead of running straight to the sea.
                    const double dv = corridor_distance(x, y);
                    const double valley = 1.0 - 0.6 * std::exp(-(dv / 4.0) * (dv / 4.0));
                    h = 1.5 + (cy - y) * 0.45 + 0.35 * dv * (1.0 - m) +
                        std::pow(m, 1.4) * valley * (250.0 + 1100.0 * ridged * broad + 500.0 * broad) +
                        (1.0 - m) * (5.0 * fbm(x / 2.0, y / 2.0, 4, m_seed + 6) +
                                     60.0 * std::pow(std::max(0.0, fbm(x / 4.0, y / 4.0, 3, m_seed + 8) - 0.62), 1.2));
                    m_land[i] = 1;
                } else {
                    h = -1.0 - (y - cy) * 1.6;
                    const double d = island_shape(x, y);
                    if (d < 1.0) {
                        h = 2.0 + 240.0 * std::pow(1.0 - d, 1.5) * (0.6 + 0.8 * fbm(x / 1.5, y / 1.5, 4, m_seed + 7));
                        m_land[i] = 1;
                        m_island[i] = 1;
                    }
                }
                m_p.elevation_m[i] = static_cast<float>(h);
            }
    }

    // Priority-Flood (Barnes, Lehman & Mulla 2014): D8 flow directions that drain every land cell to the sea or the
    // grid edge, then flow accumulation in reverse processing order.
    void drainage() {
        const std::size_t n = m_p.grid.cell_count();
        m_flow_to.assign(n, SIZE_MAX);
        m_accumulation.assign(n, 1.0);
        std::vector<std::uint8_t> seen(n, 0);
        std::vector<float> filled(m_p.elevation_m.values());
        using Item = std::pair<float, std::size_t>;
        std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t c = i % kCols, r = i / kCols;
            if (!land(i) || c == 0 || r == 0 || c == kCols - 1 || r == kRows - 1) {
                seen[i] = 1;
                if (!land(i)) continue;
                open.push({filled[i], i});
            }
        }
        // Sea cells next to land seed the flood.
        for (std::size_t i = 0; i < n; ++i) {
            if (land(i)) continue;
            const std::size_t c = i % kCols, r = i / kCols;
            bool coast = false;
            for (int dr = -1; dr <= 1 && !coast; ++dr)
                for (int dc = -1; dc <= 1; ++dc) {
                    const long rr = static_cast<long>(r) + dr, cc = static_cast<long>(c) + dc;
                    if (rr < 0 || cc < 0 || rr >= static_cast<long>(kRows) || cc >= static_cast<long>(kCols)) continue;
                    if (land(static_cast<std::size_t>(rr) * kCols + static_cast<std::size_t>(cc))) coast = true;
                }
            if (coast) open.push({filled[i], i});
        }
        std::vector<std::size_t> order;
        order.reserve(n);
        while (!open.empty()) {
            auto [h, i] = open.top();
            open.pop();
            order.push_back(i);
            const long c = static_cast<long>(i % kCols), r = static_cast<long>(i / kCols);
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc) {
                    if (dr == 0 && dc == 0) continue;
                    const long rr = r + dr, cc = c + dc;
                    if (rr < 0 || cc < 0 || rr >= static_cast<long>(kRows) || cc >= static_cast<long>(kCols)) continue;
                    const std::size_t j = static_cast<std::size_t>(rr) * kCols + static_cast<std::size_t>(cc);
                    if (seen[j]) continue;
                    seen[j] = 1;
                    m_flow_to[j] = i;
                    filled[j] = std::max(filled[j], std::nextafter(h, 1e9f));
                    open.push({filled[j], j});
                }
        }
        for (auto it = order.rbegin(); it != order.rend(); ++it)
            if (m_flow_to[*it] != SIZE_MAX && land(*it)) m_accumulation[m_flow_to[*it]] += m_accumulation[*it];
        // River cells: more than 20 km2 upstream.
        m_river.assign(n, 0);
        for (std::size_t i = 0; i < n; ++i)
            if (land(i) && m_accumulation[i] >= 2000.0) m_river[i] = 1;
        trace_rivers();
    }

    void trace_rivers() {
        const std::size_t n = m_p.grid.cell_count();
        std::vector<std::uint8_t> has_upstream(n, 0), visited(n, 0);
        for (std::size_t i = 0; i < n; ++i)
            if (m_river[i] && m_flow_to[i] != SIZE_MAX) has_upstream[m_flow_to[i]] = 1;
        // Name river systems by their mouth, biggest first.
        std::vector<std::size_t> heads;
        for (std::size_t i = 0; i < n; ++i)
            if (m_river[i] && !has_upstream[i]) heads.push_back(i);
        const std::array<const char*, 8> big{"Sông Lam Giang", "Sông Bạch Đằng Thượng", "Sông Kỳ Cùng Nam", "Sông Tiên Yên",
                                             "Sông Ba Chẽ", "Sông Đầm Hà", "Sông Hà Cối", "Sông Khe Tiên"};
        std::map<std::size_t, std::string> mouth_names;
        std::vector<std::pair<double, std::size_t>> mouths;
        for (std::size_t i = 0; i < n; ++i)
            if (m_river[i] && (m_flow_to[i] == SIZE_MAX || !land(m_flow_to[i]))) mouths.push_back({-m_accumulation[i], i});
        std::sort(mouths.begin(), mouths.end());
        for (std::size_t k = 0; k < mouths.size(); ++k)
            mouth_names[mouths[k].second] = k < big.size() ? big[k] : fmt::format("Suối {}", place_name(m_rng, true));
        auto mouth_of = [&](std::size_t i) {
            while (m_flow_to[i] != SIZE_MAX && land(m_flow_to[i]) && m_river[m_flow_to[i]]) i = m_flow_to[i];
            return i;
        };
        // Trace longest-first so main stems come out as single lines.
        std::sort(heads.begin(), heads.end(), [&](std::size_t a, std::size_t b) {
            return m_p.elevation_m[a] != m_p.elevation_m[b] ? m_p.elevation_m[a] > m_p.elevation_m[b] : a < b;
        });
        for (std::size_t h : heads) {
            LineFeature line;
            std::size_t i = h;
            double max_acc = 0.0;
            for (;;) {
                line.points.push_back(map_xy(i));
                max_acc = std::max(max_acc, m_accumulation[i]);
                if (visited[i]) break;
                visited[i] = 1;
                const std::size_t next = m_flow_to[i];
                if (next == SIZE_MAX) break;
                if (!land(next)) {
                    line.points.push_back(map_xy(next));  // into the sea
                    break;
                }
                i = next;
            }
            if (line.points.size() < 2) continue;
            const std::size_t mouth = mouth_of(h);
            line.attributes["name"] = max_acc > 8000.0 ? mouth_names[mouth] : fmt::format("Suối {}", place_name(m_rng, true));
            line.attributes["waterway"] = max_acc > 8000.0 ? "river" : "stream";
            line.attributes["upstream_km2"] = fmt::format("{:.0f}", max_acc * kCell * kCell / 1e6);
            m_p.rivers.push_back(std::move(line));
        }
    }

    void land_cover() {
        using namespace landcover;
        m_p.landcover = Grid<std::uint8_t>(m_p.grid, water);
        for (std::size_t i = 0; i < m_p.grid.cell_count(); ++i) {
            if (!land(i)) continue;
            const double x = kx(i % kCols), y = ky(i / kCols), h = m_p.elevation_m[i], s = slope(i);
            const double n1 = fbm(x / 2.5, y / 2.5, 4, m_seed + 11), n2 = fbm(x / 1.2, y / 1.2, 3, m_seed + 12);
            std::uint8_t lc;
            if (m_accumulation[i] > 25000.0 && y > 35.0) lc = water;  // wide lower river: a real water body
            else if (h < 3.0 && n1 > 0.55 && !m_island[i]) lc = mangroves;
            else if (h < 4.0 && n2 > 0.72) lc = wetland;
            else if ((h < 70.0 && s < 0.05 && n2 > 0.18) || (h < 700.0 && s < 0.12 && n1 > 0.52)) lc = cropland;
            else if (h > 1400.0 && s > 0.45) lc = bare;
            else if (n2 > 0.66) lc = shrubland;
            else if (n2 < 0.24) lc = grassland;
            else lc = tree_cover;
            m_p.landcover[i] = lc;
        }
    }

    std::size_t nearest_suitable(double x, double y, double radius_km, bool want_island) {
        std::size_t best = SIZE_MAX;
        double best_score = 1e18;
        const std::size_t centre = cell_of_km(x, y);
        const long c0 = static_cast<long>(centre % kCols), r0 = static_cast<long>(centre / kCols);
        const long rad = static_cast<long>(radius_km * 1000.0 / kCell);
        for (long r = r0 - rad; r <= r0 + rad; ++r)
            for (long c = c0 - rad; c <= c0 + rad; ++c) {
                if (r < 0 || c < 0 || r >= static_cast<long>(kRows) || c >= static_cast<long>(kCols)) continue;
                const std::size_t i = static_cast<std::size_t>(r) * kCols + static_cast<std::size_t>(c);
                if (!in_province(i) || m_p.landcover[i] == landcover::water || m_river[i] ||
                    (m_island[i] != 0) != want_island)
                    continue;
                const double d = std::hypot(double(c - c0), double(r - r0)) + 40.0 * slope(i);
                if (d < best_score) {
                    best_score = d;
                    best = i;
                }
            }
        if (best == SIZE_MAX) throw InternalError("demo: no suitable land for a settlement");
        return best;
    }

    void settlements() {
        // Provincial capital near the coast on the plain, district towns, the island town facing the mainland.
        struct TownSpec { double x, y; const char* town; const char* district; const char* kind; double pop; bool island; };
        const double cap_x = 34.0;
        const std::array<TownSpec, 6> towns{{
            {cap_x, coast_y(cap_x) - 4.0, "Thành phố Sơn Hải", "Thành phố Sơn Hải", "city", 118000, false},
            {20.0, border_y(20.0) + 3.0, "Thị trấn Biên Sơn", "Huyện Biên Sơn", "mountain", 9000, false},
            {52.0, 21.0, "Thị trấn Cao Lĩnh", "Huyện Cao Lĩnh", "mountain", 11000, false},
            {11.0, coast_y(11.0) - 7.0, "Thị trấn Đông Hòa", "Huyện Đông Hòa", "plain", 21000, false},
            {60.0, coast_y(60.0) - 6.0, "Thị trấn Hải Tiến", "Huyện Hải Tiến", "plain", 17000, false},
            {41.0, 79.8, "Thị trấn Cô Lam", "Huyện đảo Cô Lam", "island", 8500, true},
        }};
        std::int32_t district_id = 0;
        for (const auto& t : towns) {
            ++district_id;
            const std::size_t cell = nearest_suitable(t.x, t.y, 4.0, t.island);
            m_p.districts.push_back({district_id, t.district, t.kind, map_xy(cell)});
            m_towns.push_back({cell, t.town, district_id == 1 ? "city" : "town", t.pop, std::string(t.kind) == "mountain",
                               t.island, district_id});
        }
        // Villages: suitability sampling with minimum spacing (hamlets in the hills are smaller and sparser).
        std::vector<Settlement> villages;
        auto far_enough = [&](std::size_t cell, double min_m) {
            const XY p = map_xy(cell);
            for (const auto& s : m_towns)
                if (std::hypot(map_xy(s.cell).x - p.x, map_xy(s.cell).y - p.y) < std::max(min_m, 2500.0)) return false;
            for (const auto& s : villages)
                if (std::hypot(map_xy(s.cell).x - p.x, map_xy(s.cell).y - p.y) < min_m) return false;
            return true;
        };
        for (int attempt = 0; attempt < 60000 && villages.size() < 520; ++attempt) {
            const std::size_t i = m_rng.index(m_p.grid.cell_count());
            if (!in_province(i) || m_p.landcover[i] == landcover::water || m_river[i]) continue;
            const double h = m_p.elevation_m[i], s = slope(i);
            const bool hill = h > 150.0;
            double suit = std::exp(-s / 0.08) * (hill ? 0.35 : 1.0) * (m_p.landcover[i] == landcover::cropland ? 1.0 : 0.4);
            if (m_island[i]) suit *= 0.8;
            if (m_rng.uniform() > suit) continue;
            if (!far_enough(i, hill ? 1300.0 : 1000.0)) continue;
            double pop;
            if (m_island[i]) pop = std::exp(m_rng.uniform(std::log(300.0), std::log(1500.0)));
            else if (hill) pop = std::exp(m_rng.uniform(std::log(80.0), std::log(650.0)));
            else pop = std::exp(m_rng.uniform(std::log(700.0), std::log(3600.0)));
            const bool village_hill = hill && !m_island[i];
            villages.push_back({i, fmt::format("{} {}", village_hill ? "Bản" : "Thôn", place_name(m_rng, village_hill)),
                                "village", std::round(pop), village_hill, m_island[i] != 0});
        }
        // Scale villages so the province holds about 620,000 people (with ~7% scattered farm households).
        double towns_total = 0.0, villages_total = 0.0;
        for (const auto& t : m_towns) towns_total += t.population;
        for (const auto& v : villages) villages_total += v.population;
        const double scale = (620000.0 / 1.07 - towns_total) / villages_total;
        for (auto& v : villages) v.population = std::max(30.0, std::round(v.population * scale));
        m_villages = std::move(villages);
        for (const auto& s : m_towns)
            m_p.settlements.push_back({map_xy(s.cell), {{"name", s.name}, {"kind", s.kind},
                                                        {"population", fmt::format("{:.0f}", s.population)}}});
        for (const auto& s : m_villages)
            m_p.settlements.push_back({map_xy(s.cell), {{"name", s.name}, {"kind", s.kind},
                                                        {"population", fmt::format("{:.0f}", s.population)}}});
    }

    // Walking-cost friction for commune catchments and road routing: steep, wet and river cells cost more.
    Grid<float> routing_cost(double river_penalty) const {
        Grid<float> f(m_p.grid, std::numeric_limits<float>::infinity());
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (!in_province(i) || m_p.landcover[i] == landcover::water) continue;
            const double s = slope(i);
            double cost = 1.0 + 60.0 * s * s + (m_p.landcover[i] == landcover::wetland ||
                                                m_p.landcover[i] == landcover::mangroves ? 2.0 : 0.0);
            if (m_river[i]) cost += river_penalty;
            f[i] = static_cast<float>(cost);
        }
        return f;
    }

    void communes() {
        // Seats: wards of the capital, one township per district town, then the largest villages, spaced apart.
        struct Seat { std::size_t cell; std::string name; std::int32_t district; bool hill; };
        std::vector<Seat> seats;
        const XY cap = map_xy(m_towns[0].cell);
        const std::array<const char*, 7> wards{"Phường Hồng Hà", "Phường Bạch Đằng", "Phường Trần Hưng Đạo",
                                               "Phường Cao Xanh", "Phường Hà Lầm", "Phường Giếng Đáy", "Phường Yết Kiêu"};
        for (std::size_t w = 0; w < wards.size(); ++w) {
            const double a = 2.0 * M_PI * static_cast<double>(w) / 7.0;
            const double rad = w == 0 ? 0.0 : 1.8;
            const std::size_t cell = nearest_suitable((cap.x - kX0) / 1000.0 + rad * std::cos(a),
                                                      (kY0 - cap.y) / 1000.0 + rad * std::sin(a), 1.5, false);
            seats.push_back({cell, wards[w], 1, false});
        }
        for (std::size_t t = 1; t < m_towns.size(); ++t)
            seats.push_back({m_towns[t].cell, m_towns[t].name, m_towns[t].district, m_towns[t].hill});
        std::vector<std::size_t> order(m_villages.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return m_villages[a].population > m_villages[b].population; });
        for (std::size_t k : order) {
            const auto& v = m_villages[k];
            const double spacing = v.island ? 3000.0 : v.hill ? 5500.0 : 2700.0;
            const XY p = map_xy(v.cell);
            bool ok = true;
            for (const auto& s : seats)
                if (std::hypot(map_xy(s.cell).x - p.x, map_xy(s.cell).y - p.y) < spacing) ok = false;
            if (ok) seats.push_back({v.cell, "Xã " + v.name.substr(v.name.find(' ') + 1), 0, v.hill});
        }
        // Catchments: every province cell joins the seat it reaches first on foot (watershed-like boundaries).
        Grid<float> cost = routing_cost(4.0);
        std::vector<SourceCell> sources;
        for (std::size_t s = 0; s < seats.size(); ++s) sources.push_back({seats[s].cell, static_cast<std::int32_t>(s + 1)});
        TravelTimeOptions eight;
        eight.neighbours = Neighbourhood::eight;
        TravelTimeResult reach = compute_travel_time(cost, sources, eight);
        // District of each rural seat: the district town it reaches first.
        std::vector<SourceCell> town_sources;
        for (const auto& t : m_towns) town_sources.push_back({t.cell, t.district});
        TravelTimeResult towns = compute_travel_time(cost, town_sources, eight);
        m_p.commune_id = Grid<std::int32_t>(m_p.grid, 0);
        for (std::size_t i = 0; i < m_p.grid.cell_count(); ++i) {
            if (!in_province(i)) continue;
            std::int32_t id = reach.nearest[i];
            if (id == no_facility) {  // islets with no seat: the nearest seat as the crow flies
                double best = 1e18;
                const XY p = map_xy(i);
                for (std::size_t s = 0; s < seats.size(); ++s) {
                    const XY q = map_xy(seats[s].cell);
                    const double d = std::hypot(p.x - q.x, p.y - q.y);
                    if (d < best) {
                        best = d;
                        id = static_cast<std::int32_t>(s + 1);
                    }
                }
            }
            m_p.commune_id[i] = id;
        }
        std::vector<int> per_district(m_towns.size() + 1, 0);
        for (std::size_t s = 0; s < seats.size(); ++s) {
            Commune c;
            c.id = static_cast<std::int32_t>(s + 1);
            c.name = seats[s].name;
            c.district_id = seats[s].district != 0 ? seats[s].district : towns.nearest[seats[s].cell];
            if (c.district_id <= 0) c.district_id = 1;
            c.code = fmt::format("SH{:02d}{:02d}", c.district_id, ++per_district[static_cast<std::size_t>(c.district_id)]);
            c.seat = map_xy(seats[s].cell);
            c.extremely_difficult = seats[s].hill && m_p.elevation_m[seats[s].cell] > 450.0;
            m_p.communes.push_back(c);
            m_seat_cells.push_back(seats[s].cell);
        }
        // Keep the district of each commune for villages and facilities.
        m_commune_district.assign(m_p.communes.size() + 1, 0);
        for (const auto& c : m_p.communes) m_commune_district[static_cast<std::size_t>(c.id)] = c.district_id;
    }

    // Least-cost road routing: one 8-neighbour Dijkstra from the existing network, then steepest descent on the
    // cost field from each new place (Dijkstra predecessors are always downhill), so branches merge into trees.
    std::vector<std::vector<std::size_t>> route_to_network(const Grid<float>& cost, const std::vector<std::size_t>& network,
                                                           const std::vector<std::size_t>& from) {
        std::vector<SourceCell> sources;
        for (std::size_t cell : network) sources.push_back({cell, 0});
        TravelTimeOptions eight;
        eight.neighbours = Neighbourhood::eight;
        TravelTimeResult t = compute_travel_time(cost, sources, eight);
        std::vector<std::vector<std::size_t>> paths;
        for (std::size_t start : from) {
            std::vector<std::size_t> path{start};
            std::size_t i = start;
            if (!std::isfinite(t.minutes[i])) {
                paths.push_back({});
                continue;
            }
            for (std::size_t guard = 0; t.minutes[i] > 0.0f && guard < 20000; ++guard) {
                const long c = static_cast<long>(i % kCols), r = static_cast<long>(i / kCols);
                std::size_t best = i;
                for (int dr = -1; dr <= 1; ++dr)
                    for (int dc = -1; dc <= 1; ++dc) {
                        const long rr = r + dr, cc = c + dc;
                        if (rr < 0 || cc < 0 || rr >= static_cast<long>(kRows) || cc >= static_cast<long>(kCols)) continue;
                        const std::size_t j = static_cast<std::size_t>(rr) * kCols + static_cast<std::size_t>(cc);
                        if (t.minutes[j] < t.minutes[best]) best = j;
                    }
                if (best == i) break;
                i = best;
                path.push_back(i);
            }
            paths.push_back(std::move(path));
        }
        return paths;
    }

    void add_road(const std::vector<std::size_t>& path, const std::string& highway, const std::string& name) {
        if (path.size() < 2) return;
        // Keep the turning points only.
        LineFeature line;
        line.points.push_back(map_xy(path.front()));
        for (std::size_t k = 1; k + 1 < path.size(); ++k) {
            const long d1 = static_cast<long>(path[k]) - static_cast<long>(path[k - 1]);
            const long d2 = static_cast<long>(path[k + 1]) - static_cast<long>(path[k]);
            if (d1 != d2) line.points.push_back(map_xy(path[k]));
        }
        line.points.push_back(map_xy(path.back()));
        line.attributes["highway"] = highway;
        line.attributes["name"] = name;
        m_p.roads.push_back(std::move(line));
        for (std::size_t cell : path) m_network.push_back(cell);
    }

    void roads() {
        const Grid<float> cost = routing_cost(25.0);
        const std::size_t capital = m_towns[0].cell;
        m_network = {capital};
        auto town = [&](std::size_t k) { return m_towns[k].cell; };
        // National highway QL18S along the plain: west edge - Đông Hòa - capital - Hải Tiến - east edge.
        const std::size_t west_edge = nearest_suitable(0.5, coast_y(0.5) - 9.0, 3.0, false);
        const std::size_t east_edge = nearest_suitable(69.5, coast_y(69.5) - 9.0, 3.0, false);
        auto leg = [&](std::size_t from, std::size_t to, const std::string& highway, const std::string& name) {
            add_road(route_to_network(cost, {to}, {from}).front(), highway, name);
        };
        leg(town(3), capital, "trunk", "Quốc lộ 18S");
        leg(west_edge, town(3), "trunk", "Quốc lộ 18S");
        leg(town(4), capital, "trunk", "Quốc lộ 18S");
        leg(east_edge, town(4), "trunk", "Quốc lộ 18S");
        // Provincial roads into the mountains and to the border gate.
        add_road(route_to_network(cost, m_network, {town(2)}).front(), "primary", "Quốc lộ 4B");
        add_road(route_to_network(cost, m_network, {town(1)}).front(), "primary", "Quốc lộ 4B");
        leg(town(1), town(3), "secondary", "Đường tỉnh 341");
        // Island: its own network around the island town.
        m_network.push_back(town(5));
        // Commune seats, then villages, join the nearest road.
        std::vector<std::size_t> seats(m_seat_cells.begin(), m_seat_cells.end());
        auto seat_paths = route_to_network(cost, m_network, seats);
        for (std::size_t s = 0; s < seat_paths.size(); ++s)
            add_road(seat_paths[s], "tertiary", fmt::format("Đường xã {}", m_p.communes[s].name));
        std::vector<std::size_t> village_cells;
        for (const auto& v : m_villages) village_cells.push_back(v.cell);
        auto village_paths = route_to_network(cost, m_network, village_cells);
        for (std::size_t k = 0; k < village_paths.size(); ++k) {
            const auto& v = m_villages[k];
            const std::string highway = !v.hill ? "unclassified" : v.population >= 200 ? "track" : "path";
            add_road(village_paths[k], highway, "Đường " + v.name);
        }
        // Town streets: a grid of residential streets on land.
        for (std::size_t t = 0; t < m_towns.size(); ++t) {
            const XY c = map_xy(m_towns[t].cell);
            const double half = t == 0 ? 2400.0 : 800.0, step = t == 0 ? 400.0 : 400.0;
            for (double off = -half; off <= half + 1.0; off += step) {
                street(c.x - half, c.y + off, c.x + half, c.y + off);
                street(c.x + off, c.y - half, c.x + off, c.y + half);
            }
        }
    }

    // A straight street clipped to province land (split where it meets water).
    void street(double x0, double y0, double x1, double y1) {
        const int steps = static_cast<int>(std::hypot(x1 - x0, y1 - y0) / 50.0);
        std::vector<std::size_t> run;
        auto flush = [&] {
            if (run.size() >= 4) add_road(run, "residential", "Phố");
            run.clear();
        };
        for (int k = 0; k <= steps; ++k) {
            const double x = x0 + (x1 - x0) * k / steps, y = y0 + (y1 - y0) * k / steps;
            auto cell = m_p.grid.cell_at(x, y);
            if (!cell || !in_province(*cell) || m_p.landcover[*cell] == landcover::water) {
                flush();
                continue;
            }
            if (run.empty() || run.back() != *cell) run.push_back(*cell);
        }
        flush();
    }

    void stamp_built_up() {
        auto stamp = [&](std::size_t centre, double radius_m) {
            const long c0 = static_cast<long>(centre % kCols), r0 = static_cast<long>(centre / kCols);
            const long rad = static_cast<long>(radius_m / kCell) + 1;
            const double x0 = kx(static_cast<std::size_t>(c0)), y0 = ky(static_cast<std::size_t>(r0));
            for (long r = r0 - rad; r <= r0 + rad; ++r)
                for (long c = c0 - rad; c <= c0 + rad; ++c) {
                    if (r < 0 || c < 0 || r >= static_cast<long>(kRows) || c >= static_cast<long>(kCols)) continue;
                    const std::size_t i = static_cast<std::size_t>(r) * kCols + static_cast<std::size_t>(c);
                    if (!in_province(i) || m_p.landcover[i] == landcover::water || m_river[i]) continue;
                    const double d = std::hypot(double(c - c0), double(r - r0)) * kCell;
                    const double ragged = radius_m * (0.75 + 0.5 * fbm(kx(static_cast<std::size_t>(c)) + x0,
                                                                       ky(static_cast<std::size_t>(r)) + y0, 3, m_seed + 21));
                    if (d <= ragged) m_p.landcover[i] = landcover::built_up;
                }
        };
        for (const auto& t : m_towns) stamp(t.cell, 260.0 * std::sqrt(t.population / 1000.0));
        for (const auto& v : m_villages) stamp(v.cell, 45.0 * std::sqrt(v.population / 100.0));
    }

    void population() {
        const std::size_t n = m_p.grid.cell_count();
        m_p.population = Grid<float>(m_p.grid, 0.0f);
        std::vector<double> pop(n, 0.0);
        auto spread = [&](std::size_t centre, double people, double sigma_m) {
            const long c0 = static_cast<long>(centre % kCols), r0 = static_cast<long>(centre / kCols);
            const long rad = static_cast<long>(3.0 * sigma_m / kCell) + 1;
            std::vector<std::pair<std::size_t, double>> w;
            double total = 0.0;
            for (long r = r0 - rad; r <= r0 + rad; ++r)
                for (long c = c0 - rad; c <= c0 + rad; ++c) {
                    if (r < 0 || c < 0 || r >= static_cast<long>(kRows) || c >= static_cast<long>(kCols)) continue;
                    const std::size_t i = static_cast<std::size_t>(r) * kCols + static_cast<std::size_t>(c);
                    if (m_p.commune_id[i] == 0 || m_p.landcover[i] == landcover::water || m_river[i]) continue;
                    const double d = std::hypot(double(c - c0), double(r - r0)) * kCell;
                    const double weight = std::exp(-0.5 * (d / sigma_m) * (d / sigma_m));
                    w.push_back({i, weight});
                    total += weight;
                }
            for (auto [i, weight] : w) pop[i] += people * weight / total;
        };
        for (const auto& t : m_towns) spread(t.cell, t.population, std::clamp(320.0 * std::sqrt(t.population / 1000.0), 150.0, 2600.0));
        for (const auto& v : m_villages) spread(v.cell, v.population, std::clamp(90.0 * std::sqrt(v.population / 100.0), 90.0, 500.0));
        // Scattered farm households on cropland: 7% of the settled total.
        double settled = std::accumulate(pop.begin(), pop.end(), 0.0);
        std::vector<std::size_t> farm;
        for (std::size_t i = 0; i < n; ++i)
            if (m_p.commune_id[i] != 0 && m_p.landcover[i] == landcover::cropland) farm.push_back(i);
        for (std::size_t i : farm) pop[i] += 0.07 * settled / static_cast<double>(farm.size());
        for (std::size_t i = 0; i < n; ++i) m_p.population[i] = static_cast<float>(pop[i]);

        // Age structure: shares of the total in each band, from Vietnam's 2019 census pattern: younger in the
        // mountains (ethnic-minority districts), older in the city. Bands follow WorldPop: 0, 1-4, 5-9, 10-14, 15-19.
        struct Share { double a0, a1_4, a5, a10, a15; };
        const Share city{0.014, 0.054, 0.072, 0.062, 0.064};
        const Share plain{0.016, 0.063, 0.083, 0.071, 0.066};
        const Share mountain{0.021, 0.080, 0.098, 0.088, 0.080};
        const std::array<double, 5> male_share{0.527, 0.527, 0.522, 0.517, 0.512};  // sex ratio at birth ~111
        const std::array<const char*, 5> ages{"0", "1", "5", "10", "15"};
        std::vector<Grid<float>> f(5, Grid<float>(m_p.grid, 0.0f)), m(5, Grid<float>(m_p.grid, 0.0f));
        const XY cap = map_xy(m_towns[0].cell);
        for (std::size_t i = 0; i < n; ++i) {
            if (pop[i] <= 0.0) continue;
            const std::size_t district = static_cast<std::size_t>(m_commune_district[static_cast<std::size_t>(m_p.commune_id[i])]);
            const XY p = map_xy(i);
            const double urban = std::exp(-std::hypot(p.x - cap.x, p.y - cap.y) / 3000.0);
            const double hill = m_p.districts[district - 1].kind == "mountain" ? 1.0 : 0.0;
            auto blend = [&](double c, double pl, double mo) { return urban * c + (1 - urban) * (hill * mo + (1 - hill) * pl); };
            const std::array<double, 5> share{blend(city.a0, plain.a0, mountain.a0), blend(city.a1_4, plain.a1_4, mountain.a1_4),
                                              blend(city.a5, plain.a5, mountain.a5), blend(city.a10, plain.a10, mountain.a10),
                                              blend(city.a15, plain.a15, mountain.a15)};
            for (std::size_t b = 0; b < 5; ++b) {
                m[b][i] = static_cast<float>(pop[i] * share[b] * male_share[b]);
                f[b][i] = static_cast<float>(pop[i] * share[b] * (1.0 - male_share[b]));
            }
        }
        for (std::size_t b = 0; b < 5; ++b) m_p.age_sex_bands.emplace_back(fmt::format("f_{}", ages[b]), std::move(f[b]));
        for (std::size_t b = 0; b < 5; ++b) m_p.age_sex_bands.emplace_back(fmt::format("m_{}", ages[b]), std::move(m[b]));
    }

    void add_facility(std::size_t near_cell, const std::string& type, const std::string& name, int capacity,
                      double offset_m = 120.0) {
        // Facilities sit beside the seat, not on top of each other: a small deterministic offset on passable land.
        const double a = m_rng.uniform(0.0, 2.0 * M_PI);
        XY p = map_xy(near_cell);
        XY q{p.x + offset_m * std::cos(a), p.y + offset_m * std::sin(a)};
        auto cell = m_p.grid.cell_at(q.x, q.y);
        if (!cell || m_p.commune_id[*cell] == 0 || m_p.landcover[*cell] == landcover::water || m_river[*cell]) q = p;
        auto home = m_p.grid.cell_at(q.x, q.y);
        const std::int32_t commune = m_p.commune_id[*home];
        m_p.facilities.push_back({q, {{"id", std::to_string(m_p.facilities.size() + 1)},
                                      {"type", type},
                                      {"name", name},
                                      {"capacity", std::to_string(capacity)},
                                      {"commune_code", commune > 0 ? m_p.communes[static_cast<std::size_t>(commune - 1)].code : ""}}});
    }

    void facilities() {
        // Population per commune, for sizing schools.
        std::vector<double> commune_pop(m_p.communes.size() + 1, 0.0);
        for (std::size_t i = 0; i < m_p.grid.cell_count(); ++i) commune_pop[static_cast<std::size_t>(m_p.commune_id[i])] += m_p.population[i];
        auto round50 = [](double v) { return std::max(50, static_cast<int>(std::round(v / 50.0)) * 50); };
        for (std::size_t k = 0; k < m_p.communes.size(); ++k) {
            const Commune& c = m_p.communes[k];
            const std::size_t seat = m_seat_cells[k];
            const double people = commune_pop[static_cast<std::size_t>(c.id)];
            const std::string short_name = c.name.substr(c.name.find(' ') + 1);
            add_facility(seat, "commune_health_station", (c.name.rfind("Phường", 0) == 0 ? "Trạm Y tế phường " : "Trạm Y tế xã ") + short_name, 0);
            add_facility(seat, "primary_school", "Trường Tiểu học " + short_name, round50(people * 0.085 * 1.1));
            add_facility(seat, "kindergarten", "Trường Mầm non " + short_name, round50(people * 0.055));
            const bool hill = m_p.districts[static_cast<std::size_t>(c.district_id - 1)].kind == "mountain";
            // Small mountain communes share a lower secondary school with a neighbour (boarding schools).
            if (!hill || people >= 3500.0) add_facility(seat, "lower_secondary_school", "Trường THCS " + short_name, round50(people * 0.062 * 1.1));
            // City wards are dense: about one primary school per 6,000 people, one lower secondary per 10,000.
            if (c.district_id == 1) {
                for (int extra = 1; extra < static_cast<int>(people / 6000.0); ++extra)
                    add_facility(seat, "primary_school", fmt::format("Trường Tiểu học {} số {}", short_name, extra + 1),
                                 round50(6000.0 * 0.085 * 1.1), 700.0 + 150.0 * extra);
                for (int extra = 1; extra < static_cast<int>(people / 10000.0); ++extra)
                    add_facility(seat, "lower_secondary_school", fmt::format("Trường THCS {} số {}", short_name, extra + 1),
                                 round50(10000.0 * 0.062 * 1.1), 900.0 + 150.0 * extra);
            }
        }
        // Satellite school sites (điểm trường) in mountain villages far from the main school.
        std::vector<XY> primary;
        for (const auto& f : m_p.facilities)
            if (f.attributes.at("type") == "primary_school") primary.push_back(f.point);
        for (const auto& v : m_villages) {
            if (!v.hill || v.population < 150.0) continue;
            const XY p = map_xy(v.cell);
            double nearest = 1e18;
            for (const XY& q : primary) nearest = std::min(nearest, std::hypot(p.x - q.x, p.y - q.y));
            if (nearest < 3000.0) continue;
            add_facility(v.cell, "primary_school", "Điểm trường " + v.name, round50(v.population * 0.09), 60.0);
            add_facility(v.cell, "kindergarten", "Điểm trường Mầm non " + v.name, round50(v.population * 0.06), 60.0);
            primary.push_back(p);
        }
        // Hospitals: the provincial general hospital and one per district town.
        for (std::size_t t = 0; t < m_towns.size(); ++t)
            add_facility(m_towns[t].cell, "hospital",
                         t == 0 ? "Bệnh viện Đa khoa tỉnh Sơn Hải" : "Trung tâm Y tế " + m_p.districts[t].name, 0, 400.0);
        // Playgrounds: mostly in towns; a few in large plain villages.
        for (int k = 0; k < 6; ++k) add_facility(m_towns[0].cell, "playground", fmt::format("Sân chơi thiếu nhi số {}", k + 1), 0, 600.0 + 250.0 * k);
        for (std::size_t t = 1; t < m_towns.size(); ++t) add_facility(m_towns[t].cell, "playground", "Sân chơi " + m_towns[t].name, 0, 250.0);
        int village_playgrounds = 0;
        for (const auto& v : m_villages)
            if (!v.hill && !v.island && v.population > 3000.0 && village_playgrounds < 8) {
                add_facility(v.cell, "playground", "Sân chơi " + v.name, 0, 80.0);
                ++village_playgrounds;
            }
        // Swimming pools are rare: two in the capital, one in Đông Hòa; none in the mountains or on the island.
        add_facility(m_towns[0].cell, "swimming_pool", "Bể bơi Trung tâm Thể dục Thể thao tỉnh", 600, 900.0);
        add_facility(m_towns[0].cell, "swimming_pool", "Bể bơi Trường THCS Trần Hưng Đạo", 300, 1500.0);
        add_facility(m_towns[3].cell, "swimming_pool", "Bể bơi Thị trấn Đông Hòa", 300, 300.0);
    }

    void ferry() {
        // Island port: the island town. Mainland port: the mainland coastal road cell nearest to it.
        const XY island_port = map_xy(m_towns[5].cell);
        std::size_t best = SIZE_MAX;
        double best_d = 1e18;
        for (std::size_t i : m_network) {
            if (m_island[i] || !in_province(i)) continue;
            const XY p = map_xy(i);
            const double d = std::hypot(p.x - island_port.x, p.y - island_port.y);
            if (d < best_d) {
                best_d = d;
                best = i;
            }
        }
        const XY mainland_port = map_xy(best);
        const double crossing = std::round(best_d / 1000.0 / 22.0 * 60.0 + 10.0);  // 22 km/h ferry + boarding
        LineFeature line;
        line.points = {island_port, mainland_port};
        line.attributes = {{"name", "Phà Cô Lam - Cảng Hải Tiến"}, {"crossing_min", fmt::format("{:.0f}", crossing)},
                           {"headway_min", "120"}, {"months", "1-12"}, {"bidirectional", "1"}};
        m_p.ferries.push_back(std::move(line));
    }

    void border_line() {
        LineFeature line;
        for (double x = 0.0; x <= kCols * kCell / 1000.0 + 1e-9; x += 0.25)
            line.points.push_back({kX0 + x * 1000.0, kY0 - border_y(x) * 1000.0});
        line.attributes = {{"name", "Biên giới quốc gia (synthetic)"}, {"admin_level", "2"}};
        m_p.national_border.push_back(std::move(line));
    }

    std::uint64_t m_seed;
    Rng m_rng;
    DemoProvince m_p;
    std::vector<std::uint8_t> m_land, m_island, m_river;
    std::vector<std::size_t> m_flow_to;
    std::vector<double> m_accumulation;
    std::vector<Settlement> m_towns, m_villages;
    std::vector<std::size_t> m_seat_cells, m_network;
    std::vector<std::int32_t> m_commune_district;
};

}  // namespace

DemoProvince generate_demo_province(std::uint64_t seed) { return Generator(seed).run(); }

}  // namespace accessplan::demo
