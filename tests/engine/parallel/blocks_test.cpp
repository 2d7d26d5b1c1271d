#include "engine/parallel/blocks.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <utility>
#include <vector>

using namespace clustersim::parallel;

TEST_CASE("for_each_block visits every row exactly once in fixed blocks", "[unit]") {
  for (std::size_t rows : {std::size_t{0}, std::size_t{1}, kBlockRows - 1, kBlockRows, kBlockRows + 1, 10 * kBlockRows + 17}) {
    std::vector<std::atomic<int>> visits(rows);
    std::vector<std::size_t> block_of(rows);
    // Catch2 assertions are not thread-safe (a data race under TSan): the body only
    // records what it saw, and the checks run after the parallel loop.
    std::vector<std::pair<std::size_t, std::size_t>> bounds(block_count(rows));
    for_each_block(rows, [&](std::size_t block, std::size_t begin, std::size_t end) {
      bounds[block] = {begin, end};
      for (std::size_t i = begin; i < end; ++i) {
        ++visits[i];
        block_of[i] = block;
      }
    });
    for (std::size_t b = 0; b < bounds.size(); ++b) {
      REQUIRE(bounds[b].first == b * kBlockRows);
      REQUIRE(bounds[b].second - bounds[b].first <= kBlockRows);
    }
    for (std::size_t i = 0; i < rows; ++i) {
      REQUIRE(visits[i] == 1);
      REQUIRE(block_of[i] == i / kBlockRows);
    }
    CHECK(block_count(rows) == (rows + kBlockRows - 1) / kBlockRows);
  }
}

TEST_CASE("integer sums are identical for 1, 2 and 4 threads", "[unit]") {
  const std::size_t rows = 100000;
  auto run = [&](std::size_t threads) {
    ThreadLimit limit(threads);
    IntegerSums sums(3);
    for_each_block(rows, [&](std::size_t, std::size_t begin, std::size_t end) {
      auto& acc = sums.local();
      for (std::size_t i = begin; i < end; ++i) {
        acc[0] += 1;
        acc[1] += static_cast<std::int64_t>(i * i % 1000003);
        acc[i % 3 == 0 ? 2 : 0] += 0;
      }
    });
    return sums.total();
  };
  const auto one = run(1);
  CHECK(one[0] == static_cast<std::int64_t>(rows));
  CHECK(run(2) == one);
  CHECK(run(4) == one);
}

TEST_CASE("block buffers are replayed in block order whatever the schedule", "[unit]") {
  const std::size_t rows = 5 * kBlockRows + 3;
  BlockBuffers<std::size_t> buffers(rows);
  for_each_block(rows, [&](std::size_t block, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; i += 1000) buffers[block].push_back(i);
  });
  std::vector<std::size_t> replay;
  buffers.for_each_in_order([&](std::size_t i) { replay.push_back(i); });
  REQUIRE(!replay.empty());
  CHECK(std::is_sorted(replay.begin(), replay.end()));
}
