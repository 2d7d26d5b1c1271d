#pragma once
// Business partnerships (docs/MODEL.md, "Partnerships"), minimal form: each partnership
// ends at a constant hazard, and a new one is concluded at a hazard that cluster
// membership (matchmaking) multiplies. The partner network itself comes with the model
// issue; here only counts are kept.

#include <algorithm>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void partnership(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.partnership;
  std::uint8_t& n = s.partners[i];
  if (n > 0 && u[purpose::slot::kPartnerEnd] < std::min(1.0, p.dissolve_rate_per_quarter * n)) --n;
  const double multiplier = s.cluster[i] != kNoCluster ? p.member_multiplier : 1.0;
  if (u[purpose::slot::kPartnerNew] < p.rate_per_quarter * multiplier) {
    if (n < 0xFF) ++n;
    s.flags[i] |= flag::kPartneredNow;
  }
}

}  // namespace clustersim::model::mechanism
