#include "engine/record/layout.hpp"

#include <algorithm>
#include <cctype>

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

namespace {

constexpr const char* kIndexDimension = "index_dimension";

/// A CF flag meaning is one word of letters, digits and _-.+@.
std::string flag_word(std::string text) {
  if (text.empty()) return "none";
  for (char& c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("_-.+@").find(c) == std::string_view::npos)
      c = '_';
  return text;
}

const Attribute* find_attribute(const VariableSpec& spec, const std::string& name) {
  for (const auto& a : spec.extra_attributes)
    if (a.name == name) return &a;
  return nullptr;
}

void erase_attribute(VariableSpec& spec, const std::string& name) {
  std::erase_if(spec.extra_attributes, [&](const Attribute& a) { return a.name == name; });
}

}  // namespace

VariableSpec& set_flags(VariableSpec& spec, const std::vector<Flag>& flags) {
  erase_attribute(spec, "flag_values");
  erase_attribute(spec, "flag_meanings");
  if (flags.empty()) return spec;
  std::vector<std::int64_t> values;
  std::string meanings;
  for (const auto& f : flags) {
    values.push_back(f.value);
    if (!meanings.empty()) meanings += ' ';
    meanings += flag_word(f.meaning);
  }
  spec.extra_attributes.push_back({"flag_values", std::move(values)});
  spec.extra_attributes.push_back({"flag_meanings", std::move(meanings)});
  return spec;
}

VariableSpec& set_index_flags(VariableSpec& spec, const std::string& dim) {
  erase_attribute(spec, kIndexDimension);
  spec.extra_attributes.push_back({kIndexDimension, dim});
  return spec;
}

bool is_code(const VariableSpec& spec) {
  return find_attribute(spec, "flag_values") != nullptr || find_attribute(spec, kIndexDimension) != nullptr;
}

void resolve_index_flags(Layout& layout) {
  auto resolve = [&](VariableSpec& spec) {
    const Attribute* a = find_attribute(spec, kIndexDimension);
    if (!a) return;
    const auto* dim = std::get_if<std::string>(&a->value);
    CLUSTERSIM_ASSERT(dim != nullptr, "variable '" + spec.name + "': index_dimension is not text");
    auto coordinate = std::find_if(layout.statics.begin(), layout.statics.end(), [&](const StaticVariable& v) {
      return v.spec.name == *dim && v.spec.dims == std::vector<std::string>{*dim};
    });
    CLUSTERSIM_ASSERT(coordinate != layout.statics.end() &&
                          std::holds_alternative<std::vector<std::string>>(coordinate->data),
                      "variable '" + spec.name + "' indexes dimension '" + *dim + "', which has no text coordinate");
    const auto& names = std::get<std::vector<std::string>>(coordinate->data);
    std::vector<Flag> flags;
    for (std::size_t i = 0; i < names.size(); ++i) flags.push_back({static_cast<std::int64_t>(i), names[i]});
    set_flags(spec, flags);
  };
  for (auto& v : layout.statics) resolve(v.spec);
  for (auto& spec : layout.series) resolve(spec);
}

Frame::Frame(const Layout& layout) {
  values_.reserve(layout.series.size());
  for (const auto& spec : layout.series) values_.emplace_back(layout.slice_size(spec), 0.0);
}

void Frame::clear() {
  for (auto& v : values_) std::fill(v.begin(), v.end(), 0.0);
}

}  // namespace clustersim::record
