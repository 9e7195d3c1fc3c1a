#include "accessplan/viz/palette.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"

namespace accessplan::viz {
namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

/// 7.5 -> "7.5" (en) or "7,5" (vi: decimal comma).
std::string minutes(double v, Lang lang = Lang::en) {
    std::string s = fmt::format("{:g}", v);
    if (lang == Lang::vi)
        for (char& c : s)
            if (c == '.') c = ',';
    return s;
}
}  // namespace

std::string Rgb::hex() const { return fmt::format("#{:02x}{:02x}{:02x}", r, g, b); }
std::string Rgb::qgis() const { return fmt::format("{},{},{},255", r, g, b); }

Lang parse_lang(const std::string& text) {
    if (text == "en") return Lang::en;
    if (text == "vi") return Lang::vi;
    throw InputError(fmt::format("--lang {}: unknown language; use en (English) or vi (tiếng Việt)", text));
}

namespace {

/// A class bound for a legend: minutes, or hours from 2 h on when both bounds of the label are whole or half hours.
std::string duration(double v, bool hours, Lang lang) { return hours ? minutes(v / 60.0, lang) : minutes(v, lang); }

bool in_half_hours(double v) { return v >= 120.0 && std::fmod(v, 30.0) == 0.0; }

/// The classes up to T/2, T, then `closed` classes doubling beyond T and, when `open`, one class beyond the last.
std::vector<ValueClass> travel_time_ramp(double t, int closed, bool open, Lang lang) {
    const std::string min = lang == Lang::vi ? "phút" : "min", hour = lang == Lang::vi ? "giờ" : "h";
    // ColorBrewer RdBu (11 classes): two blues within the threshold, five reds beyond it.
    static constexpr std::array<Rgb, 5> reds{{{253, 219, 199}, {244, 165, 130}, {214, 96, 77}, {178, 24, 43}, {103, 0, 31}}};
    auto range = [&](double lo, double hi) {
        const bool h = in_half_hours(lo) && in_half_hours(hi);
        return fmt::format("{}–{} {}", duration(lo, h, lang), duration(hi, h, lang), h ? hour : min);
    };
    std::vector<ValueClass> out{{t / 2, {33, 102, 172}, fmt::format("≤ {} {}", minutes(t / 2, lang), min)},
                                {t, {103, 169, 207}, range(t / 2, t)}};
    double lo = t;
    for (int k = 0; k < closed; ++k, lo *= 2) out.push_back({2 * lo, reds[static_cast<std::size_t>(k)], range(lo, 2 * lo)});
    if (open) {
        const bool h = in_half_hours(lo);
        out.push_back({inf, reds[static_cast<std::size_t>(closed)], fmt::format("> {} {}", duration(lo, h, lang), h ? hour : min)});
    }
    return out;
}

}  // namespace

std::vector<ValueClass> travel_time_classes(double t, std::vector<float> values, Lang lang) {
    // The finite times, in place (a national study area's times are hundreds of megabytes: no second copy).
    std::vector<float>& finite = values;
    std::erase_if(finite, [](float v) { return !std::isfinite(v); });
    if (finite.empty()) return travel_time_ramp(t, 0, false, lang);
    // The 99th percentile (nearest rank) and the largest value.
    const std::size_t at = std::min(finite.size() - 1, static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(finite.size()))) - 1);
    std::nth_element(finite.begin(), finite.begin() + static_cast<std::ptrdiff_t>(at), finite.end());
    const double high = finite[at], largest = *std::max_element(finite.begin(), finite.end());
    constexpr int max_closed = 4;  // T-2T .. 8T-16T, then "> 16T"
    int closed = 0;
    double bound = t;
    while (bound < high && closed < max_closed) {
        bound *= 2;
        ++closed;
    }
    return travel_time_ramp(t, closed, largest > bound, lang);
}

std::vector<ValueClass> travel_time_classes(double t, Lang lang) { return travel_time_ramp(t, 4, true, lang); }

Rgb unreachable_colour() { return {99, 99, 99}; }

std::vector<ValueClass> pct_within_classes(Lang lang) {
    (void)lang;  // the same in both languages
    return {{50, {255, 255, 204}, "≤ 50 %"},  // (upper bounds are inclusive: 50 % is in the first class)
            {70, {161, 218, 180}, "50–70 %"},
            {85, {65, 182, 196}, "70–85 %"},
            {95, {44, 127, 184}, "85–95 %"},
            {inf, {37, 52, 148}, "> 95 %"}};
}

std::vector<ValueClass> time_change_classes(Lang lang) {
    const bool vi = lang == Lang::vi;
    const std::string min = vi ? "phút" : "min";
    // ColorBrewer PuOr: time saved purple, time lost orange, no change near-white.
    return {{-30, {84, 39, 136}, fmt::format("{} ≥ 30 {}", vi ? "nhanh hơn" : "faster by", min)},
            {-10, {153, 142, 195}, fmt::format("{} 10–30 {}", vi ? "nhanh hơn" : "faster by", min)},
            {-0.5, {216, 218, 235}, fmt::format("{} {}–10 {}", vi ? "nhanh hơn" : "faster by", minutes(0.5, lang), min)},
            {0.5, {247, 247, 247}, vi ? "không đổi" : "no change"},
            {10, {254, 224, 182}, fmt::format("{} {}–10 {}", vi ? "chậm hơn" : "slower by", minutes(0.5, lang), min)},
            {30, {241, 163, 64}, fmt::format("{} 10–30 {}", vi ? "chậm hơn" : "slower by", min)},
            {inf, {179, 88, 6}, fmt::format("{} ≥ 30 {}", vi ? "chậm hơn" : "slower by", min)}};
}

std::vector<CellCategory> status_change_categories(double t, Lang lang) {
    const std::string m = minutes(t, lang);
    // ColorBrewer BrBG's teals for children newly reached, Reds for children no longer reached.
    if (lang == Lang::vi)
        return {{31, {1, 102, 94}, fmt::format("nay trong {} phút (trước không tiếp cận được)", m)},
                {32, {128, 205, 193}, fmt::format("nay tiếp cận được, quá {} phút (trước không)", m)},
                {13, {103, 0, 13}, fmt::format("nay không tiếp cận được (trước trong {} phút)", m)},
                {23, {239, 59, 44}, fmt::format("nay không tiếp cận được (trước quá {} phút)", m)}};
    return {{31, {1, 102, 94}, fmt::format("now within {} min (no access before)", m)},
            {32, {128, 205, 193}, fmt::format("now reachable, beyond {} min (no access before)", m)},
            {13, {103, 0, 13}, fmt::format("no access now (within {} min before)", m)},
            {23, {239, 59, 44}, fmt::format("no access now (beyond {} min before)", m)}};
}

std::string unreachable_both_label(Lang lang) {
    return lang == Lang::vi ? "không tiếp cận được (trước và sau)" : "no access before and after";
}

Rgb facility_colour(std::size_t index) {
    static constexpr std::array<Rgb, 8> okabe_ito{{{230, 159, 0}, {86, 180, 233}, {0, 158, 115}, {240, 228, 66},
                                                   {0, 114, 178}, {213, 94, 0}, {204, 121, 167}, {0, 0, 0}}};
    return okabe_ito[index % okabe_ito.size()];
}

Rgb gap_colour() { return {178, 24, 43}; }
Rgb ranked_site_colour() { return {255, 255, 255}; }

Rgb plan_year_colour(std::size_t i, std::size_t n) {
    static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    const double t = n <= 1 ? 0.0 : 4.0 * static_cast<double>(std::min(i, n - 1)) / static_cast<double>(n - 1);
    const auto k = std::min<std::size_t>(3, static_cast<std::size_t>(t));
    const double f = t - static_cast<double>(k);
    const auto at = [&](int c) { return static_cast<std::uint8_t>(std::lround(stops[k][c] + f * (stops[k + 1][c] - stops[k][c]))); };
    return {at(0), at(1), at(2)};
}

}  // namespace accessplan::viz
