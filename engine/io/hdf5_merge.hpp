#pragma once
// Reading run files back and merging a sweep's runs into one netCDF-4 file. Like the
// writer, this is HDF5 code and lives in engine/io, the only module that includes HDF5.
//
// The merged file replaces the `replicate` dimension by `run`: series variables are shaped
// (run, step, ...), and per-run metadata are 1-D variables along `run` (run_id, scenario,
// replicate, seed, status, error, swept__<key>); scenario, replicate and swept__<key> are
// coordinates, so xarray opens the file as is and can pair runs by replicate.
// The layout is a contract with analysis/ and is described in docs/OUTPUT.md.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/record/layout.hpp"

namespace clustersim::io {

/// A file written by Hdf5Writer, read back as a Layout: dimensions in netCDF dimid order,
/// static variables with their data, series variable specs (dims start with replicate or
/// run, step) and the global text/number attributes.
record::Layout read_layout(const std::filesystem::path& file);

/// Every value of one variable, row-major, converted to double.
std::vector<double> read_values(const std::filesystem::path& file, const std::string& variable);

struct MergeRun {
  /// The run id the plan expects; the run file's `run_id` attribute must match it.
  std::string run_id;
  std::string scenario, status, error;  ///< status: "done", "failed" (or "pending")
  std::int64_t replicate = 0, seed = 0;
  std::vector<double> swept;     ///< one per MergeInput::swept_keys
  /// The run's result file (used when status is "done"). A string, not a path: a
  /// std::filesystem::path also keeps its split components, several hundred bytes per run.
  std::string file;
};

struct MergeInput {
  std::vector<std::string> swept_keys;
  std::vector<MergeRun> runs;
  /// Global attributes of the merged file. Its `experiment_sha` (if given) is also what
  /// every run file that records an `experiment_sha` must hold.
  std::vector<record::Attribute> global_attributes;
  /// What to do with a done run whose file cannot be trusted: unreadable or truncated, not
  /// the plan's run (`run_id` or `experiment_sha` differ, e.g. overwritten by another run's
  /// file), or without the variables and dimensions of the others. false: merge_runs
  /// throws, naming the file. true (`merge --partial`): the run is merged as failed, with
  /// that message as its error, and the message is returned.
  bool bad_files_as_failed = false;
};

/// Writes `output` atomically (see docs/OUTPUT.md, "Merged sweep files").
///
/// Dimensions other than run take the largest size over the done runs; each static
/// variable (coordinates such as cluster ids, region data, ...) comes from the first done
/// run that has that variable's dimensions at their largest size, so variants that grow
/// different dimensions (clusters in one, instruments in another) merge. Values a run does
/// not have (failed runs, fewer steps or clusters) are the variable's fill value, declared
/// as `_FillValue`: NaN for reals, the run file's declared fill value or else netCDF's
/// NC_FILL_INT (-2147483647) for integers. `scenario`, `replicate` and every swept__ key are
/// coordinates along `run` (named in each series variable's `coordinates` attribute).
///
/// Reads one run file at a time and keeps per run only its file name, dimension sizes and
/// the per-run columns (run_id, scenario, ...), so memory is flat in the number of runs
/// apart from those few hundred bytes per run; the output uses the HDF5 1.10 format
/// (Hdf5Format::V110) for its constant-cost chunk index. `input` is taken by value so that
/// its per-run strings move into the merged file's columns instead of being copied.
/// Returns one message per run file merged as failed (only with bad_files_as_failed).
std::vector<std::string> merge_runs(MergeInput input, const std::filesystem::path& output);

/// "swept__" + key with '.' replaced by "__".
std::string swept_variable_name(const std::string& key);

}  // namespace clustersim::io
