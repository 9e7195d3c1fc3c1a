#include "registry.hpp"

#include <utility>

namespace accessplan::scenarios::detail {
namespace {

template <std::size_t... I>
std::vector<std::string> names(std::index_sequence<I...>) {
    return {std::string(std::variant_alternative_t<I, ModificationChange>::name)...};
}

template <std::size_t... I>
std::optional<ModificationChange> make(const std::string& name, std::index_sequence<I...>) {
    std::optional<ModificationChange> out;
    ((std::variant_alternative_t<I, ModificationChange>::name == name ? (out.emplace(std::in_place_index<I>), 0) : 0), ...);
    return out;
}

}  // namespace

const std::vector<std::string>& modification_kind_names() {
    static const std::vector<std::string> all = names(std::make_index_sequence<std::variant_size_v<ModificationChange>>{});
    return all;
}

std::optional<ModificationChange> make_change(const std::string& name) {
    return make(name, std::make_index_sequence<std::variant_size_v<ModificationChange>>{});
}

Changes changes_of(const Modification& m) {
    return std::visit([](const auto& c) { return std::remove_cvref_t<decltype(c)>::changes; }, m.change);
}

}  // namespace accessplan::scenarios::detail
