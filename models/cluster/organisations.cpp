#include "models/cluster/organisations.hpp"

#include <algorithm>
#include <cmath>

#include "engine/random/stream.hpp"
#include "models/cluster/purposes.hpp"

namespace clustersim::model {

std::array<double, kServiceCount> service_mix(const ClusterParams& p) {
  std::array<double, kServiceCount> mix{p.mix_matchmaking, p.mix_training, p.mix_internationalisation,
                                        p.mix_joint_innovation, p.mix_intelligence};
  double total = 0;
  for (double m : mix) total += m;
  for (double& m : mix) m = total > 0 ? m / total : 0.0;
  return mix;
}

namespace {

std::uint8_t maturity_level(double skill, std::int32_t quarters_active, double staff_fte, const ClusterParams& p) {
  // ESCA-style labels follow management quality and track record: the score combines the
  // manager's skill, years of operation (full credit after 3) and a team of 3 FTE or more.
  const double score = skill * std::min(1.0, quarters_active / 12.0) * std::min(1.0, staff_fte / 3.0);
  if (score >= p.gold_score) return 3;
  if (score >= p.silver_score) return 2;
  if (score >= p.bronze_score) return 1;
  return 0;
}

void refresh_services(ClusterState& s, std::size_t c, const ClusterParams& p, double members) {
  const auto mix = service_mix(p);
  const double per_member = members > 0 ? to_eur(s.service_spending_cents[c]) / members : 0.0;
  const double bonus = 1.0 + p.maturity_effect * s.maturity[c];
  for (std::size_t k = 0; k < kServiceCount; ++k) {
    const double intensity = per_member * mix[k];
    s.effects[c][k] = s.active[c] ? static_cast<float>(bonus * intensity / (intensity + p.service_half_saturation_eur)) : 0.0f;
  }
  const double fee = to_eur(s.fee_cents[c]);
  s.value_to_fee[c] = s.active[c] && fee > 0 ? p.service_value_per_eur * per_member / fee : (s.active[c] ? 1.0 : 0.0);
}

/// The management team a cluster plans this quarter (cost, EUR): the planned team
/// (running_cost) while expected income pays for it; below, it cuts team_cut_ratio euros of
/// team per euro of missing income (so services, what members pay for, keep part of the
/// income), down to the core team (min_staff_fte) — clusters shrink before they fold; plus
/// the share of this quarter's instrument income it hires with (instrument_staff_share).
double team_cost(double expected_income, double instrument_income, const ClusterParams& p) {
  const double core = p.min_staff_fte * p.staff_cost_eur_per_quarter;
  const double R = p.running_cost_eur_per_quarter;
  const double planned =
      expected_income >= R ? R : std::min(R, std::max(core, R - p.team_cut_ratio * (R - expected_income)));
  return planned + p.instrument_staff_share * std::max(0.0, instrument_income);
}

/// Next quarter's fee: moved toward budget balance within bounds (docs/MODEL.md 3.5). A
/// deficit (spending above income) raises it by fee_adjustment x min(1, deficit / fee income),
/// a surplus lowers it likewise, between fee_min_ratio and fee_max_ratio x the base fee.
Money next_fee(Money fee, Money income, Money spending, Money fee_income, const ClusterParams& p) {
  if (!(p.fee_adjustment_per_quarter > 0)) return fee;
  const double gap = static_cast<double>(spending - income) / static_cast<double>(std::max<Money>(1, fee_income));
  const double eur = to_eur(fee) * (1.0 + p.fee_adjustment_per_quarter * std::clamp(gap, -1.0, 1.0));
  const double base = p.fee_eur_per_member_per_quarter;
  return to_cents_checked(std::clamp(eur, p.fee_min_ratio * base, p.fee_max_ratio * base),
                          "clusters.fee_eur_per_member_per_quarter");
}

/// The clusters' money parameters in whole cents, converted once (with the key in any error).
struct ClusterCents {
  Money fee_per_member, public_funding, running_cost, core_team;
  explicit ClusterCents(const ClusterParams& p)
      : fee_per_member(to_cents_checked(p.fee_eur_per_member_per_quarter, "clusters.fee_eur_per_member_per_quarter")),
        public_funding(to_cents_checked(p.public_funding_eur_per_quarter, "clusters.public_funding_eur_per_quarter")),
        running_cost(to_cents_checked(p.running_cost_eur_per_quarter, "clusters.running_cost_eur_per_quarter")),
        core_team(to_cents_checked(p.min_staff_fte * p.staff_cost_eur_per_quarter,
                                   "clusters.min_staff_fte x clusters.staff_cost_eur_per_quarter")) {}
};

}  // namespace

void start_clusters(ClusterState& s, const Params& params, const World& world, std::uint64_t seed) {
  const auto& p = params.clusters;
  const ClusterCents cents(p);
  const std::size_t C = world.clusters.size();
  s.budget_cents.resize(C);
  s.income_cents.assign(C, 0);
  s.spending_cents.assign(C, 0);
  s.instrument_income_cents.assign(C, 0);
  s.cofinance_paid_cents.assign(C, 0);
  s.seed_received_cents.assign(C, 0);
  s.shortfall_quarters.assign(C, 0);
  s.active.assign(C, 1);
  s.staff_fte.assign(C, p.running_cost_eur_per_quarter / p.staff_cost_eur_per_quarter);
  s.manager_skill.resize(C);
  s.quarters_active.resize(C);
  s.maturity.resize(C);
  s.value_to_fee.assign(C, 1.0);
  s.effects.assign(C, ServiceEffects{});
  s.service_spending_cents.resize(C);
  s.held_seed_cents.assign(C, 0);
  s.fee_cents.assign(C, cents.fee_per_member);
  s.expected_income_eur.assign(C, 0.0);
  for (std::size_t c = 0; c < C; ++c) {
    random::Stream rng(seed, c, 0, purpose::kClusterStart);
    s.manager_skill[c] = 0.2 + 0.5 * rng.uniform();
    s.quarters_active[c] = static_cast<std::int32_t>(rng.below(41));  // founded up to 10 years ago
    s.maturity[c] = maturity_level(s.manager_skill[c], s.quarters_active[c], s.staff_fte[c], p);
    // Budget and services at the steady state of a cluster at its target size (spending =
    // income, so reserves B = income - running cost), so the run starts without a transient.
    const double members = world.clusters[c].target_members;
    const double income_eur = p.public_funding_eur_per_quarter + p.fee_eur_per_member_per_quarter * members;
    s.budget_cents[c] = std::max<Money>(0, to_cents_checked(income_eur, "clusters.fee_eur_per_member_per_quarter") -
                                               cents.running_cost);
    s.expected_income_eur[c] = income_eur;
    s.service_spending_cents[c] = s.budget_cents[c];
    refresh_services(s, c, p, members);
  }
}

void update_clusters(ClusterState& s, const Params& params, const std::vector<std::int64_t>& members,
                     const ClusterSupport& support) {
  const bool supported = !support.income_cents.empty();
  const auto& p = params.clusters;
  const ClusterCents cents(p);
  for (std::size_t c = 0; c < s.active.size(); ++c) {
    const auto m = static_cast<double>(members[c]);
    s.instrument_income_cents[c] = s.cofinance_paid_cents[c] = s.seed_received_cents[c] = 0;
    if (!s.active[c]) {
      s.income_cents[c] = s.spending_cents[c] = s.service_spending_cents[c] = 0;
      s.staff_fte[c] = 0.0;
      refresh_services(s, c, p, m);
      continue;
    }
    if (supported) {
      s.seed_received_cents[c] = support.metacluster_seed_cents[c];
      s.held_seed_cents[c] += support.metacluster_seed_cents[c];
    }
    const Money from_instruments = supported ? support.income_cents[c] : 0;
    const Money fee_income = s.fee_cents[c] * members[c];
    const Money income = fee_income + cents.public_funding + from_instruments;
    // Earmarked money (manager training) is spent at once on its purpose; the private
    // co-financing of instrument money is the cluster's own: it pays it from what it has
    // (docs/MODEL.md 3.13, "Private co-financing").
    const Money earmarked = supported ? support.earmarked_spending_cents[c] : 0;
    const Money before = s.budget_cents[c] + income - earmarked;
    const Money cofinance = supported ? std::min(support.cofinance_due_cents[c], std::max<Money>(0, before)) : 0;
    const Money available = before - cofinance;
    const Money instrument_income = from_instruments - earmarked;
    s.expected_income_eur[c] += p.income_smoothing_per_quarter * (to_eur(income - earmarked) - s.expected_income_eur[c]);
    const Money team = to_cents_checked(team_cost(s.expected_income_eur[c], to_eur(instrument_income), p),
                                        "clusters.staff_cost_eur_per_quarter");
    Money spending, services, management;
    if (available < std::min(cents.core_team, team)) {
      // No overdraft: the cluster spends what it has, on management, and records a shortfall
      // quarter; staff it can no longer pay leave.
      management = spending = std::max<Money>(0, available);
      services = 0;
      ++s.shortfall_quarters[c];
    } else {
      // The team it can pay (at most the planned one); services get a share of the rest.
      management = std::min(team, available);
      services = share_of(available - management, p.service_spend_share_per_quarter);
      spending = management + services;
      s.shortfall_quarters[c] = 0;
    }
    s.income_cents[c] = income;
    s.instrument_income_cents[c] = from_instruments;
    s.cofinance_paid_cents[c] = cofinance;
    s.spending_cents[c] = spending + earmarked + cofinance;
    s.service_spending_cents[c] = services;
    s.budget_cents[c] = available - spending;
    s.fee_cents[c] = next_fee(s.fee_cents[c], s.income_cents[c], s.spending_cents[c], fee_income, p);
    s.staff_fte[c] = to_eur(management) / p.staff_cost_eur_per_quarter;
    s.manager_skill[c] = std::min(1.0, s.manager_skill[c] + p.experience_gain_per_quarter +
                                           (supported ? support.skill_gain[c] : 0.0));
    ++s.quarters_active[c];
    if (s.shortfall_quarters[c] >= p.fold_after_quarters) s.active[c] = 0;
    s.maturity[c] = s.active[c] ? maturity_level(s.manager_skill[c], s.quarters_active[c], s.staff_fte[c], p) : 0;
    refresh_services(s, c, p, m);
  }
}

}  // namespace clustersim::model
