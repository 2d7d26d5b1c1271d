#include "engine/config/schema.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <utility>

#include "engine/core/error.hpp"
#include "engine/core/money.hpp"

namespace clustersim::config {

namespace {

std::size_t segment_count(std::string_view key) {
  return static_cast<std::size_t>(std::count(key.begin(), key.end(), '.')) + 1;
}

/// The first `n` dot-separated segments of `key` (all of them when it has fewer).
std::string_view first_segments(std::string_view key, std::size_t n) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n; ++i) {
    pos = key.find('.', pos);
    if (pos == std::string_view::npos) return key;
    if (i + 1 < n) ++pos;
  }
  return key.substr(0, pos);
}

bool is_under(std::string_view key, std::string_view table) {
  if (table.empty()) return true;
  return key.size() > table.size() && key.starts_with(table) && key[table.size()] == '.';
}

/// Every table prefix of the declared keys, in the order a reader of the schema meets them.
std::vector<std::string> table_names(const std::vector<ParamSpec>& params) {
  std::vector<std::string> tables;
  for (const auto& p : params) {
    for (auto dot = p.key.find('.'); dot != std::string::npos; dot = p.key.find('.', dot + 1)) {
      std::string prefix = p.key.substr(0, dot);
      if (std::find(tables.begin(), tables.end(), prefix) == tables.end()) tables.push_back(std::move(prefix));
    }
  }
  return tables;
}

}  // namespace

std::string_view parent_of(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : key.substr(0, dot);
}

std::string_view leaf_of(std::string_view key) {
  const auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

bool is_money(const ParamSpec& spec) { return spec.units.find("EUR") != std::string::npos; }

ParamBuilder& ParamBuilder::cap() {
  if (is_money(*spec_) && (!spec_->max || *spec_->max > kMaxAmountEur)) spec_->max = kMaxAmountEur;
  return *this;
}

ParamBuilder Schema::integer(std::string key, std::int64_t default_value) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = ParamType::Integer;
  spec.default_value = default_value;
  return add(std::move(spec));
}

ParamBuilder Schema::real(std::string key, double default_value) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = ParamType::Real;
  spec.default_value = default_value;
  return add(std::move(spec));
}

ParamBuilder Schema::boolean(std::string key, bool default_value) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = ParamType::Boolean;
  spec.default_value = default_value;
  return add(std::move(spec));
}

ParamBuilder Schema::string(std::string key, std::string default_value) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = ParamType::String;
  spec.default_value = std::move(default_value);
  return add(std::move(spec));
}

ParamBuilder Schema::path(std::string key) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = ParamType::Path;
  // An unset path is stored as the empty string, so "unset" needs no separate state.
  spec.default_value = std::string{};
  spec.optional_value = true;
  return add(std::move(spec));
}

ParamBuilder Schema::string_list(std::string key) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = ParamType::StringList;
  spec.default_value = std::string{};
  return add(std::move(spec));
}

ParamBuilder Schema::integer_list(std::string key) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = ParamType::IntegerList;
  spec.default_value = std::string{};
  return add(std::move(spec));
}

TableArraySpec& Schema::table_array(std::string name) {
  CLUSTERSIM_ASSERT(find(name) == nullptr && !is_table(name) && find_array(name) == nullptr,
                    "table array '" + name + "' clashes with a declared key");
  TableArraySpec spec;
  spec.name = std::move(name);
  spec.common.string("id", "").required().doc("Unique name of the element, used in output coordinates and messages.");
  spec.common.string("type", "").required().doc("Kind of element; decides which further keys it takes.");
  arrays_.push_back(std::move(spec));
  return arrays_.back();
}

const TableArraySpec* Schema::find_array(std::string_view name) const {
  for (const auto& a : arrays_)
    if (a.name == name) return &a;
  return nullptr;
}

Schema& TableArraySpec::type(std::string type_name) {
  CLUSTERSIM_ASSERT(find_type(type_name) == nullptr, "type '" + type_name + "' declared twice in '" + name + "'");
  types.emplace_back(std::move(type_name), Schema{});
  return types.back().second;
}

const Schema* TableArraySpec::find_type(std::string_view type_name) const {
  for (const auto& [t, s] : types)
    if (t == type_name) return &s;
  return nullptr;
}

const TableElement::Item& TableElement::item(std::string_view key) const {
  for (const auto& [k, v] : values)
    if (k == key) return v;
  CLUSTERSIM_ASSERT(false, "element key '" + std::string(key) + "' is not declared for type '" + type + "'");
  return values.front().second;
}

bool TableElement::has(std::string_view key) const {
  return std::any_of(values.begin(), values.end(), [&](const auto& kv) { return kv.first == key; });
}

std::string TableElement::key_name(std::string_view key) const {
  std::string out = array + "[" + (id.empty() ? std::to_string(index) : id) + "]";
  if (!key.empty()) out += "." + std::string(key);
  return out;
}

ParamBuilder Schema::add(ParamSpec spec) {
  const std::string& key = spec.key;
  CLUSTERSIM_ASSERT(!key.empty() && key.front() != '.' && key.back() != '.' &&
                        key.find("..") == std::string::npos,
                    "scenario key '" + key + "' is not a dotted name");
  // The loader treats a top-level `extends` as inheritance, never as a parameter.
  CLUSTERSIM_ASSERT(key != "extends", "scenario key 'extends' is reserved");
  CLUSTERSIM_ASSERT(find(key) == nullptr, "scenario key '" + key + "' declared twice");
  // A name that is both a value and a table could not be written in TOML.
  CLUSTERSIM_ASSERT(!is_table(key), "scenario key '" + key + "' is already a table");
  for (std::string_view p = parent_of(key); !p.empty(); p = parent_of(p)) {
    CLUSTERSIM_ASSERT(find(p) == nullptr,
                      "scenario key '" + key + "' lies under the value '" + std::string(p) + "'");
  }
  params_.push_back(std::move(spec));
  // Valid until the next declaration: builders are meant to be used in one statement.
  return ParamBuilder(params_.back());
}

const ParamSpec* Schema::find(std::string_view key) const {
  auto it = std::find_if(params_.begin(), params_.end(), [&](const ParamSpec& p) { return p.key == key; });
  return it == params_.end() ? nullptr : &*it;
}

bool Schema::is_table(std::string_view prefix) const {
  if (prefix.empty()) return false;
  return std::any_of(params_.begin(), params_.end(), [&](const ParamSpec& p) { return is_under(p.key, prefix); });
}

std::string Schema::nearest(std::string_view key) const {
  const std::vector<std::string> tables = table_names(params_);
  const std::string_view parent = parent_of(key);
  const bool parent_known = parent.empty() || is_table(parent);
  // A typo in the last segment is likelier than a typo in a table name, so a known table
  // offers its own children first; an unknown table opens up everything beneath the
  // deepest table the user did spell right.
  std::string_view scope = parent;
  if (!parent_known) {
    scope = parent_of(parent);
    while (!scope.empty() && !is_table(scope)) scope = parent_of(scope);
  }
  auto in_scope = [&](std::string_view name) {
    return parent_known ? parent_of(name) == scope : is_under(name, scope);
  };

  // Ranked by distance, then by kind: same-scope key, same-scope table, a key elsewhere.
  std::string_view best;
  std::tuple<std::size_t, int, std::size_t> best_score{};
  std::size_t order = 0;
  auto offer = [&](std::string_view name, std::size_t distance, int kind) {
    const std::tuple<std::size_t, int, std::size_t> score{distance, kind, order++};
    if (best.empty() || score < best_score) {
      best = name;
      best_score = score;
    }
  };
  // "outptu.bogus" should find the table "output": compare like with like, segment-wise.
  auto compared = [&](std::string_view name) {
    return parent_known ? key : first_segments(key, segment_count(name));
  };
  for (const auto& p : params_) {
    if (in_scope(p.key)) offer(p.key, edit_distance(compared(p.key), p.key), 0);
  }
  for (const auto& t : tables) {
    if (in_scope(t)) offer(t, edit_distance(compared(t), t), 1);
  }
  // The commonest slip is the right name in the wrong table (`steps` instead of
  // `run.steps`); one extra step lets a same-table typo win a tie.
  for (const auto& p : params_) offer(p.key, edit_distance(leaf_of(key), leaf_of(p.key)) + 1, 2);
  return std::string(best);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string_view type_name(ParamType type) {
  switch (type) {
    case ParamType::Integer: return "integer";
    case ParamType::Real: return "real";
    case ParamType::Boolean: return "boolean";
    case ParamType::String: return "string";
    case ParamType::Path: return "path";
    case ParamType::StringList: return "string list";
    case ParamType::IntegerList: return "integer list";
  }
  CLUSTERSIM_ASSERT(false, "unknown ParamType");
  return {};
}

}  // namespace clustersim::config
