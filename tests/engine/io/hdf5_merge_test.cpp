#include "engine/io/hdf5_merge.hpp"

#include <catch2/catch.hpp>

#include "../../test_paths.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_writer.hpp"

#include <hdf5.h>

namespace fs = std::filesystem;
using namespace clustersim;

namespace {

/// A run file of run `run_id` with `n` items and `kinds` kinds, 3 steps; count and level
/// along item are base + step * 10 + item (+ 0.5 for level), flag along kind is kind + 1.
/// Without `level`, the file has one series variable fewer than the others.
fs::path write_run(const fs::path& file, const std::string& run_id, std::size_t n, double base, bool with_level = true,
                   std::size_t kinds = 1, const std::string& experiment_sha = "x") {
  record::Layout layout;
  layout.dims = {{"replicate", 1}, {"step", 3}, {"item", n}, {"kind", kinds}};
  std::vector<std::string> codes, kind_codes;
  std::vector<std::int64_t> item_rank;
  for (std::size_t i = 0; i < n; ++i) codes.push_back("I" + std::to_string(i)), item_rank.push_back(static_cast<std::int64_t>(10 * i));
  for (std::size_t k = 0; k < kinds; ++k) kind_codes.push_back("K" + std::to_string(k));
  std::vector<std::int64_t> weight;  // item x kind: 100 item + kind
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < kinds; ++k) weight.push_back(static_cast<std::int64_t>(100 * i + k));
  layout.statics = {{{"replicate", record::DType::Int64, {"replicate"}, "1", "replicate"}, std::vector<std::int64_t>{2}},
                    {{"step", record::DType::Int64, {"step"}, "quarter", "step"}, std::vector<std::int64_t>{0, 1, 2}},
                    {{"item", record::DType::String, {"item"}, "", "item code"}, codes},
                    {{"kind", record::DType::String, {"kind"}, "", "kind code"}, kind_codes},
                    {{"item_rank", record::DType::Int64, {"item"}, "1", "rank"}, item_rank},
                    {{"weight", record::DType::Int64, {"item", "kind"}, "1", "weight"}, weight},
                    {{"replicate_seed", record::DType::Int64, {"replicate"}, "1", "seed"}, std::vector<std::int64_t>{9}}};
  layout.series = {{"count", record::DType::Int64, {"replicate", "step", "item"}, "1", "a count"},
                   {"flag", record::DType::Int32, {"replicate", "step", "kind"}, "1", "a flag, -1 for none"},
                   {"level", record::DType::Float64, {"replicate", "step", "item"}, "EUR", "a level"}};
  layout.series[1].fill_value = -1;
  if (!with_level) layout.series.pop_back();
  layout.global_attributes = {{"run_id", run_id}, {"experiment_sha", experiment_sha}};
  io::Hdf5Writer writer(file);
  writer.define(layout);
  record::Frame frame(layout);
  for (std::size_t t = 0; t < 3; ++t) {
    for (std::size_t i = 0; i < n; ++i) {
      frame[0][i] = base + static_cast<double>(t * 10 + i);
      if (with_level) frame[2][i] = 0.5 + base + static_cast<double>(t * 10 + i);
    }
    for (std::size_t k = 0; k < kinds; ++k) frame[1][k] = static_cast<double>(k + 1);
    writer.write(0, t, frame);
  }
  writer.commit();
  return file;
}

const record::StaticVariable& static_named(const record::Layout& layout, const std::string& name) {
  for (const auto& s : layout.statics)
    if (s.spec.name == name) return s;
  FAIL("no static variable " << name);
  throw;
}

const record::VariableSpec& series_named(const record::Layout& layout, const std::string& name) {
  return layout.series.at(layout.series_index(name));
}

constexpr double kIntegerFill = -2147483647.0;

}  // namespace

TEST_CASE("a written file reads back as the same layout", "[unit]") {
  const fs::path dir = clustersim::test::scratch("merge-unit");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto layout = io::read_layout(write_run(dir / "a.h5", "a", 2, 100));
  REQUIRE(layout.dims.size() == 4);
  CHECK(layout.dims[2].name == "item");
  CHECK(layout.dims[2].size == 2);
  REQUIRE(layout.series.size() == 3);
  CHECK(layout.series[2].units == "EUR");
  CHECK(layout.series[1].fill_value == -1.0);
  CHECK_FALSE(layout.series[0].fill_value.has_value());
  CHECK(std::isnan(layout.series[2].fill_value.value()));
  CHECK(layout.series[0].dims == std::vector<std::string>{"replicate", "step", "item"});
  CHECK(io::read_values(dir / "a.h5", "level")[3] == 111.5);
}

TEST_CASE("merging pads smaller runs, leaves failed runs as fill and keeps per-run columns", "[unit]") {
  const fs::path dir = clustersim::test::scratch("merge-unit2");
  fs::remove_all(dir);
  fs::create_directories(dir);
  io::MergeInput input;
  input.swept_keys = {"world.rate"};
  input.runs = {{"aaaaaaaaaaaaaaaa", "baseline", "done", "", 0, 11, {0.1}, write_run(dir / "a.h5", "aaaaaaaaaaaaaaaa", 2, 0)},
                {"bbbbbbbbbbbbbbbb", "big", "failed", "boom", 1, 12, {0.2}, {}},
                {"cccccccccccccccc", "big", "done", "", 0, 11, {0.3}, write_run(dir / "c.h5", "cccccccccccccccc", 3, 1000)}};
  input.global_attributes = {{"experiment_sha", std::string("x")}};
  io::merge_runs(input, dir / "merged.h5");
  const auto merged = io::read_layout(dir / "merged.h5");
  CHECK(merged.dim("run").size == 3);
  CHECK(merged.dim("item").size == 3);
  CHECK(series_named(merged, "count").dims == std::vector<std::string>{"run", "step", "item"});
  const auto level = io::read_values(dir / "merged.h5", "level");  // 3 runs x 3 steps x 3 items
  CHECK(level[0 * 9 + 1 * 3 + 1] == 11.5);
  CHECK(std::isnan(level[0 * 9 + 0 * 3 + 2]));  // run 0 has 2 items only
  CHECK(std::isnan(level[1 * 9 + 4]));          // failed run
  CHECK(level[2 * 9 + 2 * 3 + 2] == 1022.5);
  const auto count = io::read_values(dir / "merged.h5", "count");
  CHECK(count[1 * 9 + 4] == kIntegerFill);  // integers have no NaN: netCDF's NC_FILL_INT ...
  CHECK(count[0 * 9 + 0 * 3 + 2] == kIntegerFill);
  CHECK(series_named(merged, "count").fill_value == kIntegerFill);  // ... declared as _FillValue
  CHECK(series_named(merged, "flag").fill_value == -1.0);  // a declared fill value is kept
  CHECK(io::read_values(dir / "merged.h5", "flag")[1 * 3] == -1.0);
  bool named = false;
  for (const auto& a : series_named(merged, "level").extra_attributes)
    if (a.name == "coordinates") named = std::get<std::string>(a.value) == "scenario replicate swept__world__rate";
  CHECK(named);
  bool found = false;
  for (const auto& s : merged.statics)
    if (s.spec.name == "swept__world__rate") {
      found = true;
      CHECK(std::get<std::vector<double>>(s.data) == std::vector<double>{0.1, 0.2, 0.3});
      REQUIRE(s.spec.extra_attributes.size() >= 1);
      CHECK(std::get<std::string>(s.spec.extra_attributes[0].value) == "world.rate");
    } else if (s.spec.name == "error") {
      CHECK(std::get<std::vector<std::string>>(s.data)[1] == "boom");
    } else if (s.spec.name == "item") {
      CHECK(std::get<std::vector<std::string>>(s.data).size() == 3);
    }
  CHECK(found);
}

namespace {

/// How HDF5 indexes the chunks of `variable` in `file`.
H5D_chunk_index_t chunk_index_of(const fs::path& file, const std::string& variable) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t d = H5Dopen2(f, variable.c_str(), H5P_DEFAULT);
  H5D_chunk_index_t index = H5D_CHUNK_IDX_NTYPES;
  const herr_t status = d >= 0 ? H5Dget_chunk_index_type(d, &index) : -1;
  if (d >= 0) H5Dclose(d);
  H5Fclose(f);
  REQUIRE(status >= 0);
  return index;
}

}  // namespace

TEST_CASE("a merged file indexes its chunks with a fixed array, not a B-tree that grows with the runs", "[unit]") {
  // One chunk per run and series variable: with the HDF5 1.8 format's v1 B-tree chunk index,
  // merging thousands of runs took memory and time per run that grew with the number of
  // runs (docs/DISTRIBUTED.md, "Merging large sweeps"). The 1.10 format's Fixed Array
  // index costs the same for every chunk.
  const fs::path dir = clustersim::test::fresh_scratch("merge-index");
  io::MergeInput input;
  for (int i = 0; i < 40; ++i) {
    const fs::path file = write_run(dir / ("r" + std::to_string(i) + ".h5"), "r" + std::to_string(i), 3, 10.0 * i);
    input.runs.push_back({"r" + std::to_string(i), "baseline", "done", "", i, 100 + i, {}, file});
  }
  io::merge_runs(input, dir / "merged.h5");
  CHECK(chunk_index_of(dir / "merged.h5", "count") == H5D_CHUNK_IDX_FARRAY);
  CHECK(chunk_index_of(dir / "merged.h5", "level") == H5D_CHUNK_IDX_FARRAY);
  // Run files keep the 1.8 format, readable by older HDF5 and netCDF builds.
  CHECK(chunk_index_of(dir / "r0.h5", "level") == H5D_CHUNK_IDX_BTREE);
  const auto level = io::read_values(dir / "merged.h5", "level");  // 40 runs x 3 steps x 3 items
  REQUIRE(level.size() == 40 * 9);
  CHECK(level[39 * 9 + 2 * 3 + 1] == 390 + 21.5);
  fs::remove_all(dir);
}

TEST_CASE("merging refuses run files that do not hold the same variables", "[unit]") {
  const fs::path dir = clustersim::test::fresh_scratch("merge-mismatch");
  io::MergeInput input;
  input.runs = {{"aaaaaaaaaaaaaaaa", "baseline", "done", "", 0, 11, {}, write_run(dir / "a.h5", "aaaaaaaaaaaaaaaa", 2, 0)},
                {"bbbbbbbbbbbbbbbb", "baseline", "done", "", 1, 12, {}, write_run(dir / "b.h5", "bbbbbbbbbbbbbbbb", 2, 0, false)}};
  REQUIRE_THROWS_WITH(io::merge_runs(input, dir / "merged.h5"),
                      Catch::Contains("b.h5") && Catch::Contains("does not have the same variables"));
  CHECK_FALSE(fs::exists(dir / "merged.h5"));
  REQUIRE_THROWS_AS(io::merge_runs(input, dir / "merged.txt"), UsageError);
  fs::remove_all(dir);
}

TEST_CASE("variants that grow different dimensions merge, each static variable from a run that has it whole",
          "[unit]") {
  // Run a has more items, run b more kinds: no single run has both at full size.
  const fs::path dir = clustersim::test::fresh_scratch("merge-directions");
  io::MergeInput input;
  input.runs = {{"a", "baseline", "done", "", 0, 11, {}, write_run(dir / "a.h5", "a", 3, 0, true, 1)},
                {"b", "more_kinds", "done", "", 0, 11, {}, write_run(dir / "b.h5", "b", 2, 100, true, 4)}};
  input.global_attributes = {{"experiment_sha", std::string("x")}};
  io::merge_runs(input, dir / "merged.h5");
  const auto merged = io::read_layout(dir / "merged.h5");
  CHECK(merged.dim("item").size == 3);
  CHECK(merged.dim("kind").size == 4);
  CHECK(std::get<std::vector<std::string>>(static_named(merged, "item").data) ==
        std::vector<std::string>{"I0", "I1", "I2"});
  CHECK(std::get<std::vector<std::string>>(static_named(merged, "kind").data) ==
        std::vector<std::string>{"K0", "K1", "K2", "K3"});
  CHECK(std::get<std::vector<std::int64_t>>(static_named(merged, "item_rank").data) ==
        std::vector<std::int64_t>{0, 10, 20});
  // No run has weight(item, kind) whole: it comes from b (8 values), padded with the fill value.
  const auto& weight = static_named(merged, "weight");
  CHECK(weight.spec.fill_value == kIntegerFill);
  const auto& w = std::get<std::vector<std::int64_t>>(weight.data);
  REQUIRE(w.size() == 12);
  CHECK(w[0 * 4 + 3] == 3);
  CHECK(w[1 * 4 + 2] == 102);
  CHECK(w[2 * 4 + 0] == static_cast<std::int64_t>(kIntegerFill));
  const auto flag = io::read_values(dir / "merged.h5", "flag");  // 2 runs x 3 steps x 4 kinds
  CHECK(flag[0 * 12 + 2 * 4 + 0] == 1.0);
  CHECK(flag[0 * 12 + 2 * 4 + 1] == -1.0);  // run a has one kind: the rest is its fill value
  CHECK(flag[1 * 12 + 2 * 4 + 3] == 4.0);
  const auto count = io::read_values(dir / "merged.h5", "count");  // 2 runs x 3 steps x 3 items
  CHECK(count[1 * 9 + 1 * 3 + 1] == 111.0);
  CHECK(count[1 * 9 + 1 * 3 + 2] == kIntegerFill);
  fs::remove_all(dir);
}

TEST_CASE("merging refuses or flags a run file that is not the plan's run", "[unit]") {
  const fs::path dir = clustersim::test::fresh_scratch("merge-trust");
  const fs::path a = write_run(dir / "a.h5", "aaaaaaaaaaaaaaaa", 2, 0);
  const fs::path b = dir / "b.h5";
  fs::copy_file(a, b);  // run b's file overwritten by run a's
  io::MergeInput input;
  input.runs = {{"aaaaaaaaaaaaaaaa", "baseline", "done", "", 0, 11, {}, a.string()},
                {"bbbbbbbbbbbbbbbb", "baseline", "done", "", 1, 12, {}, b.string()}};
  input.global_attributes = {{"experiment_sha", std::string("x")}};
  REQUIRE_THROWS_WITH(io::merge_runs(input, dir / "merged.h5"),
                      Catch::Contains("run file '" + b.string() + "' holds run aaaaaaaaaaaaaaaa, not run bbbbbbbbbbbbbbbb"));
  CHECK_FALSE(fs::exists(dir / "merged.h5"));

  // Written for another experiment.
  write_run(dir / "b2.h5", "bbbbbbbbbbbbbbbb", 2, 0, true, 1, "y");
  input.runs[1].file = (dir / "b2.h5").string();
  REQUIRE_THROWS_WITH(io::merge_runs(input, dir / "merged.h5"),
                      Catch::Contains("b2.h5' was written for experiment y, not this sweep's x"));

  // Truncated.
  fs::copy_file(a, dir / "b3.h5");
  fs::resize_file(dir / "b3.h5", fs::file_size(a) / 2);
  input.runs[1].file = (dir / "b3.h5").string();
  REQUIRE_THROWS_WITH(io::merge_runs(input, dir / "merged.h5"), Catch::Contains("b3.h5"));
  CHECK_FALSE(fs::exists(dir / "merged.h5"));

  // With bad_files_as_failed (merge --partial) the run is merged as failed, with the reason.
  input.runs[1].file = b.string();
  input.bad_files_as_failed = true;
  const auto rejected = io::merge_runs(input, dir / "merged.h5");
  REQUIRE(rejected.size() == 1);
  CHECK_THAT(rejected[0], Catch::Contains(b.string()));
  const auto merged = io::read_layout(dir / "merged.h5");
  CHECK(std::get<std::vector<std::string>>(static_named(merged, "status").data) ==
        std::vector<std::string>{"done", "failed"});
  CHECK_THAT(std::get<std::vector<std::string>>(static_named(merged, "error").data)[1], Catch::Contains("holds run aaaa"));
  CHECK(io::read_values(dir / "merged.h5", "count")[1 * 6] == kIntegerFill);
  fs::remove_all(dir);
}

TEST_CASE("a merged file opens in xarray with coordinates along run and masked padding", "[unit][io]") {
  // Baseline with 2 items, a variant with 4, 2 replicates each, one failed run.
  const fs::path dir = clustersim::test::fresh_scratch("merge-xarray");
  io::MergeInput input;
  input.swept_keys = {"world.rate"};
  for (int r = 0; r < 2; ++r) {
    const std::string base = "base" + std::to_string(r), big = "big" + std::to_string(r);
    input.runs.push_back({base, "baseline", "done", "", r, 11, {0.1}, write_run(dir / (base + ".h5"), base, 2, 100.0 * r)});
    if (r == 1) {
      input.runs.push_back({big, "more_items", "failed", "boom", r, 11, {0.2}, {}});
    } else {
      input.runs.push_back({big, "more_items", "done", "", r, 11, {0.2}, write_run(dir / (big + ".h5"), big, 4, 100.0 * r)});
    }
  }
  input.global_attributes = {{"experiment_sha", std::string("x")}};
  io::merge_runs(input, dir / "merged.h5");
  const std::string script = std::string(CLUSTERSIM_SOURCE_DIR) + "/tests/engine/io/check_merged_xarray.py";
  const std::string command = "/usr/bin/python3 " + script + " " + (dir / "merged.h5").string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = ::pclose(pipe);
  INFO(output);
  CHECK(status == 0);
  fs::remove_all(dir);
}

namespace {

/// A run with an Int32 code along "item" that indexes "item" (CF flags from the coordinate)
/// and a 0/1 code with explicit flags.
fs::path write_coded_run(const fs::path& file, const std::string& run_id, std::size_t n) {
  record::Layout layout;
  layout.dims = {{"replicate", 1}, {"step", 1}, {"item", n}};
  std::vector<std::string> codes;
  for (std::size_t i = 0; i < n; ++i) codes.push_back("I" + std::to_string(i));
  layout.statics = {{{"replicate", record::DType::Int64, {"replicate"}, "1", "replicate"}, std::vector<std::int64_t>{0}},
                    {{"step", record::DType::Int64, {"step"}, "quarter", "step"}, std::vector<std::int64_t>{0}},
                    {{"item", record::DType::String, {"item"}, "", "item code"}, codes}};
  record::VariableSpec which{"which", record::DType::Int32, {"replicate", "step", "item"}, "", "index along item"};
  which.fill_value = -1;
  record::VariableSpec open{"open", record::DType::Int32, {"replicate", "step", "item"}, "", "1 if open"};
  layout.series = {record::set_index_flags(which, "item"), record::set_flags(open, {{0, "closed"}, {1, "open"}})};
  record::resolve_index_flags(layout);
  layout.global_attributes = {{"run_id", run_id}, {"experiment_sha", std::string("x")}};
  io::Hdf5Writer writer(file);
  writer.define(layout);
  record::Frame frame(layout);
  for (std::size_t i = 0; i < n; ++i) frame[0][i] = static_cast<double>(n - 1 - i), frame[1][i] = static_cast<double>(i % 2);
  writer.write(0, 0, frame);
  writer.commit();
  return file;
}

const record::Attribute& attribute_named(const record::VariableSpec& spec, const std::string& name) {
  for (const auto& a : spec.extra_attributes)
    if (a.name == name) return a;
  FAIL("no attribute " << name << " on " << spec.name);
  throw;
}

}  // namespace

TEST_CASE("CF flags are written as lists, read back, and resolved from the merged coordinate", "[unit]") {
  const fs::path dir = clustersim::test::scratch("merge-flags");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto one = io::read_layout(write_coded_run(dir / "a.h5", "aaaaaaaaaaaaaaaa", 2));
  CHECK(std::get<std::vector<std::int64_t>>(attribute_named(series_named(one, "which"), "flag_values").value) ==
        std::vector<std::int64_t>{0, 1});
  CHECK(std::get<std::string>(attribute_named(series_named(one, "which"), "flag_meanings").value) == "I0 I1");
  CHECK(std::get<std::string>(attribute_named(series_named(one, "open"), "flag_meanings").value) == "closed open");
  {  // CF: flag_values have the variable's type
    hid_t f = H5Fopen((dir / "a.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "open", H5P_DEFAULT);
    hid_t a = H5Aopen(d, "flag_values", H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    CHECK(H5Tequal(t, H5T_STD_I32LE) > 0);
    H5Tclose(t), H5Aclose(a), H5Dclose(d), H5Fclose(f);
  }
  io::MergeInput input;
  input.runs = {{"aaaaaaaaaaaaaaaa", "baseline", "done", "", 0, 1, {}, dir / "a.h5"},
                {"bbbbbbbbbbbbbbbb", "big", "done", "", 0, 1, {}, write_coded_run(dir / "b.h5", "bbbbbbbbbbbbbbbb", 3)}};
  input.global_attributes = {{"experiment_sha", std::string("x")}};
  io::merge_runs(input, dir / "merged.h5");
  const auto merged = io::read_layout(dir / "merged.h5");
  // The first run has 2 items; the merged file's index flags cover the merged 3.
  CHECK(std::get<std::vector<std::int64_t>>(attribute_named(series_named(merged, "which"), "flag_values").value) ==
        std::vector<std::int64_t>{0, 1, 2});
  CHECK(std::get<std::string>(attribute_named(series_named(merged, "which"), "flag_meanings").value) == "I0 I1 I2");
  CHECK(std::get<std::vector<std::int64_t>>(attribute_named(series_named(merged, "open"), "flag_values").value) ==
        std::vector<std::int64_t>{0, 1});
}
