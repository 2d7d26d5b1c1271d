#pragma once
// What an output file holds, described without reference to any file format: dimensions
// with coordinate values, static variables (written once), time-series variables (one
// slice per replicate and step) and global attributes. A model declares its Layout; the
// runner fills Frames; only a Writer (engine/io) turns them into a file.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace clustersim::record {

enum class DType { Int32, Int64, Float32, Float64, String };

struct Attribute {
  std::string name;
  /// A list of integers is written in the variable's integer type (CF flag_values).
  std::variant<std::string, std::int64_t, double, std::vector<std::int64_t>> value;
};

struct VariableSpec {
  std::string name;
  DType dtype = DType::Float64;
  /// Dimension names, outermost first. Time series start with "replicate", "step".
  std::vector<std::string> dims;
  std::string units;      ///< UDUNITS-style, "1" for counts
  std::string long_name;  ///< human-readable description
  /// Printed (summed over its non-step dims, averaged over replicates) in the run summary.
  bool headline = false;
  std::vector<Attribute> extra_attributes;
  /// The value that marks "missing" (netCDF `_FillValue`), e.g. -1 for "no cluster".
  /// Written as the HDF5 fill value and the `_FillValue` attribute, so readers such as
  /// xarray mask it; a NaN in a Frame is written as this value. Integer fill values must
  /// be whole numbers within the dtype's range. Unset: NaN for reals, no `_FillValue`
  /// (and fill 0) for integers.
  std::optional<double> fill_value;
};

using StaticData = std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;

/// A variable written once when the file is opened; a coordinate variable is a static
/// variable whose single dimension has the same name.
struct StaticVariable {
  VariableSpec spec;
  StaticData data;
};

struct Dimension {
  std::string name;
  std::size_t size = 0;
};

struct Layout {
  std::vector<Dimension> dims;
  std::vector<StaticVariable> statics;
  std::vector<VariableSpec> series;
  std::vector<Attribute> global_attributes;

  const Dimension& dim(const std::string& name) const;
  /// Number of values in one (replicate, step) slice of a series variable ("run" replaces
  /// "replicate" in merged sweep files).
  std::size_t slice_size(const VariableSpec& spec) const;
  std::size_t series_index(const std::string& name) const;
};

/// One value of a code variable and its meaning, one word (CF flag_values / flag_meanings).
struct Flag {
  std::int64_t value;
  std::string meaning;
};

/// Declares `spec` a code variable with these values and meanings (CF `flag_values` and
/// `flag_meanings`; a meaning's characters other than letters, digits and _-.+@ become _).
VariableSpec& set_flags(VariableSpec& spec, const std::vector<Flag>& flags);

/// Declares `spec` an index along dimension `dim` (attribute `index_dimension`): its flags
/// are 0..n-1 meaning the dimension's coordinate values, filled in by resolve_index_flags
/// once the layout's coordinates are known (and again when sweeps are merged, whose
/// dimensions may have grown).
VariableSpec& set_index_flags(VariableSpec& spec, const std::string& dim);

/// Sets the flags of every variable declared with set_index_flags from its dimension's
/// string coordinate (no flags if the dimension is empty).
void resolve_index_flags(Layout& layout);

/// Whether `spec` is a code variable: it has flags or is an index along a dimension.
bool is_code(const VariableSpec& spec);

/// One (replicate, step) slice of every series variable, in Layout::series order. Values
/// are held as double (counts up to 2^53 are exact) and converted to the declared dtype
/// by the writer.
class Frame {
 public:
  explicit Frame(const Layout& layout);
  std::vector<double>& operator[](std::size_t series_index) { return values_[series_index]; }
  const std::vector<double>& operator[](std::size_t series_index) const { return values_[series_index]; }
  std::size_t size() const { return values_.size(); }
  /// Zero every value (the model then accumulates into it).
  void clear();

 private:
  std::vector<std::vector<double>> values_;
};

}  // namespace clustersim::record
