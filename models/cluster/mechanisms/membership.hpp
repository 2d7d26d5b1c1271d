#pragma once
// Cluster membership (docs/MODEL.md, "Membership"): members leave at a constant hazard, or
// at once when their cluster has folded; eligible non-members (same region, a sector the
// cluster serves) join at the cluster's join probability, which the model sets so that
// membership settles at the cluster's target size, times the SME's selection score relative to
// the cell's free non-members (selection.hpp: more productive, larger, skilled and networked
// SMEs join more often).

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
  const double total = ctx.messages.cell_join_total[cell];
  double draw = u[purpose::slot::kMembership];
  // Selection (selection.hpp): the join probability x a / mean a of the cell's free non-members,
  // with the score counted at the end of last quarter (the row has not changed since).
  if (ctx.messages.selection.enabled)
    draw *= static_cast<double>(ctx.messages.selection_cell_mean[cell]) / static_cast<double>(s.score[i]);
  if (!(draw < total)) return;
  // Which cluster: given a join, the draw is uniform on [0, total), so it also picks the
  // cluster in proportion to the join probabilities.
  double acc = 0;
  for (std::uint32_t k = first; k < last; ++k) {
    acc += ctx.messages.join_probability[ctx.world.cluster_index[k]];
    if (draw < acc || k + 1 == last) {
      c = static_cast<std::int32_t>(ctx.world.cluster_index[k]);
      return;
    }
  }
}

}  // namespace clustersim::model::mechanism
