#include "engine/config/scenario.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "engine/config/text_file.hpp"
#include "engine/core/error.hpp"

using namespace clustersim;
using namespace clustersim::config;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(CLUSTERSIM_SOURCE_DIR) / "tests/engine/config/data";

Schema test_schema() {
  Schema s;
  s.string("title", "untitled");
  s.integer("run.steps", 40).range(1, 10000).units("quarters");
  s.integer("run.seed", 1).at_least(0).required();
  s.boolean("run.verbose", false);
  s.integer("population.smes", 100).at_least(1);
  s.real("population.share_exporting", 0.25).range(0, 1);
  s.real("population.churn_rate", 0.05).at_most(1);
  s.string("policy.mechanism", "region").choices({"region", "cluster", "sector"});
  s.real("policy.budget_eur", 1e6).at_least(0).units("EUR");
  s.path("output.dir");
  s.path("output.data");
  s.real("model.growth.rate", 0.02).range(-1, 1);
  s.boolean("model.growth.enabled", true);
  s.string("model.name", "cluster");
  return s;
}

/// A fresh directory per test case, removed afterwards; the pid keeps parallel ctest runs apart.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("clustersim-config-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  fs::path path_;
};

/// Relative paths on the command line mean relative to where the user stands.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& dir) : previous_(fs::current_path()) { fs::current_path(dir); }
  ~WorkingDirectory() { fs::current_path(previous_); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path previous_;
};

Scenario load(const fs::path& file, const std::vector<std::string>& overrides = {}) {
  static const Schema schema = test_schema();
  return load_scenario(file, overrides, schema);
}

/// Loads a one-file scenario. run.seed is required, so it is supplied (first, so that any
/// other --set still has the last word) unless the text sets it.
Scenario load_text(const TempDir& dir, const std::string& text, std::vector<std::string> overrides = {}) {
  if (text.find("seed") == std::string::npos) overrides.insert(overrides.begin(), "run.seed=1");
  return load(dir.write("s.toml", text), overrides);
}

std::string message_of(const TempDir& dir, const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    load_text(dir, text, overrides);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("A three-file extends chain merges tables deeply", "[unit]") {
  const fs::path chain = kData / "chain";
  const Scenario s = load(chain / "top.toml");

  CHECK(s.source() == chain / "top.toml");
  CHECK(s.string("title") == "Base case");
  CHECK(s.integer("run.steps") == 80);
  CHECK(s.integer("run.seed") == 7);
  CHECK(s.boolean("run.verbose"));
  CHECK(s.integer("population.smes") == 500);
  CHECK(s.real("population.share_exporting") == 0.4);
  CHECK(s.string("policy.mechanism") == "cluster");
  CHECK(s.real("policy.budget_eur") == 2500000.0);
  CHECK(s.real("model.growth.rate") == 0.03);
  CHECK(s.boolean("model.growth.enabled"));
  CHECK(s.string("model.name") == "cluster");
  CHECK(s.real("population.churn_rate") == 0.05);
  // Each path is relative to the file that set it.
  CHECK(s.path("output.dir") == chain / "out");
  CHECK(s.path("output.data") == chain / "mid/firms.csv");
}

TEST_CASE("origin names the file that set each key last", "[unit]") {
  const fs::path chain = kData / "chain";
  const Scenario s = load(chain / "top.toml", {"run.seed=11"});
  CHECK(s.origin("population.smes") == (chain / "top.toml").string());
  CHECK(s.origin("output.dir") == (chain / "top.toml").string());
  CHECK(s.origin("run.steps") == (chain / "mid/mid.toml").string());
  CHECK(s.origin("population.share_exporting") == (chain / "mid/mid.toml").string());
  CHECK(s.origin("title") == (chain / "base.toml").string());
  CHECK(s.origin("model.growth.rate") == (chain / "base.toml").string());
  CHECK(s.origin("run.seed") == "--set");
  CHECK(s.origin("model.name") == "default");
}

TEST_CASE("Arrays and values replace whole and a value may replace a table", "[unit]") {
  TempDir dir("replace");
  // Neither the array nor the table in base.toml would validate; the derived file must
  // replace them wholesale rather than merge into them.
  dir.write("base.toml",
            "title = [\"a\", \"b\"]\n"
            "[run]\nseed = 3\n"
            "[population.smes]\nlow = 1\nhigh = 2\n");
  const fs::path top = dir.write("top.toml",
                                 "extends = \"base.toml\"\n"
                                 "title = \"replaced\"\n"
                                 "[population]\nsmes = 9\n");
  const Scenario s = load(top);
  CHECK(s.string("title") == "replaced");
  CHECK(s.integer("population.smes") == 9);
  CHECK(s.integer("run.seed") == 3);

  // An empty table adds nothing and must not wipe the base's table.
  const fs::path empty = dir.write("empty.toml", "extends = \"top.toml\"\n[population]\n[model.growth]\n");
  CHECK(load(empty).integer("population.smes") == 9);
}

TEST_CASE("An extends cycle names the chain", "[unit]") {
  const fs::path a = kData / "cycle_a.toml";
  const fs::path b = kData / "cycle_b.toml";
  CHECK_THROWS_WITH(load(a), b.string() + ": extends: cycle: " + a.string() + " -> " + b.string() + " -> " +
                                 a.string());

  const fs::path self = kData / "self_cycle.toml";
  CHECK_THROWS_WITH(load(self), self.string() + ": extends: cycle: " + self.string() + " -> " + self.string());
}

TEST_CASE("A missing scenario file or extends target is reported", "[unit]") {
  const fs::path missing = kData / "no_such_scenario.toml";
  CHECK_THROWS_WITH(load(missing), missing.string() + ": cannot open file: No such file or directory");

  const fs::path file = kData / "missing_extends.toml";
  CHECK_THROWS_WITH(load(file), file.string() + ": extends: cannot open 'no_such_base.toml' (resolved to " +
                                    (kData / "no_such_base.toml").string() + "): No such file or directory");

  TempDir dir("extends-type");
  CHECK(message_of(dir, "extends = 5") ==
        (dir.path() / "s.toml").string() + ": extends: must be a file path (a string), got 5 (integer)");
}

TEST_CASE("A TOML syntax error names line and column", "[unit]") {
  const fs::path file = kData / "syntax_error.toml";
  try {
    load(file);
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(e.where() == file.string());
    CHECK(e.key() == "line 6, column 8");
    CHECK_FALSE(e.rule().empty());
  }

  // A syntax error in a base file names the base file.
  TempDir dir("syntax-base");
  dir.write("base.toml", "[run\n");
  try {
    load(dir.write("top.toml", "extends = \"base.toml\"\n"));
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(e.where() == (dir.path() / "base.toml").string());
    CHECK(e.key().starts_with("line 1, column "));
  }
}

TEST_CASE("Messages name the file as the user spelled it", "[unit]") {
  TempDir dir("relative");
  dir.write("scenarios/x.toml", "[run]\nseed = 1\n[population]\nsmes = -5\n");
  const WorkingDirectory cwd(dir.path());
  CHECK_THROWS_WITH(load("scenarios/x.toml"), "scenarios/x.toml: population.smes: must be >= 1, got -5");
}

TEST_CASE("An unknown key suggests the nearest declared key", "[unit]") {
  TempDir dir("unknown");
  const std::string file = (dir.path() / "s.toml").string();
  CHECK(message_of(dir, "[population]\nsmess = 5") ==
        file + ": population.smess: unknown key; did you mean 'population.smes'?");
  CHECK(message_of(dir, "[populaton]\nsmes = 5") ==
        file + ": populaton.smes: unknown key; did you mean 'population.smes'?");
  CHECK(message_of(dir, "[outptu]\nbogus = 5") == file + ": outptu.bogus: unknown key; did you mean 'output'?");
  CHECK(message_of(dir, "steps = 5") == file + ": steps: unknown key; did you mean 'run.steps'?");
  CHECK(message_of(dir, "\"population.smes\" = 5") ==
        file + ": \"population.smes\": unknown key; key names never contain '.'");
  // Inside a table the dot between the table and the quoted key was missing.
  CHECK(message_of(dir, "[population]\n\"a.b\" = 5") ==
        file + ": population.\"a.b\": unknown key; key names never contain '.'");

  // An unknown key in a base file names the base file.
  dir.write("base.toml", "[run]\nseed = 1\nstesp = 3\n");
  CHECK_THROWS_WITH(load(dir.write("top.toml", "extends = \"base.toml\"\n")),
                    (dir.path() / "base.toml").string() + ": run.stesp: unknown key; did you mean 'run.steps'?");
}

TEST_CASE("A value of the wrong type is rejected", "[unit]") {
  TempDir dir("types");
  const std::string file = (dir.path() / "s.toml").string();
  CHECK(message_of(dir, "[population]\nsmes = 2.5") == file + ": population.smes: must be an integer, got 2.5 (float)");
  CHECK(message_of(dir, "[population]\nsmes = \"ten\"") ==
        file + ": population.smes: must be an integer, got \"ten\" (string)");
  CHECK(message_of(dir, "[population]\nsmes = 5.0") == file + ": population.smes: must be an integer, got 5.0 (float)");
  CHECK(message_of(dir, "[population]\nshare_exporting = \"half\"") ==
        file + ": population.share_exporting: must be a number, got \"half\" (string)");
  CHECK(message_of(dir, "[run]\nverbose = 1") == file + ": run.verbose: must be true or false, got 1 (integer)");
  CHECK(message_of(dir, "title = 3") == file + ": title: must be a string, got 3 (integer)");
  CHECK(message_of(dir, "[output]\ndir = false") ==
        file + ": output.dir: must be a file path (a string), got false (boolean)");
  CHECK(message_of(dir, "[population]\nsmes = [1, 2]") == file + ": population.smes: must be an integer, got an array");
  CHECK(message_of(dir, "[population]\nsmes = 1979-05-27") ==
        file + ": population.smes: must be an integer, got 1979-05-27 (date)");
  // Tables where values belong, and the other way round.
  CHECK(message_of(dir, "[population.smes]\nlow = 1") == file + ": population.smes: must be an integer, got a table");
  CHECK(message_of(dir, "[population]\nsmes = {}") == file + ": population.smes: must be an integer, got a table");
  CHECK(message_of(dir, "population = 5") == file + ": population: must be a table, got 5 (integer)");
  // Real accepts an integer literal.
  TempDir ok("types-ok");
  CHECK(load_text(ok, "[population]\nshare_exporting = 1").real("population.share_exporting") == 1.0);
}

TEST_CASE("A value out of range is rejected", "[unit]") {
  TempDir dir("range");
  const std::string file = (dir.path() / "s.toml").string();
  CHECK(message_of(dir, "[population]\nsmes = -5") == file + ": population.smes: must be >= 1, got -5");
  CHECK(message_of(dir, "[run]\nsteps = 0") == file + ": run.steps: must be between 1 and 10000, got 0");
  CHECK(message_of(dir, "[run]\nsteps = 10001") == file + ": run.steps: must be between 1 and 10000, got 10001");
  CHECK(message_of(dir, "[population]\nshare_exporting = 1.5") ==
        file + ": population.share_exporting: must be between 0 and 1, got 1.5");
  CHECK(message_of(dir, "[population]\nshare_exporting = -0.5") ==
        file + ": population.share_exporting: must be between 0 and 1, got -0.5");
  CHECK(message_of(dir, "[population]\nchurn_rate = 1.5") == file + ": population.churn_rate: must be <= 1, got 1.5");
  // A money key always has an upper bound (the project-wide cap), so its rule reads "between".
  CHECK(message_of(dir, "[policy]\nbudget_eur = -1") == file + ": policy.budget_eur: must be between 0 and 10000000000, got -1");
  // Not-a-number compares false with every bound, so it is refused on its own.
  CHECK(message_of(dir, "[model.growth]\nrate = nan") == file + ": model.growth.rate: must be a finite number, got nan");
  CHECK(message_of(dir, "[policy]\nbudget_eur = inf") == file + ": policy.budget_eur: must be a finite number, got inf");

  // Bounds are inclusive.
  TempDir ok("range-ok");
  const Scenario s = load_text(ok, "[run]\nsteps = 10000\n[population]\nsmes = 1\nshare_exporting = 0.0");
  CHECK(s.integer("run.steps") == 10000);
  CHECK(s.integer("population.smes") == 1);
}

TEST_CASE("A string outside its choices is rejected", "[unit]") {
  TempDir dir("choices");
  CHECK(message_of(dir, "[policy]\nmechanism = \"x\"") ==
        (dir.path() / "s.toml").string() +
            ": policy.mechanism: must be one of 'region', 'cluster', 'sector'; got 'x'");
  CHECK_THROWS_WITH(load_text(dir, "", {"policy.mechanism=Region"}),
                    "--set: policy.mechanism: must be one of 'region', 'cluster', 'sector'; got 'Region'");
}

TEST_CASE("A required key nobody set is reported against the top-level file", "[unit]") {
  TempDir dir("required");
  dir.write("base.toml", "title = \"no seed here\"\n");
  const fs::path top = dir.write("top.toml", "extends = \"base.toml\"\n");
  CHECK_THROWS_WITH(load(top),
                    top.string() + ": run.seed: required key is missing; set it in the scenario file or with --set");
  CHECK(load(top, {"run.seed=4"}).integer("run.seed") == 4);
}

TEST_CASE("Overrides with --set parse each type", "[unit]") {
  TempDir dir("set-types");
  const Scenario s = load_text(dir, "[run]\nseed = 1\nsteps = 5",
                               {"run.steps=12", "run.steps=13", "population.share_exporting=0.5",
                                "policy.budget_eur=1e6", "population.churn_rate=1", "run.verbose=true",
                                "model.growth.enabled=false", "title=\"quoted title\"", "model.name=a=b",
                                "policy.mechanism=sector"});
  CHECK(s.integer("run.steps") == 13);  // later overrides win
  CHECK(s.real("population.share_exporting") == 0.5);
  CHECK(s.real("policy.budget_eur") == 1e6);
  CHECK(s.real("population.churn_rate") == 1.0);
  CHECK(s.boolean("run.verbose"));
  CHECK_FALSE(s.boolean("model.growth.enabled"));
  CHECK(s.string("title") == "quoted title");
  CHECK(s.string("model.name") == "a=b");  // split at the first '=' only
  CHECK(s.string("policy.mechanism") == "sector");
  CHECK(s.origin("run.steps") == "--set");
}

TEST_CASE("Overrides with --set reject malformed text and bad values", "[unit]") {
  TempDir dir("set-errors");
  auto set_error = [&](const std::string& text) { return message_of(dir, "", {text}); };
  CHECK(set_error("run.steps") == "--set: run.steps: expected KEY=VALUE");
  CHECK(set_error("=5") == "--set: =5: expected KEY=VALUE");
  CHECK(set_error("run.stesp=5") == "--set: run.stesp: unknown key; did you mean 'run.steps'?");
  CHECK(set_error("populaton.smes=5") == "--set: populaton.smes: unknown key; did you mean 'population.smes'?");
  CHECK(set_error("run=5") == "--set: run: is a table; set one of its keys, e.g. 'run.steps'");
  CHECK(set_error("run.steps=5x") == "--set: run.steps: must be an integer, got \"5x\"");
  CHECK(set_error("run.steps=2.5") == "--set: run.steps: must be an integer, got \"2.5\"");
  CHECK(set_error("run.steps=") == "--set: run.steps: must be an integer, got \"\"");
  CHECK(set_error("run.steps=99999999999999999999") ==
        "--set: run.steps: must be an integer, got \"99999999999999999999\"");
  CHECK(set_error("run.steps=0") == "--set: run.steps: must be between 1 and 10000, got 0");
  CHECK(set_error("population.smes=-5") == "--set: population.smes: must be >= 1, got -5");
  CHECK(set_error("population.share_exporting=0.5x") ==
        "--set: population.share_exporting: must be a number, got \"0.5x\"");
  CHECK(set_error("population.share_exporting=1.5") ==
        "--set: population.share_exporting: must be between 0 and 1, got 1.5");
  CHECK(set_error("population.churn_rate=2") == "--set: population.churn_rate: must be <= 1, got 2");
  CHECK(set_error("policy.budget_eur=inf") == "--set: policy.budget_eur: must be a finite number, got inf");
  CHECK(set_error("policy.budget_eur=1e400") == "--set: policy.budget_eur: must be a finite number, got 1e400");
  CHECK(set_error("run.verbose=yes") == "--set: run.verbose: must be true or false, got \"yes\"");
  CHECK(set_error("run.verbose=1") == "--set: run.verbose: must be true or false, got \"1\"");
}

TEST_CASE("Paths resolve against the file that set them and --set against the cwd", "[unit]") {
  TempDir dir("paths");
  dir.write("base/base.toml", "[run]\nseed = 1\n[output]\ndir = \"../results/\"\ndata = \"inputs/firms.csv\"\n");
  const fs::path top = dir.write("top.toml", "extends = \"base/base.toml\"\n");
  const Scenario s = load(top);
  CHECK(s.path("output.dir") == dir.path() / "results/");
  CHECK(s.path("output.dir").is_absolute());
  CHECK(s.path("output.data") == dir.path() / "base/inputs/firms.csv");

  {
    const WorkingDirectory cwd(dir.path() / "base");
    const Scenario set = load(top, {"output.data=../elsewhere/./f.csv"});
    // getcwd() resolves symlinks, so compare resolved paths.
    CHECK(fs::weakly_canonical(set.path("output.data")) == fs::weakly_canonical(dir.path() / "elsewhere/f.csv"));
    CHECK(set.path("output.data").lexically_normal() == set.path("output.data"));
  }
  CHECK(load(top, {"output.data=/abs/f.csv"}).path("output.data") == fs::path("/abs/f.csv"));

  // An unset optional path stays empty; an empty string clears a base's path.
  TempDir other("paths-unset");
  CHECK(load_text(other, "").path("output.dir").empty());
  CHECK(load(top, {"output.dir="}).path("output.dir").empty());
  const fs::path cleared = dir.write("cleared.toml", "extends = \"top.toml\"\n[output]\ndata = \"\"\n");
  CHECK(load(cleared).path("output.data").empty());
}

TEST_CASE("to_toml lists every key in schema table order", "[unit]") {
  const fs::path chain = kData / "chain";
  const Scenario s = load(chain / "top.toml");
  CHECK(s.to_toml() ==
        "title = \"Base case\"\n"
        "\n[run]\nseed = 7\nsteps = 80\nverbose = true\n"
        "\n[population]\nchurn_rate = 0.05\nshare_exporting = 0.4\nsmes = 500\n"
        "\n[policy]\nbudget_eur = 2500000.0\nmechanism = \"cluster\"\n"
        "\n[output]\ndata = \"" + (chain / "mid/firms.csv").string() + "\"\ndir = \"" + (chain / "out").string() +
            "\"\n"
        "\n[model]\nname = \"cluster\"\n"
        "\n[model.growth]\nenabled = true\nrate = 0.03\n");
}

TEST_CASE("Reloading to_toml reproduces the scenario exactly", "[unit]") {
  TempDir dir("round-trip");
  const fs::path chain = kData / "chain";
  // Doubles that need all 17 digits, tiny and huge exponents, and text that needs escaping.
  const Scenario original =
      load(chain / "top.toml", {"population.share_exporting=0.30000000000000004", "model.growth.rate=5e-324",
                                "policy.budget_eur=9999999999.999998", "population.churn_rate=-1.7976931348623157e308",
                                "title=Z\xC3\xBCrich \"quoted\" back\\slash\ttab\nnewline \x01 \x7F end",
                                "output.dir=", "run.steps=10000"});
  const std::string text = original.to_toml();
  CHECK(text.find("rate = 5e-324\n") != std::string::npos);
  CHECK(text.find("churn_rate = -1.7976931348623157e+308\n") != std::string::npos);
  CHECK(text.find("budget_eur = 9999999999.999998\n") != std::string::npos);
  CHECK(text.find("dir = ") == std::string::npos);  // unset optional paths are omitted

  const Scenario reloaded = load(dir.write("resolved.toml", text));
  CHECK(reloaded.to_toml() == text);
  const Schema schema = test_schema();
  for (const auto& p : schema.params()) {
    INFO(p.key);
    switch (p.type) {
      case ParamType::Integer: CHECK(reloaded.integer(p.key) == original.integer(p.key)); break;
      case ParamType::Real: CHECK(reloaded.real(p.key) == original.real(p.key)); break;
      case ParamType::Boolean: CHECK(reloaded.boolean(p.key) == original.boolean(p.key)); break;
      case ParamType::String: CHECK(reloaded.string(p.key) == original.string(p.key)); break;
      case ParamType::Path: CHECK(reloaded.path(p.key) == original.path(p.key)); break;
      case ParamType::StringList:
      case ParamType::IntegerList: FAIL("lists exist only in table arrays"); break;
    }
  }
  CHECK(reloaded.real("model.growth.rate") == 5e-324);
  CHECK(reloaded.real("population.churn_rate") == -1.7976931348623157e308);
}

TEST_CASE("Reading a key the schema does not declare or with the wrong type is a bug", "[unit]") {
  const Scenario s = load(kData / "chain/top.toml");
  CHECK_THROWS_AS(s.integer("population.smess"), InvariantError);
  CHECK_THROWS_AS(s.real("population.smes"), InvariantError);
  CHECK_THROWS_AS(s.string("output.dir"), InvariantError);
  CHECK_THROWS_AS(s.origin("nope"), InvariantError);

  const Schema schema = test_schema();
  Scenario built(schema, "built.toml");
  CHECK_THROWS_AS(built.set("run.steps", 2.5, "test"), InvariantError);
  CHECK_THROWS_AS(built.set("run.stpes", std::int64_t{2}, "test"), InvariantError);
  CHECK_THROWS_AS(built.integer("run.steps"), InvariantError);  // never set
  CHECK(built.path("output.dir").empty());
  CHECK_THROWS_AS(built.path("run.steps"), InvariantError);
  built.set("run.steps", std::int64_t{2}, "test");
  CHECK(built.integer("run.steps") == 2);
  CHECK(built.origin("run.steps") == "test");
}

TEST_CASE("A schema default that breaks its own rule is a bug", "[unit]") {
  Schema schema;
  schema.integer("run.steps", 0).at_least(1);
  TempDir dir("bad-default");
  CHECK_THROWS_AS(load_scenario(dir.write("s.toml", ""), {}, schema), InvariantError);
}

namespace {

Schema array_schema() {
  Schema s = test_schema();
  auto& a = s.table_array("instruments");
  a.common.real("budget_eur", 0).at_least(0).units("EUR");
  a.common.integer("start_step", 1).at_least(0);
  a.common.integer("end_step", 40).at_least(0);
  a.common.real("funding.eu", 1).range(0, 1);
  a.common.real("funding.national", 0).range(0, 1);
  a.common.string_list("eligible.regions");
  a.common.integer_list("call.steps").at_least(0);
  a.type("vouchers").string("purpose", "digital").choices({"digital", "green"});
  a.type("core").real("grant_eur", 5e4).at_least(0);
  a.validate = [](const TableElement& e, const std::string& where) {
    if (e.integer("end_step") < e.integer("start_step"))
      throw ScenarioError(where, e.key_name("end_step"), "must be >= start_step");
    const double sum = e.real("funding.eu") + e.real("funding.national");
    if (std::fabs(sum - 1) > 1e-9) throw ScenarioError(where, e.key_name("funding"), "shares sum to " + std::to_string(sum) + ", must be 1");
  };
  return s;
}

const char* kArrays = R"(run.seed = 3
[[instruments]]
id = "v1"
type = "vouchers"
budget_eur = 1000
purpose = "green"
funding.eu = 0.5
funding.national = 0.5
eligible.regions = ["R1", "R2"]
call.steps = [1, 5]

[[instruments]]
id = "c1"
type = "core"
)";

std::string load_error(const TempDir& dir, const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario(dir.write("bad.toml", text), overrides, array_schema());
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("A table array loads typed elements with defaults and round-trips through to_toml", "[unit]") {
  TempDir dir("arrays");
  const Schema schema = array_schema();
  const Scenario s = load_scenario(dir.write("a.toml", kArrays), {}, schema);
  const auto& e = s.elements("instruments");
  REQUIRE(e.size() == 2);
  CHECK(e[0].id == "v1");
  CHECK(e[0].string("purpose") == "green");
  CHECK(e[0].real("budget_eur") == 1000);
  CHECK(e[0].strings("eligible.regions") == std::vector<std::string>{"R1", "R2"});
  CHECK(e[0].integers("call.steps") == std::vector<std::int64_t>{1, 5});
  CHECK(e[1].real("grant_eur") == 5e4);
  CHECK(e[1].strings("eligible.regions").empty());
  CHECK_FALSE(e[1].has("purpose"));
  const std::string text = s.to_toml();
  CHECK(text.find("[[instruments]]\nid = \"v1\"") != std::string::npos);
  const Scenario again = load_scenario(dir.write("resolved.toml", text), {}, schema);
  CHECK(again.to_toml() == text);
  // extends: an array replaces the base's array whole.
  dir.write("child.toml", "extends = \"a.toml\"\n[[instruments]]\nid = \"only\"\ntype = \"core\"\n");
  const Scenario child = load_scenario(dir.path() / "child.toml", {}, schema);
  REQUIRE(child.elements("instruments").size() == 1);
  CHECK(child.elements("instruments")[0].id == "only");
  // No instruments at all: an empty array.
  CHECK(load_scenario(dir.write("none.toml", "run.seed = 1\n"), {}, schema).elements("instruments").empty());
}

TEST_CASE("Bad table-array elements name the file, the element's id and the key", "[unit]") {
  TempDir dir("arrays-bad");
  const std::string f = (dir.path() / "bad.toml").string();
  const std::string head = "run.seed = 3\n[[instruments]]\nid = \"v1\"\n";
  CHECK(load_error(dir, head + "type = \"lottery\"\n") ==
        f + ": instruments[v1].type: unknown type 'lottery'; must be one of 'vouchers', 'core'");
  CHECK(load_error(dir, head + "type = \"core\"\npurpose = \"green\"\n") ==
        f + ": instruments[v1].purpose: unknown key for type 'core'");
  CHECK(load_error(dir, head + "type = \"core\"\ngrant_eur = \"lots\"\n") ==
        f + ": instruments[v1].grant_eur: must be a number, got \"lots\" (string)");
  CHECK(load_error(dir, head + "type = \"core\"\nbudget_eur = -5\n") ==
        f + ": instruments[v1].budget_eur: must be between 0 and 10000000000, got -5");
  CHECK(load_error(dir, head + "type = \"core\"\nfunding.eu = 1.5\n") ==
        f + ": instruments[v1].funding.eu: must be between 0 and 1, got 1.5");
  CHECK(load_error(dir, head + "type = \"core\"\nstart_step = 9\nend_step = 4\n") ==
        f + ": instruments[v1].end_step: must be >= start_step");
  CHECK(load_error(dir, head + "type = \"core\"\nfunding.eu = 0.7\nfunding.national = 0.5\n") ==
        f + ": instruments[v1].funding: shares sum to 1.200000, must be 1");
  CHECK(load_error(dir, head + "type = \"core\"\n[[instruments]]\nid = \"v1\"\ntype = \"core\"\n") ==
        f + ": instruments[v1].id: duplicate id 'v1'; each element needs its own");
  CHECK(load_error(dir, "[[instruments]]\ntype = \"core\"\n") == f + ": instruments[0].id: required key is missing");
  CHECK(load_error(dir, head + "type = \"core\"\neligible.regions = [1]\n") ==
        f + ": instruments[v1].eligible.regions: must be an array of strings, got an array holding 1 (integer)");
  CHECK(load_error(dir, "[instruments]\nid = \"x\"\n") == f + ": instruments: must be an array of tables, written [[instruments]]");
  CHECK(load_error(dir, "run.seed = 1\n", {"instruments[0].budget_eur=5"}).find(
            "--set: instruments[0].budget_eur: --set cannot change arrays of tables ([[instruments]])") == 0);
}

TEST_CASE("Schema rules see every resolved value, --set and defaults included, and refuse with their error", "[unit]") {
  Schema schema = test_schema();
  std::vector<std::int64_t> seen;
  schema.rule([&seen](const Scenario& s) { seen.push_back(s.integer("run.steps")); });
  schema.rule([](const Scenario& s) {
    if (s.real("population.share_exporting") > s.real("population.churn_rate") * 10)
      throw ScenarioError(s.origin("population.share_exporting"), "population.share_exporting", "must be <= 10 x churn_rate");
  });
  TempDir dir("rules");
  const auto file = dir.write("s.toml", "run.seed = 1\n");
  CHECK_NOTHROW(load_scenario(file, {"run.steps=7"}, schema));
  CHECK(seen == std::vector<std::int64_t>{7});
  try {
    load_scenario(file, {"population.share_exporting=0.9"}, schema);  // churn_rate keeps its default 0.05
    FAIL("the rule did not refuse");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()) == "--set: population.share_exporting: must be <= 10 x churn_rate");
  }
}

TEST_CASE("Money keys are capped so that ledgers stay exact in cents", "[unit]") {
  TempDir dir("money");
  const std::string file = (dir.path() / "s.toml").string();
  // The audit's reproducers: 1e17 broke a ledger's balance, 9e16 left it 512 cents off.
  CHECK(message_of(dir, "[policy]\nbudget_eur = 1e17\n") ==
        file + ": policy.budget_eur: must be between 0 and 10000000000 (every money amount is capped so that ledgers "
               "stay exact in cents), got 1e+17");
  CHECK_THAT(message_of(dir, "[policy]\nbudget_eur = 9e16\n"), Catch::Contains("got 9e+16"));
  CHECK_THAT(message_of(dir, "", {"policy.budget_eur=1e300"}),
             Catch::StartsWith("--set: policy.budget_eur: must be between 0 and 10000000000"));
  CHECK(load_text(dir, "[policy]\nbudget_eur = 1e10\n").real("policy.budget_eur") == 1e10);
}

TEST_CASE("Text that toml++ mishandles never reaches it", "[unit]") {
  TempDir dir("toml-text");
  const std::string file = (dir.path() / "s.toml").string();
  // toml++ 3.3 reaches TOML_UNREACHABLE on the first and breaks an assumption on the second.
  CHECK_THAT(message_of(dir, "\xD2\x92"), Catch::StartsWith(file + ": line 1, column 1: character U+0492"));
  CHECK(message_of(dir, "[{") == file + ": line 1, column 2: a table header must start with a key name, e.g. [population]");
  CHECK_THAT(message_of(dir, std::string("title = \"a\0b\"\n", 14)), Catch::Contains("line 1, column 11: a NUL byte"));
  // Non-ASCII text inside strings still loads.
  CHECK(load_text(dir, "title = \"Région Île-de-France\" # ü\n").string("title") == "Région Île-de-France");
}

TEST_CASE("extends refuses devices, directories and oversized files with the key and the referring file", "[unit]") {
  TempDir dir("extends-special");
  const std::string file = (dir.path() / "s.toml").string();
  CHECK(message_of(dir, "extends = \"/dev/zero\"") ==
        file + ": extends: cannot open '/dev/zero' (resolved to /dev/zero): not a regular file");
  CHECK_THAT(message_of(dir, "extends = \".\""), Catch::EndsWith("it is a directory"));
  dir.write("big.toml", std::string(kMaxScenarioFileBytes + 1, '#'));
  CHECK_THAT(message_of(dir, "extends = \"big.toml\""), Catch::Contains("more than the limit of 16 MiB"));
}

TEST_CASE("check_input_files names the key and the file that set a missing data file", "[unit]") {
  TempDir dir("input-files");
  const auto scenario = load_text(dir, "[output]\ndata = \"regions.csv\"\n");
  try {
    scenario.check_input_files();
    FAIL("a missing data file was accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.where() == (dir.path() / "s.toml").string());
    CHECK(e.key() == "output.data");
    CHECK(e.rule() == "cannot open '" + (dir.path() / "regions.csv").string() + "': No such file or directory");
  }
  dir.write("regions.csv", "a\n1\n");
  CHECK_NOTHROW(load_text(dir, "[output]\ndata = \"regions.csv\"\n").check_input_files());
  const auto from_set = load_text(dir, "", {"output.dir=" + dir.path().string()});
  CHECK_THROWS_WITH(from_set.check_input_files(), "--set: output.dir: cannot open '" + dir.path().string() +
                                                      "': it is a directory");
}
