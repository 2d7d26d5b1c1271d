#include "engine/core/error.hpp"

#include <catch2/catch.hpp>

using namespace clustersim;

TEST_CASE("scenario errors read 'where: key: rule'", "[unit]") {
  const ScenarioError e("scenarios/x.toml", "population.smes", "must be >= 1, got -5");
  CHECK(std::string(e.what()) == "scenarios/x.toml: population.smes: must be >= 1, got -5");
  CHECK(e.where() == "scenarios/x.toml");
  CHECK(e.key() == "population.smes");
  CHECK(e.rule() == "must be >= 1, got -5");
  // A file-level problem has no key.
  CHECK(std::string(ScenarioError("a.toml", "", "cannot open file").what()) == "a.toml: cannot open file");
}

TEST_CASE("assertions stay on and throw InvariantError with the location", "[unit]") {
  auto fails = [] { CLUSTERSIM_ASSERT(1 + 1 == 3, "arithmetic is broken"); };
  CHECK_THROWS_AS(fails(), InvariantError);
  CHECK_THROWS_WITH(fails(), Catch::Contains("arithmetic is broken") && Catch::Contains("error_test.cpp"));
  CHECK_NOTHROW([] { CLUSTERSIM_ASSERT(true, "never"); }());
}
