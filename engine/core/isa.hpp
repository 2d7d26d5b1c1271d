#pragma once
// Hot loops compiled for the instruction sets the CPU has, chosen at run time, so that one
// binary runs on any x86-64 machine and uses AVX2 or AVX-512 where there is one.
//
// isa::dispatch(f) calls f through a copy compiled for level(): each copy is "flattened"
// (GCC inlines every call under it that it can), so the whole of f's body, and the inline
// functions it calls, are compiled for that instruction set; calls that cannot be inlined
// go to the ordinary baseline functions. Every copy computes the same bits: floating point
// is IEEE in all of them, and the build never contracts a*b+c into an FMA
// (-ffp-contract=off, CMakeLists.txt). Tests run the model under each level and compare.

#include <cstdint>

namespace clustersim::isa {

/// The instruction sets a dispatched loop has copies for, in increasing order.
enum class Level : std::uint8_t { Baseline, Avx2, Avx512 };

/// Whether this CPU can run the copy for `level`.
bool supported(Level level);

/// The level dispatch() uses: the best the CPU supports, capped by the environment variable
/// CLUSTERSIM_ISA ("baseline", "avx2" or "avx512"; for A/B measurements) and by any
/// LevelCap alive.
Level level();

/// Name of a level, as CLUSTERSIM_ISA spells it.
const char* name(Level level);

/// Caps level() while alive (tests compare the copies). Not for use while threads dispatch.
class LevelCap {
 public:
  explicit LevelCap(Level most);
  ~LevelCap();
  LevelCap(const LevelCap&) = delete;
  LevelCap& operator=(const LevelCap&) = delete;

 private:
  Level previous_;
};

namespace detail {
template <class F>
[[gnu::flatten]] void run_baseline(F& f) {
  f();
}
template <class F>
[[gnu::flatten, gnu::target("avx2,popcnt")]] void run_avx2(F& f) {
  f();
}
template <class F>
[[gnu::flatten, gnu::target("avx2,popcnt,avx512f,avx512bw,avx512dq,avx512vl,avx512cd")]] void run_avx512(F& f) {
  f();
}
}  // namespace detail

/// Calls f() through its copy for level(). f should be a lambda holding a whole hot loop:
/// the level is looked up once per call.
template <class F>
void dispatch(F&& f) {
  switch (level()) {
    case Level::Avx512: detail::run_avx512(f); return;
    case Level::Avx2: detail::run_avx2(f); return;
    case Level::Baseline: detail::run_baseline(f); return;
  }
}

}  // namespace clustersim::isa
