#include "engine/core/isa.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string_view>

namespace clustersim::isa {

bool supported(Level level) {
  switch (level) {
    case Level::Baseline: return true;
    case Level::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case Level::Avx512:
      return supported(Level::Avx2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512cd");
  }
  return false;
}

const char* name(Level level) {
  switch (level) {
    case Level::Baseline: return "baseline";
    case Level::Avx2: return "avx2";
    case Level::Avx512: return "avx512";
  }
  return "?";
}

namespace {
/// The best level the CPU supports, at most the one CLUSTERSIM_ISA names (an unknown name
/// is ignored).
Level best() {
  Level most = Level::Avx512;
  if (const char* asked = std::getenv("CLUSTERSIM_ISA"))
    for (Level l : {Level::Baseline, Level::Avx2, Level::Avx512})
      if (std::string_view(asked) == name(l)) most = l;
  for (Level l : {Level::Avx512, Level::Avx2})
    if (l <= most && supported(l)) return l;
  return Level::Baseline;
}

std::atomic<Level> cap{Level::Avx512};
}  // namespace

Level level() {
  static const Level cpu = best();
  return std::min(cpu, cap.load(std::memory_order_relaxed));
}

LevelCap::LevelCap(Level most) : previous_(cap.exchange(most)) {}
LevelCap::~LevelCap() { cap.store(previous_); }

}  // namespace clustersim::isa
