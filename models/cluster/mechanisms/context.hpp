#pragma once
// What every per-SME mechanism may read during a step: the parameters, the uniforms drawn
// for this SME and step, and the "messages" computed from the previous step's aggregates
// (adopter shares, clusters' join probabilities). Mechanisms write only the SME's own row;
// everything that crosses agents goes through these messages or the aggregates.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/agents/table.hpp"
#include "models/cluster/organisations.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/mechanisms/selection.hpp"
#include "models/cluster/purposes.hpp"
#include "models/cluster/smes.hpp"
#include "models/cluster/support.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

/// The SME's uniforms for this step: raw 32-bit draws, converted to (0, 1) only when a
/// mechanism reads one (many slots go unread, e.g. adoption by adopters). A view into the
/// draws of a chunk of rows (engine/random/batch.hpp): slot k of this SME is raw[k * stride].
struct Draws {
  const std::uint32_t* raw;
  /// The SME's two standard-normal growth shocks, shocks[0] and shocks[stride] (growth.hpp).
  const float* shocks;
  std::size_t stride;
  double operator[](int slot) const {
    return (static_cast<double>(raw[static_cast<std::size_t>(slot) * stride]) + 0.5) * 0x1p-32;
  }
  float shock(int k) const { return shocks[static_cast<std::size_t>(k) * stride]; }
};

struct Messages {
  /// Adopter shares among each SME's peers, indexed by peer group (see peer_group()).
  std::vector<double> digital_share, green_share;
  /// Bass survival ratio over the coming quarter for each peer group (adoption.hpp).
  std::vector<double> digital_survival, green_survival;
  /// Quarterly join probability of an eligible non-member for each cluster (0 if folded).
  std::vector<double> join_probability;
  /// Sum of join_probability over the clusters serving each (region, sector) cell, in the
  /// order of world.cluster_index: every non-member reads it (membership.hpp).
  std::vector<double> cell_join_total;
  /// e^{-(p_i - p)} of a member of each cluster, digital and green (adoption.hpp).
  std::vector<double> member_digital_factor, member_green_factor;
  /// 1 while the cluster operates, 0 once it has folded (its members are released).
  std::vector<std::uint8_t> cluster_active;
  /// Per-member effect of each cluster's services this quarter (organisations.hpp).
  std::vector<ServiceEffects> service_effects;
  /// Meta-clusters: each cluster's meta-cluster (-1 none) and engagement, and the member
  /// clusters of each meta-cluster (metacluster_clusters[metacluster_start[m] ..]).
  std::vector<std::int32_t> metacluster_of;
  std::vector<double> engagement;
  std::vector<std::uint32_t> metacluster_start, metacluster_clusters;
  /// Knowledge an SME of each region absorbs per quarter (regional and spilled-over).
  std::vector<double> region_knowledge_inflow;
  /// Mean productivity of each region's SMEs last quarter (EUR/employee/year; growth selects on it).
  std::vector<double> region_mean_productivity;
  /// Last quarter's growth of regional turnover (log ratio; 0 before two quarters exist).
  std::vector<double> region_demand_growth;
  /// Extra log growth of the region's SMEs from its knowledge and last quarter's demand.
  std::vector<double> region_growth_bonus;
  /// Log-productivity gain per quarter from closing the region's gap to the frontier, before
  /// the SME's own absorptive capacity (messages.cpp, catch_up_messages; 0 when switched off).
  std::vector<double> region_catch_up;
  /// Extra employment growth this many quarters after an innovation, per unit of
  /// growth.innovation_boost_per_quarter (index = quarters_since_innovation; growth.hpp).
  std::array<float, 256> innovation_lag_weights{};
  /// Largest factor size-dependent exit applies, at exit.min_employees (exit.hpp).
  double size_exit_max_factor = 1.0;
  /// Markets (mechanisms/market.hpp), by (region, sector) cell: the competitors' mean growth
  /// boost that an SME's excess is measured against, and the log employment growth the
  /// competitors lose this quarter to beneficiaries' excess growth (empty when switched off).
  std::vector<float> market_mean_boost, market_loss;
  /// Selection (mechanisms/selection.hpp): the weights, and last quarter's mean score of each
  /// cell's free non-members and of each cluster's members (1 where there is none).
  SelectionWeights selection;
  std::vector<float> selection_cell_mean, selection_cluster_mean;
  /// Policy-instrument support offered this quarter (support.hpp; empty without instruments).
  SupportOffers offers;
};

/// Last step's snapshot of who can be found where, for partner search: living SMEs by
/// region and cluster members by cluster, with the attributes the search scores. Built after
/// each step's aggregation (counting sort, parallel over regions), read-only during a step.
struct SearchIndex {
  struct Entry {
    std::uint32_t id, row;  ///< rows stay valid until the next compaction, after the requests are applied
    std::int32_t cluster;
    std::uint8_t sector;
  };
  /// Every entry is rewritten by each rebuild (build_search_index), so the lists are not
  /// zeroed when they grow.
  agents::DefaultInitVector<Entry> region_entries, cluster_entries;
  /// Scratch of the rebuild, kept across steps for its capacity: per block of rows, the
  /// regions its living SMEs belong to, with their count and first place in region_entries.
  struct RegionRun {
    std::uint32_t region, count, offset;
  };
  std::vector<std::vector<RegionRun>> region_runs;
  std::vector<std::uint32_t> region_start, cluster_start;
  /// Row-wise cumulative partner-search weights between regions (R x R, row-major):
  /// affinity(r, r') x living SMEs of r'.
  std::vector<double> region_cumulative;
  std::size_t regions = 0;

  std::size_t pick_region(std::size_t from, double u) const {
    const double* row = &region_cumulative[from * regions];
    const double target = u * row[regions - 1];
    std::size_t lo = 0, hi = regions - 1;
    while (lo < hi) {  // first r with row[r] > target
      const std::size_t mid = (lo + hi) / 2;
      if (row[mid] > target) hi = mid; else lo = mid + 1;
    }
    return lo;
  }
};

/// A cross-agent partnership change, emitted in the parallel phase and applied serially.
struct TieRequest {
  enum Kind : std::uint8_t { kEnd, kUnlinkAll, kForm };
  static constexpr std::uint32_t kUnknownRow = 0xFFFFFFFFu;
  std::uint32_t from, to;
  std::uint32_t from_row, to_row;  ///< rows when known (kUnknownRow: look up by id)
  Kind kind;
};

/// The effect of service k of the SME's cluster, 0 for non-members.
inline float service_effect(const Messages& m, std::int32_t cluster, Service k) {
  return cluster == kNoCluster ? 0.0f : m.service_effects[static_cast<std::size_t>(cluster)][k];
}

struct StepContext {
  const Params& params;
  const World& world;
  const Messages& messages;
  const SearchIndex& search;
  std::uint64_t seed;
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
