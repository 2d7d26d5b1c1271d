#pragma once
// The first draws of many streams at once. A per-agent loop that opens a Stream for each
// agent spends most of its random-number time waiting on the ten dependent multiply rounds
// of each Philox block; computing the blocks of 8 (AVX2) or 16 (AVX-512) agents side by side
// in vector lanes, several blocks interleaved, does the same integer arithmetic 3-5 times
// faster.
//
// The values are exactly those of Stream(seed, agent, step, purpose).next_u32(), in order:
// Philox is integer arithmetic, so the vector and scalar paths agree bit for bit and the
// output of a simulation does not depend on which one the CPU takes.

#include <cstddef>
#include <cstdint>

namespace clustersim::random {

/// Blocks one fill_draws call can compute per agent (4 draws each): any number the stream's
/// block counter can name (2^Stream::kBlockBits, asserted in batch.cpp). A caller asks for
/// as many as it has declared draws for.
inline constexpr unsigned kMaxBatchBlocks = 1u << 16;

/// For each agent k in [0, n): its first 4 x `blocks` draws (blocks <= kMaxBatchBlocks) of
/// Stream(seed, agents[k], step, purpose), draw v of agent k stored at out[v * stride + k]
/// (stride >= n), so that one draw of consecutive agents is contiguous.
void fill_draws(std::uint64_t seed, const std::uint64_t* agents, std::size_t n, std::uint32_t step,
                std::uint32_t purpose, unsigned blocks, std::uint32_t* out, std::size_t stride);

namespace detail {
/// The instruction sets fill_draws can use; all give the same values (tests compare them).
enum class Path { Scalar, Avx2, Avx512 };
/// Whether the CPU has the instruction sets of the path (isa::supported).
bool path_available(Path path);
/// What fill_draws uses: the path of isa::level().
Path fastest_path();
void fill_draws_with(Path path, std::uint64_t seed, const std::uint64_t* agents, std::size_t n, std::uint32_t step,
                     std::uint32_t purpose, unsigned blocks, std::uint32_t* out, std::size_t stride);
}  // namespace detail

}  // namespace clustersim::random
