#pragma once
// Text inside XML and HTML (QML styles, the report): the five special characters as entities.

#include <string>
#include <string_view>

namespace accessplan::viz::detail {

inline std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace accessplan::viz::detail
