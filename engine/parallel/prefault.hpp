#pragma once
// Prefaulting memory that is about to be written in full, e.g. the columns of rows being
// appended. Writing fresh anonymous memory takes one page fault per 4 KiB page; asking the
// kernel to map the whole range first takes one call per piece, and the contents are not
// changed. On the benchmark VM, where a page fault costs ~8 us, 1 GiB prefaulted and then
// written took 1.3 s, against 2.3 s faulted in page by page (docs/PERFORMANCE.md). Huge
// pages, where the kernel gives them, take one fault where 4 KiB pages take 512: a run of
// one step at 2.5x10^7 SMEs took 6.7-6.9 s instead of 8.1-9.4 s (History in
// docs/PERFORMANCE.md).

#include <cstddef>

namespace clustersim::parallel {

/// Maps the pages of [begin, begin + bytes) writable now, the pieces spread over the threads
/// (Linux madvise MADV_POPULATE_WRITE, kernel 5.14 or later), as transparent huge pages
/// where the range covers whole 2 MiB blocks and the kernel gives them (MADV_HUGEPAGE).
/// Only hints: ranges under kMinPrefaultBytes are left alone, and where the kernel cannot
/// prefault, nothing happens and the pages fault in as they are written.
void prefault_for_write(void* begin, std::size_t bytes);

/// Smaller ranges are not worth a system call per piece.
inline constexpr std::size_t kMinPrefaultBytes = std::size_t{1} << 20;

/// Asks for transparent huge pages (madvise MADV_HUGEPAGE) on the whole 2 MiB blocks of
/// [begin, begin + bytes), e.g. a column's reserved capacity, so that rows appended later
/// fault in 2 MiB at a time. A hint: nothing happens where the kernel has no huge pages.
/// It costs at most one partly used 2 MiB page of resident memory per range.
void advise_huge_pages(void* begin, std::size_t bytes);

}  // namespace clustersim::parallel
