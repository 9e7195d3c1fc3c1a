#pragma once
// SHA-256 checksums for provenance (run.json): the scenario's text and every input file it reads.

#include <filesystem>
#include <string>
#include <string_view>

namespace accessplan::geodata {

/// Lower-case hex SHA-256 of a byte string.
std::string sha256_hex(std::string_view bytes);

/// Lower-case hex SHA-256 of a file's contents, read in blocks. IoError when it cannot be read. Results are cached
/// in-process by (path, size, modification time), so a batch of scenarios on the same inputs reads each file once.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace accessplan::geodata
