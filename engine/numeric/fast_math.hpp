#pragma once
// Single-precision exp, log and sin/cos for the per-agent hot loops, inline and branch-free.
//
// Why not <cmath>: a libm call cannot be inlined, and a loop that calls one is never
// vectorised; in the cluster model the three transcendentals of each SME-step (a Box–Muller
// pair and two growth factors) cost more than any mechanism. These are the Cephes
// polynomials (S. L. Moshier, Cephes Math Library, expf.c / logf.c / sinf.c) with exact
// argument reductions; written with selects instead of branches, so GCC vectorises a loop
// over agents with plain SSE2. Every operation is a correctly rounded IEEE float operation
// (no FMA is generated for the x86-64 baseline), so scalar and vector code give the same
// bits, and so does every x86-64 machine: results depend on the build, never on the CPU or
// the thread count.
//
// Accuracy (tests/engine/numeric/fast_math_test.cpp checks it against double precision):
// relative error below 2e-7 (measured: 8e-8, about 1.4 ulp) for exp on [-87, 88] and log
// on normal positive floats; absolute error below 2e-7 (measured: 9e-8) for sin and cos.
// Loops over them vectorise with -fno-math-errno -fno-trapping-math (set in CMakeLists.txt).

#include <algorithm>
#include <bit>
#include <cstdint>

namespace clustersim::numeric {

namespace detail {
inline float as_float(std::uint32_t bits) { return std::bit_cast<float>(bits); }
inline std::uint32_t as_bits(float f) { return std::bit_cast<std::uint32_t>(f); }
/// Round to the nearest integer (ties to even) for |x| < 2^22, as a float: adding 1.5 x 2^23
/// pushes the fraction bits out of the significand.
inline float round_to_integer(float x) {
  constexpr float kShift = 12582912.0f;  // 1.5 x 2^23
  return (x + kShift) - kShift;
}
}  // namespace detail

/// e^x; x is clamped to [-87, 88] (the result stays a normal float).
inline float exp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float n = detail::round_to_integer(x * 1.44269504088896341f);  // x / ln 2
  // x - n ln 2 in two steps (Cody–Waite): 0.693359375 has few bits, so n * it is exact.
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * (r * r) + r + 1.0f;
  const auto exponent = static_cast<std::int32_t>(n) + 127;  // 2^n as a float's exponent field
  return y * detail::as_float(static_cast<std::uint32_t>(exponent) << 23);
}

/// ln x for a normal, positive, finite x (no checks: callers guarantee it).
inline float log(float x) {
  const std::uint32_t bits = detail::as_bits(x);
  float e = static_cast<float>(static_cast<std::int32_t>((bits >> 23) & 0xFFu) - 126);
  float m = detail::as_float((bits & 0x007FFFFFu) | 0x3F000000u);  // x = m 2^e, m in [0.5, 1)
  // Centre the mantissa on 1: m in [sqrt(1/2), sqrt(2)).
  const float low = m < 0.707106781186547524f ? 1.0f : 0.0f;
  e = e - low;
  m = m + low * m - 1.0f;  // 2m - 1 or m - 1 (both exact)
  const float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  y = y + e * -2.12194440e-4f;
  y = y - 0.5f * z;
  return (m + y) + e * 0.693359375f;
}

/// sin and cos of 2 pi u for u in [0, 1]. The reduction is exact: 4u is split into the
/// nearest quarter turn j and a remainder f in [-1/2, 1/2] without rounding, and the
/// polynomials cover r = f pi / 2 in [-pi/4, pi/4].
inline void sincos_turns(float u, float& sine, float& cosine) {
  const float q = 4.0f * u;
  const float j = detail::round_to_integer(q);
  const float r = (q - j) * 1.57079632679489662f;
  const float z = r * r;
  const float s = ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) * z * r + r;
  const float c = ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) * z * z -
                  0.5f * z + 1.0f;
  // Quarter turns: sin(j pi/2 + r), cos(j pi/2 + r) for j mod 4 = 0, 1, 2, 3 are
  // (s, c), (c, -s), (-s, -c), (-c, s). Bit operations rather than branches or selects keep
  // the function vectorisable.
  const auto k = static_cast<std::uint32_t>(static_cast<std::int32_t>(j));
  const std::uint32_t odd = 0u - (k & 1u);  // all ones for odd quarter turns: swap
  const std::uint32_t s_bits = detail::as_bits(s), c_bits = detail::as_bits(c);
  const std::uint32_t sin_bits = (c_bits & odd) | (s_bits & ~odd), cos_bits = (s_bits & odd) | (c_bits & ~odd);
  sine = detail::as_float(sin_bits ^ ((k & 2u) << 30));               // negative for j = 2, 3
  cosine = detail::as_float(cos_bits ^ (((k + 1u) & 2u) << 30));      // negative for j = 1, 2
}

}  // namespace clustersim::numeric
