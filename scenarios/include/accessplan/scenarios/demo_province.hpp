#pragma once
// The embedded demo province "Sơn Hải" (synthetic, deterministic): mountains along a national land border in the
// north, a coastal plain with a river delta, an island district ~20 km offshore reached only by ferry, rivers from
// flow routing, villages and towns, a road hierarchy routed over the terrain, communes and districts, and
// facilities at realistic densities. All in memory; scenarios/demo_writer writes it as real input files.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "accessplan/engine/grid.hpp"

namespace accessplan::demo {

struct XY {
    double x = 0.0, y = 0.0;
};

using Attributes = std::map<std::string, std::string>;

struct LineFeature {
    std::vector<XY> points;
    Attributes attributes;
};

struct PointFeature {
    XY point;
    Attributes attributes;
};

struct District {
    std::int32_t id = 0;
    std::string name;
    std::string kind;  ///< "city", "mountain", "plain", "island"
    XY town;
};

struct Commune {
    std::int32_t id = 0;
    std::string name;
    std::string code;  ///< "SH0101": district 01, commune 01
    std::int32_t district_id = 0;
    XY seat;
    bool extremely_difficult = false;  ///< on the (synthetic) list of extremely difficult communes
};

struct DemoProvince {
    GridSpec grid;                       ///< UTM 48N, 100 m
    Grid<float> elevation_m;             ///< DEM; sea cells hold bathymetry (< 0)
    Grid<std::uint8_t> landcover;        ///< ESA WorldCover codes
    Grid<float> population;              ///< persons per cell, all ages
    /// WorldPop-style age/sex bands for children and youth: f_0 (age 0), f_1 (1-4), f_5, f_10, f_15, and m_*.
    std::vector<std::pair<std::string, Grid<float>>> age_sex_bands;
    Grid<std::int32_t> commune_id;       ///< 0 outside the province (sea, across the border)
    std::vector<District> districts;
    std::vector<Commune> communes;
    std::vector<LineFeature> roads;      ///< attribute "highway" (OSM values), "name"
    std::vector<LineFeature> rivers;     ///< attribute "name", "order"
    std::vector<LineFeature> national_border;
    std::vector<LineFeature> ferries;    ///< "name", "crossing_min", "headway_min", "months"
    std::vector<PointFeature> settlements;  ///< "name", "kind" (city/town/village), "population"
    std::vector<PointFeature> facilities;   ///< "id", "type", "name", "capacity", "commune_code"
};

/// Generates the province. The same seed gives byte-identical results on every machine and thread count.
DemoProvince generate_demo_province(std::uint64_t seed = 28);

}  // namespace accessplan::demo
