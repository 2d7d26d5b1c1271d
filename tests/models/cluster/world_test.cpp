#include "models/cluster/world.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
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

// The real EU at a given scale (the default world), with extra overrides.
const char* kEu = "[run]\nsteps = 4\nseed = 11\nreplicates = 1\n";

model::Params with_file(const std::string& path, int regions) {
  return test::params_from(kEu, {"population.smes=30000", "population.regions_file=" + path,
                                 "population.regions=" + std::to_string(regions)});
}
model::Params eu(const std::vector<std::string>& overrides = {}) { return test::params_from(kEu, overrides); }

std::int64_t total(const std::vector<std::int64_t>& v) { return std::accumulate(v.begin(), v.end(), std::int64_t{0}); }
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

TEST_CASE("the default world is the 242 NUTS 2021 regions of the EU-27 sized by world.scale", "[model]") {
  const auto p = eu();  // world.scale's default: 0.01
  const auto world = model::build_world(p);
  REQUIRE(world.regions.size() == 242);
  CHECK(world.regions.front().code == "AT11");
  CHECK(std::any_of(world.regions.begin(), world.regions.end(), [](const model::Region& r) { return r.code == "ES51"; }));
  CHECK(world.scale == Approx(0.01));
  // 25.8 million SMEs and 1,100 clusters at scale 1.
  CHECK(total(world.initial_smes) == p.population.smes);
  CHECK(p.population.smes == Approx(258000).margin(500));
  CHECK(world.clusters.size() == 11);
  // A thousand times smaller still keeps every region with SMEs.
  const auto tiny = model::build_world(eu({"world.scale=0.001"}));
  REQUIRE(tiny.regions.size() == 242);
  for (std::size_t r = 0; r < tiny.regions.size(); ++r) {
    std::int64_t n = 0;
    for (std::size_t s = 0; s < model::kSectorCount; ++s) n += tiny.initial_smes[tiny.cell(r, s)];
    CHECK(n > 0);
  }
}

TEST_CASE("population.smes sets the scale instead of world.scale and both together are refused", "[model]") {
  const auto p = eu({"population.smes=2580000"});
  CHECK(p.world.scale == Approx(0.1).epsilon(0.01));
  CHECK(p.population.clusters == 110);
  CHECK_THROWS_WITH(eu({"population.smes=2580000", "world.scale=0.1"}),
                    Catch::Contains("population.smes") && Catch::Contains("give one of them"));
}

TEST_CASE("the geography does not depend on run.seed", "[model]") {
  const auto a = model::build_world(eu({"run.seed=1", "world.scale=0.05"}));
  const auto b = model::build_world(eu({"run.seed=987654", "world.scale=0.05"}));
  REQUIRE(a.clusters.size() == b.clusters.size());
  for (std::size_t c = 0; c < a.clusters.size(); ++c) {
    CHECK(a.clusters[c].id == b.clusters[c].id);
    CHECK(a.clusters[c].region == b.clusters[c].region);
    CHECK(a.clusters[c].sector == b.clusters[c].sector);
    CHECK(a.clusters[c].second_sector == b.clusters[c].second_sector);
    CHECK(a.clusters[c].target_members == b.clusters[c].target_members);
  }
  CHECK(a.initial_smes == b.initial_smes);
  // world.seed moves it.
  const auto c = model::build_world(eu({"world.seed=7", "world.scale=0.05"}));
  CHECK(c.initial_smes != a.initial_smes);
}

TEST_CASE("clusters sit in tradable ecosystems at every development level without a hub", "[model]") {
  const auto world = model::build_world(eu({"world.scale=1"}));
  const auto C = static_cast<double>(world.clusters.size());
  REQUIRE(C == 1100);
  auto sector_index = [](std::string_view key) {
    for (std::size_t s = 0; s < model::kSectorCount; ++s)
      if (model::kSectors[s].key == key) return s;
    return model::kSectorCount;
  };
  const std::size_t retail = sector_index("retail"), construction = sector_index("construction"),
                    proximity = sector_index("proximity_social_economy");
  double low_tradability = 0, less_developed = 0;
  std::vector<int> per_region(world.regions.size(), 0);
  for (const auto& c : world.clusters) {
    if (c.sector == retail || c.sector == construction || c.sector == proximity) ++low_tradability;
    if (world.regions[c.region].level == model::DevelopmentLevel::LessDeveloped) ++less_developed;
    ++per_region[c.region];
  }
  // Retail, construction and proximity hold 51 % of the SMEs but few cluster organisations.
  CHECK(low_tradability / C < 0.10);
  // Less developed regions hold clusters, but fewer than their share of SMEs.
  double smes_less = 0, smes_all = 0;
  for (std::size_t r = 0; r < world.regions.size(); ++r)
    for (std::size_t s = 0; s < model::kSectorCount; ++s) {
      const auto n = static_cast<double>(world.initial_smes[world.cell(r, s)]);
      smes_all += n;
      if (world.regions[r].level == model::DevelopmentLevel::LessDeveloped) smes_less += n;
    }
  CHECK(less_developed / C > 0.5 * smes_less / smes_all);
  CHECK(less_developed / C < smes_less / smes_all);
  // No single region is a hub of the network (Ile-de-France, the largest, holds about 4 % of the SMEs).
  CHECK(*std::max_element(per_region.begin(), per_region.end()) < 0.06 * C);
  // About 200 regions host a cluster (ECCP: clusters across 200 EU-27 regions).
  const auto hosting = std::count_if(per_region.begin(), per_region.end(), [](int n) { return n > 0; });
  CHECK(hosting > 150);
  // Cluster targets average in the 150-200 range of DOMAIN.md (ECCP 2022: about 170).
  double target_sum = 0;
  for (const auto& c : world.clusters) target_sum += c.target_members;
  CHECK(target_sum / C == Approx(175).margin(25));
  // A regional sector mix with specialisations: location quotients spread around one.
  const auto& r0 = world.regions[0];
  CHECK(r0.s3_sectors.size() == 3);
}

TEST_CASE("a smaller world keeps a proportionate cluster network", "[model]") {
  const auto full = model::build_world(eu({"world.scale=1"}));
  const auto tenth = model::build_world(eu({"world.scale=0.1"}));
  REQUIRE(tenth.clusters.size() == 110);
  // Clusters by country: within two of a tenth of the full network's.
  std::map<std::string, int> at_full, at_tenth;
  for (const auto& c : full.clusters) ++at_full[full.regions[c.region].country];
  for (const auto& c : tenth.clusters) ++at_tenth[tenth.regions[c.region].country];
  for (const auto& [country, n] : at_full) CHECK(std::abs(at_tenth[country] - n / 10.0) <= 2.0);
}

TEST_CASE("check refuses names the world lacks with the nearest match and areas without clusters", "[model]") {
  const std::string base = std::string(kEu) +
                           "[[instruments]]\nid = \"x\"\ntype = \"cluster_excellence\"\nbudget_eur = 1000000\n"
                           "end_step = 4\n";
  CHECK_THROWS_WITH(test::params_from(base + "eligible.regions = [\"ES5l\"]\n"),
                    Catch::Contains("instruments[x].eligible.regions: no region 'ES5l' in this world; did you mean 'ES51'?"));
  CHECK_THROWS_WITH(test::params_from(base + "eligible.countries = [\"UK\"]\n"),
                    Catch::Contains("eligible.countries: no country 'UK'"));
  CHECK_THROWS_WITH(test::params_from(base + "eligible.sectors = [\"digitl\"]\n"),
                    Catch::Contains("did you mean 'digital'?"));
  // Flanders at 1:1000: no cluster organisation there, so the instrument would spend nothing.
  CHECK_THROWS_WITH(test::params_from(base + "eligible.regions = [\"BE21\", \"BE22\"]\n", {"world.scale=0.001"}),
                    Catch::Contains("no cluster organisation of this world is eligible") &&
                        Catch::Contains("world.scale = "));
}
