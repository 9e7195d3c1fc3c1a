#include "accessplan/geodata/field_values.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "accessplan/engine/error.hpp"
#include "accessplan/geodata/gdal_env.hpp"
#include "gdal_handles.hpp"

namespace accessplan::geodata {

std::map<std::string, long long> count_field_values(const std::filesystem::path& path, const std::string& layer,
                                                    const std::string& field) {
    ensure_gdal();
    reset_gdal_error();
    detail::DatasetPtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) throw InputError(fmt::format("{}: cannot open it as a vector file: {}", path.string(), last_gdal_error()));
    OGRLayer* l = ds->GetLayerByName(layer.c_str());
    if (l == nullptr) throw InputError(fmt::format("{}: no layer {}", path.string(), layer));
    const int index = l->GetLayerDefn()->GetFieldIndex(field.c_str());
    if (index < 0) throw InputError(fmt::format("{}: layer {} has no field {}", path.string(), layer, field));
    std::map<std::string, long long> counts;
    for (auto& f : *l) ++counts[f->IsFieldSetAndNotNull(index) ? f->GetFieldAsString(index) : ""];
    return counts;
}

}  // namespace accessplan::geodata
