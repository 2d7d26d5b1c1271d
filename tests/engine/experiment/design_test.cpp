#include "engine/experiment/design.hpp"

#include <catch2/catch.hpp>

#include <set>

#include "engine/experiment/hash.hpp"

using namespace clustersim::experiment;

TEST_CASE("latin hypercube puts exactly one point in each stratum of each dimension", "[unit]") {
  const auto p = latin_hypercube(50, 3, 7);
  REQUIRE(p.size() == 50);
  for (std::size_t k = 0; k < 3; ++k) {
    std::set<int> strata;
    for (const auto& x : p) {
      CHECK(x[k] >= 0.0);
      CHECK(x[k] < 1.0);
      strata.insert(static_cast<int>(x[k] * 50));
    }
    CHECK(strata.size() == 50);
  }
  CHECK(latin_hypercube(50, 3, 7) == p);
  CHECK(latin_hypercube(50, 3, 8) != p);
}

TEST_CASE("sobol starts at the origin and follows Boost's Joe-Kuo sequence", "[unit]") {
  const auto p = sobol(4, 2);
  CHECK(p[0] == std::vector<double>{0.0, 0.0});
  CHECK(p[1] == std::vector<double>{0.5, 0.5});
  CHECK(p[2] == std::vector<double>{0.75, 0.25});
  CHECK(p[3] == std::vector<double>{0.25, 0.75});
}

TEST_CASE("saltelli lays out A, AB_1..AB_d, B per base point like SALib", "[unit]") {
  const std::size_t n = 8, d = 3;
  const auto base = sobol(n, 2 * d);
  const auto p = saltelli(n, d);
  REQUIRE(p.size() == n * (d + 2));
  for (std::size_t j = 0; j < n; ++j) {
    const auto* row = &p[j * (d + 2)];
    for (std::size_t k = 0; k < d; ++k) {
      CHECK(row[0][k] == base[j][k]);
      CHECK(row[d + 1][k] == base[j][d + k]);
      for (std::size_t i = 0; i < d; ++i) CHECK(row[1 + i][k] == (k == i ? base[j][d + k] : base[j][k]));
    }
  }
}

TEST_CASE("run ids are FNV-1a of the resolved scenario and the replicate", "[unit]") {
  CHECK(fnv1a64("") == 14695981039346656037ULL);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);  // published FNV-1a test vector
  CHECK(run_id("x = 1\n", 0) != run_id("x = 1\n", 1));
  CHECK(run_id("x = 1\n", 0).size() == 16);
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
}
