#include "engine/config/binding.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/core/error.hpp"

using namespace clustersim;
using namespace clustersim::config;

namespace {

enum class Mode { Region, Sector, Everyone };

struct Inner {
  double rate_per_quarter = 0.25;
  std::int32_t quarters = 4;
};

struct Sample {
  std::int64_t smes = 100;
  double share = 0.5;
  bool enabled = true;
  std::string label = "plain";
  std::filesystem::path file;
  Mode mode = Mode::Sector;
  Inner inner;
  std::array<double, 2> weights{0.75, 0.25};
};

Binding<Sample> sample_binding() {
  Binding<Sample> b;
  b.bind("population.smes", &Sample::smes).required().range(1, 1e9).units("SMEs").doc("SMEs.");
  b.bind("population.share", &Sample::share).range(0, 1).doc("A share.");
  auto inner = b.section("inner.", &Sample::inner);
  inner.bind("rate_per_quarter", &Inner::rate_per_quarter).at_least(0).units("1/quarter");
  inner.bind("quarters", &Inner::quarters).range(1, 400).units("quarters");
  b.bind("switch.enabled", &Sample::enabled).doc("Run it.");
  b.bind("text.label", &Sample::label);
  b.bind("text.file", &Sample::file).doc("A file.");
  b.choice("text.mode", std::vector<std::pair<std::string, Mode>>{{"region", Mode::Region}, {"sector", Mode::Sector},
                                                                  {"everyone", Mode::Everyone}},
           &Sample::mode);
  b.bind("weights.first", &Sample::weights, Element{0}).range(0, 1);
  b.bind("weights.second", &Sample::weights, Element{1}).range(0, 1);
  return b;
}

struct Listed {
  std::vector<std::string> regions;
  std::vector<std::int64_t> steps;
  std::int32_t start_step = 1;
  double budget_eur = 0;
};

}  // namespace

TEST_CASE("declare: binding order, defaults from a default-constructed struct, and every rule", "[unit]") {
  Schema s;
  sample_binding().declare(s);
  std::vector<std::string> keys;
  for (const auto& p : s.params()) keys.push_back(p.key);
  CHECK(keys == std::vector<std::string>{"population.smes", "population.share", "inner.rate_per_quarter",
                                         "inner.quarters", "switch.enabled", "text.label", "text.file", "text.mode",
                                         "weights.first", "weights.second"});

  const ParamSpec* smes = s.find("population.smes");
  CHECK(smes->type == ParamType::Integer);
  CHECK(std::get<std::int64_t>(smes->default_value) == 100);
  CHECK(smes->required);
  CHECK(smes->min == 1.0);
  CHECK(smes->max == 1e9);
  CHECK(smes->units == "SMEs");
  CHECK(smes->doc == "SMEs.");

  const ParamSpec* rate = s.find("inner.rate_per_quarter");
  CHECK(rate->type == ParamType::Real);
  CHECK(std::get<double>(rate->default_value) == 0.25);
  CHECK(rate->min == 0.0);
  CHECK_FALSE(rate->max.has_value());
  CHECK_FALSE(rate->required);
  CHECK(std::get<std::int64_t>(s.find("inner.quarters")->default_value) == 4);
  CHECK(std::get<bool>(s.find("switch.enabled")->default_value) == true);
  CHECK(std::get<std::string>(s.find("text.label")->default_value) == "plain");

  const ParamSpec* file = s.find("text.file");
  CHECK(file->type == ParamType::Path);
  CHECK(file->optional_value);

  const ParamSpec* mode = s.find("text.mode");
  CHECK(mode->type == ParamType::String);
  CHECK(mode->choices == std::vector<std::string>{"region", "sector", "everyone"});
  CHECK(std::get<std::string>(mode->default_value) == "sector");  // the spelling of Mode::Sector

  CHECK(std::get<double>(s.find("weights.first")->default_value) == 0.75);
  CHECK(std::get<double>(s.find("weights.second")->default_value) == 0.25);
}

TEST_CASE("read: each field from its own key, through sections, array elements and choices", "[unit]") {
  Schema schema;
  const auto b = sample_binding();
  b.declare(schema);
  Scenario scenario(schema, "sample.toml");
  scenario.set("population.smes", std::int64_t{7}, "test");
  scenario.set("population.share", 0.125, "test");
  scenario.set("inner.rate_per_quarter", 3.5, "test");
  scenario.set("inner.quarters", std::int64_t{9}, "test");
  scenario.set("switch.enabled", false, "test");
  scenario.set("text.label", std::string("fancy"), "test");
  scenario.set("text.file", std::string("/data/regions.csv"), "test");
  scenario.set("text.mode", std::string("everyone"), "test");
  scenario.set("weights.first", 0.375, "test");
  scenario.set("weights.second", 0.625, "test");

  Sample out;
  b.read(scenario, out);
  CHECK(out.smes == 7);
  CHECK(out.share == 0.125);
  CHECK(out.inner.rate_per_quarter == 3.5);
  CHECK(out.inner.quarters == 9);
  CHECK_FALSE(out.enabled);
  CHECK(out.label == "fancy");
  CHECK(out.file == std::filesystem::path("/data/regions.csv"));
  CHECK(out.mode == Mode::Everyone);
  CHECK(out.weights == std::array<double, 2>{0.375, 0.625});

  scenario.set("text.mode", std::string("region"), "test");
  b.read(scenario, out);
  CHECK(out.mode == Mode::Region);
}

TEST_CASE("read: a table-array element, lists included", "[unit]") {
  Binding<Listed> b;
  b.bind("eligible.regions", &Listed::regions).doc("Region codes.");
  b.bind("call.steps", &Listed::steps).at_least(0);
  b.bind("start_step", &Listed::start_step).range(0, 4000);
  b.bind("budget_eur", &Listed::budget_eur).at_least(0);

  Schema common;
  b.declare(common);
  CHECK(common.find("eligible.regions")->type == ParamType::StringList);
  CHECK(common.find("call.steps")->type == ParamType::IntegerList);
  CHECK(common.find("call.steps")->min == 0.0);

  TableElement e;
  e.array = "instruments";
  e.id = "x";
  e.values = {{"eligible.regions", std::vector<std::string>{"DE11", "FR10"}},
              {"call.steps", std::vector<std::int64_t>{1, 5}},
              {"start_step", std::int64_t{3}},
              {"budget_eur", 1000.0}};
  Listed out;
  b.read(e, out);
  CHECK(out.regions == std::vector<std::string>{"DE11", "FR10"});
  CHECK(out.steps == std::vector<std::int64_t>{1, 5});
  CHECK(out.start_step == 3);
  CHECK(out.budget_eur == 1000.0);
}

TEST_CASE("declare refuses a binding that could not hold or express its values", "[unit]") {
  struct Narrow {
    std::int32_t steps = 1;
    std::uint16_t small = 1;
    std::vector<std::string> listed{"not empty"};
    Mode mode = Mode::Everyone;
  };
  Schema s;
  Binding<Narrow> unbounded;
  unbounded.bind("steps", &Narrow::steps);  // int32 without a range: 1e10 would wrap
  CHECK_THROWS_AS(unbounded.declare(s), InvariantError);

  Binding<Narrow> too_wide;
  too_wide.bind("small", &Narrow::small).range(0, 1e6);
  CHECK_THROWS_AS(too_wide.declare(s), InvariantError);

  Binding<Narrow> fits;
  fits.bind("small", &Narrow::small).range(0, 65535);
  CHECK_NOTHROW(fits.declare(s));

  Binding<Narrow> listed;
  listed.bind("listed", &Narrow::listed);  // a list key's default is always empty
  CHECK_THROWS_AS(listed.declare(s), InvariantError);

  Binding<Narrow> unspelled;
  unspelled.choice("mode", std::vector<std::pair<std::string, Mode>>{{"region", Mode::Region}}, &Narrow::mode);
  CHECK_THROWS_AS(unspelled.declare(s), InvariantError);
}
