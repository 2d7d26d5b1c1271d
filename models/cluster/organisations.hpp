#pragma once
// Cluster organisations (docs/MODEL.md, "Cluster organisations"): budget, management
// capacity, maturity, the services they buy for their members and what those services are
// worth to a member. One unit: state, quarterly update and the per-member service effects
// the SME mechanisms read.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "models/cluster/params.hpp"
#include "models/cluster/support.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

enum Service : std::size_t { kMatchmaking, kTraining, kInternationalisation, kJointInnovation, kIntelligence, kServiceCount };
inline constexpr std::array<std::string_view, kServiceCount> kServiceNames{
    "matchmaking", "training", "internationalisation", "joint_innovation", "intelligence"};

/// Per-member effect of each service, in [0, 1 + maturity bonus): intensity / (intensity + h)
/// with intensity = service spending per member, times (1 + maturity_effect x level).
using ServiceEffects = std::array<float, kServiceCount>;

/// A cluster organisation's books are whole cents (engine/core/money.hpp), so that budget
/// change = income - spending holds exactly, every quarter, and instrument money is booked
/// to the cent it was paid.
struct ClusterState {
  std::vector<Money> budget_cents, income_cents, spending_cents, service_spending_cents;
  /// This quarter: the part of income_cents paid by instruments, and the private
  /// co-financing of that money the cluster paid from its own resources (part of spending).
  std::vector<Money> instrument_income_cents, cofinance_paid_cents;
  /// Meta-cluster seed money an instrument paid the cluster this quarter (into held_seed_cents).
  std::vector<Money> seed_received_cents;
  /// Membership fee per member per quarter the cluster charges (set by fee_rule()).
  std::vector<Money> fee_cents;
  std::vector<std::int32_t> shortfall_quarters, quarters_active;
  std::vector<std::uint8_t> active;
  std::vector<double> staff_fte, manager_skill;
  std::vector<std::uint8_t> maturity;  ///< 0 none, 1 bronze, 2 silver, 3 gold
  /// Value of a quarter of services to a member, relative to the fee (1 = worth the fee).
  std::vector<double> value_to_fee;
  std::vector<ServiceEffects> effects;
  /// Meta-cluster seed money (metacluster_support) the cluster holds for a meta-cluster's
  /// budget: not its own reserves; metaclusters.cpp moves it into a meta-cluster.
  std::vector<Money> held_seed_cents;
  /// Expected income per quarter (exponentially smoothed), which sizes the team: a
  /// forecast, not money held, hence EUR.
  std::vector<double> expected_income_eur;
};

/// Initial state for a replicate: two quarters of running cost in reserve, staff paid by the
/// running cost, managers' skills and track records drawn from the replicate's seed.
void start_clusters(ClusterState& state, const Params& params, const World& world, std::uint64_t seed);

/// One quarter: income (fees, public funding), spending (running cost, then services), no
/// overdraft, folding after sustained shortfalls, staff, experience and maturity, and the
/// services' effects and value for next quarter. `members` are this quarter's counts.
/// `support` adds instrument income (core funding, seed money, management shares) and
/// manager-skill gains (excellence) of this quarter; empty vectors mean none.
void update_clusters(ClusterState& state, const Params& params, const std::vector<std::int64_t>& members,
                     const ClusterSupport& support = {});

/// Normalised service mix (shares summing to 1; all zero if every weight is zero).
std::array<double, kServiceCount> service_mix(const ClusterParams& p);

}  // namespace clustersim::model
