#pragma once
// Agent state as structure of arrays: each attribute is one contiguous std::vector, all of
// the same length, with a stable 64-bit id per agent. A model owns its columns and
// attaches them here; the table keeps them in step when agents are born (appended, ids
// counting up) and when dead rows are compacted away (order preserved, so row order, and
// hence every later result, is the same for any thread count).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <tbb/parallel_for.h>

#include "engine/core/error.hpp"
#include "engine/parallel/blocks.hpp"
#include "engine/parallel/prefault.hpp"

namespace clustersim::agents {

/// An allocator whose construct() default-initialises: resizing a vector of trivial
/// elements then writes nothing. A large column's fresh pages are first touched by the code
/// that fills its rows (in parallel), not by one thread zeroing them first (at 2.5x10^7
/// SMEs, seconds of serial page faults: docs/PERFORMANCE.md).
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A column whose appended rows hold unspecified values until written (Table::append).
template <class T>
using DefaultInitVector = std::vector<T, DefaultInitAllocator<T>>;

/// Reserves room for n elements, asking for huge pages on it (parallel::advise_huge_pages):
/// the elements appended later, a few at a time, then fault in 2 MiB at a time.
template <class T, class A>
void reserve_with_huge_pages(std::vector<T, A>& v, std::size_t n) {
  if (n <= v.capacity()) return;
  v.reserve(n);
  parallel::advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

/// Resizes a vector whose new elements are about to be written in full, mapping their pages
/// first (parallel::prefault_for_write: a few system calls for a large range, rather than a
/// page fault per page as the elements are first written). Grows the capacity only as far as
/// `n`: callers with a growth policy reserve before.
template <class T, class A>
void resize_for_writing(std::vector<T, A>& v, std::size_t n) {
  reserve_with_huge_pages(v, n);
  if (n > v.size()) parallel::prefault_for_write(v.data() + v.size(), (n - v.size()) * sizeof(T));
  v.resize(n);
}

/// Stable in-place removal of the rows with keep[row] == 0.
template <class T, class A>
std::size_t compact_column(std::vector<T, A>& column, std::span<const std::uint8_t> keep) {
  std::size_t to = 0;
  for (std::size_t from = 0; from < column.size(); ++from) {
    if (!keep[from]) continue;
    if (to != from) column[to] = column[from];
    ++to;
  }
  column.resize(to);
  return to;
}

class Table {
 public:
  Table() = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  /// Registers a model-owned column; it must outlive the table and already have size().
  template <class T, class A>
  void attach(std::vector<T, A>& column) {
    CLUSTERSIM_ASSERT(column.size() == ids_.size(), "attached column has the wrong length");
    columns_.push_back(std::make_unique<Column<T, A>>(column));
  }

  std::size_t size() const { return ids_.size(); }
  /// Bytes of one row: the id plus one element of every attached column (what a model's
  /// memory estimate multiplies by the number of agents, so a new column is counted).
  std::size_t row_bytes() const {
    std::size_t bytes = sizeof(std::uint64_t);
    for (const auto& c : columns_) bytes += c->element_bytes();
    return bytes;
  }
  std::uint64_t id(std::size_t row) const { return ids_[row]; }
  const DefaultInitVector<std::uint64_t>& ids() const { return ids_; }
  std::uint64_t next_id() const { return next_id_; }

  /// Drops all rows and restarts ids at 0 (a new replicate).
  void clear();
  /// Reserves room for `rows` in every column, so births rarely reallocate.
  void reserve(std::size_t rows);
  /// Appends `n` rows with consecutive new ids; returns the first row. The new rows of a
  /// std::vector column are value-initialised (zero), those of a DefaultInitVector column
  /// hold unspecified values until the caller writes them.
  std::size_t append(std::size_t n);
  /// Keeps the rows with keep[row] != 0, in order; returns the number removed.
  std::size_t compact(std::span<const std::uint8_t> keep);

 private:
  struct ColumnBase {
    virtual ~ColumnBase() = default;
    /// New rows are about to be written in full (resize_for_writing).
    virtual void resize(std::size_t n) = 0;
    virtual void reserve(std::size_t n) = 0;
    virtual void compact(std::span<const std::uint8_t> keep) = 0;
    virtual std::size_t size() const = 0;
    virtual std::size_t element_bytes() const = 0;
  };
  template <class T, class A>
  struct Column final : ColumnBase {
    explicit Column(std::vector<T, A>& v) : data(&v) {}
    void resize(std::size_t n) override { resize_for_writing(*data, n); }
    void reserve(std::size_t n) override { reserve_with_huge_pages(*data, n); }
    void compact(std::span<const std::uint8_t> keep) override { compact_column(*data, keep); }
    std::size_t size() const override { return data->size(); }
    std::size_t element_bytes() const override { return sizeof(T); }
    std::vector<T, A>* data;
  };

  DefaultInitVector<std::uint64_t> ids_;
  std::uint64_t next_id_ = 0;
  std::vector<std::unique_ptr<ColumnBase>> columns_;
  /// Ids written per task in append(): large enough that a few births take no task at all.
  static constexpr std::size_t kFillGrain = 1 << 16;
};

inline void Table::clear() {
  ids_.clear();
  next_id_ = 0;
  for (auto& c : columns_) c->resize(0);
}

inline void Table::reserve(std::size_t rows) {
  reserve_with_huge_pages(ids_, rows);
  for (auto& c : columns_) c->reserve(rows);
}

inline std::size_t Table::append(std::size_t n) {
  const std::size_t first = ids_.size();
  // Grow by half. Unused capacity is address space, not memory: a large column comes from
  // mmap and its pages become resident only when rows are written. What a reallocation
  // costs is a serial copy of every column into fresh pages (at 2.5x10^7 SMEs, seconds of
  // page faults: docs/PERFORMANCE.md), so it should be rare.
  if (first + n > ids_.capacity()) reserve(std::max(first + n, first + first / 2));
  resize_for_writing(ids_, first + n);
  // The new ids are written in parallel, so that their fresh pages (200 MB for the
  // initial 2.5x10^7 SMEs) are first touched by both threads instead of being zeroed and
  // then filled by one.
  const std::uint64_t first_id = next_id_;
  parallel::for_each_range(n, kFillGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) ids_[first + i] = first_id + i;
  });
  next_id_ += n;
  for (auto& c : columns_) c->resize(first + n);
  return first;
}

inline std::size_t Table::compact(std::span<const std::uint8_t> keep) {
  CLUSTERSIM_ASSERT(keep.size() == ids_.size(), "keep mask has the wrong length");
  const std::size_t before = ids_.size();
  // Columns are independent, so they are compacted in parallel, each in one sequential pass.
  tbb::parallel_for(std::size_t{0}, columns_.size() + 1, [&](std::size_t c) {
    if (c == columns_.size())
      compact_column(ids_, keep);
    else
      columns_[c]->compact(keep);
  });
  for (auto& c : columns_) CLUSTERSIM_ASSERT(c->size() == ids_.size(), "column out of step after compaction");
  return before - ids_.size();
}

}  // namespace clustersim::agents
