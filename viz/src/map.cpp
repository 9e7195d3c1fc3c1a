#include "accessplan/viz/map.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/engine/numbers.hpp"
#include "accessplan/geodata/output.hpp"
#include "accessplan/geodata/raster_io.hpp"
#include "accessplan/scenarios/results_layout.hpp"
#include "accessplan/viz/labels.hpp"

namespace fs = std::filesystem;

namespace accessplan::viz {
namespace {

// A4 in points, landscape unless the area is so tall that a portrait page draws its map much larger (all of Vietnam:
// 1.4 times as large across); the map frame takes what the title, legend and credits leave.
constexpr double a4_long = 842.0, a4_short = 595.0;
constexpr double margin = 22.0, legend_w = 220.0, min_heading_h = 50.0, credits_h = 18.0;
constexpr double png_dpi = 150.0;
constexpr double pdf_pixels_per_pt = 2.0;  // the raster layer's resolution in the PDF (144 dpi)
const char* const font = "DejaVu Sans";    // has every Vietnamese letter

const Rgb water{219, 233, 246}, outside{236, 236, 236}, ink{26, 26, 26}, zone_line{111, 111, 111}, border_line{74, 20, 134};
const Rgb osm_extract_colour{204, 85, 0};  // burnt orange: apart from the travel-time ramps and the border's purple

struct CairoDeleter {
    void operator()(cairo_t* cr) const noexcept { cairo_destroy(cr); }
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
    void operator()(cairo_pattern_t* p) const noexcept { cairo_pattern_destroy(p); }
};
using Context = std::unique_ptr<cairo_t, CairoDeleter>;
using Surface = std::unique_ptr<cairo_surface_t, CairoDeleter>;
using Pattern = std::unique_ptr<cairo_pattern_t, CairoDeleter>;

/// World (grid CRS) to page coordinates.
struct Frame {
    double x = 0, y = 0, w = 0, h = 0, k = 1;  ///< page rectangle (pt), points per metre
    double min_x = 0, max_y = 0;
    double px(double wx) const { return x + (wx - min_x) * k; }
    double py(double wy) const { return y + (max_y - wy) * k; }
};

struct Page {
    double w = a4_long, h = a4_short;
};

/// The map frame's scale (points per metre) on a page of `page_w` x `page_h` under a heading `heading_h` tall.
double frame_scale(const GridSpec& g, double page_w, double page_h, double heading_h) {
    const double aw = page_w - 2 * margin - legend_w - 14.0, ah = page_h - margin - heading_h - margin - credits_h;
    return std::min(aw / (g.max_x() - g.min_x()), ah / (g.max_y() - g.min_y()));
}

/// Landscape, or portrait when that draws the map at least 1.25 times as large across (a tall area: a long coastal
/// province, the whole country).
Page page_for(const GridSpec& g) {
    if (frame_scale(g, a4_short, a4_long, min_heading_h) > 1.25 * frame_scale(g, a4_long, a4_short, min_heading_h))
        return {a4_short, a4_long};
    return {};
}

Frame fit(const GridSpec& g, const Page& page, double heading_h) {
    const double x0 = margin, y0 = margin + heading_h;
    const double aw = page.w - 2 * margin - legend_w - 14.0, ah = page.h - y0 - margin - credits_h;
    const double W = g.max_x() - g.min_x(), H = g.max_y() - g.min_y();
    Frame f;
    f.k = std::min(aw / W, ah / H);
    f.w = W * f.k;
    f.h = H * f.k;
    f.x = x0 + (aw - f.w) / 2;
    f.y = y0 + (ah - f.h) / 2;
    f.min_x = g.min_x();
    f.max_y = g.max_y();
    return f;
}

void colour(cairo_t* cr, const Rgb& c, double alpha = 1.0) { cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha); }

enum class Align { left, centre, right };

void text(cairo_t* cr, double x, double y, const std::string& s, double size, bool bold = false, Align align = Align::left) {
    cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    const double dx = align == Align::left ? 0.0 : align == Align::centre ? -e.x_advance / 2 : -e.x_advance;
    cairo_move_to(cr, x + dx, y);
    cairo_show_text(cr, s.c_str());
}

double text_width(cairo_t* cr, const std::string& s, double size, bool bold = false) {
    cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    return e.x_advance;
}

/// Words of `s` in lines no wider than `width` (a word wider than `width` stays whole, on a line of its own).
std::vector<std::string> wrap(cairo_t* cr, const std::string& s, double size, double width, bool bold = false) {
    std::vector<std::string> lines;
    std::string line, word;
    auto flush_word = [&] {
        if (word.empty()) return;
        const std::string candidate = line.empty() ? word : line + " " + word;
        if (!line.empty() && text_width(cr, candidate, size, bold) > width) {
            lines.push_back(line);
            line = word;
        } else {
            line = candidate;
        }
        word.clear();
    };
    for (char c : s) {
        if (c == ' ') flush_word();
        else word += c;
    }
    flush_word();
    if (!line.empty()) lines.push_back(line);
    return lines;
}

/// A context to measure text with (nothing is drawn).
Context measuring_context() {
    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1));
    return Context(cairo_create(surface.get()));  // the context keeps the surface alive
}

/// The first code point boundary at or before byte `at` of UTF-8 `s`.
std::size_t utf8_boundary(const std::string& s, std::size_t at) {
    while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
    return at;
}

struct FittedText {
    std::vector<std::string> lines;
    double size = 0;
};

/// `s` in at most `max_lines` lines no wider than `width`: on one line at the largest size from `size` down to
/// `one_line_min`, else wrapped at the largest size from `one_line_min` down to `min`; else at `min` with the last line
/// shortened with "…".
FittedText fit_text(cairo_t* cr, const std::string& s, double size, double one_line_min, double min, double width,
                    std::size_t max_lines, bool bold) {
    auto fits = [&](const std::vector<std::string>& lines, double at) {
        if (lines.size() > max_lines) return false;
        return std::all_of(lines.begin(), lines.end(), [&](const std::string& l) { return text_width(cr, l, at, bold) <= width; });
    };
    for (double at = size; at >= one_line_min - 1e-9; at -= 0.5)
        if (text_width(cr, s, at, bold) <= width) return {{s}, at};
    for (double at = one_line_min; at >= min - 1e-9; at -= 0.5)
        if (auto lines = wrap(cr, s, at, width, bold); fits(lines, at)) return {lines, at};
    std::vector<std::string> lines = wrap(cr, s, min, width, bold);
    const bool more = lines.size() > max_lines;
    if (more) lines.resize(max_lines);
    for (std::size_t k = 0; k < lines.size(); ++k) {
        std::string& l = lines[k];
        bool cut = more && k + 1 == lines.size();
        while (!l.empty() && text_width(cr, cut ? l + "…" : l, min, bold) > width) {
            l.erase(utf8_boundary(l, l.size() - 1));
            cut = true;
        }
        if (cut) l += "…";
    }
    return {lines, min};
}

void add_path(cairo_t* cr, const OGRGeometry& g, const Frame& f) {
    auto line = [&](const OGRSimpleCurve& l, bool close) {
        for (int i = 0; i < l.getNumPoints(); ++i) {
            const double x = f.px(l.getX(i)), y = f.py(l.getY(i));
            if (i == 0) cairo_move_to(cr, x, y);
            else cairo_line_to(cr, x, y);
        }
        if (close && l.getNumPoints() > 0) cairo_close_path(cr);
    };
    switch (wkbFlatten(g.getGeometryType())) {
        case wkbPolygon: {
            const auto& p = *g.toPolygon();
            if (p.getExteriorRing()) line(*p.getExteriorRing(), true);
            for (int i = 0; i < p.getNumInteriorRings(); ++i) line(*p.getInteriorRing(i), true);
            break;
        }
        case wkbLineString: line(*g.toLineString(), false); break;
        case wkbMultiPolygon:
        case wkbMultiLineString:
        case wkbGeometryCollection: {
            const auto& c = *g.toGeometryCollection();
            for (int i = 0; i < c.getNumGeometries(); ++i) add_path(cr, *c.getGeometryRef(i), f);
            break;
        }
        default: break;
    }
}

void stroke_features(cairo_t* cr, const std::vector<geodata::Feature>& features, const Frame& f, const Rgb& c, double width,
                     const std::string& only_service = "") {
    for (const auto& feature : features) {
        if (!feature.geometry) continue;
        if (!only_service.empty() && feature.attribute("service") != only_service) continue;
        add_path(cr, *feature.geometry, f);
    }
    colour(cr, c);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
}

void national_border(cairo_t* cr, const std::vector<geodata::Feature>& border, const Frame& f) {
    for (const auto& b : border)
        if (b.geometry) add_path(cr, *b.geometry, f);
    cairo_path_t* path = cairo_copy_path(cr);
    colour(cr, {255, 255, 255});
    cairo_set_line_width(cr, 3.4);
    cairo_stroke(cr);
    cairo_append_path(cr, path);
    cairo_path_destroy(path);
    const double dash[] = {7.0, 2.0, 1.6, 2.0};
    cairo_set_dash(cr, dash, 4, 0.0);
    colour(cr, border_line);
    cairo_set_line_width(cr, 1.6);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0.0);
}

/// The box an OpenStreetMap extract is complete in (beyond it its roads and facilities are missing): long dashes.
void osm_extract_line(cairo_t* cr) {
    const double dash[] = {6.0, 3.0};
    cairo_set_dash(cr, dash, 2, 0.0);
    colour(cr, osm_extract_colour);
    cairo_set_line_width(cr, 1.4);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0.0);
}

void osm_extract_outline(cairo_t* cr, const std::vector<geodata::Feature>& boxes, const Frame& f) {
    for (const auto& b : boxes) {
        if (!b.geometry) continue;
        add_path(cr, *b.geometry, f);
        osm_extract_line(cr);
    }
}

/// A facility marker: the shape of its type (circle, square, triangle, diamond; as the QGIS style).
void marker(cairo_t* cr, double x, double y, std::size_t type_index, double r) {
    cairo_new_path(cr);
    switch (type_index % 4) {
        case 0: cairo_arc(cr, x, y, r, 0, 2 * M_PI); break;
        case 1: cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r); break;
        case 2:
            cairo_move_to(cr, x, y - r * 1.1);
            cairo_line_to(cr, x + r, y + r * 0.8);
            cairo_line_to(cr, x - r, y + r * 0.8);
            cairo_close_path(cr);
            break;
        default:
            cairo_move_to(cr, x, y - r * 1.2);
            cairo_line_to(cr, x + r, y);
            cairo_line_to(cr, x, y + r * 1.2);
            cairo_line_to(cr, x - r, y);
            cairo_close_path(cr);
    }
    colour(cr, facility_colour(type_index));
    cairo_fill_preserve(cr);
    colour(cr, ink);
    cairo_set_line_width(cr, std::min(0.5, 0.2 * r));  // (a thin outline on the small markers of crowded maps)
    cairo_stroke(cr);
}

/// A facility a comparison does not mark: small and grey, under the marks.
void unchanged_facility(cairo_t* cr, double x, double y) {
    cairo_new_path(cr);
    cairo_arc(cr, x, y, 1.9, 0, 2 * M_PI);
    colour(cr, {150, 150, 150});
    cairo_fill_preserve(cr);
    colour(cr, {60, 60, 60});
    cairo_set_line_width(cr, 0.4);
    cairo_stroke(cr);
}

/// A facility a comparison marks: a filled circle in the colour of its change, new with a white +, closed with a white
/// x, moved with an arrow from a small ring where it was (drawn by facility_change_arrow first).
void facility_change_marker(cairo_t* cr, double x, double y, scenarios::FacilityChange::Kind kind, double r) {
    using Kind = scenarios::FacilityChange::Kind;
    cairo_new_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    colour(cr, facility_change_colour(kind));
    cairo_fill_preserve(cr);
    colour(cr, ink);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    const double a = r * 0.55;
    colour(cr, {255, 255, 255});
    cairo_set_line_width(cr, r * 0.32);
    if (kind == Kind::added) {
        cairo_move_to(cr, x - a, y);
        cairo_line_to(cr, x + a, y);
        cairo_move_to(cr, x, y - a);
        cairo_line_to(cr, x, y + a);
    } else if (kind == Kind::closed) {
        const double d = a * 0.8;
        cairo_move_to(cr, x - d, y - d);
        cairo_line_to(cr, x + d, y + d);
        cairo_move_to(cr, x - d, y + d);
        cairo_line_to(cr, x + d, y - d);
    }
    cairo_stroke(cr);
}

/// The arrow of a moved facility: from a ring where it was to the edge of its marker (radius r) where it is.
void facility_change_arrow(cairo_t* cr, double x0, double y0, double x1, double y1, double r) {
    const Rgb c = facility_change_colour(scenarios::FacilityChange::Kind::moved);
    cairo_new_path(cr);
    cairo_arc(cr, x0, y0, r * 0.6, 0, 2 * M_PI);
    colour(cr, {255, 255, 255});
    cairo_fill_preserve(cr);
    colour(cr, c);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
    const double len = std::hypot(x1 - x0, y1 - y0);
    if (len <= r * 1.6) return;  // too close to draw an arrow between: the marker and the ring
    const double ux = (x1 - x0) / len, uy = (y1 - y0) / len;
    const double ex = x1 - ux * r, ey = y1 - uy * r;  // the arrow's tip at the marker's edge
    cairo_move_to(cr, x0 + ux * r * 0.6, y0 + uy * r * 0.6);
    cairo_line_to(cr, ex, ey);
    cairo_set_line_width(cr, 1.2);
    cairo_stroke(cr);
    const double head = std::min(4.0, len / 3.0);
    cairo_move_to(cr, ex, ey);
    cairo_line_to(cr, ex - ux * head - uy * head * 0.6, ey - uy * head + ux * head * 0.6);
    cairo_line_to(cr, ex - ux * head + uy * head * 0.6, ey - uy * head - ux * head * 0.6);
    cairo_close_path(cr);
    cairo_fill(cr);
}

/// True when a facility's `services` field (comma-separated) lists `service`.
bool serves(const geodata::Feature& facility, const std::string& service) {
    const std::string list = facility.attribute("services");
    std::size_t at = 0;
    while (at <= list.size()) {
        const std::size_t end = std::min(list.find(',', at), list.size());
        if (list.compare(at, end - at, service) == 0) return true;
        at = end + 1;
    }
    return false;
}

constexpr double rank_font_pt = 6.4, rank_mark_pt = 12.0, rank_dot_pt = 2.0, facility_mark_pt = 2.6;

/// The radius of a page's facility markers: facility_mark_pt, smaller where they crowd (a national map of hundreds of
/// district centres would hide the travel times under them): at most 0.3 x the median distance from a marker to its
/// nearest neighbour on the page, and at least 0.9 pt. Uncrowded maps (the demo's) keep facility_mark_pt.
double facility_marker_radius(const MapContext& ctx, const MapPage& page, const Frame& f) {
    std::vector<std::pair<double, double>> at;
    for (const auto& fac : ctx.facilities)
        if (fac.geometry && wkbFlatten(fac.geometry->getGeometryType()) == wkbPoint &&
            std::count(page.facility_types.begin(), page.facility_types.end(), fac.attribute("type")))
            at.emplace_back(f.px(fac.geometry->toPoint()->getX()), f.py(fac.geometry->toPoint()->getY()));
    if (at.size() < 2) return facility_mark_pt;
    const std::size_t step = std::max<std::size_t>(1, at.size() / 2000);  // (a sample of the markers beyond 2,000)
    std::vector<double> nearest;
    for (std::size_t i = 0; i < at.size(); i += step) {
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < at.size(); ++j)
            if (j != i) best = std::min(best, std::hypot(at[j].first - at[i].first, at[j].second - at[i].second));
        nearest.push_back(best);
    }
    const auto mid = nearest.begin() + static_cast<std::ptrdiff_t>(nearest.size() / 2);
    std::nth_element(nearest.begin(), mid, nearest.end());
    return std::clamp(0.3 * *mid, 0.9, facility_mark_pt);
}

/// The box of a rank's mark centred on (x, y): a disc, or a pill when the number is wider than the disc allows.
Box rank_mark_box(cairo_t* cr, double x, double y, const std::string& rank) {
    const double w = std::max(rank_mark_pt, text_width(cr, rank, rank_font_pt, true) + 5.0), h = rank_mark_pt;
    return {x - w / 2, y - h / 2, x + w / 2, y + h / 2};
}

/// A ranked site's number in a white disc (a pill for long numbers) filling `box` (its outline inside it too).
void ranked_marker(cairo_t* cr, const Box& box, const std::string& rank) {
    const double cx = (box.x0 + box.x1) / 2, cy = (box.y0 + box.y1) / 2, r = (box.y1 - box.y0) / 2 - 0.4;
    const double half = std::max(0.0, (box.x1 - box.x0) / 2 - (box.y1 - box.y0) / 2);  // the pill's straight part
    cairo_new_path(cr);
    cairo_arc(cr, cx + half, cy, r, -M_PI / 2, M_PI / 2);
    cairo_arc(cr, cx - half, cy, r, M_PI / 2, 3 * M_PI / 2);
    cairo_close_path(cr);
    colour(cr, ranked_site_colour());
    cairo_fill_preserve(cr);
    colour(cr, ink);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    text(cr, cx, cy + 2.3, rank, rank_font_pt, true, Align::centre);
}

/// A ranked site whose number stands beside it (a leader joins them) or has no room: a white dot ringed in ink.
void ranked_dot(cairo_t* cr, double x, double y) {
    cairo_new_path(cr);
    cairo_arc(cr, x, y, rank_dot_pt - 0.3, 0, 2 * M_PI);
    colour(cr, ranked_site_colour());
    cairo_fill_preserve(cr);
    colour(cr, ink);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
}

/// Hatching for an area class, in image pixels: island horizontal, border "/", remote "\".
Pattern hatch(std::uint8_t flag) {
    constexpr int n = 9;
    Surface tile(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, n, n));
    Context cr(cairo_create(tile.get()));
    cairo_set_source_rgba(cr.get(), 0.1, 0.1, 0.1, 0.55);
    cairo_set_line_width(cr.get(), 1.1);
    if (flag == 1) {
        cairo_move_to(cr.get(), 0, n / 2.0);
        cairo_line_to(cr.get(), n, n / 2.0);
    } else {
        const bool up = flag == 2;
        for (int k = -1; k <= 1; ++k) {
            cairo_move_to(cr.get(), k * n, up ? n : 0);
            cairo_line_to(cr.get(), (k + 1) * n, up ? 0 : n);
        }
    }
    cairo_stroke(cr.get());
    Pattern p(cairo_pattern_create_for_surface(tile.get()));
    cairo_pattern_set_extend(p.get(), CAIRO_EXTEND_REPEAT);
    return p;
}

const ValueClass* class_of(const std::vector<ValueClass>& classes, float v) {
    for (const auto& c : classes)
        if (v <= c.upper) return &c;
    return classes.empty() ? nullptr : &classes.back();
}

std::uint32_t pack(const Rgb& c) { return 0xFF000000u | (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b; }

/// A w x h image whose pixel (px, py) is pixel(px, py) (0xAARRGGBB, premultiplied).
Surface image_from(int w, int h, const std::function<std::uint32_t(int, int)>& pixel) {
    Surface image(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h));
    cairo_surface_flush(image.get());
    unsigned char* data = cairo_image_surface_get_data(image.get());
    const int stride = cairo_image_surface_get_stride(image.get());
    for (int py = 0; py < h; ++py) {
        auto* line = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(py) * stride);
        for (int px = 0; px < w; ++px) line[px] = pixel(px, py);
    }
    cairo_surface_mark_dirty(image.get());
    return image;
}

/// The colour of grid cell `i`: water, land outside the study area, its category, or the class of its value (NaN, or
/// +inf as a run's travel times hold it: no access).
Rgb cell_colour(const MapContext& ctx, const Grid<float>* values, const std::vector<ValueClass>& classes, bool unreachable,
                const CategoryLayer& categories, std::size_t i) {
    const std::uint8_t land = ctx.land ? (*ctx.land)[i] : 2;
    if (land == 0) return water;
    if (land == 1) return outside;
    if (categories.codes)
        for (const auto& c : categories.categories)
            if ((*categories.codes)[i] == c.code) return c.colour;
    if (values == nullptr) return {255, 255, 255};
    const float v = (*values)[i];
    const ValueClass* vc = !std::isfinite(v) ? nullptr : class_of(classes, v);
    return vc ? vc->colour : unreachable ? unreachable_colour() : Rgb{247, 247, 247};
}

/// The raster layers (values, water, outside, hatching) at `res` pixels per point.
void draw_rasters(cairo_t* cr, const MapContext& ctx, const MapPage& page, const Frame& f, double res) {
    const int w = std::max(1, static_cast<int>(std::ceil(f.w * res))), h = std::max(1, static_cast<int>(std::ceil(f.h * res)));
    const GridSpec& g = ctx.grid;
    // The grid cell under each image pixel (nearest: cells stay crisp, counts are not blurred).
    std::vector<std::ptrdiff_t> cell(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), -1);
    for (int py = 0; py < h; ++py)
        for (int px = 0; px < w; ++px) {
            const double wx = f.min_x + (px + 0.5) / (res * f.k), wy = f.max_y - (py + 0.5) / (res * f.k);
            const auto col = static_cast<std::ptrdiff_t>(std::floor((wx - g.transform.origin_x) / g.transform.pixel_width));
            const auto row = static_cast<std::ptrdiff_t>(std::floor((wy - g.transform.origin_y) / g.transform.pixel_height));
            if (col < 0 || row < 0 || col >= static_cast<std::ptrdiff_t>(g.cols) || row >= static_cast<std::ptrdiff_t>(g.rows)) continue;
            cell[static_cast<std::size_t>(py) * static_cast<std::size_t>(w) + static_cast<std::size_t>(px)] =
                row * static_cast<std::ptrdiff_t>(g.cols) + col;
        }
    const Surface image = image_from(w, h, [&](int px, int py) {
        const std::ptrdiff_t c = cell[static_cast<std::size_t>(py) * static_cast<std::size_t>(w) + static_cast<std::size_t>(px)];
        return c < 0 ? 0u : pack(cell_colour(ctx, page.values, page.classes, page.unreachable_in_legend, page.categories,
                                             static_cast<std::size_t>(c)));
    });
    cairo_save(cr);
    cairo_translate(cr, f.x, f.y);
    cairo_scale(cr, 1.0 / res, 1.0 / res);
    cairo_set_source_surface(cr, image.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    if (ctx.area_class) {
        for (std::uint8_t flag : {std::uint8_t{1}, std::uint8_t{2}, std::uint8_t{4}}) {
            Surface mask(cairo_image_surface_create(CAIRO_FORMAT_A8, w, h));
            cairo_surface_flush(mask.get());
            unsigned char* m = cairo_image_surface_get_data(mask.get());
            const int ms = cairo_image_surface_get_stride(mask.get());
            bool any = false;
            for (int py = 0; py < h; ++py)
                for (int px = 0; px < w; ++px) {
                    const std::ptrdiff_t c = cell[static_cast<std::size_t>(py) * static_cast<std::size_t>(w) + static_cast<std::size_t>(px)];
                    const bool on = c >= 0 && ((*ctx.area_class)[static_cast<std::size_t>(c)] & flag) != 0;
                    m[static_cast<std::ptrdiff_t>(py) * ms + px] = on ? 255 : 0;
                    any = any || on;
                }
            if (!any) continue;
            cairo_surface_mark_dirty(mask.get());
            Pattern p = hatch(flag);
            cairo_set_source(cr, p.get());
            cairo_mask_surface(cr, mask.get(), 0, 0);
        }
    }
    cairo_restore(cr);
}

/// A length of about `target_m` that reads well: 1, 2 or 5 times a power of ten.
double nice_length(double target_m) {
    const double p = std::pow(10.0, std::floor(std::log10(target_m)));
    for (double m : {5.0, 2.0, 1.0})
        if (m * p <= target_m) return m * p;
    return p;
}

struct ScaleBar {
    double metres = 0, len = 0, x = 0, y = 0;
    Box box() const { return {x - 6, y - 12, x + len + 22, y + 9}; }
};

ScaleBar scale_bar_layout(const Frame& f, double metres_per_unit) {
    ScaleBar b;
    b.metres = nice_length(f.w / 4.0 / f.k * metres_per_unit);
    b.len = b.metres / metres_per_unit * f.k;
    b.x = f.x + 10;
    b.y = f.y + f.h - 16;
    return b;
}

void scale_bar(cairo_t* cr, const Frame& f, double metres_per_unit) {
    const ScaleBar b = scale_bar_layout(f, metres_per_unit);
    const double metres = b.metres, len = b.len, x = b.x, y = b.y;
    const Box box = b.box();
    colour(cr, {255, 255, 255}, 0.85);
    cairo_rectangle(cr, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    cairo_fill(cr);
    for (int k = 0; k < 2; ++k) {
        cairo_rectangle(cr, x + k * len / 2, y, len / 2, 4);
        colour(cr, k == 0 ? ink : Rgb{255, 255, 255});
        cairo_fill_preserve(cr);
        colour(cr, ink);
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
    }
    colour(cr, ink);
    const std::string label = metres >= 1000 ? fmt::format("{:g} km", metres / 1000) : fmt::format("{:g} m", metres);
    text(cr, x, y - 3, "0", 7.0, false, Align::centre);
    text(cr, x + len, y - 3, label, 7.0, false, Align::centre);
}

Box north_arrow_box(const Frame& f) {
    const double x = f.x + f.w - 18, y = f.y + 12;
    return {x - 10, y - 4, x + 10, y + 32};
}

void north_arrow(cairo_t* cr, const Frame& f) {
    const double x = f.x + f.w - 18, y = f.y + 12;
    const Box box = north_arrow_box(f);
    colour(cr, {255, 255, 255}, 0.85);
    cairo_rectangle(cr, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    cairo_fill(cr);
    cairo_move_to(cr, x, y + 8);
    cairo_line_to(cr, x + 6, y + 28);
    cairo_line_to(cr, x, y + 23);
    cairo_close_path(cr);
    colour(cr, ink);
    cairo_fill(cr);
    cairo_move_to(cr, x, y + 8);
    cairo_line_to(cr, x - 6, y + 28);
    cairo_line_to(cr, x, y + 23);
    cairo_close_path(cr);
    cairo_set_line_width(cr, 0.7);
    cairo_stroke(cr);
    text(cr, x, y + 6, "N", 8.0, true, Align::centre);
}

/// The legend panel; returns nothing, draws at the right of the page.
void legend(cairo_t* cr, const MapContext& ctx, const MapPage& page, const RankedSiteMarks& marks, double top, double res,
            Lang lang) {
    const double x = page_for(ctx.grid).w - margin - legend_w;
    double y = top + 10;
    const double sw = 16, sh = 9, step = 12.5, label_x = x + sw + 6;
    auto swatch = [&](const Rgb& c, const std::string& label) {
        cairo_rectangle(cr, x, y - sh + 1, sw, sh);
        colour(cr, c);
        cairo_fill_preserve(cr);
        colour(cr, {120, 120, 120});
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
        colour(cr, ink);
        text(cr, label_x, y, label, 7.5);
        y += step;
    };
    auto line_item = [&](const std::function<void(double, double)>& draw, const std::string& label) {
        draw(x, y - sh / 2 + 1);
        colour(cr, ink);
        text(cr, label_x, y, label, 7.5);
        y += step;
    };
    auto solid_line = [&](const Rgb& c, double width) {  // a line swatch: zone and study-area outlines
        return [&cr, &sw, c, width](double lx, double ly) {
            cairo_move_to(cr, lx, ly);
            cairo_line_to(cr, lx + sw, ly);
            colour(cr, c);
            cairo_set_line_width(cr, width);
            cairo_stroke(cr);
        };
    };
    colour(cr, ink);
    for (const auto& l : wrap(cr, page.legend_title, 9.0, legend_w, true)) {
        text(cr, x, y, l, 9.0, true);
        y += step;
    }
    y += 2;
    for (const auto& c : page.classes) swatch(c.colour, c.label);
    for (const auto& c : page.categories.categories) swatch(c.colour, c.label);
    if (page.unreachable_in_legend)
        swatch(unreachable_colour(), page.unreachable_label.empty() ? tr("unreachable", lang) : page.unreachable_label);
    if (ctx.land) {
        swatch(water, tr("water", lang));
        swatch(outside, tr("outside", lang));
    }
    if (ctx.area_class) {
        y += 4;
        colour(cr, ink);
        text(cr, x, y, tr("area classes", lang), 8.0, true);
        y += step;
        for (auto [flag, key] : {std::pair<std::uint8_t, const char*>{1, "island"}, {2, "border"}, {4, "remote"}}) {
            cairo_rectangle(cr, x, y - sh + 1, sw, sh);
            colour(cr, {255, 255, 255});
            cairo_fill_preserve(cr);
            Pattern p = hatch(flag);
            cairo_matrix_t m;
            cairo_matrix_init_scale(&m, res, res);
            cairo_pattern_set_matrix(p.get(), &m);
            cairo_set_source(cr, p.get());
            cairo_fill_preserve(cr);
            colour(cr, {120, 120, 120});
            cairo_set_line_width(cr, 0.4);
            cairo_stroke(cr);
            colour(cr, ink);
            text(cr, label_x, y, tr(key, lang), 7.5);
            y += step;
        }
    }
    y += 4;
    if (!page.service.empty())
        line_item([&](double lx, double ly) {
            cairo_rectangle(cr, lx, ly - 4, sw, 8);
            colour(cr, gap_colour());
            cairo_set_line_width(cr, 1.1);
            cairo_stroke(cr);
        }, tr("gap", lang));
    if (!ctx.zones.empty())
        line_item(solid_line(zone_line, 0.5), tr("zone boundary", lang));
    line_item(solid_line(ink, 1.1), tr("study area", lang));
    if (!ctx.border.empty())
        line_item([&](double lx, double ly) {
            const double dash[] = {7.0, 2.0, 1.6, 2.0};
            cairo_set_dash(cr, dash, 4, 0.0);
            cairo_move_to(cr, lx, ly);
            cairo_line_to(cr, lx + sw, ly);
            colour(cr, border_line);
            cairo_set_line_width(cr, 1.6);
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0.0);
        }, tr("national border", lang));
    if (!ctx.osm_extract.empty())
        line_item([&](double lx, double ly) {
            cairo_move_to(cr, lx, ly);
            cairo_line_to(cr, lx + sw, ly);
            osm_extract_line(cr);
        }, lang == Lang::vi ? "OpenStreetMap đầy đủ bên trong" : "OpenStreetMap complete inside");
    for (std::size_t k = 0; k < page.facility_types.size(); ++k)
        line_item([&](double lx, double ly) { marker(cr, lx + sw / 2, ly, k, 3.2); },
                  display_name(page.facility_types[k], lang));
    if (!page.facilities_of.empty() &&
        std::any_of(ctx.facilities.begin(), ctx.facilities.end(), [&](const auto& f) { return serves(f, page.facilities_of); }))
        line_item([&](double lx, double ly) { unchanged_facility(cr, lx + sw / 2, ly); },
                  lang == Lang::vi ? "cơ sở" : "facility");
    using Kind = scenarios::FacilityChange::Kind;
    for (const Kind kind : {Kind::added, Kind::moved, Kind::closed}) {
        if (std::none_of(page.facility_changes.begin(), page.facility_changes.end(), [&](const auto& c) { return c.kind == kind; }))
            continue;
        const bool vi = lang == Lang::vi;
        const std::string label = kind == Kind::added ? (vi ? "cơ sở mới" : "new facility")
                                : kind == Kind::moved ? (vi ? "cơ sở di dời (mũi tên từ vị trí cũ)" : "moved facility (arrow from where it was)")
                                                      : (vi ? "cơ sở đóng cửa" : "closed facility");
        line_item([&](double lx, double ly) {
            if (kind == Kind::moved) facility_change_arrow(cr, lx + 2.0, ly, lx + sw - 3.0, ly, 3.4);
            facility_change_marker(cr, kind == Kind::moved ? lx + sw - 3.0 : lx + sw / 2, ly, kind, 3.4);
        }, label);
    }
    if (!marks.marks.empty()) {
        y += 3;
        line_item([&](double lx, double ly) { ranked_marker(cr, rank_mark_box(cr, lx + sw / 2, ly, "1"), "1"); },
                  tr("ranked site", lang));
        for (const auto& note : ranked_site_notes(marks, lang))
            for (const auto& l : wrap(cr, note, 7.0, legend_w)) {
                colour(cr, ink);
                text(cr, x, y, l, 7.0);
                y += 9.5;
            }
    }
    y += 6;
    for (const auto& figure : page.key_figures)
        for (const auto& l : wrap(cr, figure, 7.5, legend_w)) {
            colour(cr, ink);
            text(cr, x, y, l, 7.5);
            y += 10.5;
        }
}

/// One page at the current user scale (points).
void draw_page(cairo_t* cr, const MapContext& ctx, const MapPage& page, double res, Lang lang) {
    colour(cr, {255, 255, 255});
    cairo_paint(cr);
    const Page paper = page_for(ctx.grid);
    const MapHeading heading = map_heading(page, paper.w);
    const Frame f = fit(ctx.grid, paper, heading.height_pt);
    const RankedSiteMarks marks = ranked_site_marks(ctx, page);
    cairo_save(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    cairo_clip(cr);
    draw_rasters(cr, ctx, page, f, res);
    stroke_features(cr, ctx.zones, f, zone_line, 0.4);
    stroke_features(cr, ctx.study_area, f, ink, 1.1);
    if (!page.service.empty()) stroke_features(cr, ctx.gaps, f, gap_colour(), 1.0, page.service);
    national_border(cr, ctx.border, f);
    osm_extract_outline(cr, ctx.osm_extract, f);
    const double facility_r = facility_marker_radius(ctx, page, f);
    for (const auto& fac : ctx.facilities) {
        const auto it = std::find(page.facility_types.begin(), page.facility_types.end(), fac.attribute("type"));
        if (it == page.facility_types.end() || !fac.geometry || wkbFlatten(fac.geometry->getGeometryType()) != wkbPoint) continue;
        const auto* p = fac.geometry->toPoint();
        marker(cr, f.px(p->getX()), f.py(p->getY()), static_cast<std::size_t>(it - page.facility_types.begin()), facility_r);
    }
    if (!page.facilities_of.empty())
        for (const auto& fac : ctx.facilities)
            if (fac.geometry && wkbFlatten(fac.geometry->getGeometryType()) == wkbPoint && serves(fac, page.facilities_of)) {
                const auto* p = fac.geometry->toPoint();
                unchanged_facility(cr, f.px(p->getX()), f.py(p->getY()));
            }
    // Changed facilities: arrows first, then the marks (closed, moved, new on top).
    using Kind = scenarios::FacilityChange::Kind;
    for (const auto& c : page.facility_changes)
        if (c.kind == Kind::moved) facility_change_arrow(cr, f.px(c.x_before), f.py(c.y_before), f.px(c.x_after), f.py(c.y_after), 4.2);
    for (const Kind kind : {Kind::closed, Kind::moved, Kind::added})
        for (const auto& c : page.facility_changes)
            if (c.kind == kind) facility_change_marker(cr, f.px(c.x_after), f.py(c.y_after), kind, 4.2);
    // Ranked sites: leaders first, then the dots of the sites numbered away from them or not at all, then the numbers
    // (placed so that none overlaps another: ranked_site_marks).
    for (const auto& m : marks.marks)
        if (m.leader)
            for (const auto& [c, width] : {std::pair{Rgb{255, 255, 255}, 1.8}, std::pair{ink, 0.7}}) {  // a halo, then the line
                cairo_move_to(cr, m.x, m.y);
                cairo_line_to(cr, (m.box.x0 + m.box.x1) / 2, (m.box.y0 + m.box.y1) / 2);
                colour(cr, c);
                cairo_set_line_width(cr, width);
                cairo_stroke(cr);
            }
    for (const auto& m : marks.marks)
        if (m.leader || !m.numbered) ranked_dot(cr, m.x, m.y);
    for (const auto& m : marks.marks)
        if (m.numbered) ranked_marker(cr, m.box, std::to_string(m.rank));
    cairo_restore(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    colour(cr, ink);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    scale_bar(cr, f, ctx.grid.crs.metres_per_unit);
    north_arrow(cr, f);
    double y = margin;
    colour(cr, ink);
    for (std::size_t k = 0; k < heading.title_lines.size(); ++k) {
        y += heading.title_size_pt * (k == 0 ? 1.07 : 1.2);
        text(cr, margin, y, heading.title_lines[k], heading.title_size_pt, true);
    }
    colour(cr, {70, 70, 70});
    for (std::size_t k = 0; k < heading.subtitle_lines.size(); ++k) {
        y += k == 0 ? 4.0 + heading.subtitle_size_pt * 1.35 : heading.subtitle_size_pt * 1.25;
        text(cr, margin, y, heading.subtitle_lines[k], heading.subtitle_size_pt);
    }
    legend(cr, ctx, page, marks, margin + heading.height_pt, res, lang);
    colour(cr, {90, 90, 90});
    text(cr, margin, paper.h - margin + 6, ctx.credits, 6.5);
}

void check(cairo_status_t status, const fs::path& file) {
    if (status != CAIRO_STATUS_SUCCESS)
        throw IoError(fmt::format("{}: drawing the map failed: {}", file.string(), cairo_status_to_string(status)));
}

}  // namespace

const char* map_font() { return font; }

std::vector<float> study_area_values(const MapContext& ctx, const Grid<float>& values) {
    if (!values.spec().same_grid_as(ctx.grid)) throw InternalError("study_area_values: the values are on another grid than the map");
    if (!ctx.land) return values.values();
    // Counted first and reserved: grown by doubling, the vector of a national study area's 33 M values would hold up
    // to twice their size, with a copy beside it at each doubling.
    const Grid<std::uint8_t>& land = *ctx.land;
    std::size_t count = 0;
    for (std::size_t i = 0; i < values.size(); ++i) count += land[i] == 2 ? 1 : 0;
    std::vector<float> out;
    out.reserve(count);
    for (std::size_t i = 0; i < values.size(); ++i)
        if (land[i] == 2) out.push_back(values[i]);
    return out;
}

MapHeading map_heading(const MapPage& page, double page_width_pt) {
    MapHeading h;
    h.width_pt = page_width_pt - 2 * margin;
    const Context cr = measuring_context();
    FittedText title = fit_text(cr.get(), page.title, 15.0, 12.0, 10.0, h.width_pt, 2, true);
    FittedText subtitle = fit_text(cr.get(), page.subtitle, 9.5, 8.0, 7.0, h.width_pt, 2, false);
    h.title_lines = std::move(title.lines);
    h.title_size_pt = title.size;
    h.subtitle_lines = std::move(subtitle.lines);
    h.subtitle_size_pt = subtitle.size;
    // The baselines as draw_page sets them, then the space above the frame.
    double y = 0;
    for (std::size_t k = 0; k < h.title_lines.size(); ++k) y += h.title_size_pt * (k == 0 ? 1.07 : 1.2);
    for (std::size_t k = 0; k < h.subtitle_lines.size(); ++k)
        y += k == 0 ? 4.0 + h.subtitle_size_pt * 1.35 : h.subtitle_size_pt * 1.25;
    h.height_pt = std::max(min_heading_h, y + 17.0);
    return h;
}

RankedSiteMarks ranked_site_marks(const MapContext& ctx, const MapPage& page) {
    RankedSiteMarks out;
    out.all_sites = ctx.ranking.size();
    if (page.service.empty()) return out;
    std::vector<std::pair<int, const OGRPoint*>> sites;
    for (const auto& r : ctx.ranking)
        if (r.attribute("service") == page.service && r.geometry && wkbFlatten(r.geometry->getGeometryType()) == wkbPoint)
            sites.emplace_back(ranked_site_rank(r), r.geometry->toPoint());
    out.service_sites = sites.size();
    std::stable_sort(sites.begin(), sites.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (sites.size() > RankedSiteMarks::max_numbered_sites) sites.resize(RankedSiteMarks::max_numbered_sites);
    const Page paper = page_for(ctx.grid);
    const Frame f = fit(ctx.grid, paper, map_heading(page, paper.w).height_pt);
    const Context cr = measuring_context();
    std::vector<LabelRequest> requests;
    for (const auto& [rank, p] : sites) {
        RankedSiteMarks::Mark m;
        m.rank = rank;
        m.x = f.px(p->getX());
        m.y = f.py(p->getY());
        const Box box = rank_mark_box(cr.get(), m.x, m.y, std::to_string(rank));
        requests.push_back({m.x, m.y, box.x1 - box.x0, box.y1 - box.y0});
        out.marks.push_back(m);
    }
    // Clear of the scale bar, the north arrow and the facilities the map draws.
    std::vector<Box> obstacles{scale_bar_layout(f, ctx.grid.crs.metres_per_unit).box(), north_arrow_box(f)};
    const double facility_r = facility_marker_radius(ctx, page, f);
    for (const auto& fac : ctx.facilities)
        if (fac.geometry && wkbFlatten(fac.geometry->getGeometryType()) == wkbPoint &&
            std::count(page.facility_types.begin(), page.facility_types.end(), fac.attribute("type"))) {
            const double x = f.px(fac.geometry->toPoint()->getX()), y = f.py(fac.geometry->toPoint()->getY());
            const double r = 1.2 * facility_r;  // the largest shape (diamond)
            obstacles.push_back({x - r, y - r, x + r, y + r});
        }
    LabelOptions options;
    options.point_radius = rank_dot_pt;
    const LabelLayout layout = place_labels(requests, {f.x + 1, f.y + 1, f.x + f.w - 1, f.y + f.h - 1}, obstacles, options);
    for (const auto& p : layout.placed) {
        auto& m = out.marks[p.request];
        m.numbered = true;
        m.leader = p.leader;
        m.box = p.box;
    }
    for (const std::size_t d : layout.dropped) out.unnumbered.push_back(out.marks[d].rank);
    return out;
}

std::vector<std::string> ranked_site_notes(const RankedSiteMarks& marks, Lang lang) {
    std::vector<std::string> lines;
    if (marks.marks.empty()) return lines;
    const bool vi = lang == Lang::vi;
    const int first = marks.marks.front().rank, last = marks.marks.back().rank;
    const std::size_t shown = marks.marks.size();
    const std::string ranks = first == last ? std::to_string(first) : fmt::format("{}–{}", first, last);
    if (shown < marks.service_sites)
        lines.push_back(vi ? fmt::format("Trên bản đồ: {} địa điểm xếp hạng cao nhất trong {} của dịch vụ này (thứ tự {}); "
                                         "ranking.csv liệt kê đủ {} địa điểm.", shown, marks.service_sites, ranks, marks.all_sites)
                           : fmt::format("Shown: the {} highest-ranked of this service's {} sites (ranks {}); ranking.csv "
                                         "lists all {}.", shown, marks.service_sites, ranks, marks.all_sites));
    else
        lines.push_back(vi ? fmt::format("Trên bản đồ: cả {} địa điểm của dịch vụ này (thứ tự {}); ranking.csv liệt kê đủ {} địa điểm.",
                                         shown, ranks, marks.all_sites)
                           : fmt::format("Shown: all {} sites of this service (ranks {}); ranking.csv lists all {}.", shown,
                                         ranks, marks.all_sites));
    if (!marks.unnumbered.empty()) {
        std::vector<int> sorted = marks.unnumbered;
        std::sort(sorted.begin(), sorted.end());
        lines.push_back(vi ? fmt::format("Quá gần nhau để ghi số (chấm trắng): thứ tự {}.", fmt::join(sorted, ", "))
                           : fmt::format("Too close together to number (white dots): {} {}.", sorted.size() == 1 ? "rank" : "ranks",
                                         fmt::join(sorted, ", ")));
    }
    return lines;
}

MapContext load_map_context(const fs::path& dir, std::string credits, std::shared_ptr<const Grid<std::uint8_t>> land_grid,
                            std::shared_ptr<const Grid<std::uint8_t>> class_grid) {
    MapContext ctx;
    ctx.credits = std::move(credits);
    const scenarios::ResultsLayout layout(dir);
    const fs::path land = layout.land_tif(), classes = layout.area_class_tif();
    std::error_code ec;
    if (land_grid) ctx.land = std::move(land_grid);
    else if (fs::exists(land, ec)) ctx.land = std::make_shared<const Grid<std::uint8_t>>(geodata::read_raster_byte(land));
    if (class_grid) ctx.area_class = std::move(class_grid);
    else if (fs::exists(classes, ec))
        ctx.area_class = std::make_shared<const Grid<std::uint8_t>>(geodata::read_raster_byte(classes));
    if (ctx.land) ctx.grid = ctx.land->spec();
    else if (ctx.area_class) ctx.grid = ctx.area_class->spec();
    else throw InputError(fmt::format("{}: no rasters/land.tif or rasters/area_class.tif; run the scenario again", dir.string()));
    const fs::path gpkg = layout.access_gpkg();
    if (!fs::exists(gpkg, ec)) return ctx;
    const auto info = geodata::read_vector_info(gpkg);
    auto layer = [&](const char* name) {
        for (const auto& l : info.layers)
            if (l.name == name && l.feature_count != 0) {
                geodata::ReadOptions o;
                o.layer = name;
                o.make_valid = false;
                return geodata::read_features(gpkg, ctx.grid.crs, o);
            }
        return std::vector<geodata::Feature>{};
    };
    using L = scenarios::ResultsLayout;
    ctx.facilities = layer(L::facilities_layer);
    ctx.zones = layer(L::zones_layer);
    ctx.gaps = layer(L::gaps_layer);
    ctx.ranking = layer(L::ranking_layer);
    ctx.study_area = layer(L::study_area_layer);
    ctx.border = layer(L::national_border_layer);
    ctx.osm_extract = layer(L::osm_extract_layer);
    return ctx;
}

std::vector<CellCategory> categories_present(const MapContext& context, const Grid<std::uint8_t>& codes,
                                             std::vector<CellCategory> all) {
    std::array<bool, 256> seen{};
    for (std::size_t i = 0; i < codes.size(); ++i)
        if (!context.land || (*context.land)[i] != 0) seen[codes[i]] = true;
    all.erase(std::remove_if(all.begin(), all.end(), [&](const CellCategory& c) { return !seen[c.code]; }), all.end());
    return all;
}

Rgb facility_change_colour(scenarios::FacilityChange::Kind kind) {
    // Okabe-Ito: bluish green new, blue moved, vermilion closed.
    switch (kind) {
        case scenarios::FacilityChange::Kind::added: return {0, 158, 115};
        case scenarios::FacilityChange::Kind::moved: return {0, 114, 178};
        case scenarios::FacilityChange::Kind::closed: return {213, 94, 0};
    }
    return ink;
}

int ranked_site_rank(const geodata::Feature& site) {
    const IntegerRule rule{fmt::format("access.gpkg: layer ranking: feature {}: rank", site.fid), 0,
                           std::numeric_limits<std::int32_t>::max(), false, "a whole number >= 0 (run the scenario again)"};
    return static_cast<int>(parse_integer(site.attribute("rank", "0"), rule));
}

std::string raster_png(const MapContext& ctx, const Grid<float>& values, const std::vector<ValueClass>& classes,
                       bool unreachable, std::size_t max_pixels, const CategoryLayer& categories) {
    if (categories.codes && !categories.codes->spec().same_grid_as(ctx.grid))
        throw InternalError("raster_png: the categories are on another grid than the map");
    const GridSpec& g = ctx.grid;
    const std::size_t step = std::max<std::size_t>(1, (std::max(g.cols, g.rows) + max_pixels - 1) / max_pixels);
    const int w = static_cast<int>((g.cols + step - 1) / step), h = static_cast<int>((g.rows + step - 1) / step);
    const Surface image = image_from(w, h, [&](int px, int py) {
        const std::size_t i = static_cast<std::size_t>(py) * step * g.cols + static_cast<std::size_t>(px) * step;
        return pack(cell_colour(ctx, &values, classes, unreachable, categories, i));
    });
    std::string png;
    auto append = [](void* closure, const unsigned char* bytes, unsigned int length) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(bytes), length);
        return CAIRO_STATUS_SUCCESS;
    };
    if (cairo_surface_write_to_png_stream(image.get(), append, &png) != CAIRO_STATUS_SUCCESS)
        throw IoError("encoding a raster as PNG failed");
    return png;
}

void render_maps(const MapContext& ctx, const std::vector<MapPage>& pages, const std::vector<fs::path>& png_files,
                 const fs::path& pdf_file, Lang lang) {
    if (png_files.size() != pages.size()) throw InternalError("render_maps: one PNG file per page");
    const double scale = png_dpi / 72.0;
    const Page paper = page_for(ctx.grid);
    for (std::size_t k = 0; k < pages.size(); ++k) {
        Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::lround(paper.w * scale)),
                                                   static_cast<int>(std::lround(paper.h * scale))));
        Context cr(cairo_create(surface.get()));
        cairo_scale(cr.get(), scale, scale);
        draw_page(cr.get(), ctx, pages[k], scale, lang);
        check(cairo_status(cr.get()), png_files[k]);
        const fs::path tmp = geodata::temporary_sibling(png_files[k]);
        check(cairo_surface_write_to_png(surface.get(), tmp.string().c_str()), png_files[k]);
        geodata::commit_file(tmp, png_files[k]);
    }
    if (pdf_file.empty() || pages.empty()) return;
    const fs::path tmp = geodata::temporary_sibling(pdf_file);
    {
        Surface surface(cairo_pdf_surface_create(tmp.string().c_str(), paper.w, paper.h));
        // A fixed date: the same maps give the same bytes (the run's time is in run.json).
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00");
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "accessplan");
        Context cr(cairo_create(surface.get()));
        for (const auto& page : pages) {
            draw_page(cr.get(), ctx, page, pdf_pixels_per_pt, lang);
            cairo_show_page(cr.get());
        }
        cairo_surface_finish(surface.get());
        const cairo_status_t status = cairo_surface_status(surface.get());
        if (status != CAIRO_STATUS_SUCCESS) {
            std::error_code ec;
            fs::remove(tmp, ec);
            check(status, pdf_file);
        }
    }
    geodata::commit_file(tmp, pdf_file);
}

}  // namespace accessplan::viz
