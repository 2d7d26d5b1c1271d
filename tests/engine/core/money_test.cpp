#include "engine/core/money.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "engine/core/error.hpp"

using namespace clustersim;

TEST_CASE("to_cents_checked rounds to the nearest cent", "[unit]") {
  CHECK(to_cents_checked(0.0, "x") == 0);
  CHECK(to_cents_checked(12.345, "x") == 1235);
  CHECK(to_cents_checked(-0.004, "x") == 0);
  CHECK(to_cents_checked(-2.5, "x") == -250);
  CHECK(to_cents_checked(kMaxAmountEur, "x") == 1'000'000'000'000);
  // 2^53 cents is the last amount a double holds to the cent; it is accepted.
  CHECK(to_cents_checked(static_cast<double>(kMaxExactCents) / 100.0, "x") == kMaxExactCents);
}

TEST_CASE("to_cents_checked refuses what llround would overflow or hold inexactly", "[unit]") {
  // The audit's reproducers: 1e300 overflowed llround (the instrument never paid), 9e16
  // EUR left a ledger 512 cents off, 1e17 broke the ledger's balance.
  for (const double eur : {1e300, -1e300, 9e16, 1e17, 1e14, std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()}) {
    INFO(eur);
    CHECK_THROWS_AS(to_cents_checked(eur, "instruments[core].grant_eur_per_quarter"), ScenarioError);
  }
  try {
    to_cents_checked(1e300, "instruments[core].grant_eur_per_quarter");
  } catch (const ScenarioError& e) {
    CHECK(e.key() == "instruments[core].grant_eur_per_quarter");
    CHECK_THAT(e.rule(), Catch::Contains("1e+300 EUR cannot be held to the cent"));
  }
}

TEST_CASE("the money cap leaves room for many amounts to add up exactly", "[unit]") {
  // The documented derivation: 900 amounts at the cap stay below 2^53 cents.
  CHECK(900.0 * kMaxAmountEur * 100.0 < static_cast<double>(kMaxExactCents));
}

TEST_CASE("share_of gives whole cents, never more than the whole", "[unit]") {
  CHECK(share_of(1000, 0.75) == 750);
  CHECK(share_of(1001, 0.75) == 750);  // rounded down: the cent left over stays with the payer
  CHECK(share_of(999, 1.0) == 999);
  CHECK(share_of(999, 0.0) == 0);
  CHECK(share_of(0, 0.3) == 0);
  // Complementary shares never add up to more than the amount.
  for (const Money x : {Money{1}, Money{7}, Money{12345}, Money{1'000'000'000'001}, kMaxExactCents})
    for (const double s : {0.1, 0.3, 0.5, 0.7, 0.75, 0.9, 0.999}) {
      INFO(x << " x " << s);
      CHECK(share_of(x, s) + share_of(x, 1.0 - s) <= x);
      CHECK(share_of(x, s) >= 0);
    }
  CHECK(to_eur(31765) == 317.65);
}
