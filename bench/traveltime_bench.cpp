// Travel-time benchmark against GRASS GIS r.cost -k (see bench/run_traveltime_bench.sh).
//   traveltime_bench generate --size N --sources K --out DIR   random friction surface with roads and lakes
//   traveltime_bench solve DIR [--repeat R]                    times accessplan's solver (16 neighbours, 1 thread)
//   traveltime_bench compare DIR                               compares DIR/ours.tif with DIR/grass.tif

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <omp.h>

#include "accessplan/engine/random.hpp"
#include "accessplan/engine/travel_time.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/raster_io.hpp"

using namespace accessplan;
namespace fs = std::filesystem;

namespace {

long peak_rss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

int generate(std::size_t n, std::size_t k, const fs::path& dir) {
    fs::create_directories(dir);
    const Crs crs = geodata::crs_from_user("EPSG:32648", "bench");
    Grid<float> f(make_grid_spec(n, n, 100.0, 500000.0, 2500000.0, crs));
    SplitMix64 rng(n * 1000003 + k);
    // Off-road: 1.5-5 km/h in smooth patches.
    const std::size_t patch = 25;
    std::vector<double> speeds((n / patch + 2) * (n / patch + 2));
    for (double& s : speeds) s = 1.5 + 3.5 * rng.uniform();
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c)
            f(c, r) = friction_for_speed_kmh(speeds[(r / patch) * (n / patch + 2) + c / patch]);
    // Lakes: impassable discs covering a few percent of the area.
    const std::size_t lakes = n * n / 40000;
    for (std::size_t l = 0; l < lakes; ++l) {
        const double cx = rng.uniform() * n, cy = rng.uniform() * n, rad = 3 + rng.uniform() * 25;
        for (long r = long(cy - rad); r <= long(cy + rad); ++r)
            for (long c = long(cx - rad); c <= long(cx + rad); ++c)
                if (r >= 0 && c >= 0 && r < long(n) && c < long(n) && std::hypot(c - cx, r - cy) <= rad)
                    f(std::size_t(c), std::size_t(r)) = std::numeric_limits<float>::infinity();
    }
    // Roads: random polylines at 30-60 km/h (bridges over lakes included, as roads are drawn last).
    const std::size_t roads = n / 8;
    for (std::size_t k2 = 0; k2 < roads; ++k2) {
        double x = rng.uniform() * n, y = rng.uniform() * n, a = rng.uniform() * 2 * M_PI;
        const float fr = friction_for_speed_kmh(30 + 30 * rng.uniform());
        const int len = int(50 + rng.uniform() * n / 2);
        for (int s = 0; s < len; ++s) {
            a += (rng.uniform() - 0.5) * 0.2;
            x += std::cos(a);
            y += std::sin(a);
            if (x < 0 || y < 0 || x >= n || y >= n) break;
            f(std::size_t(x), std::size_t(y)) = fr;
        }
    }
    Grid<std::uint8_t> src(f.spec(), 0);
    std::ofstream csv(dir / "sources.csv");
    csv << "x,y\n";
    std::size_t placed = 0;
    while (placed < k) {
        const std::size_t i = std::size_t(rng.uniform() * double(n * n));
        if (!std::isfinite(f[i]) || src[i]) continue;
        src[i] = 1;
        ++placed;
        csv << fmt::format("{:.1f},{:.1f}\n", f.spec().transform.x_of(double(i % n)), f.spec().transform.y_of(double(i / n)));
    }
    geodata::RasterWriteOptions o;
    o.nodata = -1.0;
    o.units = "minutes per metre";
    geodata::write_geotiff(dir / "friction.tif", f, o);
    // GRASS r.cost takes the cost of crossing one cell (its moves are in cell units): minutes per 100 m cell.
    Grid<float> per_cell = f;
    for (float& v : per_cell.values()) v *= 100.0f;
    o.units = "minutes per cell";
    geodata::write_geotiff(dir / "friction_per_cell.tif", per_cell, o);
    geodata::RasterWriteOptions so;
    so.nodata = 0.0;
    geodata::write_geotiff(dir / "sources.tif", src, so);
    fmt::print("generated {}x{} cells, {} sources, {} lakes, {} roads in {}\n", n, n, k, lakes, roads, dir.string());
    return 0;
}

int solve(const fs::path& dir, int repeat, int threads, const std::string& out_name) {
    omp_set_num_threads(threads);
    Grid<float> f = geodata::read_raster_float(dir / "friction.tif");
    for (float& v : f.values())
        if (std::isnan(v)) v = std::numeric_limits<float>::infinity();
    Grid<float> s = geodata::read_raster_float(dir / "sources.tif");
    std::vector<SourceCell> sources;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == 1.0f) sources.push_back({i, static_cast<std::int32_t>(sources.size())});
    const long rss_before = peak_rss_kb();
    double best = 1e18;
    TravelTimeResult r;
    for (int k = 0; k < repeat; ++k) {
        r = {};
        const auto t0 = std::chrono::steady_clock::now();
        r = compute_travel_time(f, sources);
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::min(best, sec);
    }
    const long rss_after = peak_rss_kb();
    // Solver memory per cell: the friction it reads (4 B) plus everything the solve added to the peak.
    const double bytes_per_cell = (4.0 * double(f.size()) + double(rss_after - rss_before) * 1024.0) / double(f.size());
    geodata::RasterWriteOptions o;
    o.nodata = -9999.0;
    geodata::write_geotiff(dir / out_name, r.minutes, o);
    fmt::print("accessplan_seconds={:.3f} cells={} sources={} threads={} bytes_per_cell={:.1f}\n", best, f.size(),
               sources.size(), threads, bytes_per_cell);
    return 0;
}

int compare(const fs::path& dir) {
    Grid<float> a = geodata::read_raster_float(dir / "ours.tif");
    Grid<float> b = geodata::read_raster_float(dir / "grass.tif");
    std::size_t both = 0, within = 0, only_ours = 0, only_grass = 0;
    double max_rel = 0.0, sum_rel = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool fa = std::isfinite(a[i]), fb = std::isfinite(b[i]);
        if (fa && !fb) ++only_ours;
        if (!fa && fb) ++only_grass;
        if (!fa || !fb) continue;
        ++both;
        const double ref = b[i];
        const double rel = ref > 1e-3 ? std::abs(a[i] - ref) / ref : std::abs(a[i] - ref);
        max_rel = std::max(max_rel, rel);
        sum_rel += rel;
        if (rel <= 0.005) ++within;
    }
    fmt::print("compared_cells={} within_0.5pct={:.4f}% max_rel_diff={:.5f}% mean_rel_diff={:.6f}% "
               "reachable_only_ours={} reachable_only_grass={}\n",
               both, 100.0 * double(within) / double(std::max<std::size_t>(both, 1)), 100.0 * max_rel,
               100.0 * sum_rel / double(std::max<std::size_t>(both, 1)), only_ours, only_grass);
    return within == both && only_ours == 0 && only_grass == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string cmd = argc > 1 ? argv[1] : "";
        if (cmd == "generate" && argc == 8)
            return generate(std::stoul(argv[3]), std::stoul(argv[5]), argv[7]);
        if (cmd == "solve" && argc >= 3)
            return solve(argv[2], argc >= 5 ? std::stoi(argv[4]) : 3, argc >= 7 ? std::stoi(argv[6]) : 1,
                         argc >= 9 ? argv[8] : "ours.tif");
        if (cmd == "compare" && argc == 3) return compare(argv[2]);
        fmt::print(stderr, "usage: traveltime_bench generate --size N --sources K --out DIR | solve DIR [--repeat R [--threads T [--out FILE]]] | compare DIR\n");
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "traveltime_bench: {}\n", e.what());
        return 1;
    }
}
