#include "accessplan/viz/styles.hpp"

#include <cmath>
#include <functional>
#include <regex>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "accessplan/geodata/field_values.hpp"
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

/// A raster pseudocolour renderer with discrete classes (a class holds values up to its upper bound). Nodata (sea,
/// land beyond the border, and cells no facility can reach: the rasters do not tell them apart) is transparent:
/// nodataColor="" is how QGIS writes "no colour". access.gpkg's no_access layer draws the unreachable land.
std::string discrete_raster(const std::vector<ValueClass>& classes, double min, double max) {
    std::string items;
    for (const auto& c : classes)
        items += fmt::format("          <item alpha=\"255\" value=\"{}\" label=\"{}\" color=\"{}\"/>\n", upper_value(c.upper),
                             xml(c.label), c.colour.hex());
    return fmt::format("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                       "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n"
                       "  <pipe>\n"
                       "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" "
                       "nodataColor=\"\" classificationMin=\"{:g}\" classificationMax=\"{:g}\">\n"
                       "      <rastershader>\n"
                       "        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"1\" clip=\"0\" minimumValue=\"{:g}\" maximumValue=\"{:g}\">\n"
                       "{}"
                       "        </colorrampshader>\n"
                       "      </rastershader>\n"
                       "    </rasterrenderer>\n"
                       "  </pipe>\n"
                       "</qgis>\n",
                       min, max, min, max, items);
}

/// A field in a QGIS expression. Always double-quoted: `accessplan export` renames shapefile fields in a style by
/// their quoted form (geodata::rename_qml_fields).
std::string field(const std::string& name) { return "\"" + name + "\""; }

/// A text literal in a QGIS expression.
std::string literal(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

/// A symbol of a given name (the name is the renderer's to choose).
using SymbolMaker = std::function<std::string(const std::string& name)>;

/// A rule of QGIS's rule-based renderer (QgsRuleBasedRenderer::Rule): a filter, a symbol (none for a group), a legend
/// label, ticked or not, and child rules that apply within it.
struct Rule {
    std::string key, label, filter;
    SymbolMaker symbol;
    bool checked = true;
    std::vector<Rule> children;
};

/// Each rule's symbol is written under its own number: QGIS hands a symbol of the list to one rule only
/// (QgsRuleBasedRenderer::Rule::create takes it out of the map), so rules sharing one would leave the others blank.
std::string rule_xml(const Rule& r, int depth, std::string& symbols, std::size_t& next_symbol) {
    const std::string indent(static_cast<std::size_t>(6 + 2 * depth), ' ');
    std::string out = fmt::format("{}<rule key=\"{}\" label=\"{}\"", indent, xml(r.key), xml(r.label));
    if (!r.filter.empty()) out += fmt::format(" filter=\"{}\"", xml(r.filter));
    if (r.symbol) {
        const std::string name = std::to_string(next_symbol++);
        out += fmt::format(" symbol=\"{}\"", name);
        symbols += r.symbol(name);
    }
    if (!r.checked) out += " checkstate=\"0\"";
    if (r.children.empty()) return out + "/>\n";
    out += ">\n";
    for (const Rule& c : r.children) out += rule_xml(c, depth + 1, symbols, next_symbol);
    return out + indent + "</rule>\n";
}

std::string rule_renderer(const std::string& root_key, const std::vector<Rule>& rules) {
    std::string body, symbols;
    std::size_t next_symbol = 0;
    for (const Rule& r : rules) body += rule_xml(r, 0, symbols, next_symbol);
    return fmt::format("  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                       "    <rules key=\"{}\">\n{}    </rules>\n    <symbols>\n{}    </symbols>\n  </renderer-v2>\n",
                       xml(root_key), body, symbols);
}

/// One group rule per service, ticked only for `shown`; `children(service, key)` gives the rules within it.
template <typename Children>
std::vector<Rule> per_service(const std::string& layer, const std::vector<std::string>& services, const std::string& shown,
                              const std::string& service_field, Children children) {
    std::vector<Rule> rules;
    for (const auto& svc : services) {
        Rule r;
        r.key = layer + ":" + svc;
        r.label = svc;
        if (!service_field.empty()) r.filter = field(service_field) + " = " + literal(svc);
        r.checked = svc == shown;
        r.children = children(svc, r.key);
        rules.push_back(std::move(r));
    }
    return rules;
}

const std::string ranking_labels = "  <labeling type=\"simple\">\n"
                                   "    <settings calloutType=\"simple\">\n"
                                   "      <text-style fieldName=\"rank\" isExpression=\"0\" fontSize=\"9\" fontSizeUnit=\"Point\" "
                                   "fontWeight=\"75\" textColor=\"0,0,0,255\" textOpacity=\"1\">\n"
                                   "        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/>\n"
                                   "      </text-style>\n"
                                   "      <placement placement=\"0\" dist=\"1.5\" distUnits=\"MM\"/>\n"
                                   "      <rendering obstacle=\"1\" scaleVisibility=\"0\"/>\n"
                                   "    </settings>\n"
                                   "  </labeling>\n";

std::vector<Rule> no_children(const std::string&, const std::string&) { return {}; }

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

std::string zones_qml(const std::vector<std::string>& services, const std::string& shown) {
    const auto classes = pct_within_classes();
    // The classes of palette.hpp (upper bound inclusive), as the graduated renderer had them.
    auto ranges = [&](const std::string& svc, const std::string& key) {
        const std::string f = field(svc + "_pct_within");
        std::vector<Rule> rules;
        double lower = 0.0;
        for (std::size_t k = 0; k < classes.size(); ++k) {
            const double upper = classes[k].upper;
            std::string filter = k == 0 ? "" : fmt::format("{} > {:g}", f, lower);
            if (std::isfinite(upper)) filter += fmt::format("{}{} <= {:g}", filter.empty() ? "" : " AND ", f, upper);
            const Rgb colour = classes[k].colour;
            rules.push_back({fmt::format("{}:{}", key, k), classes[k].label, filter,
                             [colour](const std::string& name) { return fill_symbol(name, colour, "solid", {80, 80, 80}, 0.26, 0.85); },
                             true, {}});
            lower = upper;
        }
        return rules;
    };
    return document(rule_renderer("zones", per_service("zones", services, shown, "", ranges)));
}

std::string gaps_qml(const std::vector<std::string>& services, const std::string& shown) {
    const std::pair<const char*, const char*> classes[] = {
        {"island", "horizontal"}, {"border", "b_diagonal"}, {"remote", "f_diagonal"}, {"border+remote", "cross"},
        {"island+remote", "cross"}, {"island+border", "cross"}, {"island+border+remote", "diagonal_x"}, {"none", "no"}};
    auto by_class = [&](const std::string&, const std::string& key) {
        std::vector<Rule> rules;
        for (const auto& [value, brush] : classes) {
            const std::string pattern = brush;
            rules.push_back({key + ":" + value, value, field("area_class") + " = " + literal(value),
                             [pattern](const std::string& name) { return fill_symbol(name, gap_colour(), pattern, gap_colour(), 0.6); },
                             true, {}});
        }
        return rules;
    };
    return document(rule_renderer("gaps", per_service("gaps", services, shown, "service", by_class)));
}

std::string ranking_qml(const std::vector<std::string>& services, const std::string& shown) {
    auto rules = per_service("ranking", services, shown, "service", no_children);
    for (Rule& r : rules) r.symbol = [](const std::string& name) { return marker_symbol(name, ranked_site_colour(), "star", 5.0); };
    return document(rule_renderer("ranking", rules) + ranking_labels, true);
}

std::string plan_qml(const std::vector<std::string>& years) {
    std::string categories, symbols;
    for (std::size_t k = 0; k < years.size(); ++k) {
        categories += fmt::format("      <category value=\"{0}\" label=\"{0}\" symbol=\"{1}\" render=\"true\"/>\n", xml(years[k]), k);
        symbols += marker_symbol(std::to_string(k), plan_year_colour(k, years.size()), "circle", 3.6);
    }
    const std::string labels = std::regex_replace(ranking_labels, std::regex("fieldName=\"rank\""), "fieldName=\"year\"");
    return document("  <renderer-v2 type=\"categorizedSymbol\" attr=\"year\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                    "    <categories>\n" + categories + "    </categories>\n    <symbols>\n" + symbols +
                    "    </symbols>\n  </renderer-v2>\n" + labels, true);
}

std::string no_access_qml(const std::vector<std::string>& services, const std::string& shown) {
    auto rules = per_service("no_access", services, shown, "service", no_children);
    for (Rule& r : rules)
        r.symbol = [](const std::string& name) { return fill_symbol(name, unreachable_colour(), "solid", unreachable_colour(), 0.0); };
    return document(rule_renderer("no_access", rules));
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

std::string status_change_qml(double threshold_min, Lang lang) {
    std::string entries;
    auto entry = [&](int code, const Rgb& colour, const std::string& label) {
        entries += fmt::format("        <paletteEntry value=\"{}\" color=\"{}\" alpha=\"255\" label=\"{}\"/>\n", code,
                               colour.hex(), xml(label));
    };
    for (const auto& c : status_change_categories(threshold_min, lang)) entry(c.code, c.colour, c.label);
    entry(33, unreachable_colour(), unreachable_both_label(lang));
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n"
           "  <pipe>\n"
           "    <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"1\" alphaBand=\"-1\" nodataColor=\"\">\n"
           "      <colorPalette>\n" + entries +
           "      </colorPalette>\n"
           "    </rasterrenderer>\n"
           "  </pipe>\n"
           "</qgis>\n";
}

void style_access_geopackage(const std::filesystem::path& gpkg, const std::vector<std::string>& services,
                             const std::vector<std::string>& facility_types) {
    std::set<std::string> layers;
    for (const auto& l : geodata::read_vector_info(gpkg).layers) layers.insert(l.name);
    std::vector<geodata::LayerStyle> styles;
    auto add = [&](const char* layer, std::string name, std::string qml, std::string description) {
        if (layers.count(layer)) styles.push_back({layer, std::move(name), std::move(qml), std::move(description)});
    };
    // Ticked: the first service (in the run's order) the layer has features of; else the first service.
    auto shown = [&](const char* layer) {
        if (services.empty()) return std::string();
        if (!layers.count(layer)) return services.front();
        const auto counts = geodata::count_field_values(gpkg, layer, "service");
        for (const auto& svc : services)
            if (counts.count(svc)) return svc;
        return services.front();
    };
    add("facilities", "accessplan facilities by type", facilities_qml(facility_types), "facilities coloured by type");
    add("zones", "accessplan % within threshold by service", zones_qml(services, services.empty() ? "" : services.front()),
        "zones by the share of children within the threshold, one service at a time (tick it in the legend)");
    add("gaps", "accessplan gaps by service and area class", gaps_qml(services, shown("gaps")),
        "gap clusters hatched by area class, one service at a time (tick it in the legend)");
    add("no_access", "accessplan no access by service", no_access_qml(services, shown("no_access")),
        "land in the study area from which no facility can be reached, one service at a time");
    add("ranking", "accessplan ranked sites by service", ranking_qml(services, shown("ranking")),
        "ranked candidate sites, numbered, one service at a time (tick it in the legend)");
    if (layers.count("plan")) {
        std::vector<std::string> years;
        for (const auto& [year, n] : geodata::count_field_values(gpkg, "plan", "year")) years.push_back(year);
        add("plan", "accessplan plan by year", plan_qml(years), "the plan's sites coloured by the year they are built, labelled with it");
    }
    add("study_area", "accessplan study area", study_area_qml(), "the study area's outline");
    add("national_border", "accessplan national border", national_border_qml(), "the national border");
    geodata::write_layer_styles(gpkg, styles);
}

}  // namespace accessplan::viz
