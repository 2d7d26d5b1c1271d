#pragma once
// Money is held in whole cents (std::int64_t) and converted from EUR once, here. The
// bounds make every ledger exact: a scenario's money keys are capped (the schema applies
// kMaxAmountEur to every key whose units contain "EUR"), and a conversion refuses what
// a double cannot hold to the cent instead of letting std::llround overflow.

#include <cstdint>
#include <string_view>

namespace clustersim {

/// The largest value of any money key: 10 billion EUR (1e12 cents). 2^53 cents (the last
/// whole number a double holds exactly) is 9.007e13 EUR, so ~900 amounts at the cap (every
/// instrument's budget, a cluster's books over a long run) still add up exactly in a
/// double, and an int64 ledger has a further factor of 1000 to spare. Real programmes are
/// far below: Euroclusters 42 MEUR, the Interregional Innovation Investments 570 MEUR.
inline constexpr double kMaxAmountEur = 1e10;

/// 2^53: beyond this many cents a double no longer holds every whole cent.
inline constexpr std::int64_t kMaxExactCents = std::int64_t{1} << 53;

/// Rounds `eur` to the nearest cent. Throws ScenarioError naming `what` (e.g.
/// "instruments[core].grant_eur_per_quarter") when `eur` is not finite or its cents
/// exceed kMaxExactCents in magnitude.
std::int64_t to_cents_checked(double eur, std::string_view what);

/// An amount of money in whole cents. Every amount a model holds or pays (ledgers, budgets,
/// payments) is a Money, so books add up exactly whatever the order of the additions; EUR
/// doubles are for parameters, forecasts and output.
using Money = std::int64_t;

/// The amount in EUR (exact for |cents| <= kMaxExactCents).
inline constexpr double to_eur(Money cents) { return static_cast<double>(cents) / 100.0; }

/// The whole cents a `share` in [0, 1] of `cents` (>= 0) gives, rounded down, so that
/// share_of(x, s) + share_of(x, 1 - s) <= x and the remainder is never created out of nothing.
Money share_of(Money cents, double share);

}  // namespace clustersim
