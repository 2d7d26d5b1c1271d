#pragma once
// The only module that knows HDF5. Writes a record::Layout as a netCDF-4 file (HDF5 with
// the netCDF-4 conventions: dimension scales, creation-order tracking, text attributes as
// fixed-length strings) so that `ncdump`, netCDF-C tools and xarray open it directly.
//
// Output is atomic: the file is built as "<target>.tmp-<pid>" beside the target, locked
// while it is written (atomic_file.hpp), and only commit() renames it into place; an
// uncommitted writer removes its temporary file, also when writing failed (a full disk).
// Before creating it, the writer removes the temporary files of killed writers of the same
// target (remove_dead_temporaries).
//
// A VariableSpec's fill_value is written as the HDF5 fill value and the `_FillValue`
// attribute (in the variable's type, as netCDF-4 requires), and NaN values in a Frame are
// written as it.
//
// Series variables are chunked 1 replicate x 16 steps x the rest and deflated. Each chunk
// is compressed once (the last, partial block at most twice if replicates are written
// interleaved); memory holds the current 16-step block of each replicate being written,
// however many steps there are.
//
// HDF5 is not thread-safe in Debian's serial build: call a writer from one thread at a
// time, and do not use HDF5 elsewhere concurrently.

#include <cstddef>
#include <filesystem>
#include <memory>

#include "engine/record/writer.hpp"

namespace clustersim::io {

/// The HDF5 file format version a writer uses.
enum class Hdf5Format {
  /// Readable with any HDF5 >= 1.8. Chunk indexes are version-1 B-trees, whose memory and
  /// time per inserted chunk grow with the number of chunks of a variable.
  V18,
  /// Needs HDF5 >= 1.10 to read (netCDF-C 4.9, h5py, h5netcdf on Debian bookworm and
  /// later do). Variables of fixed size get a Fixed Array chunk index: one lookup per
  /// chunk whatever their number, so a merged sweep of thousands of runs (one chunk per
  /// run and variable) stays flat in memory and time per run.
  V110,
};

class Hdf5Writer final : public record::Writer {
 public:
  /// Creates (and locks) the temporary file at once, so a missing or read-only output
  /// directory fails before the simulation starts (std::runtime_error naming the path).
  explicit Hdf5Writer(std::filesystem::path target, Hdf5Format format = Hdf5Format::V18);
  /// Closes and removes the temporary file unless commit() succeeded. Never throws.
  ~Hdf5Writer() override;
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  void define(const record::Layout& layout) override;
  void write(std::size_t replicate, std::size_t step_index, const record::Frame& frame) override;
  void commit() override;

  /// Where the file is being built, "<target>.tmp-<pid>".
  const std::filesystem::path& temporary_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Throws UsageError unless `target` ends in .h5, .hdf5 or .nc (any case), the extensions
/// record::make_writer accepts.
void require_hdf5_extension(const std::filesystem::path& target);

}  // namespace clustersim::io
