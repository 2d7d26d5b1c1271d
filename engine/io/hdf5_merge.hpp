#pragma once
// Reading run files back and merging a sweep's runs into one netCDF-4 file. Like the
// writer, this is HDF5 code and lives in engine/io, the only module that includes HDF5.
//
// The merged file replaces the `replicate` dimension by `run`: series variables are shaped
// (run, step, ...), and per-run metadata are plain 1-D variables along `run` (run_id,
// scenario, replicate, seed, status, error, swept__<key>), so xarray opens the file as is.
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
  std::string run_id, scenario, status, error;  ///< status: "done", "failed" (or "pending")
  std::int64_t replicate = 0, seed = 0;
  std::vector<double> swept;     ///< one per MergeInput::swept_keys
  /// The run's result file (used when status is "done"). A string, not a path: a
  /// std::filesystem::path also keeps its split components, several hundred bytes per run.
  std::string file;
};

struct MergeInput {
  std::vector<std::string> swept_keys;
  std::vector<MergeRun> runs;
  std::vector<record::Attribute> global_attributes;
};

/// Writes `output` atomically. Dimensions other than run take the largest size over the
/// done runs; static variables (region codes, cluster ids, ...) come from the first done
/// run that has every dimension at that size. Values a run does not have (failed runs,
/// fewer steps or clusters) are the fill value: NaN for reals, 0 for integers. Reads one
/// run file at a time and keeps per run only its file name, dimension sizes and the
/// per-run columns (run_id, scenario, ...), so memory is flat in the number of runs apart
/// from those few hundred bytes per run; the output uses the HDF5 1.10 format
/// (Hdf5Format::V110) for its constant-cost chunk index.
/// `input` is taken by value so that its per-run strings move into the merged file's
/// columns instead of being copied.
void merge_runs(MergeInput input, const std::filesystem::path& output);

/// "swept__" + key with '.' replaced by "__".
std::string swept_variable_name(const std::string& key);

}  // namespace clustersim::io
