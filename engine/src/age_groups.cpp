#include "accessplan/engine/age_groups.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/sprague.hpp"

namespace accessplan {

bool parse_worldpop_band(const std::string& name, AgeBand& band) {
    if (name.size() < 3 || (name[0] != 'f' && name[0] != 'm') || name[1] != '_') return false;
    int age = 0;
    auto [ptr, ec] = std::from_chars(name.data() + 2, name.data() + name.size(), age);
    if (ec != std::errc() || ptr != name.data() + name.size() || age < 0) return false;
    band.name = name;
    band.first_age = age;
    // WorldPop bands: 0, 1-4, then 5-year bands to 80+.
    band.last_age = age == 0 ? 0 : age == 1 ? 4 : age >= 80 ? 120 : age + 4;
    return true;
}

bool parse_worldpop_file_name(const std::string& file_name, AgeBand& band) {
    std::vector<std::string> tokens;
    std::string token;
    for (char c : file_name) {
        if (c == '_' || c == '.' || c == '-') {
            tokens.push_back(token);
            token.clear();
        } else {
            token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    tokens.push_back(token);
    for (std::size_t k = 0; k + 1 < tokens.size(); ++k)
        if ((tokens[k] == "f" || tokens[k] == "m") && parse_worldpop_band(tokens[k] + "_" + tokens[k + 1], band)) return true;
    return false;
}

bool parse_age_column(const std::string& name, AgeBand& band) {
    if (name.rfind("age_", 0) != 0) return false;
    const std::string rest = name.substr(4);
    const auto sep = rest.find('_');
    auto parse = [](const std::string& t, int& v) {
        auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        return ec == std::errc() && ptr == t.data() + t.size() && v >= 0 && !t.empty();
    };
    int a = 0, b = 0;
    if (sep == std::string::npos) {
        if (!parse(rest, a)) return false;
        b = a;
    } else if (!parse(rest.substr(0, sep), a) || !parse(rest.substr(sep + 1), b) || b < a) {
        return false;
    }
    band = {name, a, b};
    return true;
}

bool bands_cover_ages(const std::vector<AgeBand>& bands, int min_age, int max_age) {
    for (int age = min_age; age <= max_age; ++age)
        if (std::none_of(bands.begin(), bands.end(), [age](const AgeBand& b) { return b.first_age <= age && age <= b.last_age; }))
            return false;
    return true;
}

namespace {

/// The share of a band's people aged lo..hi (inside the band) when they are spread evenly by year.
double even_share(const AgeBand& b, int lo, int hi) {
    const double width = b.last_age >= 120 ? 20.0 : static_cast<double>(b.last_age - b.first_age + 1);
    return static_cast<double>(hi - lo + 1) / width;
}

}  // namespace

std::vector<WeightedBand> bands_for_age_range_evenly(const std::vector<AgeBand>& bands, int min_age, int max_age) {
    std::vector<WeightedBand> out;
    for (const AgeBand& b : bands) {
        const int lo = std::max(b.first_age, min_age), hi = std::min(b.last_age, max_age);
        if (hi < lo) continue;
        out.push_back({b.name, even_share(b, lo, hi)});
    }
    return out;
}

AgeRangeSplit::AgeRangeSplit(std::vector<AgeBand> bands, int min_age, int max_age)
    : m_bands(std::move(bands)), m_min_age(min_age), m_max_age(max_age), m_place(m_bands.size()) {
    const std::size_t n = m_bands.size();
    // Bands sharing an age with another band of the series (a table with both age_0_4 and age_0_14) join no group.
    std::vector<std::size_t> order;
    for (std::size_t b = 0; b < n; ++b) {
        bool overlaps = false;
        for (std::size_t o = 0; o < n; ++o)
            overlaps = overlaps || (o != b && m_bands[o].first_age <= m_bands[b].last_age &&
                                    m_bands[b].first_age <= m_bands[o].last_age);
        if (!overlaps) order.push_back(b);
    }
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return m_bands[a].first_age < m_bands[b].first_age; });
    // 5-year groups: adjacent bands that together cover exactly A..A+4 (0 and 1-4; or one 5-year band).
    for (std::size_t k = 0; k < order.size();) {
        const int first = m_bands[order[k]].first_age;
        std::size_t j = k;
        int last = m_bands[order[k]].last_age;
        while (last < first + 4 && j + 1 < order.size() && m_bands[order[j + 1]].first_age == last + 1)
            last = m_bands[order[++j]].last_age;
        if (last == first + 4) {
            m_groups.push_back({first, std::vector<std::size_t>(order.begin() + static_cast<std::ptrdiff_t>(k),
                                                                order.begin() + static_cast<std::ptrdiff_t>(j + 1))});
            k = j + 1;
        } else {
            ++k;
        }
    }
    // Runs of consecutive groups; Sprague's panels need five groups.
    for (std::size_t g = 0; g < m_groups.size();) {
        std::size_t h = g;
        while (h + 1 < m_groups.size() && m_groups[h + 1].first_age == m_groups[h].first_age + 5) ++h;
        if (h - g + 1 >= 5) {
            Run run;
            for (std::size_t q = g; q <= h; ++q) {
                for (std::size_t b : m_groups[q].bands) m_place[b] = {true, m_runs.size(), q - g};
                run.groups.push_back(q);
            }
            m_runs.push_back(std::move(run));
        }
        g = h + 1;
    }
    std::set<std::size_t> needed;
    for (std::size_t b = 0; b < n; ++b) {
        const AgeBand& band = m_bands[b];
        const int lo = std::max(band.first_age, min_age), hi = std::min(band.last_age, max_age);
        if (hi < lo) continue;
        m_in_range.push_back(b);
        if (lo == band.first_age && hi == band.last_age) continue;  // the whole band: no split
        if (!m_place[b].sprague) {
            m_split_evenly.push_back(band.name);
            continue;
        }
        const Run& run = m_runs[m_place[b].run];
        const std::size_t first = sprague_first_group(m_place[b].position, run.groups.size());
        for (std::size_t q = first; q < first + 5; ++q)
            for (std::size_t member : m_groups[run.groups[q]].bands) needed.insert(member);
    }
    m_needs_totals.assign(needed.begin(), needed.end());
}

std::vector<std::pair<int, int>> AgeRangeSplit::five_year_groups() const {
    std::vector<std::pair<int, int>> out;
    for (const Group& g : m_groups) out.emplace_back(g.first_age, g.first_age + 4);
    return out;
}

std::vector<WeightedBand> AgeRangeSplit::weights(const std::vector<double>& band_totals) const {
    if (band_totals.size() != m_bands.size())
        throw InternalError(fmt::format("AgeRangeSplit::weights: {} totals for {} bands", band_totals.size(), m_bands.size()));
    std::vector<WeightedBand> out;
    for (std::size_t b : m_in_range) {
        const AgeBand& band = m_bands[b];
        const bool whole = band.first_age >= m_min_age && band.last_age <= m_max_age;
        out.push_back({band.name, whole ? 1.0 : m_place[b].sprague ? sprague_weight(b, band_totals) : even_weight(b)});
    }
    return out;
}

double AgeRangeSplit::even_weight(std::size_t b) const {
    const AgeBand& band = m_bands[b];
    return even_share(band, std::max(band.first_age, m_min_age), std::min(band.last_age, m_max_age));
}

double AgeRangeSplit::sprague_weight(std::size_t b, const std::vector<double>& band_totals) const {
    const BandPlace& place = m_place[b];
    const Run& run = m_runs[place.run];
    const std::size_t first = sprague_first_group(place.position, run.groups.size());
    std::vector<double> group_totals(run.groups.size(), 0.0);  // only the panel's five are read
    for (std::size_t q = first; q < first + 5; ++q)
        for (std::size_t member : m_groups[run.groups[q]].bands) group_totals[q] += band_totals[member];
    const double own = group_totals[place.position];
    if (!(own > 0.0)) return even_weight(b);  // nobody in the group: any split gives the same children
    const std::array<double, 5> years = sprague_group(group_totals, place.position);

    const AgeBand& band = m_bands[b];
    const int group_first = m_groups[run.groups[place.position]].first_age;
    const auto at = [&](int age) { return years[static_cast<std::size_t>(age - group_first)]; };
    const int lo = std::max(band.first_age, m_min_age), hi = std::min(band.last_age, m_max_age);
    bool negative = false;
    double sum = 0.0;
    for (int age = band.first_age; age <= band.last_age; ++age) {
        negative = negative || at(age) < 0.0;
        sum += std::max(at(age), 0.0);
    }
    if (!(sum > 0.0)) return even_weight(b);
    if (negative) {  // clamped at 0, rescaled to the band
        double in_range = 0.0;
        for (int age = lo; age <= hi; ++age) in_range += std::max(at(age), 0.0);
        return in_range / sum;
    }
    // The even split plus each year's departure from the band's mean year, taken from the departures from G/5 (which
    // sprague_group adds its corrections to): exactly 0, so exactly the even split, where every group is the same.
    const double reference = own / 5.0;
    const double width = static_cast<double>(band.last_age - band.first_age + 1);
    double mean_departure = 0.0;
    for (int age = band.first_age; age <= band.last_age; ++age) mean_departure += at(age) - reference;
    mean_departure /= width;
    double weight = even_weight(b);
    for (int age = lo; age <= hi; ++age) weight += (at(age) - reference - mean_departure) / sum;
    return weight;
}

}  // namespace accessplan
