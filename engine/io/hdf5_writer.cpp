#include "engine/io/hdf5_writer.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <tbb/parallel_for.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/io/atomic_file.hpp"
#include "engine/io/hdf5_handle.hpp"

namespace clustersim::io {
namespace {

namespace fs = std::filesystem;
using hdf5::check;
using hdf5::Handle;
using hdf5::own;
using record::Attribute;
using record::DType;
using record::Layout;
using record::StaticVariable;
using record::VariableSpec;

// Series chunks span this many steps: long enough for deflate to find the step-to-step
// redundancy, short enough that the chunk cache (one step-block per variable) stays small.
constexpr hsize_t kStepsPerChunk = 16;
// ~64K values (512 KiB of doubles) per chunk: large enough for good compression and few
// chunk-index entries, small enough that reading one region's time series stays cheap.
constexpr hsize_t kMaxChunkValues = 65536;
// Deflate level 1: with shuffle it keeps ~93 % of level 4's compression on clustersim's
// series (a 400-step run: 2.33 MB against 2.17 MB) at a third less CPU, and compression
// was half of a step's fixed cost (the part that does not scale with the SMEs).
constexpr unsigned kDeflateLevel = 1;
// write() gathers the slices of consecutive steps (up to a chunk's steps) and writes each
// variable's block at once (Impl::write_pending), not one call per variable and step. The
// gathered steps take at most this much memory (fewer steps per block for large frames,
// e.g. a panel of millions of SMEs).
constexpr std::size_t kMaxPendingBytes = std::size_t{64} << 20;

// netCDF-C marks a dimension that has no coordinate variable with a placeholder dataset
// whose dimension-scale NAME starts with this text and ends with the length in "%10d";
// netCDF-C and h5netcdf hide such datasets from the variable list.
constexpr const char* kDimWithoutVariable = "This is a netCDF dimension but not a netCDF variable.";

// Names that the HDF5 dimension-scale API or the netCDF-4 conventions give a meaning; a
// model attribute with one of these names would corrupt the file for netCDF readers.
const std::set<std::string> kReservedAttributeNames = {
    "CLASS", "DIMENSION_LIST", "NAME", "REFERENCE_LIST",                      // HDF5 dimension scales
    "_Netcdf4Dimid", "_Netcdf4Coordinates", "_NCProperties", "_nc3_strict",  // netCDF-4 bookkeeping
    "_SuperblockVersion", "_IsNetcdf4",                                      // netCDF-C virtual attributes
    "_FillValue"};                                                           // written by this writer

template <class Describe>
Handle make_plist(hid_t plist_class, Describe&& describe) {
  return own(H5Pcreate(plist_class), H5Pclose, describe);
}

template <class Describe>
Handle make_space(const std::vector<hsize_t>& shape, Describe&& describe) {
  // A variable without dimensions is an HDF5 scalar, as in netCDF-C.
  hid_t id = shape.empty() ? H5Screate(H5S_SCALAR)
                           : H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr);
  return own(id, H5Sclose, describe);
}

// ---------------------------------------------------------------------------------------
// Types. File types are fixed little-endian so a file is the same on any host.

hid_t memory_type(DType dtype) {
  switch (dtype) {
    case DType::Int32: return H5T_NATIVE_INT32;
    case DType::Int64: return H5T_NATIVE_INT64;
    case DType::Float32: return H5T_NATIVE_FLOAT;
    case DType::Float64: return H5T_NATIVE_DOUBLE;
    case DType::String: break;
  }
  CLUSTERSIM_ASSERT(false, "memory_type: string has no fixed memory type");
}

std::size_t value_bytes(DType dtype) {
  return (dtype == DType::Int32 || dtype == DType::Float32) ? 4 : 8;
}

/// The netCDF-4 `string` type: variable-length, null-terminated UTF-8.
template <class Describe>
Handle make_vlen_string_type(Describe&& describe) {
  Handle type = own(H5Tcopy(H5T_C_S1), H5Tclose, describe);
  check(H5Tset_size(type.get(), H5T_VARIABLE), describe);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), describe);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), describe);
  return type;
}

bool is_float(DType dtype) { return dtype == DType::Float32 || dtype == DType::Float64; }

// Counts are accumulated as doubles (exact up to 2^53); rounding rather than truncating
// keeps 2.9999999 from becoming 2 if a model ever divides and multiplies back.
std::int64_t to_int64(double value, const std::string& variable) {
  CLUSTERSIM_ASSERT(std::isfinite(value) && std::fabs(value) < 9.2e18,
                    "variable '" + variable + "' has dtype int but got value " + std::to_string(value));
  return std::llround(value);
}

std::int32_t narrow_to_int32(std::int64_t value, const std::string& variable) {
  CLUSTERSIM_ASSERT(value >= std::numeric_limits<std::int32_t>::min() &&
                        value <= std::numeric_limits<std::int32_t>::max(),
                    "variable '" + variable + "' has dtype int32 but got value " + std::to_string(value));
  return static_cast<std::int32_t>(value);
}

/// What a variable's missing values are written as (VariableSpec::fill_value): the
/// declared value, else NaN for reals and 0 for integers; held in every memory type so
/// that it can be handed to HDF5.
struct Fill {
  bool declared = false;
  double float64 = std::numeric_limits<double>::quiet_NaN();
  float float32 = std::numeric_limits<float>::quiet_NaN();
  std::int64_t int64 = 0;
  std::int32_t int32 = 0;

  const void* in(DType dtype) const {
    switch (dtype) {
      case DType::Float64: return &float64;
      case DType::Float32: return &float32;
      case DType::Int64: return &int64;
      case DType::Int32: return &int32;
      case DType::String: break;
    }
    CLUSTERSIM_ASSERT(false, "a string variable has no fill value");
  }
};

Fill fill_of(const VariableSpec& spec) {
  Fill fill;
  if (!spec.fill_value || spec.dtype == DType::String) return fill;
  fill.declared = true;
  fill.float64 = *spec.fill_value;
  fill.float32 = static_cast<float>(*spec.fill_value);
  if (!is_float(spec.dtype)) {
    fill.int64 = to_int64(*spec.fill_value, spec.name);
    fill.int32 = spec.dtype == DType::Int32 ? narrow_to_int32(fill.int64, spec.name) : 0;
  }
  return fill;
}

/// The predefined little-endian file type of a numeric dtype.
hid_t numeric_file_type(DType dtype) {
  switch (dtype) {
    case DType::Int32: return H5T_STD_I32LE;
    case DType::Int64: return H5T_STD_I64LE;
    case DType::Float32: return H5T_IEEE_F32LE;
    case DType::Float64: return H5T_IEEE_F64LE;
    case DType::String: break;
  }
  CLUSTERSIM_ASSERT(false, "numeric_file_type: string");
}

template <class Describe>
Handle make_file_type(DType dtype, Describe&& describe) {
  if (dtype == DType::String) return make_vlen_string_type(describe);
  return own(H5Tcopy(numeric_file_type(dtype)), H5Tclose, describe);
}

/// Scratch space for converting doubles to a variable's dtype.
struct ConversionBuffers {
  std::vector<double> float64;
  std::vector<float> float32;
  std::vector<std::int64_t> int64;
  std::vector<std::int32_t> int32;
};

template <class T>
T* room_for(std::vector<T>& buffer, std::size_t n) {
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

/// `values` in the memory type of `dtype` (memory_type(dtype)), in one of `buffers` unless
/// they can be written as they are. A NaN becomes the declared fill value; without one,
/// a NaN in an integer variable is an internal error.
const void* to_memory(const std::vector<double>& values, DType dtype, const Fill& fill, const std::string& name,
                      ConversionBuffers& buffers) {
  const std::size_t n = values.size();
  switch (dtype) {
    case DType::Float64: {
      if (!fill.declared || std::isnan(fill.float64)) return values.data();
      double* out = room_for(buffers.float64, n);
      for (std::size_t i = 0; i < n; ++i) out[i] = std::isnan(values[i]) ? fill.float64 : values[i];
      return out;
    }
    case DType::Float32: {
      float* out = room_for(buffers.float32, n);
      for (std::size_t i = 0; i < n; ++i) out[i] = std::isnan(values[i]) ? fill.float32 : static_cast<float>(values[i]);
      return out;
    }
    case DType::Int64: {
      std::int64_t* out = room_for(buffers.int64, n);
      if (fill.declared) {
        for (std::size_t i = 0; i < n; ++i) out[i] = std::isnan(values[i]) ? fill.int64 : to_int64(values[i], name);
      } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = to_int64(values[i], name);
      }
      return out;
    }
    case DType::Int32: {
      std::int32_t* out = room_for(buffers.int32, n);
      if (fill.declared) {
        for (std::size_t i = 0; i < n; ++i)
          out[i] = std::isnan(values[i]) ? fill.int32 : narrow_to_int32(to_int64(values[i], name), name);
      } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = narrow_to_int32(to_int64(values[i], name), name);
      }
      return out;
    }
    case DType::String: break;
  }
  CLUSTERSIM_ASSERT(false, "variable '" + name + "' has dtype string, not a number");
}

// ---------------------------------------------------------------------------------------
// Attributes, written the way netCDF-C writes them.

bool is_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

template <class Describe>
void write_text_attribute(hid_t owner, const std::string& name, const std::string& text, Describe&& describe) {
  // netCDF-C stores a text attribute as a scalar fixed-length string of exactly the text's
  // length (1 for ""), which ncdump shows as plain text and h5netcdf/xarray as str. The
  // character set is ASCII like netCDF-C unless the text needs UTF-8, so Python decodes it
  // correctly instead of with surrogate escapes.
  Handle type = own(H5Tcopy(H5T_C_S1), H5Tclose, describe);
  check(H5Tset_size(type.get(), std::max<std::size_t>(text.size(), 1)), describe);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), describe);
  check(H5Tset_cset(type.get(), is_ascii(text) ? H5T_CSET_ASCII : H5T_CSET_UTF8), describe);
  Handle space = make_space({}, describe);
  Handle attribute = own(H5Acreate2(owner, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, describe);
  check(H5Awrite(attribute.get(), type.get(), text.c_str()), describe);
}

template <class Describe>
void write_scalar_attribute(hid_t owner, const std::string& name, hid_t file_type, hid_t memory_type,
                            const void* value, Describe&& describe) {
  Handle space = make_space({}, describe);
  Handle attribute = own(H5Acreate2(owner, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, describe);
  check(H5Awrite(attribute.get(), memory_type, value), describe);
}

/// `integer_dtype`: the file type of a list of integers (the variable's own for CF
/// flag_values, which must have the variable's type).
void write_attribute(hid_t owner, const Attribute& attribute, const std::string& owner_description,
                     const std::string& file_name, DType integer_dtype = DType::Int64) {
  auto describe = [&] {
    return "writing attribute '" + attribute.name + "' of " + owner_description + " in " + file_name;
  };
  if (const auto* text = std::get_if<std::string>(&attribute.value)) {
    write_text_attribute(owner, attribute.name, *text, describe);
  } else if (const auto* list = std::get_if<std::vector<std::int64_t>>(&attribute.value)) {
    CLUSTERSIM_ASSERT(!list->empty(), "attribute '" + attribute.name + "' of " + owner_description + " is an empty list");
    const DType dtype = integer_dtype == DType::Int32 ? DType::Int32 : DType::Int64;
    Handle space = make_space({list->size()}, describe);
    Handle a = own(H5Acreate2(owner, attribute.name.c_str(), numeric_file_type(dtype), space.get(), H5P_DEFAULT,
                              H5P_DEFAULT),
                   H5Aclose, describe);
    check(H5Awrite(a.get(), H5T_NATIVE_INT64, list->data()), describe);
  } else if (const auto* integer = std::get_if<std::int64_t>(&attribute.value)) {
    write_scalar_attribute(owner, attribute.name, H5T_STD_I64LE, H5T_NATIVE_INT64, integer, describe);
  } else {
    const double real = std::get<double>(attribute.value);
    write_scalar_attribute(owner, attribute.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &real, describe);
  }
}

// ---------------------------------------------------------------------------------------
// Layout helpers.

std::size_t dim_index(const Layout& layout, const std::string& name) {
  for (std::size_t i = 0; i < layout.dims.size(); ++i)
    if (layout.dims[i].name == name) return i;
  CLUSTERSIM_ASSERT(false, "unknown dimension '" + name + "'");
}

std::vector<hsize_t> shape_of(const Layout& layout, const VariableSpec& spec) {
  std::vector<hsize_t> shape;
  for (const auto& d : spec.dims) shape.push_back(layout.dim(d).size);
  return shape;
}

hsize_t product(const std::vector<hsize_t>& v) {
  hsize_t n = 1;
  for (hsize_t x : v) n *= x;
  return n;
}

bool is_coordinate(const StaticVariable& v) { return v.spec.dims.size() == 1 && v.spec.dims[0] == v.spec.name; }

const StaticVariable* coordinate_of(const Layout& layout, const std::string& dim) {
  for (const auto& v : layout.statics)
    if (is_coordinate(v) && v.spec.name == dim) return &v;
  return nullptr;
}

/// Chunk = 1 replicate × up to kStepsPerChunk steps × the rest whole, shrinking the
/// innermost dimensions first when a chunk would exceed kMaxChunkValues.
std::vector<hsize_t> series_chunk_shape(const std::vector<hsize_t>& shape) {
  std::vector<hsize_t> chunk = shape;
  chunk[0] = 1;
  chunk[1] = std::min(kStepsPerChunk, shape[1]);
  hsize_t values = product(chunk);
  for (std::size_t d = chunk.size(); d-- > 2 && values > kMaxChunkValues;) {
    const hsize_t others = values / chunk[d];
    chunk[d] = std::max<hsize_t>(1, kMaxChunkValues / others);
    values = others * chunk[d];
  }
  return chunk;
}

std::size_t next_prime(std::size_t n) {
  auto is_prime = [](std::size_t k) {
    if (k < 2) return false;
    for (std::size_t f = 2; f * f <= k; ++f)
      if (k % f == 0) return false;
    return true;
  };
  while (!is_prime(n)) ++n;
  return n;
}

bool valid_name(const std::string& name) { return !name.empty() && name.find('/') == std::string::npos && name != "."; }

void validate(const Layout& layout) {
  std::set<std::string> dim_names;
  for (const auto& d : layout.dims) {
    CLUSTERSIM_ASSERT(valid_name(d.name), "invalid dimension name '" + d.name + "'");
    CLUSTERSIM_ASSERT(dim_names.insert(d.name).second, "duplicate dimension '" + d.name + "'");
  }
  std::set<std::string> variable_names;
  auto check_spec = [&](const VariableSpec& spec) {
    CLUSTERSIM_ASSERT(valid_name(spec.name), "invalid variable name '" + spec.name + "'");
    CLUSTERSIM_ASSERT(variable_names.insert(spec.name).second, "duplicate variable '" + spec.name + "'");
    for (const auto& d : spec.dims)
      CLUSTERSIM_ASSERT(dim_names.count(d) == 1, "variable '" + spec.name + "' uses unknown dimension '" + d + "'");
    for (const auto& a : spec.extra_attributes)
      CLUSTERSIM_ASSERT(kReservedAttributeNames.count(a.name) == 0 && a.name != "units" && a.name != "long_name",
                        "variable '" + spec.name + "': attribute name '" + a.name + "' is reserved");
    if (spec.fill_value) {
      const double fill = *spec.fill_value;
      CLUSTERSIM_ASSERT(spec.dtype != DType::String, "variable '" + spec.name + "': a string variable has no fill value");
      const double low = spec.dtype == DType::Int32 ? std::numeric_limits<std::int32_t>::min() : -9.2e18;
      const double high = spec.dtype == DType::Int32 ? std::numeric_limits<std::int32_t>::max() : 9.2e18;
      CLUSTERSIM_ASSERT(is_float(spec.dtype) || (std::trunc(fill) == fill && fill >= low && fill <= high),
                        "variable '" + spec.name + "': fill value " + std::to_string(fill) +
                            " is not a whole number in the range of its integer dtype");
    }
  };
  for (const auto& v : layout.statics) {
    check_spec(v.spec);
    // In HDF5 the dimension's scale dataset carries the dimension's name, so a variable of
    // that name must be the dimension's 1-D coordinate variable.
    CLUSTERSIM_ASSERT(dim_names.count(v.spec.name) == 0 || is_coordinate(v),
                      "static variable '" + v.spec.name + "' is named like a dimension but its dims are not ['" +
                          v.spec.name + "']");
    const std::size_t expected = product(shape_of(layout, v.spec));
    const std::size_t got = std::visit([](const auto& data) { return data.size(); }, v.data);
    CLUSTERSIM_ASSERT(got == expected, "static variable '" + v.spec.name + "' has " + std::to_string(got) +
                                           " values, its shape needs " + std::to_string(expected));
    const bool is_text = std::holds_alternative<std::vector<std::string>>(v.data);
    CLUSTERSIM_ASSERT(is_text == (v.spec.dtype == DType::String),
                      "static variable '" + v.spec.name + "': data and dtype disagree on being strings");
  }
  for (const auto& spec : layout.series) {
    check_spec(spec);
    CLUSTERSIM_ASSERT(dim_names.count(spec.name) == 0, "series variable '" + spec.name + "' is named like a dimension");
    // "run" is the outer dimension of merged sweep files (io/hdf5_merge.hpp).
    CLUSTERSIM_ASSERT(spec.dims.size() >= 2 && (spec.dims[0] == "replicate" || spec.dims[0] == "run") &&
                          spec.dims[0] == layout.series.front().dims[0] && spec.dims[1] == "step",
                      "series variable '" + spec.name + "' must have dims starting with replicate, step (run, step in merged sweep files)");
    CLUSTERSIM_ASSERT(spec.dtype != DType::String, "series variable '" + spec.name + "' cannot be a string");
  }
  for (const auto& a : layout.global_attributes)
    CLUSTERSIM_ASSERT(kReservedAttributeNames.count(a.name) == 0, "global attribute name '" + a.name + "' is reserved");
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

// ---------------------------------------------------------------------------------------

struct SeriesDataset {
  std::string name;
  DType dtype = DType::Float64;
  std::size_t slice_size = 0;
  Handle dataset;
  Handle access_plist;  // carries the chunk cache settings, for reopening
  bool chunked = false;
  Handle file_space;    // reused for every write: only the hyperslab selection changes
  std::vector<hsize_t> start, count;
  Fill fill;
  /// Slices of the pending steps (Impl::pending_*) in the memory type, step after step.
  std::vector<unsigned char> pending;
  std::vector<hsize_t> shape, chunk;  ///< of the dataset (chunk empty: not chunked)
};

/// A chunk filtered by the writer itself: where it goes and its bytes after shuffle and
/// deflate.
struct FilteredChunk {
  std::vector<hsize_t> offset;
  std::vector<unsigned char> bytes;
};

/// HDF5's shuffle filter (H5Zshuffle.c): byte k of every value, then byte k + 1, ...
template <std::size_t kSize>
void shuffle_bytes(const unsigned char* in, std::size_t values, unsigned char* out) {
  for (std::size_t v = 0; v < values; ++v)
    for (std::size_t k = 0; k < kSize; ++k) out[k * values + v] = in[v * kSize + k];
}

/// zlib's deflate at the writer's level, as HDF5's deflate filter runs it (compress2: zlib
/// format, 15-bit window, memLevel 8, default strategy), with one stream and scratch per
/// thread, reset between chunks: setting a stream up allocates and clears ~270 KB, which on
/// this VM took ~75 % of compress2's time for a 31 KB chunk (760-970 us against 190-230 us
/// with a reset stream; a scratch benchmark, 2026-11-27).
class Deflater {
 public:
  Deflater() {
    if (deflateInit2(&stream_, static_cast<int>(kDeflateLevel), Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::bad_alloc();
  }
  ~Deflater() { deflateEnd(&stream_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  /// The zlib stream of `bytes` bytes at `in`.
  std::vector<unsigned char> deflate(const unsigned char* in, std::size_t bytes, const std::string& variable) {
    const std::size_t bound = deflateBound(&stream_, static_cast<uLong>(bytes));
    if (out_.size() < bound) out_.resize(bound);
    const bool reset = deflateReset(&stream_) == Z_OK;
    stream_.next_in = const_cast<Bytef*>(in);  // zlib's API is not const-correct
    stream_.avail_in = static_cast<uInt>(bytes);
    stream_.next_out = out_.data();
    stream_.avail_out = static_cast<uInt>(bound);
    const int status = reset ? ::deflate(&stream_, Z_FINISH) : Z_STREAM_ERROR;
    CLUSTERSIM_ASSERT(status == Z_STREAM_END, "deflate of a chunk of '" + variable + "' failed (zlib status " +
                                                  std::to_string(status) + ")");
    return {out_.data(), out_.data() + (bound - stream_.avail_out)};
  }
  /// Scratch for a chunk before and after shuffling, kept across chunks.
  std::vector<unsigned char> gathered, shuffled;

 private:
  z_stream stream_{};
  std::vector<unsigned char> out_;
};

/// The chunks of `s` that hold steps [first, first + n) of replicate r, which must be whole
/// chunk-blocks (first at a chunk boundary; n a chunk's steps, or the steps up to the end),
/// each gathered from the pending slices, padded with the fill value where it extends past
/// the dataset, shuffled and deflated as HDF5's filters would, ready for H5Dwrite_chunk.
std::vector<FilteredChunk> filter_chunks(const SeriesDataset& s, std::size_t r, std::size_t first, std::size_t n) {
  const std::size_t dims = s.shape.size(), size = value_bytes(s.dtype);
  // A chunk is rows along its innermost dimension (for a series of (replicate, step)
  // alone, one row of steps); rows are copied whole from the pending slices.
  const std::size_t inner = dims - 1;
  const std::size_t row_values = s.chunk[inner];
  std::size_t chunks = 1, chunk_values = s.chunk[1];
  for (std::size_t d = 2; d < dims; ++d) {
    chunks *= (s.shape[d] + s.chunk[d] - 1) / s.chunk[d];
    chunk_values *= s.chunk[d];
  }
  thread_local Deflater deflater;
  auto& gathered = deflater.gathered;
  auto& shuffled = deflater.shuffled;
  gathered.resize(std::max(gathered.size(), chunk_values * size));
  shuffled.resize(std::max(shuffled.size(), chunk_values * size));
  const auto* fill = static_cast<const unsigned char*>(s.fill.in(s.dtype));
  auto pad = [&](unsigned char* to, std::size_t values) {
    for (std::size_t v = 0; v < values; ++v) std::memcpy(to + v * size, fill, size);
  };
  std::vector<FilteredChunk> out(chunks);
  std::vector<hsize_t> grid(dims, 0), at(dims, 0);  // the chunk's grid position; a row's position in it
  for (std::size_t c = 0; c < chunks; ++c) {
    unsigned char* to = gathered.data();
    if (dims == 2) {  // one row: the steps
      std::memcpy(to, s.pending.data(), n * size);
      pad(to + n * size, row_values - n);
    } else {
      std::fill(at.begin(), at.end(), 0);
      for (std::size_t row = 0; row < chunk_values / row_values; ++row, to += row_values * size) {
        bool inside = at[1] < n;
        std::size_t slice_index = 0;  // of the row's first value, within one step's slice
        for (std::size_t d = 2; d < dims; ++d) {
          const hsize_t x = grid[d] * s.chunk[d] + at[d];
          inside = inside && x < s.shape[d];
          slice_index = slice_index * s.shape[d] + x;
        }
        const std::size_t valid =
            inside ? std::min<std::size_t>(row_values, s.shape[inner] - grid[inner] * s.chunk[inner]) : 0;
        if (valid > 0) std::memcpy(to, s.pending.data() + (at[1] * s.slice_size + slice_index) * size, valid * size);
        pad(to + valid * size, row_values - valid);
        for (std::size_t d = inner; d-- > 1;) {  // the next row: the outer dimensions, innermost first
          if (++at[d] < s.chunk[d]) break;
          at[d] = 0;
        }
      }
    }
    if (size == 8)
      shuffle_bytes<8>(gathered.data(), chunk_values, shuffled.data());
    else
      shuffle_bytes<4>(gathered.data(), chunk_values, shuffled.data());
    out[c].bytes = deflater.deflate(shuffled.data(), chunk_values * size, s.name);
    out[c].offset.assign(dims, 0);
    out[c].offset[0] = r;
    out[c].offset[1] = first;
    for (std::size_t d = 2; d < dims; ++d) out[c].offset[d] = grid[d] * s.chunk[d];
    for (std::size_t d = dims; d-- > 2;) {  // the next chunk of the block
      if ((++grid[d]) * s.chunk[d] < s.shape[d]) break;
      grid[d] = 0;
    }
  }
  return out;
}

struct Hdf5Writer::Impl {
  fs::path target;
  // Declared before the HDF5 handles so it is destroyed after them: the temporary file
  // stays locked (a live writer's) until HDF5 has closed it, then it is removed.
  LockedTemporary temporary;
  std::string temporary_name;  // for messages
  // Declared before the datasets so it is destroyed after them: with H5F_CLOSE_SEMI the
  // file cannot close while a dataset is still open.
  Handle file;
  std::vector<SeriesDataset> series;
  std::size_t replicates = 0;
  std::size_t steps = 0;
  // Sized once at define(), so write() allocates nothing.
  ConversionBuffers buffers;
  // Steps written but not yet handed to HDF5: pending_steps consecutive steps of replicate
  // pending_replicate from pending_first, all within one chunk's steps; at most
  // block_steps of them.
  std::size_t block_steps = 1;
  std::size_t pending_replicate = 0, pending_first = 0, pending_steps = 0;
  bool defined = false;
  bool committed = false;

  // The steps dimension is not a multiple of the chunk's steps, so the last block of
  // every replicate is a partial chunk (see evict_chunks).
  bool has_partial_last_block = false;

  Impl(fs::path target_path, Hdf5Format format);
  ~Impl();
  void create_file(Hdf5Format format);
  void write_globals(const Layout& layout);
  Handle create_placeholder_scale(const record::Dimension& dim);
  Handle create_static(const Layout& layout, const StaticVariable& variable);
  SeriesDataset create_series(const Layout& layout, const VariableSpec& spec);
  Handle dataset_creation_plist(const std::string& what);
  void write_variable_attributes(hid_t dataset, const VariableSpec& spec);
  void evict_chunks();
  void write_pending();
  void close_all() noexcept;
  void write_fill_attribute(hid_t dataset, const VariableSpec& spec, const Fill& fill);
};

/// Refuses, naming the target, an output location the writer cannot use.
fs::path usable_target(fs::path target) {
  fs::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  std::error_code ec;
  if (!fs::exists(directory, ec))
    throw std::runtime_error("cannot write '" + target.string() + "': directory '" + directory.string() +
                             "' does not exist");
  if (!fs::is_directory(directory, ec))
    throw std::runtime_error("cannot write '" + target.string() + "': '" + directory.string() +
                             "' is not a directory");
  if (::access(directory.c_str(), W_OK | X_OK) != 0)
    throw std::runtime_error("cannot write '" + target.string() + "': directory '" + directory.string() +
                             "' is not writable (" + std::strerror(errno) + ")");
  if (fs::is_directory(target, ec))
    throw std::runtime_error("cannot write '" + target.string() + "': it is a directory");
  // Temporary files of writers that were killed are never complete (atomic_file.hpp).
  remove_dead_temporaries(target);
  return target;
}

Hdf5Writer::Impl::Impl(fs::path target_path, Hdf5Format format)
    : target(usable_target(std::move(target_path))), temporary(target), temporary_name(temporary.path().string()) {
  // The library would otherwise print its error stack to stderr; we report through
  // exceptions instead.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  // HDF5 keeps freed blocks on internal free lists without limit; cap them (1 MiB per list
  // kind) so that writing or merging thousands of runs does not grow memory.
  H5set_free_list_limits(4 << 20, 1 << 20, 4 << 20, 1 << 20, 4 << 20, 1 << 20);
  create_file(format);
}

void Hdf5Writer::Impl::create_file(Hdf5Format format) {
  auto describe = [&] { return "creating '" + temporary_name + "'"; };
  Handle fcpl = make_plist(H5P_FILE_CREATE, describe);
  // netCDF-4 lists dimensions, variables and attributes in creation order, which needs
  // HDF5 to track (and index, for files with many objects) the order.
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), describe);
  check(H5Pset_attr_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), describe);
  // Time stamps would make two runs with the same seed differ in bytes.
  check(H5Pset_obj_track_times(fcpl.get(), false), describe);
  Handle fapl = make_plist(H5P_FILE_ACCESS, describe);
  // The 1.8 format: readable by netCDF-C and h5py built on any HDF5 >= 1.8 (netCDF-C 4.9
  // itself allows newer formats). Its object headers can move attributes to dense storage,
  // which a scenario text over 64 KiB needs: with the "earliest" format and no
  // creation-order tracking, creating such an attribute fails. The 1.10 format adds the
  // Fixed Array chunk index (Hdf5Format::V110, for merged sweeps).
  const H5F_libver_t version = format == Hdf5Format::V110 ? H5F_LIBVER_V110 : H5F_LIBVER_V18;
  check(H5Pset_libver_bounds(fapl.get(), version, version), describe);
  // Fail the close in commit() rather than silently leave the file open if a handle leaks.
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), describe);
  // The temporary file is already locked by LockedTemporary, which HDF5's own lock (a
  // flock on its own descriptor) would collide with.
  check(H5Pset_file_locking(fapl.get(), false, true), describe);
  // Bound the metadata cache: HDF5 lets it grow adaptively up to 32 MiB as chunk indexes
  // grow, so a merge of thousands of runs would take memory in proportion to the runs.
  // 4 MiB keeps memory flat whatever the file's size, at no visible cost in speed. A merged
  // (1.10-format) file needs less: its Fixed Array chunk indexes are looked up directly, and
  // 1 MiB made merging 1,000 tiny runs 0.7 MB smaller and no slower (docs/DISTRIBUTED.md).
  H5AC_cache_config_t mdc{};
  mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.get(), &mdc), describe);
  mdc.set_initial_size = true;
  mdc.initial_size = 1 << 20;
  mdc.max_size = format == Hdf5Format::V110 ? (1 << 20) : (4 << 20);
  mdc.min_size = 1 << 20;
  check(H5Pset_mdc_config(fapl.get(), &mdc), describe);
  file = own(H5Fcreate(temporary_name.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose, describe);
}

Hdf5Writer::Impl::~Impl() { close_all(); }

// Closing a dataset or the file flushes HDF5's caches, which fails on a full disk. An
// uncommitted file is discarded anyway, so its disk space is freed first: the flushes then
// usually succeed and every id really closes. When even that is not enough room for the
// file's metadata, the file stays open inside HDF5; hdf5_handle.cpp keeps HDF5's exit
// cleanup, which would retry the flush and crash, from running.
void Hdf5Writer::Impl::close_all() noexcept {
  if (!committed) temporary.release_space();
  series.clear();
  file.reset();
}

Handle Hdf5Writer::Impl::dataset_creation_plist(const std::string& what) {
  auto describe = [&] { return what + " in " + temporary_name; };
  Handle dcpl = make_plist(H5P_DATASET_CREATE, describe);
  check(H5Pset_attr_creation_order(dcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), describe);
  check(H5Pset_obj_track_times(dcpl.get(), false), describe);
  return dcpl;
}

void Hdf5Writer::Impl::write_globals(const Layout& layout) {
  auto describe = [&] { return "opening the root group of " + temporary_name; };
  Handle root = own(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose, describe);
  for (const auto& attribute : layout.global_attributes)
    write_attribute(root.get(), attribute, "the file", temporary_name);
}

void Hdf5Writer::Impl::write_variable_attributes(hid_t dataset, const VariableSpec& spec) {
  const std::string owner = "variable '" + spec.name + "'";
  if (!spec.units.empty()) write_attribute(dataset, {"units", spec.units}, owner, temporary_name);
  write_attribute(dataset, {"long_name", spec.long_name}, owner, temporary_name);
  for (const auto& attribute : spec.extra_attributes)
    write_attribute(dataset, attribute, owner, temporary_name, spec.dtype);
}

Handle Hdf5Writer::Impl::create_placeholder_scale(const record::Dimension& dim) {
  const std::string what = "creating dimension '" + dim.name + "'";
  auto describe = [&] { return what + " in " + temporary_name; };
  Handle dcpl = dataset_creation_plist(what);
  Handle space = make_space({dim.size}, describe);
  // Same type and (absent) storage as netCDF-C's placeholder: no data is ever written.
  Handle dataset = own(H5Dcreate2(file.get(), dim.name.c_str(), H5T_IEEE_F32BE, space.get(), H5P_DEFAULT, dcpl.get(),
                               H5P_DEFAULT), H5Dclose, describe);
  std::array<char, 128> scale_name{};
  std::snprintf(scale_name.data(), scale_name.size(), "%s%10zu", kDimWithoutVariable, dim.size);
  check(H5DSset_scale(dataset.get(), scale_name.data()), describe);
  return dataset;
}

Handle Hdf5Writer::Impl::create_static(const Layout& layout, const StaticVariable& variable) {
  const VariableSpec& spec = variable.spec;
  const std::string what = "creating variable '" + spec.name + "'";
  auto describe = [&] { return what + " in " + temporary_name; };
  Handle dcpl = dataset_creation_plist(what);
  const Fill fill = fill_of(spec);
  if (fill.declared) check(H5Pset_fill_value(dcpl.get(), memory_type(spec.dtype), fill.in(spec.dtype)), describe);
  Handle space = make_space(shape_of(layout, spec), describe);
  Handle type = make_file_type(spec.dtype, describe);
  Handle dataset = own(
      H5Dcreate2(file.get(), spec.name.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, describe);
  write_variable_attributes(dataset.get(), spec);
  if (fill.declared) write_fill_attribute(dataset.get(), spec, fill);

  auto describe_write = [&] { return "writing variable '" + spec.name + "' in " + temporary_name; };
  auto write_all = [&](hid_t memory, const void* data) {
    check(H5Dwrite(dataset.get(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), describe_write);
  };
  if (const auto* texts = std::get_if<std::vector<std::string>>(&variable.data)) {
    if (texts->empty()) return dataset;
    std::vector<const char*> pointers;
    pointers.reserve(texts->size());
    for (const auto& s : *texts) pointers.push_back(s.c_str());
    write_all(type.get(), pointers.data());
  } else if (const auto* integers = std::get_if<std::vector<std::int64_t>>(&variable.data)) {
    if (integers->empty()) return dataset;
    if (spec.dtype == DType::Int32) {
      std::vector<std::int32_t> narrow(integers->size());
      for (std::size_t i = 0; i < narrow.size(); ++i) narrow[i] = narrow_to_int32((*integers)[i], spec.name);
      write_all(H5T_NATIVE_INT32, narrow.data());
    } else {
      // HDF5 converts int64 to the float types exactly where representable.
      write_all(H5T_NATIVE_INT64, integers->data());
    }
  } else {
    const auto& reals = std::get<std::vector<double>>(variable.data);
    if (reals.empty()) return dataset;
    ConversionBuffers scratch;
    // Reals go to HDF5 as doubles (it converts to float32); integers are rounded, not
    // truncated as HDF5 would, the same as series values.
    const DType memory = is_float(spec.dtype) ? DType::Float64 : spec.dtype;
    write_all(memory_type(memory), to_memory(reals, memory, fill, spec.name, scratch));
  }
  return dataset;
}

SeriesDataset Hdf5Writer::Impl::create_series(const Layout& layout, const VariableSpec& spec) {
  const std::string what = "creating variable '" + spec.name + "'";
  auto describe = [&] { return what + " in " + temporary_name; };
  const std::vector<hsize_t> shape = shape_of(layout, spec);

  Handle dcpl = dataset_creation_plist(what);
  Handle dapl = make_plist(H5P_DATASET_ACCESS, describe);
  // Unwritten slices (a replicate that was never run, a merged run's missing clusters)
  // read back as the fill value: NaN for reals unless declared otherwise.
  const Fill fill = fill_of(spec);
  check(H5Pset_fill_value(dcpl.get(), memory_type(spec.dtype), fill.in(spec.dtype)), describe);

  // HDF5 cannot chunk a dimension of length 0; such a dataset holds nothing anyway.
  if (product(shape) > 0) {
    const std::vector<hsize_t> chunk = series_chunk_shape(shape);
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), describe);
    check(H5Pset_shuffle(dcpl.get()), describe);
    check(H5Pset_deflate(dcpl.get(), kDeflateLevel), describe);

    // The cache must hold every chunk that the current step-block of a replicate touches:
    // a chunk evicted before all its steps are written would be compressed, then read,
    // decompressed and recompressed for each later step. With w0 = 1, HDF5 (verified with
    // 1.10.8) evicts only chunks whose every value has been written, least recently used
    // first, and keeps partially written ones even beyond the cache size. So a cache of one
    // block evicts (compresses) each finished chunk as the next block starts, memory stays
    // at one block per replicate in flight whatever the number of steps, and replicates
    // written interleaved never thrash. Should a later HDF5 evict partial chunks, only
    // interleaved writing would get slower; the data stay the same.
    std::size_t chunks_per_block = 1;
    for (std::size_t d = 2; d < shape.size(); ++d) chunks_per_block *= (shape[d] + chunk[d] - 1) / chunk[d];
    const std::size_t cache_bytes = chunks_per_block * product(chunk) * value_bytes(spec.dtype);
    // HDF5 advises ~100 hash slots per cached chunk (prime): a collision evicts a chunk
    // early. A slot is one pointer.
    const std::size_t slots = next_prime(std::max<std::size_t>(101, 100 * chunks_per_block));
    check(H5Pset_chunk_cache(dapl.get(), slots, cache_bytes, 1.0), describe);
  }

  Handle space = make_space(shape, describe);
  Handle type = make_file_type(spec.dtype, describe);
  SeriesDataset s;
  s.chunked = product(shape) > 0;
  s.shape = shape;
  if (s.chunked) s.chunk = series_chunk_shape(shape);
  s.name = spec.name;
  s.dtype = spec.dtype;
  s.slice_size = layout.slice_size(spec);
  s.fill = fill;
  s.dataset = own(H5Dcreate2(file.get(), spec.name.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(),
                                   dapl.get()), H5Dclose, describe);
  s.access_plist = std::move(dapl);
  write_variable_attributes(s.dataset.get(), spec);
  // For reals, tells netCDF-C based tools (ncdump, CDO, NCO) that NaN means missing;
  // without it they assume netCDF's default fill value 9.97e36. Integers have no NaN, and
  // without a declared fill value every value of theirs is data.
  if (fill.declared || is_float(spec.dtype)) write_fill_attribute(s.dataset.get(), spec, fill);
  s.file_space = own(H5Dget_space(s.dataset.get()), H5Sclose, describe);
  s.start.assign(shape.size(), 0);
  s.count = shape;
  s.count[0] = 1;
  s.count[1] = 1;
  return s;
}

// A partial last block is never "fully written" in HDF5's sense (the chunk extends past
// the last step), so with w0 = 1 it would stay cached until commit: memory would grow by
// one block per replicate. Closing a dataset is the only way to evict its chunks, and
// reopening it is cheap next to a replicate's worth of steps.
void Hdf5Writer::Impl::evict_chunks() {
  for (auto& s : series) {
    if (!s.chunked) continue;
    check(s.dataset.close(), [&] { return "flushing variable '" + s.name + "' to " + temporary_name; });
    s.dataset = own(H5Dopen2(file.get(), s.name.c_str(), s.access_plist.get()), H5Dclose, [&] { return "reopening variable '" + s.name + "' in " + temporary_name; });
  }
}

void Hdf5Writer::Impl::write_fill_attribute(hid_t dataset, const VariableSpec& spec, const Fill& fill) {
  // netCDF-4 requires _FillValue to have the variable's type and to equal the HDF5 fill
  // value property.
  write_scalar_attribute(dataset, "_FillValue", numeric_file_type(spec.dtype), memory_type(spec.dtype),
                         fill.in(spec.dtype), [&] {
                           return "writing attribute '_FillValue' of variable '" + spec.name + "' in " + temporary_name;
                         });
}

// ---------------------------------------------------------------------------------------

Hdf5Writer::Hdf5Writer(std::filesystem::path target, Hdf5Format format)
    : impl_(std::make_unique<Impl>(std::move(target), format)) {}

Hdf5Writer::~Hdf5Writer() = default;

const std::filesystem::path& Hdf5Writer::temporary_path() const { return impl_->temporary.path(); }

void Hdf5Writer::define(const Layout& layout) {
  Impl& w = *impl_;
  CLUSTERSIM_ASSERT(!w.defined && !w.committed, "Hdf5Writer::define called twice or after commit");
  validate(layout);
  w.write_globals(layout);

  // Scales are created first and in Layout order: netCDF-C numbers dimensions in the
  // order their scales were created, and _Netcdf4Dimid pins that order explicitly.
  std::vector<Handle> scales;
  for (std::size_t i = 0; i < layout.dims.size(); ++i) {
    const auto& dim = layout.dims[i];
    auto describe = [&] { return "creating dimension '" + dim.name + "' in " + w.temporary_name; };
    Handle scale;
    if (const StaticVariable* coordinate = coordinate_of(layout, dim.name)) {
      scale = w.create_static(layout, *coordinate);
      check(H5DSset_scale(scale.get(), dim.name.c_str()), describe);
    } else {
      scale = w.create_placeholder_scale(dim);
    }
    const auto dimid = static_cast<std::int32_t>(i);
    write_scalar_attribute(scale.get(), "_Netcdf4Dimid", H5T_STD_I32LE, H5T_NATIVE_INT32, &dimid, describe);
    scales.push_back(std::move(scale));
  }

  auto attach_scales = [&](hid_t dataset, const VariableSpec& spec) {
    for (std::size_t axis = 0; axis < spec.dims.size(); ++axis) {
      check(H5DSattach_scale(dataset, scales[dim_index(layout, spec.dims[axis])].get(), static_cast<unsigned>(axis)),
            [&] {
              return "attaching dimension '" + spec.dims[axis] + "' to variable '" + spec.name + "' in " +
                     w.temporary_name;
            });
    }
  };
  for (const auto& variable : layout.statics) {
    if (is_coordinate(variable)) continue;
    Handle dataset = w.create_static(layout, variable);
    attach_scales(dataset.get(), variable.spec);
  }

  std::size_t largest_slice = 0;
  w.series.reserve(layout.series.size());
  for (const auto& spec : layout.series) {
    SeriesDataset s = w.create_series(layout, spec);
    attach_scales(s.dataset.get(), spec);
    largest_slice = std::max(largest_slice, s.slice_size);
    w.series.push_back(std::move(s));
  }
  scales.clear();

  if (!layout.series.empty()) {
    w.replicates = layout.dim(layout.series.front().dims[0]).size;
    w.steps = layout.dim("step").size;
    w.has_partial_last_block = w.steps > 0 && w.steps % std::min<std::size_t>(kStepsPerChunk, w.steps) != 0;
  }
  std::size_t frame_bytes = 0;
  for (const auto& s : w.series) frame_bytes += s.slice_size * value_bytes(s.dtype);
  w.block_steps = std::clamp<std::size_t>(kMaxPendingBytes / std::max<std::size_t>(frame_bytes, 1), 1,
                                          std::min<std::size_t>(kStepsPerChunk, std::max<std::size_t>(w.steps, 1)));
  for (auto& s : w.series) s.pending.resize(w.block_steps * s.slice_size * value_bytes(s.dtype));
  w.buffers.float64.resize(largest_slice);
  w.buffers.float32.resize(largest_slice);
  w.buffers.int64.resize(largest_slice);
  w.buffers.int32.resize(largest_slice);
  w.defined = true;
}

void Hdf5Writer::write(std::size_t replicate, std::size_t step_index, const record::Frame& frame) {
  Impl& w = *impl_;
  CLUSTERSIM_ASSERT(w.defined && !w.committed, "Hdf5Writer::write called before define or after commit");
  CLUSTERSIM_ASSERT(frame.size() == w.series.size(), "frame has " + std::to_string(frame.size()) +
                                                         " variables, layout has " + std::to_string(w.series.size()));
  if (w.series.empty()) return;
  CLUSTERSIM_ASSERT(replicate < w.replicates && step_index < w.steps,
                    "write at replicate " + std::to_string(replicate) + ", step " + std::to_string(step_index) +
                        " outside " + std::to_string(w.replicates) + " x " + std::to_string(w.steps));
  // The step joins the pending ones if it follows them in the same replicate and chunk;
  // otherwise they are written first (any order of calls stays correct, only slower).
  const bool follows = w.pending_steps > 0 && replicate == w.pending_replicate &&
                       step_index == w.pending_first + w.pending_steps && w.pending_steps < w.block_steps &&
                       step_index / kStepsPerChunk == w.pending_first / kStepsPerChunk;
  if (w.pending_steps > 0 && !follows) w.write_pending();
  if (w.pending_steps == 0) {
    w.pending_replicate = replicate;
    w.pending_first = step_index;
  }
  for (std::size_t i = 0; i < w.series.size(); ++i) {
    SeriesDataset& s = w.series[i];
    const std::vector<double>& values = frame[i];
    CLUSTERSIM_ASSERT(values.size() == s.slice_size, "frame slice of '" + s.name + "' has " +
                                                         std::to_string(values.size()) + " values, expected " +
                                                         std::to_string(s.slice_size));
    if (s.slice_size == 0) continue;
    const std::size_t bytes = s.slice_size * value_bytes(s.dtype);
    std::memcpy(s.pending.data() + w.pending_steps * bytes, to_memory(values, s.dtype, s.fill, s.name, w.buffers), bytes);
  }
  ++w.pending_steps;
  const bool block_done = w.pending_steps == w.block_steps || step_index + 1 == w.steps ||
                          (step_index + 1) % kStepsPerChunk == 0;
  if (block_done) w.write_pending();
  if (w.has_partial_last_block && step_index + 1 == w.steps) w.evict_chunks();
}

/// Hands the pending steps of every variable to HDF5. A whole chunk-block (the usual case:
/// a run writes its steps in order) is filtered here, its variables in parallel, and
/// written chunk by chunk as it is (H5Dwrite_chunk): deflate was most of what writing cost,
/// and HDF5 would run it on one thread. The chunks' bytes are what HDF5's own filters
/// produce, so readers see an ordinary shuffled, deflated dataset. Anything else (steps
/// written out of order) goes through H5Dwrite.
void Hdf5Writer::Impl::write_pending() {
  if (pending_steps == 0) return;
  const std::size_t first = pending_first, n = pending_steps;
  pending_steps = 0;
  auto writing = [&](const SeriesDataset& s) {
    return "writing variable '" + s.name + "' at replicate " + std::to_string(pending_replicate) + ", steps " +
           std::to_string(first) + " to " + std::to_string(first + n - 1) + " in " + temporary_name;
  };
  const bool whole_block = first % kStepsPerChunk == 0 && (n == kStepsPerChunk || first + n == steps);
  if (whole_block) {
    std::vector<std::vector<FilteredChunk>> filtered(series.size());
    tbb::parallel_for(std::size_t{0}, series.size(), [&](std::size_t i) {
      if (series[i].chunked && series[i].slice_size > 0) filtered[i] = filter_chunks(series[i], pending_replicate, first, n);
    });
    for (std::size_t i = 0; i < series.size(); ++i)
      for (const FilteredChunk& c : filtered[i])
        check(H5Dwrite_chunk(series[i].dataset.get(), H5P_DEFAULT, 0, c.offset.data(), c.bytes.size(), c.bytes.data()),
              [&] { return writing(series[i]); });
    return;
  }
  for (SeriesDataset& s : series) {
    if (s.slice_size == 0) continue;
    auto describe = [&] { return writing(s); };
    s.start[0] = pending_replicate;
    s.start[1] = first;
    s.count[1] = n;
    check(H5Sselect_hyperslab(s.file_space.get(), H5S_SELECT_SET, s.start.data(), nullptr, s.count.data(), nullptr),
          describe);
    // The memory space has the selection's shape: with a 1-D one, HDF5 maps the values to
    // chunks one at a time (H5S_select_iterate was most of the writer's time).
    const Handle memory = make_space(s.count, describe);
    check(H5Dwrite(s.dataset.get(), memory_type(s.dtype), memory.get(), s.file_space.get(), H5P_DEFAULT,
                   s.pending.data()),
          describe);
  }
}

void Hdf5Writer::commit() {
  Impl& w = *impl_;
  CLUSTERSIM_ASSERT(w.defined && !w.committed, "Hdf5Writer::commit called before define or twice");
  w.write_pending();
  // Closing a dataset flushes its chunk cache, which is where chunks written through
  // H5Dwrite get compressed, so these closes can fail for real (e.g. disk full) and are
  // checked.
  for (auto& s : w.series) {
    s.file_space.reset();
    s.access_plist.reset();
    check(s.dataset.close(), [&] { return "flushing variable '" + s.name + "' to " + w.temporary_name; });
  }
  w.series.clear();
  check(w.file.close(), [&] { return "closing " + w.temporary_name; });
  w.temporary.commit();
  w.committed = true;
}

}  // namespace clustersim::io

namespace clustersim::record {

std::unique_ptr<Writer> make_writer(const std::filesystem::path& target) {
  io::require_hdf5_extension(target);
  return std::make_unique<io::Hdf5Writer>(target);
}

}  // namespace clustersim::record

namespace clustersim::io {

void require_hdf5_extension(const std::filesystem::path& target) {
  const std::string extension = lowercase(target.extension().string());
  if (extension == ".h5" || extension == ".hdf5" || extension == ".nc") return;
  throw UsageError("output file '" + target.string() + "': " +
                   (extension.empty() ? std::string("has no extension") : "unsupported extension '" + extension + "'") +
                   "; accepted: .h5, .hdf5, .nc (netCDF-4/HDF5)");
}

}  // namespace clustersim::io
