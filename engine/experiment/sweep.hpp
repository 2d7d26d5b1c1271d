#pragma once
// Running an experiment: one result file per run in a sweep directory, each run a child
// `clustersim run --replicate-index r` process (crash and OOM isolation, trivial -j),
// failures recorded and skipped, resumable, shardable, and distributable over MPI ranks
// with dynamic load balancing. See docs/CLI.md ("sweep") and docs/DESIGN.md.
//
// DIR/plan.tsv            every planned run: index, run_id, scenario, replicate, seed, scenario file,
//                         swept values; with a run count and a checksum (plan_file.hpp)
// DIR/sweep.lock          flock()ed (shared) by every live sweep process of DIR
// DIR/experiment.toml     the experiment file as run
// DIR/scenarios/<h>.toml  each resolved scenario (rerunnable with `clustersim run`)
// DIR/runs/<run_id>.h5    a completed run (appears atomically, only when complete)
// DIR/runs/<run_id>.failed  a failed run's error text (written atomically)
// DIR/logs/<run_id>.log   the run's stderr, then the sweep's line with its start and duration
// DIR/merged.h5           written when no run is pending any more

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/schema.hpp"
#include "engine/experiment/experiment.hpp"

namespace clustersim::experiment {

struct SweepOptions {
  std::filesystem::path experiment, dir;
  bool resume = false, retry_failed = false;
  std::size_t shard_index = 1, shard_count = 1;  ///< --shard I/N, 1 <= I <= N
  std::size_t jobs = 1;                          ///< concurrent runs on this machine (per MPI rank)
  std::size_t threads = 0;                       ///< threads per run; 0 = cores / jobs
  std::string command_line;
  bool quiet = false;
  std::vector<std::string> sets;            ///< --set KEY=VALUE, applied to every run
  std::optional<std::size_t> replicates;    ///< --replicates N, overrides the experiment's
  bool dry_run = false;                     ///< --dry-run: print the plan and an estimate, write nothing
  // For --dry-run's time estimate (from the model's descriptor; no estimate when unset).
  AgentStepEstimate agent_steps;
  double seconds_per_agent_step = 0.0;
  std::string agent_noun = "agent";
};

/// "I/N" -> (I, N); throws UsageError naming --shard unless 1 <= I <= N.
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text);

/// Runs the sweep; returns the number of failed runs (0 = success). Under `mpirun` (when
/// built with MPI) every rank calls this; rank 0 hands out runs and reports.
std::size_t run_sweep(const config::Schema& schema, const SweepOptions& options);

/// Prints done / failed / pending, whether a sweep is running, an ETA from the finished
/// runs' durations, and each failure's error. Run files are verified (run id, experiment
/// SHA-1, readable): a damaged one is listed and not counted as done. Returns the number of
/// failed and damaged runs.
std::size_t print_status(const std::filesystem::path& dir);

/// Merges a sweep directory into `output` (io::merge_runs). Pending runs are an error
/// unless `partial` (they are then written with status "pending"). A damaged plan, or a run
/// file that fails verification (as in print_status), is an error: nothing is written.
void merge_sweep(const std::filesystem::path& dir, const std::filesystem::path& output, bool partial,
                 const std::string& command_line);

/// True when this process was started by mpirun and the build has MPI support.
bool launched_by_mpi();

}  // namespace clustersim::experiment
