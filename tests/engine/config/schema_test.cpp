#include "engine/config/schema.hpp"

#include <catch2/catch.hpp>

#include "engine/core/error.hpp"
#include "engine/core/money.hpp"

using namespace clustersim;
using namespace clustersim::config;

namespace {

Schema sample_schema() {
  Schema s;
  s.string("title", "untitled");
  s.integer("run.steps", 40).range(1, 10000).units("quarters").doc("Number of steps.");
  s.integer("run.seed", 1).at_least(0).required();
  s.boolean("run.verbose", false);
  s.integer("population.smes", 100).at_least(1);
  s.real("population.share_exporting", 0.25).range(0, 1);
  s.string("policy.mechanism", "region").choices({"region", "cluster", "sector"});
  s.path("output.dir");
  s.real("model.growth.rate", 0.02);
  s.string("model.name", "cluster");
  return s;
}

}  // namespace

TEST_CASE("Schema builders record type default and rules", "[unit]") {
  const Schema s = sample_schema();
  REQUIRE(s.params().size() == 10);

  const ParamSpec* steps = s.find("run.steps");
  REQUIRE(steps != nullptr);
  CHECK(steps->type == ParamType::Integer);
  CHECK(std::get<std::int64_t>(steps->default_value) == 40);
  CHECK(steps->min == 1.0);
  CHECK(steps->max == 10000.0);
  CHECK(steps->units == "quarters");
  CHECK(steps->doc == "Number of steps.");
  CHECK_FALSE(steps->required);

  const ParamSpec* seed = s.find("run.seed");
  REQUIRE(seed != nullptr);
  CHECK(seed->required);
  CHECK(seed->min == 0.0);
  CHECK_FALSE(seed->max.has_value());

  CHECK(std::get<double>(s.find("population.share_exporting")->default_value) == 0.25);
  CHECK(std::get<bool>(s.find("run.verbose")->default_value) == false);
  CHECK(s.find("policy.mechanism")->choices == std::vector<std::string>{"region", "cluster", "sector"});

  // An unset path is "not given", so it must be optional and default to nothing.
  const ParamSpec* dir = s.find("output.dir");
  REQUIRE(dir != nullptr);
  CHECK(dir->type == ParamType::Path);
  CHECK(dir->optional_value);
  CHECK(std::get<std::string>(dir->default_value).empty());

  Schema capped;
  capped.real("x", 0.5).at_most(1);
  CHECK_FALSE(capped.find("x")->min.has_value());
  CHECK(capped.find("x")->max == 1.0);
}

TEST_CASE("Every money key is capped at kMaxAmountEur, in any declaration order", "[unit]") {
  Schema s;
  s.real("a_eur", 0).at_least(0).units("EUR");
  s.real("b_eur", 0).units("EUR/quarter").range(0, 1e20);
  s.real("c_eur", 0).range(0, 1e3).units("EUR/SME");
  s.real("d", 0).at_least(0).units("SMEs");
  CHECK(s.find("a_eur")->max == kMaxAmountEur);
  CHECK(s.find("b_eur")->max == kMaxAmountEur);
  CHECK(s.find("c_eur")->max == 1e3);  // a tighter bound of its own stays
  CHECK_FALSE(s.find("d")->max.has_value());
  CHECK(is_money(*s.find("b_eur")));
  CHECK_FALSE(is_money(*s.find("d")));
}

TEST_CASE("Schema rejects declarations that could never be written in TOML", "[unit]") {
  Schema s = sample_schema();
  CHECK_THROWS_AS(s.integer("run.steps", 1), InvariantError);
  CHECK_THROWS_AS(s.real("run.steps", 1.0), InvariantError);
  // Both a value and a table of the same name.
  CHECK_THROWS_AS(s.integer("run", 1), InvariantError);
  CHECK_THROWS_AS(s.integer("run.steps.max", 1), InvariantError);
  CHECK_THROWS_AS(s.integer("a..b", 1), InvariantError);
  CHECK_THROWS_AS(s.integer("", 1), InvariantError);
  CHECK_THROWS_AS(s.string("extends", ""), InvariantError);
}

TEST_CASE("Schema find and is_table", "[unit]") {
  const Schema s = sample_schema();
  CHECK(s.find("population.smes") != nullptr);
  CHECK(s.find("population") == nullptr);
  CHECK(s.find("population.sme") == nullptr);

  CHECK(s.is_table("run"));
  CHECK(s.is_table("model"));
  CHECK(s.is_table("model.growth"));
  // Only at a '.' boundary: "ru" is a prefix of "run.steps" but not a table.
  CHECK_FALSE(s.is_table("ru"));
  CHECK_FALSE(s.is_table("run.steps"));
  CHECK_FALSE(s.is_table("title"));
  CHECK_FALSE(s.is_table(""));
}

TEST_CASE("Schema nearest suggests the key the user meant", "[unit]") {
  const Schema s = sample_schema();
  CHECK(s.nearest("population.smess") == "population.smes");
  CHECK(s.nearest("run.stpes") == "run.steps");
  CHECK(s.nearest("titel") == "title");
  // Right name, wrong table.
  CHECK(s.nearest("steps") == "run.steps");
  CHECK(s.nearest("population.seed") == "run.seed");
  CHECK(s.nearest("model.rate") == "model.growth.rate");
  // Unknown tables are compared against table names as well as keys.
  CHECK(s.nearest("populaton.smes") == "population.smes");
  CHECK(s.nearest("outptu.bogus") == "output");
  CHECK(s.nearest("model.growht.rate") == "model.growth.rate");
  CHECK(s.nearest("populaton") == "population");

  CHECK(Schema{}.nearest("anything").empty());
}

TEST_CASE("edit_distance is the Levenshtein distance", "[unit]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("smes", "smes") == 0);
  CHECK(edit_distance("smes", "smess") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("flaw", "lawn") == 2);
}

TEST_CASE("type_name spells types as the docs do", "[unit]") {
  CHECK(type_name(ParamType::Integer) == "integer");
  CHECK(type_name(ParamType::Real) == "real");
  CHECK(type_name(ParamType::Boolean) == "boolean");
  CHECK(type_name(ParamType::String) == "string");
  CHECK(type_name(ParamType::Path) == "path");
}
