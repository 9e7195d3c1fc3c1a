#pragma once
// Plain CSV tables without geometry (census age shares, cost tables): header + rows of text, RFC 4180 quoting,
// UTF-8 with or without a byte-order mark.

#include <filesystem>
#include <string>
#include <vector>

namespace accessplan::geodata {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  ///< each the size of the header
    /// Column index of `name`, or -1.
    int column(const std::string& name) const;
};

/// InputError for a missing file, an empty file, or a row whose field count differs from the header (naming the line).
CsvTable read_csv_table(const std::filesystem::path& path);

/// The same from text in memory; `source` names it in messages. Also InputError for text that is not UTF-8.
CsvTable parse_csv_table(std::string text, const std::string& source);

/// A text field for the CSV tables accessplan writes: in double quotes, with any double quote inside turned into a
/// single quote (names with commas stay one field).
std::string csv_text(std::string text);

}  // namespace accessplan::geodata
