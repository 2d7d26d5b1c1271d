#pragma once
// Meta-clusters: clusters of clusters across borders and sectors (docs/MODEL.md,
// "Meta-clusters"). They form when related clusters in different regions have spare
// reserves and a seed can be paid; member clusters stay engaged while joint activity is
// funded and drift away without it; a meta-cluster with fewer than two members dissolves.
// Their effect reaches SMEs through a wider partner search (members' SMEs also search the
// other member clusters) and a wider market reach (easier export entry).

#include <cstdint>
#include <vector>

#include "models/cluster/organisations.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

inline constexpr std::int32_t kNoMetacluster = -1;

struct MetaclusterState {
  /// Per cluster: its meta-cluster (kNoMetacluster = none) and its engagement (0..1).
  std::vector<std::int32_t> of_cluster;
  std::vector<double> engagement;
  /// Per meta-cluster slot (capacity = clusters / 2, the most that can exist at once; a
  /// dissolved slot is reused): member count, budget, whether it operates.
  std::vector<std::int32_t> members;
  std::vector<Money> budget_cents;  ///< whole cents, like the clusters' books
  std::vector<std::uint8_t> active;
  /// Seed money paid to clusters this quarter (model.cpp sets it). No longer read: the seed
  /// each cluster holds (ClusterState::held_seed_cents) is what raises its formation hazard and
  /// becomes a meta-cluster's budget.
  double external_seed_eur = 0.0;

  std::size_t capacity() const { return members.size(); }
  std::int64_t count_active() const;
};

void start_metaclusters(MetaclusterState& state, std::size_t clusters);

/// One quarter, after the clusters' own update: contributions (paid from the clusters'
/// reserves and booked as their spending), joint activity, engagement, leaving, dissolving
/// and formation. Deterministic: clusters are visited in index order with keyed draws.
void update_metaclusters(MetaclusterState& state, ClusterState& clusters, const Params& params, const World& world,
                         std::uint64_t seed, std::int32_t step);

}  // namespace clustersim::model
