#include "engine/experiment/experiment.hpp"

#include <catch2/catch.hpp>

#include "../../test_paths.hpp"

#include <filesystem>
#include <cmath>
#include <fstream>
#include <set>

#include "engine/core/error.hpp"
#include "engine/sim/model.hpp"

namespace fs = std::filesystem;
using namespace clustersim;

namespace {

config::Schema schema() {
  config::Schema s;
  sim::declare_engine_keys(s);
  s.integer("world.size", 10).range(1, 1000);
  s.real("world.rate", 0.5).range(0, 1);
  return s;
}

struct Files {
  fs::path dir = clustersim::test::scratch("experiment-unit");
  Files() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "base.toml") << "[run]\nsteps = 2\nseed = 5\nreplicates = 1\n";
  }
  fs::path write(const std::string& text) const {
    std::ofstream(dir / "exp.toml") << text;
    return dir / "exp.toml";
  }
};

}  // namespace

TEST_CASE("a plan crosses scenarios, grid points and replicates in a fixed order", "[unit]") {
  Files f;
  const auto s = schema();
  const auto e = experiment::load_experiment(
      f.write("baseline = \"base.toml\"\nreplicates = 3\n[[variant]]\nname = \"big\"\n[variant.set]\nworld.size = 20\n"
              "[grid]\nworld.rate = [0.1, 0.2]\n"),
      s);
  const auto plan = experiment::make_plan(e, s);
  REQUIRE(plan.runs.size() == 2 * 2 * 3);
  CHECK(plan.swept_keys == std::vector<std::string>{"world.rate"});
  CHECK(plan.runs[0].scenario == "baseline");
  CHECK(plan.runs[6].scenario == "big");
  CHECK(plan.runs[3].swept[0] == 0.2);
  CHECK(plan.runs[4].replicate == 1);
  CHECK(plan.runs[0].seed == plan.runs[6].seed);  // paired: same replicate, same seed
  CHECK(plan.scenario_files.size() == 4);
  std::set<std::string> ids;
  for (const auto& r : plan.runs) ids.insert(r.run_id);
  CHECK(ids.size() == plan.runs.size());
  CHECK(experiment::make_plan(e, s).runs[5].run_id == plan.runs[5].run_id);
}

TEST_CASE("sampled integer keys take whole values inside their range", "[unit]") {
  Files f;
  const auto s = schema();
  const auto e = experiment::load_experiment(
      f.write("baseline = \"base.toml\"\n[sample]\nmethod = \"latin_hypercube\"\nsize = 20\n"
              "[sample.ranges]\nworld.size = [1, 4]\nworld.rate = [0.2, 0.4]\n"),
      s);
  const auto plan = experiment::make_plan(e, s);
  REQUIRE(plan.runs.size() == 20);
  // Keys of a TOML table come in alphabetical order.
  REQUIRE(plan.swept_keys == std::vector<std::string>{"world.rate", "world.size"});
  for (const auto& r : plan.runs) {
    CHECK(r.swept[1] == std::floor(r.swept[1]));
    CHECK(r.swept[1] >= 1);
    CHECK(r.swept[1] <= 4);
    CHECK(r.swept[0] >= 0.2);
    CHECK(r.swept[0] < 0.4);
  }
}

TEST_CASE("experiment errors name the file and the key", "[unit]") {
  Files f;
  const auto s = schema();
  auto error = [&](const std::string& text) {
    try {
      experiment::make_plan(experiment::load_experiment(f.write(text), s), s);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string file = (f.dir / "exp.toml").string();
  CHECK(error("baseline = \"base.toml\"\nvariants = 1\n") == file + ": variants: unknown key; did you mean 'variant'?");
  CHECK(error("baseline = \"base.toml\"\n[grid]\nworld.sise = [1]\n") ==
        file + ": grid.world.sise: unknown scenario key 'world.sise'; did you mean 'world.size'?");
  CHECK(error("baseline = \"base.toml\"\n[sample]\nmethod = \"sobol\"\nsize = 0\n") == file + ": sample.size: must be >= 1, got 0");
  CHECK(error("baseline = \"base.toml\"\n[grid]\nworld.rate = [2.0]\n") ==
        file + ": grid.world.rate: must be between 0 and 1, got 2");
  CHECK(error("baseline = \"base.toml\"\n[[variant]]\nname = \"same\"\n") ==
        file + ": variant 'same': resolves to the same scenario as 'baseline'; every scenario must differ");
}

// Each case below was accepted silently, blamed the wrong key, or ended in std::bad_alloc
// (or a bare "cannot open file") before.
TEST_CASE("design values of the wrong kind, duplicate points and absurd sizes are refused by key", "[unit]") {
  Files f;
  config::Schema s = schema();
  s.boolean("world.flag", false);
  s.real("world.other", 0.0);
  auto error = [&](const std::string& text) {
    try {
      experiment::make_plan(experiment::load_experiment(f.write("baseline = \"base.toml\"\n" + text), s), s);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string file = (f.dir / "exp.toml").string();
  // [0.01, true] used to run `true` as 1.0.
  CHECK(error("[grid]\nworld.rate = [0.01, true]\n") ==
        file + ": grid.world.rate: values must all be numbers (a real key); got the boolean true");
  CHECK(error("[grid]\nworld.flag = [true, 1]\n") ==
        file + ": grid.world.flag: values must all be booleans (a boolean key); got the number 1");
  CHECK(error("[grid]\nworld.size = [1, 2.5]\n") ==
        file + ": grid.world.size: values must all be integers (an integer key); got the number 2.5");
  CHECK(error("[sample]\nmethod = \"sobol\"\nsize = 4\n[sample.ranges]\nworld.rate = [false, 0.5]\n") ==
        file + ": sample.ranges.world.rate: values must all be numbers (a real key); got the boolean false");
  // Duplicate design points were blamed on `variant`.
  CHECK(error("[grid]\nworld.rate = [0.1, 0.2, 0.1]\n") ==
        file + ": grid.world.rate: the value 0.1 is listed twice; every grid value must differ");
  CHECK(error("[sample]\nmethod = \"sobol\"\nsize = 8\n[sample.ranges]\nworld.size = [1, 2]\n") ==
        file + ": sample: design points 2 and 3 (counting from 1) give the same scenario (at world.size = 2); integer "
               "ranges round several points to the same values: use fewer points or wider ranges");
  // Absurd designs are refused before any point is made (they used to end in bad_alloc).
  std::string big_grid = "[grid]\n";
  for (const char* key : {"world.rate", "world.size", "world.other"}) {
    big_grid += std::string(key) + " = [";
    for (int i = 1; i <= 101; ++i) big_grid += (i > 1 ? ", " : "") + std::to_string(i) + (key[6] == 's' ? "" : ".5");
    big_grid += "]\n";
  }
  CHECK_THAT(error(big_grid), Catch::StartsWith(file + ": grid: the grid's value counts multiply to 1.03e+06 design "
                                                       "points: 1 scenario(s) x 1.03e+06 grid point(s)") &&
                                  Catch::EndsWith("the limit is 1e+07 runs and 1e+05 distinct scenarios (the plan "
                                                  "holds every run, and the text of every scenario, in memory)"));
  CHECK(error("replicates = 10000000\n[grid]\nworld.rate = [0.1, 0.2]\n").starts_with(
      file + ": replicates: 1 scenario(s) x 2 grid point(s) x 1 sample point(s) x 1e+07 replicate(s) = 2e+07 runs"));
  CHECK_THAT(error("[sample]\nmethod = \"saltelli\"\nsize = 1000000000\n[sample.ranges]\nworld.rate = [0, 1]\n"),
             Catch::StartsWith(file + ": sample.size: 3e+09 sample points: 1 scenario(s) x 1 grid point(s) x 3e+09 "
                                      "sample point(s) x 1 replicate(s) = 3e+09 runs"));
  // A missing variant file is named with the key that named it.
  CHECK(error("[[variant]]\nname = \"v\"\nfile = \"nowhere.toml\"\n") ==
        file + ": variant[0].file: cannot open the scenario file '" + (f.dir / "nowhere.toml").string() +
            "': No such file or directory");
  CHECK(error("baseline = 1\n").find("no error") == std::string::npos);
}

TEST_CASE("sweep --set and --replicates apply to every run and are checked like run --set", "[unit]") {
  Files f;
  const auto s = schema();
  const fs::path exp = f.write("baseline = \"base.toml\"\nreplicates = 3\n[[variant]]\nname = \"big\"\n[variant.set]\n"
                               "world.size = 20\n[grid]\nworld.rate = [0.1, 0.2]\n");
  auto e = experiment::load_experiment(exp, s);
  experiment::apply_command_line(e, {"run.steps=3"}, 2);
  CHECK(experiment::design_size(e).runs() == 8);
  const auto plan = experiment::make_plan(e, s);
  REQUIRE(plan.runs.size() == 2 * 2 * 2);
  for (const auto& [name, toml] : plan.scenario_files) CHECK_THAT(toml, Catch::Contains("steps = 3"));
  auto error = [&](std::vector<std::string> sets, std::optional<std::size_t> replicates) {
    auto copy = experiment::load_experiment(exp, s);
    try {
      experiment::apply_command_line(copy, sets, replicates);
      experiment::make_plan(copy, s);
    } catch (const ScenarioError& err) {
      return std::string(err.what());
    }
    return std::string("no error");
  };
  CHECK(error({"world.size=2000"}, {}) == "--set: world.size: must be between 1 and 1000, got 2000");
  CHECK(error({"world.sise=2"}, {}) == "--set: world.sise: unknown key; did you mean 'world.size'?");
  CHECK(error({"world.rate=0.3"}, {}) ==
        "--set: world.rate: is swept by grid.world.rate in " + exp.string() + "; it cannot also be set");
  CHECK(error({"run.replicates=2"}, {}) ==
        "--set: run.replicates: set the replicates of a sweep with --replicates N (it sets run.replicates)");
  // --set applies after the variant's delta: here it makes the variant the baseline again.
  CHECK(error({"world.size=7"}, {}) == exp.string() + ": variant 'big': resolves to the same scenario as 'baseline' "
                                                      "(at world.rate = 0.1); every scenario must differ");
}
