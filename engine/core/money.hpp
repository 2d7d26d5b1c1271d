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

}  // namespace clustersim
