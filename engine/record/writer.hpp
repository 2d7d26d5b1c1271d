#pragma once
// The one interface between the step loop and a file format. A writer is created for a
// target path, writes to a temporary name beside it, and only `commit()` makes the target
// appear; destroying an uncommitted writer removes the temporary file, so a failed or
// interrupted run never leaves a partial file where a complete one is expected.

#include <filesystem>
#include <memory>

#include "engine/record/layout.hpp"

namespace clustersim::record {

class Writer {
 public:
  virtual ~Writer() = default;
  /// Creates dimensions, coordinates, static variables and (empty) series variables; the
  /// sizes of every dimension, "replicate" and "step" included, come from the layout.
  virtual void define(const Layout& layout) = 0;
  /// Writes one slice of every series variable at [replicate, step_index, ...].
  virtual void write(std::size_t replicate, std::size_t step_index, const Frame& frame) = 0;
  /// Flushes, closes and atomically renames the temporary file onto the target.
  virtual void commit() = 0;
};

/// Picks the writer from the file extension (".h5", ".nc", ".hdf5"); throws UsageError
/// for anything else.
std::unique_ptr<Writer> make_writer(const std::filesystem::path& target);

}  // namespace clustersim::record
