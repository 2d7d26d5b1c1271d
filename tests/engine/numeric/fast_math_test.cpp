#include "engine/numeric/fast_math.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

namespace fm = clustersim::numeric;

// Dense sweeps against double precision; the bounds are the ones fast_math.hpp promises and
// the cluster model relies on (innovation.hpp's short cut assumes exp's relative error < 1e-6).
TEST_CASE("fast exp is within 2e-7 relative error of exp(x) for x from -87 to 88", "[unit]") {
  double worst = 0;
  for (int k = 0; k <= 2000000; ++k) {
    const float x = -87.0f + 175.0f * static_cast<float>(k) / 2000000.0f;
    const double exact = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::fabs(fm::exp(x) - exact) / exact);
  }
  CHECK(worst < 2e-7);
  CHECK(fm::exp(0.0f) == 1.0f);
  CHECK(fm::exp(-1000.0f) > 0.0f);  // clamped, still a normal float
  CHECK(std::isfinite(fm::exp(1000.0f)));
}

TEST_CASE("fast log is within 2e-7 relative error of ln x over all normal floats", "[unit]") {
  double worst = 0;
  for (int k = 0; k <= 2000000; ++k) {
    // Log-spaced over [2^-126, 2^127] plus a dense sweep of (0, 1], where Box–Muller uses it.
    const float x = k % 2 ? std::ldexp(1.0f + static_cast<float>(k % 1000) / 1000.0f, -126 + (k % 253))
                          : static_cast<float>(k + 1) / 2000001.0f;
    const double exact = std::log(static_cast<double>(x));
    const double error = std::fabs(fm::log(x) - exact);
    worst = std::max(worst, exact == 0 ? error : error / std::fabs(exact));
  }
  CHECK(worst < 2e-7);
  CHECK(fm::log(1.0f) == 0.0f);
}

TEST_CASE("fast sin and cos of 2 pi u are within 2e-7 of the exact values", "[unit]") {
  double worst = 0;
  for (int k = 0; k <= 2000000; ++k) {
    const float u = static_cast<float>(k) / 2000000.0f;
    float s, c;
    fm::sincos_turns(u, s, c);
    const double theta = 2 * M_PI * static_cast<double>(u);
    worst = std::max({worst, std::fabs(s - std::sin(theta)), std::fabs(c - std::cos(theta))});
  }
  CHECK(worst < 2e-7);
}

TEST_CASE("fast math gives the same bits in a vectorised loop as one value at a time", "[unit]") {
  // GCC vectorises the first loop (SSE2 lanes); calling through a volatile pointer keeps the
  // second scalar. Equal bits mean the model's output cannot depend on how a loop compiled.
  const std::size_t n = 4099;
  std::vector<float> x(n), a(n), b(n), s1(n), c1(n), s2(n), c2(n);
  for (std::size_t k = 0; k < n; ++k) x[k] = 0.37f + static_cast<float>(k) * 0.0173f;
  for (std::size_t k = 0; k < n; ++k) {
    a[k] = fm::exp(-x[k]) + fm::log(x[k]);
    fm::sincos_turns(x[k] - std::floor(x[k]), s1[k], c1[k]);
  }
  float (*volatile exp_one)(float) = fm::exp;
  float (*volatile log_one)(float) = fm::log;
  void (*volatile sincos_one)(float, float&, float&) = fm::sincos_turns;
  for (std::size_t k = 0; k < n; ++k) {
    b[k] = exp_one(-x[k]) + log_one(x[k]);
    sincos_one(x[k] - std::floor(x[k]), s2[k], c2[k]);
  }
  CHECK(a == b);
  CHECK(s1 == s2);
  CHECK(c1 == c2);
}
