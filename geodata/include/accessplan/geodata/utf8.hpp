#pragma once
// UTF-8 checks for text read from users' files (names in legacy Vietnamese encodings must not slip through).

#include <cstddef>
#include <optional>
#include <string_view>

namespace accessplan::geodata {

/// The byte offset of the first byte of `text` that does not belong to a well-formed UTF-8 sequence, if any.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

}  // namespace accessplan::geodata
