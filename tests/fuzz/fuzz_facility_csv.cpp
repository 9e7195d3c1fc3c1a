// libFuzzer target: a facility file as CSV (x,y or lon,lat columns; OGR's CSV driver, then accessplan's checks:
// coordinates, UTF-8 names, the analysis CRS). Bad files must end in an InputError or IoError. Replayed over
// tests/fuzz/corpus/facility_csv in every test run.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/crs.hpp"
#include "accessplan/geodata/vector_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("accessplan-fuzz-facilities-" + std::to_string(::getpid()) + ".csv");
    static const accessplan::Crs utm = accessplan::geodata::crs_from_user("EPSG:32648", "fuzz");
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        accessplan::geodata::ReadOptions o;
        o.csv_xy_crs = utm;
        for (const auto& p : accessplan::geodata::read_points(file, utm, o))
            if (!(p.x == p.x) || !(p.y == p.y)) std::abort();  // no NaN coordinates may come out
    } catch (const accessplan::InputError&) {
    } catch (const accessplan::IoError&) {
    }
    return 0;
}
