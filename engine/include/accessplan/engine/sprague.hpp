#pragma once
// Single years of age from 5-year age groups by Sprague's fifth-difference osculatory interpolation (Sprague 1880),
// with the table of Sprague multipliers in Shryock & Siegel, "The Methods and Materials of Demography" (1973; Siegel &
// Swanson 2004, 2nd ed.); the same numbers are in DemoTools' graduate_sprague_expand (its panels g1g2, g3, g4g5) and
// in IIEP-UNESCO's school-age population method (Spatialized-school-age-populations).
//
// The single-year values of 5-year group i are a weighted sum of five consecutive group totals G:
//   y(5i + r) = sum_c M[r][c] G(b + c),  r = 0..4,
// with the panel M and the first group b by position: the first panel for group 0 and the second for group 1 (both on
// groups 0..4), the middle panel for group i on groups i-2..i+2, the next-to-last and last panels for groups n-2 and
// n-1 (on groups n-5..n-1). Each panel's columns add up to 1 for its own group and to 0 for the others, so the
// single years of a group add up to the group; each row adds up to 1/5, so equal groups give equal single years; a
// cubic in age is reproduced exactly. Values can be negative where the groups change steeply (small counts, a spike).

#include <array>
#include <cstddef>
#include <vector>

namespace accessplan {

/// One panel: row r gives the single year 5i + r, column c the weight of group b + c.
using SpraguePanel = std::array<std::array<double, 5>, 5>;

enum class SpraguePanelKind { first, second, middle, next_to_last, last };

/// The five panels, in SpraguePanelKind order.
const std::array<SpraguePanel, 5>& sprague_panels();

/// The first of the five groups the panel of group `i` of `n` reads (n >= 5): 0 for groups 0 and 1, n - 5 for the
/// last two, else i - 2.
std::size_t sprague_first_group(std::size_t i, std::size_t n);

/// Single years of group `i` of `groups` (at least 5 consecutive 5-year group totals). Only the five groups of its
/// panel are read. Computed as G(i)/5 plus the multipliers applied to the differences G(b + c) - G(i) (the same sum,
/// as rows add up to 1/5), so that equal groups give exactly G/5 each.
std::array<double, 5> sprague_group(const std::vector<double>& groups, std::size_t i);

/// Single years of every group: 5 x groups.size() values. Throws InputError for fewer than 5 groups.
std::vector<double> sprague_single_years(const std::vector<double>& groups);

}  // namespace accessplan
