#include "engine/random/stream.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using clustersim::random::replicate_seed;
using clustersim::random::Stream;

TEST_CASE("a stream is a pure function of (seed, agent, step, purpose)", "[unit]") {
  Stream a(42, 7, 3, 1), b(42, 7, 3, 1);
  for (int i = 0; i < 100; ++i) REQUIRE(a.next_u32() == b.next_u32());

  auto first = [](std::uint64_t seed, std::uint64_t agent, std::uint32_t step, std::uint32_t purpose) {
    return Stream(seed, agent, step, purpose).next_u32();
  };
  const auto base = first(42, 7, 3, 1);
  CHECK(first(43, 7, 3, 1) != base);
  CHECK(first(42, 8, 3, 1) != base);
  CHECK(first(42, 7, 4, 1) != base);
  CHECK(first(42, 7, 3, 2) != base);
  // Agent ids above 2^32 use the high counter word.
  CHECK(first(42, 7 + (1ULL << 32), 3, 1) != base);
}

TEST_CASE("uniform draws lie in (0,1) with mean 1/2 and variance 1/12", "[unit]") {
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    Stream s(1, static_cast<std::uint64_t>(i), 0, 0);
    const double u = s.uniform();
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sum2 += u * u;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // 5 standard errors: sd of the mean is sqrt(1/12/n) ~ 6.5e-4.
  CHECK(mean == Approx(0.5).margin(5 * std::sqrt(1.0 / 12 / n)));
  CHECK(var == Approx(1.0 / 12).margin(0.002));
}

TEST_CASE("normal draws have mean 0 and variance 1", "[unit]") {
  Stream s(9, 0, 0, 0);
  const int n = 100000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = s.normal();
    sum += z;
    sum2 += z * z;
  }
  CHECK(sum / n == Approx(0.0).margin(5.0 / std::sqrt(n)));
  CHECK(sum2 / n == Approx(1.0).margin(0.02));
}

TEST_CASE("poisson draws match mean and variance for small and large means", "[unit]") {
  for (double mean : {0.3, 4.0, 25.0, 1000.0}) {
    Stream s(5, static_cast<std::uint64_t>(mean * 10), 0, 0);
    const int n = 50000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<double>(s.poisson(mean));
      sum += k;
      sum2 += k * k;
    }
    const double m = sum / n, v = sum2 / n - m * m;
    INFO("mean " << mean);
    CHECK(m == Approx(mean).margin(5 * std::sqrt(mean / n)));
    CHECK(v == Approx(mean).epsilon(0.05));
  }
  Stream s(5, 0, 0, 0);
  CHECK(s.poisson(0.0) == 0);
}

TEST_CASE("below(n) stays in range and covers it", "[unit]") {
  Stream s(3, 0, 0, 0);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto k = s.below(7);
    REQUIRE(k < 7);
    seen.insert(k);
  }
  CHECK(seen.size() == 7);
}

TEST_CASE("replicate seeds depend on master seed and index only, and differ", "[unit]") {
  CHECK(replicate_seed(1, 0) == replicate_seed(1, 0));
  std::set<std::uint64_t> seeds;
  for (std::uint64_t master : {0ULL, 1ULL, 2ULL})
    for (std::uint64_t r = 0; r < 100; ++r) seeds.insert(replicate_seed(master, r));
  CHECK(seeds.size() == 300);
}
