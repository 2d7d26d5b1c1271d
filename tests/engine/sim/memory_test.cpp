#include "engine/sim/memory.hpp"

#include <catch2/catch.hpp>

#include "engine/config/schema.hpp"
#include "engine/core/error.hpp"

using namespace clustersim;

namespace {

config::Schema schema() {
  config::Schema s;
  s.integer("population.smes", 1).range(1, 2e9);
  s.integer("population.regions", 1).range(1, 65535);
  return s;
}

}  // namespace

TEST_CASE("check_memory names the key behind the largest part when the run cannot fit", "[unit]") {
  const config::Schema s = schema();
  config::Scenario scenario(s, "x.toml");
  scenario.set("population.smes", std::int64_t{40'000'000}, "x.toml");
  scenario.set("population.regions", std::int64_t{240}, "--set");
  const sim::MemoryEstimate estimate{{{"population.smes", 6.0 * (1 << 30)}, {"population.regions", 1e6}}};
  CHECK(estimate.total_bytes() == 6.0 * (1 << 30) + 1e6);

  const sim::AvailableMemory four_gib{4.0 * (1 << 30), "a test limit"};
  try {
    sim::check_memory(estimate, scenario, four_gib);
    FAIL("a 6 GiB run was accepted with 4 GiB available");
  } catch (const ScenarioError& e) {
    CHECK(e.where() == "x.toml");
    CHECK(e.key() == "population.smes");
    CHECK(e.rule() ==
          "the run needs about 6.0 GiB (population.smes = 40000000: 6.0 GiB) but only 4.0 GiB is available "
          "(a test limit); lower population.smes");
  }
  // The largest part decides the key, and the origin follows it.
  const sim::MemoryEstimate regions{{{"population.smes", 1e6}, {"population.regions", 8.0 * (1 << 30)}}};
  try {
    sim::check_memory(regions, scenario, four_gib);
    FAIL("accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.where() == "--set");
    CHECK(e.key() == "population.regions");
  }
  CHECK_NOTHROW(sim::check_memory(estimate, scenario, sim::AvailableMemory{7.0 * (1 << 30), "plenty"}));
  CHECK_NOTHROW(sim::check_memory(estimate, scenario, std::nullopt));
}

TEST_CASE("available_memory reads a positive figure on Linux", "[unit]") {
  const auto available = sim::available_memory();
  REQUIRE(available.has_value());
  CHECK(available->bytes > 0);
  CHECK_FALSE(available->source.empty());
}

TEST_CASE("format_bytes", "[unit]") {
  CHECK(sim::format_bytes(1536.0 * (1 << 20)) == "1.5 GiB");
  CHECK(sim::format_bytes(320.0 * (1 << 20)) == "320 MiB");
}
