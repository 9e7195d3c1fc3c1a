#include "accessplan/geodata/gdal_env.hpp"

#include <mutex>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

namespace accessplan::geodata {
namespace {

thread_local std::string t_last_error;

void CPL_STDCALL quiet_handler(CPLErr level, CPLErrorNum, const char* message) {
    if (level >= CE_Failure && message != nullptr) t_last_error = message;
}

}  // namespace

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetErrorHandler(quiet_handler);
        // Never reach for the network (offline provincial offices; CI has none).
        CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
        CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "none");
        CPLSetConfigOption("OGR_GEOMETRY_ACCEPT_UNCLOSED_RING", "NO");
        // The grids live in accessplan's own memory; GDAL's block cache holds only the blocks of a file being read or
        // written. Its default, 5 % of RAM, added ~0.1 GB to the national run's peak while a raster was written, and
        // 256 MB still ~0.3 GB while the nearest-facility raster was written in the middle of the run (issue 20); 16 MB
        // wrote a national raster as fast (2.2 s against 2.4 s): 16 MB unless the user sets GDAL_CACHEMAX.
        if (CPLGetConfigOption("GDAL_CACHEMAX", nullptr) == nullptr) CPLSetConfigOption("GDAL_CACHEMAX", "16");
    });
}

std::string last_gdal_error() {
    if (!t_last_error.empty()) return t_last_error;
    const char* msg = CPLGetLastErrorMsg();
    return msg != nullptr ? std::string(msg) : std::string();
}

void reset_gdal_error() {
    t_last_error.clear();
    CPLErrorReset();
}

}  // namespace accessplan::geodata
