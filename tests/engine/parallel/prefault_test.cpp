#include "engine/parallel/prefault.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

using namespace clustersim::parallel;

namespace {
/// Pages of [p, p + bytes) that are resident (mincore), p page-aligned.
std::size_t resident_pages(void* p, std::size_t bytes) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((bytes + page - 1) / page);
  REQUIRE(mincore(p, bytes, in_core.data()) == 0);
  std::size_t n = 0;
  for (unsigned char c : in_core) n += c & 1;
  return n;
}

struct Mapping {
  explicit Mapping(std::size_t n) : bytes(n) {
    p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    // 4 KiB pages whatever the machine's transparent huge page mode, so that the counts of
    // resident pages below mean what they say.
    (void)madvise(p, n, MADV_NOHUGEPAGE);
  }
  ~Mapping() { munmap(p, bytes); }
  std::size_t bytes;
  void* p;
};
}  // namespace

TEST_CASE("prefault_for_write maps a fresh range without changing what it holds", "[unit]") {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t bytes = 40 * (std::size_t{1} << 20);  // three pieces of 16 MiB, the last partial
  Mapping m(bytes);
  auto* bytes_at = static_cast<unsigned char*>(m.p);
  // Data already written at the start stays as it is.
  std::memset(bytes_at, 0xAB, 3 * page + 100);
  REQUIRE(resident_pages(m.p, bytes) == 4);
  // From an unaligned start inside a written page, to the end of the mapping.
  const std::size_t start = 3 * page + 100;
  prefault_for_write(bytes_at + start, bytes - start);
  if (madvise(m.p, page, MADV_POPULATE_WRITE) == 0)
    CHECK(resident_pages(m.p, bytes) == bytes / page);
  else  // an old kernel: prefaulting is a no-op, which must not change anything either
    WARN("this kernel has no MADV_POPULATE_WRITE (Linux 5.14): residency not checked");
  for (std::size_t i = 0; i < start; ++i) REQUIRE(bytes_at[i] == 0xAB);
  for (std::size_t i = start; i < bytes; i += 4099) REQUIRE(bytes_at[i] == 0);
}

TEST_CASE("prefault_for_write leaves small ranges to page faults", "[unit]") {
  const std::size_t bytes = kMinPrefaultBytes / 2;
  Mapping m(bytes);
  prefault_for_write(m.p, bytes);
  CHECK(resident_pages(m.p, bytes) == 0);
}
