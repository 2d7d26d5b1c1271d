#include "models/cluster/world.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <numeric>

#include "engine/core/error.hpp"
#include "model_fixture.hpp"

using namespace clustersim;

namespace {
const std::string kSample = std::string(CLUSTERSIM_SOURCE_DIR) + "/scenarios/data/regions_sample.csv";

std::string header() {
  std::string h = "code,name,country,development_level,lon,lat";
  for (const auto& s : model::kSectors) h += ",smes_" + std::string(s.key);
  return h;
}

std::string row(const std::string& code, const std::string& level = "transition", const std::string& first_count = "10") {
  std::string r = code + ",Somewhere," + code.substr(0, 2) + "," + level + ",10.0,50.0," + first_count;
  for (std::size_t s = 1; s < model::kSectorCount; ++s) r += ",100";
  return r;
}

std::string write_csv(const std::string& name, const std::string& text) {
  const auto path = test::scratch_dir("world") / name;
  std::ofstream(path) << text;
  return path.string();
}

model::Params with_file(const std::string& path, int regions) {
  return test::params_from(test::kSmallWorld, {"population.regions_file=" + path,
                                               "population.regions=" + std::to_string(regions)});
}
}  // namespace

TEST_CASE("the shipped sample regions CSV loads", "[model]") {
  const auto world = model::build_world(with_file(kSample, 8));
  REQUIRE(world.regions.size() == 8);
  CHECK(world.regions[0].code == "BE21");
  CHECK(world.regions[4].level == model::DevelopmentLevel::LessDeveloped);
  CHECK(world.regions[6].lon_deg == Approx(16.93));
  CHECK(std::accumulate(world.initial_smes.begin(), world.initial_smes.end(), std::int64_t{0}) == 30000);
  // Andalucía (row 5) has more SMEs than Antwerpen (row 1) in the file, so also here.
  auto region_total = [&](std::size_t r) {
    std::int64_t n = 0;
    for (std::size_t s = 0; s < model::kSectorCount; ++s) n += world.initial_smes[world.cell(r, s)];
    return n;
  };
  CHECK(region_total(4) > region_total(0));
  // The optional start-up rate column.
  REQUIRE(world.regions[5].startup_rate_per_quarter.has_value());
  CHECK(*world.regions[5].startup_rate_per_quarter == Approx(0.030));
}

TEST_CASE("a bad regions CSV is an error naming the line and column", "[model]") {
  SECTION("a non-numeric count") {
    const auto path = write_csv("bad_count.csv", header() + "\n" + row("AA01") + "\n" + row("AA02", "transition", "ten") + "\n");
    CHECK_THROWS_WITH(model::build_world(with_file(path, 2)),
                      Catch::Contains("line 3, column 7 (smes_aerospace_defence)") && Catch::Contains("ten"));
  }
  SECTION("an unknown development level") {
    const auto path = write_csv("bad_level.csv", header() + "\n" + row("AA01", "rich") + "\n");
    CHECK_THROWS_WITH(model::build_world(with_file(path, 1)),
                      Catch::Contains("line 2, column 4 (development_level)") && Catch::Contains("rich"));
  }
  SECTION("a missing sector column") {
    std::string h = header();
    h = h.substr(0, h.rfind(','));
    const auto path = write_csv("missing_col.csv", h + "\n");
    CHECK_THROWS_WITH(model::build_world(with_file(path, 1)), Catch::Contains("missing column 'smes_tourism'"));
  }
  SECTION("a duplicate region code") {
    const auto path = write_csv("dup.csv", header() + "\n" + row("AA01") + "\n" + row("AA01") + "\n");
    CHECK_THROWS_WITH(model::build_world(with_file(path, 2)), Catch::Contains("duplicate region code"));
  }
  SECTION("a row count that disagrees with population.regions") {
    const auto path = write_csv("count.csv", header() + "\n" + row("AA01") + "\n");
    CHECK_THROWS_WITH(model::build_world(with_file(path, 3)), Catch::Contains("population.regions"));
  }
}
