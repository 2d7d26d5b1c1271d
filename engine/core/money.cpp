#include "engine/core/money.hpp"

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

}  // namespace clustersim
