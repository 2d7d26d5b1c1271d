#pragma once
// Cluster membership (docs/MODEL.md, "Membership"): members leave at a constant hazard, or
// at once when their cluster has folded; eligible non-members (same region, a sector the
// cluster serves) join at the cluster's join probability, which the model sets so that
// membership settles at the cluster's target size.

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void membership(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  std::int32_t& c = s.cluster[i];
  if (c != kNoCluster) {
    if (!ctx.messages.cluster_active[static_cast<std::size_t>(c)] ||
        u[purpose::slot::kMembership] < ctx.params.membership.leave_rate_per_quarter)
      c = kNoCluster;
    return;
  }
  const std::size_t cell = ctx.world.cell(s.region[i], s.sector[i]);
  const std::uint32_t first = ctx.world.cluster_start[cell], last = ctx.world.cluster_start[cell + 1];
  if (first == last) return;
  double total = 0;
  for (std::uint32_t k = first; k < last; ++k) total += ctx.messages.join_probability[ctx.world.cluster_index[k]];
  if (!(u[purpose::slot::kMembership] < total)) return;
  // Which cluster: proportional to the join probabilities, using a separate uniform.
  double target = u[purpose::slot::kMembershipPick] * total, acc = 0;
  for (std::uint32_t k = first; k < last; ++k) {
    acc += ctx.messages.join_probability[ctx.world.cluster_index[k]];
    if (target < acc || k + 1 == last) {
      c = static_cast<std::int32_t>(ctx.world.cluster_index[k]);
      return;
    }
  }
}

}  // namespace clustersim::model::mechanism
