#pragma once
// Randomness is a function, not a state. Every draw is a Philox4x32-10 block keyed by the
// replicate's seed and indexed by (agent, step, purpose, block): the same agent at the same
// step for the same purpose gets the same numbers whatever thread runs it, in whatever
// order, so output is bit-identical for any thread count, and adding a mechanism (a new
// purpose) never shifts the numbers of another.

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>

#include "engine/core/error.hpp"

namespace clustersim::random {

/// SplitMix64 finaliser: a bijective 64-bit mixer (Steele, Lea & Flood 2014).
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// The seed of replicate `index` depends only on the master seed and the index, so the
/// same replicate of two scenarios shares its random streams (paired comparisons) and
/// adding replicates or scenarios never shifts existing seeds.
constexpr std::uint64_t replicate_seed(std::uint64_t master_seed, std::uint64_t index) noexcept {
  return mix64(mix64(master_seed) ^ mix64(index + 0x5851F42D4C957F2DULL));
}

/// Draws for one (agent, step, purpose). Cheap to construct: create one where needed.
class Stream {
 public:
  using Philox = r123::Philox4x32;
  /// The counter's last word is purpose << kBlockBits | block: 2^16 blocks of 4 draws per
  /// (agent, step, purpose).
  static constexpr unsigned kBlockBits = 16;

  Stream(std::uint64_t seed, std::uint64_t agent, std::uint32_t step, std::uint32_t purpose) noexcept
      : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
        ctr_{{static_cast<std::uint32_t>(agent), static_cast<std::uint32_t>(agent >> 32), step,
              purpose << kBlockBits}} {}

  std::uint32_t next_u32() {
    if (used_ == 4) refill();
    return block_[used_++];
  }

  /// Uniform on the open interval (0, 1), 32-bit resolution.
  double uniform() { return (static_cast<double>(next_u32()) + 0.5) * 0x1p-32; }

  bool bernoulli(double p) { return uniform() < p; }

  /// Uniform integer in [0, n), n >= 1 (Lemire's multiply-shift; bias < n / 2^32).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(next_u32()) * n) >> 32);
  }

  /// Standard normal (Box–Muller; the second value of each pair is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 6.283185307179586476925 * u2;
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }

  /// Poisson(mean): inversion for small means, PTRS transformed rejection (Hörmann 1993)
  /// for mean >= 10, so the cost stays O(1) for region-sized means.
  std::uint64_t poisson(double mean);

 private:

  void refill() {
    CLUSTERSIM_ASSERT((ctr_[3] & ((1u << kBlockBits) - 1)) != (1u << kBlockBits) - 1,
                      "random stream exhausted for one (agent, step, purpose)");
    block_ = Philox()(ctr_, key_);
    ++ctr_[3];
    used_ = 0;
  }

  Philox::key_type key_;
  Philox::ctr_type ctr_;
  Philox::ctr_type block_{};
  unsigned used_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

inline std::uint64_t Stream::poisson(double mean) {
  CLUSTERSIM_ASSERT(mean >= 0.0 && std::isfinite(mean), "poisson mean must be finite and >= 0");
  if (mean == 0.0) return 0;
  if (mean < 10.0) {
    const double limit = std::exp(-mean);
    double product = uniform();
    std::uint64_t k = 0;
    while (product > limit) {
      product *= uniform();
      ++k;
    }
    return k;
  }
  // PTRS: W. Hörmann, "The transformed rejection method for generating Poisson random
  // variables", Insurance: Mathematics and Economics 12 (1993) 39–45.
  const double slam = std::sqrt(mean), loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = uniform() - 0.5, v = uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r) return static_cast<std::uint64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1.0))
      return static_cast<std::uint64_t>(k);
  }
}

}  // namespace clustersim::random
