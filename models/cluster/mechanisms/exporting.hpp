#pragma once
// Internationalisation (docs/MODEL.md, "Exporting"): a two-state switch with a sunk entry
// cost (Melitz 2003; Roberts & Tybout 1997). A non-exporter starts with probability
//   rate x m x Y / (Y + K),   Y = annual turnover, K = sunk cost x (1 - service cut) x (1 - partner cut),
// where the cluster's internationalisation service and a partner in another country lower
// K, and m is the member multiplier; exporters stop at a constant hazard.

#include <algorithm>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline bool has_foreign_partner(const Smes& s, std::size_t i) {
  for (auto slot : s.partners[i])
    if (is_foreign(slot)) return true;
  return false;
}

inline void exporting(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.exporting;
  std::uint8_t& f = s.flags[i];
  const double draw = u[purpose::slot::kExport];
  if (f & flag::kExporting) {
    if (draw < p.exit_rate_per_quarter) f = static_cast<std::uint8_t>(f & ~flag::kExporting);
    return;
  }
  const double turnover_per_year =
      static_cast<double>(s.employees[i]) * static_cast<double>(s.productivity_eur_per_year[i]);
  double cost = p.sunk_cost_eur * (1.0 - p.service_cost_reduction *
                                             std::min(1.0, static_cast<double>(service_effect(
                                                               ctx.messages, s.cluster[i], kInternationalisation))));
  if (cost > 0 && has_foreign_partner(s, i)) cost *= 1.0 - p.foreign_partner_cost_reduction;
  const double cost_factor = turnover_per_year / (turnover_per_year + cost);
  double member_factor = 1.0;
  if (s.cluster[i] != kNoCluster) {
    const auto c = static_cast<std::size_t>(s.cluster[i]);
    // A meta-cluster widens its members' market reach.
    member_factor = p.member_entry_multiplier *
                    (1.0 + (ctx.messages.metacluster_of[c] >= 0
                                ? ctx.params.metacluster.export_effect * ctx.messages.engagement[c]
                                : 0.0));
  }
  if (draw < p.entry_rate_per_quarter * cost_factor * member_factor) {
    f |= flag::kExporting;
    s.events[i] |= event::kStartedExporting;
  }
}

}  // namespace clustersim::model::mechanism
