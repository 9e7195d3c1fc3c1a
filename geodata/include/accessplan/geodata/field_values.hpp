#pragma once
// The values one field of a vector layer holds (e.g. which services a results layer has features of).

#include <filesystem>
#include <map>
#include <string>

namespace accessplan::geodata {

/// How many features of `layer` in the vector file `path` hold each value of `field`, the values as text (NULL as
/// ""). InputError when the file, the layer or the field is missing.
std::map<std::string, long long> count_field_values(const std::filesystem::path& path, const std::string& layer,
                                                    const std::string& field);

}  // namespace accessplan::geodata
