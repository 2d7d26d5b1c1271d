#include "engine/config/scenario.hpp"

#include "engine/config/text_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <toml++/toml.h>

#include "engine/core/error.hpp"
#include "engine/core/money.hpp"

namespace clustersim::config {

namespace fs = std::filesystem;

namespace {

const std::string kSetOrigin = "--set";
const std::string kDefaultOrigin = "default";

// ---------------------------------------------------------------------------------------
// Text

/// Shortest text that reads back as the same double; for messages ("1.5", "0", "1e+06").
std::string shortest(double v) {
  char buf[64];
  // Whole numbers print in full ("2000000000", not "2e+09"): bounds and counts read better.
  const bool whole = std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e16;
  const auto result = whole ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                            : std::to_chars(buf, buf + sizeof buf, v);
  CLUSTERSIM_ASSERT(result.ec == std::errc{}, "to_chars failed for a double");
  return std::string(buf, result.ptr);
}

/// Like shortest(), but always a TOML float: "1" would reload as an integer.
std::string toml_float(double v) {
  std::string text = shortest(v);
  if (std::isfinite(v) && text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string toml_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xF];
        } else {
          out += c;
        }
      }
    }
  }
  out += '"';
  return out;
}

/// One key segment: bare when TOML allows it, quoted otherwise.
std::string toml_key(std::string_view segment) {
  const bool bare = !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(segment) : toml_string(segment);
}

std::string toml_dotted(std::string_view dotted) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto dot = dotted.find('.', start);
    out += toml_key(dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start));
    if (dot == std::string_view::npos) return out;
    out += '.';
    start = dot + 1;
  }
}


/// A TOML value as a user would recognise it in an error message: `2.5 (float)`.
std::string describe(const toml::node& node) {
  std::ostringstream os;
  switch (node.type()) {
    case toml::node_type::integer: return std::to_string(node.as_integer()->get()) + " (integer)";
    case toml::node_type::floating_point: return toml_float(node.as_floating_point()->get()) + " (float)";
    case toml::node_type::string: return toml_string(node.as_string()->get()) + " (string)";
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true (boolean)" : "false (boolean)";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: os << node.as_date()->get() << " (date)"; return os.str();
    case toml::node_type::time: os << node.as_time()->get() << " (time)"; return os.str();
    case toml::node_type::date_time: os << node.as_date_time()->get() << " (date-time)"; return os.str();
    case toml::node_type::none: break;
  }
  return "nothing";
}

// ---------------------------------------------------------------------------------------
// Rules shared by file values and --set values

std::string expected(ParamType type) {
  switch (type) {
    case ParamType::Integer: return "must be an integer";
    case ParamType::Real: return "must be a number";
    case ParamType::Boolean: return "must be true or false";
    case ParamType::String: return "must be a string";
    case ParamType::Path: return "must be a file path (a string)";
    case ParamType::StringList: return "must be an array of strings";
    case ParamType::IntegerList: return "must be an array of integers";
  }
  return "must be a value";
}

[[noreturn]] void type_error(const std::string& where, const std::string& key, ParamType type,
                             const std::string& got) {
  throw ScenarioError(where, key, expected(type) + ", got " + got);
}

std::optional<std::string> range_violation(const ParamSpec& spec, double v) {
  // range(-inf, 1) reads as "<= 1", not "between -inf and 1".
  const bool has_min = spec.min && std::isfinite(*spec.min);
  const bool has_max = spec.max && std::isfinite(*spec.max);
  const bool too_low = spec.min && v < *spec.min;
  const bool too_high = spec.max && v > *spec.max;
  if (!too_low && !too_high) return std::nullopt;
  // The money cap is a project-wide rule, not this key's: say so.
  const std::string why = too_high && is_money(spec) && *spec.max == kMaxAmountEur
                              ? " (every money amount is capped so that ledgers stay exact in cents)"
                              : "";
  if (has_min && has_max) return "must be between " + shortest(*spec.min) + " and " + shortest(*spec.max) + why;
  if (has_min) return "must be >= " + shortest(*spec.min);
  return "must be <= " + shortest(*spec.max) + why;
}

std::int64_t checked_integer(const ParamSpec& spec, const std::string& where, std::int64_t v) {
  if (auto rule = range_violation(spec, static_cast<double>(v)))
    throw ScenarioError(where, spec.key, *rule + ", got " + std::to_string(v));
  return v;
}

double checked_real(const ParamSpec& spec, const std::string& where, double v) {
  if (!std::isfinite(v)) throw ScenarioError(where, spec.key, "must be a finite number, got " + shortest(v));
  if (auto rule = range_violation(spec, v)) throw ScenarioError(where, spec.key, *rule + ", got " + shortest(v));
  return v;
}

std::string checked_string(const ParamSpec& spec, const std::string& where, std::string v) {
  if (spec.choices.empty() || std::find(spec.choices.begin(), spec.choices.end(), v) != spec.choices.end())
    return v;
  std::string rule = "must be one of ";
  for (std::size_t i = 0; i < spec.choices.size(); ++i) rule += (i ? ", '" : "'") + spec.choices[i] + "'";
  throw ScenarioError(where, spec.key, rule + "; got '" + v + "'");
}

/// Absolute and lexically normal, so a scenario means the same file from any directory.
/// The empty string leaves an optional path unset, which lets a file clear its base's path.
std::string checked_path(const ParamSpec& spec, const std::string& where, const std::string& v,
                         const fs::path& base_dir) {
  if (v.empty()) {
    if (spec.required) throw ScenarioError(where, spec.key, "must not be empty");
    return {};
  }
  return (base_dir / fs::path(v)).lexically_normal().string();
}

Value from_node(const ParamSpec& spec, const toml::node& node, const std::string& where, const fs::path& base_dir) {
  switch (spec.type) {
    case ParamType::Integer:
      if (const auto* v = node.as_integer()) return checked_integer(spec, where, v->get());
      break;
    case ParamType::Real:
      if (const auto* v = node.as_floating_point()) return checked_real(spec, where, v->get());
      if (const auto* v = node.as_integer()) return checked_real(spec, where, static_cast<double>(v->get()));
      break;
    case ParamType::Boolean:
      if (const auto* v = node.as_boolean()) return v->get();
      break;
    case ParamType::String:
      if (const auto* v = node.as_string()) return checked_string(spec, where, v->get());
      break;
    case ParamType::Path:
      if (const auto* v = node.as_string()) return checked_path(spec, where, v->get(), base_dir);
      break;
    case ParamType::StringList:
    case ParamType::IntegerList:
      break;
  }
  type_error(where, spec.key, spec.type, describe(node));
}

Value from_text(const ParamSpec& spec, std::string_view text) {
  const std::string& where = kSetOrigin;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  switch (spec.type) {
    case ParamType::Integer: {
      std::int64_t v = 0;
      const auto r = std::from_chars(first, last, v);
      if (r.ec != std::errc{} || r.ptr != last) break;
      return checked_integer(spec, where, v);
    }
    case ParamType::Real: {
      double v = 0;
      const auto r = std::from_chars(first, last, v);
      if (r.ec == std::errc::result_out_of_range && r.ptr == last) {
        throw ScenarioError(where, spec.key, "must be a finite number, got " + std::string(text));
      }
      if (r.ec != std::errc{} || r.ptr != last) break;
      return checked_real(spec, where, v);
    }
    case ParamType::Boolean:
      if (text == "true") return true;
      if (text == "false") return false;
      break;
    case ParamType::String:
      // The shell has already eaten one level of quoting; a second pair is the user being careful.
      if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
      return checked_string(spec, where, std::string(text));
    case ParamType::Path:
      return checked_path(spec, where, std::string(text), fs::current_path());
    case ParamType::StringList:
    case ParamType::IntegerList:
      break;
  }
  type_error(where, spec.key, spec.type, toml_string(text));
}

std::size_t value_index(ParamType type) {
  switch (type) {
    case ParamType::Integer: return 0;
    case ParamType::Real: return 1;
    case ParamType::Boolean: return 2;
    case ParamType::String:
    case ParamType::Path:
    case ParamType::StringList:
    case ParamType::IntegerList: return 3;
  }
  return std::variant_npos;
}

/// A schema whose default breaks its own rules would hand the model a value no file could set.
void assert_default_valid(const ParamSpec& spec) {
  CLUSTERSIM_ASSERT(spec.default_value.index() == value_index(spec.type),
                    "default of '" + spec.key + "' does not match its type");
  const std::string where = "schema default";
  try {
    if (spec.type == ParamType::Integer) checked_integer(spec, where, std::get<std::int64_t>(spec.default_value));
    if (spec.type == ParamType::Real) checked_real(spec, where, std::get<double>(spec.default_value));
    if (spec.type == ParamType::String) checked_string(spec, where, std::get<std::string>(spec.default_value));
  } catch (const ScenarioError& e) {
    CLUSTERSIM_ASSERT(false, std::string(e.what()));
  }
}

std::string unknown_key_rule(const Schema& schema, std::string_view key) {
  const std::string suggestion = schema.nearest(key);
  return suggestion.empty() ? "unknown key" : "unknown key; did you mean '" + suggestion + "'?";
}

// ---------------------------------------------------------------------------------------
// Files


/// Two spellings of one file compare equal, so `./a.toml` and `a.toml` close a cycle.
fs::path identity(const fs::path& file) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(file, ec);
  if (ec) p = fs::absolute(file, ec).lexically_normal();
  return p;
}

struct SourceFile {
  fs::path display;  ///< as messages name it: the user's spelling, extended by `extends` values
  fs::path dir;      ///< absolute directory, for relative paths set in this file
  toml::table table;
};

toml::table parse_toml(const fs::path& display, const std::string& text) {
  check_toml_text(text, display.string());
  try {
    return toml::parse(text, display.string());
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    throw ScenarioError(display.string(),
                        "line " + std::to_string(at.line) + ", column " + std::to_string(at.column),
                        std::string(e.description()));
  }
}

/// The file and everything it extends, the most basic file first.
std::vector<SourceFile> load_chain(const fs::path& file) {
  std::vector<SourceFile> chain;
  std::vector<fs::path> seen;
  fs::path display = file;
  std::string text, reason;
  if (!read_text_file(display, text, reason)) throw ScenarioError(display.string(), "", "cannot open file: " + reason);
  while (true) {
    std::error_code ec;
    SourceFile source{display, fs::absolute(display, ec).lexically_normal().parent_path(), parse_toml(display, text)};
    seen.push_back(identity(display));
    std::optional<std::string> base;
    if (const toml::node* extends = source.table.get("extends")) {
      const auto* name = extends->as_string();
      if (name == nullptr) type_error(display.string(), "extends", ParamType::Path, describe(*extends));
      if (name->get().empty()) throw ScenarioError(display.string(), "extends", "must name a file, got \"\"");
      base = name->get();
    }
    chain.push_back(std::move(source));
    if (!base) break;

    const fs::path next = (display.parent_path() / fs::path(*base)).lexically_normal();
    if (std::find(seen.begin(), seen.end(), identity(next)) != seen.end()) {
      std::string names;
      for (const auto& s : chain) names += s.display.string() + " -> ";
      throw ScenarioError(display.string(), "extends", "cycle: " + names + next.string());
    }
    if (!read_text_file(next, text, reason)) {
      throw ScenarioError(display.string(), "extends",
                          "cannot open '" + *base + "' (resolved to " +
                              fs::absolute(next, ec).lexically_normal().string() + "): " + reason);
    }
    display = next;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

struct Leaf {
  const toml::node* node;
  std::size_t file;  ///< index into the chain
};

/// Every value under `table` by dotted key. Arrays are values; an empty table is kept as an
/// entry of its own so that `population.smes = {}` is still caught as a table.
void flatten(const toml::table& table, const std::string& prefix, const std::string& where,
             std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [k, node] : table) {
    const std::string_view segment = k.str();
    if (prefix.empty() && segment == "extends") continue;
    if (segment.find('.') != std::string_view::npos) {
      // A quoted key with a dot would otherwise alias a real nested key.
      throw ScenarioError(where, (prefix.empty() ? "" : prefix + ".") + toml_string(segment),
                          "unknown key; key names never contain '.'");
    }
    std::string key = prefix.empty() ? std::string(segment) : prefix + "." + std::string(segment);
    const auto* sub = node.as_table();
    if (sub != nullptr && !sub->empty()) {
      flatten(*sub, key, where, out);
    } else {
      out.emplace_back(std::move(key), &node);
    }
  }
}

/// Base first, each later file on top: tables merge key by key, anything else replaces
/// what the base had at that key, including a whole table.
std::map<std::string, Leaf, std::less<>> merge(const std::vector<SourceFile>& chain) {
  std::map<std::string, Leaf, std::less<>> merged;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    std::vector<std::pair<std::string, const toml::node*>> leaves;
    flatten(chain[i].table, "", chain[i].display.string(), leaves);
    for (auto& [key, node] : leaves) {
      for (std::string_view p = parent_of(key); !p.empty(); p = parent_of(p)) {
        auto it = merged.find(p);
        if (it != merged.end()) merged.erase(it);
      }
      const std::string below = key + ".";
      auto it = merged.lower_bound(below);
      const bool has_children = it != merged.end() && it->first.starts_with(below);
      if (node->is_table()) {
        // An empty table adds nothing to a base table of the same name.
        if (!has_children) merged.insert_or_assign(key, Leaf{node, i});
        continue;
      }
      while (it != merged.end() && it->first.starts_with(below)) it = merged.erase(it);
      merged.insert_or_assign(std::move(key), Leaf{node, i});
    }
  }
  return merged;
}


// ---------------------------------------------------------------------------------------
// Arrays of tables

void flatten_element(const toml::table& table, const std::string& prefix,
                     std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const auto* sub = node.as_table();
    if (sub != nullptr && !sub->empty())
      flatten_element(*sub, key, out);
    else
      out.emplace_back(std::move(key), &node);
  }
}

TableElement::Item item_from_node(const ParamSpec& spec, const toml::node& node, const std::string& where,
                                  const fs::path& base_dir) {
  if (spec.type == ParamType::StringList || spec.type == ParamType::IntegerList) {
    const auto* array = node.as_array();
    if (array == nullptr) type_error(where, spec.key, spec.type, describe(node));
    if (spec.type == ParamType::StringList) {
      std::vector<std::string> values;
      for (const auto& x : *array) {
        const auto* v = x.as_string();
        if (v == nullptr) type_error(where, spec.key, spec.type, "an array holding " + describe(x));
        values.push_back(v->get());
      }
      return values;
    }
    std::vector<std::int64_t> values;
    for (const auto& x : *array) {
      const auto* v = x.as_integer();
      if (v == nullptr) type_error(where, spec.key, spec.type, "an array holding " + describe(x));
      values.push_back(checked_integer(spec, where, v->get()));
    }
    return values;
  }
  return std::visit([](auto&& v) -> TableElement::Item { return v; }, from_node(spec, node, where, base_dir));
}

TableElement::Item default_item(const ParamSpec& spec) {
  if (spec.type == ParamType::StringList) return std::vector<std::string>{};
  if (spec.type == ParamType::IntegerList) return std::vector<std::int64_t>{};
  return std::visit([](auto&& v) -> TableElement::Item { return v; }, spec.default_value);
}

std::vector<TableElement> parse_array(const TableArraySpec& spec, const toml::node& node, const std::string& where,
                                      const fs::path& base_dir) {
  const auto* array = node.as_array();
  if (array == nullptr)
    throw ScenarioError(where, spec.name, "must be an array of tables, written [[" + spec.name + "]], got " + describe(node));
  std::vector<TableElement> out;
  std::set<std::string, std::less<>> ids;
  for (std::size_t i = 0; i < array->size(); ++i) {
    TableElement e;
    e.array = spec.name;
    e.index = i;
    e.origin = where;
    const auto* table = (*array)[i].as_table();
    if (table == nullptr) throw ScenarioError(where, e.key_name(), "must be a table, got " + describe((*array)[i]));
    std::vector<std::pair<std::string, const toml::node*>> leaves;
    flatten_element(*table, "", leaves);
    auto leaf = [&](std::string_view name) -> const toml::node* {
      for (const auto& [k, n] : leaves)
        if (k == name) return n;
      return nullptr;
    };
    for (const char* name : {"id", "type"}) {
      const toml::node* n = leaf(name);
      if (n == nullptr) throw ScenarioError(where, e.key_name(name), "required key is missing");
      const auto* text = n->as_string();
      if (text == nullptr) type_error(where, e.key_name(name), ParamType::String, describe(*n));
      if (text->get().empty()) throw ScenarioError(where, e.key_name(name), "must not be empty");
      (std::string_view(name) == "id" ? e.id : e.type) = text->get();
    }
    if (!ids.insert(e.id).second)
      throw ScenarioError(where, e.key_name("id"), "duplicate id '" + e.id + "'; each element needs its own");
    const Schema* type_schema = spec.find_type(e.type);
    if (type_schema == nullptr) {
      std::string rule = "unknown type '" + e.type + "'; must be one of ";
      for (std::size_t k = 0; k < spec.types.size(); ++k) rule += (k ? ", '" : "'") + spec.types[k].first + "'";
      throw ScenarioError(where, e.key_name("type"), rule);
    }
    std::vector<const ParamSpec*> declared;
    for (const auto& p : spec.common.params()) declared.push_back(&p);
    for (const auto& p : type_schema->params()) declared.push_back(&p);
    std::set<std::string, std::less<>> given;
    for (const auto& leaf_entry : leaves) {
      // A named reference, not the structured binding: clang 14 cannot capture those.
      const std::string& key = leaf_entry.first;
      const auto it = std::find_if(declared.begin(), declared.end(), [&](const ParamSpec* p) { return p->key == key; });
      if (it == declared.end()) {
        std::string best;
        std::size_t best_distance = 0;
        for (const ParamSpec* p : declared) {
          const std::size_t d = edit_distance(key, p->key);
          if (best.empty() || d < best_distance) {
            best = p->key;
            best_distance = d;
          }
        }
        std::string rule = "unknown key for type '" + e.type + "'";
        if (!best.empty() && best_distance <= std::max<std::size_t>(3, key.size() / 3)) rule += "; did you mean '" + best + "'?";
        throw ScenarioError(where, e.key_name(key), rule);
      }
      given.insert(key);
    }
    for (const ParamSpec* p : declared) {
      ParamSpec named = *p;
      named.key = e.key_name(p->key);
      const toml::node* n = leaf(p->key);
      if (n == nullptr && p->required) throw ScenarioError(where, named.key, "required key is missing");
      e.values.emplace_back(p->key, n != nullptr ? item_from_node(named, *n, where, base_dir) : default_item(*p));
    }
    if (spec.validate) spec.validate(e, where);
    out.push_back(std::move(e));
  }
  return out;
}

/// Checks one merged file value against the schema and stores it; false for an empty table.
bool apply_file_value(const Schema& schema, Scenario& scenario, const std::string& key, const Leaf& leaf,
                      const SourceFile& source) {
  const std::string where = source.display.string();
  const toml::node& node = *leaf.node;
  if (const TableArraySpec* array = schema.find_array(key)) {
    scenario.set_elements(key, parse_array(*array, node, where, source.dir));
    return true;
  }
  for (std::string_view p = parent_of(key); !p.empty(); p = parent_of(p)) {
    if (schema.find_array(p) != nullptr)
      throw ScenarioError(where, std::string(p), "must be an array of tables, written [[" + std::string(p) + "]]");
  }
  if (const ParamSpec* spec = schema.find(key)) {
    scenario.set(key, from_node(*spec, node, where, source.dir), where);
    return true;
  }
  // `population.smes.x = 1` is a table where a value belongs, not an unknown key.
  for (std::string_view p = parent_of(key); !p.empty(); p = parent_of(p)) {
    if (const ParamSpec* spec = schema.find(p)) type_error(where, spec->key, spec->type, "a table");
  }
  if (schema.is_table(key)) {
    if (node.is_table()) return false;
    throw ScenarioError(where, key, "must be a table, got " + describe(node));
  }
  throw ScenarioError(where, key, unknown_key_rule(schema, key));
}

/// Returns the key it set.
std::string apply_override(const Schema& schema, Scenario& scenario, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw ScenarioError(kSetOrigin, text, "expected KEY=VALUE");
  const std::string key = text.substr(0, eq);
  for (std::string_view p = key; !p.empty(); p = parent_of(p)) {
    const auto bracket = p.find('[');
    const std::string_view head = bracket == std::string_view::npos ? p : p.substr(0, bracket);
    if (schema.find_array(head) != nullptr)
      throw ScenarioError(kSetOrigin, key,
                          "--set cannot change arrays of tables ([[" + std::string(head) +
                              "]]); edit them in a scenario file that extends this one");
  }
  const ParamSpec* spec = schema.find(key);
  if (spec == nullptr) {
    if (schema.is_table(key)) {
      const auto& params = schema.params();
      const auto inside = std::find_if(params.begin(), params.end(),
                                       [&](const ParamSpec& p) { return p.key.starts_with(key + "."); });
      throw ScenarioError(kSetOrigin, key, "is a table; set one of its keys, e.g. '" + inside->key + "'");
    }
    throw ScenarioError(kSetOrigin, key, unknown_key_rule(schema, key));
  }
  scenario.set(key, from_text(*spec, std::string_view(text).substr(eq + 1)), kSetOrigin);
  return key;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Scenario

Scenario::Scenario(const Schema& schema, std::filesystem::path source)
    : schema_(&schema), source_(std::move(source)) {}

void Scenario::set(std::string_view key, Value value, std::string origin) {
  const ParamSpec* spec = schema_->find(key);
  CLUSTERSIM_ASSERT(spec != nullptr, "set of undeclared scenario key '" + std::string(key) + "'");
  CLUSTERSIM_ASSERT(value.index() == value_index(spec->type),
                    "scenario key '" + spec->key + "' is a " + std::string(type_name(spec->type)) +
                        ", set with another type");
  values_.insert_or_assign(spec->key, std::move(value));
  origins_.insert_or_assign(spec->key, std::move(origin));
}

void Scenario::set_elements(std::string_view array, std::vector<TableElement> elements) {
  CLUSTERSIM_ASSERT(schema_->find_array(array) != nullptr, "set of undeclared table array '" + std::string(array) + "'");
  elements_.insert_or_assign(std::string(array), std::move(elements));
}

const std::vector<TableElement>& Scenario::elements(std::string_view array) const {
  CLUSTERSIM_ASSERT(schema_->find_array(array) != nullptr, "undeclared table array '" + std::string(array) + "'");
  static const std::vector<TableElement> kNone;
  const auto it = elements_.find(array);
  return it == elements_.end() ? kNone : it->second;
}

const Value& Scenario::value(std::string_view key, ParamType expected_type) const {
  const ParamSpec* spec = schema_->find(key);
  CLUSTERSIM_ASSERT(spec != nullptr, "undeclared scenario key '" + std::string(key) + "'");
  CLUSTERSIM_ASSERT(spec->type == expected_type, "scenario key '" + spec->key + "' is a " +
                                                     std::string(type_name(spec->type)) + ", read as a " +
                                                     std::string(type_name(expected_type)));
  const auto it = values_.find(key);
  CLUSTERSIM_ASSERT(it != values_.end(), "scenario key '" + spec->key + "' has no value");
  return it->second;
}

std::int64_t Scenario::integer(std::string_view key) const {
  return std::get<std::int64_t>(value(key, ParamType::Integer));
}

double Scenario::real(std::string_view key) const { return std::get<double>(value(key, ParamType::Real)); }

bool Scenario::boolean(std::string_view key) const { return std::get<bool>(value(key, ParamType::Boolean)); }

const std::string& Scenario::string(std::string_view key) const {
  return std::get<std::string>(value(key, ParamType::String));
}

std::filesystem::path Scenario::path(std::string_view key) const {
  // Unset is a legitimate state for a path, also in a scenario built by hand.
  if (!values_.contains(key)) {
    const ParamSpec* spec = schema_->find(key);
    CLUSTERSIM_ASSERT(spec != nullptr && spec->type == ParamType::Path,
                      "scenario key '" + std::string(key) + "' is not a declared path");
    return {};
  }
  return std::filesystem::path(std::get<std::string>(value(key, ParamType::Path)));
}

const std::string& Scenario::origin(std::string_view key) const {
  CLUSTERSIM_ASSERT(schema_->find(key) != nullptr, "undeclared scenario key '" + std::string(key) + "'");
  const auto it = origins_.find(key);
  CLUSTERSIM_ASSERT(it != origins_.end(), "scenario key '" + std::string(key) + "' has no value");
  return it->second;
}

void Scenario::check_input_files() const {
  for (const auto& spec : schema_->params()) {
    if (spec.type != ParamType::Path) continue;
    const fs::path file = path(spec.key);
    if (file.empty()) continue;
    std::string reason;
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
      reason = std::system_category().message(errno);
    } else if (!S_ISREG(info.st_mode)) {
      reason = S_ISDIR(info.st_mode) ? "it is a directory" : "not a regular file";
    } else if (std::FILE* f = std::fopen(file.c_str(), "rb")) {
      std::fclose(f);
      continue;
    } else {
      reason = std::system_category().message(errno);
    }
    throw ScenarioError(origin(spec.key), spec.key, "cannot open '" + file.string() + "': " + reason);
  }
}

std::string Scenario::to_toml() const {
  // Tables in the order a reader of the schema meets them; "" is the top level.
  std::vector<std::string> tables{""};
  std::map<std::string, std::vector<const ParamSpec*>, std::less<>> keys;
  for (const auto& p : schema_->params()) {
    for (auto dot = p.key.find('.'); dot != std::string::npos; dot = p.key.find('.', dot + 1)) {
      std::string prefix = p.key.substr(0, dot);
      if (std::find(tables.begin(), tables.end(), prefix) == tables.end()) tables.push_back(std::move(prefix));
    }
    keys[std::string(parent_of(p.key))].push_back(&p);
  }

  std::string out;
  for (const auto& table : tables) {
    auto& in_table = keys[table];
    std::sort(in_table.begin(), in_table.end(),
              [](const ParamSpec* a, const ParamSpec* b) { return leaf_of(a->key) < leaf_of(b->key); });
    std::string body;
    for (const ParamSpec* p : in_table) {
      const auto it = values_.find(p->key);
      if (it == values_.end()) continue;
      const Value& v = it->second;
      if (p->type == ParamType::Path && std::get<std::string>(v).empty()) continue;
      body += toml_key(leaf_of(p->key)) + " = ";
      body += std::visit(
          [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
            if constexpr (std::is_same_v<T, double>) return toml_float(x);
            if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
            if constexpr (std::is_same_v<T, std::string>) return toml_string(x);
          },
          v);
      body += '\n';
    }
    if (body.empty()) continue;
    if (!table.empty()) out += (out.empty() ? "[" : "\n[") + toml_dotted(table) + "]\n";
    out += body;
  }
  // Arrays of tables last: after a [[name]] header every key belongs to the element.
  for (const auto& array : schema_->arrays()) {
    const auto it = elements_.find(array.name);
    if (it == elements_.end()) continue;
    for (const auto& e : it->second) {
      out += (out.empty() ? "[[" : "\n[[") + toml_dotted(array.name) + "]]\n";
      for (const auto& [key, item] : e.values) {
        out += toml_dotted(key) + " = ";
        out += std::visit(
            [](const auto& x) -> std::string {
              using T = std::decay_t<decltype(x)>;
              if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
              if constexpr (std::is_same_v<T, double>) return toml_float(x);
              if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
              if constexpr (std::is_same_v<T, std::string>) return toml_string(x);
              if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                std::string list = "[";
                for (std::size_t k = 0; k < x.size(); ++k) list += (k ? ", " : "") + toml_string(x[k]);
                return list + "]";
              }
              if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
                std::string list = "[";
                for (std::size_t k = 0; k < x.size(); ++k) list += (k ? ", " : "") + std::to_string(x[k]);
                return list + "]";
              }
            },
            item);
        out += '\n';
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Loading

Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                       const Schema& schema) {
  const std::vector<SourceFile> chain = load_chain(file);
  const auto merged = merge(chain);

  // Report problems in the order a user reads the files: base first, then by line.
  std::vector<std::pair<const std::string*, const Leaf*>> order;
  for (const auto& [key, leaf] : merged) order.emplace_back(&key, &leaf);
  auto position = [](const Leaf* l) {
    const auto& at = l->node->source().begin;
    return std::make_tuple(l->file, at.line, at.column);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](const auto& a, const auto& b) { return position(a.second) < position(b.second); });

  Scenario scenario(schema, file);
  std::set<std::string, std::less<>> given;
  for (const auto& [key, leaf] : order) {
    if (apply_file_value(schema, scenario, *key, *leaf, chain[leaf->file])) given.insert(*key);
  }
  for (const auto& text : overrides) given.insert(apply_override(schema, scenario, text));

  for (const auto& spec : schema.params()) {
    CLUSTERSIM_ASSERT(spec.type != ParamType::StringList && spec.type != ParamType::IntegerList,
                      "list key '" + spec.key + "' outside a table array");
    assert_default_valid(spec);
    if (given.count(spec.key) != 0) continue;
    if (spec.required) {
      throw ScenarioError(file.string(), spec.key,
                          "required key is missing; set it in the scenario file or with --set");
    }
    scenario.set(spec.key, spec.default_value, kDefaultOrigin);
  }
  for (const auto& rule : schema.rules()) rule(scenario);
  return scenario;
}

}  // namespace clustersim::config
