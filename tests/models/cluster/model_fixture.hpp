#pragma once
// Builds cluster-model scenarios from TOML text for tests.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../test_paths.hpp"
#include "engine/config/scenario.hpp"
#include "engine/sim/model.hpp"
#include "models/cluster/model.hpp"

namespace clustersim::test {

inline std::filesystem::path scratch_dir(const std::string& name) {  // per process
  const auto dir = scratch("test-" + name);
  std::filesystem::create_directories(dir);
  return dir;
}

inline model::Params params_from(const std::string& toml, const std::vector<std::string>& overrides = {}) {
  static const config::Schema schema = sim::full_schema(model::descriptor());
  const auto file = scratch_dir("model") / "scenario.toml";
  std::ofstream(file) << toml;
  return model::read(config::load_scenario(file, overrides, schema));
}

inline const char* kSmallWorld = R"(
[run]
steps = 12
seed = 11
replicates = 1
[world]
source = "synthetic"
scale = 1           # budgets in the tests are this world's own
[population]
smes = 30000
regions = 30
clusters = 6
)";

}  // namespace clustersim::test
