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
#include "models/cluster/sectors.hpp"
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

namespace detail {
/// The score from the row's attributes (partners: the partner count; young: w.log_young for
/// an SME born during the run, else 0). selection_score() and selection_scores() share it, so
/// one row and a vectorised chunk of rows give the same bits.
inline float score_of(float productivity_eur, float employees, float skills, float partners, float young,
                      const SelectionWeights& w) {
  constexpr float kReferenceProductivityEur = 150000.0f;
  const float productivity = std::max(productivity_eur / kReferenceProductivityEur, 1e-30f);
  employees = std::max(employees, 1e-30f);
  const float x = w.productivity * numeric::log(productivity) + w.size * numeric::log(employees) +
                  w.skills * skills + w.partners * partners;
  return numeric::exp(x + young);
}
}  // namespace detail

/// The SME's selection score a (mean near 1 for a typical SME of a more developed region).
inline float selection_score(const Smes& s, std::size_t i, const SelectionWeights& w) {
  return detail::score_of(s.productivity_eur_per_year[i], s.employees[i], s.skills[i],
                          static_cast<float>(s.partner_count(i)), s.table.id(i) >= w.first_entrant_id ? w.log_young : 0.0f,
                          w);
}

/// selection_score() of rows [first, first + n) into score[0, n), in a loop the compiler
/// vectorises (the score's two logarithms and exponential are most of a row's cost).
inline void selection_scores(const Smes& s, std::size_t first, std::size_t n, const SelectionWeights& w, float* score) {
  const float* productivity = s.productivity_eur_per_year.data() + first;
  const float* employees = s.employees.data() + first;
  const float* skills = s.skills.data() + first;
  const std::uint64_t* id = s.table.ids().data() + first;
  const PartnerSlots* partners = s.partners.data() + first;
  constexpr std::size_t kChunk = 64;
  float count[kChunk], young[kChunk];
  for (std::size_t k0 = 0; k0 < n; k0 += kChunk) {
    const std::size_t m = std::min(kChunk, n - k0);
    for (std::size_t k = 0; k < m; ++k) {
      std::uint32_t c = 0;
      for (std::uint32_t slot : partners[k0 + k]) c += slot != kNoPartner ? 1u : 0u;
      count[k] = static_cast<float>(c);
      young[k] = id[k0 + k] >= w.first_entrant_id ? w.log_young : 0.0f;
    }
    for (std::size_t k = 0; k < m; ++k)
      score[k0 + k] = detail::score_of(productivity[k0 + k], employees[k0 + k], skills[k0 + k], count[k], young[k], w);
  }
}

/// Whether the SME's (region, sector) cell has a cluster (world.cluster_start).
inline bool in_cluster_cell(const SelectionWeights& w, std::size_t cell) {
  return w.cluster_start != nullptr && w.cluster_start[cell + 1] > w.cluster_start[cell];
}

/// Whether the row's score is counted (aggregation.hpp) and read by membership: members, and
/// non-members of a cell that has a cluster (the others have no cluster to join).
inline bool scored(const Smes& s, std::size_t i, const SelectionWeights& w) {
  return w.enabled && (s.cluster[i] != kNoCluster || in_cluster_cell(w, s.region[i] * kSectorCount + s.sector[i]));
}

/// Stores the row's score in s.score (0 where it is not scored). Called wherever a row is
/// counted, after the changes to its productivity, size, skills or partners.
inline void update_score(Smes& s, std::size_t i, const SelectionWeights& w) {
  s.score[i] = scored(s, i, w) ? selection_score(s, i, w) : 0.0f;
}

}  // namespace clustersim::model
