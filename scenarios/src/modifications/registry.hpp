#pragma once
// The modification registry: the kinds of ModificationChange (modification.hpp) by their YAML names.

#include <optional>
#include <string>
#include <vector>

#include "accessplan/scenarios/modification.hpp"

namespace accessplan::scenarios::detail {

/// Every kind's YAML name, in the variant's order.
const std::vector<std::string>& modification_kind_names();

/// A default-constructed change of the kind named `name`, or nullopt for an unknown name.
std::optional<ModificationChange> make_change(const std::string& name);

/// What a modification changes (its kind's `changes`), for the run cache.
Changes changes_of(const Modification& m);

}  // namespace accessplan::scenarios::detail
