#include "accessplan/geodata/utf8.hpp"

namespace accessplan::geodata {

std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        // Lengths by lead byte (RFC 3629); overlong two-byte forms (C0, C1) and bytes above F4 are invalid.
        const std::size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (n == 0 || i + n > text.size()) return i;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
        i += n;
    }
    return std::nullopt;
}

}  // namespace accessplan::geodata
