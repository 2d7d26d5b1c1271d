#pragma once
// Skills (docs/MODEL.md, "Skills"): staff skills s in [0, 1] depreciate; with a hazard that
// the cluster's training service raises, the SME invests and closes a share of the gap to 1.
// Skills raise productivity growth (growth.hpp) and absorptive capacity (innovation.hpp).

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void skills(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.skills;
  float& level = s.skills[i];
  level *= static_cast<float>(1.0 - p.depreciation_per_quarter);
  const double hazard = p.investment_rate_per_quarter *
                        (1.0 + p.training_effect * service_effect(ctx.messages, s.cluster[i], kTraining));
  if (u[purpose::slot::kSkills] < hazard) {
    level += static_cast<float>(p.gain) * (1.0f - level);
    s.events[i] |= event::kSkillsInvestment;
  }
}

}  // namespace clustersim::model::mechanism
