#pragma once
// Parameters declared once. A Binding<S> is a table that ties each scenario key to a field
// of the parameter struct S (by member pointer), with its range, units and doc:
//
//   Binding<Params> b;
//   auto g = b.section("growth.", &Params::growth);
//   g.bind("drift_per_quarter", &GrowthParams::drift_per_quarter).range(-1, 1).units("1/quarter").doc("…");
//
// From that one table the keys are declared into a Schema — the default of each key is read
// from a default-constructed S, so the struct's initialisers stay the only defaults — and
// values are read from a Scenario, or from one element of a table array, into the struct.
// Reading assigns field by field through the bound member, never by position, so reordering
// the struct's fields cannot swap values. The field's C++ type picks the key's type:
// double → real, bool → boolean, an integer type → integer, std::string → string,
// std::filesystem::path → path, std::vector<std::string> / <std::int64_t> → lists (table
// arrays only); `choice` binds a string key with fixed spellings to any field type (an enum).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/config/scenario.hpp"
#include "engine/config/schema.hpp"

namespace clustersim::config {

/// A path step that selects element `index` of an array field:
/// bind("funding.eu", &Common::funding, Element{0}).
struct Element {
  std::size_t index;
};

namespace binding_detail {

/// Follows a path of member pointers and Element steps from `object` to the bound field.
template <class Object, class Step>
decltype(auto) follow(Object& object, Step step) {
  if constexpr (std::is_same_v<Step, Element>) {
    return (object[step.index]);
  } else {
    static_assert(std::is_member_object_pointer_v<Step>, "a binding path holds member pointers and Element steps");
    return (object.*step);
  }
}
template <class Object, class Step, class... Rest>
decltype(auto) follow(Object& object, Step step, Rest... rest) {
  return follow(follow(object, step), rest...);
}

template <class S, class... Path>
using FieldOf = std::remove_cvref_t<decltype(follow(std::declval<S&>(), std::declval<Path>()...))>;

template <class T>
inline constexpr bool is_integer_field = std::is_integral_v<T> && !std::is_same_v<T, bool>;

/// The key type a field type maps to.
template <class T>
constexpr ParamType param_type() {
  if constexpr (std::is_same_v<T, double>) return ParamType::Real;
  else if constexpr (std::is_same_v<T, bool>) return ParamType::Boolean;
  else if constexpr (is_integer_field<T>) return ParamType::Integer;
  else if constexpr (std::is_same_v<T, std::string>) return ParamType::String;
  else if constexpr (std::is_same_v<T, std::filesystem::path>) return ParamType::Path;
  else if constexpr (std::is_same_v<T, std::vector<std::string>>) return ParamType::StringList;
  else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) return ParamType::IntegerList;
  else static_assert(sizeof(T) == 0, "no scenario key type for this field type; bind it with choice()");
}

/// A field's value as a schema default (lists and paths have no default but "empty").
template <class T>
Value default_value(const T& field) {
  if constexpr (is_integer_field<T>) return static_cast<std::int64_t>(field);
  else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, bool> || std::is_same_v<T, std::string>) return field;
  else if constexpr (std::is_same_v<T, std::filesystem::path>) return field.string();
  else return std::string(field.empty() ? "" : "<not empty>");  // declare() refuses a non-empty list default
}

/// InvariantError: a list key is read from a Scenario (lists exist only in table arrays).
[[noreturn]] void list_outside_table_array(const std::string& key);

/// Reads `key` as a T from a Scenario or a TableElement (both validated against the schema).
template <class T, class Source>
T read_value(const Source& source, const std::string& key) {
  constexpr bool element = std::is_same_v<Source, TableElement>;
  if constexpr (std::is_same_v<T, double>) return source.real(key);
  else if constexpr (std::is_same_v<T, bool>) return source.boolean(key);
  else if constexpr (is_integer_field<T>) return static_cast<T>(source.integer(key));  // range checked at declare
  else if constexpr (std::is_same_v<T, std::string>) return source.string(key);
  else if constexpr (std::is_same_v<T, std::filesystem::path> && element) return std::filesystem::path(source.string(key));
  else if constexpr (std::is_same_v<T, std::filesystem::path>) return source.path(key);
  else if constexpr (std::is_same_v<T, std::vector<std::string>> && element) return source.strings(key);
  else if constexpr (std::is_same_v<T, std::vector<std::int64_t>> && element) return source.integers(key);
  else list_outside_table_array(key);
}

/// What every binding shares, whatever its struct: the key's declaration and the bounds of
/// an integer field's C++ type.
struct Declaration {
  ParamSpec spec;  ///< all but default_value, which comes from a default-constructed struct
  double lowest = 0, highest = 0;  ///< an integer field's representable values
};

/// Declares one key into `schema` with `default_value`; refuses (InvariantError) an integer
/// field whose declared range its C++ type cannot hold, and a list or path with a default.
void declare(Schema& schema, const Declaration& d, const Value& default_value);

/// Index of `name` in a choice's spellings; InvariantError when absent (the schema checked it).
std::size_t choice_index(const std::vector<std::string>& names, const std::string& key, const std::string& name);

}  // namespace binding_detail

/// One table of bound keys for struct S; see the file comment.
template <class S>
class Binding {
 public:
  /// Keys under a common prefix whose fields live in one member of S.
  template <class M>
  class Section {
   public:
    Section(Binding* owner, std::string prefix, M S::*member) : owner_(owner), prefix_(std::move(prefix)), member_(member) {}
    template <class... Path>
    ParamBuilder bind(const std::string& key, Path... path) {
      return owner_->bind(prefix_ + key, member_, path...);
    }
    template <class T, class... Path>
    ParamBuilder choice(const std::string& key, std::vector<std::pair<std::string, T>> options, Path... path) {
      return owner_->choice(prefix_ + key, std::move(options), member_, path...);
    }

   private:
    Binding* owner_;
    std::string prefix_;
    M S::*member_;
  };

  /// Binds `key` to the field reached by `path` (member pointers, Element steps). Returns
  /// the builder for range, units, doc and required; valid until the next bind.
  template <class... Path>
  ParamBuilder bind(std::string key, Path... path) {
    using T = binding_detail::FieldOf<S, Path...>;
    Entry& e = add(std::move(key), binding_detail::param_type<T>());
    if constexpr (binding_detail::is_integer_field<T>) {
      e.declaration.lowest = static_cast<double>(std::numeric_limits<T>::lowest());
      e.declaration.highest = static_cast<double>(std::numeric_limits<T>::max());
    }
    e.default_of = [=](const S& d) { return binding_detail::default_value(binding_detail::follow(d, path...)); };
    e.from_scenario = [=](const Scenario& s, const std::string& k, S& out) {
      binding_detail::follow(out, path...) = binding_detail::read_value<T>(s, k);
    };
    e.from_element = [=](const TableElement& s, const std::string& k, S& out) {
      binding_detail::follow(out, path...) = binding_detail::read_value<T>(s, k);
    };
    return ParamBuilder(e.declaration.spec);
  }

  /// Binds a string key with fixed spellings to a field of any type, one value per spelling
  /// (an enum, or a bool named by two words). The default is the spelling of the default
  /// struct's value.
  template <class T, class... Path>
  ParamBuilder choice(std::string key, std::vector<std::pair<std::string, T>> options, Path... path) {
    static_assert(std::is_same_v<binding_detail::FieldOf<S, Path...>, T>, "choice values must have the field's type");
    Entry& e = add(std::move(key), ParamType::String);
    std::vector<T> values;
    for (auto& [name, value] : options) {
      e.declaration.spec.choices.push_back(name);
      values.push_back(value);
    }
    const std::vector<std::string> names = e.declaration.spec.choices;
    e.default_of = [=](const S& defaults) -> Value {
      const T& value = binding_detail::follow(defaults, path...);
      for (std::size_t k = 0; k < values.size(); ++k)
        if (values[k] == value) return names[k];
      return std::string("<default has no spelling>");  // declare() refuses it: not one of the choices
    };
    auto load = [=](const auto& source, const std::string& k, S& out) {
      binding_detail::follow(out, path...) = values[binding_detail::choice_index(names, k, source.string(k))];
    };
    e.from_scenario = load;
    e.from_element = load;
    return ParamBuilder(e.declaration.spec);
  }

  template <class M>
  Section<M> section(std::string prefix, M S::*member) {
    return Section<M>(this, std::move(prefix), member);
  }

  /// Declares every bound key, in binding order, with the default of a default-constructed S.
  void declare(Schema& schema) const {
    const S defaults{};
    for (const Entry& e : entries_) binding_detail::declare(schema, e.declaration, e.default_of(defaults));
  }
  /// Reads every bound key of a validated scenario into `out`.
  void read(const Scenario& scenario, S& out) const {
    for (const Entry& e : entries_) e.from_scenario(scenario, e.declaration.spec.key, out);
  }
  /// Reads every bound key of one validated table-array element into `out`.
  void read(const TableElement& element, S& out) const {
    for (const Entry& e : entries_) e.from_element(element, e.declaration.spec.key, out);
  }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    binding_detail::Declaration declaration;
    std::function<Value(const S&)> default_of;
    std::function<void(const Scenario&, const std::string&, S&)> from_scenario;
    std::function<void(const TableElement&, const std::string&, S&)> from_element;
  };
  Entry& add(std::string key, ParamType type) {
    Entry& e = entries_.emplace_back();
    e.declaration.spec.key = std::move(key);
    e.declaration.spec.type = type;
    return e;
  }
  std::deque<Entry> entries_;
};

}  // namespace clustersim::config
