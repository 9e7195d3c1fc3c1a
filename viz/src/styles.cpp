#include "accessplan/viz/styles.hpp"

#include <cmath>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "accessplan/geodata/vector_io.hpp"
#include "accessplan/geodata/vector_write.hpp"
#include "xml_escape.hpp"

namespace accessplan::viz {
namespace {

using Props = std::vector<std::pair<std::string, std::string>>;

std::string xml(const std::string& text) { return detail::xml_escape(text); }

/// A symbol layer's properties, as QGIS 3.26+ writes them (an Option map) and as older versions read them (prop).
std::string symbol_layer(const std::string& cls, const Props& props) {
    std::string out = fmt::format("        <layer class=\"{}\" enabled=\"1\" locked=\"0\" pass=\"0\">\n          <Option type=\"Map\">\n", cls);
    for (const auto& [k, v] : props) out += fmt::format("            <Option name=\"{}\" type=\"QString\" value=\"{}\"/>\n", k, xml(v));
    out += "          </Option>\n";
    for (const auto& [k, v] : props) out += fmt::format("          <prop k=\"{}\" v=\"{}\"/>\n", k, xml(v));
    return out + "        </layer>\n";
}

std::string marker_symbol(const std::string& name, const Rgb& fill, const std::string& shape, double size_mm) {
    return fmt::format("      <symbol type=\"marker\" name=\"{}\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n", name) +
           symbol_layer("SimpleMarker", {{"color", fill.qgis()}, {"name", shape}, {"outline_color", "35,35,35,255"},
                                         {"outline_style", "solid"}, {"outline_width", "0.3"}, {"outline_width_unit", "MM"},
                                         {"size", fmt::format("{:g}", size_mm)}, {"size_unit", "MM"}}) +
           "      </symbol>\n";
}

/// brush: "solid", "no", "b_diagonal", "f_diagonal", "horizontal", "cross", ...
std::string fill_symbol(const std::string& name, const Rgb& fill, const std::string& brush, const Rgb& outline,
                        double outline_mm, double alpha = 1.0) {
    return fmt::format("      <symbol type=\"fill\" name=\"{}\" alpha=\"{:g}\" clip_to_extent=\"1\" force_rhr=\"0\">\n", name, alpha) +
           symbol_layer("SimpleFill", {{"color", fill.qgis()}, {"style", brush}, {"outline_color", outline.qgis()},
                                       {"outline_style", "solid"}, {"outline_width", fmt::format("{:g}", outline_mm)},
                                       {"outline_width_unit", "MM"}, {"joinstyle", "bevel"}}) +
           "      </symbol>\n";
}

std::string document(const std::string& body, bool labels = false) {
    return fmt::format("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                       "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"{}\">\n{}</qgis>\n",
                       labels ? 1 : 0, body);
}

std::string upper_value(double v) { return std::isfinite(v) ? fmt::format("{:g}", v) : "inf"; }

/// A raster pseudocolour renderer with discrete classes (a class holds values up to its upper bound).
std::string discrete_raster(const std::vector<ValueClass>& classes, double min, double max) {
    std::string items;
    for (const auto& c : classes)
        items += fmt::format("          <item alpha=\"255\" value=\"{}\" label=\"{}\" color=\"{}\"/>\n", upper_value(c.upper),
                             xml(c.label), c.colour.hex());
    const Rgb grey = unreachable_colour();
    return fmt::format("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                       "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n"
                       "  <pipe>\n"
                       "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" "
                       "nodataColor=\"{}\" classificationMin=\"{:g}\" classificationMax=\"{:g}\">\n"
                       "      <rastershader>\n"
                       "        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"1\" clip=\"0\" minimumValue=\"{:g}\" maximumValue=\"{:g}\">\n"
                       "{}"
                       "        </colorrampshader>\n"
                       "      </rastershader>\n"
                       "    </rasterrenderer>\n"
                       "  </pipe>\n"
                       "</qgis>\n",
                       grey.qgis(), min, max, min, max, items);
}

}  // namespace

std::string facilities_qml(const std::vector<std::string>& types) {
    static const char* shapes[] = {"circle", "square", "triangle", "diamond", "pentagon", "hexagon", "star", "cross"};
    std::string categories, symbols;
    for (std::size_t k = 0; k < types.size(); ++k) {
        categories += fmt::format("      <category value=\"{0}\" label=\"{0}\" symbol=\"{1}\" render=\"true\"/>\n", xml(types[k]), k);
        symbols += marker_symbol(std::to_string(k), facility_colour(k), shapes[k % 8], 3.2);
    }
    // The empty value is QGIS's "all other values" category.
    categories += fmt::format("      <category value=\"\" label=\"other\" symbol=\"{}\" render=\"true\"/>\n", types.size());
    symbols += marker_symbol(std::to_string(types.size()), {190, 190, 190}, "circle", 2.2);
    return document("  <renderer-v2 type=\"categorizedSymbol\" attr=\"type\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                    "    <categories>\n" + categories + "    </categories>\n    <symbols>\n" + symbols +
                    "    </symbols>\n  </renderer-v2>\n");
}

std::string zones_qml(const std::string& service) {
    std::string ranges, symbols;
    double lower = 0.0;
    const auto classes = pct_within_classes();
    for (std::size_t k = 0; k < classes.size(); ++k) {
        const double upper = std::isfinite(classes[k].upper) ? classes[k].upper : 100.0;
        ranges += fmt::format("      <range lower=\"{:g}\" upper=\"{:g}\" label=\"{}\" symbol=\"{}\" render=\"true\"/>\n", lower,
                              upper, xml(classes[k].label), k);
        symbols += fill_symbol(std::to_string(k), classes[k].colour, "solid", {80, 80, 80}, 0.26, 0.85);
        lower = upper;
    }
    return document(fmt::format("  <renderer-v2 type=\"graduatedSymbol\" attr=\"{}_pct_within\" graduatedMethod=\"GraduatedColor\" "
                                "symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                                "    <ranges>\n{}    </ranges>\n    <symbols>\n{}    </symbols>\n  </renderer-v2>\n",
                                xml(service), ranges, symbols));
}

std::string gaps_qml() {
    const Rgb red = gap_colour();
    const std::pair<const char*, const char*> classes[] = {
        {"island", "horizontal"}, {"border", "b_diagonal"}, {"remote", "f_diagonal"}, {"border+remote", "cross"},
        {"island+remote", "cross"}, {"island+border", "cross"}, {"island+border+remote", "diagonal_x"}, {"none", "no"}};
    std::string categories, symbols;
    int k = 0;
    for (const auto& [value, brush] : classes) {
        categories += fmt::format("      <category value=\"{0}\" label=\"{0}\" symbol=\"{1}\" render=\"true\"/>\n", value, k);
        symbols += fill_symbol(std::to_string(k), red, brush, red, 0.6);
        ++k;
    }
    return document("  <renderer-v2 type=\"categorizedSymbol\" attr=\"area_class\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                    "    <categories>\n" + categories + "    </categories>\n    <symbols>\n" + symbols +
                    "    </symbols>\n  </renderer-v2>\n");
}

std::string ranking_qml() {
    const std::string renderer = "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                                 "    <symbols>\n" + marker_symbol("0", ranked_site_colour(), "star", 5.0) +
                                 "    </symbols>\n  </renderer-v2>\n";
    const std::string labels = "  <labeling type=\"simple\">\n"
                               "    <settings calloutType=\"simple\">\n"
                               "      <text-style fieldName=\"rank\" isExpression=\"0\" fontSize=\"9\" fontSizeUnit=\"Point\" "
                               "fontWeight=\"75\" textColor=\"0,0,0,255\" textOpacity=\"1\">\n"
                               "        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/>\n"
                               "      </text-style>\n"
                               "      <placement placement=\"0\" dist=\"1.5\" distUnits=\"MM\"/>\n"
                               "      <rendering obstacle=\"1\" scaleVisibility=\"0\"/>\n"
                               "    </settings>\n"
                               "  </labeling>\n";
    return document(renderer + labels, true);
}

std::string study_area_qml() {
    return document("  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                    "    <symbols>\n" + fill_symbol("0", {255, 255, 255}, "no", {26, 26, 26}, 0.6) +
                    "    </symbols>\n  </renderer-v2>\n");
}

std::string national_border_qml() {
    const std::string line = symbol_layer("SimpleLine", {{"line_color", "74,20,134,255"}, {"line_width", "0.6"},
                                                          {"line_width_unit", "MM"}, {"line_style", "dash dot"},
                                                          {"capstyle", "round"}, {"joinstyle", "round"}});
    return document("  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                    "    <symbols>\n      <symbol type=\"line\" name=\"0\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n" +
                    line + "      </symbol>\n    </symbols>\n  </renderer-v2>\n");
}

std::string travel_time_qml(double threshold_min) {
    return discrete_raster(travel_time_classes(threshold_min), 0.0, travel_time_classes_reach * threshold_min);
}

std::string time_change_qml() { return discrete_raster(time_change_classes(), -30.0, 30.0); }

void style_access_geopackage(const std::filesystem::path& gpkg, const std::vector<std::string>& services,
                             const std::vector<std::string>& facility_types) {
    std::set<std::string> layers;
    for (const auto& l : geodata::read_vector_info(gpkg).layers) layers.insert(l.name);
    std::vector<geodata::LayerStyle> styles;
    auto add = [&](const char* layer, std::string name, std::string qml, std::string description) {
        if (layers.count(layer)) styles.push_back({layer, std::move(name), std::move(qml), std::move(description)});
    };
    add("facilities", "accessplan facilities by type", facilities_qml(facility_types), "facilities coloured by type");
    if (!services.empty())
        add("zones", "accessplan % within threshold", zones_qml(services.front()),
            fmt::format("zones by the share of children within the threshold of {}", services.front()));
    add("gaps", "accessplan gaps by area class", gaps_qml(), "gap clusters hatched by area class");
    add("ranking", "accessplan ranked sites", ranking_qml(), "ranked candidate sites, numbered");
    add("study_area", "accessplan study area", study_area_qml(), "the study area's outline");
    add("national_border", "accessplan national border", national_border_qml(), "the national border");
    geodata::write_layer_styles(gpkg, styles);
}

}  // namespace accessplan::viz
