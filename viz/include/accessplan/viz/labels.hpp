#pragma once
// The words maps and the report show, in English and Vietnamese (--lang en|vi).

#include <string>

#include "accessplan/viz/palette.hpp"

namespace accessplan::viz {

/// A fixed phrase of the maps and the report ("legend", "water", ...) in `lang`; the key itself when unknown.
std::string tr(const std::string& key, Lang lang);

/// A service, travel mode, target group or area class name as a reader sees it: the known ones translated
/// ("primary_school" -> "primary school" / "trường tiểu học"), others with underscores as spaces.
std::string display_name(const std::string& name, Lang lang);

/// "children aged 6–10" / "trẻ 6–10 tuổi"; without age data (`all_ages`) "people of all ages (no age data)".
std::string age_group_label(int min_age, int max_age, Lang lang, bool all_ages = false);

/// "children" / "trẻ em", or without age data "people (all ages)" / "người (mọi lứa tuổi)".
std::string people_noun(bool all_ages, Lang lang);

/// 12345.6 -> "12,346" (en) or "12.346" (vi).
std::string format_count(double value, Lang lang);

/// 62.34 -> "62.3%" (en) or "62,3%" (vi).
std::string format_pct(double value, Lang lang);

}  // namespace accessplan::viz
