#pragma once
// Sampled designs over the unit hypercube [0,1)^d, scaled to parameter ranges by the caller.
// All are deterministic: the same (n, d, seed) gives the same points on any machine.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clustersim::experiment {

using Points = std::vector<std::vector<double>>;  ///< points[i][k], k < d

/// Latin hypercube: each dimension is cut into n equal strata, each stratum holds exactly
/// one point (at a uniform position inside it); the strata are matched by independent
/// random permutations drawn from Philox streams keyed by `seed`.
Points latin_hypercube(std::size_t n, std::size_t d, std::uint64_t seed);

/// The first n points of the Sobol sequence in d dimensions (boost::random::sobol, Joe–Kuo
/// direction numbers), starting at the origin.
Points sobol(std::size_t n, std::size_t d);

/// Saltelli's (2010) scheme for first- and total-order Sobol indices, as SALib's
/// `saltelli.sample(..., calc_second_order=False, skip_values=0)` lays it out: base points
/// j = 0..n-1 of a 2d-dimensional Sobol sequence give A_j (first d columns) and B_j (last
/// d); for each j the rows are A_j, AB_j^1, ..., AB_j^d, B_j, where AB_j^i is A_j with column
/// i taken from B_j. n*(d+2) points in all.
Points saltelli(std::size_t n, std::size_t d);

}  // namespace clustersim::experiment
