// Every scenario in scenarios/ is smoke-run for a few steps, and its output is opened by
// the two readers analysts use: xarray (h5netcdf engine) and ncdump.
#include <catch2/catch.hpp>

#include "../test_paths.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <set>
#include <vector>

#include "../cli_support.hpp"

namespace fs = std::filesystem;
using clustersim::test::run_clustersim;
using clustersim::test::run_command;

namespace {

std::string text_of(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A small world for a scenario: 1:500 (52,000 SMEs, 2 clusters), unless an instrument or
/// the joint-tender service is limited to named regions, which need the scenario's own scale
/// to hold a cluster there.
std::string small_world(const fs::path& file) {
  const std::string text = text_of(file);
  const bool regional = text.find("eligible.regions") != std::string::npos ||
                        text.find("joint_tenders") != std::string::npos;
  return regional ? "" : " --set world.scale=0.002";
}

}  // namespace

TEST_CASE("every scenario file runs and its output opens in xarray and ncdump", "[scenario]") {
  const fs::path scenarios = fs::path(CLUSTERSIM_SOURCE_DIR) / "scenarios";
  std::set<fs::path> files;
  for (const auto& e : fs::directory_iterator(scenarios))
    if (e.path().extension() == ".toml") files.insert(e.path());
  REQUIRE(files.size() >= 2);
  const fs::path dir = clustersim::test::scratch("scenarios-test");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int steps = 3, replicates = 2;
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      const fs::path out = dir / (file.stem().string() + ".h5");
      const auto run = run_clustersim("run " + file.string() + " -o " + out.string() + " --quiet --set run.steps=" +
                                      std::to_string(steps) + " --replicates " + std::to_string(replicates) +
                                      small_world(file),
                                  dir / "cmd");
      INFO(run.err);
      REQUIRE(run.exit_code == 0);
      REQUIRE(fs::exists(out));

      const auto ncdump = run_command("ncdump -h " + out.string(), dir / "ncdump");
      INFO(ncdump.err);
      CHECK(ncdump.exit_code == 0);
      CHECK_THAT(ncdump.out, Catch::Contains("step = " + std::to_string(steps + 1)));
      CHECK_THAT(ncdump.out, Catch::Contains("int64 smes_active(replicate, step, region)"));
      CHECK_THAT(ncdump.out, Catch::Contains(":clustersim_version"));
      // Instrument-free scenarios have a zero-length instrument dimension, which both readers
      // open; the netCDF library reports a zero-length dimension as unlimited.
      CHECK_THAT(ncdump.out, Catch::Contains(file.stem() == "baseline" ? "instrument = UNLIMITED ; // (0 currently)"
                                                                        : "instrument = "));
      CHECK_THAT(ncdump.out, Catch::Contains("double instrument_spent_by_source_eur(replicate, step, instrument, source)"));

      const auto xr = run_command("/usr/bin/python3 " + std::string(CLUSTERSIM_SOURCE_DIR) +
                                      "/tests/scenarios/check_output.py " + out.string() + " " + std::to_string(steps) +
                                      " " + std::to_string(replicates),
                                  dir / "xarray");
      INFO(xr.err);
      CHECK(xr.exit_code == 0);
    }
  }
}

TEST_CASE("the same scenario and seed give bit-identical files for --threads 1, 2 and 4", "[scenario]") {
  const fs::path dir = clustersim::test::scratch("threads-test");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string scenario = std::string(CLUSTERSIM_SOURCE_DIR) + "/scenarios/baseline.toml";
  std::vector<fs::path> outputs;
  for (int threads : {1, 2, 4}) {
    const fs::path out = dir / ("threads" + std::to_string(threads) + ".h5");
    // Exits high enough that dead rows are compacted during the run.
    const auto run = run_clustersim("run " + scenario + " -o " + out.string() + " --quiet --threads " +
                                        std::to_string(threads) +
                                        " --set run.steps=8 --replicates 2 --set population.smes=50000"
                                        " --set exit.base_rate_per_quarter=0.05",
                                    dir / "cmd");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    outputs.push_back(out);
  }
  for (std::size_t k = 1; k < outputs.size(); ++k) {
    const auto cmp = run_command("/usr/bin/python3 " + std::string(CLUSTERSIM_SOURCE_DIR) +
                                     "/tests/scenarios/compare_outputs.py " + outputs[0].string() + " " +
                                     outputs[k].string(),
                                 dir / "cmp");
    INFO(cmp.err);
    CHECK(cmp.exit_code == 0);
  }
}

TEST_CASE("every instrument of every scenario spends money at two seeds and a small world", "[scenario]") {
  const fs::path scenarios = fs::path(CLUSTERSIM_SOURCE_DIR) / "scenarios";
  const fs::path dir = clustersim::test::scratch("spending-test");
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(scenarios)) {
    const fs::path file = e.path();
    if (file.extension() != ".toml" || text_of(file).find("[[instruments]]") == std::string::npos) continue;
    for (int seed : {1, 2}) {
      DYNAMIC_SECTION(file.filename().string() << " seed " << seed) {
        const fs::path out = dir / (file.stem().string() + std::to_string(seed) + ".h5");
        // Instruments limited to named regions run at their own (larger) scale for 12 steps:
        // their budget tranches reach one award by the call of step 9. The others run their
        // whole window, which a small world's budget may need to reach one award.
        const bool regional = text_of(file).find("eligible.regions") != std::string::npos;
        const auto run = run_clustersim("run " + file.string() + " -o " + out.string() + " --quiet --seed " +
                                            std::to_string(seed) + small_world(file) + (regional ? " --set run.steps=12" : ""),
                                        dir / "cmd");
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        const auto spent = run_command("/usr/bin/python3 " + std::string(CLUSTERSIM_SOURCE_DIR) +
                                           "/tests/scenarios/check_spending.py " + out.string(),
                                       dir / "spent");
        INFO(spent.out << spent.err);
        CHECK(spent.exit_code == 0);
      }
    }
  }
}

TEST_CASE("every programme scenario shows the figures its rules imply, at a reduced scale", "[scenario]") {
  // docs/PROGRAMMES.md: partnerships, exchanges, awards, pass-through, grants per award and
  // joint tenders, checked by tests/scenarios/check_programme_rules.py on 12 quarters. Scenarios
  // tied to named regions run at their own scale (the smallest that holds a cluster there).
  struct Case {
    const char* programme;
    const char* file;
    double scale;
  };
  const std::vector<Case> cases{{"euroclusters", "euroclusters", 0.005},
                                {"clusterxchange", "clusterxchange", 0.005},
                                {"i3", "i3_interregional", 0.005},
                                {"metacluster", "metacluster", 0.005},
                                {"excellence", "manager_training", 0.02},
                                {"spearhead", "spearhead_core_funding", 0.02},
                                {"intercluster", "intercluster_flanders", 0.02},
                                {"neopolia", "neopolia", 0.1}};
  const fs::path dir = clustersim::test::scratch("programme-rules-test");
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.programme) {
      const fs::path out = dir / (std::string(c.programme) + ".h5");
      const std::string scale = std::to_string(c.scale);
      const auto run = run_clustersim("run " + std::string(CLUSTERSIM_SOURCE_DIR) + "/scenarios/" + c.file + ".toml -o " +
                                          out.string() + " --quiet --replicates 2 --set run.steps=12 --set world.scale=" +
                                          scale,
                                      dir / "cmd");
      INFO(run.err);
      REQUIRE(run.exit_code == 0);
      const auto rules = run_command("/usr/bin/python3 " + std::string(CLUSTERSIM_SOURCE_DIR) +
                                         "/tests/scenarios/check_programme_rules.py " + c.programme + " " + out.string() +
                                         " " + scale,
                                     dir / "rules");
      INFO(rules.out << rules.err);
      CHECK(rules.exit_code == 0);
    }
  }
}
