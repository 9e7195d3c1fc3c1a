#include "accessplan/geodata/csv_table.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/utf8.hpp"

namespace accessplan::geodata {

int CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return static_cast<int>(i);
    return -1;
}

CsvTable read_csv_table(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: file not found or not readable; check the path", path.string()));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse_csv_table(buffer.str(), path.string());
}

CsvTable parse_csv_table(std::string text, const std::string& source) {
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    if (const auto bad = first_invalid_utf8(text))
        throw InputError(fmt::format("{}: byte {} is not UTF-8 text; save the table as UTF-8 (spreadsheet: CSV UTF-8)", source, *bad + 1));
    CsvTable table;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    std::size_t line = 1, row_line = 1;
    auto end_row = [&] {
        row.push_back(field);
        field.clear();
        const bool blank = row.size() == 1 && row[0].empty();
        if (!blank) {
            if (table.header.empty()) {
                table.header = row;
            } else if (row.size() != table.header.size()) {
                throw InputError(fmt::format("{}:{}: {} fields where the header has {}; quote fields that contain commas",
                                             source, row_line, row.size(), table.header.size()));
            } else {
                table.rows.push_back(row);
            }
        }
        row.clear();
        row_line = line;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        any = true;
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n') ++line;
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
        } else if (c == '\n') {
            ++line;
            end_row();
        } else if (c != '\r') {
            field += c;
        }
    }
    if (quoted) throw InputError(fmt::format("{}: a quoted field is not closed", source));
    if (!field.empty() || !row.empty()) end_row();
    if (!any || table.header.empty()) throw InputError(fmt::format("{}: the file is empty; expected a header row", source));
    return table;
}

std::string csv_text(std::string text) {
    std::replace(text.begin(), text.end(), '"', '\'');
    return "\"" + text + "\"";
}

}  // namespace accessplan::geodata
