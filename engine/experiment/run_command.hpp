#pragma once
// The command line a sweep gives each of its runs (`clustersim run ...`), built and parsed
// by this one pair of functions, so that the sweep side and the `run` side cannot drift:
// run_arguments() writes it, add_run_options() declares the same options on the `run`
// subcommand. tests/engine/experiment/run_command_test.cpp parses what one builds with
// the other.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace clustersim::experiment {

/// The options of `clustersim run` that a sweep sets (and a user may set by hand).
struct RunRequest {
  std::string scenario;                         ///< the scenario file (positional)
  std::string output;                           ///< -o
  std::optional<std::size_t> replicate_index;   ///< --replicate-index
  std::size_t threads = 0;                      ///< --threads; 0 = all cores
  bool quiet = false;                           ///< --quiet
  // Provenance, written as global attributes of the run file; hidden from --help.
  std::string run_id, experiment_sha, sweep_command_line;
};

/// argv after the program name: "run", the scenario, then the options that are set.
std::vector<std::string> run_arguments(const RunRequest& request);

/// Declares on `run` the options run_arguments() writes, bound to `request`, except the
/// scenario (declared with --set by the caller, as `check` shares it).
void add_run_options(CLI::App& run, RunRequest& request);

}  // namespace clustersim::experiment
