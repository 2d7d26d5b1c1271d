#include "engine/parallel/prefault.hpp"

#include "engine/agents/table.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
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

namespace {
/// The VmFlags of the mapping that holds address `a` (/proc/self/smaps), or "" if none.
std::string vm_flags_at(const void* a) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(a);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> from >> dash >> to && dash == '-' && line.find(':') > line.find(' ')) {
      inside = from <= at && at < to;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}
}  // namespace

TEST_CASE("prefault_for_write asks for transparent huge pages on the whole 2 MiB blocks", "[unit]") {
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {
    WARN("this kernel has no transparent huge pages: not checked");
    return;
  }
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  Mapping m(6 * kHuge);
  auto* base = static_cast<unsigned char*>(m.p);
  // An unaligned start: the first whole 2 MiB block begins at the next boundary.
  auto* aligned = reinterpret_cast<unsigned char*>((reinterpret_cast<std::uintptr_t>(base) + kHuge) / kHuge * kHuge);
  prefault_for_write(aligned - 4096, 2 * kHuge + 4096);
  // The mapping was made with MADV_NOHUGEPAGE ("nh"); the whole blocks now carry the
  // advice "hg" (the kernel splits the mapping where the advice changes).
  const std::string flags = vm_flags_at(aligned);
  INFO(flags);
  CHECK(flags.find(" hg") != std::string::npos);
  CHECK(vm_flags_at(aligned - 4096).find(" hg") == std::string::npos);
  // Contents unchanged: fresh memory reads as zero.
  for (std::size_t i = 0; i < 2 * kHuge; i += 4096) REQUIRE(aligned[i] == 0);
}

TEST_CASE("a column's reserved capacity asks for huge pages: appended rows fault in 2 MiB at a time", "[unit]") {
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {
    WARN("this kernel has no transparent huge pages: not checked");
    return;
  }
  clustersim::agents::DefaultInitVector<float> column;
  clustersim::agents::reserve_with_huge_pages(column, std::size_t{8} << 20);  // 32 MiB: an mmap of its own
  // Somewhere in the middle of the capacity, not yet written: the advice is already there.
  const std::string flags = vm_flags_at(column.data() + (std::size_t{4} << 20));
  INFO(flags);
  CHECK(flags.find(" hg") != std::string::npos);
  CHECK(column.capacity() >= (std::size_t{8} << 20));
  CHECK(column.empty());
}
