#include "engine/io/hdf5_merge.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_handle.hpp"
#include "engine/io/hdf5_writer.hpp"

namespace clustersim::io {
namespace {

namespace fs = std::filesystem;
using record::DType;

constexpr const char* kDimWithoutVariable = "This is a netCDF dimension but not a netCDF variable.";

using hdf5::check;
using hdf5::Handle;
using hdf5::own;

std::vector<hsize_t> shape_of(hid_t dataset) {
  Handle space = own(H5Dget_space(dataset), H5Sclose, "reading a dataspace");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

bool has_attribute(hid_t object, const char* name) { return H5Aexists(object, name) > 0; }

/// Text or number attribute; nullopt-like: false when it is neither.
bool read_attribute(hid_t object, const std::string& name, record::Attribute& out) {
  Handle attribute = own(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "opening attribute " + name);
  Handle type = own(H5Aget_type(attribute.get()), H5Tclose, "attribute type");
  Handle space = own(H5Aget_space(attribute.get()), H5Sclose, "attribute space");
  out.name = name;
  // A 1-D integer attribute is a list (CF flag_values), even of one value.
  if (H5Sget_simple_extent_ndims(space.get()) == 1 && H5Tget_class(type.get()) == H5T_INTEGER) {
    std::vector<std::int64_t> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
    if (values.empty()) return false;
    check(H5Aread(attribute.get(), H5T_NATIVE_INT64, values.data()), "reading attribute " + name);
    out.value = std::move(values);
    return true;
  }
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return false;
  switch (H5Tget_class(type.get())) {
    case H5T_STRING: {
      if (H5Tis_variable_str(type.get()) > 0) {
        char* text = nullptr;
        Handle memory = own(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
        H5Tset_size(memory.get(), H5T_VARIABLE);
        check(H5Aread(attribute.get(), memory.get(), &text), "reading attribute " + name);
        out.value = std::string(text ? text : "");
        H5free_memory(text);
      } else {
        std::string text(H5Tget_size(type.get()) + 1, '\0');
        check(H5Aread(attribute.get(), type.get(), text.data()), "reading attribute " + name);
        out.value = std::string(text.c_str());
      }
      return true;
    }
    case H5T_INTEGER: {
      std::int64_t v = 0;
      check(H5Aread(attribute.get(), H5T_NATIVE_INT64, &v), "reading attribute " + name);
      out.value = v;
      return true;
    }
    case H5T_FLOAT: {
      double v = 0;
      check(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &v), "reading attribute " + name);
      out.value = v;
      return true;
    }
    default: return false;
  }
}

std::string text_attribute(hid_t object, const char* name) {
  record::Attribute a;
  if (!has_attribute(object, name) || !read_attribute(object, name, a)) return {};
  const auto* text = std::get_if<std::string>(&a.value);
  return text ? *text : std::string();
}

/// A number attribute as double (NaN for a NaN _FillValue); nullopt if it is not a number.
std::optional<double> number_attribute(hid_t object, const char* name) {
  Handle attribute =
      own(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, [&] { return std::string("opening attribute ") + name; });
  Handle space = own(H5Aget_space(attribute.get()), H5Sclose, "attribute space");
  Handle type = own(H5Aget_type(attribute.get()), H5Tclose, "attribute type");
  const H5T_class_t kind = H5Tget_class(type.get());
  if (H5Sget_simple_extent_npoints(space.get()) != 1 || (kind != H5T_INTEGER && kind != H5T_FLOAT)) return std::nullopt;
  double value = 0;
  check(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value), [&] { return std::string("reading attribute ") + name; });
  return value;
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  H5Aiterate2(object, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr,
              [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
                static_cast<std::vector<std::string>*>(data)->push_back(name);
                return 0;
              },
              &names);
  return names;
}

bool reserved(const std::string& name) {
  static const std::vector<std::string> kReserved = {"CLASS", "DIMENSION_LIST", "NAME", "REFERENCE_LIST",
                                                     "_Netcdf4Dimid", "_Netcdf4Coordinates", "_NCProperties",
                                                     "_nc3_strict", "_FillValue", "units", "long_name"};
  return std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end();
}

DType dtype_of(hid_t dataset, const std::string& name) {
  Handle type = own(H5Dget_type(dataset), H5Tclose, "reading the type of " + name);
  const std::size_t size = H5Tget_size(type.get());
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER: return size <= 4 ? DType::Int32 : DType::Int64;
    case H5T_FLOAT: return size <= 4 ? DType::Float32 : DType::Float64;
    case H5T_STRING: return DType::String;
    default: throw std::runtime_error("variable '" + name + "' has a type clustersim does not write");
  }
}

// An object's identity within its file: its address (HDF5 1.10) or token (1.12 and later).
// Comparing identities tells which dimension scale an axis is attached to; H5Iget_name
// would tell too, but it searches the whole group for the object on every call, which was
// most of a merge's time.
#if H5_VERSION_GE(1, 12, 0)
std::string identity_of(const H5O_info2_t& info) {
  return std::string(reinterpret_cast<const char*>(&info.token), sizeof info.token);
}
bool object_info(hid_t object, H5O_info2_t& info) { return H5Oget_info3(object, &info, H5O_INFO_BASIC) >= 0; }
bool object_info_by_name(hid_t group, const char* name, H5O_info2_t& info) {
  return H5Oget_info_by_name3(group, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0;
}
using ObjectInfo = H5O_info2_t;
#else
std::string identity_of(const H5O_info_t& info) {
  return std::string(reinterpret_cast<const char*>(&info.addr), sizeof info.addr);
}
bool object_info(hid_t object, H5O_info_t& info) { return H5Oget_info2(object, &info, H5O_INFO_BASIC) >= 0; }
bool object_info_by_name(hid_t group, const char* name, H5O_info_t& info) {
  return H5Oget_info_by_name2(group, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0;
}
using ObjectInfo = H5O_info_t;
#endif

/// A root-group dataset: its name and identity.
struct DatasetEntry {
  std::string name, identity;
};

/// The names of the dimension scales attached to each axis ("" where none is).
/// `datasets` maps identities to names.
std::vector<std::string> dims_of(hid_t dataset, std::size_t rank, const std::map<std::string, std::string>& datasets) {
  std::vector<std::string> dims(rank);
  struct Lookup {
    const std::map<std::string, std::string>* datasets;
    std::string name;
  };
  for (unsigned axis = 0; axis < rank; ++axis) {
    Lookup lookup{&datasets, {}};
    H5DSiterate_scales(dataset, axis, nullptr,
                       [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
                         auto& l = *static_cast<Lookup*>(data);
                         ObjectInfo info;
                         if (object_info(scale, info)) {
                           const auto it = l.datasets->find(identity_of(info));
                           if (it != l.datasets->end()) {
                             l.name = it->second;
                             return 1;
                           }
                         }
                         // A scale outside the root group: ask for its path (slow, never
                         // the case in files clustersim writes).
                         char buffer[512];
                         const ssize_t n = H5Iget_name(scale, buffer, sizeof buffer);
                         std::string text(buffer, static_cast<std::size_t>(std::clamp<ssize_t>(n, 0, sizeof buffer - 1)));
                         if (!text.empty() && text[0] == '/') text.erase(0, 1);
                         l.name = text;
                         return 1;
                       },
                       &lookup);
    dims[axis] = lookup.name;
  }
  return dims;
}

std::vector<std::string> read_strings(hid_t dataset, std::size_t count) {
  std::vector<char*> pointers(count, nullptr);
  Handle memory = own(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  H5Tset_size(memory.get(), H5T_VARIABLE);
  H5Tset_cset(memory.get(), H5T_CSET_UTF8);
  std::vector<std::string> out(count);
  if (count == 0) return out;
  check(H5Dread(dataset, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "reading strings");
  for (std::size_t i = 0; i < count; ++i) out[i] = pointers[i] ? pointers[i] : "";
  Handle space = own(H5Dget_space(dataset), H5Sclose, "dataspace");
  H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, pointers.data());
  return out;
}

std::size_t count_of(const std::vector<hsize_t>& shape) {
  std::size_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

/// The root group's datasets in creation order (name order if creation order is not
/// indexed, as in files not written by clustersim).
std::vector<DatasetEntry> datasets_of(hid_t file) {
  std::vector<DatasetEntry> entries;
  auto visit = [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
    ObjectInfo info;
    if (object_info_by_name(group, name, info) && info.type == H5O_TYPE_DATASET)
      static_cast<std::vector<DatasetEntry>*>(data)->push_back({name, identity_of(info)});
    return 0;
  };
  if (H5Literate(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, visit, &entries) < 0) {
    H5Eclear2(H5E_DEFAULT);
    entries.clear();
    H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &entries);
  }
  return entries;
}

/// Number of links in the root group: every run of one sweep has the same.
hsize_t link_count(hid_t file) {
  H5G_info_t info;
  check(H5Gget_info(file, &info), "reading the root group");
  return info.nlinks;
}

Handle open_file(const std::string& file_name) {
  return own(H5Fopen(file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
             [&] { return "cannot open '" + file_name + "' as HDF5"; });
}

record::Layout read_open_layout(hid_t file, const std::string& file_name) {
  record::Layout layout;
  for (const auto& name : attribute_names(file)) {
    record::Attribute a;
    if (!reserved(name) && read_attribute(file, name, a)) layout.global_attributes.push_back(a);
  }
  const std::vector<DatasetEntry> entries = datasets_of(file);
  std::map<std::string, std::string> names;
  for (const auto& e : entries) names.emplace(e.identity, e.name);
  std::vector<std::pair<std::int64_t, record::Dimension>> dims;
  for (const auto& entry : entries) {
    const std::string& name = entry.name;
    Handle dataset = own(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, "opening '" + name + "' in " + file_name);
    const auto shape = shape_of(dataset.get());
    const bool is_scale = H5DSis_scale(dataset.get()) > 0;
    if (is_scale) {
      record::Attribute dimid;
      std::int64_t id = static_cast<std::int64_t>(dims.size());
      if (has_attribute(dataset.get(), "_Netcdf4Dimid") && read_attribute(dataset.get(), "_Netcdf4Dimid", dimid))
        id = std::get<std::int64_t>(dimid.value);
      dims.push_back({id, {name, shape.empty() ? 0 : static_cast<std::size_t>(shape[0])}});
      if (text_attribute(dataset.get(), "NAME").starts_with(kDimWithoutVariable)) continue;
    }
    record::VariableSpec spec;
    spec.name = name;
    spec.dtype = dtype_of(dataset.get(), name);
    spec.dims = is_scale ? std::vector<std::string>{name} : dims_of(dataset.get(), shape.size(), names);
    for (const auto& attribute_name : attribute_names(dataset.get())) {
      record::Attribute a;
      if (attribute_name == "_FillValue") spec.fill_value = number_attribute(dataset.get(), "_FillValue");
      else if (attribute_name == "units") spec.units = text_attribute(dataset.get(), "units");
      else if (attribute_name == "long_name") spec.long_name = text_attribute(dataset.get(), "long_name");
      else if (!reserved(attribute_name) && read_attribute(dataset.get(), attribute_name, a))
        spec.extra_attributes.push_back(a);
    }
    const bool series = spec.dims.size() >= 2 && (spec.dims[0] == "replicate" || spec.dims[0] == "run") &&
                        spec.dims[1] == "step";
    if (series) {
      layout.series.push_back(std::move(spec));
      continue;
    }
    record::StaticVariable variable{spec, {}};
    const std::size_t n = count_of(shape);
    if (spec.dtype == DType::String) {
      variable.data = read_strings(dataset.get(), n);
    } else if (spec.dtype == DType::Int32 || spec.dtype == DType::Int64) {
      std::vector<std::int64_t> values(n);
      if (n) check(H5Dread(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                   "reading '" + name + "' in " + file_name);
      variable.data = std::move(values);
    } else {
      std::vector<double> values(n);
      if (n) check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                   "reading '" + name + "' in " + file_name);
      variable.data = std::move(values);
    }
    layout.statics.push_back(std::move(variable));
  }
  std::stable_sort(dims.begin(), dims.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [id, d] : dims) layout.dims.push_back(d);
  return layout;
}

/// The sizes of the named dimensions in an open run file: a handful of small reads,
/// where read_open_layout reads every variable's metadata and every static variable.
void read_dimension_sizes(hid_t file, const std::string& file_name, const std::vector<std::string>& names,
                          std::size_t* sizes) {
  for (std::size_t d = 0; d < names.size(); ++d) {
    const auto what = [&] { return "'" + file_name + "' has no dimension '" + names[d] + "'"; };
    if (H5Lexists(file, names[d].c_str(), H5P_DEFAULT) <= 0) throw std::runtime_error(what());
    Handle dataset = own(H5Dopen2(file, names[d].c_str(), H5P_DEFAULT), H5Dclose, what());
    const auto shape = shape_of(dataset.get());
    if (shape.size() != 1 || H5DSis_scale(dataset.get()) <= 0) throw std::runtime_error(what());
    sizes[d] = static_cast<std::size_t>(shape[0]);
  }
}

}  // namespace

std::string swept_variable_name(const std::string& key) {
  std::string out = "swept__";
  for (char c : key) {
    if (c == '.') out += "__";
    else out += c;
  }
  return out;
}

record::Layout read_layout(const fs::path& path) {
  hdf5::QuietErrors quiet;
  const std::string file_name = path.string();
  Handle file = open_file(file_name);
  return read_open_layout(file.get(), file_name);
}

namespace {
/// One variable of an open run file, as doubles. The merge opens each run file once, not
/// once per variable: opening an HDF5 file costs about a millisecond.
std::vector<double> read_open_values(hid_t file, const std::string& file_name, const std::string& variable) {
  Handle dataset = own(H5Dopen2(file, variable.c_str(), H5P_DEFAULT), H5Dclose,
                 "'" + file_name + "' has no variable '" + variable + "'");
  std::vector<double> values(count_of(shape_of(dataset.get())));
  if (!values.empty())
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "reading '" + variable + "' in " + file_name);
  return values;
}
}  // namespace

std::vector<double> read_values(const fs::path& path, const std::string& variable) {
  hdf5::QuietErrors quiet;
  const std::string file_name = path.string();
  Handle file = open_file(file_name);
  return read_open_values(file.get(), file_name, variable);
}

namespace {

/// netCDF-C's default fill value for int (NC_FILL_INT), declared as the `_FillValue` of
/// merged integer series that have none of their own: padding then reads as missing in
/// xarray and netCDF tools, never as a count of 0. Exact as a double, valid for int64 too.
constexpr double kIntegerFill = -2147483647.0;

bool is_integer(DType dtype) { return dtype == DType::Int32 || dtype == DType::Int64; }

/// What the merge learns about the done runs' files before it writes anything.
struct Survey {
  std::vector<char> done;              ///< per run; a bad file turns a done run into failed
  std::vector<std::string> dim_names;  ///< the first good run file's dimensions, in dimid order
  std::vector<std::size_t> sizes;      ///< runs x dims: each done run's dimension sizes
  std::vector<std::size_t> max_size;   ///< per dimension, over the done runs
  std::size_t first = 0;               ///< the first done run

  std::size_t position(const std::string& dim) const {
    return static_cast<std::size_t>(std::find(dim_names.begin(), dim_names.end(), dim) - dim_names.begin());
  }
  const std::size_t* sizes_of(std::size_t run) const { return &sizes[run * dim_names.size()]; }
  /// The sizes of `dims` in `run`, or their merged sizes with run = npos.
  std::vector<std::size_t> extent(const std::vector<std::string>& dims, std::size_t run) const {
    std::vector<std::size_t> out;
    for (const auto& d : dims) out.push_back(run == std::string::npos ? max_size[position(d)] : sizes_of(run)[position(d)]);
    return out;
  }
};

std::string expected_experiment_sha(const MergeInput& input) {
  for (const auto& a : input.global_attributes)
    if (a.name == "experiment_sha")
      if (const auto* text = std::get_if<std::string>(&a.value)) return *text;
  return {};
}

/// Why a done run's file cannot be merged, naming the file; "" if it can. On success
/// `sizes` holds its dimension sizes. The first good file fixes the dimension names and
/// the number of datasets (every run of a sweep is written by the same model).
std::string check_run_file(const MergeRun& run, const std::string& experiment_sha, Survey& survey, hsize_t& links,
                           std::vector<std::size_t>& sizes) {
  const std::string where = "run file '" + run.file + "'";
  try {
    Handle file = open_file(run.file);
    const std::string run_id = text_attribute(file.get(), "run_id");
    if (run_id != run.run_id)
      return where + " holds run " + (run_id.empty() ? std::string("(no run_id attribute)") : run_id) +
             ", not run " + run.run_id + " of the plan (overwritten by another run's file?)";
    if (!experiment_sha.empty() && has_attribute(file.get(), "experiment_sha")) {
      const std::string sha = text_attribute(file.get(), "experiment_sha");
      if (sha != experiment_sha)
        return where + " was written for experiment " + sha + ", not this sweep's " + experiment_sha;
    }
    if (survey.dim_names.empty()) {
      for (const auto& d : read_open_layout(file.get(), run.file).dims) survey.dim_names.push_back(d.name);
      links = link_count(file.get());
    }
    if (link_count(file.get()) != links) return where + " does not have the same variables as the other runs";
    sizes.assign(survey.dim_names.size(), 0);
    read_dimension_sizes(file.get(), run.file, survey.dim_names, sizes.data());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

/// Pass 1: checks every done run's file and reads its dimension sizes (a handful of small
/// reads per run). A bad file throws, or with bad_files_as_failed makes its run failed.
Survey survey_runs(MergeInput& input, std::vector<std::string>& rejected) {
  const std::size_t n_runs = input.runs.size();
  Survey survey;
  survey.done.resize(n_runs);
  const std::string experiment_sha = expected_experiment_sha(input);
  hsize_t links = 0;
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < n_runs; ++i) {
    MergeRun& run = input.runs[i];
    if (run.status != "done") continue;
    const std::string problem = check_run_file(run, experiment_sha, survey, links, sizes);
    if (!problem.empty()) {
      if (!input.bad_files_as_failed)
        throw std::runtime_error("cannot merge: " + problem + "; rerun that run, or merge with --partial to record it as failed");
      run.status = "failed";
      run.error = problem;
      rejected.push_back(problem);
      continue;
    }
    survey.done[i] = 1;
    const std::size_t n_dims = survey.dim_names.size();
    if (survey.sizes.empty()) {
      survey.sizes.assign(n_runs * n_dims, 0);
      survey.max_size.assign(n_dims, 0);
    }
    std::copy(sizes.begin(), sizes.end(), survey.sizes.begin() + static_cast<std::ptrdiff_t>(i * n_dims));
    for (std::size_t d = 0; d < n_dims; ++d) survey.max_size[d] = std::max(survey.max_size[d], sizes[d]);
  }
  const auto first = std::find(survey.done.begin(), survey.done.end(), 1);
  if (first == survey.done.end()) throw std::runtime_error("no completed run to merge: every run failed or is pending");
  survey.first = static_cast<std::size_t>(first - survey.done.begin());
  if (survey.position("step") == survey.dim_names.size())
    throw std::runtime_error("'" + input.runs[survey.first].file + "' has no dimension 'step'");
  return survey;
}

/// Copies the row-major array `source` of shape `from` into the row-major array `target` of
/// shape `to` (to[d] >= from[d]) at the same multi-indices; other targets stay as they are.
template <class T>
void scatter(const T* source, const std::vector<std::size_t>& from, const std::vector<std::size_t>& to, T* target) {
  std::size_t n = 1;
  for (std::size_t extent : from) n *= extent;
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t rest = j, index = 0, stride = 1;
    for (std::size_t d = from.size(); d-- > 0;) {
      index += (rest % from[d]) * stride;
      rest /= from[d];
      stride *= to[d];
    }
    target[index] = source[j];
  }
}

/// `variable` (of shape `from`) padded to shape `to` with its fill value: "" for text, NaN
/// for reals, and for integers their fill value (kIntegerFill unless declared).
void pad(record::StaticVariable& variable, const std::vector<std::size_t>& from, const std::vector<std::size_t>& to) {
  if (from == to) return;
  std::size_t n = 1;
  for (std::size_t extent : to) n *= extent;
  if (is_integer(variable.spec.dtype) && !variable.spec.fill_value) variable.spec.fill_value = kIntegerFill;
  std::visit(
      [&](auto& data) {
        using T = typename std::decay_t<decltype(data)>::value_type;
        T fill{};
        if constexpr (std::is_same_v<T, double>) fill = variable.spec.fill_value.value_or(std::nan(""));
        if constexpr (std::is_same_v<T, std::int64_t>)
          fill = static_cast<std::int64_t>(variable.spec.fill_value.value_or(kIntegerFill));
        std::vector<T> padded(n, fill);
        scatter(data.data(), from, to, padded.data());
        data = std::move(padded);
      },
      variable.data);
}

/// The static variables (coordinates, region and cluster data, ...) of the merged file,
/// each from the first done run that has the variable's dimensions at their merged size:
/// variants may grow different dimensions, so no single run need have them all. If no run
/// has a variable at full size (two of its dimensions grown by different variants), it
/// comes from the done run with the most values, padded with fill values.
std::vector<record::StaticVariable> merged_statics(const MergeInput& input, const Survey& survey,
                                                   std::vector<record::StaticVariable> first_statics) {
  std::vector<record::StaticVariable> out;
  std::map<std::size_t, std::vector<std::size_t>> wanted;  // source run -> indices into out
  for (auto& variable : first_statics) {
    const auto& dims = variable.spec.dims;
    if (variable.spec.name == "replicate_seed" || std::find(dims.begin(), dims.end(), "replicate") != dims.end())
      continue;
    const std::vector<std::size_t> full = survey.extent(dims, std::string::npos);
    const std::size_t none = survey.done.size();
    std::size_t source = none;
    for (std::size_t i = 0; i < survey.done.size() && source == none; ++i)
      if (survey.done[i] && survey.extent(dims, i) == full) source = i;
    if (source == none) {  // the first run with the most values; padded below
      std::size_t most = 0;
      for (std::size_t i = 0; i < survey.done.size(); ++i) {
        if (!survey.done[i]) continue;
        std::size_t values = 1;
        for (std::size_t extent : survey.extent(dims, i)) values *= extent;
        if (source == none || values > most) source = i, most = values;
      }
    }
    if (source == survey.first) pad(variable, survey.extent(dims, source), full);
    else wanted[source].push_back(out.size());
    out.push_back(std::move(variable));
  }
  for (const auto& [source, indices] : wanted) {
    record::Layout layout = read_layout(input.runs[source].file);
    for (std::size_t index : indices) {
      const auto found = std::find_if(layout.statics.begin(), layout.statics.end(),
                                      [&](const auto& s) { return s.spec.name == out[index].spec.name; });
      if (found == layout.statics.end())
        throw std::runtime_error("cannot merge: '" + input.runs[source].file + "' has no variable '" +
                                 out[index].spec.name + "'");
      out[index] = std::move(*found);
      const auto& dims = out[index].spec.dims;
      pad(out[index], survey.extent(dims, source), survey.extent(dims, std::string::npos));
    }
  }
  return out;
}

/// The per-run columns: run, run_id, scenario, replicate, seed, status, error, swept__*.
/// Their strings move out of `input`.
void add_run_columns(MergeInput& input, record::Layout& merged) {
  const std::size_t n_runs = input.runs.size();
  auto text_column = [&](const std::string& name, const std::string& long_name, auto member) {
    std::vector<std::string> values;
    values.reserve(n_runs);
    for (auto& r : input.runs) values.push_back(std::move(r.*member));
    merged.statics.push_back({{name, DType::String, {"run"}, "", long_name}, std::move(values)});
  };
  std::vector<std::int64_t> index(n_runs), replicate(n_runs), seed(n_runs);
  for (std::size_t i = 0; i < n_runs; ++i) {
    index[i] = static_cast<std::int64_t>(i);
    replicate[i] = input.runs[i].replicate;
    seed[i] = input.runs[i].seed;
  }
  merged.statics.push_back({{"run", DType::Int64, {"run"}, "1", "run index in the sweep's plan"}, std::move(index)});
  text_column("run_id", "run id: hash of the resolved scenario and the replicate index", &MergeRun::run_id);
  text_column("scenario", "scenario name (\"baseline\" or the variant's name)", &MergeRun::scenario);
  merged.statics.push_back({{"replicate", DType::Int64, {"run"}, "1", "replicate index"}, std::move(replicate)});
  merged.statics.push_back({{"seed", DType::Int64, {"run"}, "1", "the replicate's seed"}, std::move(seed)});
  text_column("status", "done or failed", &MergeRun::status);
  text_column("error", "error text of a failed run (empty if none)", &MergeRun::error);
  for (std::size_t k = 0; k < input.swept_keys.size(); ++k) {
    std::vector<double> values(n_runs);
    for (std::size_t i = 0; i < n_runs; ++i) values[i] = input.runs[i].swept.at(k);
    record::VariableSpec spec{swept_variable_name(input.swept_keys[k]), DType::Float64, {"run"}, "",
                              "swept parameter " + input.swept_keys[k]};
    spec.extra_attributes.push_back({"scenario_key", input.swept_keys[k]});
    merged.statics.push_back({spec, std::move(values)});
  }
}

/// Names `coordinates` in the CF `coordinates` attribute of `spec` (appended to one the
/// run file already has), so xarray makes them coordinates of the variable.
void name_coordinates(record::VariableSpec& spec, const std::string& coordinates) {
  for (auto& a : spec.extra_attributes) {
    if (a.name != "coordinates") continue;
    if (auto* text = std::get_if<std::string>(&a.value)) *text += " " + coordinates;
    return;
  }
  spec.extra_attributes.push_back({"coordinates", coordinates});
}

/// The merged file's layout: dimension run, the others at their merged sizes; per-run
/// columns; static variables; series variables along (run, step, ...) with fill values.
record::Layout merged_layout(MergeInput& input, const Survey& survey) {
  record::Layout first = read_layout(input.runs[survey.first].file);
  record::Layout merged;
  merged.dims.push_back({"run", input.runs.size()});
  for (std::size_t d = 0; d < survey.dim_names.size(); ++d)
    if (survey.dim_names[d] != "replicate") merged.dims.push_back({survey.dim_names[d], survey.max_size[d]});
  add_run_columns(input, merged);
  std::string coordinates = "scenario replicate";
  for (const auto& key : input.swept_keys) coordinates += " " + swept_variable_name(key);
  for (auto& column : merged.statics)
    if (column.spec.name == "run_id" || column.spec.name == "seed" || column.spec.name == "status" ||
        column.spec.name == "error")
      name_coordinates(column.spec, coordinates);
  for (auto& s : merged_statics(input, survey, std::move(first.statics))) merged.statics.push_back(std::move(s));
  for (auto spec : first.series) {
    spec.dims[0] = "run";
    if (is_integer(spec.dtype) && !spec.fill_value) spec.fill_value = kIntegerFill;
    name_coordinates(spec, coordinates);
    merged.series.push_back(std::move(spec));
  }
  merged.global_attributes = std::move(input.global_attributes);
  record::resolve_index_flags(merged);  // from the merged coordinates: dimensions may have grown
  return merged;
}

/// Pass 2 for one run: reads each series variable's first replicate from the open run
/// file into `values` (all steps), after checking its shape.
void read_run_series(hid_t file, const std::string& file_name, const record::Layout& merged, const Survey& survey,
                     std::size_t run, hid_t transfer, std::vector<std::vector<double>>& values) {
  const std::size_t* sizes = survey.sizes_of(run);
  const std::size_t replicate_dim = survey.position("replicate");
  std::vector<hsize_t> start, count;
  for (std::size_t v = 0; v < merged.series.size(); ++v) {
    const auto& spec = merged.series[v];
    Handle dataset = own(H5Dopen2(file, spec.name.c_str(), H5P_DEFAULT), H5Dclose,
                         [&] { return "'" + file_name + "' has no variable '" + spec.name + "'"; });
    // The run's own shape: its replicate(s), steps and sizes of the inner dims; the merge
    // takes its first replicate (a sweep run has one).
    std::vector<hsize_t> expected = {replicate_dim == survey.dim_names.size() ? 1 : sizes[replicate_dim],
                                     sizes[survey.position("step")]};
    for (std::size_t d = 2; d < spec.dims.size(); ++d) expected.push_back(sizes[survey.position(spec.dims[d])]);
    if (shape_of(dataset.get()) != expected || expected[0] == 0)
      throw std::runtime_error("variable '" + spec.name + "' in '" + file_name +
                               "' does not have the shape of the run's dimensions");
    start.assign(expected.size(), 0);
    count = expected;
    count[0] = 1;
    values[v].resize(count_of(count));
    if (values[v].empty()) continue;
    Handle file_space = own(H5Dget_space(dataset.get()), H5Sclose, "reading a dataspace");
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          [&] { return "selecting in '" + spec.name + "'"; });
    const hsize_t n = values[v].size();
    Handle memory_space = own(H5Screate_simple(1, &n, nullptr), H5Sclose, "creating a dataspace");
    // HDF5 allocates and zeroes a type-conversion buffer of this size for every read that
    // converts (integers to double here): 1 MiB by default, which was a fifth of the
    // merge's time. Each read sets it to what that read needs.
    check(H5Pset_buffer(transfer, std::max<std::size_t>(n * sizeof(double), 1024), nullptr, nullptr),
          "sizing the conversion buffer");
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(), transfer, values[v].data()),
          [&] { return "reading '" + spec.name + "' in " + file_name; });
  }
}

/// Pass 2: each done run's series, one run file open at a time; buffers are reused.
/// Positions a run does not have are NaN in the frame, which the writer stores as the
/// variable's fill value.
void write_series(const record::Layout& merged, const Survey& survey, const std::vector<std::string>& files,
                  Hdf5Writer& writer) {
  record::Frame frame(merged);
  std::vector<std::vector<double>> values(merged.series.size());
  // Per series variable: its inner (after run, step) shape in this run and merged.
  std::vector<std::vector<std::size_t>> own_shape(merged.series.size()), full_shape(merged.series.size());
  std::vector<std::size_t> own_values(merged.series.size());
  Handle transfer = own(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "creating a transfer property list");
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!survey.done[i]) continue;
    {
      Handle file = open_file(files[i]);
      read_run_series(file.get(), files[i], merged, survey, i, transfer.get(), values);
    }
    for (std::size_t v = 0; v < merged.series.size(); ++v) {
      const std::vector<std::string> inner(merged.series[v].dims.begin() + 2, merged.series[v].dims.end());
      own_shape[v] = survey.extent(inner, i);
      full_shape[v] = survey.extent(inner, std::string::npos);
      own_values[v] = 1;
      for (std::size_t extent : own_shape[v]) own_values[v] *= extent;
    }
    const std::size_t steps = survey.sizes_of(i)[survey.position("step")];
    for (std::size_t t = 0; t < steps; ++t) {
      for (std::size_t v = 0; v < merged.series.size(); ++v) {
        auto& slice = frame[v];
        const double* source = values[v].data() + t * own_values[v];
        if (own_shape[v] == full_shape[v]) {
          std::copy(source, source + own_values[v], slice.begin());
        } else {
          std::fill(slice.begin(), slice.end(), std::numeric_limits<double>::quiet_NaN());
          scatter(source, own_shape[v], full_shape[v], slice.data());
        }
      }
      writer.write(i, t, frame);
    }
    // HDF5 keeps freed blocks on its free lists for reuse, up to several MiB; returning them
    // after each run keeps the merge's memory from creeping up with the number of runs.
    H5garbage_collect();
  }
}

}  // namespace

std::vector<std::string> merge_runs(MergeInput input, const fs::path& output) {
  require_hdf5_extension(output);
  hdf5::QuietErrors quiet;
  // Each run file is opened twice (once to check it and read its dimension sizes, once for
  // its series) and only the first done run, plus the runs that supply a static variable
  // at its largest size, are read in full: per run, the merge keeps just its dimension
  // sizes, so memory and time per run do not depend on the number of runs.
  std::vector<std::string> rejected;
  const Survey survey = survey_runs(input, rejected);
  record::Layout merged = merged_layout(input, survey);
  // From here on a run is its file name and dimension sizes.
  std::vector<std::string> files(input.runs.size());
  for (std::size_t i = 0; i < files.size(); ++i) files[i] = std::move(input.runs[i].file);
  std::vector<MergeRun>().swap(input.runs);

  Hdf5Writer writer(output, Hdf5Format::V110);
  writer.define(merged);
  std::vector<record::StaticVariable>().swap(merged.statics);  // written: the per-run columns
  write_series(merged, survey, files, writer);
  writer.commit();
  return rejected;
}

}  // namespace clustersim::io
