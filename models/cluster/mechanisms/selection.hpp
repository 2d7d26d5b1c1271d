#pragma once
// Selection (docs/MODEL.md 3.16): which SMEs join a cluster and which an instrument supports
// depends on their attributes — productivity, size, age (born during the run or not), skills
// (absorptive capacity) and partnerships (network) — through a score
//   a = (p / p0)^b_p x E^b_E x e^(b_s skills + b_n partners) x (f_young if born during the run).
// A probability the model sets for a group (a cell's join probability, an instrument's offer)
// is multiplied by a / mean a of the group last quarter, so the group's expected count is
// unchanged and only who is chosen changes. The means come from exact integer sums
// (aggregation.hpp), so results do not depend on the thread count.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "engine/numeric/fast_math.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/smes.hpp"

namespace clustersim::model {

/// The selection parameters as the per-SME loops use them.
struct SelectionWeights {
  float productivity = 0, size = 0, skills = 0, partners = 0, log_young = 0;
  std::uint64_t first_entrant_id = UINT64_MAX;  ///< SMEs with this id or above were born during the run
  const std::uint32_t* cluster_start = nullptr;  ///< world.cluster_start: cells with a cluster have members to score
  bool enabled = false;
};

/// Scores are summed in units of 1/kScoreUnits (int64, exact).
inline constexpr double kScoreUnits = 1e4;

inline SelectionWeights selection_weights(const Params& p, const std::uint32_t* cluster_start) {
  const auto& s = p.selection;
  SelectionWeights w;
  w.enabled = s.enabled;
  w.productivity = static_cast<float>(s.productivity_elasticity);
  w.size = static_cast<float>(s.size_elasticity);
  w.skills = static_cast<float>(s.skills_effect);
  w.partners = static_cast<float>(s.partner_effect);
  w.log_young = static_cast<float>(std::log(std::max(s.entrant_factor, 1e-6)));
  w.first_entrant_id = static_cast<std::uint64_t>(p.population.smes);
  w.cluster_start = cluster_start;
  return w;
}

/// The SME's selection score a (mean near 1 for a typical SME of a more developed region).
inline float selection_score(const Smes& s, std::size_t i, const SelectionWeights& w) {
  constexpr float kReferenceProductivityEur = 150000.0f;
  const float productivity = std::max(s.productivity_eur_per_year[i] / kReferenceProductivityEur, 1e-30f);
  const float employees = std::max(s.employees[i], 1e-30f);
  float x = w.productivity * numeric::log(productivity) + w.size * numeric::log(employees) + w.skills * s.skills[i] +
            w.partners * static_cast<float>(s.partner_count(i));
  if (s.table.id(i) >= w.first_entrant_id) x += w.log_young;
  return numeric::exp(x);
}

/// Whether the SME's (region, sector) cell has a cluster (world.cluster_start).
inline bool in_cluster_cell(const SelectionWeights& w, std::size_t cell) {
  return w.cluster_start != nullptr && w.cluster_start[cell + 1] > w.cluster_start[cell];
}

}  // namespace clustersim::model
