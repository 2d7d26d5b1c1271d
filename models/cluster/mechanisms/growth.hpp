#pragma once
// Gibrat-type growth (Gibrat 1931; docs/MODEL.md, "Growth"): employment and productivity
// follow multiplicative shocks, log x' = log x + mu + sigma * z, with the employment drift
// raised by productivity above the region's mean and while the SME innovates, exports or
// has gone digital (an innovation's boost spread over a distributed lag), and productivity
// catching up with the frontier region (docs/MODEL.md 3.11, 3.6). Turnover is derived
// (employees * productivity / 4 per quarter), so it needs no column of its own.

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "engine/numeric/fast_math.hpp"
#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

/// Growth shocks of a chunk of rows: one Box–Muller pair per row from its kGrowth1 and
/// kGrowth2 draws (raw 32-bit words, stride apart), z1[k] for employment and z2[k] for
/// productivity. A separate loop over the chunk so that GCC vectorises it (numeric/fast_math).
inline void growth_shocks(const std::uint32_t* raw, std::size_t stride, std::size_t rows, float* z1, float* z2) {
  const std::uint32_t* radius_draw = raw + static_cast<std::size_t>(purpose::slot::kGrowth1) * stride;
  const std::uint32_t* angle_draw = raw + static_cast<std::size_t>(purpose::slot::kGrowth2) * stride;
  for (std::size_t k = 0; k < rows; ++k) {
    // u1 in (0, 1] from 31 bits (so the signed conversion vectorises), u2 in [0, 1) in turns.
    const float u1 = static_cast<float>(static_cast<std::int32_t>(radius_draw[k] >> 1)) * 0x1p-31f + 0x1p-32f;
    const float u2 = static_cast<float>(static_cast<std::int32_t>(angle_draw[k] >> 8)) * 0x1p-24f;
    const float r = std::sqrt(-2.0f * numeric::log(u1));
    float sine, cosine;
    numeric::sincos_turns(u2, sine, cosine);
    z1[k] = r * cosine;
    z2[k] = r * sine;
  }
}

/// Log growth of the SME this quarter: rate.employment = mu + sigma z1 and rate.productivity
/// = mu_p + skills term + sigma_p z2. Applied by apply_growth() once the exponentials of a
/// whole chunk of rows have been taken in one vectorised loop (model.cpp, sme_phase).
struct GrowthRates {
  float employment, productivity;
};

/// mu plus the growth the SME's capabilities add this quarter: an innovation over its
/// distributed lag (messages.cpp, innovation_lag_messages), exporting and digital adoption.
/// Markets (market.hpp) compare this boost with the SME's competitors'.
inline double add_capability_boost(double mu, const Smes& s, std::size_t i, const StepContext& ctx) {
  const auto& p = ctx.params.growth;
  const std::uint8_t f = s.flags[i];
  mu += p.innovation_boost_per_quarter * ctx.messages.innovation_lag_weights[s.quarters_since_innovation[i]];
  if (f & flag::kExporting) mu += p.export_boost_per_quarter;
  if (f & flag::kDigital) mu += p.digital_boost_per_quarter;
  return mu;
}

inline GrowthRates growth_rates(const Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const auto& p = ctx.params.growth;
  // More productive firms than their region's average grow faster (selection).
  const double mean_productivity = ctx.messages.region_mean_productivity[s.region[i]];
  const double relative_productivity =
      mean_productivity > 0 ? static_cast<double>(s.productivity_eur_per_year[i]) / mean_productivity - 1.0 : 0.0;
  double mu = p.drift_per_quarter + p.productivity_effect_per_quarter * relative_productivity +
              ctx.messages.region_growth_bonus[s.region[i]];
  mu = add_capability_boost(mu, s, i, ctx);
  // Catch-up to the frontier region, scaled by the SME's absorptive capacity 0.5 + skills as
  // in innovation.hpp (0 in regions at the frontier or with catch_up switched off).
  const float absorptive = 0.5f + s.skills[i];
  const float skills_drift = static_cast<float>(ctx.params.skills.productivity_effect_per_quarter) * s.skills[i] +
                             static_cast<float>(ctx.messages.region_catch_up[s.region[i]]) * absorptive;
  return {static_cast<float>(mu) + static_cast<float>(p.shock_sigma_per_quarter) * u.shock(0),
          static_cast<float>(p.productivity_drift_per_quarter) + skills_drift +
              static_cast<float>(p.productivity_sigma_per_quarter) * u.shock(1)};
}

/// Multiplies employment and productivity by their growth factors (e^rate) and counts the
/// quarters of decline that exit.hpp reads.
inline void apply_growth(Smes& s, std::size_t i, const GrowthRates& rate, float employment_factor,
                         float productivity_factor) {
  s.employees[i] *= employment_factor;
  s.productivity_eur_per_year[i] *= productivity_factor;
  std::uint8_t& shrinking = s.shrinking_quarters[i];
  if (rate.employment < 0.0f) {
    if (shrinking < 0xFF) ++shrinking;
  } else {
    shrinking = 0;
  }
}

}  // namespace clustersim::model::mechanism
