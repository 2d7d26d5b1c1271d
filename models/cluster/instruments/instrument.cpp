#include "models/cluster/instruments/instrument.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "engine/core/error.hpp"

namespace clustersim::model::instruments {

std::int64_t total(const Cents& c) { return std::accumulate(c.begin(), c.end(), std::int64_t{0}); }

std::int64_t to_cents(double eur) { return std::llround(eur * 100.0); }

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

void Ledger::allocate(const Cents& x) {
  for (std::size_t s = 0; s < kSourceCount; ++s) {
    allocated[s] += x[s];
    available[s] += x[s];
  }
  CLUSTERSIM_ASSERT(balanced(), "instrument ledger out of balance after allocation");
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
    if (allocated[s] != disbursed[s] + committed[s] + available[s] + returned[s]) return false;
    if (committed[s] < 0 || available[s] < 0) return false;
  }
  return true;
}

namespace {

void declare_common(config::Schema& c) {
  c.real("budget_eur", 0).at_least(0).units("EUR").doc("Total budget over the programme's life.");
  c.integer("start_step", 1).range(0, 4000).units("quarter").doc("First quarter in which the instrument allocates money and calls.");
  c.integer("end_step", 40).range(0, 4000).units("quarter").doc("Last quarter of allocation and calls (awards may run on).");
  c.integer("ramp_steps", 0).range(0, 4000).units("quarters").doc("Budget tranches rise linearly over the first ramp_steps quarters.");
  c.integer("stop_step", 0).range(0, 4000).units("quarter")
      .doc("Funding cliff: in this quarter every award stops and unspent money returns (0: no stop).");
  for (std::size_t s = 0; s < kSourceCount; ++s)
    c.real("funding." + std::string(kSourceNames[s]), s == kEu ? 1.0 : 0.0).range(0, 1)
        .doc("Share of the budget from this source; the four shares sum to 1.");
  for (const char* level : {"more_developed", "transition", "less_developed"})
    c.real(std::string("cofinancing.eu_rate_") + level, -1).range(-1, 1)
        .doc("EU share of an award to a cluster in a region of this level (-1: the funding shares).");
  c.string_list("eligible.regions").doc("Region codes (empty: all).");
  c.string_list("eligible.countries").doc("Country codes (empty: all).");
  c.string_list("eligible.development_levels").doc("more_developed, transition, less_developed (empty: all).");
  c.string_list("eligible.sectors").doc("Ecosystem keys (empty: all).");
  c.boolean("eligible.s3_only", false).doc("Only the region's smart-specialisation (S3) priority ecosystems.");
  c.real("eligible.min_employees", 0).at_least(0).units("FTE").doc("Smallest eligible SME.");
  c.real("eligible.max_employees", 249).at_least(0).units("FTE").doc("Largest eligible SME.");
  c.integer_list("call.steps").at_least(0).doc("Quarters with a call (empty: every call.every_steps from start_step).");
  c.integer("call.every_steps", 4).range(1, 4000).units("quarters").doc("Interval between calls when call.steps is empty.");
  c.real("call.apply_probability", 0.6).range(0, 1).doc("Probability that an eligible cluster applies to a call.");
  c.real("call.maturity_apply_bonus", 0.5).range(0, 10).doc("Applying rises by this factor x maturity label / 3.");
  c.integer("call.max_awards", 1000).range(0, 1e9).doc("Most awards per call.");
  c.integer("award_quarters", 4).range(1, 400).units("quarters").doc("How long an award pays and acts.");
  c.integer("disbursement_lag_steps", 0).range(0, 40).units("quarters").doc("Quarters between award and first payment.");
  c.real("member_weight", 2.0).range(0, 100)
      .doc("SME support: how much likelier a cluster member is supported than an eligible non-member.");
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
    if (std::none_of(kSectors.begin(), kSectors.end(), [&](const SectorInfo& s) { return s.key == sector; }))
      throw ScenarioError(where, e.key_name("eligible.sectors"), "unknown ecosystem '" + sector + "'");
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
  c.budget_eur = e.real("budget_eur");
  c.start_step = static_cast<std::int32_t>(e.integer("start_step"));
  c.end_step = static_cast<std::int32_t>(e.integer("end_step"));
  c.ramp_steps = static_cast<std::int32_t>(e.integer("ramp_steps"));
  c.stop_step = static_cast<std::int32_t>(e.integer("stop_step"));
  for (std::size_t s = 0; s < kSourceCount; ++s) c.funding[s] = e.real("funding." + std::string(kSourceNames[s]));
  c.eu_rate = {e.real("cofinancing.eu_rate_more_developed"), e.real("cofinancing.eu_rate_transition"),
               e.real("cofinancing.eu_rate_less_developed")};
  c.regions = e.strings("eligible.regions");
  c.countries = e.strings("eligible.countries");
  c.levels = e.strings("eligible.development_levels");
  c.sectors = e.strings("eligible.sectors");
  c.s3_only = e.boolean("eligible.s3_only");
  c.min_employees = e.real("eligible.min_employees");
  c.max_employees = e.real("eligible.max_employees");
  c.call_steps = e.integers("call.steps");
  c.call_every_steps = static_cast<std::int32_t>(e.integer("call.every_steps"));
  c.apply_probability = e.real("call.apply_probability");
  c.maturity_apply_bonus = e.real("call.maturity_apply_bonus");
  c.max_awards_per_call = e.integer("call.max_awards");
  c.award_quarters = static_cast<std::int32_t>(e.integer("award_quarters"));
  c.lag_steps = static_cast<std::int32_t>(e.integer("disbursement_lag_steps"));
  c.member_weight = e.real("member_weight");
}

void declare(config::Schema& schema) {
  auto& array = schema.table_array("instruments");
  array.doc = "Policy instruments (docs/MODEL.md, \"Instruments\"); one [[instruments]] table each.";
  declare_common(array.common);
  for (const auto& t : registry()) t.declare(array.type(std::string(t.name)));
  array.validate = validate;
}

}  // namespace clustersim::model::instruments
