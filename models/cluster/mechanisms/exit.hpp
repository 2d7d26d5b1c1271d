#pragma once
// Exit (docs/MODEL.md, "Entry and exit"): a base hazard, multiplied after sustained
// decline, and certain exit below a minimum size. The row stays (flagged dead) until the
// model compacts the table, so the step's accounting can count it.

#include <algorithm>
#include <cmath>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void exit(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx, std::vector<TieRequest>& out) {
  const auto& p = ctx.params.exit;
  const bool declining = s.shrinking_quarters[i] >= p.loss_quarters;
  double hazard = p.base_rate_per_quarter * (declining ? p.loss_hazard_multiplier : 1.0);
  const double employees = static_cast<double>(s.employees[i]);
  const double draw = u[purpose::slot::kExit];
  const auto& sp = ctx.params.size_exit;
  // Size-dependent exit (docs/MODEL.md 3.3): hazard x (E / E_ref)^-elasticity. The power
  // is taken only when the draw could fall below the hazard: above E_ref the factor is <= 1.
  if (sp.enabled && draw < hazard * ctx.messages.size_exit_max_factor)
    hazard *= std::pow(std::max(employees, p.min_employees) / sp.reference_employees, -sp.elasticity);
  if (employees < p.min_employees || draw < hazard) {
    s.flags[i] = static_cast<std::uint8_t>((s.flags[i] & ~flag::kAlive) | flag::kExitedNow);
    if (s.partner_count(i) > 0)
      out.push_back({static_cast<std::uint32_t>(s.table.id(i)), kNoPartner, static_cast<std::uint32_t>(i),
                     TieRequest::kUnknownRow, TieRequest::kUnlinkAll});
  }
}

}  // namespace clustersim::model::mechanism
