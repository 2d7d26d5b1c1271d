#pragma once
// The first draws of many streams at once. A per-agent loop that opens a Stream for each
// agent spends most of its random-number time waiting on the ten dependent multiply rounds
// of each Philox block; computing the blocks of eight agents side by side in AVX2 lanes
// (three blocks interleaved) does the same integer arithmetic about three times faster.
//
// The values are exactly those of Stream(seed, agent, step, purpose).next_u32(), in order:
// Philox is integer arithmetic, so the vector and scalar paths agree bit for bit and the
// output of a simulation does not depend on which one the CPU takes.

#include <cstddef>
#include <cstdint>

namespace clustersim::random {

/// Blocks one fill_draws call computes per agent at most (4 draws each).
inline constexpr unsigned kMaxBatchBlocks = 4;

/// For each agent k in [0, n): its first 4 x `blocks` draws (blocks <= kMaxBatchBlocks) of
/// Stream(seed, agents[k], step, purpose), draw v of agent k stored at out[v * stride + k]
/// (stride >= n), so that one draw of consecutive agents is contiguous.
void fill_draws(std::uint64_t seed, const std::uint64_t* agents, std::size_t n, std::uint32_t step,
                std::uint32_t purpose, unsigned blocks, std::uint32_t* out, std::size_t stride);

namespace detail {
/// The portable path of fill_draws (used when the CPU lacks AVX2; tests compare the two).
void fill_draws_scalar(std::uint64_t seed, const std::uint64_t* agents, std::size_t n, std::uint32_t step,
                       std::uint32_t purpose, unsigned blocks, std::uint32_t* out, std::size_t stride);
/// True when fill_draws takes the AVX2 path on this CPU.
bool fill_draws_vectorised();
}  // namespace detail

}  // namespace clustersim::random
