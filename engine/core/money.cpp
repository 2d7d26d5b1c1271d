#include "engine/core/money.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "engine/core/error.hpp"

namespace clustersim {

std::int64_t to_cents_checked(double eur, std::string_view what) {
  const double cents = std::round(eur * 100.0);
  // Also false for NaN; +-2^53 is exact, so the comparison is too.
  if (!(std::fabs(cents) <= static_cast<double>(kMaxExactCents))) {
    throw ScenarioError("", std::string(what),
                        fmt::format("money amount {} EUR cannot be held to the cent (the limit is +-{} cents, 2^53); "
                                    "money keys are capped at {:.0f} EUR",
                                    eur, kMaxExactCents, kMaxAmountEur));
  }
  return static_cast<std::int64_t>(cents);
}

Money share_of(Money cents, double share) {
  CLUSTERSIM_ASSERT(cents >= 0 && share >= 0.0 && share <= 1.0, "share_of: a share in [0, 1] of a non-negative amount");
  if (share >= 1.0) return cents;
  // Below 2^53 cents the product is within one ulp of the exact one; the clamp keeps the
  // rounding from ever giving more than the whole.
  return std::min(cents, static_cast<Money>(std::floor(static_cast<double>(cents) * share)));
}

}  // namespace clustersim
