#include "accessplan/viz/palette.hpp"

#include <array>
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

std::vector<ValueClass> travel_time_classes(double t, Lang lang) {
    const bool vi = lang == Lang::vi;
    const std::string min = vi ? "phút" : "min";
    // ColorBrewer RdBu: two blues within the threshold, four reds beyond it.
    auto m = [lang](double v) { return minutes(v, lang); };
    return {{t / 2, {33, 102, 172}, fmt::format("≤ {} {}", m(t / 2), min)},
            {t, {103, 169, 207}, fmt::format("{}–{} {}", m(t / 2), m(t), min)},
            {1.5 * t, {253, 219, 199}, fmt::format("{}–{} {}", m(t), m(1.5 * t), min)},
            {2 * t, {244, 165, 130}, fmt::format("{}–{} {}", m(1.5 * t), m(2 * t), min)},
            {3 * t, {214, 96, 77}, fmt::format("{}–{} {}", m(2 * t), m(3 * t), min)},
            {inf, {178, 24, 43}, fmt::format("> {} {}", m(3 * t), min)}};
}

Rgb unreachable_colour() { return {99, 99, 99}; }

std::vector<ValueClass> pct_within_classes(Lang lang) {
    (void)lang;  // the same in both languages
    return {{50, {255, 255, 204}, "< 50 %"},
            {70, {161, 218, 180}, "50–70 %"},
            {85, {65, 182, 196}, "70–85 %"},
            {95, {44, 127, 184}, "85–95 %"},
            {inf, {37, 52, 148}, "≥ 95 %"}};
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

}  // namespace accessplan::viz
