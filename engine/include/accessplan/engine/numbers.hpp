#pragma once
// Numbers typed by people — in attribute tables (capacities, costs, age shares, ids), scenario files and on the
// command line — read by one strict parser (issue 16). std::stod, yaml-cpp and CLI11 read "1,200" as 1,
// "250 students" as 250, "0x10" as 16, "010" as 8 and "inf" as a number; these functions refuse them and say why.
//
// A number is the whole text, with surrounding ASCII whitespace trimmed:
//   - one optional sign ('-' or '+': a leading '+' cannot be misread, and spreadsheets write it),
//   - decimal digits with an optional decimal point and fraction ("12", "12.5", ".5", "5."),
//   - an optional exponent ("1e3", "2.5E-2").
// Refused, each with its own message: an empty text, thousands separators ("1,200", "1.200.000", "1 200"), a decimal
// comma ("1,5"), hexadecimal ("0x10"), text after the number ("250 students", "30 min"), inf and nan (".inf" too),
// underscores (allowed in money only) and anything outside the rule's range. "010" is ten (there is no octal).
//
// Money (budgets, costs) is a number as above, or with underscores between digits ("60_000_000_000"), optionally
// followed by a Vietnamese number word — tỷ/tỉ/ty ×1e9, triệu/trieu ×1e6, nghìn/nghin/ngàn/ngan ×1e3 — and a currency
// word — đồng/dong, VND/VNĐ, đ, ₫ — ("60 tỷ", "500 triệu đồng", "1.2 tỷ VND"). Words are matched in any case, in
// composed or decomposed Unicode. Because Vietnamese writes thousands with a point, an amount such as "1.500" or
// "2.500 tỷ" (one to three digits, a point, exactly three digits) is ambiguous and refused: write 1500 or 1.5.
// Amounts above max_money (1e18, beyond any budget in any currency) are refused.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace accessplan {

/// How one value is read: what it is (for messages) and the values allowed.
struct NumberRule {
    /// Where the text came from and which value it is; messages start with it: "schools.csv: facility 3: capacity".
    std::string what;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool min_exclusive = false;  ///< min itself is refused (a cost must be > 0)
    /// How messages describe an acceptable value; empty: from the range ("a number >= 0", "an amount > 0").
    std::string expected{};
};

struct IntegerRule {
    std::string what;  ///< as NumberRule::what
    std::int64_t min = std::numeric_limits<std::int64_t>::min();
    std::int64_t max = std::numeric_limits<std::int64_t>::max();
    /// "12.0" and "12." are 12 (a whole number stored in a real field, as GDAL writes it); "12.5" is refused either way.
    bool allow_zero_fraction = false;
    std::string expected{};  ///< as NumberRule::expected ("a whole number from 0 to 255")
};

/// Amounts of money above this are refused: more than any budget in any currency, and short enough to print.
inline constexpr double max_money = 1e18;

/// The value read from a text, or what is wrong with it.
template <typename T>
struct Parsed {
    std::optional<T> value;
    /// Empty when value is set; else what was found, what is expected and what to write instead, without rule.what:
    /// "'1,200' has a thousands separator (','); separators are not allowed: write 1200 ...".
    std::string problem;
};

/// A finite decimal number (see the top of this file), or nullopt.
std::optional<double> parse_number(std::string_view text);
/// The value, or the problem with the text under `rule` (range included).
Parsed<double> try_parse_number(std::string_view text, const NumberRule& rule);
/// The value; InputError "<rule.what>: <problem>" otherwise.
double parse_number(std::string_view text, const NumberRule& rule);

/// A whole number written in decimal digits ("12", "-3", " 7 "), or nullopt ("12abc", "12.0", "1e3", "0x10").
std::optional<std::int64_t> parse_integer(std::string_view text);
Parsed<std::int64_t> try_parse_integer(std::string_view text, const IntegerRule& rule);
std::int64_t parse_integer(std::string_view text, const IntegerRule& rule);

/// An amount of money (see the top of this file): parse_money("10 tỷ") == 1e10, parse_money("60_000_000_000") == 6e10.
std::optional<double> parse_money(std::string_view text);
Parsed<double> try_parse_money(std::string_view text, const NumberRule& rule);
double parse_money(std::string_view text, const NumberRule& rule);

/// For values that arrive as numbers (Python arguments): InputError unless `value` is finite and within the rule's range.
double check_number(double value, const NumberRule& rule);

}  // namespace accessplan
