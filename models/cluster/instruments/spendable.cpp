// `check` and `run` refuse an instrument that cannot spend as written (docs/CLI.md, "check";
// issue 11, item 7): no call inside the run, a budget that cannot pay one award, eligibility
// rules that leave nobody to fund. Each rule names the file, the key and the reason, from the
// same tranches, calls and eligibility that Programme runs with (one fact declared once).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/core/error.hpp"
#include "models/cluster/instruments/programme.hpp"

namespace clustersim::model::instruments {

namespace {

std::string eur(double value) { return fmt::format("EUR {:.2f}", value); }

const char* rule_text(PartnerRule rule) {
  switch (rule) {
    case PartnerRule::OtherRegion: return "another region";
    case PartnerRule::OtherCountry: return "another country";
    case PartnerRule::OtherSector: return "another main ecosystem";
    case PartnerRule::None: break;
  }
  return "";
}

}  // namespace

void Programme::check_calls(std::size_t i, const config::TableElement& e, std::int64_t steps) const {
  const Common& c = instruments_[i]->common;
  const auto& calls = calls_[i];
  if (c.max_awards_per_call == 0)
    throw ScenarioError(e.origin, e.key_name("call.max_awards"),
                        "is 0: no call can make an award, so the instrument would spend nothing");
  if (calls.empty())
    throw ScenarioError(e.origin, e.key_name("call.steps"),
                        fmt::format("no quarter of it lies in the window [start_step, end_step] = [{}, {}], so the "
                                    "instrument never calls and would spend nothing",
                                    c.start_step, c.end_step));
  if (c.stop_step > 0 && calls.front() >= c.stop_step)
    throw ScenarioError(e.origin, e.key_name("stop_step"),
                        fmt::format("is quarter {}, at or before the first call (quarter {}): every award stops before "
                                    "one is made, so the instrument would spend nothing",
                                    c.stop_step, calls.front()));
  if (calls.front() > steps)
    throw ScenarioError(e.origin, e.key_name(c.call_steps.empty() ? "start_step" : "call.steps"),
                        fmt::format("the first call is in quarter {}, after the last step (run.steps = {}): the whole "
                                    "window lies beyond the horizon, so the instrument would spend nothing",
                                    calls.front(), steps));
}

void Programme::check_money(std::size_t i, const config::TableElement& e, const World& world) const {
  const Instrument& inst = *instruments_[i];
  const Common& c = inst.common;
  // The money the calls can commit: every tranche up to the one after the last call that
  // runs before a funding cliff (calls allocate the tranches up to the next call).
  const auto& calls = calls_[i];
  auto last = calls.end();
  for (auto k = calls.begin(); k != calls.end(); ++k)
    if (c.stop_step <= 0 || *k < c.stop_step) last = k;
  const std::int32_t until = last + 1 != calls.end() ? *(last + 1) : c.end_step + 1;
  std::int64_t reachable = 0;
  for (std::size_t k = 0; k < static_cast<std::size_t>(until - c.start_step) && k < tranches_[i].size(); ++k)
    reachable += tranches_[i][k];
  const std::int64_t smallest = to_cents(inst.smallest_award_eur());
  // A zero budget or a zero award is a deliberate "no money" (a counterfactual, a dose of 0).
  if (reachable <= 0 || smallest <= 0) return;
  const std::string cliff = c.stop_step > 0 ? fmt::format(" before stop_step (quarter {})", c.stop_step) : "";
  if (reachable < smallest)
    throw ScenarioError(
        e.origin, e.key_name("budget_eur"),
        fmt::format("the calls{} can commit {} (at world.scale = {:g}; never less than one award of the whole "
                    "budget), less than one award ({}), so the instrument would spend nothing",
                    cliff, eur(static_cast<double>(reachable) / 100.0), world.scale,
                    eur(static_cast<double>(smallest) / 100.0)));
  // Every source must pay its part of an award: with a co-financing rate, the EU's part may
  // exceed what the funding shares give the EU.
  std::string shortfall;
  for (std::size_t k = 0; k < world.clusters.size(); ++k) {
    if (!eligible(i, world, k)) continue;
    const DevelopmentLevel level = world.regions[world.clusters[k].region].level;
    const auto shares = award_shares(c, level);
    bool fits = true;
    for (std::size_t s = 0; s < kSourceCount; ++s) {
      const double need = static_cast<double>(smallest) * shares[s], have = static_cast<double>(reachable) * c.funding[s];
      if (need > have + static_cast<double>(kSourceCount)) {  // split() rounds each source by < 1 cent per call
        fits = false;
        if (shortfall.empty())
          shortfall = fmt::format("cofinancing.eu_rate_{}|an award to a cluster of a {} region needs {} from the {} "
                                  "source, but the funding shares give it only {} of the budget the calls can commit, "
                                  "so no eligible cluster can be funded",
                                  to_string(level), to_string(level), eur(need / 100.0), kSourceNames[s],
                                  eur(have / 100.0));
      }
    }
    if (fits) return;
  }
  if (!shortfall.empty()) {
    const auto bar = shortfall.find('|');
    throw ScenarioError(e.origin, e.key_name(shortfall.substr(0, bar)), shortfall.substr(bar + 1));
  }
}

void Programme::check_recipients(std::size_t i, const config::TableElement& e, const World& world,
                                 double largest_sme_employees) const {
  const Instrument& inst = *instruments_[i];
  const Common& c = inst.common;
  std::vector<std::size_t> eligible_clusters;
  for (std::size_t k = 0; k < world.clusters.size(); ++k)
    if (eligible(i, world, k)) eligible_clusters.push_back(k);
  // Region, country, level and ecosystem lists are checked with a scale hint before
  // (check_eligible_clusters); what is left to empty the list is the S3 rule.
  if (eligible_clusters.empty())
    throw ScenarioError(e.origin, e.key_name(c.s3_only ? "eligible.s3_only" : "eligible"),
                        fmt::format("no cluster organisation of this world (world.scale = {:g}) serves an eligible "
                                    "ecosystem{}, so the instrument would spend nothing",
                                    world.scale, c.s3_only ? " that is an S3 priority of its region" : ""));
  // Money paid per supported SME needs SMEs inside the size limits.
  if (inst.per_sme_eur() > 0 || inst.instalment_recipient() == Recipient::Smes) {
    if (c.max_employees < 1)
      throw ScenarioError(e.origin, e.key_name("eligible.max_employees"),
                          fmt::format("is {:g}: every SME has at least 1 employee, so no SME is eligible and the "
                                      "instrument would spend nothing",
                                      c.max_employees));
    if (c.min_employees > largest_sme_employees)
      throw ScenarioError(e.origin, e.key_name("eligible.min_employees"),
                          fmt::format("is {:g}, above the largest SME of the world (population.max_initial_employees "
                                      "= {:g}), so no SME is eligible and the instrument would spend nothing",
                                      c.min_employees, largest_sme_employees));
  }
  if (inst.partner_rule() == PartnerRule::None) return;
  // A consortium needs a partner by the type's rule (with a positive preference).
  const std::size_t C = world.clusters.size();
  ClusterState everyone;
  everyone.active.assign(C, 1);
  const std::vector<std::int64_t> none;
  std::vector<double> no_readiness(C, 0.0);
  const std::vector<std::uint8_t> idle(C, 0);
  const Context ctx{world, everyone, none, none, none, no_readiness, no_readiness, idle, 0, 0};
  for (std::size_t k : eligible_clusters) {
    const auto& a = world.clusters[k];
    for (std::size_t j = 0; j < C; ++j) {
      if (j == k) continue;
      const auto& b = world.clusters[j];
      bool fits = false;
      switch (inst.partner_rule()) {
        case PartnerRule::OtherRegion: fits = a.region != b.region; break;
        case PartnerRule::OtherCountry: fits = world.country_index[a.region] != world.country_index[b.region]; break;
        case PartnerRule::OtherSector: fits = a.sector != b.sector; break;
        case PartnerRule::None: break;
      }
      if (fits && (!inst.weighted_partners() || inst.partner_weight(ctx, k, j) > 0)) return;
    }
  }
  throw ScenarioError(e.origin, e.key_name("type"),
                      fmt::format("'{}' needs a partner cluster in {}, but no eligible cluster organisation of this "
                                  "world (world.scale = {:g}, {} clusters) has one, so the instrument would spend "
                                  "nothing; raise world.scale",
                                  c.type, rule_text(inst.partner_rule()), world.scale, C));
}

void Programme::check_spendable(const std::vector<config::TableElement>& elements, const World& world,
                                std::int64_t steps, double largest_sme_employees) const {
  CLUSTERSIM_ASSERT(elements.size() == instruments_.size(), "check_spendable: elements and instruments differ");
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    check_calls(i, elements[i], steps);
    check_recipients(i, elements[i], world, largest_sme_employees);
    check_money(i, elements[i], world);
  }
}

}  // namespace clustersim::model::instruments
