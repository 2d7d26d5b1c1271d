#include "engine/record/layout.hpp"

#include <algorithm>

#include "engine/core/error.hpp"

namespace clustersim::record {

const Dimension& Layout::dim(const std::string& name) const {
  auto it = std::find_if(dims.begin(), dims.end(), [&](const Dimension& d) { return d.name == name; });
  CLUSTERSIM_ASSERT(it != dims.end(), "unknown dimension '" + name + "'");
  return *it;
}

std::size_t Layout::slice_size(const VariableSpec& spec) const {
  std::size_t n = 1;
  for (const auto& d : spec.dims) {
    if (d == "replicate" || d == "run" || d == "step") continue;  // "run": merged sweep files
    n *= dim(d).size;
  }
  return n;
}

std::size_t Layout::series_index(const std::string& name) const {
  auto it = std::find_if(series.begin(), series.end(), [&](const VariableSpec& v) { return v.name == name; });
  CLUSTERSIM_ASSERT(it != series.end(), "unknown series variable '" + name + "'");
  return static_cast<std::size_t>(it - series.begin());
}

Frame::Frame(const Layout& layout) {
  values_.reserve(layout.series.size());
  for (const auto& spec : layout.series) values_.emplace_back(layout.slice_size(spec), 0.0);
}

void Frame::clear() {
  for (auto& v : values_) std::fill(v.begin(), v.end(), 0.0);
}

}  // namespace clustersim::record
