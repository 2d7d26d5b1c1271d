#include "engine/io/hdf5_merge.hpp"

#include <catch2/catch.hpp>

#include "../../test_paths.hpp"

#include <cmath>
#include <filesystem>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_writer.hpp"

#include <hdf5.h>

namespace fs = std::filesystem;
using namespace clustersim;

namespace {

/// A run file with `n` items along "item" and 3 steps; values = base + step * 10 + item.
/// Without `level`, the file has one series variable fewer than the others.
fs::path write_run(const fs::path& file, std::size_t n, double base, bool with_level = true) {
  record::Layout layout;
  layout.dims = {{"replicate", 1}, {"step", 3}, {"item", n}};
  std::vector<std::string> codes;
  for (std::size_t i = 0; i < n; ++i) codes.push_back("I" + std::to_string(i));
  layout.statics = {{{"replicate", record::DType::Int64, {"replicate"}, "1", "replicate"}, std::vector<std::int64_t>{2}},
                    {{"step", record::DType::Int64, {"step"}, "quarter", "step"}, std::vector<std::int64_t>{0, 1, 2}},
                    {{"item", record::DType::String, {"item"}, "", "item code"}, codes},
                    {{"replicate_seed", record::DType::Int64, {"replicate"}, "1", "seed"}, std::vector<std::int64_t>{9}}};
  layout.series = {{"count", record::DType::Int64, {"replicate", "step", "item"}, "1", "a count"},
                   {"level", record::DType::Float64, {"replicate", "step", "item"}, "EUR", "a level"}};
  if (!with_level) layout.series.pop_back();
  io::Hdf5Writer writer(file);
  writer.define(layout);
  record::Frame frame(layout);
  for (std::size_t t = 0; t < 3; ++t) {
    for (std::size_t i = 0; i < n; ++i) {
      frame[0][i] = base + static_cast<double>(t * 10 + i);
      if (with_level) frame[1][i] = 0.5 + base + static_cast<double>(t * 10 + i);
    }
    writer.write(0, t, frame);
  }
  writer.commit();
  return file;
}

}  // namespace

TEST_CASE("a written file reads back as the same layout", "[unit]") {
  const fs::path dir = clustersim::test::scratch("merge-unit");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto layout = io::read_layout(write_run(dir / "a.h5", 2, 100));
  REQUIRE(layout.dims.size() == 3);
  CHECK(layout.dims[2].name == "item");
  CHECK(layout.dims[2].size == 2);
  REQUIRE(layout.series.size() == 2);
  CHECK(layout.series[1].units == "EUR");
  CHECK(layout.series[0].dims == std::vector<std::string>{"replicate", "step", "item"});
  CHECK(io::read_values(dir / "a.h5", "level")[3] == 111.5);
}

TEST_CASE("merging pads smaller runs, leaves failed runs as fill and keeps per-run columns", "[unit]") {
  const fs::path dir = clustersim::test::scratch("merge-unit2");
  fs::remove_all(dir);
  fs::create_directories(dir);
  io::MergeInput input;
  input.swept_keys = {"world.rate"};
  input.runs = {{"aaaaaaaaaaaaaaaa", "baseline", "done", "", 0, 11, {0.1}, write_run(dir / "a.h5", 2, 0)},
                {"bbbbbbbbbbbbbbbb", "big", "failed", "boom", 1, 12, {0.2}, {}},
                {"cccccccccccccccc", "big", "done", "", 0, 11, {0.3}, write_run(dir / "c.h5", 3, 1000)}};
  input.global_attributes = {{"experiment_sha", std::string("x")}};
  io::merge_runs(input, dir / "merged.h5");
  const auto merged = io::read_layout(dir / "merged.h5");
  CHECK(merged.dim("run").size == 3);
  CHECK(merged.dim("item").size == 3);
  CHECK(merged.series[0].dims == std::vector<std::string>{"run", "step", "item"});
  const auto level = io::read_values(dir / "merged.h5", "level");  // 3 runs x 3 steps x 3 items
  CHECK(level[0 * 9 + 1 * 3 + 1] == 11.5);
  CHECK(std::isnan(level[0 * 9 + 0 * 3 + 2]));  // run 0 has 2 items only
  CHECK(std::isnan(level[1 * 9 + 4]));          // failed run
  CHECK(level[2 * 9 + 2 * 3 + 2] == 1022.5);
  const auto count = io::read_values(dir / "merged.h5", "count");
  CHECK(count[1 * 9 + 4] == 0.0);  // integers have no NaN: fill is 0
  bool found = false;
  for (const auto& s : merged.statics)
    if (s.spec.name == "swept__world__rate") {
      found = true;
      CHECK(std::get<std::vector<double>>(s.data) == std::vector<double>{0.1, 0.2, 0.3});
      REQUIRE(s.spec.extra_attributes.size() == 1);
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
    const fs::path file = write_run(dir / ("r" + std::to_string(i) + ".h5"), 3, 10.0 * i);
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
  input.runs = {{"aaaaaaaaaaaaaaaa", "baseline", "done", "", 0, 11, {}, write_run(dir / "a.h5", 2, 0)},
                {"bbbbbbbbbbbbbbbb", "baseline", "done", "", 1, 12, {}, write_run(dir / "b.h5", 2, 0, false)}};
  REQUIRE_THROWS_WITH(io::merge_runs(input, dir / "merged.h5"),
                      Catch::Contains("b.h5") && Catch::Contains("does not have the same variables"));
  CHECK_FALSE(fs::exists(dir / "merged.h5"));
  REQUIRE_THROWS_AS(io::merge_runs(input, dir / "merged.txt"), UsageError);
  fs::remove_all(dir);
}
