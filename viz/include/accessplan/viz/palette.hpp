#pragma once
// The classes and colours every output shares (QGIS styles, maps, the report), so that a class means the same colour
// everywhere. Colours are colour-blind-safe ColorBrewer schemes (Brewer 2003; RdBu, PuOr, YlGnBu) and the Okabe-Ito
// palette (Okabe & Ito 2008) for facility types.

#include <cstdint>
#include <string>
#include <vector>

namespace accessplan::viz {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    std::string hex() const;  ///< "#2166ac"
    std::string qgis() const; ///< "33,102,172,255"
};

enum class Lang { en, vi };

/// Lang from "en" or "vi"; InputError for anything else.
Lang parse_lang(const std::string& text);

/// A class of values up to `upper` (inclusive; the last class is unbounded: upper = +inf).
struct ValueClass {
    double upper = 0.0;
    Rgb colour;
    std::string label;
};

/// The farthest class bound of travel_time_classes, as a multiple of the threshold: beyond 16 T one open class.
inline constexpr double travel_time_classes_reach = 16.0;
/// Travel-time classes around a service's threshold T, fitted to the travel times a map shows (`minutes`: NaN and
/// infinite values, the unreachable cells, left aside): up to T/2 and T (ColorBrewer RdBu blues: within reach;
/// always shown, they say where the threshold is), then classes doubling beyond it, T–2T, 2T–4T, 4T–8T, 8T–16T
/// (RdBu reds, darker as farther), as many as it takes to reach the values' 99th percentile, then an open class
/// ("> 4T") only when some value lies beyond the last bound; at most five classes beyond T, the fifth "> 16T". So
/// values within T get no class beyond it, and values far beyond T (a province where pools are hours away) get
/// classes up to where they are. A class's colour depends on its bounds alone (T–2T is always the same red),
/// so that two maps of one threshold agree. Labels in minutes, in hours from 2 h on when whole or half hours.
std::vector<ValueClass> travel_time_classes(double threshold_min, std::vector<float> minutes, Lang lang = Lang::en);
/// Every class up to "> 16T", for a style written without the values (QGIS styles of the travel-time rasters).
std::vector<ValueClass> travel_time_classes(double threshold_min, Lang lang = Lang::en);

/// Cells from which no facility can be reached (drawn grey; nodata in the rasters).
Rgb unreachable_colour();

/// Share of children within the threshold, per zone (%): <= 50, 50-70, 70-85, 85-95, > 95 (upper bounds inclusive).
std::vector<ValueClass> pct_within_classes(Lang lang = Lang::en);

/// Change of travel time in minutes (after - before) for comparisons: purple where it falls, orange where it rises.
std::vector<ValueClass> time_change_classes(Lang lang = Lang::en);

/// Cells of one code of a categorical raster (drawn in their colour whatever else they show).
struct CellCategory {
    std::uint8_t code = 0;
    Rgb colour;
    std::string label;
};

/// A comparison's cells that became reachable or unreachable, by their rasters/status_change_<service>.tif code:
/// 31 now within the threshold (unreachable before; teal), 32 now reachable beyond it (light teal), 13 and 23
/// unreachable now (within or beyond before; dark and bright red). Cells unreachable both times (33) are drawn as no
/// access, labelled by unreachable_both_label.
std::vector<CellCategory> status_change_categories(double threshold_min, Lang lang = Lang::en);
std::string unreachable_both_label(Lang lang = Lang::en);

/// A colour per facility type, in the order given (Okabe-Ito; repeats after eight).
Rgb facility_colour(std::size_t index);

/// Gap polygons' outline, and the ranked sites' fill.
Rgb gap_colour();
Rgb ranked_site_colour();

/// The colour of year `i` of `n` of a plan (the report's map, the `plan` layer's style): dark blue for the first to
/// yellow for the last, along viridis (colour-blind-safe, ordered in lightness).
Rgb plan_year_colour(std::size_t i, std::size_t n);

}  // namespace accessplan::viz
