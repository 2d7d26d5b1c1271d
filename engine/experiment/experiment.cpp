#include "engine/experiment/experiment.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "engine/config/scenario.hpp"
#include "engine/config/text_file.hpp"
#include "engine/core/error.hpp"
#include "engine/experiment/design.hpp"
#include "engine/experiment/hash.hpp"
#include "engine/random/stream.hpp"

namespace clustersim::experiment {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kTopKeys = {"description", "baseline", "replicates", "seed",
                                           "set",         "variant",  "grid",       "sample"};
const std::vector<std::string> kVariantKeys = {"name", "file", "set"};
const std::vector<std::string> kSampleKeys = {"method", "size", "seed", "ranges"};

std::string nearest_of(const std::vector<std::string>& candidates, std::string_view key) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    const std::size_t d = config::edit_distance(c, key);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best_distance <= std::max<std::size_t>(2, key.size() / 3) ? best : std::string();
}

[[noreturn]] void unknown(const std::string& where, const std::string& key, const std::string& suggestion) {
  throw ScenarioError(where, key, suggestion.empty() ? "unknown key" : "unknown key; did you mean '" + suggestion + "'?");
}

void check_keys(const toml::table& table, const std::vector<std::string>& allowed, const std::string& prefix,
                const std::string& where) {
  for (const auto& [k, node] : table) {
    const std::string key(k.str());
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      unknown(where, prefix + key, nearest_of(allowed, key).empty() ? "" : prefix + nearest_of(allowed, key));
  }
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// Every leaf under `table` by dotted key (arrays are leaves), in the table's (sorted) order.
void flatten(const toml::table& table, const std::string& prefix, std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, key, out);
    } else {
      out.emplace_back(key, &node);
    }
  }
}

const config::ParamSpec& schema_key(const config::Schema& schema, const std::string& where, const std::string& section,
                                    const std::string& key) {
  const config::ParamSpec* spec = schema.find(key);
  if (spec == nullptr) {
    const std::string suggestion = schema.nearest(key);
    throw ScenarioError(where, section + key,
                        "unknown scenario key '" + key + "'" +
                            (suggestion.empty() ? std::string() : "; did you mean '" + suggestion + "'?"));
  }
  return *spec;
}

/// A delta value as --set text; Path values are made absolute against the experiment's folder.
std::string override_text(const config::ParamSpec& spec, const toml::node& node, const std::string& where,
                          const std::string& shown_key, const fs::path& base_dir) {
  if (const auto* v = node.as_integer()) return std::to_string(v->get());
  if (const auto* v = node.as_floating_point()) return shortest(v->get());
  if (const auto* v = node.as_boolean()) return v->get() ? "true" : "false";
  if (const auto* v = node.as_string()) {
    if (spec.type == config::ParamType::Path && !v->get().empty())
      return (base_dir / fs::path(v->get())).lexically_normal().string();
    return v->get();
  }
  throw ScenarioError(where, shown_key, "must be a single value (number, boolean or string), not an array or table");
}

std::vector<Override> read_overrides(const toml::node* node, const config::Schema& schema, const std::string& where,
                                     const std::string& section, const fs::path& base_dir) {
  std::vector<Override> out;
  if (node == nullptr) return out;
  const auto* table = node->as_table();
  if (table == nullptr) throw ScenarioError(where, section.substr(0, section.size() - 1), "must be a table of dotted keys");
  std::vector<std::pair<std::string, const toml::node*>> leaves;
  flatten(*table, "", leaves);
  for (const auto& [key, value] : leaves) {
    const auto& spec = schema_key(schema, where, section, key);
    out.emplace_back(key, override_text(spec, *value, where, section + key, base_dir));
  }
  return out;
}

std::int64_t positive_integer(const toml::node& node, const std::string& where, const std::string& key, std::int64_t min) {
  const auto* v = node.as_integer();
  if (v == nullptr) throw ScenarioError(where, key, "must be an integer");
  if (v->get() < min) throw ScenarioError(where, key, "must be >= " + std::to_string(min) + ", got " + std::to_string(v->get()));
  return v->get();
}

std::string toml_type_name(const toml::node& node) {
  if (node.is_string()) return "string";
  if (node.is_array()) return "array";
  if (node.is_table()) return "table";
  return "date or time";
}

/// A grid value or a range bound: a number for integer and real keys, a boolean for boolean
/// keys. A value of the other kind is refused rather than converted (`true` is not 1.0).
double design_value(const toml::node& node, config::ParamType type, const std::string& where, const std::string& key) {
  const bool boolean_key = type == config::ParamType::Boolean;
  const char* want = boolean_key ? "booleans (a boolean key)" : type == config::ParamType::Integer ? "integers (an integer key)"
                                                                                                   : "numbers (a real key)";
  auto refuse = [&](const std::string& got) {
    throw ScenarioError(where, key, std::string("values must all be ") + want + "; got " + got);
  };
  if (const auto* v = node.as_boolean()) {
    if (!boolean_key) refuse(std::string("the boolean ") + (v->get() ? "true" : "false"));
    return v->get() ? 1.0 : 0.0;
  }
  double value = 0.0;
  if (const auto* v = node.as_integer()) value = static_cast<double>(v->get());
  else if (const auto* f = node.as_floating_point()) value = f->get();
  else refuse("a " + std::string(toml_type_name(node)));
  if (boolean_key) refuse("the number " + shortest(value));
  if (type == config::ParamType::Integer && value != std::floor(value)) refuse("the number " + shortest(value));
  return value;
}

bool valid_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  });
}

/// A scenario file the experiment refers to must be readable; say which key named it.
fs::path scenario_file(const fs::path& dir, const std::string& text, const std::string& where, const std::string& key) {
  const fs::path file = (dir / fs::path(text)).lexically_normal();
  std::string content, reason;
  if (!config::read_text_file(file, content, reason))
    throw ScenarioError(where, key, "cannot open the scenario file '" + file.string() + "': " + reason);
  return file;
}

void read_variants(const toml::node& variants, const config::Schema& schema, const std::string& where,
                   const fs::path& dir, Experiment& e) {
  const auto* array = variants.as_array();
  if (array == nullptr) throw ScenarioError(where, "variant", "must be an array of tables ([[variant]])");
  std::set<std::string> names{"baseline"};
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string at = "variant[" + std::to_string(i) + "]";
    const auto* table = array->get(i)->as_table();
    if (table == nullptr) throw ScenarioError(where, at, "must be a table with name and file and/or set");
    check_keys(*table, kVariantKeys, at + ".", where);
    const auto* name = table->get_as<std::string>("name");
    if (name == nullptr) throw ScenarioError(where, at + ".name", "required: the variant's name (a string)");
    if (!valid_name(name->get()))
      throw ScenarioError(where, at + ".name", "must be letters, digits, '_', '-' or '.', got '" + name->get() + "'");
    if (!names.insert(name->get()).second)
      throw ScenarioError(where, at + ".name", "'" + name->get() + "' is used twice (\"baseline\" is reserved)");
    Variant v{name->get(), e.scenarios.front().file, {}};
    if (const auto* f = table->get("file")) {
      const auto* text = f->as_string();
      if (text == nullptr || text->get().empty()) throw ScenarioError(where, at + ".file", "must be a file path");
      v.file = scenario_file(dir, text->get(), where, at + ".file");
    }
    v.overrides = read_overrides(table->get("set"), schema, where, at + ".set.", dir);
    e.scenarios.push_back(std::move(v));
  }
}

void read_grid(const toml::node& grid, const config::Schema& schema, const std::string& where, Experiment& e,
               std::set<std::string>& swept) {
  const auto* table = grid.as_table();
  if (table == nullptr) throw ScenarioError(where, "grid", "must be a table of dotted keys to arrays of values");
  std::vector<std::pair<std::string, const toml::node*>> leaves;
  flatten(*table, "", leaves);
  for (const auto& [key, node] : leaves) {
    const std::string shown = "grid." + key;
    const auto& spec = schema_key(schema, where, "grid.", key);
    const auto* values = node->as_array();
    if (values == nullptr || values->empty()) throw ScenarioError(where, shown, "must be a non-empty array of values");
    if (spec.type != config::ParamType::Integer && spec.type != config::ParamType::Real &&
        spec.type != config::ParamType::Boolean)
      throw ScenarioError(where, shown, "only integer, real and boolean keys can be swept");
    std::vector<double> list;
    for (const auto& v : *values) {
      const double value = design_value(v, spec.type, where, shown);
      // Two equal values would make two runs of the very same scenario.
      if (std::find(list.begin(), list.end(), value) != list.end())
        throw ScenarioError(where, shown, "the value " + shortest(value) + " is listed twice; every grid value must differ");
      list.push_back(value);
    }
    e.grid.emplace_back(key, std::move(list));
    e.grid_integer.emplace_back(key, spec.type == config::ParamType::Integer);
    swept.insert(key);
  }
}

void read_sample(const toml::node& sample, const config::Schema& schema, const std::string& where, Experiment& e,
                 std::set<std::string>& swept) {
  const auto* table = sample.as_table();
  if (table == nullptr) throw ScenarioError(where, "sample", "must be a table");
  check_keys(*table, kSampleKeys, "sample.", where);
  const auto* method = table->get_as<std::string>("method");
  if (method == nullptr) throw ScenarioError(where, "sample.method", "required: latin_hypercube, sobol or saltelli");
  if (method->get() == "latin_hypercube") e.method = SampleMethod::LatinHypercube;
  else if (method->get() == "sobol") e.method = SampleMethod::Sobol;
  else if (method->get() == "saltelli") e.method = SampleMethod::Saltelli;
  else throw ScenarioError(where, "sample.method", "must be one of 'latin_hypercube', 'sobol', 'saltelli'; got '" + method->get() + "'");
  const auto* size = table->get("size");
  if (size == nullptr) throw ScenarioError(where, "sample.size", "required: the number of sample points");
  e.sample_size = static_cast<std::size_t>(positive_integer(*size, where, "sample.size", 1));
  if (const auto* s = table->get("seed")) e.sample_seed = static_cast<std::uint64_t>(positive_integer(*s, where, "sample.seed", 0));
  const auto* ranges = table->get_as<toml::table>("ranges");
  if (ranges == nullptr || ranges->empty())
    throw ScenarioError(where, "sample.ranges", "required: a table of dotted keys to [low, high]");
  std::vector<std::pair<std::string, const toml::node*>> leaves;
  flatten(*ranges, "", leaves);
  for (const auto& [key, node] : leaves) {
    const std::string shown = "sample.ranges." + key;
    const auto& spec = schema_key(schema, where, "sample.ranges.", key);
    if (spec.type != config::ParamType::Integer && spec.type != config::ParamType::Real)
      throw ScenarioError(where, shown, "only integer and real keys can be sampled");
    const auto* pair = node->as_array();
    if (pair == nullptr || pair->size() != 2) throw ScenarioError(where, shown, "must be [low, high]");
    SampleRange r{key, design_value(*pair->get(0), spec.type, where, shown),
                  design_value(*pair->get(1), spec.type, where, shown), spec.type == config::ParamType::Integer};
    if (!(r.low < r.high)) throw ScenarioError(where, shown, "low must be < high");
    if (!swept.insert(key).second) throw ScenarioError(where, shown, "is also in [grid]; sweep a key one way only");
    e.ranges.push_back(r);
  }
}

}  // namespace

Experiment load_experiment(const fs::path& file, const config::Schema& schema) {
  Experiment e;
  e.file = file;
  const std::string where = file.string();
  std::string reason;
  if (!config::read_text_file(file, e.text, reason)) throw ScenarioError(where, "", "cannot open file: " + reason);
  e.sha = sha1_hex(e.text);
  // As for scenario files: toml++ must never see invalid UTF-8, control characters or the
  // inputs on which it reaches undefined behaviour.
  config::check_toml_text(e.text, where);
  toml::table root;
  try {
    root = toml::parse(e.text, where);
  } catch (const toml::parse_error& err) {
    const auto& at = err.source().begin;
    throw ScenarioError(where, "line " + std::to_string(at.line) + ", column " + std::to_string(at.column),
                        std::string(err.description()));
  }
  std::error_code ec;
  const fs::path dir = fs::absolute(file, ec).lexically_normal().parent_path();
  check_keys(root, kTopKeys, "", where);

  const auto* baseline = root.get_as<std::string>("baseline");
  if (baseline == nullptr) throw ScenarioError(where, "baseline", "required: the baseline scenario file (a string)");
  if (const auto* r = root.get("replicates")) e.replicates = static_cast<std::size_t>(positive_integer(*r, where, "replicates", 1));
  if (const auto* s = root.get("seed")) e.seed = positive_integer(*s, where, "seed", 0);
  if (const auto* d = root.get("description"); d != nullptr && !d->is_string())
    throw ScenarioError(where, "description", "must be a string");
  e.common = read_overrides(root.get("set"), schema, where, "set.", dir);
  e.scenarios.push_back({"baseline", scenario_file(dir, baseline->get(), where, "baseline"), {}});
  if (const auto* variants = root.get("variant")) read_variants(*variants, schema, where, dir, e);
  std::set<std::string> swept;
  if (const auto* grid = root.get("grid")) read_grid(*grid, schema, where, e, swept);
  if (const auto* sample = root.get("sample")) read_sample(*sample, schema, where, e, swept);
  return e;
}

namespace {

/// Design points: the grid's cartesian product (last key fastest), crossed with the sample.
std::vector<std::vector<double>> design_points(const Experiment& e) {
  std::vector<std::vector<double>> grid_points{{}};
  for (const auto& [key, values] : e.grid) {
    std::vector<std::vector<double>> next;
    for (const auto& p : grid_points)
      for (double v : values) {
        auto q = p;
        q.push_back(v);
        next.push_back(std::move(q));
      }
    grid_points = std::move(next);
  }
  if (!e.method) return grid_points;
  const std::size_t d = e.ranges.size();
  Points unit;
  switch (*e.method) {
    case SampleMethod::LatinHypercube: unit = latin_hypercube(e.sample_size, d, e.sample_seed); break;
    case SampleMethod::Sobol: unit = sobol(e.sample_size, d); break;
    case SampleMethod::Saltelli: unit = saltelli(e.sample_size, d); break;
  }
  std::vector<std::vector<double>> points;
  for (const auto& g : grid_points)
    for (const auto& u : unit) {
      auto p = g;
      for (std::size_t k = 0; k < d; ++k) {
        const auto& r = e.ranges[k];
        p.push_back(r.integer ? std::min(r.high, r.low + std::floor(u[k] * (r.high - r.low + 1.0)))
                              : r.low + u[k] * (r.high - r.low));
      }
      points.push_back(std::move(p));
    }
  return points;
}

std::string value_text(double v, bool integer) {
  return integer ? std::to_string(static_cast<std::int64_t>(std::llround(v))) : shortest(v);
}

/// Where an override came from, for messages: a file (or "--set") and the key as shown there.
struct Origin {
  std::string where, key;
};

/// The overrides of one (scenario, design point), in the order they apply: the experiment's
/// [set], the variant's delta, the design point, replicates and seed, then `sweep --set`.
struct Overrides {
  std::vector<std::string> text;  ///< KEY=VALUE, as load_scenario takes them
  std::vector<Origin> origin;
  void add(const std::string& key, const std::string& value, Origin from) {
    text.push_back(key + "=" + value);
    origin.push_back(std::move(from));
  }
};

Overrides overrides_of(const Experiment& e, const Variant& variant, const std::vector<std::string>& swept_keys,
                       const std::vector<bool>& integer, const std::vector<double>& point, const config::Schema& schema) {
  const std::string file = e.file.string();
  Overrides o;
  for (const auto& [k, v] : e.common) o.add(k, v, {file, "set." + k});
  for (const auto& [k, v] : variant.overrides) o.add(k, v, {file, "variant '" + variant.name + "'.set." + k});
  for (std::size_t k = 0; k < point.size(); ++k) {
    // A Boolean swept key takes 0/1 in the design.
    const auto* spec = schema.find(swept_keys[k]);
    const std::string text = spec->type == config::ParamType::Boolean ? (point[k] != 0.0 ? "true" : "false")
                                                                      : value_text(point[k], integer[k]);
    o.add(swept_keys[k], text, {file, (k < e.grid.size() ? "grid." : "sample.ranges.") + swept_keys[k]});
  }
  o.add("run.replicates", std::to_string(e.replicates),
        e.replicates_from_command_line ? Origin{"--replicates", "run.replicates"} : Origin{file, "replicates"});
  if (e.seed) o.add("run.seed", std::to_string(*e.seed), {file, "seed"});
  for (const auto& set : e.command_line_sets) {
    const auto eq = set.find('=');
    o.text.push_back(set);
    o.origin.push_back({"--set", eq == std::string::npos ? set : set.substr(0, eq)});
  }
  return o;
}

/// An error in an override's value (load_scenario reports it as "--set") rethrown against
/// the place the value came from. The same key may come from several places (the [set] and
/// the variant): blame the one whose value the rule quotes ("got -5"), else the first.
[[noreturn]] void blame(const ScenarioError& err, const Overrides& o) {
  std::optional<Origin> from;
  for (std::size_t i = 0; i < o.text.size(); ++i) {
    if (!o.text[i].starts_with(err.key() + "=")) continue;
    const std::string value = o.text[i].substr(err.key().size() + 1);
    const bool quoted = err.rule().ends_with("got " + value) || err.rule().find("'" + value + "'") != std::string::npos;
    if (!from || quoted) from = o.origin[i];
    if (quoted) break;
  }
  if (!from) throw err;
  throw ScenarioError(from->where, from->key, err.rule());
}

std::string point_text(const std::vector<std::string>& keys, const std::vector<double>& point) {
  std::string text;
  for (std::size_t k = 0; k < point.size(); ++k) text += (k ? ", " : "") + keys[k] + " = " + shortest(point[k]);
  return text.empty() ? text : " (at " + text + ")";
}

/// Two (scenario, design point) pairs resolved to the same scenario: say which part of the
/// experiment made them equal. `a` and `b` are (variant index, design point index).
[[noreturn]] void duplicate(const Experiment& e, const Plan& plan, std::pair<std::size_t, std::size_t> a,
                            std::pair<std::size_t, std::size_t> b, const std::vector<double>& point) {
  const std::string file = e.file.string();
  const std::string at = point_text(plan.swept_keys, point);
  if (a.first != b.first)
    throw ScenarioError(file, "variant '" + e.scenarios[b.first].name + "'",
                        "resolves to the same scenario as '" + e.scenarios[a.first].name + "'" + at +
                            "; every scenario must differ");
  // Grid values are distinct (read_grid), so equal points come from the sample.
  throw ScenarioError(file, "sample",
                      fmt::format("design points {} and {} (counting from 1) give the same scenario{}; integer "
                                  "ranges round several points to the same values: use fewer points or wider ranges",
                                  a.second + 1, b.second + 1, at));
}

}  // namespace

void apply_command_line(Experiment& e, const std::vector<std::string>& sets, std::optional<std::size_t> replicates) {
  if (replicates) {
    if (*replicates < 1) throw ScenarioError("--replicates", "run.replicates", "must be >= 1, got 0");
    e.replicates = *replicates;
    e.replicates_from_command_line = true;
  }
  for (const auto& set : sets) {
    const std::string key = set.substr(0, set.find('='));
    if (key == "run.replicates")
      throw ScenarioError("--set", key, "set the replicates of a sweep with --replicates N (it sets run.replicates)");
    for (const auto& [k, values] : e.grid)
      if (k == key) throw ScenarioError("--set", key, "is swept by grid." + key + " in " + e.file.string() + "; it cannot also be set");
    for (const auto& r : e.ranges)
      if (r.key == key)
        throw ScenarioError("--set", key, "is swept by sample.ranges." + key + " in " + e.file.string() + "; it cannot also be set");
  }
  e.command_line_sets.insert(e.command_line_sets.end(), sets.begin(), sets.end());
}

DesignSize design_size(const Experiment& e) {
  DesignSize size;
  size.scenarios = static_cast<double>(e.scenarios.size());
  for (const auto& [key, values] : e.grid) size.grid_points *= static_cast<double>(values.size());
  if (e.method) {
    const double n = static_cast<double>(e.sample_size), d = static_cast<double>(e.ranges.size());
    size.sample_points = *e.method == SampleMethod::Saltelli ? n * (d + 2.0) : n;
  }
  size.replicates = static_cast<double>(e.replicates);
  return size;
}

void check_design_size(const Experiment& e) {
  const DesignSize s = design_size(e);
  const double points = s.grid_points * s.sample_points, scenarios = s.scenarios * points, runs = scenarios * s.replicates;
  if (scenarios <= kMaxScenarios && runs <= kMaxRuns) return;
  const std::string file = e.file.string();
  const std::string sizes = fmt::format("{} scenario(s) x {:.3g} grid point(s) x {:.3g} sample point(s) x {:.3g} "
                                        "replicate(s) = {:.3g} runs ({:.3g} distinct scenarios)",
                                        s.scenarios, s.grid_points, s.sample_points, s.replicates, runs, scenarios);
  const std::string limit = fmt::format("; the limit is {:.0e} runs and {:.0e} distinct scenarios (the plan holds "
                                        "every run, and the text of every scenario, in memory)",
                                        kMaxRuns, kMaxScenarios);
  // Blame the factor that alone is furthest over the limit.
  if (s.grid_points >= s.sample_points && s.grid_points >= s.replicates && s.grid_points > 1)
    throw ScenarioError(file, "grid", "the grid's value counts multiply to " + fmt::format("{:.3g}", s.grid_points) +
                                          " design points: " + sizes + limit);
  if (s.sample_points >= s.replicates && s.sample_points > 1)
    throw ScenarioError(file, "sample.size", fmt::format("{:.3g} sample points: ", s.sample_points) + sizes + limit);
  throw ScenarioError(e.replicates_from_command_line ? "--replicates" : file, "replicates", sizes + limit);
}

Plan make_plan(const Experiment& e, const config::Schema& schema, const AgentStepEstimate& agent_steps) {
  check_design_size(e);
  Plan plan;
  std::vector<bool> integer;
  for (const auto& [key, values] : e.grid) plan.swept_keys.push_back(key);
  for (const auto& [key, is_int] : e.grid_integer) integer.push_back(is_int);
  for (const auto& r : e.ranges) {
    plan.swept_keys.push_back(r.key);
    integer.push_back(r.integer);
  }
  const auto points = design_points(e);
  // scenario file -> (variant, design point) that first resolved to it
  std::map<std::string, std::pair<std::size_t, std::size_t>> seen;
  for (std::size_t v = 0; v < e.scenarios.size(); ++v) {
    const Variant& variant = e.scenarios[v];
    for (std::size_t p = 0; p < points.size(); ++p) {
      const auto& point = points[p];
      const Overrides overrides = overrides_of(e, variant, plan.swept_keys, integer, point, schema);
      std::string toml;
      std::int64_t master_seed = 0;
      try {
        const auto scenario = config::load_scenario(variant.file, overrides.text, schema);
        // A missing data file (population.regions_file) is reported now, against the key of
        // the experiment or scenario file that named it, not by every run of the sweep.
        scenario.check_input_files();
        toml = scenario.to_toml();
        master_seed = scenario.integer("run.seed");
        if (agent_steps) plan.scenario_agent_steps.push_back(agent_steps(scenario));
      } catch (const ScenarioError& err) {
        if (err.where() != "--set") throw;
        blame(err, overrides);
      }
      const std::string scenario_file = "scenarios/" + hex16(fnv1a64(toml)) + ".toml";
      const auto [first, fresh] = seen.try_emplace(scenario_file, v, p);
      if (!fresh) duplicate(e, plan, first->second, {v, p}, point);
      plan.scenario_files.emplace_back(scenario_file, toml);
      std::vector<double> swept(point.size());
      for (std::size_t k = 0; k < point.size(); ++k)
        swept[k] = integer[k] ? static_cast<double>(std::llround(point[k])) : point[k];
      for (std::size_t r = 0; r < e.replicates; ++r) {
        PlannedRun run;
        run.index = plan.runs.size();
        run.run_id = run_id(toml, r);
        run.scenario = variant.name;
        run.replicate = r;
        run.seed = static_cast<std::int64_t>(random::replicate_seed(static_cast<std::uint64_t>(master_seed), r));
        run.scenario_file = scenario_file;
        run.swept = swept;
        plan.runs.push_back(std::move(run));
      }
    }
  }
  return plan;
}

}  // namespace clustersim::experiment
