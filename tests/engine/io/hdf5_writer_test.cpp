#include "engine/io/hdf5_writer.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/record/layout.hpp"
#include "engine/record/writer.hpp"

namespace {

namespace fs = std::filesystem;
using clustersim::io::Hdf5Writer;
using clustersim::record::DType;
using clustersim::record::Frame;
using clustersim::record::Layout;
using clustersim::record::VariableSpec;

/// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("clustersim-io-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// ---------------------------------------------------------------------------------------
// The example layout. tests/engine/io/open_with_readers.py checks the same names, values
// and attributes from Python: change both together.

constexpr std::size_t kReplicates = 2, kSteps = 3, kRegions = 4, kClusters = 2, kSectors = 3;

/// A >64 KiB text, like a whole scenario file stored as a global attribute: larger than
/// an HDF5 object header message may be, so it needs dense attribute storage.
std::string long_scenario_text() {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "[instrument_" + std::to_string(i) + "]\nbudget_eur = " + std::to_string(i * 1000) + "\n";
  return text;
}

double d(std::size_t n) { return static_cast<double>(n); }
double firms_value(std::size_t r, std::size_t t, std::size_t region) { return 1000.0 * d(r) + 100.0 * d(t) + d(region); }
double turnover_value(std::size_t r, std::size_t t, std::size_t cell) { return 1e6 * d(r) + 1e3 * d(t) + d(cell) + 0.25; }
double members_value(std::size_t r, std::size_t t, std::size_t cluster) { return 10.0 * d(r) + d(t) + d(cluster); }
double wage_value(std::size_t r, std::size_t t, std::size_t region) { return 2000.5 + d(r) + d(t) + d(region); }

VariableSpec spec(std::string name, DType dtype, std::vector<std::string> dims, std::string units,
                  std::string long_name) {
  VariableSpec s;
  s.name = std::move(name);
  s.dtype = dtype;
  s.dims = std::move(dims);
  s.units = std::move(units);
  s.long_name = std::move(long_name);
  return s;
}

Layout example_layout() {
  Layout layout;
  layout.dims = {{"replicate", kReplicates}, {"step", kSteps}, {"region", kRegions}, {"cluster", kClusters},
                 {"sector", kSectors}};
  layout.statics.push_back(
      {spec("region", DType::String, {"region"}, "", "NUTS-2 region code"),
       std::vector<std::string>{"DE11", "FR10", "ES30", "ITC4"}});
  layout.statics.push_back({spec("cluster", DType::Int64, {"cluster"}, "", "cluster id"), std::vector<std::int64_t>{101, 202}});
  layout.statics.push_back({spec("region_population", DType::Float64, {"region"}, "1", "population"),
                            std::vector<double>{4.1e6, 12.2e6, 6.7e6, 10.1e6}});
  layout.statics.push_back({spec("cluster_region", DType::Int32, {"cluster"}, "", "region index of the cluster"),
                            std::vector<std::int64_t>{0, 3}});
  layout.statics.push_back({spec("sector_share", DType::Float64, {"region", "sector"}, "1", "employment share by sector"),
                            std::vector<double>{0.5, 0.25, 0.25, 0.125, 0.375, 0.5, 1, 0, 0, 0.75, 0.125, 0.125}});

  VariableSpec firms = spec("firms", DType::Int64, {"replicate", "step", "region"}, "1", "number of SMEs");
  firms.headline = true;
  VariableSpec turnover =
      spec("turnover_eur", DType::Float64, {"replicate", "step", "region", "sector"}, "EUR", "turnover per quarter");
  turnover.extra_attributes = {{"cell_methods", std::string("step: sum")}, {"valid_min", 0.0}};
  VariableSpec members = spec("members", DType::Int32, {"replicate", "step", "cluster"}, "1", "cluster members");
  VariableSpec wage = spec("mean_wage_eur", DType::Float32, {"replicate", "step", "region"}, "EUR", "mean monthly wage");
  layout.series = {firms, turnover, members, wage};

  layout.global_attributes = {{"title", std::string("clustersim test output")},
                              {"seed", std::int64_t{42}},
                              {"time_step_years", 0.25},
                              {"currency_note", std::string("amounts in € (euro)")},
                              {"comment", std::string("")},
                              {"scenario", long_scenario_text()}};
  return layout;
}

void fill_frame(Frame& frame, std::size_t r, std::size_t t) {
  for (std::size_t i = 0; i < kRegions; ++i) frame[0][i] = firms_value(r, t, i);
  for (std::size_t i = 0; i < kRegions * kSectors; ++i) frame[1][i] = turnover_value(r, t, i);
  for (std::size_t i = 0; i < kClusters; ++i) frame[2][i] = members_value(r, t, i);
  for (std::size_t i = 0; i < kRegions; ++i) frame[3][i] = wage_value(r, t, i);
}

/// Writes the example layout with every slice filled, and commits.
void write_example(const fs::path& target) {
  const Layout layout = example_layout();
  Hdf5Writer writer(target);
  writer.define(layout);
  Frame frame(layout);
  for (std::size_t r = 0; r < kReplicates; ++r)
    for (std::size_t t = 0; t < kSteps; ++t) {
      fill_frame(frame, r, t);
      writer.write(r, t, frame);
    }
  writer.commit();
}

// ---------------------------------------------------------------------------------------
// Reading back with the plain HDF5 C API, independent of the writer's code.

struct H5 {
  hid_t id;
  herr_t (*closer)(hid_t);
  H5(hid_t i, herr_t (*c)(hid_t)) : id(i), closer(c) { REQUIRE(id >= 0); }
  ~H5() {
    if (id >= 0) closer(id);
  }
  H5(const H5&) = delete;
  H5& operator=(const H5&) = delete;
  operator hid_t() const { return id; }
};

H5 open_file(const fs::path& path) { return H5(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose); }
H5 open_dataset(hid_t file, const char* name) { return H5(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose); }

template <class T>
std::vector<T> read_values(hid_t file, const char* name, hid_t memory_type) {
  H5 dataset = open_dataset(file, name);
  H5 space(H5Dget_space(dataset), H5Sclose);
  std::vector<T> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  return values;
}

std::vector<std::string> read_strings(hid_t file, const char* name) {
  H5 dataset = open_dataset(file, name);
  H5 space(H5Dget_space(dataset), H5Sclose);
  H5 type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  std::vector<char*> pointers(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0);
  std::vector<std::string> values(pointers.begin(), pointers.end());
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
  return values;
}

bool file_type_is(hid_t file, const char* name, hid_t expected) {
  H5 dataset = open_dataset(file, name);
  H5 type(H5Dget_type(dataset), H5Tclose);
  return H5Tequal(type, expected) > 0;
}

std::vector<hsize_t> shape_of(hid_t file, const char* name) {
  H5 dataset = open_dataset(file, name);
  H5 space(H5Dget_space(dataset), H5Sclose);
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, shape.data(), nullptr);
  return shape;
}

/// A text attribute as netCDF-C writes it: scalar, fixed-length string.
std::string read_text_attribute(hid_t object, const char* name) {
  INFO("attribute " << name);
  H5 attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  H5 type(H5Aget_type(attribute), H5Tclose);
  H5 space(H5Aget_space(attribute), H5Sclose);
  REQUIRE(H5Tget_class(type) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(type) == 0);
  REQUIRE(H5Sget_simple_extent_type(space) == H5S_SCALAR);
  const std::size_t size = H5Tget_size(type);
  std::string text(size, '\0');
  REQUIRE(H5Aread(attribute, type, text.data()) >= 0);
  text.resize(strnlen(text.data(), size));
  return text;
}

template <class T>
T read_scalar_attribute(hid_t object, const char* name, hid_t file_type, hid_t memory_type) {
  INFO("attribute " << name);
  H5 attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  H5 type(H5Aget_type(attribute), H5Tclose);
  H5 space(H5Aget_space(attribute), H5Sclose);
  REQUIRE(H5Tequal(type, file_type) > 0);
  REQUIRE(H5Sget_simple_extent_type(space) == H5S_SCALAR);
  T value{};
  REQUIRE(H5Aread(attribute, memory_type, &value) >= 0);
  return value;
}

bool has_attribute(hid_t object, const char* name) { return H5Aexists(object, name) > 0; }

/// The name of the scale attached to `axis` of `dataset` (exactly one is expected).
std::string attached_scale(hid_t dataset, unsigned axis) {
  REQUIRE(H5DSget_num_scales(dataset, axis) == 1);
  std::string name;
  auto visit = [](hid_t, unsigned, hid_t scale, void* out) -> herr_t {
    std::array<char, 256> buffer{};
    H5Iget_name(scale, buffer.data(), buffer.size());
    *static_cast<std::string*>(out) = buffer.data();
    return 0;
  };
  REQUIRE(H5DSiterate_scales(dataset, axis, nullptr, visit, &name) >= 0);
  return name;
}

std::vector<std::string> attached_scales(hid_t dataset) {
  H5 space(H5Dget_space(dataset), H5Sclose);
  std::vector<std::string> names;
  for (int axis = 0; axis < H5Sget_simple_extent_ndims(space); ++axis)
    names.push_back(attached_scale(dataset, static_cast<unsigned>(axis)));
  return names;
}

// ---------------------------------------------------------------------------------------
// External readers.

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// Command output for a failure message, with each line cut short: ncdump prints the
/// 80 KB scenario attribute on one line.
std::string abbreviated(const std::string& output) {
  std::stringstream in(output);
  std::string line, result;
  while (std::getline(in, line)) result += (line.size() > 200 ? line.substr(0, 200) + " [...]" : line) + "\n";
  return result;
}

std::string quoted(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Finds `program` on PATH; fails the test naming the Debian package when it is missing,
/// because a skipped reader check would hide exactly the incompatibility it exists for.
std::string require_program(const std::string& program, const std::string& debian_package) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  FAIL(program << " not found on PATH: install the Debian package " << debian_package);
  return {};
}

}  // namespace

// =======================================================================================

TEST_CASE("Hdf5Writer round-trips a layout through the HDF5 C API", "[unit]") {
  TempDir dir;
  const fs::path target = dir.path / "out.h5";
  write_example(target);
  REQUIRE(fs::exists(target));

  H5 file = open_file(target);

  SECTION("coordinate and static values, dtypes and shapes") {
    CHECK(read_strings(file, "region") == std::vector<std::string>{"DE11", "FR10", "ES30", "ITC4"});
    CHECK(read_values<std::int64_t>(file, "cluster", H5T_NATIVE_INT64) == std::vector<std::int64_t>{101, 202});
    CHECK(read_values<double>(file, "region_population", H5T_NATIVE_DOUBLE) ==
          std::vector<double>{4.1e6, 12.2e6, 6.7e6, 10.1e6});
    CHECK(read_values<std::int32_t>(file, "cluster_region", H5T_NATIVE_INT32) == std::vector<std::int32_t>{0, 3});
    CHECK(shape_of(file, "sector_share") == std::vector<hsize_t>{kRegions, kSectors});
    CHECK(read_values<double>(file, "sector_share", H5T_NATIVE_DOUBLE)[5] == 0.5);

    CHECK(file_type_is(file, "cluster", H5T_STD_I64LE));
    CHECK(file_type_is(file, "cluster_region", H5T_STD_I32LE));
    CHECK(file_type_is(file, "region_population", H5T_IEEE_F64LE));
    H5 region = open_dataset(file, "region");
    H5 region_type(H5Dget_type(region), H5Tclose);
    CHECK(H5Tis_variable_str(region_type) > 0);
    CHECK(H5Tget_cset(region_type) == H5T_CSET_UTF8);
  }

  SECTION("series values are exact in their declared dtypes") {
    CHECK(file_type_is(file, "firms", H5T_STD_I64LE));
    CHECK(file_type_is(file, "turnover_eur", H5T_IEEE_F64LE));
    CHECK(file_type_is(file, "members", H5T_STD_I32LE));
    CHECK(file_type_is(file, "mean_wage_eur", H5T_IEEE_F32LE));
    CHECK(shape_of(file, "turnover_eur") == std::vector<hsize_t>{kReplicates, kSteps, kRegions, kSectors});

    const auto firms = read_values<std::int64_t>(file, "firms", H5T_NATIVE_INT64);
    const auto turnover = read_values<double>(file, "turnover_eur", H5T_NATIVE_DOUBLE);
    const auto members = read_values<std::int32_t>(file, "members", H5T_NATIVE_INT32);
    const auto wage = read_values<float>(file, "mean_wage_eur", H5T_NATIVE_FLOAT);
    for (std::size_t r = 0; r < kReplicates; ++r)
      for (std::size_t t = 0; t < kSteps; ++t) {
        INFO("replicate " << r << ", step " << t);
        const std::size_t slice = r * kSteps + t;
        for (std::size_t i = 0; i < kRegions; ++i) {
          CHECK(firms[slice * kRegions + i] == static_cast<std::int64_t>(firms_value(r, t, i)));
          CHECK(wage[slice * kRegions + i] == static_cast<float>(wage_value(r, t, i)));
        }
        for (std::size_t i = 0; i < kRegions * kSectors; ++i)
          CHECK(turnover[slice * kRegions * kSectors + i] == turnover_value(r, t, i));
        for (std::size_t i = 0; i < kClusters; ++i)
          CHECK(members[slice * kClusters + i] == static_cast<std::int32_t>(members_value(r, t, i)));
      }
  }

  SECTION("series are chunked 1 x steps x slice, shuffled and deflated") {
    H5 dataset = open_dataset(file, "turnover_eur");
    H5 dcpl(H5Dget_create_plist(dataset), H5Pclose);
    REQUIRE(H5Pget_layout(dcpl) == H5D_CHUNKED);
    std::array<hsize_t, 4> chunk{};
    REQUIRE(H5Pget_chunk(dcpl, 4, chunk.data()) == 4);
    CHECK(chunk == std::array<hsize_t, 4>{1, kSteps, kRegions, kSectors});
    REQUIRE(H5Pget_nfilters(dcpl) == 2);
    unsigned flags = 0;
    std::size_t n_values = 1;
    unsigned level = 0;
    CHECK(H5Pget_filter2(dcpl, 0, &flags, &n_values, &level, 0, nullptr, nullptr) == H5Z_FILTER_SHUFFLE);
    n_values = 1;
    CHECK(H5Pget_filter2(dcpl, 1, &flags, &n_values, &level, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
    CHECK(level == 1);
  }

  SECTION("variable attributes") {
    H5 turnover = open_dataset(file, "turnover_eur");
    CHECK(read_text_attribute(turnover, "units") == "EUR");
    CHECK(read_text_attribute(turnover, "long_name") == "turnover per quarter");
    CHECK(read_text_attribute(turnover, "cell_methods") == "step: sum");
    CHECK(read_scalar_attribute<double>(turnover, "valid_min", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE) == 0.0);
    CHECK(std::isnan(read_scalar_attribute<double>(turnover, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE)));
    H5 firms = open_dataset(file, "firms");
    CHECK(read_text_attribute(firms, "units") == "1");
    CHECK(read_text_attribute(firms, "long_name") == "number of SMEs");
    CHECK_FALSE(has_attribute(firms, "_FillValue"));  // 0 is a real count, not "missing"
    H5 region = open_dataset(file, "region");
    CHECK_FALSE(has_attribute(region, "units"));  // empty units are left out
    CHECK(read_text_attribute(region, "long_name") == "NUTS-2 region code");
  }

  SECTION("global attributes, including one larger than an object header allows") {
    H5 root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
    CHECK(read_text_attribute(root, "title") == "clustersim test output");
    CHECK(read_scalar_attribute<std::int64_t>(root, "seed", H5T_STD_I64LE, H5T_NATIVE_INT64) == 42);
    CHECK(read_scalar_attribute<double>(root, "time_step_years", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE) == 0.25);
    CHECK(read_text_attribute(root, "currency_note") == "amounts in € (euro)");
    CHECK(read_text_attribute(root, "comment").empty());
    const std::string scenario = read_text_attribute(root, "scenario");
    CHECK(scenario.size() > 64 * 1024);
    CHECK(scenario == long_scenario_text());
  }

  SECTION("every dimension is a scale, attached to every axis of every variable") {
    H5 replicate = open_dataset(file, "replicate");
    H5 step = open_dataset(file, "step");
    H5 region = open_dataset(file, "region");
    H5 cluster = open_dataset(file, "cluster");
    H5 sector = open_dataset(file, "sector");
    for (hid_t scale : {replicate.id, step.id, region.id, cluster.id, sector.id}) CHECK(H5DSis_scale(scale) > 0);
    // Dimensions without a coordinate variable get netCDF-C's placeholder name.
    CHECK(read_text_attribute(replicate, "NAME") ==
          "This is a netCDF dimension but not a netCDF variable.         2");
    CHECK(read_text_attribute(sector, "NAME") == "This is a netCDF dimension but not a netCDF variable.         3");
    CHECK(read_text_attribute(region, "NAME") == "region");
    CHECK(H5DSget_num_scales(region, 0) <= 0);  // a coordinate variable is its own dimension
    int dimid = 0;
    for (hid_t scale : {replicate.id, step.id, region.id, cluster.id, sector.id}) {
      CHECK(read_scalar_attribute<std::int32_t>(scale, "_Netcdf4Dimid", H5T_STD_I32LE, H5T_NATIVE_INT32) == dimid);
      ++dimid;
    }

    H5 turnover = open_dataset(file, "turnover_eur");
    CHECK(attached_scales(turnover) == std::vector<std::string>{"/replicate", "/step", "/region", "/sector"});
    H5 members = open_dataset(file, "members");
    CHECK(attached_scales(members) == std::vector<std::string>{"/replicate", "/step", "/cluster"});
    H5 share = open_dataset(file, "sector_share");
    CHECK(attached_scales(share) == std::vector<std::string>{"/region", "/sector"});
    H5 cluster_region = open_dataset(file, "cluster_region");
    CHECK(attached_scales(cluster_region) == std::vector<std::string>{"/cluster"});

    CHECK(H5DSis_attached(turnover, region, 2) > 0);  // also checks the scale's REFERENCE_LIST
    CHECK(H5DSis_attached(share, sector, 1) > 0);
    CHECK(H5DSis_attached(members, step, 1) > 0);
  }
}

TEST_CASE("Hdf5Writer leaves unwritten slices as fill values", "[unit]") {
  TempDir dir;
  const fs::path target = dir.path / "partial.nc";
  const Layout layout = example_layout();
  {
    Hdf5Writer writer(target);
    writer.define(layout);
    Frame frame(layout);
    fill_frame(frame, 1, 2);
    writer.write(1, 2, frame);  // only the last slice
    writer.commit();
  }
  H5 file = open_file(target);
  const auto turnover = read_values<double>(file, "turnover_eur", H5T_NATIVE_DOUBLE);
  const auto firms = read_values<std::int64_t>(file, "firms", H5T_NATIVE_INT64);
  CHECK(std::isnan(turnover.front()));
  CHECK(turnover.back() == turnover_value(1, 2, kRegions * kSectors - 1));
  CHECK(firms.front() == 0);  // integers without a declared fill value: 0, and no _FillValue
  H5 firms_dataset = open_dataset(file, "firms");
  CHECK(H5Aexists(firms_dataset, "_FillValue") == 0);
  CHECK(firms.back() == static_cast<std::int64_t>(firms_value(1, 2, kRegions - 1)));
}

TEST_CASE("Hdf5Writer writes a declared fill value as fill, _FillValue and for NaN", "[unit]") {
  TempDir dir;
  const fs::path target = dir.path / "fill.h5";
  Layout layout;
  layout.dims = {{"replicate", 2}, {"step", 2}, {"cluster", 3}};
  layout.statics = {{{"cluster_region", DType::Int32, {"cluster"}, "1", "region index, -1 for none"},
                     std::vector<double>{0, std::nan(""), 2}}};
  layout.statics[0].spec.fill_value = -1;
  layout.series = {{"members", DType::Int64, {"replicate", "step", "cluster"}, "1", "members, -1 if closed"},
                   {"share", DType::Float32, {"replicate", "step", "cluster"}, "1", "a share"}};
  layout.series[0].fill_value = -1;
  {
    Hdf5Writer writer(target);
    writer.define(layout);
    Frame frame(layout);
    frame[0] = {5, std::nan(""), 7};
    frame[1] = {0.5, 0.25, std::nan("")};
    writer.write(0, 1, frame);  // replicate 1 and step 0 are never written
    writer.commit();
  }
  H5 file = open_file(target);
  CHECK(read_values<std::int64_t>(file, "members", H5T_NATIVE_INT64) ==
        std::vector<std::int64_t>{-1, -1, -1, 5, -1, 7, -1, -1, -1, -1, -1, -1});
  CHECK(read_values<std::int32_t>(file, "cluster_region", H5T_NATIVE_INT32) == std::vector<std::int32_t>{0, -1, 2});
  CHECK(std::isnan(read_values<float>(file, "share", H5T_NATIVE_FLOAT)[5]));
  for (const char* name : {"members", "cluster_region"}) {
    INFO(name);
    H5 dataset = open_dataset(file, name);
    H5 attribute(H5Aopen(dataset, "_FillValue", H5P_DEFAULT), H5Aclose);
    H5 attribute_type(H5Aget_type(attribute), H5Tclose);
    H5 dataset_type(H5Dget_type(dataset), H5Tclose);
    CHECK(H5Tequal(attribute_type, dataset_type) > 0);  // netCDF-4 requires the variable's type
    std::int64_t value = 0;
    REQUIRE(H5Aread(attribute, H5T_NATIVE_INT64, &value) >= 0);
    CHECK(value == -1);
    H5 dcpl(H5Dget_create_plist(dataset), H5Pclose);
    std::int64_t property = 0;
    REQUIRE(H5Pget_fill_value(dcpl, H5T_NATIVE_INT64, &property) >= 0);
    CHECK(property == -1);
  }
  H5 share = open_dataset(file, "share");
  CHECK(H5Aexists(share, "_FillValue") > 0);
}

TEST_CASE("Hdf5Writer refuses fill values that its integer dtype cannot hold", "[unit]") {
  TempDir dir;
  Layout layout;
  layout.dims = {{"replicate", 1}, {"step", 1}};
  layout.series = {{"count", DType::Int32, {"replicate", "step"}, "1", "a count"}};
  layout.series[0].fill_value = 0.5;
  Hdf5Writer writer(dir.path / "bad.h5");
  REQUIRE_THROWS_WITH(writer.define(layout), Catch::Contains("fill value 0.5") && Catch::Contains("count"));
}

TEST_CASE("Hdf5Writer writes series spanning several chunk blocks in any order", "[unit]") {
  // 37 steps = two full 16-step blocks and a partial one, whose chunks the writer evicts by
  // reopening the datasets when a replicate's last step is written.
  constexpr std::size_t replicates = 3, steps = 37, regions = 5;
  Layout layout;
  layout.dims = {{"replicate", replicates}, {"step", steps}, {"region", regions}};
  layout.series = {spec("count", DType::Int32, {"replicate", "step", "region"}, "1", "a count"),
                   spec("amount_eur", DType::Float64, {"replicate", "step", "region"}, "EUR", "an amount")};
  auto value = [](std::size_t r, std::size_t t, std::size_t i) { return d(r * 10000 + t * 10 + i); };

  // Replicate-major is how runs write (the writer gathers a chunk's steps and writes them
  // at once); the other orders make it write the steps it has gathered early.
  const int order = GENERATE(0, 1, 2);
  const bool interleaved = order == 1, backwards = order == 2;
  INFO((interleaved ? "step-major (replicates interleaved)" : backwards ? "replicate-major, last step first" : "replicate-major"));
  TempDir dir;
  const fs::path target = dir.path / "long.h5";
  {
    Hdf5Writer writer(target);
    writer.define(layout);
    Frame frame(layout);
    auto write = [&](std::size_t r, std::size_t t) {
      for (std::size_t i = 0; i < regions; ++i) frame[0][i] = frame[1][i] = value(r, t, i);
      writer.write(r, t, frame);
    };
    for (std::size_t outer = 0; outer < (interleaved ? steps : replicates); ++outer)
      for (std::size_t inner = 0; inner < (interleaved ? replicates : steps); ++inner)
        interleaved ? write(inner, outer) : write(outer, backwards ? steps - 1 - inner : inner);
    writer.commit();
  }
  H5 file = open_file(target);
  const auto counts = read_values<std::int32_t>(file, "count", H5T_NATIVE_INT32);
  const auto amounts = read_values<double>(file, "amount_eur", H5T_NATIVE_DOUBLE);
  std::size_t mismatches = 0;
  for (std::size_t r = 0; r < replicates; ++r)
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t i = 0; i < regions; ++i) {
        const std::size_t k = (r * steps + t) * regions + i;
        if (counts[k] != static_cast<std::int32_t>(value(r, t, i)) || amounts[k] != value(r, t, i)) ++mismatches;
      }
  CHECK(mismatches == 0);

  H5 dataset = open_dataset(file, "amount_eur");
  H5 dcpl(H5Dget_create_plist(dataset), H5Pclose);
  std::array<hsize_t, 3> chunk{};
  REQUIRE(H5Pget_chunk(dcpl, 3, chunk.data()) == 3);
  CHECK(chunk == std::array<hsize_t, 3>{1, 16, regions});
}

TEST_CASE("Hdf5Writer caps chunks at about 64K values, innermost dimension first", "[unit]") {
  Layout layout;
  layout.dims = {{"replicate", 2}, {"step", 20}, {"region", 300}, {"partner", 400}};
  layout.series = {spec("flow_eur", DType::Float64, {"replicate", "step", "region", "partner"}, "EUR", "flows")};
  TempDir dir;
  const fs::path target = dir.path / "wide.h5";
  {
    Hdf5Writer writer(target);
    writer.define(layout);
    writer.commit();
  }
  H5 file = open_file(target);
  H5 dataset = open_dataset(file, "flow_eur");
  H5 dcpl(H5Dget_create_plist(dataset), H5Pclose);
  std::array<hsize_t, 4> chunk{};
  REQUIRE(H5Pget_chunk(dcpl, 4, chunk.data()) == 4);
  CHECK(chunk == std::array<hsize_t, 4>{1, 16, 300, 13});  // 16 * 300 * 13 = 62400 values
}

TEST_CASE("Hdf5Writer makes the target appear only at commit", "[unit]") {
  TempDir dir;
  const fs::path target = dir.path / "out.h5";
  const Layout layout = example_layout();

  SECTION("an uncommitted writer leaves neither target nor temporary file") {
    fs::path temporary;
    {
      Hdf5Writer writer(target);
      temporary = writer.temporary_path();
      CHECK(temporary == fs::path(target.string() + ".tmp-" + std::to_string(::getpid())));
      CHECK(fs::exists(temporary));
      writer.define(layout);
      Frame frame(layout);
      writer.write(0, 0, frame);
    }
    CHECK_FALSE(fs::exists(temporary));
    CHECK_FALSE(fs::exists(target));
    CHECK(fs::is_empty(dir.path));
  }

  SECTION("commit creates the target and removes the temporary file") {
    Hdf5Writer writer(target);
    writer.define(layout);
    CHECK_FALSE(fs::exists(target));
    writer.commit();
    CHECK(fs::exists(target));
    CHECK_FALSE(fs::exists(writer.temporary_path()));
  }

  SECTION("an existing target is replaced only at commit") {
    { std::ofstream(target) << "previous run"; }
    {
      Hdf5Writer abandoned(target);
      abandoned.define(layout);
    }
    CHECK(fs::file_size(target) == std::string("previous run").size());

    Hdf5Writer writer(target);
    writer.define(layout);
    CHECK(fs::file_size(target) == std::string("previous run").size());
    writer.commit();
    CHECK(H5Fis_hdf5(target.c_str()) > 0);
    CHECK(std::vector<fs::path>(fs::directory_iterator(dir.path), fs::directory_iterator()) ==
          std::vector<fs::path>{target});
  }
}

TEST_CASE("Hdf5Writer reports unusable output locations with the path", "[unit]") {
  TempDir dir;
  const fs::path missing = dir.path / "no-such-dir" / "out.h5";
  REQUIRE_THROWS_WITH(clustersim::record::make_writer(missing),
                      Catch::Contains((dir.path / "no-such-dir").string()) && Catch::Contains("does not exist"));

  { std::ofstream(dir.path / "plain-file") << "x"; }
  REQUIRE_THROWS_WITH(Hdf5Writer(dir.path / "plain-file" / "out.h5"), Catch::Contains("is not a directory"));

  if (::geteuid() == 0) {
    WARN("running as root, which may write anywhere: the read-only directory case is not exercised");
  } else {
    const fs::path locked = dir.path / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    REQUIRE_THROWS_WITH(Hdf5Writer(locked / "out.h5"),
                        Catch::Contains(locked.string()) && Catch::Contains("not writable"));
    fs::permissions(locked, fs::perms::owner_all);
  }
}

TEST_CASE("Hdf5Writer names what it was doing when HDF5 fails", "[unit]") {
  TempDir dir;
  Layout layout = example_layout();
  layout.global_attributes.push_back({"title", std::string("a second title")});  // HDF5 refuses duplicates
  Hdf5Writer writer(dir.path / "dup.h5");
  REQUIRE_THROWS_WITH(writer.define(layout), Catch::StartsWith("writing attribute 'title' of the file in ") &&
                                                 Catch::Contains("dup.h5.tmp-" + std::to_string(::getpid())));
}

TEST_CASE("Hdf5Writer rejects frames and layouts that do not match", "[unit]") {
  TempDir dir;
  const Layout layout = example_layout();
  Hdf5Writer writer(dir.path / "out.h5");
  writer.define(layout);
  Frame frame(layout);
  CHECK_THROWS_AS(writer.write(kReplicates, 0, frame), clustersim::InvariantError);
  CHECK_THROWS_AS(writer.write(0, kSteps, frame), clustersim::InvariantError);
  frame[0].push_back(1.0);
  CHECK_THROWS_AS(writer.write(0, 0, frame), clustersim::InvariantError);

  Layout bad = example_layout();
  bad.series[0].dims = {"step", "replicate", "region"};
  Hdf5Writer other(dir.path / "bad.h5");
  CHECK_THROWS_WITH(other.define(bad), Catch::Contains("must have dims starting with replicate, step"));
}

TEST_CASE("make_writer picks the writer from the file extension", "[unit]") {
  TempDir dir;
  for (const char* name : {"a.h5", "b.hdf5", "c.nc", "d.NC"}) {
    INFO(name);
    CHECK(dynamic_cast<Hdf5Writer*>(clustersim::record::make_writer(dir.path / name).get()) != nullptr);
  }
  CHECK(fs::is_empty(dir.path));  // each writer removed its temporary file
  REQUIRE_THROWS_AS(clustersim::record::make_writer(dir.path / "out.csv"), clustersim::UsageError);
  REQUIRE_THROWS_WITH(clustersim::record::make_writer(dir.path / "out.csv"),
                      Catch::Contains("out.csv") && Catch::Contains(".h5") && Catch::Contains(".nc") &&
                          Catch::Contains(".hdf5"));
  REQUIRE_THROWS_AS(clustersim::record::make_writer(dir.path / "out"), clustersim::UsageError);
}

TEST_CASE("Hdf5Writer output opens in ncdump", "[unit][io]") {
  const std::string ncdump = require_program("ncdump", "netcdf-bin");
  TempDir dir;
  const fs::path target = dir.path / "out.nc";
  write_example(target);

  const CommandResult header = run(quoted(ncdump) + " -h " + quoted(target.string()));
  INFO(abbreviated(header.output));
  REQUIRE(header.exit_code == 0);
  // Dimensions in Layout order (ncdump numbers them by _Netcdf4Dimid / creation order).
  const std::string dims = "dimensions:\n\treplicate = 2 ;\n\tstep = 3 ;\n\tregion = 4 ;\n\tcluster = 2 ;\n\tsector = 3 ;\n";
  CHECK_THAT(header.output, Catch::Contains(dims));
  CHECK_THAT(header.output, Catch::Contains("\tstring region(region) ;"));
  CHECK_THAT(header.output, Catch::Contains("\tint64 cluster(cluster) ;"));
  CHECK_THAT(header.output, Catch::Contains("\tint cluster_region(cluster) ;"));
  CHECK_THAT(header.output, Catch::Contains("\tdouble sector_share(region, sector) ;"));
  CHECK_THAT(header.output, Catch::Contains("\tint64 firms(replicate, step, region) ;"));
  CHECK_THAT(header.output, Catch::Contains("\tdouble turnover_eur(replicate, step, region, sector) ;"));
  CHECK_THAT(header.output, Catch::Contains("\tint members(replicate, step, cluster) ;"));
  CHECK_THAT(header.output, Catch::Contains("\tfloat mean_wage_eur(replicate, step, region) ;"));
  CHECK_THAT(header.output, Catch::Contains("\t\tturnover_eur:units = \"EUR\" ;"));
  CHECK_THAT(header.output, Catch::Contains("\t\tfirms:units = \"1\" ;"));
  CHECK_THAT(header.output, Catch::Contains("\t\t:title = \"clustersim test output\" ;"));
  CHECK_THAT(header.output, Catch::Contains("\t\t:seed = 42LL ;"));
  CHECK_THAT(header.output, Catch::Contains("\t\t:scenario = \"[instrument_0]\\nbudget_eur = 0\\n[instrument_1]"));
  CHECK_THAT(header.output, Catch::Contains("budget_eur = 4999000\\n\" ;"));
  // The placeholders of dimensions without variables must not show up as variables.
  CHECK_THAT(header.output, !Catch::Contains("float replicate") && !Catch::Contains("float step"));

  const CommandResult region = run(quoted(ncdump) + " -v region " + quoted(target.string()));
  INFO(abbreviated(region.output));
  REQUIRE(region.exit_code == 0);
  CHECK_THAT(region.output, Catch::Contains("region = \"DE11\", \"FR10\", \"ES30\", \"ITC4\" ;"));

  const CommandResult firms = run(quoted(ncdump) + " -v firms " + quoted(target.string()));
  INFO(abbreviated(firms.output));
  REQUIRE(firms.exit_code == 0);
  CHECK_THAT(firms.output, Catch::Contains("1200, 1201, 1202, 1203 ;"));
}

TEST_CASE("Hdf5Writer output opens in xarray with the h5netcdf engine", "[unit][io]") {
  const fs::path python = "/usr/bin/python3";
  if (::access(python.c_str(), X_OK) != 0)
    FAIL("/usr/bin/python3 not found: install the Debian packages python3-xarray python3-h5netcdf");
  const fs::path script = fs::path(CLUSTERSIM_SOURCE_DIR) / "tests/engine/io/open_with_readers.py";
  REQUIRE(fs::exists(script));
  TempDir dir;
  const fs::path target = dir.path / "out.h5";
  write_example(target);

  // -I: ignore PYTHONPATH and user site-packages, which may belong to another Python.
  const CommandResult result = run(quoted(python.string()) + " -I " + quoted(script.string()) + " " + quoted(target.string()));
  INFO(abbreviated(result.output));
  CHECK(result.exit_code == 0);
}

TEST_CASE("Hdf5Writer's own shuffle and deflate of whole chunk-blocks match HDF5's filters", "[unit]") {
  // Replicate-major writing hands whole chunk-blocks to the writer's own filters
  // (H5Dwrite_chunk); step-major writing goes through H5Dwrite and HDF5's filters. Both files
  // must read back the same values and store the same number of bytes. 21 steps: a block of
  // 16 and one of 5 padded past the last step; 9,500 partners: chunks of 585 partners
  // (16 x 7 x 585 <= 64K values), the last of each row 140 wide.
  constexpr std::size_t replicates = 2, steps = 21, regions = 7, partners = 9500;
  Layout layout;
  layout.dims = {{"replicate", replicates}, {"step", steps}, {"region", regions}, {"partner", partners}};
  layout.series = {spec("flow_eur", DType::Float64, {"replicate", "step", "region", "partner"}, "EUR", "flows"),
                   spec("deals", DType::Int32, {"replicate", "step", "region", "partner"}, "1", "deals"),
                   spec("share", DType::Float32, {"replicate", "step", "region"}, "1", "a share"),
                   spec("firms", DType::Int64, {"replicate", "step"}, "1", "firms")};
  layout.series[1].fill_value = -1;
  // NaN where the real is missing, the fill value (-1) where the count is.
  auto value = [](std::size_t r, std::size_t t, std::size_t i, std::size_t j) {
    const std::size_t k = ((r * steps + t) * regions + i) * partners + j;
    return k % 97 == 0 ? std::nan("") : static_cast<double>((k * 2654435761u) % 100000) / 8.0;
  };
  TempDir dir;
  auto write_file = [&](const fs::path& target, bool step_major) {
    Hdf5Writer writer(target);
    writer.define(layout);
    Frame frame(layout);
    auto write = [&](std::size_t r, std::size_t t) {
      for (std::size_t i = 0; i < regions; ++i) {
        for (std::size_t j = 0; j < partners; ++j) {
          const double v = value(r, t, i, j);
          frame[0][i * partners + j] = v;
          frame[1][i * partners + j] = std::isnan(v) ? v : std::floor(v);
        }
        frame[2][i] = value(r, t, i, 1);
      }
      frame[3][0] = d(r * 100 + t);
      writer.write(r, t, frame);
    };
    for (std::size_t outer = 0; outer < (step_major ? steps : replicates); ++outer)
      for (std::size_t inner = 0; inner < (step_major ? replicates : steps); ++inner)
        step_major ? write(inner, outer) : write(outer, inner);
    writer.commit();
  };
  write_file(dir.path / "direct.h5", false);
  write_file(dir.path / "hdf5.h5", true);

  H5 direct = open_file(dir.path / "direct.h5");
  H5 filtered = open_file(dir.path / "hdf5.h5");
  const auto flows = read_values<double>(direct, "flow_eur", H5T_NATIVE_DOUBLE);
  const auto deals = read_values<std::int32_t>(direct, "deals", H5T_NATIVE_INT32);
  std::size_t mismatches = 0;
  for (std::size_t r = 0; r < replicates; ++r)
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t i = 0; i < regions; ++i)
        for (std::size_t j = 0; j < partners; ++j) {
          const std::size_t k = ((r * steps + t) * regions + i) * partners + j;
          const double v = value(r, t, i, j);
          const bool flow_ok = std::isnan(v) ? std::isnan(flows[k]) : flows[k] == v;
          const bool deals_ok = deals[k] == (std::isnan(v) ? -1 : static_cast<std::int32_t>(std::floor(v)));
          if (!flow_ok || !deals_ok) ++mismatches;
        }
  CHECK(mismatches == 0);
  CHECK(read_values<std::int64_t>(direct, "firms", H5T_NATIVE_INT64) ==
        read_values<std::int64_t>(filtered, "firms", H5T_NATIVE_INT64));
  const auto shares = read_values<float>(direct, "share", H5T_NATIVE_FLOAT);
  const auto shares_hdf5 = read_values<float>(filtered, "share", H5T_NATIVE_FLOAT);
  REQUIRE(shares.size() == shares_hdf5.size());
  CHECK(std::memcmp(shares.data(), shares_hdf5.data(), shares.size() * sizeof(float)) == 0);
  for (const char* name : {"flow_eur", "deals", "share", "firms"}) {
    INFO(name);
    H5 a = open_dataset(direct, name), b = open_dataset(filtered, name);
    CHECK(H5Dget_storage_size(a) == H5Dget_storage_size(b));
  }
  // The same values through HDF5's filter pipeline.
  CHECK(read_values<std::int32_t>(filtered, "deals", H5T_NATIVE_INT32) == deals);
}
