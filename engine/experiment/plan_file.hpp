#pragma once
// DIR/plan.tsv, a sweep's list of runs, written once and read back by `sweep --resume`,
// `status` and `merge`. Its first line carries the experiment's SHA-1, the number of runs
// and a checksum (FNV-1a-64 of every byte after the first line), so a truncated or edited
// plan is refused instead of silently merging fewer runs:
//
//   # clustersim sweep plan v2<TAB>experiment_sha=<40 hex><TAB>runs=<N><TAB>checksum=<16 hex>
//   index<TAB>run_id<TAB>scenario<TAB>replicate<TAB>seed<TAB>scenario_file[<TAB>swept key]...
//   0<TAB>3f2a...<TAB>baseline<TAB>0<TAB>-81...<TAB>scenarios/<16 hex>.toml[<TAB>value]...
//
// Malformed lines are reported by line number.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/experiment/experiment.hpp"

namespace clustersim::experiment {

/// The text of plan.tsv for `plan` of the experiment whose file has SHA-1 `experiment_sha`.
std::string plan_text(const std::string& experiment_sha, const Plan& plan);

struct PlanHeader {
  std::string experiment_sha;
  std::vector<std::string> swept_keys;
  std::size_t runs = 0;
};

/// Streams `file`, calling `each` for every run in order (with the header: its
/// experiment_sha and swept_keys are known from the first call on), so memory stays flat in the
/// number of runs. Throws ScenarioError naming the file and the line for a malformed line,
/// and the file with "runs" or "checksum" when the plan is truncated or altered. The checks
/// that need the whole file come after the last call of `each`: a caller must not act on
/// the runs until read_plan has returned.
PlanHeader read_plan(const std::filesystem::path& file,
                     const std::function<void(const PlanHeader&, const PlannedRun&)>& each);

}  // namespace clustersim::experiment
