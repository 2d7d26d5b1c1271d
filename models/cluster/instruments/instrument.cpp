#include "models/cluster/instruments/instrument.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "engine/config/scenario.hpp"
#include "engine/core/error.hpp"
#include "engine/core/money.hpp"

namespace clustersim::model::instruments {

std::int64_t total(const Cents& c) { return std::accumulate(c.begin(), c.end(), std::int64_t{0}); }

std::int64_t to_cents(double eur, std::string_view what) { return to_cents_checked(eur, what); }

double saturation(double eur, double eur_half) {
  if (!(eur > 0) || !(eur_half > 0)) return 0.0;
  return 1.0 - std::exp2(-eur / eur_half);
}

double sme_quota(const Award& a, double unit_eur, std::int32_t step) {
  if (!(unit_eur > 0) || a.per_sme_left <= 0) return 0.0;
  const double units = std::floor(static_cast<double>(a.per_sme_left) / 100.0 / unit_eur);
  return units / static_cast<double>(std::max(1, a.last_step - step + 1));
}

double distinct_reached(double members, double participations) {
  if (!(members > 0) || !(participations > 0)) return 0.0;
  return members * -std::expm1(-participations / members);
}

double readiness(const Context& ctx, std::int32_t cluster, std::int32_t partner) {
  auto of = [&](std::int32_t c) {
    const auto k = static_cast<std::size_t>(c);
    return 0.5 * (ctx.project_maturity[k] + ctx.commercial_skills[k]);
  };
  return partner >= 0 ? 0.5 * (of(cluster) + of(partner)) : of(cluster);
}

double project_partner_weight(const Context& ctx, std::size_t applicant, std::size_t candidate, double s3_bonus,
                              double distance_km) {
  const auto& a = ctx.world.clusters[applicant];
  const auto& b = ctx.world.clusters[candidate];
  auto s3 = [&](std::uint32_t region, std::uint8_t sector) {
    const auto& list = ctx.world.regions[region].s3_sectors;
    return std::find(list.begin(), list.end(), sector) != list.end();
  };
  const bool s3_match = s3(a.region, b.sector) || s3(b.region, a.sector);
  const double d = ctx.world.distance_km(static_cast<Eigen::Index>(a.region), static_cast<Eigen::Index>(b.region));
  return static_cast<double>(ctx.world.relatedness[a.sector][b.sector]) * (s3_match ? 1.0 + s3_bonus : 1.0) *
         (distance_km > 0 ? std::exp(-d / distance_km) : 1.0);
}

Cents split(std::int64_t cents, const std::array<double, kSourceCount>& shares) {
  Cents out{};
  std::array<double, kSourceCount> rest{};
  std::int64_t given = 0;
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    const double exact = static_cast<double>(cents) * shares[s];
    out[s] = static_cast<std::int64_t>(std::floor(exact));
    rest[s] = exact - static_cast<double>(out[s]);
    given += out[s];
  }
  // Largest remainders first; ties go to the earlier source, so the split is deterministic.
  std::array<std::size_t, kSourceCount> order{0, 1, 2, 3};
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rest[a] > rest[b]; });
  for (std::size_t k = 0; given < cents; k = (k + 1) % kSourceCount) {
    if (shares[order[k]] <= 0) continue;
    ++out[order[k]];
    ++given;
  }
  CLUSTERSIM_ASSERT(total(out) == cents, "split lost cents");
  return out;
}

Cents take_proportional(std::int64_t cents, const Cents& from) {
  const std::int64_t have = total(from);
  CLUSTERSIM_ASSERT(cents >= 0 && cents <= have, "paying more than is committed");
  Cents out{};
  if (cents == 0) return out;
  std::int64_t given = 0;
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    const long double exact = static_cast<long double>(cents) * static_cast<long double>(from[s]) / static_cast<long double>(have);
    out[s] = std::min(from[s], static_cast<std::int64_t>(std::floor(exact)));
    given += out[s];
  }
  for (std::size_t s = 0; given > cents; s = (s + 1) % kSourceCount)  // guards against rounding up
    if (out[s] > 0) {
      --out[s];
      --given;
    }
  for (std::size_t s = 0; given < cents; s = (s + 1) % kSourceCount)
    if (out[s] < from[s]) {
      ++out[s];
      ++given;
    }
  return out;
}

Cents pay(Award& a, std::int64_t due, Recipient to, Ledger& ledger, Payments& payments, ClusterSupport* support) {
  const Cents paid = take_proportional(due, a.remaining);
  // The own contribution's part of the private money paid, in proportion to what is left of
  // it; rounding down keeps own_left <= the private money left.
  if (a.own_left > 0 && paid[kPrivate] > 0)
    a.own_left -= static_cast<std::int64_t>(static_cast<__int128>(paid[kPrivate]) * a.own_left / a.remaining[kPrivate]);
  auto& by_recipient = payments.paid[static_cast<std::size_t>(to)];
  auto& by_recipient_step = payments.paid_step[static_cast<std::size_t>(to)];
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    a.remaining[s] -= paid[s];
    payments.spent_step[s] += paid[s];
    by_recipient[s] += paid[s];
    by_recipient_step[s] += paid[s];
  }
  ledger.pay(paid);
  if (to != Recipient::Smes && support != nullptr && !support->cofinance_due_cents.empty())
    support->cofinance_due_cents[static_cast<std::size_t>(a.cluster)] += paid[kPrivate];
  return paid;
}

void Ledger::allocate(const Cents& x) {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    allocated[s] += x[s];
    available[s] += x[s];
  }
  CLUSTERSIM_ASSERT(balanced(), "instrument ledger out of balance after allocation");
}

void Ledger::contribute(const Cents& x) {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    contributed[s] += x[s];
    committed[s] += x[s];
  }
  CLUSTERSIM_ASSERT(balanced(), "instrument ledger out of balance after an own contribution");
}

void Ledger::release(const Cents& x) {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    CLUSTERSIM_ASSERT(x[s] <= committed[s], "releasing money that is not committed");
    committed[s] -= x[s];
    returned[s] += x[s];
  }
  CLUSTERSIM_ASSERT(balanced(), "instrument ledger out of balance after a release");
}

void Ledger::commit(const Cents& x) {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    CLUSTERSIM_ASSERT(x[s] <= available[s], "committing money that is not available");
    available[s] -= x[s];
    committed[s] += x[s];
  }
  CLUSTERSIM_ASSERT(balanced(), "instrument ledger out of balance after a commitment");
}

void Ledger::pay(const Cents& x) {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    CLUSTERSIM_ASSERT(x[s] <= committed[s], "paying money that is not committed");
    committed[s] -= x[s];
    disbursed[s] += x[s];
  }
  CLUSTERSIM_ASSERT(balanced(), "instrument ledger out of balance after a payment");
}

void Ledger::cancel(const Cents& x) {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    committed[s] -= x[s];
    available[s] += x[s];
  }
  CLUSTERSIM_ASSERT(balanced(), "instrument ledger out of balance after a cancellation");
}

void Ledger::close() {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    returned[s] += available[s];
    available[s] = 0;
  }
}

bool Ledger::balanced() const {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    if (allocated[s] + contributed[s] != disbursed[s] + committed[s] + available[s] + returned[s]) return false;
    if (committed[s] < 0 || available[s] < 0) return false;
  }
  return true;
}

namespace {

/// The keys every instrument has, each bound to its field of Common.
void bind_common(config::Binding<Common>& b) {
  b.bind("budget_eur", &Common::budget_eur).at_least(0).units("EUR")
      .doc("Total budget over the programme's life at EU scale; the world runs world.scale x it, never less than one award.");
  b.bind("start_step", &Common::start_step).range(0, 4000).units("quarter")
      .doc("First quarter in which the instrument allocates money and calls.");
  b.bind("end_step", &Common::end_step).range(0, 4000).units("quarter")
      .doc("Last quarter of allocation and calls (awards may run on).");
  b.bind("ramp_steps", &Common::ramp_steps).range(0, 4000).units("quarters")
      .doc("Budget tranches rise linearly over the first ramp_steps quarters.");
  b.bind("stop_step", &Common::stop_step).range(0, 4000).units("quarter")
      .doc("Funding cliff: in this quarter every award stops and unspent money returns (0: no stop).");
  for (std::size_t s = 0; s < kSourceCount; ++s)
    b.bind("funding." + std::string(kSourceNames[s]), &Common::funding, config::Element{s}).range(0, 1)
        .doc("Share of the budget from this source; the four shares sum to 1.");
  std::size_t level = 0;
  for (const char* name : {"more_developed", "transition", "less_developed"})
    b.bind(std::string("cofinancing.eu_rate_") + name, &Common::eu_rate, config::Element{level++}).range(-1, 1)
        .doc("EU share of an award to a cluster in a region of this level (-1: the funding shares).");
  b.bind("eligible.regions", &Common::regions).doc("Region codes (empty: all).");
  b.bind("eligible.countries", &Common::countries).doc("Country codes (empty: all).");
  b.bind("eligible.development_levels", &Common::levels).doc("more_developed, transition, less_developed (empty: all).");
  b.bind("eligible.sectors", &Common::sectors).doc("Ecosystem keys (empty: all).");
  b.bind("eligible.s3_only", &Common::s3_only).doc("Only the region's smart-specialisation (S3) priority ecosystems.");
  b.bind("eligible.min_employees", &Common::min_employees).at_least(0).units("FTE").doc("Smallest eligible SME.");
  b.bind("eligible.max_employees", &Common::max_employees).at_least(0).units("FTE").doc("Largest eligible SME.");
  b.bind("call.steps", &Common::call_steps).at_least(0)
      .doc("Quarters with a call (empty: every call.every_steps from start_step).");
  b.bind("call.every_steps", &Common::call_every_steps).range(1, 4000).units("quarters")
      .doc("Interval between calls when call.steps is empty.");
  b.bind("call.apply_probability", &Common::apply_probability).range(0, 1)
      .doc("Probability that an eligible cluster applies to a call.");
  b.bind("call.maturity_apply_bonus", &Common::maturity_apply_bonus).range(0, 10)
      .doc("Applying rises by this factor x maturity label / 3.");
  b.bind("call.max_awards", &Common::max_awards_per_call).range(0, 1e9)
      .doc("Most awards per call at EU scale (world.scale x this, at least 1; default: no limit).");
  b.bind("award_quarters", &Common::award_quarters).range(1, 400).units("quarters").doc("How long an award pays and acts.");
  b.bind("disbursement_lag_steps", &Common::lag_steps).range(0, 40).units("quarters")
      .doc("Quarters between award and first payment.");
  b.bind("member_weight", &Common::member_weight).range(0, 100)
      .doc("SME support: how much likelier a cluster member is supported than an eligible non-member.");
  b.bind("award_slots", &Common::award_slots).range(0, 1e9).units("awards")
      .doc("Most awards the programme holds at once (running or about to start; renewals keep theirs) at EU scale: "
           "world.scale x this, at least 1 (0: no limit; a programme's funded positions, e.g. Euroclusters' 30).");
  b.bind("renewal.max_renewals", &Common::max_renewals).range(0, 400).units("renewals")
      .doc("Times an award is renewed at its end for another award_quarters at the same size, without a new call, "
           "while the window is open and the money suffices (0: the programme does not renew).");
}

const config::Binding<Common>& common_keys() {
  static const config::Binding<Common> keys = [] {
    config::Binding<Common> b;
    bind_common(b);
    return b;
  }();
  return keys;
}

/// An instrument acts only from start_step: one that starts after the last step never acts.
void check_horizon(const config::Scenario& s) {
  const std::int64_t steps = s.integer("run.steps");
  for (const auto& e : s.elements("instruments"))
    if (e.integer("start_step") > steps)
      throw ScenarioError(e.origin, e.key_name("start_step"),
                          "must be <= run.steps (" + std::to_string(steps) + "), got " +
                              std::to_string(e.integer("start_step")) + ": the whole window lies after the last step");
}

void validate(const config::TableElement& e, const std::string& where) {
  if (e.integer("end_step") < e.integer("start_step"))
    throw ScenarioError(where, e.key_name("end_step"),
                        "must be >= start_step (" + std::to_string(e.integer("start_step")) + "), got " +
                            std::to_string(e.integer("end_step")));
  double sum = 0;
  for (auto name : kSourceNames) sum += e.real("funding." + std::string(name));
  if (std::fabs(sum - 1.0) > 1e-9) {
    char text[64];
    std::snprintf(text, sizeof text, "%g", sum);
    throw ScenarioError(where, e.key_name("funding"), std::string("shares sum to ") + text + ", must be 1");
  }
  for (const auto& level : e.strings("eligible.development_levels"))
    if (level != "more_developed" && level != "transition" && level != "less_developed")
      throw ScenarioError(where, e.key_name("eligible.development_levels"),
                          "'" + level + "' is not one of 'more_developed', 'transition', 'less_developed'");
  for (const auto& sector : e.strings("eligible.sectors"))
    if (std::none_of(kSectors.begin(), kSectors.end(), [&](const SectorInfo& s) { return s.key == sector; })) {
      const auto nearest = std::min_element(kSectors.begin(), kSectors.end(), [&](const SectorInfo& a, const SectorInfo& b) {
        return config::edit_distance(sector, a.key) < config::edit_distance(sector, b.key);
      });
      throw ScenarioError(where, e.key_name("eligible.sectors"),
                          "unknown ecosystem '" + sector + "'; did you mean '" + std::string(nearest->key) + "'?");
    }
  if (e.real("eligible.max_employees") < e.real("eligible.min_employees"))
    throw ScenarioError(where, e.key_name("eligible.max_employees"), "must be >= eligible.min_employees");
  for (const auto& t : registry())
    if (t.name == e.type) {
      // The type's own rules: reading it checks them (e.g. the pass-through share).
      (void)t.make(e);
    }
}

}  // namespace

void read_common(const config::TableElement& e, Common& c) {
  c.id = e.id;
  c.type = e.type;
  common_keys().read(e, c);
}

void declare(config::Schema& schema) {
  auto& array = schema.table_array("instruments");
  array.doc = "Policy instruments (docs/MODEL.md, \"Instruments\"); one [[instruments]] table each.";
  common_keys().declare(array.common);
  for (const auto& t : registry()) t.declare(array.type(std::string(t.name)));
  array.validate = validate;
  schema.rule(check_horizon);
}

}  // namespace clustersim::model::instruments
