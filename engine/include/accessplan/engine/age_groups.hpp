#pragma once
// Target age groups from WorldPop-style age bands (f_0, f_1, f_5, ..., m_80): which bands make up an age range,
// and with what weight when a band is split (a 5-9 band for a 6-10 group counts 4/5; single-year shares are taken
// as uniform within a band).

#include <string>
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

/// Bands and weights that make up ages [min_age, max_age] (inclusive). Bands outside contribute nothing.
std::vector<WeightedBand> bands_for_age_range(const std::vector<AgeBand>& bands, int min_age, int max_age);

}  // namespace accessplan
