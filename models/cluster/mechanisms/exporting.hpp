#pragma once
// Internationalisation (docs/MODEL.md, "Exporting"): a two-state switch. Non-exporters
// start with a hazard that rises with size (up to 10 employees) and is higher for cluster
// members; exporters stop at a constant hazard.

#include <algorithm>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline void exporting(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.exporting;
  std::uint8_t& f = s.flags[i];
  const double draw = u[purpose::slot::kExport];
  if (f & flag::kExporting) {
    if (draw < p.exit_rate_per_quarter) f = static_cast<std::uint8_t>(f & ~flag::kExporting);
    return;
  }
  const double size_factor = std::min(1.0, static_cast<double>(s.employees[i]) / 10.0);
  const double member_factor = s.cluster[i] != kNoCluster ? p.member_entry_multiplier : 1.0;
  if (draw < p.entry_rate_per_quarter * size_factor * member_factor) f |= flag::kExporting;
}

}  // namespace clustersim::model::mechanism
