#pragma once
// The step loop: builds the model, writes the layout, runs every replicate step by step
// and hands each step's Frame to the writer. The loop, the model, the recording and the
// writer are separate pieces; only the writer knows the file format.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/scenario.hpp"
#include "engine/record/layout.hpp"
#include "engine/sim/model.hpp"

namespace clustersim::sim {

struct RunOptions {
  std::filesystem::path output;
  std::size_t threads = 0;  ///< 0 = every core
  bool quiet = false;
  std::string command_line;  ///< recorded as a global attribute
  /// Run only this replicate (0 <= index < run.replicates): the file holds one replicate
  /// whose coordinate is `index` and whose seed is replicate_seed(run.seed, index), so its
  /// values are bit-identical to replicate `index` of the full run.
  std::optional<std::size_t> replicate_index;
  /// Extra global attributes (provenance from a sweep: run_id, experiment_sha, ...).
  std::vector<record::Attribute> extra_attributes;
};

struct Headline {
  std::string name, units, long_name;
  double mean_over_replicates = 0.0;  ///< at the last step, summed over the variable's other dims
};

struct RunSummary {
  std::filesystem::path output;
  std::string world;
  std::size_t steps = 0, replicates = 0;
  double wall_seconds = 0.0;
  double agent_steps = 0.0;  ///< sum over replicates and steps of the agents simulated
  std::string agent_noun = "agent";  ///< Model::agent_noun(), for "SME-steps/s"
  std::vector<Headline> headlines;
};

/// Runs the scenario and atomically writes `options.output`. Throws ScenarioError for bad
/// data files, Interrupted on Ctrl-C (no output is left behind), other exceptions on I/O
/// failure.
RunSummary run(const ModelDescriptor& model, const config::Scenario& scenario, const RunOptions& options);

/// ISO 8601 UTC timestamp, e.g. "2026-11-21T10:44:29Z".
std::string utc_timestamp();

}  // namespace clustersim::sim
