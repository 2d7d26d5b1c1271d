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
        file + ": variant: scenario 'same' resolves to the same scenario as an earlier one (same values at the same "
               "design point); every scenario must differ");
}
