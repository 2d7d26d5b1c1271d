#pragma once
// Parallel loops over fixed-size blocks of rows. Block boundaries depend only on the row
// count, never on the thread count, so every row is computed by the same code path (same
// vectorised body or scalar tail) whichever thread runs it — one of the two halves of
// bit-identical output for any --threads (the other is engine/random/stream.hpp).

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace clustersim::parallel {

inline constexpr std::size_t kBlockRows = 1024;

inline std::size_t block_count(std::size_t rows) { return (rows + kBlockRows - 1) / kBlockRows; }

/// Calls fn(block, begin, end) for every block of rows, in parallel.
template <class Fn>
void for_each_block(std::size_t rows, Fn&& fn) {
  const std::size_t blocks = block_count(rows);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks, 1), [&](const tbb::blocked_range<std::size_t>& r) {
    for (std::size_t b = r.begin(); b != r.end(); ++b)
      fn(b, b * kBlockRows, std::min(rows, (b + 1) * kBlockRows));
  });
}

/// Calls fn(begin, end) for ranges of at most `grain` rows, in parallel. Only for per-row
/// work whose result does not depend on how the rows are split (each row computed on its
/// own, sums kept as exact integers): it lets a few thousand rows, e.g. a quarter's
/// start-ups, spread over every thread, where whole blocks would leave one thread idle.
template <class Fn>
void for_each_range(std::size_t rows, std::size_t grain, Fn&& fn) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, rows, std::max<std::size_t>(grain, 1)),
                    [&](const tbb::blocked_range<std::size_t>& r) { fn(r.begin(), r.end()); });
}

/// Integer accumulators, one vector per worker thread, summed at the end. Integer addition
/// is associative, so the total is exact and independent of how rows were spread over
/// threads; callers accumulate money in cents and other reals in fixed point.
class IntegerSums {
 public:
  explicit IntegerSums(std::size_t slots) : slots_(slots), local_([slots] { return std::vector<std::int64_t>(slots, 0); }) {}
  std::vector<std::int64_t>& local() { return local_.local(); }
  std::vector<std::int64_t> total() {
    std::vector<std::int64_t> sum(slots_, 0);
    for (const auto& v : local_)
      for (std::size_t i = 0; i < slots_; ++i) sum[i] += v[i];
    return sum;
  }

 private:
  std::size_t slots_;
  tbb::enumerable_thread_specific<std::vector<std::int64_t>> local_;
};

/// Limits oneTBB to `threads` workers for the lifetime of the object (0 = all cores).
class ThreadLimit {
 public:
  explicit ThreadLimit(std::size_t threads)
      : control_(tbb::global_control::max_allowed_parallelism,
                 threads == 0 ? tbb::this_task_arena::max_concurrency() : threads) {}

 private:
  tbb::global_control control_;
};

/// Per-block output buffers concatenated in block order: how a parallel phase emits
/// cross-agent requests (joins, births, ties) that are then applied in a fixed order.
template <class T>
class BlockBuffers {
 public:
  explicit BlockBuffers(std::size_t rows) : buffers_(block_count(rows)) {}
  std::vector<T>& operator[](std::size_t block) { return buffers_[block]; }
  const std::vector<T>& operator[](std::size_t block) const { return buffers_[block]; }
  std::size_t blocks() const { return buffers_.size(); }
  template <class Fn>
  void for_each_in_order(Fn&& fn) const {
    for (const auto& b : buffers_)
      for (const auto& item : b) fn(item);
  }

 private:
  std::vector<std::vector<T>> buffers_;
};

}  // namespace clustersim::parallel
