// population_growth: a factor (within polygons, or everywhere) or a raster of factors; modifications multiply.
#include "kinds.hpp"

#include <cmath>

#include "accessplan/geodata/analysis_grid.hpp"
#include "accessplan/geodata/raster_io.hpp"

namespace accessplan::scenarios::detail {

void parse(ParseStep& p, modification::PopulationGrowth& m) {
    Reader& r = p.reader;
    const YAML::Node& node = p.node;
    const std::string& w = p.where;
    r.check_keys(node, w, {"name", "factor", "factor_raster", "file", "layer", "where", "polygon"});
    if (node["factor"]) m.factor = r.number(node, "factor", w, 0.0).value_or(1.0);
    if (node["factor_raster"]) m.factor_raster = r.path(node, "factor_raster", w, true);
    if (static_cast<bool>(node["factor"]) == static_cast<bool>(node["factor_raster"]))
        r.error(node, w, "give factor: (e.g. 1.12 for +12%) or factor_raster: (a raster of factors), one of them");
    if (node["file"]) m.file = r.layer_fields(node, w);
    if (node["polygon"]) m.polygon = lon_lat_list(r, node, "polygon", w, 3);
}

void apply(const modification::PopulationGrowth& m, GrowthStep& step) {
    auto& g = step.factors;
    if (!g) g = Grid<float>(step.grid, 1.0f);
    if (m.factor_raster) {
        const Grid<float> f = geodata::warp_to_grid(*m.factor_raster, 1, step.grid, geodata::Resampling::bilinear);
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (std::isnan(f[i])) continue;  // outside the raster or nodata: no change
            if (!(f[i] >= 0.0f) || !std::isfinite(f[i]))
                throw InputError(fmt::format("{}: {} has a factor of {} at cell {}; growth factors must be >= 0",
                                             step.current->label, m.factor_raster->string(), f[i], i));
            (*g)[i] *= f[i];
        }
        return;
    }
    const auto cells = area_cells(m.file, m.polygon, step.current->label, step.grid);
    for (std::size_t i = 0; i < g->size(); ++i)
        if (!cells || (*cells)[i]) (*g)[i] *= static_cast<float>(m.factor);
}

}  // namespace accessplan::scenarios::detail
