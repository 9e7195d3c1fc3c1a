#pragma once
// GDAL/OGR set-up, and turning GDAL's error state into accessplan exceptions (once, here in geodata).

#include <string>

namespace accessplan::geodata {

/// Registers GDAL/OGR drivers once and installs an error handler that keeps GDAL quiet on stderr
/// (its messages are carried by our exceptions instead).
void ensure_gdal();

/// The last message GDAL/OGR/PROJ reported on this thread, or "" when none.
std::string last_gdal_error();

/// Clears the last GDAL error of this thread.
void reset_gdal_error();

}  // namespace accessplan::geodata
