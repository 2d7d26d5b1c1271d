#include "models/cluster/metaclusters.hpp"

#include <algorithm>
#include <cmath>

#include "engine/random/stream.hpp"
#include "models/cluster/purposes.hpp"

namespace clustersim::model {

std::int64_t MetaclusterState::count_active() const {
  return std::count(active.begin(), active.end(), std::uint8_t{1});
}

void start_metaclusters(MetaclusterState& s, std::size_t clusters) {
  s.of_cluster.assign(clusters, kNoMetacluster);
  s.engagement.assign(clusters, 0.0);
  const std::size_t capacity = std::max<std::size_t>(1, clusters / 2);
  s.members.assign(capacity, 0);
  s.budget_cents.assign(capacity, 0);
  s.active.assign(capacity, 0);
  s.external_seed_eur = 0.0;
}

namespace {

void leave(MetaclusterState& s, std::size_t c) {
  const auto m = static_cast<std::size_t>(s.of_cluster[c]);
  s.of_cluster[c] = kNoMetacluster;
  s.engagement[c] = 0.0;
  --s.members[m];
}

/// Pays `amount` from a cluster's reserves, booked as spending so that the budget identity
/// (change = income - spending) keeps holding.
bool pay(ClusterState& clusters, std::size_t c, Money amount) {
  if (clusters.budget_cents[c] < amount) return false;
  clusters.budget_cents[c] -= amount;
  clusters.spending_cents[c] += amount;
  return true;
}

/// Reserves above what the cluster keeps for running costs, with the seed money it holds for
/// a meta-cluster: its spare capacity.
bool has_spare_capacity(const ClusterState& clusters, std::size_t c, Money spare_reserves) {
  return clusters.active[c] && clusters.budget_cents[c] + clusters.held_seed_cents[c] >= spare_reserves;
}

/// Moves the seed money a member holds into its meta-cluster's budget.
void hand_over_seed(MetaclusterState& s, ClusterState& clusters, std::size_t c) {
  s.budget_cents[static_cast<std::size_t>(s.of_cluster[c])] += clusters.held_seed_cents[c];
  clusters.held_seed_cents[c] = 0;
}

/// Pays a founder's half of the seed: from the seed money it holds first, then its reserves
/// (booked as spending). False, paying nothing, if both together fall short.
bool pay_seed(ClusterState& clusters, std::size_t c, Money amount) {
  if (clusters.held_seed_cents[c] + clusters.budget_cents[c] < amount) return false;
  const Money held = std::min(amount, clusters.held_seed_cents[c]);
  clusters.held_seed_cents[c] -= held;
  if (amount > held) pay(clusters, c, amount - held);
  return true;
}

}  // namespace

void update_metaclusters(MetaclusterState& s, ClusterState& clusters, const Params& params, const World& world,
                         std::uint64_t seed, std::int32_t step) {
  const auto& p = params.metacluster;
  const std::size_t C = clusters.active.size();
  if (!p.enabled) return;
  const Money contribution = to_cents_checked(p.contribution_eur_per_quarter, "metacluster.contribution_eur_per_quarter");
  const Money coordination =
      to_cents_checked(p.coordination_cost_eur_per_quarter, "metacluster.coordination_cost_eur_per_quarter");
  const Money seed_cents = to_cents_checked(p.seed_eur, "metacluster.seed_eur");
  const Money spare_reserves = to_cents_checked(p.spare_reserves_eur, "metacluster.spare_reserves_eur");

  // Folded clusters leave; members pay their contribution (engagement suffers if they cannot).
  std::vector<std::uint8_t> paid(C, 0);
  for (std::size_t c = 0; c < C; ++c) {
    if (s.of_cluster[c] == kNoMetacluster) continue;
    if (!clusters.active[c]) {
      leave(s, c);
      continue;
    }
    hand_over_seed(s, clusters, c);
    if (pay(clusters, c, contribution)) {
      s.budget_cents[static_cast<std::size_t>(s.of_cluster[c])] += contribution;
      paid[c] = 1;
    }
  }
  // Joint activity where the meta-cluster can pay its coordination; engagement follows it.
  std::vector<std::uint8_t> activity(s.capacity(), 0);
  for (std::size_t m = 0; m < s.capacity(); ++m) {
    if (!s.active[m]) continue;
    const Money cost = coordination * s.members[m];
    if (s.budget_cents[m] >= cost) {
      s.budget_cents[m] -= cost;
      activity[m] = 1;
    }
  }
  for (std::size_t c = 0; c < C; ++c) {
    if (s.of_cluster[c] == kNoMetacluster) continue;
    const bool joint = activity[static_cast<std::size_t>(s.of_cluster[c])] && paid[c];
    s.engagement[c] = std::clamp(s.engagement[c] * (1.0 - p.engagement_decay_per_quarter) +
                                     (joint ? p.engagement_gain_per_quarter : 0.0),
                                 0.0, 1.0);
    if (s.engagement[c] < p.leave_engagement) leave(s, c);
  }
  // A meta-cluster needs two members; the last one leaves and the reserves are lost to it.
  for (std::size_t m = 0; m < s.capacity(); ++m) {
    if (!s.active[m] || s.members[m] >= 2) continue;
    for (std::size_t c = 0; c < C; ++c)
      if (s.of_cluster[c] == static_cast<std::int32_t>(m)) leave(s, c);
    s.active[m] = 0;
    s.budget_cents[m] = 0;
    s.members[m] = 0;
  }

  // Formation and joining: a related cluster of another region with spare reserves.
  const auto t = static_cast<std::uint32_t>(step);
  // Seed money a cluster holds (metacluster_support) raises its own formation hazard, with
  // diminishing returns: x (1 + (multiplier - 1) (1 - 2^(-held / seed_eur))) — half the boost
  // for one founding seed's worth. Only funded clusters are boosted.
  for (std::size_t c = 0; c < C; ++c) {
    if (s.of_cluster[c] != kNoMetacluster || !has_spare_capacity(clusters, c, spare_reserves)) continue;
    random::Stream rng(seed, c, t, purpose::kMetacluster);
    const double held = to_eur(clusters.held_seed_cents[c]);
    const double boost = held > 0 && p.seed_eur > 0 ? 1.0 - std::exp2(-held / p.seed_eur) : (held > 0 ? 1.0 : 0.0);
    if (!rng.bernoulli(p.formation_rate_per_quarter * (1.0 + (p.seed_funding_multiplier - 1.0) * boost)))
      continue;
    const auto& site = world.clusters[c];
    for (std::int64_t k = 0; k < p.candidates; ++k) {
      const std::size_t other = rng.below(static_cast<std::uint32_t>(C));
      const auto& o = world.clusters[other];
      if (other == c || o.region == site.region || !has_spare_capacity(clusters, other, spare_reserves)) continue;
      if (world.relatedness[site.sector][o.sector] < params.partnership.related_sector_weight) continue;
      if (s.of_cluster[other] != kNoMetacluster) {  // join its meta-cluster
        const auto m = static_cast<std::size_t>(s.of_cluster[other]);
        if (!pay(clusters, c, contribution)) break;
        s.budget_cents[m] += contribution;
        s.of_cluster[c] = static_cast<std::int32_t>(m);
        s.engagement[c] = p.initial_engagement;
        ++s.members[m];
        hand_over_seed(s, clusters, c);
        break;
      }
      // A new one: the two founders pay the seed, from seed money they hold first, then
      // from their reserves; any further seed money they hold becomes its budget too.
      const auto slot = std::find(s.active.begin(), s.active.end(), std::uint8_t{0});
      if (slot == s.active.end()) break;
      // The seed in whole cents: the first founder pays the odd cent.
      const Money second = seed_cents / 2, first = seed_cents - second;
      if (clusters.held_seed_cents[c] + clusters.budget_cents[c] < first ||
          clusters.held_seed_cents[other] + clusters.budget_cents[other] < second)
        continue;
      pay_seed(clusters, c, first);
      pay_seed(clusters, other, second);
      const auto m = static_cast<std::size_t>(slot - s.active.begin());
      s.active[m] = 1;
      s.budget_cents[m] = seed_cents;
      s.members[m] = 2;
      for (std::size_t x : {c, other}) {
        s.of_cluster[x] = static_cast<std::int32_t>(m);
        s.engagement[x] = p.initial_engagement;
        hand_over_seed(s, clusters, x);
      }
      break;
    }
  }
  s.external_seed_eur = 0.0;
}

}  // namespace clustersim::model
