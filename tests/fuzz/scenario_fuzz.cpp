// libFuzzer harness for the scenario loader, with the cluster model's full schema: any
// input must load or end in ScenarioError (never a crash, an InvariantError or undefined
// behaviour, also inside toml++), and a loaded scenario must survive the round trip
// load -> print resolved (to_toml) -> reload -> print with the same text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/config/scenario.hpp"
#include "engine/core/error.hpp"
#include "engine/sim/model.hpp"
#include "models/cluster/model.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace clustersim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const config::Schema schema = sim::full_schema(model::descriptor());
  static const auto input = fuzz::scratch_file("input.toml"), resolved = fuzz::scratch_file("resolved.toml");
  fuzz::write_file(input, data, size);
  std::string first;
  try {
    first = config::load_scenario(input, {}, schema).to_toml();
  } catch (const ScenarioError&) {
    return 0;  // a refusal with file, key and rule is the right answer to most inputs
  }
  fuzz::write_file(resolved, reinterpret_cast<const std::uint8_t*>(first.data()), first.size());
  std::string second;
  try {
    second = config::load_scenario(resolved, {}, schema).to_toml();
  } catch (const ScenarioError& e) {
    fuzz::fail("the resolved scenario does not reload: " + std::string(e.what()) + "\n--- resolved:\n" + first);
  }
  if (second != first) fuzz::fail("the round trip changed the scenario\n--- first:\n" + first + "\n--- second:\n" + second);
  return 0;
}
