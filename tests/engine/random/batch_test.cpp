#include "engine/random/batch.hpp"

#include <catch2/catch.hpp>

#include <vector>

#include "engine/random/stream.hpp"

using namespace clustersim::random;

namespace {
// Agents with ids that use both counter words, in an irregular order, and counts that are
// not multiples of the eight AVX2 lanes.
std::vector<std::uint64_t> some_agents(std::size_t n) {
  std::vector<std::uint64_t> agents(n);
  for (std::size_t k = 0; k < n; ++k) agents[k] = (k * 2654435761ULL) ^ ((k % 3) << 33);
  return agents;
}
}  // namespace

namespace {
// Block counts that take every split of the vector paths (4, 3, 2 and 1 chains at a time)
// and counts past four, which a model with more than 16 draw slots asks for.
constexpr unsigned kMostBlocks = 9;
}  // namespace

TEST_CASE("fill_draws gives each agent exactly its stream's first draws", "[unit]") {
  const std::uint64_t seed = replicate_seed(2024, 3);
  for (std::size_t n : {1u, 7u, 8u, 9u, 64u, 1021u}) {
    for (unsigned blocks = 1; blocks <= kMostBlocks; ++blocks) {
      const auto agents = some_agents(n);
      const std::size_t stride = n + 5;  // a stride larger than n must leave the gap alone
      std::vector<std::uint32_t> out(4 * blocks * stride, 0xA5A5A5A5u);
      fill_draws(seed, agents.data(), n, 17, 4, blocks, out.data(), stride);
      for (std::size_t k = 0; k < n; ++k) {
        Stream stream(seed, agents[k], 17, 4);
        for (unsigned v = 0; v < 4 * blocks; ++v) REQUIRE(out[v * stride + k] == stream.next_u32());
      }
      for (unsigned v = 0; v < 4 * blocks; ++v)
        for (std::size_t k = n; k < stride; ++k) REQUIRE(out[v * stride + k] == 0xA5A5A5A5u);
    }
  }
}

TEST_CASE("every instruction-set path of fill_draws gives the same bits", "[unit]") {
  // Paths this CPU lacks are skipped (INFO lists them); the scalar path is always there.
  using detail::Path;
  const auto agents = some_agents(4099);
  std::vector<std::uint32_t> reference(4 * kMostBlocks * agents.size()), other(4 * kMostBlocks * agents.size());
  int compared = 0;
  for (Path path : {Path::Avx2, Path::Avx512}) {
    INFO("path " << static_cast<int>(path) << " available: " << detail::path_available(path));
    if (!detail::path_available(path)) continue;
    for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0}, replicate_seed(7, 0)})
      for (unsigned blocks = 1; blocks <= kMostBlocks; ++blocks) {
        detail::fill_draws_with(Path::Scalar, seed, agents.data(), agents.size(), 0xFFFFFFFFu, 13, blocks,
                                reference.data(), agents.size());
        detail::fill_draws_with(path, seed, agents.data(), agents.size(), 0xFFFFFFFFu, 13, blocks, other.data(),
                                agents.size());
        REQUIRE(other == reference);
        ++compared;
      }
  }
  if (compared == 0) WARN("this CPU has neither AVX2 nor AVX-512: only the scalar path was checked");
}
