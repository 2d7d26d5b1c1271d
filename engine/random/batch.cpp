#include "engine/random/batch.hpp"

// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm512_undefined_epi32()
// (GCC bug 105593); the warning must be off where the header's code is, so around the include.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include "engine/core/error.hpp"
#include "engine/core/isa.hpp"
#include "engine/random/stream.hpp"

namespace clustersim::random {

static_assert(kMaxBatchBlocks == 1u << Stream::kBlockBits, "fill_draws names blocks with the stream's block counter");

namespace {

// Philox4x32-10 constants (Salmon et al. 2011; Random123's PHILOX_M4x32_* and PHILOX_W32_*).
constexpr std::uint32_t kMultiplier0 = 0xD2511F53u, kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
constexpr int kRounds = 10;
constexpr unsigned kLanes = 8;

/// The high and low 32 bits of a[l] * m for the eight lanes: vpmuludq multiplies the even
/// lanes, so the odd lanes are shifted down, multiplied, and both halves blended back.
__attribute__((target("avx2"))) inline void mulhilo(__m256i a, __m256i m, __m256i& hi, __m256i& lo) {
  const __m256i even = _mm256_mul_epu32(a, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

/// Blocks first_block .. first_block + B - 1 of eight agents; B independent chains keep the
/// multiplier busy while each round waits on the previous one.
template <unsigned B>
__attribute__((target("avx2"))) void philox_lanes(std::uint64_t seed, const std::uint64_t* agents, std::size_t lanes,
                                                  std::uint32_t step, std::uint32_t purpose, unsigned first_block,
                                                  std::uint32_t* out, std::size_t stride) {
  alignas(32) std::uint32_t low[kLanes], high[kLanes];
  for (unsigned l = 0; l < kLanes; ++l) {
    const std::uint64_t agent = agents[l < lanes ? l : 0];
    low[l] = static_cast<std::uint32_t>(agent);
    high[l] = static_cast<std::uint32_t>(agent >> 32);
  }
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kMultiplier0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kMultiplier1));
  __m256i c0[B], c1[B], c2[B], c3[B];
  for (unsigned b = 0; b < B; ++b) {
    c0[b] = _mm256_load_si256(reinterpret_cast<const __m256i*>(low));
    c1[b] = _mm256_load_si256(reinterpret_cast<const __m256i*>(high));
    c2[b] = _mm256_set1_epi32(static_cast<int>(step));
    c3[b] = _mm256_set1_epi32(static_cast<int>((purpose << Stream::kBlockBits) + first_block + b));
  }
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < kRounds; ++round) {
    const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0)), key1 = _mm256_set1_epi32(static_cast<int>(k1));
    for (unsigned b = 0; b < B; ++b) {
      __m256i hi0, lo0, hi1, lo1;
      mulhilo(c0[b], m0, hi0, lo0);
      mulhilo(c2[b], m1, hi1, lo1);
      c0[b] = _mm256_xor_si256(_mm256_xor_si256(hi1, c1[b]), key0);
      c1[b] = lo1;
      c2[b] = _mm256_xor_si256(_mm256_xor_si256(hi0, c3[b]), key1);
      c3[b] = lo0;
    }
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  for (unsigned b = 0; b < B; ++b) {
    const __m256i words[4] = {c0[b], c1[b], c2[b], c3[b]};
    for (unsigned w = 0; w < 4; ++w) {
      std::uint32_t* target = out + (4 * (first_block + b) + w) * stride;
      if (lanes == kLanes) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(target), words[w]);
      } else {
        alignas(32) std::uint32_t buffer[kLanes];
        _mm256_store_si256(reinterpret_cast<__m256i*>(buffer), words[w]);
        for (std::size_t l = 0; l < lanes; ++l) target[l] = buffer[l];
      }
    }
  }
}

__attribute__((target("avx2"))) void fill_draws_avx2(std::uint64_t seed, const std::uint64_t* agents, std::size_t n,
                                                     std::uint32_t step, std::uint32_t purpose, unsigned blocks,
                                                     std::uint32_t* out, std::size_t stride) {
  for (std::size_t first = 0; first < n; first += kLanes) {
    const std::size_t lanes = n - first < kLanes ? n - first : kLanes;
    unsigned block = 0;
    // Four chains at once spill a few of the 16 registers, and are still faster than two
    // pairs (the multiplies of one chain wait on the previous round).
    for (; block + 4 <= blocks; block += 4)
      philox_lanes<4>(seed, agents + first, lanes, step, purpose, block, out + first, stride);
    for (; block + 3 <= blocks; block += 3)
      philox_lanes<3>(seed, agents + first, lanes, step, purpose, block, out + first, stride);
    for (; block + 2 <= blocks; block += 2)
      philox_lanes<2>(seed, agents + first, lanes, step, purpose, block, out + first, stride);
    for (; block < blocks; ++block) philox_lanes<1>(seed, agents + first, lanes, step, purpose, block, out + first, stride);
  }
}


/// The same rounds in 16 AVX-512 lanes (32 registers: four chains without spilling), about
/// 1.5x the AVX2 path's throughput on this machine's Xeon.
__attribute__((target("avx512f"))) inline void mulhilo16(__m512i a, __m512i m, __m512i& hi, __m512i& lo) {
  const __m512i even = _mm512_mul_epu32(a, m);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

template <unsigned B>
__attribute__((target("avx512f"))) void philox_lanes16(std::uint64_t seed, const std::uint64_t* agents, std::size_t lanes,
                                                       std::uint32_t step, std::uint32_t purpose, unsigned first_block,
                                                       std::uint32_t* out, std::size_t stride) {
  alignas(64) std::uint32_t low[16], high[16];
  for (unsigned l = 0; l < 16; ++l) {
    const std::uint64_t agent = agents[l < lanes ? l : 0];
    low[l] = static_cast<std::uint32_t>(agent);
    high[l] = static_cast<std::uint32_t>(agent >> 32);
  }
  const __m512i m0 = _mm512_set1_epi32(static_cast<int>(kMultiplier0));
  const __m512i m1 = _mm512_set1_epi32(static_cast<int>(kMultiplier1));
  __m512i c0[B], c1[B], c2[B], c3[B];
  for (unsigned b = 0; b < B; ++b) {
    c0[b] = _mm512_load_si512(low);
    c1[b] = _mm512_load_si512(high);
    c2[b] = _mm512_set1_epi32(static_cast<int>(step));
    c3[b] = _mm512_set1_epi32(static_cast<int>((purpose << Stream::kBlockBits) + first_block + b));
  }
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < kRounds; ++round) {
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(k0)), key1 = _mm512_set1_epi32(static_cast<int>(k1));
    for (unsigned b = 0; b < B; ++b) {
      __m512i hi0, lo0, hi1, lo1;
      mulhilo16(c0[b], m0, hi0, lo0);
      mulhilo16(c2[b], m1, hi1, lo1);
      c0[b] = _mm512_xor_si512(_mm512_xor_si512(hi1, c1[b]), key0);
      c1[b] = lo1;
      c2[b] = _mm512_xor_si512(_mm512_xor_si512(hi0, c3[b]), key1);
      c3[b] = lo0;
    }
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  const __mmask16 mask = static_cast<__mmask16>(lanes >= 16 ? 0xFFFFu : (1u << lanes) - 1u);
  for (unsigned b = 0; b < B; ++b) {
    const __m512i words[4] = {c0[b], c1[b], c2[b], c3[b]};
    for (unsigned w = 0; w < 4; ++w)
      _mm512_mask_storeu_epi32(out + (4 * (first_block + b) + w) * stride, mask, words[w]);
  }
}

__attribute__((target("avx512f"))) void fill_draws_avx512(std::uint64_t seed, const std::uint64_t* agents, std::size_t n,
                                                         std::uint32_t step, std::uint32_t purpose, unsigned blocks,
                                                         std::uint32_t* out, std::size_t stride) {
  for (std::size_t first = 0; first < n; first += 16) {
    const std::size_t lanes = n - first < 16 ? n - first : 16;
    unsigned block = 0;
    for (; block + 4 <= blocks; block += 4)
      philox_lanes16<4>(seed, agents + first, lanes, step, purpose, block, out + first, stride);
    for (; block + 2 <= blocks; block += 2)
      philox_lanes16<2>(seed, agents + first, lanes, step, purpose, block, out + first, stride);
    for (; block < blocks; ++block) philox_lanes16<1>(seed, agents + first, lanes, step, purpose, block, out + first, stride);
  }
}

}  // namespace

namespace detail {

namespace {
/// The instruction sets a path is compiled for, as isa:: names them: one detection of the
/// CPU for the whole engine.
isa::Level level_of(Path path) {
  switch (path) {
    case Path::Avx512: return isa::Level::Avx512;
    case Path::Avx2: return isa::Level::Avx2;
    case Path::Scalar: break;
  }
  return isa::Level::Baseline;
}
}  // namespace

bool path_available(Path path) { return isa::supported(level_of(path)); }

Path fastest_path() {
  // The level isa::dispatch uses (which tests and CLUSTERSIM_ISA can cap).
  switch (isa::level()) {
    case isa::Level::Avx512: return Path::Avx512;
    case isa::Level::Avx2: return Path::Avx2;
    case isa::Level::Baseline: break;
  }
  return Path::Scalar;
}

void fill_draws_with(Path path, std::uint64_t seed, const std::uint64_t* agents, std::size_t n, std::uint32_t step,
                     std::uint32_t purpose, unsigned blocks, std::uint32_t* out, std::size_t stride) {
  CLUSTERSIM_ASSERT(blocks <= kMaxBatchBlocks && stride >= n, "fill_draws: blocks <= kMaxBatchBlocks, stride >= n");
  CLUSTERSIM_ASSERT(path_available(path), "fill_draws: the CPU lacks the requested instructions");
  switch (path) {
    case Path::Avx512: fill_draws_avx512(seed, agents, n, step, purpose, blocks, out, stride); return;
    case Path::Avx2: fill_draws_avx2(seed, agents, n, step, purpose, blocks, out, stride); return;
    case Path::Scalar:
      for (std::size_t k = 0; k < n; ++k) {
        Stream stream(seed, agents[k], step, purpose);
        for (unsigned v = 0; v < 4 * blocks; ++v) out[v * stride + k] = stream.next_u32();
      }
      return;
  }
}

}  // namespace detail

void fill_draws(std::uint64_t seed, const std::uint64_t* agents, std::size_t n, std::uint32_t step,
                std::uint32_t purpose, unsigned blocks, std::uint32_t* out, std::size_t stride) {
  detail::fill_draws_with(detail::fastest_path(), seed, agents, n, step, purpose, blocks, out, stride);
}

}  // namespace clustersim::random
