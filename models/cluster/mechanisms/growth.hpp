#pragma once
// Gibrat-type growth (Gibrat 1931; docs/MODEL.md, "Growth"): employment and productivity
// follow multiplicative shocks, log x' = log x + mu + sigma * z, with the employment drift
// raised by productivity above the region's mean and while the SME innovates, exports or
// has gone digital. Turnover is derived
// (employees * productivity / 4 per quarter), so it needs no column of its own.

#include <cmath>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

/// Both values of one Box–Muller transform, from two uniforms on (0, 1). Single precision
/// is ample for a quarterly shock and halves the cost of the hot loop's transcendentals.
inline std::array<float, 2> box_muller(double u1, double u2) {
  const float r = std::sqrt(-2.0f * std::log(static_cast<float>(u1)));
  const float theta = 6.28318530718f * static_cast<float>(u2);
  return {r * std::cos(theta), r * std::sin(theta)};
}

inline void growth(Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.growth;
  const std::uint8_t f = s.flags[i];
  const auto z = box_muller(u[purpose::slot::kGrowth1], u[purpose::slot::kGrowth2]);
  // More productive firms than their region's average grow faster (selection).
  const double mean_productivity = ctx.messages.region_mean_productivity[s.region[i]];
  const double relative_productivity =
      mean_productivity > 0 ? static_cast<double>(s.productivity_eur_per_year[i]) / mean_productivity - 1.0 : 0.0;
  double mu = p.drift_per_quarter + p.productivity_effect_per_quarter * relative_productivity +
              ctx.messages.region_growth_bonus[s.region[i]];
  if (s.quarters_since_innovation[i] < ctx.params.innovation.recent_quarters) mu += p.innovation_boost_per_quarter;
  if (f & flag::kExporting) mu += p.export_boost_per_quarter;
  if (f & flag::kDigital) mu += p.digital_boost_per_quarter;
  const float g = static_cast<float>(mu) + static_cast<float>(p.shock_sigma_per_quarter) * z[0];
  s.employees[i] *= std::exp(g);
  const float skills_drift =
      static_cast<float>(ctx.params.skills.productivity_effect_per_quarter) * s.skills[i];
  s.productivity_eur_per_year[i] *= std::exp(static_cast<float>(p.productivity_drift_per_quarter) + skills_drift +
                                             static_cast<float>(p.productivity_sigma_per_quarter) * z[1]);
  std::uint8_t& shrinking = s.shrinking_quarters[i];
  if (g < 0.0f) {
    if (shrinking < 0xFF) ++shrinking;
  } else {
    shrinking = 0;
  }
}

}  // namespace clustersim::model::mechanism
