#pragma once
// Digital and green adoption as Bass diffusions (Bass 1969; docs/MODEL.md, "Adoption"):
// a non-adopter adopts with hazard p + q * F_peers, where F_peers is last quarter's adopter
// share among its peers (region, sector or everyone) and p is raised for cluster members.

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void bass_adoption(std::uint8_t& flags, std::uint8_t bit, double draw, const BassParams& b,
                          double p_multiplier, double peer_share) {
  if (flags & bit) return;
  if (draw < b.p_per_quarter * p_multiplier + b.q_per_quarter * peer_share) flags |= bit;
}

inline void adoption(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.adoption;
  const std::size_t group = peer_group(p.peers, s.region[i], s.sector[i]);
  const double p_multiplier = s.cluster[i] != kNoCluster ? p.member_p_multiplier : 1.0;
  bass_adoption(s.flags[i], flag::kDigital, u[purpose::slot::kDigital], p.digital, p_multiplier,
                ctx.messages.digital_share[group]);
  bass_adoption(s.flags[i], flag::kGreen, u[purpose::slot::kGreen], p.green, p_multiplier,
                ctx.messages.green_share[group]);
}

}  // namespace clustersim::model::mechanism
