#include "engine/io/hdf5_merge.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_writer.hpp"

namespace clustersim::io {
namespace {

namespace fs = std::filesystem;
using record::DType;

constexpr const char* kDimWithoutVariable = "This is a netCDF dimension but not a netCDF variable.";

/// Owns one hid_t.
class Handle {
 public:
  Handle(hid_t id, herr_t (*closer)(hid_t), const std::string& what) : id_(id), closer_(closer) {
    if (id_ < 0) {
      H5Eclear2(H5E_DEFAULT);
      throw std::runtime_error(what);
    }
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) closer_(id_);
  }
  hid_t get() const { return id_; }

 private:
  hid_t id_;
  herr_t (*closer_)(hid_t);
};

void check(herr_t status, const std::string& what) {
  if (status < 0) {
    H5Eclear2(H5E_DEFAULT);
    throw std::runtime_error(what);
  }
}

struct Silence {
  H5E_auto2_t func = nullptr;
  void* data = nullptr;
  Silence() {
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Silence() { H5Eset_auto2(H5E_DEFAULT, func, data); }
};

std::vector<hsize_t> shape_of(hid_t dataset) {
  Handle space(H5Dget_space(dataset), H5Sclose, "reading a dataspace");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

bool has_attribute(hid_t object, const char* name) { return H5Aexists(object, name) > 0; }

/// Text or number attribute; nullopt-like: false when it is neither.
bool read_attribute(hid_t object, const std::string& name, record::Attribute& out) {
  Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "opening attribute " + name);
  Handle type(H5Aget_type(attribute.get()), H5Tclose, "attribute type");
  Handle space(H5Aget_space(attribute.get()), H5Sclose, "attribute space");
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return false;
  out.name = name;
  switch (H5Tget_class(type.get())) {
    case H5T_STRING: {
      if (H5Tis_variable_str(type.get()) > 0) {
        char* text = nullptr;
        Handle memory(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
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
  Handle type(H5Dget_type(dataset), H5Tclose, "reading the type of " + name);
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
  Handle memory(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  H5Tset_size(memory.get(), H5T_VARIABLE);
  H5Tset_cset(memory.get(), H5T_CSET_UTF8);
  std::vector<std::string> out(count);
  if (count == 0) return out;
  check(H5Dread(dataset, memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "reading strings");
  for (std::size_t i = 0; i < count; ++i) out[i] = pointers[i] ? pointers[i] : "";
  Handle space(H5Dget_space(dataset), H5Sclose, "dataspace");
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
  return Handle(H5Fopen(file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                "cannot open '" + file_name + "' as HDF5");
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
    Handle dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, "opening '" + name + "' in " + file_name);
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
      if (attribute_name == "units") spec.units = text_attribute(dataset.get(), "units");
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
    Handle dataset(H5Dopen2(file, names[d].c_str(), H5P_DEFAULT), H5Dclose, what());
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
  Silence silence;
  const std::string file_name = path.string();
  Handle file = open_file(file_name);
  return read_open_layout(file.get(), file_name);
}

namespace {
/// One variable of an open run file, as doubles. The merge opens each run file once, not
/// once per variable: opening an HDF5 file costs about a millisecond.
std::vector<double> read_open_values(hid_t file, const std::string& file_name, const std::string& variable) {
  Handle dataset(H5Dopen2(file, variable.c_str(), H5P_DEFAULT), H5Dclose,
                 "'" + file_name + "' has no variable '" + variable + "'");
  std::vector<double> values(count_of(shape_of(dataset.get())));
  if (!values.empty())
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "reading '" + variable + "' in " + file_name);
  return values;
}
}  // namespace

std::vector<double> read_values(const fs::path& path, const std::string& variable) {
  Silence silence;
  const std::string file_name = path.string();
  Handle file = open_file(file_name);
  return read_open_values(file.get(), file_name, variable);
}

void merge_runs(MergeInput input, const fs::path& output) {
  require_hdf5_extension(output);
  const std::size_t n_runs = input.runs.size();
  // Each run file is opened twice (once for its dimension sizes, once for its series) and
  // only the reference run is read in full: per run, the merge keeps just its dimension
  // sizes, so memory and time per run do not depend on the number of runs.
  std::vector<char> done(n_runs);  // the text columns below take the statuses
  for (std::size_t i = 0; i < n_runs; ++i) done[i] = input.runs[i].status == "done";
  const auto first_done = std::find(done.begin(), done.end(), 1);
  if (first_done == done.end()) throw std::runtime_error("no completed run to merge: every run failed or is pending");
  const std::string first_file = input.runs[static_cast<std::size_t>(first_done - done.begin())].file;
  Silence silence;
  // Every run of a sweep is written by the same model, so the first done run names the
  // dimensions and the number of datasets every run file has.
  std::vector<std::string> dim_names;
  hsize_t links = 0;
  {
    const std::string& file_name = first_file;
    Handle file = open_file(file_name);
    for (const auto& d : read_open_layout(file.get(), file_name).dims) dim_names.push_back(d.name);
    links = link_count(file.get());
  }
  const std::size_t n_dims = dim_names.size();
  const auto dim_position = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(dim_names.begin(), dim_names.end(), name) - dim_names.begin());
  };
  const std::size_t replicate_dim = dim_position("replicate"), step_dim = dim_position("step");
  if (step_dim == n_dims) throw std::runtime_error("'" + first_file + "' has no dimension 'step'");

  // Pass 1: every done run's dimension sizes (n_dims numbers per run) and their maximum.
  std::vector<std::size_t> run_sizes(n_runs * n_dims, 0), max_size(n_dims, 0);
  for (std::size_t i = 0; i < n_runs; ++i) {
    if (!done[i]) continue;
    const std::string& file_name = input.runs[i].file;
    Handle file = open_file(file_name);
    if (link_count(file.get()) != links)
      throw std::runtime_error("cannot merge: '" + file_name + "' does not have the same variables as '" +
                               first_file + "'");
    std::size_t* sizes = &run_sizes[i * n_dims];
    read_dimension_sizes(file.get(), file_name, dim_names, sizes);
    for (std::size_t d = 0; d < n_dims; ++d) max_size[d] = std::max(max_size[d], sizes[d]);
  }
  std::size_t reference_run = n_runs;
  for (std::size_t i = 0; i < n_runs && reference_run == n_runs; ++i) {
    if (!done[i]) continue;
    bool largest = true;
    for (std::size_t d = 0; d < n_dims; ++d)
      largest = largest && (d == replicate_dim || run_sizes[i * n_dims + d] == max_size[d]);
    if (largest) reference_run = i;
  }
  if (reference_run == n_runs)
    throw std::runtime_error("cannot merge: no single run has the largest size of every dimension "
                             "(variants change more than one world size in different directions)");
  record::Layout reference = read_layout(input.runs[reference_run].file);

  record::Layout merged;
  merged.dims.push_back({"run", n_runs});
  for (const auto& d : reference.dims)
    if (d.name != "replicate") merged.dims.push_back(d);
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
  for (auto& s : reference.statics) {
    if (s.spec.name == "replicate" || s.spec.name == "replicate_seed") continue;
    if (std::find(s.spec.dims.begin(), s.spec.dims.end(), "replicate") != s.spec.dims.end()) continue;
    merged.statics.push_back(std::move(s));
  }
  for (auto spec : reference.series) {
    spec.dims[0] = "run";
    merged.series.push_back(std::move(spec));
  }
  merged.global_attributes = std::move(input.global_attributes);
  reference = {};
  // From here on a run is its file name and dimension sizes.
  std::vector<std::string> files(n_runs);
  for (std::size_t i = 0; i < n_runs; ++i) files[i] = std::move(input.runs[i].file);
  std::vector<MergeRun>().swap(input.runs);

  // Per series variable: where its dims after (run, step) are in dim_names, and their
  // merged sizes.
  std::vector<std::vector<std::size_t>> inner_dims(merged.series.size()), inner_sizes(merged.series.size());
  for (std::size_t v = 0; v < merged.series.size(); ++v) {
    const auto& spec = merged.series[v];
    for (std::size_t d = 2; d < spec.dims.size(); ++d) {
      const std::size_t position = dim_position(spec.dims[d]);
      if (position == n_dims)
        throw std::runtime_error("variable '" + spec.name + "' uses dimension '" + spec.dims[d] + "', which '" +
                                 first_file + "' does not have");
      inner_dims[v].push_back(position);
      inner_sizes[v].push_back(max_size[position]);
    }
  }

  auto writer = std::make_unique<Hdf5Writer>(output, Hdf5Format::V110);
  writer->define(merged);
  std::vector<record::StaticVariable>().swap(merged.statics);  // written: the per-run columns

  record::Frame frame(merged);
  // Pass 2: each done run's series, one run file open at a time; buffers are reused.
  std::vector<std::vector<double>> values(merged.series.size());
  std::vector<hsize_t> start, count;
  // HDF5 allocates and zeroes a type-conversion buffer of this size for every read that
  // converts (integers to double here): 1 MiB by default, which was a fifth of the merge's
  // time. Each read sets it to what that read needs.
  Handle transfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "creating a transfer property list");
  for (std::size_t i = 0; i < n_runs; ++i) {
    if (!done[i]) continue;
    const std::size_t* sizes = &run_sizes[i * n_dims];
    const std::size_t steps = sizes[step_dim];
    const std::string& file_name = files[i];
    Handle file = open_file(file_name);
    for (std::size_t v = 0; v < merged.series.size(); ++v) {
      const auto& spec = merged.series[v];
      Handle dataset(H5Dopen2(file.get(), spec.name.c_str(), H5P_DEFAULT), H5Dclose,
                     "'" + file_name + "' has no variable '" + spec.name + "'");
      // The run's own shape: its replicate(s), steps and sizes of the inner dims; the merge
      // takes its first replicate (a sweep run has one).
      std::vector<hsize_t> expected = {replicate_dim == n_dims ? 1 : sizes[replicate_dim], steps};
      for (std::size_t position : inner_dims[v]) expected.push_back(sizes[position]);
      if (shape_of(dataset.get()) != expected || expected[0] == 0)
        throw std::runtime_error("variable '" + spec.name + "' in '" + file_name +
                                 "' does not have the shape of the run's dimensions");
      start.assign(expected.size(), 0);
      count = expected;
      count[0] = 1;
      values[v].resize(count_of(count));
      if (values[v].empty()) continue;
      Handle file_space(H5Dget_space(dataset.get()), H5Sclose, "reading a dataspace");
      check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
            "selecting in '" + spec.name + "'");
      const hsize_t n = values[v].size();
      Handle memory_space(H5Screate_simple(1, &n, nullptr), H5Sclose, "creating a dataspace");
      check(H5Pset_buffer(transfer.get(), std::max<std::size_t>(n * sizeof(double), 1024), nullptr, nullptr),
            "sizing the conversion buffer");
      check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(), transfer.get(),
                    values[v].data()),
            "reading '" + spec.name + "' in " + file_name);
    }
    for (std::size_t t = 0; t < steps; ++t) {
      for (std::size_t v = 0; v < merged.series.size(); ++v) {
        const auto& spec = merged.series[v];
        auto& slice = frame[v];
        std::size_t own = 1;
        bool same = true;
        for (std::size_t d = 0; d < inner_dims[v].size(); ++d) {
          own *= sizes[inner_dims[v][d]];
          same = same && sizes[inner_dims[v][d]] == inner_sizes[v][d];
        }
        const double* source = values[v].data() + t * own;
        if (same) {
          std::copy(source, source + own, slice.begin());
          continue;
        }
        const bool real = spec.dtype == DType::Float32 || spec.dtype == DType::Float64;
        std::fill(slice.begin(), slice.end(), real ? std::numeric_limits<double>::quiet_NaN() : 0.0);
        // Scatter the run's smaller slice into the merged slice, row-major.
        for (std::size_t j = 0; j < own; ++j) {
          std::size_t rest = j, target = 0, stride = 1;
          for (std::size_t d = inner_dims[v].size(); d-- > 0;) {
            const std::size_t extent = sizes[inner_dims[v][d]];
            target += (rest % extent) * stride;
            rest /= extent;
            stride *= inner_sizes[v][d];
          }
          slice[target] = source[j];
        }
      }
      writer->write(i, t, frame);
    }
    // HDF5 keeps freed blocks on its free lists for reuse, up to several MiB; returning them
    // after each run keeps the merge's memory from creeping up with the number of runs.
    H5garbage_collect();
  }

  writer->commit();
}

}  // namespace clustersim::io
