#pragma once
// Coordinate reference systems: from files and user strings to accessplan::Crs, and the auto-UTM choice.

#include <string>
#include <string_view>

#include <ogr_spatialref.h>

#include "accessplan/engine/grid.hpp"

namespace accessplan::geodata {

/// Crs value (WKT2, EPSG code, geographic flag, metres per unit) of an OGR spatial reference.
Crs crs_from_srs(const OGRSpatialReference& srs);

/// Crs from user text: "EPSG:32648", a WKT string or a PROJ string. `context` names where it came from, for errors.
Crs crs_from_user(std::string_view text, std::string_view context);

/// WGS 84 (EPSG:4326), axis order lon/lat.
Crs wgs84();

/// The WGS 84 / UTM zone containing (lon, lat): EPSG:326zz north of the equator, 327zz south (Snyder 1987).
Crs utm_crs_for(double lon, double lat);

/// OGR spatial reference for a Crs, with traditional GIS (x = easting/lon, y = northing/lat) axis order.
OGRSpatialReference to_srs(const Crs& crs);

/// Transforms points between two CRSs in place (x/y arrays, GIS axis order). Throws IoError on failure.
class CoordinateTransform {
public:
    CoordinateTransform(const Crs& from, const Crs& to);
    ~CoordinateTransform();
    CoordinateTransform(const CoordinateTransform&) = delete;
    CoordinateTransform& operator=(const CoordinateTransform&) = delete;

    /// Returns false for points PROJ could not transform (they are set to infinity).
    bool transform(std::size_t count, double* x, double* y) const;
    void transform_point(double& x, double& y) const;

private:
    OGRCoordinateTransformation* m_transform = nullptr;
    std::string m_label;
};

}  // namespace accessplan::geodata
