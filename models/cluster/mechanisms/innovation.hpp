#pragma once
// Knowledge and innovation (docs/MODEL.md, "Innovation"): the knowledge stock depreciates
// and grows with own effort, more for cluster members; an innovation arrives with hazard
// 1 - exp(-theta * knowledge). The SME counts as innovating for `recent_quarters`.

#include <cmath>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void innovation(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.innovation;
  const bool member = s.cluster[i] != kNoCluster;
  const double inflow = p.effort_per_quarter * (1.0 + (member ? p.member_knowledge_bonus : 0.0)) +
                        ctx.messages.region_knowledge_inflow[s.region[i]];
  const double k = static_cast<double>(s.knowledge[i]) * (1.0 - p.depreciation_per_quarter) + inflow;
  s.knowledge[i] = static_cast<float>(k);
  const float hazard = 1.0f - std::exp(-static_cast<float>(p.hazard_per_knowledge * k));
  std::uint8_t& since = s.quarters_since_innovation[i];
  if (u[purpose::slot::kInnovation] < hazard)
    since = 0;
  else if (since != kNeverInnovated)
    ++since;
}

}  // namespace clustersim::model::mechanism
