#pragma once
// A scenario is the fully resolved, validated set of parameter values for one run: the
// file, everything it `extends`, the schema's defaults and the command line's --set
// overrides, merged in that order. Model code reads typed values from it and never
// touches TOML or files; this module is the only one that knows TOML.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/schema.hpp"

namespace clustersim::config {

class Scenario {
 public:
  std::int64_t integer(std::string_view key) const;
  double real(std::string_view key) const;
  bool boolean(std::string_view key) const;
  const std::string& string(std::string_view key) const;
  /// A Path parameter: absolute, or empty when the key was left unset.
  std::filesystem::path path(std::string_view key) const;
  /// Where the value came from: a file path, "--set" or "default". For error messages.
  const std::string& origin(std::string_view key) const;

  /// Every declared key with its resolved value, as a TOML document (tables in schema
  /// order, keys alphabetical). Reloading this text reproduces the same scenario.
  std::string to_toml() const;
  /// Throws ScenarioError(file that set the key, key, "cannot open ...: reason") for the
  /// first Path key whose file is not a readable regular file. Called by `run` before
  /// anything is built (not by `check`, which validates without touching data files).
  void check_input_files() const;
  /// The top-level file this scenario was loaded from.
  const std::filesystem::path& source() const { return source_; }

  // Construction is the loader's business; tests may build one from a schema alone.
  Scenario(const Schema& schema, std::filesystem::path source);
  void set(std::string_view key, Value value, std::string origin);
  /// The elements of a declared table array (empty when no file set it).
  const std::vector<TableElement>& elements(std::string_view array) const;
  void set_elements(std::string_view array, std::vector<TableElement> elements);

 private:
  const Value& value(std::string_view key, ParamType expected) const;
  const Schema* schema_;
  std::filesystem::path source_;
  std::map<std::string, Value, std::less<>> values_;
  std::map<std::string, std::string, std::less<>> origins_;
  std::map<std::string, std::vector<TableElement>, std::less<>> elements_;
};

/// Loads `file`, following `extends` (relative to the including file; a cycle is an
/// error), deep-merging tables (scalars and arrays replace), then applies each
/// "dotted.key=value" override in order, then fills defaults and validates every key
/// against `schema`. Throws ScenarioError naming the file (or "--set"), the key and the rule.
Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                       const Schema& schema);

}  // namespace clustersim::config
