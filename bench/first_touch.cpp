// The cost of memory the process has not touched yet: fresh anonymous pages written once on
// T threads, each thread its own slice (as the engine's blocks first-touch their rows). A
// 4 KiB page fault usually costs well under a microsecond on bare metal; on this project's
// VM it costs ~10 (docs/PERFORMANCE.md), and then every byte of peak memory a run touches
// has a floor of time that no faster code removes. scripts/bench multiplies it by the peak RSS of its
// largest run. Best of the repeats, each on a fresh mapping. Measured three ways: faulted in page by
// page as the memset writes, and mapped first by madvise(MADV_POPULATE_WRITE) on each thread's
// slice, then written, as the engine does for the large ranges it appends
// (engine/parallel/prefault.hpp); and the same with the slice's whole 2 MiB blocks advised
// as transparent huge pages first (MADV_HUGEPAGE), as the engine also does. Where the kernel
// gives no huge pages, the third figure equals the second. The repeats reuse memory that the
// VM's host already backs; a fresh process pays the host's faults too (docs/PERFORMANCE.md).
#include <sys/mman.h>

#include "engine/parallel/prefault.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace {
/// Seconds to write `bytes` of fresh memory on `threads` threads, best of `repeats`, each
/// slice mapped `how`; negative if the pages were not written.
enum class Mapping { PageByPage, Prefaulted, HugePrefaulted };

double touch_seconds(unsigned threads, std::size_t bytes, int repeats, Mapping how) {
  double best_seconds = 1e300;
  for (int r = 0; r < repeats; ++r) {
    void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
      std::perror("first_touch: mmap");
      std::exit(1);
    }
    auto* p = static_cast<unsigned char*>(mapped);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      const std::size_t begin = bytes * t / threads, end = bytes * (t + 1) / threads;
      pool.emplace_back([=] {
        // With huge pages: the slice's whole 2 MiB blocks first, as the engine asks.
        if (how == Mapping::HugePrefaulted) clustersim::parallel::advise_huge_pages(p + begin, end - begin);
        // madvise wants a page-aligned start: round down (a page shared with the slice before
        // is prefaulted twice, which changes nothing).
        if (how != Mapping::PageByPage)
          (void)madvise(p + begin / 4096 * 4096, end - begin / 4096 * 4096, MADV_POPULATE_WRITE);
        std::memset(p + begin, 1, end - begin);
      });
    }
    for (auto& th : pool) th.join();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best_seconds = std::min(best_seconds, took.count());
    if (p[bytes / 2] != 1) return -1;  // the pages really were written
    munmap(mapped, bytes);
  }
  return best_seconds;
}
}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : std::thread::hardware_concurrency();
  const std::size_t mib = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024;
  if (threads == 0 || mib == 0) {
    std::fprintf(stderr, "usage: first_touch [THREADS] [MIB]\n");
    return 2;
  }
  const std::size_t bytes = mib << 20;
  const int repeats = 3;
  const double gib = static_cast<double>(bytes) / (1u << 30);
  const double faulted = touch_seconds(threads, bytes, repeats, Mapping::PageByPage);
  const double prefaulted = touch_seconds(threads, bytes, repeats, Mapping::Prefaulted);
  const double huge = touch_seconds(threads, bytes, repeats, Mapping::HugePrefaulted);
  if (faulted < 0 || prefaulted < 0 || huge < 0) return 1;
  std::printf("first touch %u threads: %.2f s per GiB (%.2f us per 4 KiB page; %zu MiB, best of %d); "
              "prefaulted: %.2f s per GiB; prefaulted as huge pages: %.2f s per GiB\n",
              threads, faulted / gib, faulted / gib / 262144.0 * 1e6, mib, repeats, prefaulted / gib, huge / gib);
  return 0;
}
