// STREAM-style triad (a[i] = b[i] + s * c[i]) over arrays far larger than the caches: the
// memory bandwidth this machine gives a streaming loop on T threads. scripts/bench divides
// the bytes an SME-step must move by it, to say how far the engine is from the memory floor.
// Counted like STREAM: 24 bytes per element (two reads, one write; the write-allocate read
// the hardware may add is not counted), best of the repeats.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

void triad(double* a, const double* b, const double* c, std::size_t begin, std::size_t end, double scalar) {
  for (std::size_t i = begin; i < end; ++i) a[i] = b[i] + scalar * c[i];
}

/// Each thread first-touches and later streams the same slice, so pages sit near the core
/// that uses them (as the engine's blocks do).
template <class Body>
void on_threads(unsigned threads, std::size_t n, Body body) {
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
    pool.emplace_back([=] { body(begin, end); });
  }
  for (auto& th : pool) th.join();
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : std::thread::hardware_concurrency();
  // 3 arrays x 64 Mi doubles = 1.5 GiB: two orders of magnitude above any last-level cache.
  const std::size_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : (std::size_t{1} << 26);
  const int repeats = 10;
  if (threads == 0 || n == 0) {
    std::fprintf(stderr, "usage: triad [THREADS] [ELEMENTS]\n");
    return 2;
  }
  std::unique_ptr<double[]> a(new double[n]), b(new double[n]), c(new double[n]);
  on_threads(threads, n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) a[i] = 0.0, b[i] = 1.0, c[i] = 2.0;
  });
  double best_seconds = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    on_threads(threads, n, [&](std::size_t lo, std::size_t hi) { triad(a.get(), b.get(), c.get(), lo, hi, 3.0); });
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best_seconds = std::min(best_seconds, took.count());
  }
  if (a[n / 2] != 7.0) return 1;  // the loop really ran
  const double bytes = 24.0 * static_cast<double>(n);
  std::printf("triad %u threads: %.2f GB/s (%zu elements, best of %d)\n", threads, bytes / best_seconds / 1e9, n, repeats);
  return 0;
}
