// Ranking benchmark: N candidate sites with 30-minute walking catchments at 100 m on a random province-sized
// landscape, ranked under a budget; then re-ranked from the cached reaches under other budgets.
//   ranking_bench [--size CELLS] [--candidates N] [--threshold MIN] [--exact-lp DIR]
// With --exact-lp, only the exact solver: GLPK on the first 100, 200 and 400 candidates (with and without a capacity
// of 500 children), each program also written to DIR/exact_<n>[_cap].lp for another solver (bench/run_exact_bench.sh
// runs CBC on them).
// Prints key=value lines (bench/run_ranking_bench.sh turns them into bench/RESULTS.md).

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <omp.h>

#include "accessplan/engine/random.hpp"
#include "accessplan/engine/ranking.hpp"

using namespace accessplan;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

long peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = 2000, candidates = 10000;
    double threshold = 30.0;
    std::string exact_lp;
    for (int a = 1; a + 1 < argc; a += 2) {
        const std::string key = argv[a];
        if (key == "--size") n = std::stoul(argv[a + 1]);
        else if (key == "--candidates") candidates = std::stoul(argv[a + 1]);
        else if (key == "--threshold") threshold = std::stod(argv[a + 1]);
        else if (key == "--exact-lp") exact_lp = argv[a + 1];
        else {
            fmt::print(stderr, "usage: ranking_bench [--size CELLS] [--candidates N] [--threshold MIN] [--exact-lp DIR]\n");
            return 2;
        }
    }
    SplitMix64 rng(n * 7919 + candidates);
    const GridSpec spec = make_grid_spec(n, n, 100.0, 500000.0, 2500000.0, Crs{});
    // Walking: off-road 1.5-5 km/h in patches of 2.5 km, impassable lakes, footpaths and roads walked at 5 km/h.
    Grid<float> f(spec, 0.0f);
    const std::size_t patch = 25, pw = n / patch + 2;
    std::vector<double> speeds(pw * pw);
    for (double& s : speeds) s = 1.5 + 3.5 * rng.uniform();
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) f(c, r) = friction_for_speed_kmh(speeds[(r / patch) * pw + c / patch]);
    for (std::size_t l = 0; l < n * n / 40000; ++l) {
        const double cx = rng.uniform() * double(n), cy = rng.uniform() * double(n), rad = 3 + rng.uniform() * 25;
        for (long r = long(cy - rad); r <= long(cy + rad); ++r)
            for (long c = long(cx - rad); c <= long(cx + rad); ++c)
                if (r >= 0 && c >= 0 && r < long(n) && c < long(n) && std::hypot(double(c) - cx, double(r) - cy) <= rad)
                    f(std::size_t(c), std::size_t(r)) = INFINITY;
    }
    for (std::size_t k = 0; k < n / 4; ++k) {
        double x = rng.uniform() * double(n), y = rng.uniform() * double(n), a = rng.uniform() * 2 * M_PI;
        for (int s = 0; s < int(50 + rng.uniform() * double(n) / 2); ++s) {
            a += (rng.uniform() - 0.5) * 0.2;
            x += std::cos(a);
            y += std::sin(a);
            if (x < 0 || y < 0 || x >= double(n) || y >= double(n)) break;
            f(std::size_t(x), std::size_t(y)) = friction_for_speed_kmh(5.0);
        }
    }
    // Children: villages (exponential decay over ~500 m) scattered over the province, none in lakes.
    Grid<float> kids(spec, 0.0f);
    for (std::size_t v = 0; v < n * n / 2000; ++v) {
        const long cx = long(rng.uniform() * double(n)), cy = long(rng.uniform() * double(n));
        const double size = 20.0 + 400.0 * rng.uniform() * rng.uniform();
        for (long r = cy - 15; r <= cy + 15; ++r)
            for (long c = cx - 15; c <= cx + 15; ++c)
                if (r >= 0 && c >= 0 && r < long(n) && c < long(n) && std::isfinite(f(std::size_t(c), std::size_t(r))))
                    kids(std::size_t(c), std::size_t(r)) +=
                        float(size / 78.5 * std::exp(-std::hypot(double(c - cx), double(r - cy)) / 5.0));
    }
    // Today's facilities: one per ~100 km2, and the travel time to the nearest.
    std::vector<SourceCell> existing;
    while (existing.size() < n * n / 10000) {
        const std::size_t i = rng.index(n * n);
        if (std::isfinite(f[i])) existing.push_back({i, std::int32_t(existing.size())});
    }
    auto t0 = std::chrono::steady_clock::now();
    const TravelTimeResult now = compute_travel_time(f, existing, {});
    const double baseline_s = seconds_since(t0);
    double beyond = 0.0, total = 0.0;
    for (std::size_t i = 0; i < kids.size(); ++i) {
        total += kids[i];
        if (!within_minutes(now.minutes[i], threshold)) beyond += kids[i];
    }
    std::vector<RankingCandidate> cands;
    while (cands.size() < candidates) {
        const std::size_t i = rng.index(n * n);
        if (std::isfinite(f[i])) cands.push_back({0, i, 1.0 + std::floor(4.0 * rng.uniform()), 0.0});
    }
    fmt::print("grid={}x{} cells=100m candidates={} threshold_min={:g} threads={} children={:.0f} beyond_threshold={:.0f} "
               "baseline_travel_time_s={:.2f}\n", n, n, candidates, threshold, omp_get_max_threads(), total, beyond, baseline_s);

    if (!exact_lp.empty()) {
        // The exact solver on growing instances: a budget for about a tenth of the candidates, a 300 s limit.
        for (const double capacity : {0.0, 500.0})
            for (const std::size_t m : {100, 200, 400}) {
                if (capacity > 0.0 && m > 200) continue;
                std::vector<RankingCandidate> some(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(std::min(m, cands.size())));
                double budget = 0.0;
                for (RankingCandidate& c : some) {
                    c.capacity = capacity;
                    budget += c.cost / 10.0;
                }
                const RankingProblem small({{"school", threshold, &kids, &now.minutes, nullptr, &f, {}}}, some);
                const std::string file = fmt::format("{}/exact_{}{}.lp", exact_lp, m, capacity > 0.0 ? "_cap" : "");
                t0 = std::chrono::steady_clock::now();
                const RankingResult r = small.rank_exact(budget, 500, 300.0, file);
                const double s = seconds_since(t0);
                const RankingResult g = small.rank_greedy(budget);
                fmt::print("exact n={} capacity={:g} budget={:g} glpk_s={:.2f} glpk_solved={} glpk_proven={} glpk_objective={:.1f} "
                           "bound={:.1f} greedy_gain={:.1f} lp={}\n", m, capacity, budget, s, r.solved, r.proven_optimal,
                           r.solved ? r.exact_bound : NAN, r.upper_bound, g.gain, file);
            }
        return 0;
    }
    t0 = std::chrono::steady_clock::now();
    const RankingProblem problem({{"school", threshold, &kids, &now.minutes, nullptr, &f, {}}}, cands);
    const double reach_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const RankingResult first = problem.rank_greedy(1000.0);
    const double rank_s = seconds_since(t0);
    fmt::print("reaches_s={:.2f} reach_cells={} reach_mb={:.0f} first_rank_s={:.3f} budget=1000 sites={} first_children={:.0f} "
               "total_s={:.2f}\n", reach_s, problem.reach_cells(), double(problem.reach_cells()) * 8.0 / 1e6, rank_s,
               first.sites.size(), first.children, reach_s + rank_s);
    for (double budget : {250.0, 4000.0, 20000.0}) {
        t0 = std::chrono::steady_clock::now();
        const RankingResult again = problem.rank_greedy(budget);
        fmt::print("rerank budget={:g} s={:.3f} sites={} children={:.0f} started_from_best_single={}\n", budget,
                   seconds_since(t0), again.sites.size(), again.children, again.started_from_best_single);
    }
    // Three programmes (the candidates in thirds, each its own problem and budget of 333; the third keeps 30% for
    // the east quarter, say remote), each with its budget curve (10 re-ranks) and 200 uncertainty draws: children per
    // 1 km block and costs +-10%, re-ranked from the programme's cached reaches (no search per draw).
    t0 = std::chrono::steady_clock::now();
    std::vector<RankingProblem> programmes;
    for (std::size_t k = 0; k < 3; ++k) {
        std::vector<RankingCandidate> mine;
        for (std::size_t c = k; c < cands.size(); c += 3) mine.push_back(cands[c]);
        programmes.emplace_back(std::vector<RankingService>{{"school", threshold, &kids, &now.minutes, nullptr, &f, {}}}, mine);
    }
    const double programme_reach_s = seconds_since(t0);
    Grid<std::uint8_t> east(spec, 0);
    for (std::size_t i = 0; i < east.size(); ++i) east[i] = i % n >= 3 * n / 4;
    const std::vector<std::vector<BudgetReserve>> reserves{{}, {}, {{0.3, &east}}};
    t0 = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < 3; ++k)
        for (int step = 1; step <= 10; ++step) programmes[k].rank_greedy(333.0 * step / 10.0, reserves[k]);
    const double curves_s = seconds_since(t0);
    const int draws = 200;
    const std::size_t block = 10, bw = n / block + 1;
    Grid<float> factor(spec, 1.0f);
    std::vector<float> block_factor(bw * bw);
    std::vector<std::vector<int>> funded(3);
    t0 = std::chrono::steady_clock::now();
    for (int d = 0; d < draws; ++d) {
        SplitMix64 draw(1000003ULL * std::uint64_t(d + 1));
        for (float& b : block_factor) b = float(0.9 + 0.2 * draw.uniform());
        for (std::size_t i = 0; i < factor.size(); ++i) factor[i] = block_factor[(i / n / block) * bw + (i % n) / block];
        for (std::size_t k = 0; k < 3; ++k) {
            std::vector<double> costs;
            for (const RankingCandidate& c : programmes[k].candidates()) costs.push_back(c.cost * (0.9 + 0.2 * draw.uniform()));
            funded[k].resize(costs.size());
            for (const RankedSite& site : programmes[k].perturbed(costs, &factor).rank_greedy(333.0, reserves[k], false).sites)
                ++funded[k][site.candidate];
        }
    }
    const double draws_s = seconds_since(t0);
    std::size_t core = 0, ranked = 0;
    for (std::size_t k = 0; k < 3; ++k)
        for (const RankedSite& site : programmes[k].rank_greedy(333.0, reserves[k]).sites) {
            ++ranked;
            if (funded[k][site.candidate] >= 0.9 * draws) ++core;
        }
    fmt::print("programmes=3 programme_reaches_s={:.2f} curves_s={:.3f} draws={} draws_s={:.2f} per_draw_s={:.4f} ranked={} "
               "robust_core={}\n", programme_reach_s, curves_s, draws, draws_s, draws_s / draws, ranked, core);
    fmt::print("peak_rss_mb={}\n", peak_rss_mb());
    return 0;
}
