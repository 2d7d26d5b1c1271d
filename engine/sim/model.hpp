#pragma once
// The contract between the engine and a model. A model is described by the scenario keys
// it declares and is built from a resolved Scenario; the engine's runner then drives it
// replicate by replicate, step by step, and records what it declared. A model never reads
// files named on the command line, environment variables or globals, and never sees HDF5.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/scenario.hpp"
#include "engine/config/schema.hpp"
#include "engine/record/layout.hpp"
#include "engine/sim/memory.hpp"

namespace clustersim::sim {

class Model {
 public:
  virtual ~Model() = default;
  /// Adds the model's dimensions (with coordinate variables), static variables and
  /// series variables. "replicate" and "step" are added by the runner.
  virtual void describe(record::Layout& layout) const = 0;
  /// Resets the agents for a new replicate; all randomness derives from `seed`.
  virtual void start_replicate(std::uint64_t seed) = 0;
  /// Advances the state from step-1 to `step` (one step = one quarter).
  virtual void step(std::int32_t step) = 0;
  /// Writes the current state into `frame` (zeroed by the caller), in Layout::series order.
  virtual void observe(record::Frame& frame) const = 0;
  /// Agents currently simulated, for progress and throughput figures.
  virtual std::size_t agent_count() const = 0;
  /// What the agents are called in progress lines ("SME").
  virtual std::string agent_noun() const { return "agent"; }
  /// Short lines describing the world ("200000 SMEs, 240 regions, ..."), for the summary.
  virtual std::string world_summary() const = 0;
};

/// A command a model adds to the command line (`clustersim NAME [SCENARIO] [--set K=V]
/// [flags]`), e.g. one that lists the model's world. `run` gets the resolved scenario, or
/// nullptr when none was given (the model's defaults), the flags given, and where to write.
struct ModelCommand {
  std::string name, help;
  std::vector<std::pair<std::string, std::string>> flags;  ///< ("--csv", "what it does"), boolean flags only
  std::function<void(const config::Scenario* scenario, const std::set<std::string>& flags, std::ostream& out)> run;
};

/// Everything the engine needs to know about a model: its name, its scenario keys, how to
/// build it and its own commands. Registered once in the executable's main().
struct ModelDescriptor {
  std::string name;
  std::function<void(config::Schema&)> declare;
  std::function<std::unique_ptr<Model>(const config::Scenario&)> make;
  /// Optional, for `sweep --dry-run`'s time estimate: the agent-steps one run of a scenario
  /// takes (agents at the start x run.steps), the cost of one agent-step on one thread, and
  /// what the agents are called.
  std::function<double(const config::Scenario&)> agent_steps = {};
  double seconds_per_agent_step = 0.0;
  std::string agent_noun = "agent";
  /// Optional: the memory a run of the scenario needs, estimated without building the
  /// world, by the (integer) key that drives each part. `run` refuses a scenario whose
  /// estimate exceeds the available memory (sim::check_memory).
  std::function<MemoryEstimate(const config::Scenario&)> estimate_memory;
  std::vector<ModelCommand> commands;
};

/// The engine's own scenario keys ([run] and [output]).
void declare_engine_keys(config::Schema& schema);

/// The full schema of a model: the engine's keys plus the model's.
config::Schema full_schema(const ModelDescriptor& model);

}  // namespace clustersim::sim
