// The strict number parser (engine/numbers.hpp): every rule, with the message each refusal gives.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"

using namespace accessplan;

namespace {
std::string problem(std::string_view text, const NumberRule& rule = {}) { return try_parse_number(text, rule).problem; }
std::string money_problem(std::string_view text, const NumberRule& rule = {}) { return try_parse_money(text, rule).problem; }
std::string integer_problem(std::string_view text, const IntegerRule& rule = {}) { return try_parse_integer(text, rule).problem; }
}  // namespace

TEST_CASE("numbers: the whole text is one decimal number", "[engine][numbers]") {
    CHECK(parse_number("12") == 12.0);
    CHECK(parse_number("-3.25") == -3.25);
    CHECK(parse_number(" 12 ") == 12.0);  // surrounding spaces (and tabs, line ends) are trimmed
    CHECK(parse_number("\t12\r\n") == 12.0);
    CHECK(parse_number("1e3") == 1000.0);  // exponents are plain decimal notation
    CHECK(parse_number("2.5E-2") == 0.025);
    CHECK(parse_number(".5") == 0.5);
    CHECK(parse_number("5.") == 5.0);
    CHECK(parse_number("+5") == 5.0);  // a leading '+' cannot be misread
    CHECK(parse_number("010") == 10.0);  // no octal
    CHECK(parse_number("0.1") == 0.1);  // correctly rounded, as std::from_chars
    CHECK(parse_number("12.0") == 12.0);

    for (const char* bad : {"", "  ", "1,200", "1.200.000", "250 students", "0x10", "inf", "-inf", "nan", ".inf", ".nan",
                            "Infinity", "12abc", "abc", "1_200", "1,5", "1 200", "--5", "+-5", "1.2.3", "1e", "e3", ".", "-",
                            "1e400", "true", "5%"})
        CHECK_FALSE(parse_number(bad).has_value());
}

TEST_CASE("numbers: each refusal says what was found and what to write", "[engine][numbers]") {
    const NumberRule capacity{"schools.csv: facility 3: capacity", 0.0};
    // Thousands separators, in every notation, and the decimal comma.
    CHECK_THAT(problem("1,200", capacity), Catch::Contains("'1,200' has a thousands separator, which is not allowed") &&
                                               Catch::Contains("write 1200") && Catch::Contains("decimals use a point") &&
                                               Catch::Contains("1.2 if the comma is a decimal comma"));
    CHECK_THAT(problem("1.200.000"), Catch::Contains("thousands separators") && Catch::Contains("write 1200000"));
    CHECK_THAT(problem("1 200"), Catch::Contains("thousands separators") && Catch::Contains("write 1200"));
    CHECK_THAT(problem("1\xC2\xA0" "200"), Catch::Contains("thousands separators") && Catch::Contains("write 1200"));
    CHECK_THAT(problem("1,234.5"), Catch::Contains("thousands separators") && Catch::Contains("write 1234.5"));
    CHECK_THAT(problem("1.234,5"), Catch::Contains("a decimal comma") && Catch::Contains("write 1234.5"));
    CHECK_THAT(problem("1,5"), Catch::Contains("'1,5' has a decimal comma") && Catch::Contains("write 1.5"));
    // Words after the number: only the number.
    CHECK_THAT(problem("250 students", capacity),
               Catch::Contains("'250 students' has text after the number") && Catch::Contains("write 250"));
    CHECK_THAT(problem("30 min"), Catch::Contains("write 30"));
    // Hexadecimal, infinities, underscores, nothing, words.
    CHECK_THAT(problem("0x10"), Catch::Contains("'0x10' is hexadecimal") && Catch::Contains("write 16"));
    CHECK_THAT(problem("inf"), Catch::Contains("'inf' is not a finite number"));
    CHECK_THAT(problem("nan"), Catch::Contains("'nan' is not a finite number"));
    CHECK_THAT(problem("1_200"), Catch::Contains("underscores (allowed in amounts of money only)"));
    CHECK_THAT(problem("", capacity), Catch::Contains("empty; expected a number >= 0"));
    CHECK_THAT(problem("many"), Catch::Contains("'many' is not a number; expected a number"));
    // The throwing form starts with what the caller says the value is.
    REQUIRE_THROWS_AS(parse_number("1,200", capacity), InputError);
    REQUIRE_THROWS_WITH(parse_number("1,200", capacity),
                        Catch::StartsWith("schools.csv: facility 3: capacity: '1,200' has a thousands separator"));
    CHECK(parse_number(" 1200 ", capacity) == 1200.0);
}

TEST_CASE("numbers: ranges, and their messages", "[engine][numbers]") {
    const NumberRule share{"shares.csv: row 2: age_0_4", 0.0, 1.0};
    CHECK(parse_number("0", share) == 0.0);
    CHECK(parse_number("1", share) == 1.0);
    CHECK_THAT(problem("1.5", share), Catch::Equals("1.5 is out of range; expected a number from 0 to 1"));
    CHECK_THAT(problem("-1", NumberRule{"", 0.0}), Catch::Equals("-1 is out of range; expected a number >= 0"));
    NumberRule cost{"", 0.0};
    cost.min_exclusive = true;
    CHECK_THAT(problem("0", cost), Catch::Contains("expected a number > 0"));
    NumberRule described{"", 0.0};
    described.expected = "a capacity >= 0 (0 = not known)";
    CHECK_THAT(problem("-2", described), Catch::Equals("-2 is out of range; expected a capacity >= 0 (0 = not known)"));
    CHECK_THAT(problem("1e400"), Catch::Contains("1e400 is out of range"));  // beyond double
    // A long text is quoted short.
    const std::string long_text(300, '9');
    CHECK(problem(long_text, share).size() < 150);
    CHECK_THAT(problem(long_text, share), Catch::Contains("(300 characters) is out of range"));
    // Numbers that arrive as numbers.
    CHECK(check_number(5.0, NumberRule{"budget", 0.0}) == 5.0);
    REQUIRE_THROWS_WITH(check_number(-5.0, NumberRule{"budget", 0.0}), Catch::Equals("budget: -5 is out of range; expected a number >= 0"));
    REQUIRE_THROWS_WITH(check_number(NAN, NumberRule{"budget", 0.0}), Catch::Contains("not a finite number"));
}

TEST_CASE("numbers: whole numbers", "[engine][numbers]") {
    CHECK(parse_integer("12") == 12);
    CHECK(parse_integer(" -7 ") == -7);
    CHECK(parse_integer("+7") == 7);
    CHECK(parse_integer("007") == 7);
    CHECK(parse_integer("9223372036854775807") == INT64_MAX);
    for (const char* bad : {"12abc", "12.0", "12.", "12.5", "1e3", "0x10", "", "1,200", "9223372036854775808", "inf", "--1"})
        CHECK_FALSE(parse_integer(bad).has_value());

    const IntegerRule id{"sources.csv: feature 4: code (--id-field)", 0, 2147483647};
    CHECK_THAT(integer_problem("12abc", id), Catch::Contains("'12abc' has text after the number") && Catch::Contains("write 12"));
    CHECK_THAT(integer_problem("12.0", id), Catch::Contains("'12.0' is not written as a whole number") && Catch::Contains("write 12"));
    CHECK_THAT(integer_problem("12.5", id), Catch::Equals("'12.5' is not a whole number; expected a whole number from 0 to 2147483647"));
    CHECK_THAT(integer_problem("1e3", id), Catch::Contains("write 1000"));
    CHECK_THAT(integer_problem("2147483648", id), Catch::Equals("2147483648 is out of range; expected a whole number from 0 to 2147483647"));
    CHECK_THAT(integer_problem("-5", id), Catch::Contains("-5 is out of range"));
    CHECK_THAT(integer_problem("99999999999999999999", id), Catch::Contains("is out of range"));
    REQUIRE_THROWS_WITH(parse_integer("12abc", id), Catch::StartsWith("sources.csv: feature 4: code (--id-field): '12abc'"));

    // A whole number in a real field ("12.0", as GDAL writes them), where the rule allows it.
    IntegerRule real_field = id;
    real_field.allow_zero_fraction = true;
    CHECK(parse_integer("12.0", real_field) == 12);
    CHECK(parse_integer("12.", real_field) == 12);
    CHECK(parse_integer("12.000", real_field) == 12);
    CHECK_FALSE(try_parse_integer("12.5", real_field).value);
    CHECK_FALSE(try_parse_integer("12.01", real_field).value);
    CHECK_FALSE(try_parse_integer(".0", real_field).value);
}

TEST_CASE("numbers: money takes exponents, underscores and Vietnamese units", "[engine][numbers]") {
    CHECK(parse_money("60000000000") == 60e9);
    CHECK(parse_money("60e9") == 60e9);
    CHECK(parse_money("60_000_000_000") == 60e9);
    CHECK(parse_money("10 tỷ") == 1e10);
    CHECK(parse_money("60 tỷ") == 60e9);
    CHECK(parse_money("60 tỉ") == 60e9);
    CHECK(parse_money("60 ty") == 60e9);
    CHECK(parse_money("60tỷ") == 60e9);
    CHECK(parse_money("60 TỶ") == 60e9);
    CHECK(parse_money("60 Tỷ đồng") == 60e9);
    CHECK(parse_money("60 t" "y\xCC\x89") == 60e9);  // decomposed: y + combining hook above
    CHECK(parse_money("1.2 tỷ") == 1.2e9);
    CHECK(parse_money("1.1 tỷ") == 1.1e9);  // correctly rounded: 1.1e9 exactly, not 1.1 * 1e9
    CHECK(parse_money("0.125 tỷ") == 125e6);
    CHECK(parse_money("500 triệu") == 500e6);
    CHECK(parse_money("500 trieu") == 500e6);
    CHECK(parse_money("500 triệu VND") == 500e6);
    CHECK(parse_money("3 nghìn") == 3000.0);
    CHECK(parse_money("3 nghin") == 3000.0);
    CHECK(parse_money("3 ngàn đ") == 3000.0);
    CHECK(parse_money("3 ngan") == 3000.0);
    CHECK(parse_money("1200000 đồng") == 1.2e6);
    CHECK(parse_money("1200000 VNĐ") == 1.2e6);
    CHECK(parse_money("1200000₫") == 1.2e6);
    CHECK(parse_money(" 40e9 ") == 40e9);
    // The English words the English report writes.
    CHECK(parse_money("60 billion") == 60e9);
    CHECK(parse_money("1.5 billion VND") == 1.5e9);
    CHECK(parse_money("400 million") == 400e6);
    CHECK(parse_money("3 thousand dong") == 3000.0);
    CHECK(parse_money("1e18") == 1e18);

    for (const char* bad : {"", "tỷ", "60 lakh", "60 billion tỷ", "60 tỷ tỷ", "60 triệu tỷ", "1_", "_1", "1__0", "60,000,000,000",
                            "60.000.000.000", "1,5 tỷ", "1.500 tỷ", "2.500", "0x10", "inf", "nan", "2e18", "1e400",
                            "12abc"})
        CHECK_FALSE(parse_money(bad).has_value());
    // Plain numbers take neither units nor underscores.
    CHECK_FALSE(parse_number("60 tỷ").has_value());
    CHECK_FALSE(parse_number("60_000").has_value());
}

TEST_CASE("numbers: money refusals explain the forms accepted", "[engine][numbers]") {
    const NumberRule budget{"--budget", 0.0};
    CHECK_THAT(money_problem("1,5", budget), Catch::Contains("'1,5' has a decimal comma") && Catch::Contains("write 1.5"));
    CHECK_THAT(money_problem("1,5 tỷ", budget), Catch::Contains("write 1.5 tỷ"));
    CHECK_THAT(money_problem("60.000.000.000", budget),
               Catch::Contains("thousands separators, which are not allowed") && Catch::Contains("write 60000000000"));
    CHECK_THAT(money_problem("1.200.000 triệu", budget), Catch::Contains("write 1200000 triệu"));
    // Vietnamese writes thousands with a point: 1.500 could be 1500 or 1.5.
    CHECK_THAT(money_problem("1.500 tỷ", budget), Catch::Contains("'1.500 tỷ' is ambiguous") &&
                                                      Catch::Contains("write 1500 tỷ or 1.5 tỷ"));
    CHECK(parse_money("0.500 tỷ") == 0.5e9);  // no Vietnamese thousands start with 0
    CHECK(parse_money("1.5000 tỷ") == 1.5e9);
    CHECK_THAT(money_problem("60 lakh", budget),
               Catch::Contains("'lakh' is not a unit of money accepted here") && Catch::Contains("60 tỷ"));
    CHECK_THAT(money_problem("lots", budget), Catch::Contains("'lots' is not an amount") && Catch::Contains("60_000_000_000"));
    // Out of range: a short message, not a 300-digit number.
    const std::string huge = "1" + std::string(300, '0');
    const std::string p = money_problem(huge, budget);
    CHECK_THAT(p, Catch::Contains("is out of range; expected an amount from 0 to 1e18"));
    CHECK(p.size() < 150);
    CHECK_THAT(money_problem("1e300", budget), Catch::Equals("1e300 is out of range; expected an amount from 0 to 1e18"));
    CHECK_THAT(money_problem("-5", budget), Catch::Contains("-5 is out of range"));
    REQUIRE_THROWS_WITH(parse_money("1,5", budget), Catch::StartsWith("--budget: '1,5' has a decimal comma"));
}
