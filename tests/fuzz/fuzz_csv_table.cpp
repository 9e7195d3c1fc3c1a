// libFuzzer target: the CSV table reader (census age shares, cost tables) on arbitrary bytes. Bad tables must end in
// an InputError; a table that parses must be rectangular. Replayed over tests/fuzz/corpus/csv_table in every test run.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/csv_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto table = accessplan::geodata::parse_csv_table(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
        if (table.header.empty()) std::abort();
        for (const auto& row : table.rows)
            if (row.size() != table.header.size()) std::abort();
        for (std::size_t k = 0; k < table.header.size(); ++k)
            if (table.column(table.header[k]) < 0) std::abort();
    } catch (const accessplan::InputError&) {
    }
    return 0;
}
