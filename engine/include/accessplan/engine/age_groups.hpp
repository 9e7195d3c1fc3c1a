#pragma once
// Target age groups from age bands (WorldPop's f_0, f_1, f_5, ..., m_80; a census table's age_A_B columns): which
// bands make up an age range, and with what weight when the range splits a band (ages 6-10 take part of the 5-9 and
// of the 10-14 band).
//
// A split band is apportioned by single years of age from Sprague's fifth-difference interpolation (sprague.hpp), as
// demographers and IIEP-UNESCO do for school-age populations, where the bands form at least five consecutive 5-year
// groups around it: the groups' totals (a study area's people, or a zone's shares; never one 100 m cell's few people,
// where the interpolation swings below 0) give each group's five single years, each clamped at 0 and rescaled to the
// band's total, and the band counts the share of its single years that fall in the range; the caller applies that
// share to the band in every cell. A 5-year group may be made of several bands (WorldPop's 0 and 1-4 make 0-4): each keeps its own
// people, spread over its own ages in the group's interpolated shape. The open last band (80+) is never a group.
// Elsewhere (fewer than five consecutive groups, bands of other widths) a split band counts evenly by year: 4/5 of a
// 5-9 band for ages 6-10. The same totals on every group (a flat pyramid) give exactly the even split.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace accessplan {

struct AgeBand {
    std::string name;  ///< "f_5"
    int first_age = 0; ///< 5
    int last_age = 0;  ///< 9 (inclusive)
};

/// Parses a WorldPop band name ("f_0", "m_1", "f_80"); nullopt-like: returns false for other names.
bool parse_worldpop_band(const std::string& name, AgeBand& band);

/// Finds the WorldPop age/sex class in a file name such as "vnm_f_0_2020.tif" or "VNM_m_15_2020_constrained.tif"
/// (a "f" or "m" token followed by a whole-number token); band.name becomes "f_0", "m_15".
bool parse_worldpop_file_name(const std::string& file_name, AgeBand& band);

/// Parses a census-style age column "age_A_B" (ages A..B inclusive, e.g. age_5_9) or "age_A" (one year).
bool parse_age_column(const std::string& name, AgeBand& band);

struct WeightedBand {
    std::string name;
    double weight = 0.0;  ///< share of the band's people inside the group
};

/// True when every age of [min_age, max_age] falls in at least one band.
bool bands_cover_ages(const std::vector<AgeBand>& bands, int min_age, int max_age);

/// Bands and weights that make up ages [min_age, max_age] (inclusive), a split band counting evenly by year (the
/// open band 80+ as 20 years). Bands outside contribute nothing.
std::vector<WeightedBand> bands_for_age_range_evenly(const std::vector<AgeBand>& bands, int min_age, int max_age);

/// How the ages [min_age, max_age] take their people from one series of bands (one sex of WorldPop's classes, or the
/// columns of a census table): the layout is worked out once from the bands, then weights() gives the weights for
/// each set of band totals (the study area's people per band; a zone's shares).
class AgeRangeSplit {
public:
    AgeRangeSplit(std::vector<AgeBand> bands, int min_age, int max_age);

    /// Indices (into the bands) of the bands with ages in the range: those the weights are for.
    const std::vector<std::size_t>& in_range() const { return m_in_range; }
    /// Indices of the bands whose totals the weights depend on: the groups of the Sprague panels of each band the
    /// range splits. Empty when the range splits no band, or only bands Sprague cannot apply to.
    const std::vector<std::size_t>& needs_totals() const { return m_needs_totals; }
    /// Names of the bands the range splits evenly by year, as no Sprague panel applies to them.
    const std::vector<std::string>& split_evenly() const { return m_split_evenly; }
    /// The 5-year groups the bands form, as (first age, last age), ascending.
    std::vector<std::pair<int, int>> five_year_groups() const;

    /// Weights of the bands in_range(), given a total per band (indexed like the bands; only the needs_totals()
    /// entries are read). A band fully inside the range weighs 1.
    std::vector<WeightedBand> weights(const std::vector<double>& band_totals) const;

private:
    struct Group {
        int first_age = 0;
        std::vector<std::size_t> bands;  ///< ascending ages, together exactly first_age..first_age+4
    };
    struct Run {
        std::vector<std::size_t> groups;  ///< consecutive groups (indices into m_groups), at least five
    };
    struct BandPlace {
        bool sprague = false;      ///< in a run of at least five groups
        std::size_t run = 0;       ///< index into m_runs
        std::size_t position = 0;  ///< the band's group in the run
    };

    double even_weight(std::size_t band) const;
    double sprague_weight(std::size_t band, const std::vector<double>& band_totals) const;

    std::vector<AgeBand> m_bands;
    int m_min_age, m_max_age;
    std::vector<Group> m_groups;
    std::vector<Run> m_runs;
    std::vector<BandPlace> m_place;  ///< per band
    std::vector<std::size_t> m_in_range, m_needs_totals;
    std::vector<std::string> m_split_evenly;
};

}  // namespace accessplan
