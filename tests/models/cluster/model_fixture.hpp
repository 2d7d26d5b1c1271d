#pragma once
// Builds cluster-model scenarios from TOML text for tests.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../test_paths.hpp"
#include "engine/config/scenario.hpp"
#include "engine/parallel/blocks.hpp"
#include "engine/random/stream.hpp"
#include "engine/record/layout.hpp"
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

/// Every series value of every step (0 .. steps) of replicate 0, in order, on `threads` threads.
inline std::vector<double> all_frames(const model::Params& params, std::size_t threads, int steps) {
  parallel::ThreadLimit limit(threads);
  model::ClusterModel m(params);
  record::Layout layout;
  m.describe(layout);
  layout.dims.push_back({"replicate", 1});
  layout.dims.push_back({"step", static_cast<std::size_t>(steps) + 1});
  record::Frame frame(layout);
  std::vector<double> all;
  m.start_replicate(random::replicate_seed(params.seed, 0));
  for (int t = 0; t <= steps; ++t) {
    if (t > 0) m.step(t);
    frame.clear();
    m.observe(frame);
    for (std::size_t k = 0; k < frame.size(); ++k) all.insert(all.end(), frame[k].begin(), frame[k].end());
  }
  return all;
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
