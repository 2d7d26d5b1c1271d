#include "engine/sim/runner.hpp"

#include <catch2/catch.hpp>

#include "../../test_paths.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>

#include "engine/core/error.hpp"
#include "engine/sim/signals.hpp"

namespace fs = std::filesystem;
using namespace clustersim;

namespace {

// A model with no economics: N agents, a counter per step. Enough to drive the runner.
class CountingModel final : public sim::Model {
 public:
  explicit CountingModel(std::int32_t interrupt_at) : interrupt_at_(interrupt_at) {}
  void describe(record::Layout& layout) const override {
    layout.dims.push_back({"region", 2});
    layout.statics.push_back({{"region", record::DType::String, {"region"}, "", "region code"},
                              std::vector<std::string>{"AA01", "BB01"}});
    layout.series.push_back({"counter", record::DType::Int64, {"replicate", "step", "region"}, "1", "counter", true});
  }
  void start_replicate(std::uint64_t seed) override {
    seed_ = seed;
    step_ = 0;
  }
  void step(std::int32_t step) override {
    step_ = step;
    if (step == interrupt_at_) std::raise(SIGINT);
  }
  void observe(record::Frame& frame) const override {
    frame[0][0] = step_;
    frame[0][1] = static_cast<double>(seed_ % 1000);
  }
  std::size_t agent_count() const override { return 10; }
  std::string world_summary() const override { return "2 regions"; }

 private:
  std::int32_t interrupt_at_;
  std::uint64_t seed_ = 0;
  std::int32_t step_ = 0;
};

sim::ModelDescriptor counting(std::int32_t interrupt_at = -1) {
  return {"counting", [](config::Schema&) {},
          [interrupt_at](const config::Scenario&) { return std::make_unique<CountingModel>(interrupt_at); }};
}

fs::path scratch(const std::string& name) {
  const fs::path dir = clustersim::test::scratch("runner-test");
  fs::create_directories(dir);
  const fs::path p = dir / name;
  fs::remove(p);
  return p;
}

config::Scenario scenario_for(const sim::ModelDescriptor& model, const config::Schema& schema, int steps) {
  const fs::path file = scratch("s.toml");
  std::ofstream(file) << "[run]\nsteps = " << steps << "\nseed = 7\nreplicates = 2\n";
  (void)model;
  return config::load_scenario(file, {}, schema);
}

bool any_temp_file(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("the runner writes every replicate and step and commits the file", "[unit]") {
  const auto model = counting();
  const auto schema = sim::full_schema(model);
  const auto scenario = scenario_for(model, schema, 3);
  const fs::path out = scratch("ok.h5");
  const auto summary = sim::run(model, scenario, {out, 1, true, "test"});
  CHECK(fs::exists(out));
  CHECK_FALSE(any_temp_file(out.parent_path()));
  CHECK(summary.steps == 3);
  CHECK(summary.replicates == 2);
  CHECK(summary.agent_steps == 10.0 * 3 * 2);
  REQUIRE(summary.headlines.size() == 1);
  CHECK(summary.headlines[0].name == "counter");
}

TEST_CASE("Ctrl-C during a run leaves no output and no temporary file", "[unit]") {
  const auto model = counting(2);
  const auto schema = sim::full_schema(model);
  const auto scenario = scenario_for(model, schema, 5);
  const fs::path out = scratch("interrupted.h5");
  CHECK_THROWS_AS(sim::run(model, scenario, {out, 1, true, "test"}), Interrupted);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(any_temp_file(out.parent_path()));
}

TEST_CASE("run.start_date must be an ISO date on the first day of a quarter", "[unit]") {
  const auto model = counting();
  const auto schema = sim::full_schema(model);
  const fs::path file = scratch("dated.toml");
  std::ofstream(file) << "[run]\nsteps = 2\nseed = 7\nreplicates = 1\n";
  CHECK_NOTHROW(sim::run(model, config::load_scenario(file, {"run.start_date=2030-07-01"}, schema),
                         {scratch("dated.h5"), 1, true, "test"}));
  for (const char* bad : {"run.start_date=2030-07-02", "run.start_date=2030-02-30", "run.start_date=1/1/2030"}) {
    const fs::path out = scratch("bad-date.h5");
    try {
      sim::run(model, config::load_scenario(file, {bad}, schema), {out, 1, true, "test"});
      FAIL("no error for " << bad);
    } catch (const ScenarioError& e) {
      CHECK(e.key() == "run.start_date");
      CHECK(e.where() == "--set");
    }
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("engine keys are declared with ranges", "[unit]") {
  config::Schema schema;
  sim::declare_engine_keys(schema);
  for (const char* key : {"run.steps", "run.seed", "run.replicates"}) {
    const auto* spec = schema.find(key);
    REQUIRE(spec != nullptr);
    CHECK(spec->required);
    CHECK(spec->min.has_value());
  }
}

TEST_CASE("timestamps are ISO 8601 UTC", "[unit]") {
  const auto t = sim::utc_timestamp();
  REQUIRE(t.size() == 20);
  CHECK(t[4] == '-');
  CHECK(t[10] == 'T');
  CHECK(t.back() == 'Z');
}
