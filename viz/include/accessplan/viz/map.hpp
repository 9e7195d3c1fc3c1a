#pragma once
// Printed maps (Cairo): travel time per service and travel-time change for comparisons, on an A4 page (landscape;
// portrait for an area so tall that the map is then at least 1.25 times as large across)
// with title, legend, scale bar, north arrow and data credits. PNG at 150 dpi, and all pages in one PDF.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accessplan/engine/grid.hpp"
#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/scenarios/compare.hpp"
#include "accessplan/viz/label_placer.hpp"
#include "accessplan/viz/palette.hpp"

namespace accessplan::viz {

/// What the maps draw besides the mapped raster, read from a results folder.
struct MapContext {
    GridSpec grid;
    /// rasters/land.tif: 0 water, 1 land outside, 2 study area; rasters/area_class.tif bit flags. Shared, not copied:
    /// a run's grids in memory are a national grid's 130 M bytes each.
    std::shared_ptr<const Grid<std::uint8_t>> land, area_class;
    std::vector<geodata::Feature> facilities, zones, gaps, ranking, study_area, border;
    /// Boxes OpenStreetMap inputs are complete in, when the study area reaches beyond them (access.gpkg osm_extract).
    std::vector<geodata::Feature> osm_extract;
    std::string credits;  ///< one line: the data sources
};

/// Reads rasters/land.tif, rasters/area_class.tif and access.gpkg's layers of a results folder; `credits` as given.
/// `land` and `area_class`, when given (a run's in-memory grids, e.g. aliases of RunResult::grids), are shared instead
/// of reading their rasters.
MapContext load_map_context(const std::filesystem::path& results_dir, std::string credits,
                            std::shared_ptr<const Grid<std::uint8_t>> land = nullptr,
                            std::shared_ptr<const Grid<std::uint8_t>> area_class = nullptr);

/// The values of `values` (on the context's grid) that a map colours by class: those of the study area's land (not
/// water, not land outside it). For travel_time_classes.
std::vector<float> study_area_values(const MapContext& context, const Grid<float>& values);
/// The rank of a site of the ranking layer (access.gpkg), read strictly (engine/numbers.hpp): InputError naming the
/// site when the layer was edited ("3rd", "", "0x3").
int ranked_site_rank(const geodata::Feature& site);

/// Cells drawn in a colour of their own whatever their value, by a code per cell: a comparison's cells that became
/// reachable or unreachable (the codes of rasters/status_change_<service>.tif; status_change_categories).
struct CategoryLayer {
    const Grid<std::uint8_t>* codes = nullptr;  ///< on the context's grid; none: no category drawn
    std::vector<CellCategory> categories;       ///< codes not listed keep the colour of their value
};

/// The categories of `all` that some cell of `codes` holds, water left aside (legends list no category the map does
/// not show).
std::vector<CellCategory> categories_present(const MapContext& context, const Grid<std::uint8_t>& codes,
                                             std::vector<CellCategory> all);

/// One map page.
struct MapPage {
    std::string title, subtitle;
    const Grid<float>* values = nullptr;       ///< minutes (travel time) or minutes of change
    std::vector<ValueClass> classes;           ///< colours of `values`; cells beyond every class: the last
    std::string legend_title;
    bool unreachable_in_legend = true;         ///< NaN cells are "no access" (travel time); else not drawn
    std::string unreachable_label;             ///< the legend's words for NaN cells (default: "no access")
    std::string service;                       ///< draw this service's gaps and ranked sites (empty: none)
    std::vector<std::string> facility_types;   ///< draw facilities of these types (in this order: colours)
    CategoryLayer categories;                  ///< cells drawn by category over `values` (in the legend after classes)
    std::string facilities_of;                 ///< draw the facilities whose `services` list this one, small and grey
    std::vector<scenarios::FacilityChange> facility_changes;  ///< marked new, moved (arrow from where it was), closed
    std::vector<std::string> key_figures;      ///< lines under the legend
};

/// The colours of the marks of facility_changes (filled circles; new with a white +, closed with a white x, moved
/// with an arrow from where it was).
Rgb facility_change_colour(scenarios::FacilityChange::Kind kind);

/// `values` coloured by `classes` (with water, land outside the study area, `categories` and, when `unreachable`, NaN
/// as no access, as on the maps) as PNG bytes, one pixel per cell, every k-th cell when the grid is wider or taller than
/// `max_pixels`. For the report's interactive map.
std::string raster_png(const MapContext& context, const Grid<float>& values, const std::vector<ValueClass>& classes,
                       bool unreachable, std::size_t max_pixels = 2000, const CategoryLayer& categories = {});

/// `bytes` in base64 (RFC 4648, padded): PNG bytes for a data: URL or JSON.
std::string base64(std::string_view bytes);

/// A map page's title and subtitle as drawn: each fitted to the page's width (shrunk, then wrapped onto a second line,
/// then shortened with "…"), measured with Cairo in the maps' font.
struct MapHeading {
    std::vector<std::string> title_lines, subtitle_lines;
    double title_size_pt = 0, subtitle_size_pt = 0;
    double width_pt = 0;   ///< the width they fit in: the page's less its margins
    double height_pt = 0;  ///< from the page's top to the map frame
};
/// On a page `page_width_pt` wide: A4 landscape (842 pt), or portrait (595 pt) for a tall area (render_maps).
MapHeading map_heading(const MapPage& page, double page_width_pt = 842.0);
/// The font of the maps' text ("DejaVu Sans", which has every Vietnamese letter).
const char* map_font();

/// The numbered marks of a map's ranked sites (its service's best `max_numbered_sites`, by rank) where the page draws
/// them (points, on the page render_maps draws): on the site when there is room, else beside it with a leader line, else a plain dot
/// (label_placer.hpp). The notes under the legend say which ranks are numbered and which are dots.
struct RankedSiteMarks {
    struct Mark {
        int rank = 0;
        double x = 0, y = 0;  ///< the site
        Box box;              ///< its number's disc (numbered marks only)
        bool numbered = false, leader = false;
    };
    static constexpr std::size_t max_numbered_sites = 30;
    std::vector<Mark> marks;        ///< best rank first
    std::size_t service_sites = 0;  ///< the ranking layer's sites of this service
    std::size_t all_sites = 0;      ///< the ranking layer's sites of every service
    std::vector<int> unnumbered;    ///< ranks drawn as dots: no room for their number
};
RankedSiteMarks ranked_site_marks(const MapContext& context, const MapPage& page);
/// The lines under the legend about the ranked sites: which ranks are numbered, of how many, and which are dots; none
/// when the map has no ranked site.
std::vector<std::string> ranked_site_notes(const RankedSiteMarks& marks, Lang lang);

/// Draws `pages` into `png_files` (one each, A4 at 150 dpi: landscape, or portrait for a tall area) and all of them into `pdf_file` (A4 pages;
/// empty path: no PDF). Files are written atomically. IoError when Cairo cannot write.
void render_maps(const MapContext& context, const std::vector<MapPage>& pages,
                 const std::vector<std::filesystem::path>& png_files, const std::filesystem::path& pdf_file, Lang lang);

}  // namespace accessplan::viz
