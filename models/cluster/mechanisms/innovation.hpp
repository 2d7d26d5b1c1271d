#pragma once
// Knowledge and innovation (docs/MODEL.md, "Innovation"): the knowledge stock depreciates
// and grows with own effort (more for cluster members), with each partner, with the
// cluster's joint innovation projects, and with regional and spilled-over knowledge scaled
// by absorptive capacity (the region's, times 0.5 + the SME's skills). Product (new-to-firm)
// and process innovations are competing risks with hazards theta * knowledge; an SME counts
// as innovating for `recent_quarters` after either.

#include "engine/numeric/fast_math.hpp"
#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void innovation(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.innovation;
  const bool member = s.cluster[i] != kNoCluster;
  const double absorptive = 0.5 + static_cast<double>(s.skills[i]);
  const double inflow = p.effort_per_quarter * (1.0 + (member ? p.member_knowledge_bonus : 0.0)) +
                        p.partner_knowledge_per_quarter * static_cast<double>(s.partner_count(i)) +
                        p.joint_project_knowledge_per_quarter * service_effect(ctx.messages, s.cluster[i], kJointInnovation) +
                        absorptive * ctx.messages.region_knowledge_inflow[s.region[i]];
  const double k = static_cast<double>(s.knowledge[i]) * (1.0 - p.depreciation_per_quarter) + inflow;
  s.knowledge[i] = static_cast<float>(k);
  // Competing risks: an innovation of either kind arrives with hazard (theta_product +
  // theta_process) K, and its kind is product with probability theta_product / sum. One
  // exponential instead of two, in the hottest loop of the model.
  // Persistence (docs/MODEL.md 3.6): a recent innovator's hazard is multiplied (success
  // breeds success: Peters 2009; Raymond et al. 2010).
  const bool recent = s.quarters_since_innovation[i] < p.recent_quarters;
  const double persistence = recent && ctx.params.innovation_lag.enabled ? ctx.params.innovation_lag.persistence_multiplier : 1.0;
  const double rate = (p.hazard_per_knowledge + p.process_hazard_per_knowledge) * persistence;
  const float x = static_cast<float>(rate * k);
  std::uint8_t innovations = 0;
  const double draw = u[purpose::slot::kInnovation];
  // 1 - e^{-x} <= x, and the single-precision value below exceeds its exact value by less
  // than 3e-7 (numeric::exp's error is below 2e-7, the subtraction's below 6e-8); so a draw
  // above x + 1e-6 is no innovation, the usual case, decided without the exponential and
  // exactly as the full computation would decide it.
  if (draw < static_cast<double>(x) + 1e-6) {
    const float any = 1.0f - numeric::exp(-x);
    // Given an innovation, draw / any is uniform on [0, 1): it also picks the kind.
    if (draw < any)
      innovations = draw / any * rate < p.hazard_per_knowledge * persistence ? event::kProductInnovation : event::kProcessInnovation;
  }
  s.events[i] |= innovations;
  std::uint8_t& since = s.quarters_since_innovation[i];
  if (innovations)
    since = 0;
  else if (since != kNeverInnovated)
    ++since;
}

}  // namespace clustersim::model::mechanism
