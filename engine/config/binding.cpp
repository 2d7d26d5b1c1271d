#include "engine/config/binding.hpp"

#include <algorithm>
#include <limits>

#include "engine/core/error.hpp"

namespace clustersim::config::binding_detail {

namespace {

ParamBuilder declare_typed(Schema& schema, const ParamSpec& spec, const Value& default_value) {
  auto empty_default = [&] {
    CLUSTERSIM_ASSERT(std::get<std::string>(default_value).empty(),
                      "'" + spec.key + "': a path or list key has no default; its field must start empty");
  };
  switch (spec.type) {
    case ParamType::Integer: return schema.integer(spec.key, std::get<std::int64_t>(default_value));
    case ParamType::Real: return schema.real(spec.key, std::get<double>(default_value));
    case ParamType::Boolean: return schema.boolean(spec.key, std::get<bool>(default_value));
    case ParamType::String: return schema.string(spec.key, std::get<std::string>(default_value));
    case ParamType::Path: empty_default(); return schema.path(spec.key);
    case ParamType::StringList: empty_default(); return schema.string_list(spec.key);
    case ParamType::IntegerList: empty_default(); return schema.integer_list(spec.key);
  }
  CLUSTERSIM_ASSERT(false, "'" + spec.key + "': unknown parameter type");
}

}  // namespace

void declare(Schema& schema, const Declaration& d, const Value& default_value) {
  const ParamSpec& spec = d.spec;
  if (spec.type == ParamType::Integer) {
    // The value is range-checked as an int64 and then narrowed to the field's type: the
    // declared range must fit in that type, or a valid scenario value would wrap.
    // Without a bound, the field must hold every int64.
    constexpr auto kLowest = static_cast<double>(std::numeric_limits<std::int64_t>::lowest());
    constexpr auto kHighest = static_cast<double>(std::numeric_limits<std::int64_t>::max());
    const bool fits = (spec.min ? *spec.min >= d.lowest : d.lowest <= kLowest) &&
                      (spec.max ? *spec.max <= d.highest : d.highest >= kHighest);
    CLUSTERSIM_ASSERT(fits, "'" + spec.key + "': the declared range does not fit the field's integer type");
  }
  if (!spec.choices.empty()) {
    const auto& name = std::get<std::string>(default_value);
    CLUSTERSIM_ASSERT(std::find(spec.choices.begin(), spec.choices.end(), name) != spec.choices.end(),
                      "'" + spec.key + "': the default struct's value has no spelling among the choices");
  }
  ParamBuilder b = declare_typed(schema, spec, default_value);
  if (spec.required) b.required();
  if (spec.min) b.at_least(*spec.min);
  if (spec.max) b.at_most(*spec.max);
  if (!spec.units.empty()) b.units(spec.units);
  if (!spec.doc.empty()) b.doc(spec.doc);
  if (!spec.choices.empty()) b.choices(spec.choices);
}

std::size_t choice_index(const std::vector<std::string>& names, const std::string& key, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  CLUSTERSIM_ASSERT(it != names.end(), "'" + key + "': '" + name + "' passed validation but is not a choice");
  return static_cast<std::size_t>(it - names.begin());
}

void list_outside_table_array(const std::string& key) {
  CLUSTERSIM_ASSERT(false, "list key '" + key + "' read outside a table array");
  throw InvariantError("unreachable");  // CLUSTERSIM_ASSERT(false) does not return
}

}  // namespace clustersim::config::binding_detail
