#include "accessplan/engine/area_classes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include <fmt/format.h>

#include "accessplan/engine/parallel.hpp"
#include "flood_fill.hpp"

namespace accessplan {
namespace {

constexpr double big = 1e20;

// One-dimensional squared distance transform of f[0..n) at positions step*q (Felzenszwalb & Huttenlocher 2012): the
// lower envelope of the parabolas (x - p)^2 + f(p), into d. v and z are scratch.
void dt_1d(const double* f, double* d, std::size_t n, double step, std::vector<std::size_t>& v, std::vector<double>& z) {
    v.assign(n, 0);
    z.assign(n + 1, 0.0);
    auto intersection = [&](std::size_t q, std::size_t p) {
        const double xq = step * static_cast<double>(q), xp = step * static_cast<double>(p);
        return ((f[q] + xq * xq) - (f[p] + xp * xp)) / (2.0 * (xq - xp));
    };
    std::size_t k = 0;
    z[0] = -std::numeric_limits<double>::infinity();
    z[1] = std::numeric_limits<double>::infinity();
    for (std::size_t q = 1; q < n; ++q) {
        double s = intersection(q, v[k]);
        while (k > 0 && s <= z[k]) {
            --k;
            s = intersection(q, v[k]);
        }
        ++k;
        v[k] = q;
        z[k] = s;
        z[k + 1] = std::numeric_limits<double>::infinity();
    }
    k = 0;
    for (std::size_t q = 0; q < n; ++q) {
        const double x = step * static_cast<double>(q);
        while (z[k + 1] < x) ++k;
        const double xp = step * static_cast<double>(v[k]);
        d[q] = (x - xp) * (x - xp) + f[v[k]];
    }
}

}  // namespace

namespace {

// distance_to_cells_m for a grid of `rows` < the largest Row: the row of the nearest target in each cell's column, in
// the smallest type that holds a row (2 bytes a cell for grids up to 65,534 rows, where squared distances in doubles
// took 8), then the rows' lower envelopes over the squared distances those rows give.
template <typename Row>
void distance_by_columns_then_rows(const Grid<std::uint8_t>& targets, Grid<float>& out) {
    const GridSpec& spec = targets.spec();
    const std::size_t cols = spec.cols, rows = spec.rows;
    const double dx = spec.cell_width_m(), dy = spec.cell_height_m();
    constexpr Row none = std::numeric_limits<Row>::max();
    std::vector<Row> nearest;
    assign_advised(nearest, cols * rows, none);
    // Columns: the nearest target above (a sweep down) and below (a sweep up), a block of columns on each thread, row
    // by row (a column alone would touch one cache line per row). Of two targets at the same distance the upper.
    constexpr std::size_t block = 256;
    parallel_for((cols + block - 1) / block, [&](std::size_t b) {
        const std::size_t c0 = b * block, c1 = std::min(cols, c0 + block);
        std::vector<Row> last(c1 - c0, none);
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = c0; c < c1; ++c) {
                if (targets[r * cols + c] != 0) last[c - c0] = static_cast<Row>(r);
                nearest[r * cols + c] = last[c - c0];
            }
        std::fill(last.begin(), last.end(), none);
        for (std::size_t r = rows; r-- > 0;)
            for (std::size_t c = c0; c < c1; ++c) {
                if (targets[r * cols + c] != 0) last[c - c0] = static_cast<Row>(r);
                const Row below = last[c - c0];
                Row& n = nearest[r * cols + c];
                if (below != none && (n == none || static_cast<std::size_t>(below) - r < r - static_cast<std::size_t>(n))) n = below;
            }
    });
    // Rows (spacing dx) over the columns' squared distances (spacing dy), as the envelope of the column pass gave them.
    parallel_for((rows + 31) / 32, [&](std::size_t b) {
        std::vector<double> f(cols), d(cols);
        std::vector<std::size_t> v;
        std::vector<double> z;
        for (std::size_t r = b * 32; r < std::min(rows, (b + 1) * 32); ++r) {
            const double y = dy * static_cast<double>(r);
            for (std::size_t c = 0; c < cols; ++c) {
                const Row n = nearest[r * cols + c];
                const double yn = dy * static_cast<double>(n);
                f[c] = n == none ? big : (y - yn) * (y - yn);
            }
            dt_1d(f.data(), d.data(), cols, dx, v, z);
            for (std::size_t c = 0; c < cols; ++c) out(c, r) = d[c] >= big / 2 ? std::numeric_limits<float>::infinity()
                                                                              : static_cast<float>(std::sqrt(d[c]));
        }
    });
}

}  // namespace

Grid<float> distance_to_cells_m(const Grid<std::uint8_t>& targets) {
    const GridSpec& spec = targets.spec();
    Grid<float> out(spec, std::numeric_limits<float>::infinity());
    if (std::none_of(targets.values().begin(), targets.values().end(), [](std::uint8_t t) { return t != 0; })) return out;
    // Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012), separable: columns, then rows. The
    // results are the same on any number of cores.
    if (spec.rows < std::numeric_limits<std::uint16_t>::max()) distance_by_columns_then_rows<std::uint16_t>(targets, out);
    else distance_by_columns_then_rows<std::uint32_t>(targets, out);
    return out;
}

namespace {

/// 8-connected components of the cells where `in(i)`: ids 0.. in `comp` (-1 elsewhere), their cell counts returned.
template <typename In>
std::vector<std::size_t> components(const GridSpec& spec, In&& in, std::vector<std::int32_t>& comp) {
    const std::size_t n = spec.cell_count();
    assign_advised(comp, n, std::int32_t{-1});
    std::vector<std::size_t> sizes, stack;
    for (std::size_t start = 0; start < n; ++start) {
        if (!in(start) || comp[start] >= 0) continue;
        const auto id = static_cast<std::int32_t>(sizes.size());
        sizes.push_back(0);
        comp[start] = id;
        flood_fill_8(
            spec, start, stack,
            [&](std::size_t j) {
                if (!in(j) || comp[j] >= 0) return false;
                comp[j] = id;
                return true;
            },
            [&](std::size_t) { ++sizes.back(); });
    }
    return sizes;
}

}  // namespace

LandParts land_parts(const Grid<std::uint8_t>& land, const Grid<std::uint8_t>* links, const Grid<std::uint8_t>* mainland,
                     const LandPartOptions& options) {
    const GridSpec& spec = land.spec();
    if (links) require_same_grid(spec, "land", links->spec(), "links");
    if (mainland) require_same_grid(spec, "land", mainland->spec(), "mainland");
    const std::size_t n = land.size();
    // A grid that is land everywhere (no water: a uniform land cover without land polygons) is one piece, its own mass
    // and reach, without the closing's distance transforms and three fills over every cell (6 s of a national run).
    if (links == nullptr && n > 0 && std::all_of(land.values().begin(), land.values().end(), [](std::uint8_t v) { return v != 0; })) {
        LandParts out;
        out.parts.resize(1);
        out.parts[0].cells = n;
        bool is_mainland = false;
        if (mainland) {
            is_mainland = std::any_of(mainland->values().begin(), mainland->values().end(), [](std::uint8_t v) { return v != 0; });
        } else {
            is_mainland = static_cast<double>(n) * spec.cell_area_m2() >= options.mainland_m2;
            out.mainland_guessed = !is_mainland;
            is_mainland = true;  // the largest mass, when none is large enough
        }
        if (is_mainland) out.parts[0].mainland = Joined::itself;
        out.part = Grid<std::int32_t>(spec, 1);
        return out;
    }
    // Closing = dilation then erosion, both by Euclidean distance.
    Grid<std::uint8_t> closed(spec, 0);
    if (options.bridge_m > 0.0) {
        Grid<std::uint8_t> outside(spec, 0);
        {
            const Grid<float> to_land = distance_to_cells_m(land);  // (gone before the second transform)
            for (std::size_t i = 0; i < n; ++i) outside[i] = to_land[i] > options.bridge_m ? 1 : 0;
        }
        Grid<float> to_outside = distance_to_cells_m(outside);
        for (std::size_t i = 0; i < n; ++i) closed[i] = (land[i] != 0 || to_outside[i] > options.bridge_m) ? 1 : 0;
    } else {
        for (std::size_t i = 0; i < n; ++i) closed[i] = land[i] != 0 ? 1 : 0;
    }
    auto linked = [&](std::size_t i) { return links && (*links)[i] != 0; };
    // Land alone; closed land + links; land + links. The same cells give the same labelling (the same scan): without
    // links the reaches are the pieces, and so are the masses where closing joined no water (a national grid's three
    // labellings of 130 M cells were a third of its friction stage).
    bool closed_is_land = true;
    for (std::size_t i = 0; i < n && closed_is_land; ++i) closed_is_land = (closed[i] != 0) == (land[i] != 0);
    const bool mass_is_piece = links == nullptr && closed_is_land;
    std::vector<std::int32_t> piece, own_mass, own_reach;
    const std::vector<std::size_t> pieces = components(spec, [&](std::size_t i) { return land[i] != 0; }, piece);
    const std::vector<std::size_t> masses =
        mass_is_piece ? pieces : components(spec, [&](std::size_t i) { return closed[i] != 0 || linked(i); }, own_mass);
    const std::vector<std::size_t> reaches =
        links == nullptr ? pieces : components(spec, [&](std::size_t i) { return land[i] != 0 || linked(i); }, own_reach);
    const std::vector<std::int32_t>& mass = mass_is_piece ? piece : own_mass;
    const std::vector<std::int32_t>& reach = links == nullptr ? piece : own_reach;
    closed = Grid<std::uint8_t>();
    LandParts out;
    out.parts.resize(pieces.size());
    std::vector<std::size_t> mass_land(masses.size(), 0), reach_land(reaches.size(), 0);
    std::vector<char> seeded_mass(masses.size(), 0), seeded_reach(reaches.size(), 0), seeded_piece(pieces.size(), 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (!land[i]) continue;
        const auto p = static_cast<std::size_t>(piece[i]), m = static_cast<std::size_t>(mass[i]),
                   r = static_cast<std::size_t>(reach[i]);
        ++out.parts[p].cells;
        ++mass_land[m];
        ++reach_land[r];
        if (mainland && (*mainland)[i]) seeded_mass[m] = seeded_reach[r] = seeded_piece[p] = 1;
    }
    // The piece of each cell + 1 (0: not land, whose piece is -1), made in the pieces' own labels once read (not a
    // third grid of ids beside the pieces and masses: half a gigabyte at national size).
    const auto part_grid = [&] {
        for (std::int32_t& p : piece) ++p;
        out.part = Grid<std::int32_t>(spec, std::move(piece));
    };
    if (pieces.empty()) {
        part_grid();
        return out;
    }
    // The mainland masses.
    std::vector<char> mainland_mass(masses.size(), 0);
    if (mainland) {
        mainland_mass = seeded_mass;
    } else {
        bool any = false;
        for (std::size_t m = 0; m < masses.size(); ++m) {
            mainland_mass[m] = static_cast<double>(mass_land[m]) * spec.cell_area_m2() >= options.mainland_m2;
            any |= mainland_mass[m] != 0;
        }
        if (!any) {
            mainland_mass[static_cast<std::size_t>(std::max_element(mass_land.begin(), mass_land.end()) - mass_land.begin())] = 1;
            out.mainland_guessed = true;
        }
    }
    // In each mainland mass, the mainland proper: the reach (land + links) holding the seed, or its largest reach;
    // and of that reach, the seeded pieces or its largest piece.
    std::vector<std::size_t> best_reach(masses.size(), reaches.size()), best_piece(reaches.size(), pieces.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (!land[i]) continue;
        const auto m = static_cast<std::size_t>(mass[i]), r = static_cast<std::size_t>(reach[i]),
                   p = static_cast<std::size_t>(piece[i]);
        std::size_t& br = best_reach[m];
        if (br == reaches.size() || std::pair(seeded_reach[r], reach_land[r]) > std::pair(seeded_reach[br], reach_land[br])) br = r;
        std::size_t& bp = best_piece[r];
        if (bp == pieces.size() || std::pair(seeded_piece[p], out.parts[p].cells) > std::pair(seeded_piece[bp], out.parts[bp].cells))
            bp = p;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!land[i]) continue;
        const auto m = static_cast<std::size_t>(mass[i]), r = static_cast<std::size_t>(reach[i]),
                   p = static_cast<std::size_t>(piece[i]);
        LandPart& part = out.parts[p];
        if (!mainland_mass[m]) continue;
        const bool core_reach = r == best_reach[m] || seeded_reach[r];
        const bool core_piece = core_reach && (p == best_piece[r] || seeded_piece[p]);
        part.mainland = core_piece ? Joined::itself : core_reach ? Joined::by_link : Joined::across_water;
    }
    part_grid();
    return out;
}

Grid<std::uint8_t> LandParts::island_cells() const {
    Grid<std::uint8_t> island(part.spec(), 0);
    for (std::size_t i = 0; i < part.size(); ++i)
        if (part[i] > 0 && parts[static_cast<std::size_t>(part[i] - 1)].mainland == Joined::no) island[i] = 1;
    return island;
}

Grid<std::uint8_t> island_cells(const Grid<std::uint8_t>& land, double bridge_m) {
    return land_parts(land, nullptr, nullptr, {bridge_m, std::numeric_limits<double>::infinity()}).island_cells();
}

Grid<std::uint8_t> classify_areas(const AreaClassInputs& in, const AreaClassOptions& options) {
    if (in.land == nullptr) throw InputError("area classes: a land mask is required");
    const GridSpec& spec = in.land->spec();
    if (in.border_line) require_same_grid(spec, "land", in.border_line->spec(), "border line");
    if (in.minutes_to_town) require_same_grid(spec, "land", in.minutes_to_town->spec(), "time to towns");
    if (in.listed_remote) require_same_grid(spec, "land", in.listed_remote->spec(), "listed remote zones");
    if (in.listed_island) require_same_grid(spec, "land", in.listed_island->spec(), "listed island zones");
    if (in.island) require_same_grid(spec, "land", in.island->spec(), "island cells");
    if (in.study_area) require_same_grid(spec, "land", in.study_area->spec(), "study area");
    if (!(options.border_km >= 0.0)) throw InputError(fmt::format("area_classes.border_km is {}; expected >= 0", options.border_km));
    if (!(options.remote_minutes > 0.0))
        throw InputError(fmt::format("area_classes.remote_minutes is {}; expected > 0", options.remote_minutes));
    Grid<std::uint8_t> flags(spec, 0);
    Grid<float> to_border;
    if (in.border_line) to_border = distance_to_cells_m(*in.border_line);
    const double border_m = options.border_km * 1000.0;
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if ((*in.land)[i] == 0 || (in.study_area && (*in.study_area)[i] == 0)) continue;
        std::uint8_t f = 0;
        if ((in.island && (*in.island)[i]) || (in.listed_island && (*in.listed_island)[i])) f |= area_class::island;
        if (in.border_line && to_border[i] <= border_m) f |= area_class::border;
        if (in.minutes_to_town && !((*in.minutes_to_town)[i] <= options.remote_minutes)) f |= area_class::remote;
        if (in.listed_remote && (*in.listed_remote)[i]) f |= area_class::remote;
        flags[i] = f;
    }
    return flags;
}

const std::vector<AreaClassFilter>& area_class_filters() {
    static const std::vector<AreaClassFilter> filters{{"all", 0, true, false},
                                                      {"island", area_class::island, false, false},
                                                      {"border", area_class::border, false, false},
                                                      {"remote", area_class::remote, false, false},
                                                      {"none", 0, false, true}};
    return filters;
}

}  // namespace accessplan
