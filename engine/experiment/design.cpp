#include "engine/experiment/design.hpp"

#include <boost/random/sobol.hpp>

#include <numeric>
#include <utility>

#include "engine/core/error.hpp"
#include "engine/random/stream.hpp"

namespace clustersim::experiment {

Points latin_hypercube(std::size_t n, std::size_t d, std::uint64_t seed) {
  Points points(n, std::vector<double>(d));
  for (std::size_t k = 0; k < d; ++k) {
    // One stream per dimension: agent slot = dimension, purpose 1 = permutation, 2 = jitter.
    random::Stream perm_stream(seed, k, 0, 1);
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) {  // Fisher–Yates
      const std::size_t j = perm_stream.below(static_cast<std::uint32_t>(i));
      std::swap(perm[i - 1], perm[j]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      random::Stream jitter(seed, k, static_cast<std::uint32_t>(i), 2);
      points[i][k] = (static_cast<double>(perm[i]) + jitter.uniform()) / static_cast<double>(n);
    }
  }
  return points;
}

Points sobol(std::size_t n, std::size_t d) {
  CLUSTERSIM_ASSERT(d >= 1, "sobol: needs at least one dimension");
  // 32-bit resolution is plenty for parameter values and keeps every value exact in double.
  boost::random::sobol_engine<std::uint32_t, 32> engine(d);
  Points points(n, std::vector<double>(d));
  // Boost's first point is the first after the origin; the origin is the conventional start.
  for (std::size_t i = 1; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) points[i][k] = static_cast<double>(engine()) * 0x1p-32;
  return points;
}

Points saltelli(std::size_t n, std::size_t d) {
  const Points base = sobol(n, 2 * d);
  Points points;
  points.reserve(n * (d + 2));
  for (std::size_t j = 0; j < n; ++j) {
    const std::vector<double> a(base[j].begin(), base[j].begin() + static_cast<std::ptrdiff_t>(d));
    const std::vector<double> b(base[j].begin() + static_cast<std::ptrdiff_t>(d), base[j].end());
    points.push_back(a);
    for (std::size_t i = 0; i < d; ++i) {
      std::vector<double> ab = a;
      ab[i] = b[i];
      points.push_back(std::move(ab));
    }
    points.push_back(b);
  }
  return points;
}

}  // namespace clustersim::experiment
