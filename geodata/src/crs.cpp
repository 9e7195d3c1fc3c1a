#include "accessplan/geodata/crs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <cpl_conv.h>
#include <fmt/format.h>

#include "accessplan/geodata/gdal_env.hpp"

namespace accessplan::geodata {

Crs crs_from_srs(const OGRSpatialReference& srs) {
    Crs crs;
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2018", nullptr};
    if (srs.exportToWkt(&wkt, options) == OGRERR_NONE && wkt != nullptr) crs.wkt = wkt;
    CPLFree(wkt);
    crs.geographic = srs.IsGeographic() != 0;
    crs.metres_per_unit = crs.geographic ? 1.0 : srs.GetLinearUnits();
    if (const char* name = srs.GetName()) crs.name = name;
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth != nullptr && code != nullptr && std::string_view(auth) == "EPSG") crs.epsg = std::atoi(code);
    if (!crs.epsg) {
        OGRSpatialReference copy(srs);
        if (copy.AutoIdentifyEPSG() == OGRERR_NONE) {
            const char* a = copy.GetAuthorityName(nullptr);
            const char* c = copy.GetAuthorityCode(nullptr);
            if (a != nullptr && c != nullptr && std::string_view(a) == "EPSG") crs.epsg = std::atoi(c);
        }
    }
    return crs;
}

namespace {

/// Vietnam's VN-2000 grids by the names surveyors write them: "VN-2000 / TM-3 105-45" (a province's 3-degree zone,
/// central meridian 105°45'; also "105.75" or "105°45'"), "VN-2000 / UTM zone 48N". TM-3: scale 0.9999, false easting
/// 500 km, and VN-2000 -> WGS 84 as EPSG:6960 (the parameters of EPSG:9205-9218, which PROJ names the same way but GDAL
/// cannot look up by name). nullopt for other text.
std::optional<std::string> vn2000_definition(std::string_view text) {
    static const std::regex tm3(R"(^\s*vn[- ]?2000\s*/?\s*tm-?3\s*(?:zone\s*)?(\d{3})(?:(?:-|°|\s+)(\d{1,2})'?|\.(\d+))?\s*$)",
                                std::regex::icase);
    static const std::regex utm(R"(^\s*vn[- ]?2000\s*/?\s*utm\s*(?:zone\s*)?(48|49)\s*n?\s*$)", std::regex::icase);
    const std::string t(text);
    std::smatch m;
    if (std::regex_match(t, m, utm)) return m[1] == "48" ? "EPSG:3405" : "EPSG:3406";
    if (!std::regex_match(t, m, tm3)) return std::nullopt;
    double meridian = std::stod(m[1].str());
    if (m[2].matched) meridian += std::stod(m[2].str()) / 60.0;
    if (m[3].matched) meridian += std::stod("0." + m[3].str());
    if (meridian < 102.0 || meridian > 110.0) return std::nullopt;  // ("TM-3 zone 481": an EPSG name, not a meridian)
    return fmt::format("+proj=tmerc +lat_0=0 +lon_0={} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
                       "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 "
                       "+units=m +no_defs +type=crs", meridian);
}

}  // namespace

Crs crs_from_user(std::string_view text, std::string_view context) {
    ensure_gdal();
    OGRSpatialReference srs;
    reset_gdal_error();
    const std::optional<std::string> vn2000 = vn2000_definition(text);
    if (srs.SetFromUserInput(vn2000 ? vn2000->c_str() : std::string(text).c_str()) != OGRERR_NONE)
        throw InputError(fmt::format("{}: '{}' is not a coordinate reference system PROJ knows ({}); use e.g. "
                                     "EPSG:32648 (UTM 48N) or EPSG:32649 (UTM 49N) for Vietnam, EPSG:9210 or \"VN-2000 / TM-3 105-45\" for a "
                                     "province's VN-2000 grid",
                                     context, text, last_gdal_error()));
    return crs_from_srs(srs);
}

Crs wgs84() {
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    return crs_from_srs(srs);
}

Crs utm_crs_for(double lon, double lat) {
    if (!std::isfinite(lon) || !std::isfinite(lat) || lat < -80.0 || lat > 84.0)
        throw InputError(fmt::format("study area centre ({}, {}) is outside UTM coverage; set area.crs explicitly",
                                     lon, lat));
    const int zone = std::clamp(static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1, 1, 60);
    OGRSpatialReference srs;
    srs.importFromEPSG((lat >= 0.0 ? 32600 : 32700) + zone);
    return crs_from_srs(srs);
}

OGRSpatialReference to_srs(const Crs& crs) {
    ensure_gdal();
    OGRSpatialReference srs;
    OGRErr err = OGRERR_FAILURE;
    if (crs.epsg) err = srs.importFromEPSG(*crs.epsg);
    if (err != OGRERR_NONE && !crs.wkt.empty()) err = srs.importFromWkt(crs.wkt.c_str());
    if (err != OGRERR_NONE)
        throw InputError(fmt::format("coordinate reference system '{}' could not be set up: {}", crs.label(),
                                     last_gdal_error()));
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

CoordinateTransform::CoordinateTransform(const Crs& from, const Crs& to)
    : m_label(fmt::format("{} -> {}", from.label(), to.label())) {
    OGRSpatialReference a = to_srs(from);
    OGRSpatialReference b = to_srs(to);
    reset_gdal_error();
    m_transform = OGRCreateCoordinateTransformation(&a, &b);
    if (m_transform == nullptr)
        throw IoError(fmt::format("cannot transform coordinates {}: {}", m_label, last_gdal_error()));
}

CoordinateTransform::~CoordinateTransform() { OCTDestroyCoordinateTransformation(m_transform); }

bool CoordinateTransform::transform(std::size_t count, double* x, double* y) const {
    if (count == 0) return true;
    std::vector<int> ok(count, 0);
    m_transform->Transform(static_cast<int>(count), x, y, nullptr, ok.data());
    bool all = true;
    for (std::size_t i = 0; i < count; ++i)
        if (!ok[i] || !std::isfinite(x[i]) || !std::isfinite(y[i])) {
            x[i] = y[i] = std::numeric_limits<double>::infinity();
            all = false;
        }
    return all;
}

void CoordinateTransform::transform_point(double& x, double& y) const {
    if (!transform(1, &x, &y))
        throw InputError(fmt::format("point cannot be transformed {} (outside the CRS's area of use?)", m_label));
}

}  // namespace accessplan::geodata
