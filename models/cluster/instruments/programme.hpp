#pragma once
// The instruments of one scenario, run together: each step, in scenario order, allocation of
// the budget tranche at call dates, calls (applications, scoring, awards), instalments,
// effects (support offers and cluster effects), then, after the SME phase, payments per
// supported SME, ends of awards and money returning. Everything is serial and in a fixed
// order; randomness is keyed by (instrument, cluster or award, step).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/config/schema.hpp"
#include "models/cluster/instruments/instrument.hpp"

namespace clustersim::model::instruments {

/// An award's shares by source for a cluster of `level`: the funding shares, or, with
/// cofinancing.eu_rate_<level> set, that EU share and the rest in the others' proportions.
std::array<double, kSourceCount> award_shares(const Common& c, DevelopmentLevel level);

class Programme {
 public:
  Programme() = default;
  /// Throws ScenarioError when an eligibility list names a region, country or sector that
  /// does not exist in `world`.
  Programme(const std::vector<config::TableElement>& elements, const World& world);

  /// Throws ScenarioError (file, key, rule) when an instrument cannot spend as written
  /// (spendable.cpp): no call before stop_step and inside run.steps (`steps`), a budget that
  /// cannot pay one award, no eligible cluster, no partner for a consortium, or an SME size
  /// band that excludes every SME (`largest_sme_employees`: the largest SME at start).
  /// `elements` are the ones this Programme was built from.
  void check_spendable(const std::vector<config::TableElement>& elements, const World& world, std::int64_t steps,
                       double largest_sme_employees) const;

  std::size_t size() const { return instruments_.size(); }
  const Instrument& instrument(std::size_t i) const { return *instruments_[i]; }
  void start_replicate(std::uint64_t seed, const World& world);
  /// Before the SME phase: allocation, calls, instalments and this quarter's effects.
  void prepare(std::int32_t step, const World& world, const ClusterState& clusters,
               const std::vector<std::int64_t>& cluster_members, const std::vector<std::int64_t>& cell_active,
               const std::vector<std::int64_t>& cell_members, SupportOffers& offers, ClusterSupport& support);
  /// Between the SME claims and their effects: how many SMEs each award can still count as
  /// supported this quarter, [instrument][award]: per-SME types, what the award has left for
  /// SMEs / the per-SME amount (what settle() pays from); others, the SMEs its money has
  /// bought so far (Instrument::smes_bought) minus those it has counted; 0 for an award not
  /// running this quarter. Offers carry their award, so no award supports an SME another
  /// award's money pays for.
  std::vector<std::vector<std::int64_t>> smes_payable(std::int32_t step) const;
  /// The SMEs each award took up this quarter ([instrument][award], at most smes_payable):
  /// counted in the award, and paid for by settle().
  void take_up(const std::vector<std::vector<std::int64_t>>& taken);
  /// After the SME phase: pays each award's per-SME amount for the SMEs it took up, ends
  /// awards, returns money.
  void settle(std::int32_t step);

  const Ledger& ledger(std::size_t i) const { return state_[i].ledger; }
  const Cents& spent_this_step(std::size_t i) const { return state_[i].payments.spent_step; }
  const StepCounts& counts(std::size_t i) const { return state_[i].counts; }
  /// Awards instrument i holds now (made and not ended): what award_slots caps.
  std::int64_t held(std::size_t i) const;
  /// Money instrument i has paid so far, by recipient (cents, all sources): it sums to the
  /// ledger's disbursed money (tested).
  std::int64_t paid_to(std::size_t i, Recipient r) const { return state_[i].payments.paid_total(r); }
  /// Instrument i's payments by recipient and source, cumulative and this quarter.
  const Payments& payments(std::size_t i) const { return state_[i].payments; }
  /// Instrument i's awards so far (ended ones included), in the order they were made.
  const std::vector<Award>& awards(std::size_t i) const { return state_[i].awards; }
  /// Per cluster: project maturity and commercial skills (0-1), the consortium readiness.
  const std::vector<double>& project_maturity() const { return project_maturity_; }
  const std::vector<double>& commercial_skills() const { return commercial_skills_; }

 private:
  struct State {
    Ledger ledger;
    Payments payments;
    StepCounts counts;
    std::vector<Award> awards;
    /// Per award: how many renewals led to it, and whether it ran to its last quarter.
    std::vector<std::int32_t> renewals;
    std::vector<std::uint8_t> completed;
    std::size_t allocated_until = 0;  ///< tranches [0, allocated_until) are allocated
    bool stopped = false;
  };
  std::vector<std::unique_ptr<Instrument>> instruments_;
  std::vector<std::vector<std::int64_t>> tranches_;  ///< cents per step from start_step
  std::vector<std::vector<std::int32_t>> calls_;
  std::vector<std::uint16_t> sector_masks_;          ///< eligible ecosystems (without the S3 rule)
  std::vector<std::vector<std::uint8_t>> region_ok_;  ///< per instrument, per region
  std::vector<State> state_;
  std::vector<double> project_maturity_, commercial_skills_;
  std::vector<std::uint8_t> in_project_;
  /// The ClusterSupport of this step's prepare(): settle() adds the management shares that
  /// follow per-SME payments to it, before the cluster update reads it.
  ClusterSupport* support_ = nullptr;
  std::uint64_t seed_ = 0;

  void run_call(std::size_t i, const Context& ctx);
  /// Renews the awards of instrument i that ended last quarter (renewal.max_renewals).
  void renew(std::size_t i, const Context& ctx);
  /// Commits an award of `cost` cents if every source can pay its part; false otherwise.
  bool make_award(std::size_t i, const Context& ctx, std::int32_t cluster, std::int32_t partner, std::int64_t cost,
                  std::int32_t first_step, std::int32_t renewals);
  void check_calls(std::size_t i, const config::TableElement& e, std::int64_t steps) const;
  void check_money(std::size_t i, const config::TableElement& e, const World& world) const;
  void check_recipients(std::size_t i, const config::TableElement& e, const World& world,
                        double largest_sme_employees) const;
  std::int32_t choose_partner(const Instrument& inst, std::size_t applicant, const Context& ctx,
                              random::Stream& rng) const;
  void pay_management_share(const Instrument& inst, Award& a, State& st);
  std::uint16_t mask_for(std::size_t i, const World& world, std::size_t region) const;
  /// Whether `cluster` may apply to instrument i's calls (region and ecosystem rules).
  bool eligible(std::size_t i, const World& world, std::size_t cluster) const;
};

}  // namespace clustersim::model::instruments
