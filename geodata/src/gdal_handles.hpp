#pragma once
// Owning handles for GDAL datasets (internal to geodata).

#include <memory>

#include <gdal_priv.h>

namespace accessplan::geodata::detail {

struct DatasetCloser {
    void operator()(GDALDataset* ds) const noexcept { GDALClose(GDALDataset::ToHandle(ds)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

}  // namespace accessplan::geodata::detail
