#include "children.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/age_groups.hpp"
#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/csv_table.hpp"
#include "accessplan/geodata/raster_io.hpp"

namespace fs = std::filesystem;

namespace accessplan::scenarios::detail {

namespace {

/// "0-4, 5-9, 10-14, 15-19", or "none".
std::string describe_groups(const AgeRangeSplit& split) {
    std::vector<std::string> groups;
    for (const auto& [first, last] : split.five_year_groups()) groups.push_back(fmt::format("{}-{}", first, last));
    return groups.empty() ? std::string("none") : fmt::format("{}", fmt::join(groups, ", "));
}

/// The warning for bands a target group splits evenly by year, where no Sprague panel applies (none if there are none).
/// `source` names the input by its key and file name: a run's warnings are the same wherever its files lie.
void warn_even_split(const std::string& source, const TargetGroup& g, const std::vector<std::string>& split_evenly,
                     const AgeRangeSplit& split, std::vector<std::string>& warnings) {
    if (split_evenly.empty()) return;
    warnings.push_back(fmt::format(
        "{}: target group '{}' (ages {}-{}) splits {} {} evenly by year; a split along the age pyramid (Sprague's "
        "single years of age) needs five consecutive 5-year groups around a split band, and the 5-year groups here "
        "are {}", source, g.name, g.min_age, g.max_age, split_evenly.size() == 1 ? "band" : "bands",
        fmt::join(split_evenly, ", "), describe_groups(split)));
}

}  // namespace

/// Children of a target group: age/sex bands (by their band descriptions f_0, m_5, ...) apportioned to the ages, a
/// split band by Sprague's single years from the study area's totals per band and sex (engine/age_groups.hpp).
Grid<float> children_for(const Scenario& s, const TargetGroup& g, const GridSpec& grid, const Grid<float>& total,
                         const Grid<std::uint8_t>* allowed, const Grid<std::uint8_t>& study_area,
                         std::map<std::string, Grid<float>>& band_cache,
                         std::vector<std::string>& warnings) {
    if (!s.age_sex && s.age_sex_files.empty()) {
        warnings.push_back(fmt::format("population.age_sex is not set: target group '{}' counts people of all ages",
                                       g.name));
        return total;
    }
    if (study_area.size() != grid.cell_count())
        throw InternalError("children_for: the study area is not on the analysis grid");
    // Where each class lives: a band of one file (band description "f_5") or a file of its own ("vnm_f_5_2020.tif").
    std::vector<AgeBand> bands;
    std::map<std::string, std::pair<fs::path, int>> band_source;
    const std::string where = s.age_sex ? s.age_sex->string() : s.age_sex_files.front().parent_path().string();
    if (s.age_sex) {
        geodata::RasterInfo info = geodata::read_raster_info(*s.age_sex);
        for (std::size_t b = 0; b < info.bands.size(); ++b) {
            AgeBand ab;
            if (parse_worldpop_band(info.bands[b].description, ab)) {
                bands.push_back(ab);
                band_source[ab.name] = {*s.age_sex, static_cast<int>(b + 1)};
            }
        }
    } else {
        for (const auto& f : s.age_sex_files) {
            AgeBand ab;
            if (!parse_worldpop_file_name(f.filename().string(), ab))
                throw InputError(fmt::format("{}: the file name does not say its age/sex class; WorldPop names look like "
                                             "vnm_f_5_2020.tif (f or m, then the first age of the band)", f.string()));
            if (!band_source.emplace(ab.name, std::pair{f, 1}).second)
                throw InputError(fmt::format("{}: class {} is given twice in population.age_sex", f.string(), ab.name));
            bands.push_back(ab);
        }
    }
    if (bands.empty())
        throw InputError(fmt::format("{}: no band is named like WorldPop age/sex bands (f_0, f_1, f_5, ..., m_0, ...); "
                                     "set each band's description to its age/sex class", where));
    // Every WorldPop class is one sex: both sexes must cover the group, or half the children would go uncounted. Each
    // sex has its own age pyramid, so its own split.
    std::vector<std::vector<AgeBand>> of_sex;
    std::vector<AgeRangeSplit> splits;
    std::vector<std::string> split_evenly;
    for (const char sex : {'f', 'm'}) {
        std::vector<AgeBand> sex_bands;
        std::copy_if(bands.begin(), bands.end(), std::back_inserter(sex_bands), [sex](const AgeBand& b) { return b.name[0] == sex; });
        if (!bands_cover_ages(sex_bands, g.min_age, g.max_age))
            throw InputError(fmt::format("{}: the age bands do not cover ages {}-{} of target group '{}' for {} ({}_ "
                                         "bands); add the missing bands or change the group", where, g.min_age, g.max_age,
                                         g.name, sex == 'f' ? "females" : "males", sex));
        splits.emplace_back(sex_bands, g.min_age, g.max_age);
        split_evenly.insert(split_evenly.end(), splits.back().split_evenly().begin(), splits.back().split_evenly().end());
        of_sex.push_back(std::move(sex_bands));
    }
    const std::string source = s.age_sex ? fmt::format("population.age_sex ({})", s.age_sex->filename().string())
                                         : std::string("population.age_sex");
    warn_even_split(source, g, split_evenly, splits[0].split_evenly().empty() ? splits[1] : splits[0], warnings);
    // Each band is read and resampled once, whatever the number of target groups: the bands summed into the group and
    // those whose study-area totals a Sprague split reads (kept too: the next group is likely to need them). The bands
    // of one file are read together: in a pixel-interleaved file every compressed block holds all of them.
    std::map<fs::path, std::vector<std::string>> to_read;
    for (std::size_t x = 0; x < splits.size(); ++x)
        for (const auto* indices : {&splits[x].in_range(), &splits[x].needs_totals()})
            for (std::size_t b : *indices) {
                const std::string& name = of_sex[x][b].name;
                auto& names = to_read[band_source.at(name).first];
                if (!band_cache.count(name) && std::find(names.begin(), names.end(), name) == names.end())
                    names.push_back(name);
            }
    for (const auto& [file, names] : to_read) {
        if (names.empty()) continue;
        std::vector<int> indices;
        for (const auto& n : names) indices.push_back(band_source.at(n).second);
        std::vector<Grid<float>> read = geodata::read_raster_bands(file, indices);
        for (std::size_t b = 0; b < names.size(); ++b)
            band_cache.emplace(names[b], geodata::resample_counts(read[b], file, grid, nullptr, allowed));
    }
    Grid<float> children(grid, 0.0f);
    for (std::size_t x = 0; x < splits.size(); ++x) {
        std::vector<double> totals(of_sex[x].size(), 0.0);  // people per band in the study area
        for (std::size_t b : splits[x].needs_totals()) {
            const Grid<float>& band = band_cache.at(of_sex[x][b].name);
            for (std::size_t i = 0; i < band.size(); ++i)
                if (study_area[i]) totals[b] += band[i];
        }
        const std::vector<WeightedBand> weighted = splits[x].weights(totals);
        for (const auto& w : weighted) {
            const Grid<float>& band = band_cache.at(w.name);
            for (std::size_t i = 0; i < children.size(); ++i) children[i] += static_cast<float>(band[i] * w.weight);
        }
    }
    return children;
}

/// Children of a target group from the total population and a census table of age shares per zone (columns age_A_B).
Grid<float> children_from_shares(const Scenario& s, const TargetGroup& g, const Grid<float>& population,
                                 const LoadedZones& zones, const Grid<std::uint8_t>& study_area,
                                 std::vector<std::string>& warnings) {
    const fs::path& file = *s.age_shares;
    const geodata::CsvTable table = geodata::read_csv_table(file);
    const int code_col = table.column(s.age_shares_code_field);
    if (code_col < 0)
        throw InputError(fmt::format("{}: no column '{}' (population.age_shares.code_field) to match zone codes; columns: {}",
                                     file.string(), s.age_shares_code_field, fmt::join(table.header, ", ")));
    std::vector<std::pair<int, AgeBand>> columns;
    for (std::size_t c = 0; c < table.header.size(); ++c) {
        AgeBand b;
        if (parse_age_column(table.header[c], b)) columns.emplace_back(static_cast<int>(c), b);
    }
    if (columns.empty())
        throw InputError(fmt::format("{}: no age columns; name them age_A_B (share of the population aged A..B, e.g. "
                                     "age_0_4, age_5_9) or age_A for one year", file.string()));
    std::vector<AgeBand> bands;
    for (const auto& [c, b] : columns) bands.push_back(b);
    if (!bands_cover_ages(bands, g.min_age, g.max_age))
        throw InputError(fmt::format("{}: the age columns do not cover ages {}-{} of target group '{}'", file.string(),
                                     g.min_age, g.max_age, g.name));
    // A split column by Sprague's single years from each zone's own shares, where the columns are 5-year groups.
    const AgeRangeSplit split(bands, g.min_age, g.max_age);
    warn_even_split(fmt::format("population.age_shares ({})", file.filename().string()), g, split.split_evenly(), split,
                    warnings);
    std::map<std::string, double> group_share;  // zone code -> share of its population in the group
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        const std::string& code = row[static_cast<std::size_t>(code_col)];
        double total = 0.0, share = 0.0;
        std::vector<double> values(columns.size(), 0.0);
        for (std::size_t k = 0; k < columns.size(); ++k) {
            const std::string& text = row[static_cast<std::size_t>(columns[k].first)];
            const Parsed<double> parsed = try_parse_number(text, NumberRule{"", 0.0, 1.0});
            if (!parsed.value)  // and why, when the text is no number at all ("0,25": a decimal comma)
                throw InputError(fmt::format("{}: row {} (zone {}): {}='{}'; shares must be numbers from 0 to 1 (a share, "
                                             "not a percentage){}", file.string(), r + 2, code, columns[k].second.name, text,
                                             parse_number(text) ? "" : ": " + parsed.problem));
            values[k] = *parsed.value;
            total += values[k];
        }
        const std::vector<WeightedBand> weights = split.weights(values);
        for (std::size_t j = 0; j < weights.size(); ++j) share += values[split.in_range()[j]] * weights[j].weight;
        if (total > 1.0 + 1e-3)
            throw InputError(fmt::format("{}: row {} (zone {}): the age shares add up to {:.3f}, more than 1", file.string(),
                                         r + 2, code, total));
        if (!group_share.emplace(code, share).second)
            throw InputError(fmt::format("{}: zone {} appears twice", file.string(), code));
    }
    std::vector<std::string> missing;
    std::vector<double> zone_share(zones.codes.size(), 0.0);
    for (std::size_t z = 0; z < zones.codes.size(); ++z) {
        auto it = group_share.find(zones.codes[z]);
        if (it == group_share.end()) missing.push_back(zones.codes[z]);
        else zone_share[z] = it->second;
    }
    if (!missing.empty())
        throw InputError(fmt::format("{}: {} zone(s) of {} have no row: {}{}; add them to the table", file.string(),
                                     missing.size(), s.zones->file.string(),
                                     fmt::join(missing.begin(), missing.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(missing.size(), 10)), ", "),
                                     missing.size() > 10 ? ", ..." : ""));
    Grid<float> children(population.spec(), 0.0f);
    double outside = 0.0;
    for (std::size_t i = 0; i < children.size(); ++i) {
        const std::int32_t z = zones.ids[i];
        if (z <= 0) {
            if (study_area[i]) outside += population[i];
            continue;
        }
        children[i] = static_cast<float>(population[i] * zone_share[static_cast<std::size_t>(z - 1)]);
    }
    if (outside > 0.5)
        warnings.push_back(fmt::format("{:.0f} people of the study area lie outside every zone of {}: no age share applies to them, so they "
                                       "count as no children of group '{}'", outside, s.zones->file.string(), g.name));
    return children;
}

}  // namespace accessplan::scenarios::detail
