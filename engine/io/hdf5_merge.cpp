#include "engine/io/hdf5_merge.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "engine/core/error.hpp"
#include "engine/record/writer.hpp"

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

std::vector<std::string> dims_of(hid_t dataset, std::size_t rank) {
  std::vector<std::string> dims(rank);
  for (unsigned axis = 0; axis < rank; ++axis) {
    std::string name;
    H5DSiterate_scales(dataset, axis, nullptr,
                       [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
                         char buffer[512];
                         const ssize_t n = H5Iget_name(scale, buffer, sizeof buffer);
                         std::string text(buffer, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
                         if (!text.empty() && text[0] == '/') text.erase(0, 1);
                         *static_cast<std::string*>(data) = text;
                         return 1;
                       },
                       &name);
    dims[axis] = name;
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

std::vector<std::string> dataset_names(hid_t file) {
  std::vector<std::string> names;
  auto visit = [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
    H5O_info_t info;
    if (H5Oget_info_by_name(group, name, &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_DATASET)
      static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  if (H5Literate(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, visit, &names) < 0) {
    H5Eclear2(H5E_DEFAULT);
    names.clear();
    H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &names);
  }
  return names;
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
  Handle file(H5Fopen(file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open '" + file_name + "' as HDF5");
  record::Layout layout;
  for (const auto& name : attribute_names(file.get())) {
    record::Attribute a;
    if (!reserved(name) && read_attribute(file.get(), name, a)) layout.global_attributes.push_back(a);
  }
  std::vector<std::pair<std::int64_t, record::Dimension>> dims;
  for (const auto& name : dataset_names(file.get())) {
    Handle dataset(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose, "opening '" + name + "' in " + file_name);
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
    spec.dims = is_scale ? std::vector<std::string>{name} : dims_of(dataset.get(), shape.size());
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
  Handle file(H5Fopen(file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "cannot open '" + file_name + "' as HDF5");
  return read_open_values(file.get(), file_name, variable);
}

void merge_runs(const MergeInput& input, const fs::path& output) {
  const std::size_t n_runs = input.runs.size();
  // Pass 1: dimension sizes, one run file open at a time.
  std::map<std::string, std::size_t> max_size;
  std::vector<std::string> dim_order;
  for (const auto& run : input.runs) {
    if (run.status != "done") continue;
    for (const auto& d : read_layout(run.file).dims) {
      if (!max_size.count(d.name)) dim_order.push_back(d.name);
      max_size[d.name] = std::max(max_size[d.name], d.size);
    }
  }
  if (dim_order.empty()) throw std::runtime_error("no completed run to merge: every run failed or is pending");
  record::Layout reference;
  bool found = false;
  for (const auto& run : input.runs) {
    if (run.status != "done") continue;
    reference = read_layout(run.file);
    found = std::all_of(reference.dims.begin(), reference.dims.end(),
                        [&](const record::Dimension& d) { return d.name == "replicate" || d.size == max_size[d.name]; }) &&
            reference.dims.size() == dim_order.size();
    if (found) break;
  }
  if (!found)
    throw std::runtime_error("cannot merge: no single run has the largest size of every dimension "
                             "(variants change more than one world size in different directions)");

  record::Layout merged;
  merged.dims.push_back({"run", n_runs});
  for (const auto& d : reference.dims)
    if (d.name != "replicate") merged.dims.push_back(d);
  auto text_column = [&](const std::string& name, const std::string& long_name, auto member) {
    std::vector<std::string> values;
    values.reserve(n_runs);
    for (const auto& r : input.runs) values.push_back(r.*member);
    merged.statics.push_back({{name, DType::String, {"run"}, "", long_name}, std::move(values)});
  };
  std::vector<std::int64_t> index(n_runs), replicate(n_runs), seed(n_runs);
  for (std::size_t i = 0; i < n_runs; ++i) {
    index[i] = static_cast<std::int64_t>(i);
    replicate[i] = input.runs[i].replicate;
    seed[i] = input.runs[i].seed;
  }
  merged.statics.push_back({{"run", DType::Int64, {"run"}, "1", "run index in the sweep's plan"}, index});
  text_column("run_id", "run id: hash of the resolved scenario and the replicate index", &MergeRun::run_id);
  text_column("scenario", "scenario name (\"baseline\" or the variant's name)", &MergeRun::scenario);
  merged.statics.push_back({{"replicate", DType::Int64, {"run"}, "1", "replicate index"}, replicate});
  merged.statics.push_back({{"seed", DType::Int64, {"run"}, "1", "the replicate's seed"}, seed});
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
    merged.statics.push_back(s);
  }
  for (auto spec : reference.series) {
    spec.dims[0] = "run";
    merged.series.push_back(std::move(spec));
  }
  merged.global_attributes = input.global_attributes;

  auto writer = record::make_writer(output);
  writer->define(merged);
  record::Frame frame(merged);
  for (std::size_t i = 0; i < n_runs; ++i) {
    const auto& run = input.runs[i];
    if (run.status != "done") continue;
    const record::Layout layout = read_layout(run.file);
    const std::size_t steps = layout.dim("step").size;
    std::vector<std::vector<double>> values;
    std::vector<std::vector<std::size_t>> shapes;  // the run's own sizes of the dims after step
    Silence silence;
    const std::string file_name = run.file.string();
    Handle file(H5Fopen(file_name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                "cannot open '" + file_name + "' as HDF5");
    for (const auto& spec : merged.series) {
      values.push_back(read_open_values(file.get(), file_name, spec.name));
      std::vector<std::size_t> shape;
      for (std::size_t d = 2; d < spec.dims.size(); ++d) shape.push_back(layout.dim(spec.dims[d]).size);
      shapes.push_back(std::move(shape));
    }
    for (std::size_t t = 0; t < steps; ++t) {
      for (std::size_t v = 0; v < merged.series.size(); ++v) {
        const auto& spec = merged.series[v];
        auto& slice = frame[v];
        const bool real = spec.dtype == DType::Float32 || spec.dtype == DType::Float64;
        std::fill(slice.begin(), slice.end(), real ? std::numeric_limits<double>::quiet_NaN() : 0.0);
        const auto& shape = shapes[v];
        std::size_t own = 1;
        for (auto s : shape) own *= s;
        // Scatter the run's (possibly smaller) slice into the merged slice, row-major.
        for (std::size_t j = 0; j < own; ++j) {
          std::size_t rest = j, target = 0, stride = 1;
          for (std::size_t d = shape.size(); d-- > 0;) {
            const std::size_t coordinate = rest % shape[d];
            rest /= shape[d];
            target += coordinate * stride;
            stride *= merged.dim(spec.dims[d + 2]).size;
          }
          slice[target] = values[v][t * own + j];
        }
      }
      writer->write(i, t, frame);
    }
  }
  writer->commit();
}

}  // namespace clustersim::io
