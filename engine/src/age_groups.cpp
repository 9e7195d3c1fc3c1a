#include "accessplan/engine/age_groups.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

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

std::vector<WeightedBand> bands_for_age_range(const std::vector<AgeBand>& bands, int min_age, int max_age) {
    std::vector<WeightedBand> out;
    for (const AgeBand& b : bands) {
        const int lo = std::max(b.first_age, min_age), hi = std::min(b.last_age, max_age);
        if (hi < lo) continue;
        const double width = b.last_age >= 120 ? 20.0 : static_cast<double>(b.last_age - b.first_age + 1);
        out.push_back({b.name, static_cast<double>(hi - lo + 1) / width});
    }
    return out;
}

}  // namespace accessplan
