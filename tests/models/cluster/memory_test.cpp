#include "models/cluster/memory.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include "model_fixture.hpp"

using namespace clustersim;

namespace {

sim::MemoryEstimate estimate(const std::vector<std::string>& overrides) {
  static const config::Schema schema = sim::full_schema(model::descriptor());
  const auto file = test::scratch_dir("memory") / "scenario.toml";
  std::ofstream(file) << test::kSmallWorld;
  return model::estimate_memory(config::load_scenario(file, overrides, schema));
}

double part(const sim::MemoryEstimate& e, const std::string& key) {
  for (const auto& p : e.parts)
    if (p.key == key) return p.bytes;
  FAIL("no part for " << key);
  return 0;
}

}  // namespace

TEST_CASE("the cluster model's memory estimate follows the measured bytes per SME", "[model]") {
  // docs/PERFORMANCE.md: 104 bytes of peak RSS per additional SME; the estimate may be a
  // little above (so that a run that fits is not refused), never below.
  const double per_sme = (part(estimate({"population.smes=2000000"}), "population.smes") -
                          part(estimate({"population.smes=1000000"}), "population.smes")) / 1e6;
  CHECK(per_sme >= 104);
  CHECK(per_sme <= 130);
  // The audit's reproducers: 4e7 SMEs need more than a 4 GiB limit, 65535 regions far more
  // than any machine (region x region matrices), and the estimate says which key.
  const auto big = estimate({"population.smes=40000000"});
  CHECK(big.total_bytes() > 4.0 * (1u << 30));
  CHECK(part(big, "population.smes") > part(big, "population.regions"));
  const auto regions = estimate({"population.regions=65535"});
  CHECK(part(regions, "population.regions") > 100.0 * (1u << 30));
  // The default-sized world fits in well under a gigabyte.
  CHECK(estimate({}).total_bytes() < 0.25 * (1u << 30));
}
