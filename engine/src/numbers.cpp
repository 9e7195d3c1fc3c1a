#include "accessplan/engine/numbers.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"

namespace accessplan {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

/// A text as messages quote it: whole when short, else its start and its length (a pasted paragraph, a 300-digit
/// number).
std::string shown(std::string_view s) {
    if (s.size() <= 40) return std::string(s);
    std::size_t cut = 24;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    std::size_t characters = 0;
    for (char c : s) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return fmt::format("{}... ({} characters)", s.substr(0, cut), characters);
}

std::string quoted(std::string_view s) { return fmt::format("'{}'", shown(s)); }

/// A range bound as people write it: 2147483647, 0.5, 1e+18.
std::string bound(double v) {
    if (v == std::floor(v) && std::abs(v) < 1e15) return fmt::format("{:.0f}", v);
    std::string g = fmt::format("{:g}", v);  // 1e+18 -> 1e18
    if (const auto e = g.find("e+"); e != std::string::npos) g.erase(e + 1, 1);
    return g;
}

std::string expected_of(const NumberRule& r, std::string_view noun) {
    if (!r.expected.empty()) return r.expected;
    const bool lo = std::isfinite(r.min), hi = std::isfinite(r.max);
    if (lo && hi)
        return r.min_exclusive ? fmt::format("{} > {} and <= {}", noun, bound(r.min), bound(r.max))
                               : fmt::format("{} from {} to {}", noun, bound(r.min), bound(r.max));
    if (lo) return fmt::format("{} {} {}", noun, r.min_exclusive ? ">" : ">=", bound(r.min));
    if (hi) return fmt::format("{} <= {}", noun, bound(r.max));
    return std::string(noun);
}

std::string expected_of(const IntegerRule& r) {
    if (!r.expected.empty()) return r.expected;
    const bool lo = r.min != std::numeric_limits<std::int64_t>::min(), hi = r.max != std::numeric_limits<std::int64_t>::max();
    if (lo && hi) return fmt::format("a whole number from {} to {}", r.min, r.max);
    if (lo) return fmt::format("a whole number >= {}", r.min);
    if (hi) return fmt::format("a whole number <= {}", r.max);
    return "a whole number";
}

bool in_range(double v, const NumberRule& r) { return (r.min_exclusive ? v > r.min : v >= r.min) && v <= r.max; }

std::string with_what(const std::string& what, const std::string& problem) {
    return what.empty() ? problem : fmt::format("{}: {}", what, problem);
}

// --- scanning ------------------------------------------------------------------------------------------------------

/// The longest decimal number at the start of a text: [sign] digits [. digits] [e [sign] digits].
struct Scan {
    std::size_t end = 0;  ///< bytes of the text that form the number; 0 = none
    std::string digits;   ///< sign, digits and point as std::from_chars reads them (no '+', no '_')
    long exponent = 0;
    bool has_exponent = false, has_point = false, underscores = false;
    std::size_t int_digits = 0, frac_digits = 0;
    char first_digit = 0;
};

Scan scan(std::string_view s, bool allow_underscores) {
    Scan r;
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        if (s[i] == '-') r.digits.push_back('-');
        ++i;
    }
    auto run = [&](std::size_t& count) {
        while (i < s.size()) {
            if (is_digit(s[i])) {
                if (r.first_digit == 0) r.first_digit = s[i];
                r.digits.push_back(s[i++]);
                ++count;
            } else if (allow_underscores && s[i] == '_' && count > 0 && i + 1 < s.size() && is_digit(s[i + 1])) {
                r.underscores = true;  // 60_000_000_000: between two digits only
                ++i;
            } else {
                break;
            }
        }
    };
    run(r.int_digits);
    if (i < s.size() && s[i] == '.' && (r.int_digits > 0 || (i + 1 < s.size() && is_digit(s[i + 1])))) {
        r.has_point = true;
        r.digits.push_back('.');
        ++i;
        run(r.frac_digits);
    }
    if (r.int_digits + r.frac_digits == 0) return Scan{};
    r.end = i;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t j = i + 1;
        bool negative = false;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) negative = s[j++] == '-';
        if (j < s.size() && is_digit(s[j])) {
            long e = 0;
            for (; j < s.size() && is_digit(s[j]); ++j) e = std::min<long>(e * 10 + (s[j] - '0'), 1'000'000);
            r.exponent = negative ? -e : e;
            r.has_exponent = true;
            r.end = j;
        }
    }
    return r;
}

/// The scanned number times 10^extra, correctly rounded (std::from_chars); nullopt beyond the range of double.
std::optional<double> value_of(const Scan& sc, long extra = 0) {
    // from_chars wants a digit on each side of the point: "-.5" -> "-0.5", "5." -> "5.0".
    const bool negative = !sc.digits.empty() && sc.digits.front() == '-';
    std::string_view body(sc.digits);
    if (negative) body.remove_prefix(1);
    const std::string t = fmt::format("{}{}{}{}e{}", negative ? "-" : "", body.front() == '.' ? "0" : "", body,
                                      body.back() == '.' ? "0" : "", sc.exponent + extra);
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
    if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

/// How messages describe what an amount of money may look like.
const char* const money_forms = "such as 60000000000, 60e9, 60_000_000_000 or 60 tỷ (tỷ/billion ×1e9, triệu/million ×1e6, "
                                "nghìn/thousand ×1e3; đồng, VND or đ may follow)";

// --- what is wrong ---------------------------------------------------------------------------------------------------

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool is_not_finite_word(std::string_view t) {
    if (!t.empty() && (t.front() == '+' || t.front() == '-')) t.remove_prefix(1);
    if (!t.empty() && t.front() == '.') t.remove_prefix(1);  // YAML's .inf and .nan
    const std::string w = lower_ascii(t);
    return w == "inf" || w == "infinity" || w == "nan" || w.rfind("nan(", 0) == 0;
}

/// "0x10" and the like: its value, to say what to write instead.
std::optional<std::string> hexadecimal(std::string_view t) {
    std::string_view s = t;
    const bool negative = !s.empty() && s.front() == '-';
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
    std::uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
    if (ptr == s.data() + 2) return std::nullopt;
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::string("its value in decimal digits");
    return fmt::format("{}{}", negative ? "-" : "", v);
}

/// Bytes that separate groups of digits: , . ' and spaces (also the no-break spaces spreadsheets write).
std::size_t separator_at(std::string_view s, std::size_t i, std::string& which) {
    static const std::array<std::string_view, 7> seps{",", ".", " ", "'", "\xC2\xA0", "\xE2\x80\xAF", "\xE2\x80\x89"};
    for (auto sep : seps)
        if (s.substr(i, sep.size()) == sep) {
            which = sep.size() == 1 ? std::string(sep) : " ";
            return sep.size();
        }
    return 0;
}

/// "1,200", "1.200.000", "1 200", "1,234.5", "1.234,5" (thousands separators) or "1,5" (a decimal comma): the
/// problem and what to write instead; empty for other texts. `unit` ("tỷ") is added to the suggestion.
std::string separator_problem(std::string_view t, std::string_view expected, std::string_view unit) {
    std::size_t i = 0;
    std::string sign;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) sign = t[i++] == '-' ? "-" : "";
    std::vector<std::string> groups(1), seps;
    while (i < t.size()) {
        if (is_digit(t[i])) {
            groups.back().push_back(t[i++]);
            continue;
        }
        std::string which;
        const std::size_t n = separator_at(t, i, which);
        if (n == 0 || groups.back().empty()) return "";
        seps.push_back(which);
        groups.emplace_back();
        i += n;
    }
    if (seps.empty() || groups.back().empty()) return "";
    const std::size_t commas = static_cast<std::size_t>(std::count(seps.begin(), seps.end(), ","));
    const std::size_t points = static_cast<std::size_t>(std::count(seps.begin(), seps.end(), "."));
    if (commas == 0 && points == seps.size() && points < 2) return "";  // 12.5: an ordinary decimal
    const std::string tail = unit.empty() ? std::string() : fmt::format(" {}", unit);
    auto grouped = [&](std::size_t first, std::size_t last) {  // groups (first, last] of three digits after 1-3
        if (groups[first].size() > 3) return false;
        for (std::size_t g = first + 1; g <= last; ++g)
            if (groups[g].size() != 3) return false;
        return true;
    };
    auto joined = [&](std::size_t last) {
        std::string out = sign;
        for (std::size_t g = 0; g <= last; ++g) out += groups[g];
        return out;
    };
    const std::string t_shown = quoted(std::string(t) + tail);
    const std::size_t n = seps.size();
    const bool all_same = std::all_of(seps.begin(), seps.end(), [&](const std::string& s) { return s == seps.front(); });
    if (all_same && grouped(0, n) && (seps.front() != "." || n >= 2)) {
        const std::string whole = joined(n) + tail;
        if (seps.front() == "," && n == 1) {  // 1,200: thousands, or 1.2 written with a decimal comma?
            std::string fraction = groups[1];
            while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
            return fmt::format("{} has a thousands separator, which is not allowed; expected {}: write {} (decimals use a "
                               "point: write {}{}{}{} if the comma is a decimal comma)", t_shown, expected, whole, sign,
                               groups[0], fraction.empty() ? "" : "." + fraction, tail);
        }
        return fmt::format("{} has thousands separators, which are not allowed; expected {}: write {} (decimals use a "
                           "point, as in 2.5)", t_shown, expected, whole);
    }
    if (n >= 2 && grouped(0, n - 2) && seps.back() != seps.front() &&
        std::all_of(seps.begin(), seps.end() - 1, [&](const std::string& s) { return s == seps.front(); }) &&
        (seps.back() == "." || seps.back() == ",")) {  // 1,234.5 or 1.234,5
        const std::string fixed = joined(n - 1) + "." + groups[n] + tail;
        return fmt::format("{} has thousands separators{}, which are not allowed; expected {}: write {} (no separators; "
                           "decimals use a point)", t_shown, seps.back() == "," ? " and a decimal comma" : "", expected, fixed);
    }
    if (n == 1 && seps.front() == ",")  // 1,5
        return fmt::format("{} has a decimal comma; expected {} with a decimal point: write {}{}.{}{}", t_shown, expected, sign,
                           groups[0], groups[1], tail);
    return "";
}

/// The problem with a text that is not a strict number (range aside). `sc` is its scan.
std::string number_problem(std::string_view t, const Scan& sc, std::string_view expected, bool money) {
    if (t.empty()) return fmt::format("empty; expected {}", expected);
    if (auto hex = hexadecimal(t))
        return fmt::format("{} is hexadecimal; expected {} in decimal digits: write {}", quoted(t), expected, *hex);
    if (is_not_finite_word(t)) return fmt::format("{} is not a finite number; expected {}", quoted(t), expected);
    if (std::string sep = separator_problem(t, expected, ""); !sep.empty()) return sep;
    if (sc.end > 0) {
        const std::string_view rest = t.substr(sc.end);
        const std::string_view number = t.substr(0, sc.end);
        if (!money && rest.size() >= 2 && rest[0] == '_' && is_digit(rest[1]))
            return fmt::format("{} has underscores (allowed in amounts of money only); expected {}: write it without them",
                               quoted(t), expected);
        const std::string_view word = trim(rest);
        const unsigned char c = word.empty() ? 0 : static_cast<unsigned char>(word.front());
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '%' || c >= 0x80 || c == '/')
            return fmt::format("{} has text after the number; expected only {}: write {}", quoted(t), expected, number);
    }
    if (money) return fmt::format("{} is not an amount; expected {} {}", quoted(t), expected, money_forms);
    return fmt::format("{} is not a number; expected {}", quoted(t), expected);
}

std::string out_of_range(std::string_view t, std::string_view expected) {
    return fmt::format("{} is out of range; expected {}", shown(t), expected);
}

// --- money words -----------------------------------------------------------------------------------------------------

/// A word folded for matching: ASCII lower-cased, the Vietnamese letters of the unit names to their base letter, and
/// combining marks (decomposed text, U+0300..U+036F) dropped: "Tỷ", "tỷ" (composed or not) and "ty" all give "ty".
/// Other characters give '?', which matches nothing.
std::string fold_word(std::string_view w) {
    static const std::array<std::pair<char32_t, char>, 21> letters{{
        {0x1EF7, 'y'}, {0x1EF6, 'y'},  // ỷ
        {0x1EC9, 'i'}, {0x1EC8, 'i'},  // ỉ
        {0x1EC7, 'e'}, {0x1EC6, 'e'},  // ệ
        {0x00EA, 'e'}, {0x00CA, 'e'},  // ê
        {0x00EC, 'i'}, {0x00CC, 'i'},  // ì
        {0x00E0, 'a'}, {0x00C0, 'a'},  // à
        {0x0111, 'd'}, {0x0110, 'd'},  // đ
        {0x1ED3, 'o'}, {0x1ED2, 'o'},  // ồ
        {0x00F4, 'o'}, {0x00D4, 'o'},  // ô
        {0x20AB, 'd'},                 // ₫
        {0x00A0, ' '}, {0x202F, ' '},  // no-break spaces
    }};
    std::string out;
    for (std::size_t i = 0; i < w.size();) {
        const auto c = static_cast<unsigned char>(w[i]);
        if (c < 0x80) {
            out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
            ++i;
            continue;
        }
        std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        char32_t cp = n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
        for (std::size_t k = 1; n != 0 && k < n; ++k) {
            if (i + k >= w.size() || (static_cast<unsigned char>(w[i + k]) & 0xC0) != 0x80) n = 0;
            else cp = (cp << 6) | (static_cast<unsigned char>(w[i + k]) & 0x3Fu);
        }
        if (n == 0) {  // not UTF-8
            out.push_back('?');
            ++i;
            continue;
        }
        i += n;
        if (cp >= 0x300 && cp <= 0x36F) continue;
        char base = '?';
        for (const auto& [letter, to] : letters)
            if (letter == cp) base = to;
        out.push_back(base);
    }
    return out;
}

/// The power of ten of "tỷ đồng", "triệu", "VND", "" (0); nullopt for other words.
std::optional<long> money_words(std::string_view words) {
    std::string f;
    for (char c : fold_word(words))
        if (c != ' ' && c != '\t') f.push_back(c);
    // Vietnamese number words, and the English ones the English report writes ("60 billion VND").
    static const std::array<std::pair<std::string_view, long>, 9> units{
        {{"", 0}, {"ty", 9}, {"ti", 9}, {"trieu", 6}, {"nghin", 3}, {"ngan", 3}, {"billion", 9}, {"million", 6}, {"thousand", 3}}};
    static const std::array<std::string_view, 4> currencies{"", "dong", "vnd", "d"};
    for (const auto& [unit, exponent] : units)
        if (f.rfind(unit, 0) == 0)
            for (auto currency : currencies)
                if (f.substr(unit.size()) == currency) return exponent;
    return std::nullopt;
}

Parsed<double> fail(std::string problem) { return {std::nullopt, std::move(problem)}; }

}  // namespace

// --- numbers ---------------------------------------------------------------------------------------------------------

Parsed<double> try_parse_number(std::string_view text, const NumberRule& rule) {
    const std::string_view t = trim(text);
    const std::string expected = expected_of(rule, "a number");
    const Scan sc = scan(t, false);
    if (sc.end == 0 || sc.end != t.size()) return fail(number_problem(t, sc, expected, false));
    const std::optional<double> v = value_of(sc);
    if (!v || !in_range(*v, rule)) return fail(out_of_range(t, expected));
    return {v, ""};
}

std::optional<double> parse_number(std::string_view text) { return try_parse_number(text, NumberRule{}).value; }

double parse_number(std::string_view text, const NumberRule& rule) {
    Parsed<double> p = try_parse_number(text, rule);
    if (!p.value) throw InputError(with_what(rule.what, p.problem));
    return *p.value;
}

double check_number(double value, const NumberRule& rule) {
    const std::string expected = expected_of(rule, "a number");
    if (!std::isfinite(value))
        throw InputError(with_what(rule.what, fmt::format("{} is not a finite number; expected {}", value, expected)));
    if (!in_range(value, rule)) throw InputError(with_what(rule.what, out_of_range(fmt::format("{:g}", value), expected)));
    return value;
}

// --- whole numbers ---------------------------------------------------------------------------------------------------

Parsed<std::int64_t> try_parse_integer(std::string_view text, const IntegerRule& rule) {
    const std::string_view t = trim(text);
    const std::string expected = expected_of(rule);
    std::size_t i = 0;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    const std::size_t first = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    std::size_t end = i;
    if (rule.allow_zero_fraction && end > first && end < t.size() && t[end] == '.')  // 12.0, 12.
        for (++end; end < t.size() && t[end] == '0';) ++end;
    if (i == first || end != t.size()) {
        const Scan sc = scan(t, false);
        if (sc.end != 0 && sc.end == t.size()) {  // a number, but not a whole number in digits
            const std::optional<double> v = value_of(sc);
            if (v && *v == std::floor(*v) && std::abs(*v) < 1e18)
                return {std::nullopt, fmt::format("{} is not written as a whole number; expected {}: write {:.0f}", quoted(t),
                                                  expected, *v)};
            return {std::nullopt, fmt::format("{} is not a whole number; expected {}", quoted(t), expected)};
        }
        return {std::nullopt, number_problem(t, sc, expected, false)};
    }
    const std::string digits = fmt::format("{}{}", t[0] == '-' ? "-" : "", t.substr(first, i - first));
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || v < rule.min || v > rule.max) return {std::nullopt, out_of_range(t, expected)};
    return {v, ""};
}

std::optional<std::int64_t> parse_integer(std::string_view text) { return try_parse_integer(text, IntegerRule{}).value; }

std::int64_t parse_integer(std::string_view text, const IntegerRule& rule) {
    Parsed<std::int64_t> p = try_parse_integer(text, rule);
    if (!p.value) throw InputError(with_what(rule.what, p.problem));
    return *p.value;
}

// --- money -----------------------------------------------------------------------------------------------------------

Parsed<double> try_parse_money(std::string_view text, const NumberRule& rule) {
    const std::string_view t = trim(text);
    NumberRule r = rule;
    r.max = std::min(rule.max, max_money);
    const std::string expected = expected_of(r, "an amount");
    const Scan sc = scan(t, true);
    const std::optional<long> unit = sc.end == 0 ? std::nullopt : money_words(t.substr(sc.end));
    if (!unit) {
        if (hexadecimal(t) || is_not_finite_word(t)) return fail(number_problem(t, sc, expected, true));
        // "1,5 tỷ", "60 000 000 000": separators in the numeric head, a unit (or nothing) after it.
        std::size_t head = 0;
        for (std::string which; head < t.size();) {
            if (is_digit(t[head]) || t[head] == '-' || t[head] == '+' || t[head] == '_') ++head;
            else if (const std::size_t n = separator_at(t, head, which)) head += n;
            else break;
        }
        const std::string_view words = trim(t.substr(head));
        if (money_words(words)) {
            std::string digits(trim(t.substr(0, head)));
            digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
            if (std::string sep = separator_problem(digits, expected, words); !sep.empty()) return fail(sep);
        }
        // "60 billion": a word that is not a unit.
        const std::string_view after = sc.end == 0 ? std::string_view() : trim(t.substr(sc.end));
        const auto c = after.empty() ? 0 : static_cast<unsigned char>(after.front());
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
            return fail(fmt::format("{}: '{}' is not a unit of money accepted here; expected {} {}", quoted(t), shown(after),
                                    expected, money_forms));
        return fail(number_problem(t, sc, expected, true));
    }
    if (!sc.has_exponent && sc.has_point && !sc.underscores && sc.frac_digits == 3 && sc.int_digits >= 1 &&
        sc.int_digits <= 3 && sc.first_digit != '0') {
        // 1.500: Vietnamese writes thousands with a point (1500), English a decimal (1.5).
        const std::string_view number = t.substr(0, sc.end), words = trim(t.substr(sc.end));
        std::string whole(number);
        whole.erase(std::remove(whole.begin(), whole.end(), '.'), whole.end());
        if (!whole.empty() && whole.front() == '+') whole.erase(0, 1);
        const std::optional<double> decimal = value_of(sc);
        const std::string tail = words.empty() ? std::string() : fmt::format(" {}", words);
        return fail(fmt::format("{} is ambiguous: in Vietnamese the point separates thousands ({}), in English it is a "
                                "decimal point ({:g}); expected {}: write {}{} or {:g}{}", quoted(t), whole,
                                decimal.value_or(0.0), expected, whole, tail, decimal.value_or(0.0), tail));
    }
    const std::optional<double> v = value_of(sc, *unit);
    if (!v || !in_range(*v, r)) return fail(out_of_range(t, expected));
    return {v, ""};
}

std::optional<double> parse_money(std::string_view text) { return try_parse_money(text, NumberRule{}).value; }

double parse_money(std::string_view text, const NumberRule& rule) {
    Parsed<double> p = try_parse_money(text, rule);
    if (!p.value) throw InputError(with_what(rule.what, p.problem));
    return *p.value;
}

}  // namespace accessplan
