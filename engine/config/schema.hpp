#pragma once
// The typed description of every scenario key: its type, default, range, units and a line
// of documentation. The engine declares [run] and [output]; each model declares its own
// keys. Loading (scenario.hpp) validates files and --set overrides against it, and
// docs/SCENARIOS.md is checked against it by a test, so the three never drift apart.

#include <cstdint>
#include <functional>
#include <utility>
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
  StringList,   ///< an array of strings; only inside an array of tables (default: empty)
  IntegerList,  ///< an array of integers; only inside an array of tables (default: empty)
};

using Value = std::variant<std::int64_t, double, bool, std::string>;

struct TableArraySpec;
class TableElement;
class Scenario;
/// A rule across keys of a whole scenario; throws ScenarioError(where, key, rule).
using ScenarioRule = std::function<void(const Scenario&)>;

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

/// True for keys holding money: their units contain "EUR" ("EUR", "EUR/quarter", ...).
bool is_money(const ParamSpec& spec);

/// Fluent declaration: schema.integer("run.steps", 40).range(1, 10000).units("quarters").doc("…");
/// A money key's upper bound is at most kMaxAmountEur (engine/core/money.hpp), whatever
/// the declaration says and in whichever order range() and units() come.
class ParamBuilder {
 public:
  explicit ParamBuilder(ParamSpec& spec) : spec_(&spec) {}
  ParamBuilder& range(double lo, double hi) { spec_->min = lo; spec_->max = hi; return cap(); }
  ParamBuilder& at_least(double lo) { spec_->min = lo; return *this; }
  ParamBuilder& at_most(double hi) { spec_->max = hi; return cap(); }
  ParamBuilder& units(std::string u) { spec_->units = std::move(u); return cap(); }
  ParamBuilder& doc(std::string d) { spec_->doc = std::move(d); return *this; }
  ParamBuilder& required() { spec_->required = true; return *this; }
  ParamBuilder& choices(std::vector<std::string> c) { spec_->choices = std::move(c); return *this; }

 private:
  ParamBuilder& cap();
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
  /// Lists (empty by default); allowed only in the element schemas of a table array.
  ParamBuilder string_list(std::string key);
  ParamBuilder integer_list(std::string key);

  /// Declares an array of tables (`[[name]]` in TOML) whose elements have an `id`, a `type`
  /// and keys that depend on the type: `common` keys for every element plus the keys of
  /// the element's type. Returns the spec to fill; valid until the next table_array call.
  TableArraySpec& table_array(std::string name);
  /// nullptr when `name` is not a declared table array.
  const TableArraySpec* find_array(std::string_view name) const;
  const std::vector<TableArraySpec>& arrays() const { return arrays_; }

  /// nullptr when the key is not declared.
  const ParamSpec* find(std::string_view key) const;
  /// True when `prefix` names a table that holds declared keys ("run", "model.growth").
  bool is_table(std::string_view prefix) const;
  /// The declared key (or table) closest to `key` by edit distance, for "did you mean".
  std::string nearest(std::string_view key) const;
  const std::vector<ParamSpec>& params() const { return params_; }
  /// Adds a rule across keys (thresholds in order, a window inside the horizon, ...);
  /// load_scenario checks the rules, in order, once every value is resolved.
  void rule(ScenarioRule r) { rules_.push_back(std::move(r)); }
  const std::vector<ScenarioRule>& rules() const { return rules_; }

 private:
  ParamBuilder add(ParamSpec spec);
  std::vector<ParamSpec> params_;
  std::vector<TableArraySpec> arrays_;
  std::vector<ScenarioRule> rules_;
};

/// One element of a table array after loading: every key of its type with its value
/// (defaults filled in), the file it came from and its position.
class TableElement {
 public:
  using Item = std::variant<std::int64_t, double, bool, std::string, std::vector<std::string>,
                            std::vector<std::int64_t>>;
  std::string array;   ///< e.g. "instruments"
  std::size_t index = 0;
  std::string id, type;
  std::string origin;  ///< the file that set the array
  std::vector<std::pair<std::string, Item>> values;  ///< in declaration order: common keys, then the type's

  std::int64_t integer(std::string_view key) const { return std::get<std::int64_t>(item(key)); }
  double real(std::string_view key) const { return std::get<double>(item(key)); }
  bool boolean(std::string_view key) const { return std::get<bool>(item(key)); }
  const std::string& string(std::string_view key) const { return std::get<std::string>(item(key)); }
  const std::vector<std::string>& strings(std::string_view key) const {
    return std::get<std::vector<std::string>>(item(key));
  }
  const std::vector<std::int64_t>& integers(std::string_view key) const {
    return std::get<std::vector<std::int64_t>>(item(key));
  }
  const Item& item(std::string_view key) const;
  bool has(std::string_view key) const;
  /// How messages name a key of this element: "instruments[core_a].funding.eu".
  std::string key_name(std::string_view key = {}) const;
};

/// An array of tables with typed elements (see Schema::table_array).
struct TableArraySpec {
  std::string name;
  std::string doc;
  Schema common;  ///< keys of every element; `id` and `type` are declared automatically
  std::vector<std::pair<std::string, Schema>> types;  ///< the keys of each type, in declaration order
  /// Rules across keys of one element (shares summing to 1, end after start, ...); throws
  /// ScenarioError(where, element.key_name(key), rule).
  std::function<void(const TableElement&, const std::string& where)> validate;

  Schema& type(std::string type_name);
  const Schema* find_type(std::string_view type_name) const;
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
