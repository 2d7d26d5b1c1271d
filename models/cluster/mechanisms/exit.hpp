#pragma once
// Exit (docs/MODEL.md, "Entry and exit"): a base hazard, multiplied after sustained
// decline, and certain exit below a minimum size. The row stays (flagged dead) until the
// model compacts the table, so the step's accounting can count it.

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void exit(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx, std::vector<TieRequest>& out) {
  const auto& p = ctx.params.exit;
  const bool declining = s.shrinking_quarters[i] >= p.loss_quarters;
  const double hazard = p.base_rate_per_quarter * (declining ? p.loss_hazard_multiplier : 1.0);
  if (static_cast<double>(s.employees[i]) < p.min_employees || u[purpose::slot::kExit] < hazard) {
    s.flags[i] = static_cast<std::uint8_t>((s.flags[i] & ~flag::kAlive) | flag::kExitedNow);
    if (s.partner_count(i) > 0)
      out.push_back({static_cast<std::uint32_t>(s.table.id(i)), kNoPartner, static_cast<std::uint32_t>(i),
                     TieRequest::kUnknownRow, TieRequest::kUnlinkAll});
  }
}

}  // namespace clustersim::model::mechanism
