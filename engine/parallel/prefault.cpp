#include "engine/parallel/prefault.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include <tbb/parallel_for.h>

namespace clustersim::parallel {

namespace {
// MADV_POPULATE_WRITE (Linux 5.14) is missing from older C library headers; an older kernel
// answers EINVAL, which prefault_for_write ignores.
#ifdef MADV_POPULATE_WRITE
constexpr int kPopulateWrite = MADV_POPULATE_WRITE;
#else
constexpr int kPopulateWrite = 23;
#endif
// Pieces small enough for both threads to share a range of a few hundred MB.
constexpr std::size_t kPieceBytes = std::size_t{16} << 20;
constexpr std::uintptr_t kHugePageBytes = std::uintptr_t{2} << 20;
}  // namespace

void advise_huge_pages(void* begin, std::size_t bytes) {
  const auto start = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t huge_begin = (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  const std::uintptr_t huge_end = (start + bytes) / kHugePageBytes * kHugePageBytes;
  // THP mode "madvise" (or "always") gives them on request; a failure changes nothing.
  if (huge_end > huge_begin) (void)madvise(reinterpret_cast<void*>(huge_begin), huge_end - huge_begin, MADV_HUGEPAGE);
}

void prefault_for_write(void* begin, std::size_t bytes) {
  if (bytes < kMinPrefaultBytes) return;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  // madvise wants a page-aligned start: round it down. The page holding the start may hold
  // earlier data too; prefaulting does not change contents.
  const auto start = reinterpret_cast<std::uintptr_t>(begin) / page * page;
  const auto end = reinterpret_cast<std::uintptr_t>(begin) + bytes;
  advise_huge_pages(begin, bytes);
  const std::size_t pieces = (end - start + kPieceBytes - 1) / kPieceBytes;
  tbb::parallel_for(std::size_t{0}, pieces, [&](std::size_t k) {
    const std::uintptr_t from = start + k * kPieceBytes;
    const std::uintptr_t to = std::min<std::uintptr_t>(end, from + kPieceBytes);
    // A failure (an old kernel, or memory that cannot be populated now) only means the
    // pages fault in when written, as without the hint.
    (void)madvise(reinterpret_cast<void*>(from), to - from, kPopulateWrite);
  });
}

}  // namespace clustersim::parallel
