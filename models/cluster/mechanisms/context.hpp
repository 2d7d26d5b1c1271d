#pragma once
// What every per-SME mechanism may read during a step: the parameters, the uniforms drawn
// for this SME and step, and the "messages" computed from the previous step's aggregates
// (adopter shares, clusters' join probabilities). Mechanisms write only the SME's own row;
// everything that crosses agents goes through these messages or the aggregates.

#include <array>
#include <cstdint>
#include <vector>

#include "models/cluster/params.hpp"
#include "models/cluster/purposes.hpp"
#include "models/cluster/smes.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

using Draws = std::array<double, purpose::slot::kCount>;

struct Messages {
  /// Adopter shares among each SME's peers, indexed by peer group (see peer_group()).
  std::vector<double> digital_share, green_share;
  /// Bass survival ratio over the coming quarter for each peer group (adoption.hpp).
  std::vector<double> digital_survival, green_survival;
  /// Quarterly join probability of an eligible non-member for each cluster (0 if folded).
  std::vector<double> join_probability;
  /// 1 while the cluster operates, 0 once it has folded (its members are released).
  std::vector<std::uint8_t> cluster_active;
};

struct StepContext {
  const Params& params;
  const World& world;
  const Messages& messages;
  std::int32_t step;
};

/// Number of peer groups for adoption shares.
inline std::size_t peer_group_count(Peers peers, std::size_t regions, std::size_t clusters) {
  switch (peers) {
    case Peers::Region: return regions;
    case Peers::Sector: return kSectorCount;
    case Peers::Cluster: return clusters + regions;
    case Peers::Everyone: return 1;
  }
  return 1;
}

/// Index of the SME's peer group: with Peers::Cluster, members look at their cluster
/// (index = cluster) and non-members at their region (index = clusters + region).
inline std::size_t peer_group(Peers peers, std::uint16_t region, std::uint8_t sector, std::int32_t cluster,
                              std::size_t clusters) {
  switch (peers) {
    case Peers::Region: return region;
    case Peers::Sector: return sector;
    case Peers::Cluster: return cluster != kNoCluster ? static_cast<std::size_t>(cluster) : clusters + region;
    case Peers::Everyone: return 0;
  }
  return 0;
}

}  // namespace clustersim::model
