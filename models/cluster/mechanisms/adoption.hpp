#pragma once
// Digital and green adoption as Bass diffusions (Bass 1969; docs/MODEL.md, "Adoption").
// An SME's adoption hazard is p_i + q F(s), where F is the adopter share among its peers
// (region, sector, cluster or everyone) and p_i = p x (member multiplier, ...). Rather than
// applying that hazard once per quarter with last quarter's share (first order in the step
// length), the probability integrates it over the quarter along the Bass trajectory that
// starts at the peers' current share:
//   P_i = 1 - exp(-(p_i - p)) S(t0 + 1) / S(t0),   S = 1 - F,
// so that with peers = everyone and p_i = p the expected adopter share follows the closed
// form F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) exactly, step after step.

#include <algorithm>
#include <cmath>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

/// The Bass closed form F(t) from F(0) = 0.
inline double bass_share(double p, double q, double t) {
  if (p <= 0) return 0.0;
  const double x = std::exp(-(p + q) * t);
  return (1.0 - x) / (1.0 + (q / p) * x);
}

/// S(t0 + 1) / S(t0) along the Bass trajectory through F(t0) = share: the probability that
/// a peer with the group's own p does not adopt during the next quarter.
inline double bass_survival_ratio(double p, double q, double share) {
  if (share >= 1.0) return 1.0;
  double next;
  if (p <= 0) {
    if (q <= 0 || share <= 0) return 1.0;
    const double g = std::exp(q);  // logistic: F' = q F (1 - F)
    next = share * g / (1.0 - share + share * g);
  } else {
    const double b = q / p;
    const double x = (1.0 - share) / (1.0 + b * share) * std::exp(-(p + q));  // e^{-(p+q)(t0+1)}
    next = (1.0 - x) / (1.0 + b * x);
  }
  return std::clamp((1.0 - next) / (1.0 - share), 0.0, 1.0);
}

/// p_multiplier_factor = e^{-(p_i - p)} = e^{-p (m - 1)} for the SME's multiplier m of p:
/// 1 for non-members, per cluster for members (adoption_member_factor, computed once a step).
inline void bass_adoption(std::uint8_t& flags, std::uint8_t bit, double draw, double p_multiplier_factor,
                          double survival_ratio) {
  if (flags & bit) return;
  const double probability = 1.0 - p_multiplier_factor * survival_ratio;
  if (draw < probability) flags |= bit;
}

/// e^{-p (m - 1)} for a member of a cluster whose market intelligence has `intelligence`
/// effect: members get a higher p from the cluster's network, more with its intelligence.
inline double adoption_member_factor(const BassParams& b, const AdoptionParams& p, float intelligence) {
  const double p_multiplier = p.member_p_multiplier + p.intelligence_effect * intelligence;
  return std::exp(-(b.p_per_quarter * (p_multiplier - 1.0)));
}

inline void adoption(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.adoption;
  const std::size_t group = peer_group(p.peers, s.region[i], s.sector[i], s.cluster[i], ctx.world.clusters.size());
  const std::int32_t c = s.cluster[i];
  const double digital_factor = c != kNoCluster ? ctx.messages.member_digital_factor[static_cast<std::size_t>(c)] : 1.0;
  const double green_factor = c != kNoCluster ? ctx.messages.member_green_factor[static_cast<std::size_t>(c)] : 1.0;
  bass_adoption(s.flags[i], flag::kDigital, u[purpose::slot::kDigital], digital_factor,
                ctx.messages.digital_survival[group]);
  bass_adoption(s.flags[i], flag::kGreen, u[purpose::slot::kGreen], green_factor, ctx.messages.green_survival[group]);
}

}  // namespace clustersim::model::mechanism
