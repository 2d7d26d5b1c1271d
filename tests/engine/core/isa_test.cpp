#include "engine/core/isa.hpp"

#include <catch2/catch.hpp>

#include <vector>

#include "engine/random/batch.hpp"

using namespace clustersim;

namespace {
/// A loop the compiler vectorises differently for each instruction set: float math whose
/// IEEE result must not depend on it (no FMA contraction of x * a + b).
std::vector<float> affine(const std::vector<float>& x, float a, float b) {
  std::vector<float> y(x.size());
  isa::dispatch([&] {
    for (std::size_t k = 0; k < x.size(); ++k) y[k] = x[k] * a + b;
  });
  return y;
}
}  // namespace

TEST_CASE("isa: a cap lowers the dispatched level while it lives, and every level computes the same bits", "[unit]") {
  CHECK(isa::supported(isa::Level::Baseline));
  const isa::Level best = isa::level();
  CHECK(isa::supported(best));
  std::vector<float> x(1001);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = 0.1f * static_cast<float>(k) - 7.3f;
  const auto at_best = affine(x, 1.0000001f, 0.3f);
  {
    isa::LevelCap cap(isa::Level::Baseline);
    CHECK(isa::level() == isa::Level::Baseline);
    // Philox draws follow the cap too (engine/random/batch.cpp).
    CHECK(random::detail::fastest_path() == random::detail::Path::Scalar);
    const auto at_baseline = affine(x, 1.0000001f, 0.3f);
    CHECK(at_baseline == at_best);
    for (std::size_t k = 0; k < x.size(); ++k) REQUIRE(at_baseline[k] == x[k] * 1.0000001f + 0.3f);
  }
  CHECK(isa::level() == best);
  CHECK(std::string(isa::name(isa::Level::Avx512)) == "avx512");
  if (best == isa::Level::Baseline) WARN("this CPU has neither AVX2 nor AVX-512: only the baseline copy was run");
}
