#pragma once
// An experiment file describes a set of runs: a baseline scenario, variants of it (as
// files or as deltas of dotted-key overrides), a design over swept parameters (a full
// grid, a sampled design, or both crossed) and a number of replicates. Loading validates
// every key against the model's schema before anything runs; planning resolves every
// scenario and gives each run a deterministic id. See docs/CLI.md ("sweep").

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/scenario.hpp"
#include "engine/config/schema.hpp"

namespace clustersim::experiment {

/// A dotted scenario key with its value as --set text.
using Override = std::pair<std::string, std::string>;

struct Variant {
  std::string name;
  std::filesystem::path file;      ///< the scenario file it starts from (the baseline unless given)
  std::vector<Override> overrides;  ///< its delta, applied after the experiment-wide [set]
};

enum class SampleMethod { LatinHypercube, Sobol, Saltelli };

struct SampleRange {
  std::string key;
  double low = 0.0, high = 1.0;
  bool integer = false;  ///< an Integer key: values are whole numbers in [low, high]
};

struct Experiment {
  std::filesystem::path file;
  std::string text;  ///< the file's bytes
  std::string sha;   ///< SHA-1 of `text`
  std::size_t replicates = 1;
  bool replicates_from_command_line = false;  ///< set by `sweep --replicates`, for messages
  std::optional<std::int64_t> seed;  ///< overrides run.seed of every scenario when given
  std::vector<Override> common;      ///< [set]: applied to every scenario
  std::vector<Variant> scenarios;    ///< scenarios[0] is "baseline"
  std::vector<std::pair<std::string, std::vector<double>>> grid;  ///< key, values (crossed)
  std::vector<std::pair<std::string, bool>> grid_integer;        ///< key, is an Integer key
  std::optional<SampleMethod> method;
  std::size_t sample_size = 0;
  std::uint64_t sample_seed = 1;
  std::vector<SampleRange> ranges;
  std::vector<std::string> command_line_sets;  ///< `sweep --set KEY=VALUE`, applied last to every run
};

/// Reads and validates an experiment file. Throws ScenarioError naming the file and the key
/// (unknown keys get the nearest valid key) for any problem.
Experiment load_experiment(const std::filesystem::path& file, const config::Schema& schema);

/// Applies `sweep --set` and `--replicates`: refuses run.replicates (use --replicates) and
/// keys the design sweeps. Values are checked by make_plan, like `run --set`.
void apply_command_line(Experiment& experiment, const std::vector<std::string>& sets,
                        std::optional<std::size_t> replicates);

/// The factors of the number of runs, as doubles: they are known before anything is
/// materialised, and their product may not fit in an integer.
struct DesignSize {
  double scenarios = 1, grid_points = 1, sample_points = 1, replicates = 1;
  double design_points() const { return grid_points * sample_points; }
  double runs() const { return scenarios * design_points() * replicates; }
};
DesignSize design_size(const Experiment& experiment);

/// Plans larger than this are refused before they are built (make_plan): the plan holds
/// every run (~250 bytes) and the TOML text of every distinct scenario (~3.5 KB) in memory,
/// and resolving a scenario takes ~2 ms (2,000 in 4 s with `sweep --dry-run`).
inline constexpr double kMaxRuns = 1e7, kMaxScenarios = 1e5;

/// Throws ScenarioError naming the key (grid, sample.size or replicates) whose factor makes
/// the design exceed kMaxRuns or kMaxScenarios.
void check_design_size(const Experiment& experiment);

struct PlannedRun {
  std::size_t index = 0;
  std::string run_id;
  std::string scenario;       ///< "baseline" or the variant's name
  std::size_t replicate = 0;
  std::int64_t seed = 0;      ///< the replicate's seed
  std::string scenario_file;  ///< relative to the sweep directory: scenarios/<hash>.toml
  std::vector<double> swept;  ///< one value per Plan::swept_keys
};

struct Plan {
  std::vector<std::string> swept_keys;
  std::vector<PlannedRun> runs;
  /// Every distinct resolved scenario: (scenario_file, TOML text).
  std::vector<std::pair<std::string, std::string>> scenario_files;
  /// Per scenario_files entry: the agent-steps of one run of it (only when make_plan was
  /// given an estimate), for `sweep --dry-run`.
  std::vector<double> scenario_agent_steps;
};

/// The agent-steps one run of a resolved scenario is expected to take.
using AgentStepEstimate = std::function<double(const config::Scenario&)>;

/// Resolves every (scenario, design point) through config::load_scenario and lists the runs
/// in a fixed order: scenario, then design point, then replicate. Errors in values (a range
/// violation in a delta) name the experiment file and the key; a design too large to plan
/// (check_design_size) is refused before any point is made.
Plan make_plan(const Experiment& experiment, const config::Schema& schema, const AgentStepEstimate& agent_steps = {});

}  // namespace clustersim::experiment
