#pragma once
// The typed description of every scenario key: its type, default, range, units and a line
// of documentation. The engine declares [run] and [output]; each model declares its own
// keys. Loading (scenario.hpp) validates files and --set overrides against it, and
// docs/SCENARIOS.md is checked against it by a test, so the three never drift apart.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace clustersim::config {

enum class ParamType {
  Integer,  ///< std::int64_t
  Real,     ///< double; an integer literal is accepted
  Boolean,
  String,   ///< free text, or one of `choices` when that is non-empty
  Path,     ///< a file path, resolved relative to the scenario file that sets it
};

using Value = std::variant<std::int64_t, double, bool, std::string>;

struct ParamSpec {
  std::string key;  ///< dotted path, e.g. "population.smes"
  ParamType type = ParamType::Real;
  Value default_value;               ///< ignored when `required`
  bool required = false;             ///< must be set by some file in the extends chain
  bool optional_value = false;       ///< Path/String that may be left unset (empty)
  std::optional<double> min, max;    ///< inclusive bounds for Integer / Real
  std::vector<std::string> choices;  ///< allowed values for String
  std::string units;                 ///< e.g. "EUR", "1/quarter", "SMEs"; empty = dimensionless
  std::string doc;                   ///< one line for docs/SCENARIOS.md
};

/// Fluent declaration: schema.integer("run.steps", 40).range(1, 10000).units("quarters").doc("…");
class ParamBuilder {
 public:
  explicit ParamBuilder(ParamSpec& spec) : spec_(&spec) {}
  ParamBuilder& range(double lo, double hi) { spec_->min = lo; spec_->max = hi; return *this; }
  ParamBuilder& at_least(double lo) { spec_->min = lo; return *this; }
  ParamBuilder& at_most(double hi) { spec_->max = hi; return *this; }
  ParamBuilder& units(std::string u) { spec_->units = std::move(u); return *this; }
  ParamBuilder& doc(std::string d) { spec_->doc = std::move(d); return *this; }
  ParamBuilder& required() { spec_->required = true; return *this; }
  ParamBuilder& choices(std::vector<std::string> c) { spec_->choices = std::move(c); return *this; }

 private:
  ParamSpec* spec_;
};

class Schema {
 public:
  ParamBuilder integer(std::string key, std::int64_t default_value);
  ParamBuilder real(std::string key, double default_value);
  ParamBuilder boolean(std::string key, bool default_value);
  ParamBuilder string(std::string key, std::string default_value);
  /// An optional file path; unset means "not given".
  ParamBuilder path(std::string key);

  /// nullptr when the key is not declared.
  const ParamSpec* find(std::string_view key) const;
  /// True when `prefix` names a table that holds declared keys ("run", "model.growth").
  bool is_table(std::string_view prefix) const;
  /// The declared key (or table) closest to `key` by edit distance, for "did you mean".
  std::string nearest(std::string_view key) const;
  const std::vector<ParamSpec>& params() const { return params_; }

 private:
  ParamBuilder add(ParamSpec spec);
  std::vector<ParamSpec> params_;
};

/// Dotted-key helpers: parent_of("a.b.c") == "a.b" ("" for a top-level key),
/// leaf_of("a.b.c") == "c".
std::string_view parent_of(std::string_view key);
std::string_view leaf_of(std::string_view key);

/// Levenshtein distance; exposed for tests.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// "integer", "real", ... as written in docs and error messages.
std::string_view type_name(ParamType type);

}  // namespace clustersim::config
