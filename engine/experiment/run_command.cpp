#include "engine/experiment/run_command.hpp"

#include <CLI/CLI.hpp>

namespace clustersim::experiment {

namespace {
// One spelling of each option, for both functions below.
constexpr const char* kOutput = "--output";
constexpr const char* kReplicateIndex = "--replicate-index";
constexpr const char* kThreads = "--threads";
constexpr const char* kQuiet = "--quiet";
constexpr const char* kRunId = "--run-id";
constexpr const char* kExperimentSha = "--experiment-sha";
constexpr const char* kSweepCommandLine = "--sweep-command-line";
}  // namespace

std::vector<std::string> run_arguments(const RunRequest& r) {
  std::vector<std::string> args = {"run", r.scenario, kOutput, r.output};
  if (r.replicate_index) args.insert(args.end(), {kReplicateIndex, std::to_string(*r.replicate_index)});
  if (r.threads > 0) args.insert(args.end(), {kThreads, std::to_string(r.threads)});
  if (r.quiet) args.emplace_back(kQuiet);
  if (!r.run_id.empty()) args.insert(args.end(), {kRunId, r.run_id});
  if (!r.experiment_sha.empty()) args.insert(args.end(), {kExperimentSha, r.experiment_sha});
  // "--opt=value": a command line that starts with '-' must not read as an option.
  if (!r.sweep_command_line.empty()) args.push_back(std::string(kSweepCommandLine) + "=" + r.sweep_command_line);
  return args;
}

void add_run_options(CLI::App& run, RunRequest& r) {
  run.add_option(std::string("-o,") + kOutput, r.output, "Output file (.h5 or .nc); written atomically")->required();
  run.add_option(kThreads, r.threads, "Worker threads (default: all cores); output is identical for any value")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  run.add_flag(std::string("-q,") + kQuiet, r.quiet, "No progress, no log lines, no summary");
  run.add_option(kReplicateIndex, r.replicate_index,
                 "Run only replicate I (0-based) of run.replicates; bit-identical to that replicate of the full run");
  // Provenance that `sweep` passes to each run; not meant to be typed (group "" hides them).
  run.add_option(kRunId, r.run_id, "Sweep run id (global attribute run_id)")->group("");
  run.add_option(kExperimentSha, r.experiment_sha, "SHA-1 of the experiment file")->group("");
  run.add_option(kSweepCommandLine, r.sweep_command_line, "The sweep's command line")->group("");
}

}  // namespace clustersim::experiment
