#pragma once
// Joint tenders, a cluster service (docs/MODEL.md 3.14): member SMEs of a cluster answer calls
// for tender together (Neopolia, Pays de la Loire, DOMAIN.md), win a contract with a
// probability set by the consortium's size and capability, and share its revenue over the
// contract's quarters. Runs serially, in two parts: before the SME phase the running contracts
// book this quarter's revenue to their firms (Smes::contract_revenue, part of each firm's
// turnover, so the aggregates, the markets and the SME panel count it), and after the
// clusters' update the service clusters bid. Draws are keyed by (seed, cluster, step,
// purpose::kJointTenders), so the output is bit-identical for any thread count.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/money.hpp"
#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/organisations.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/smes.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

struct JointTenderState {
  /// A won contract: its revenue is shared equally by the consortium's firms that are alive.
  struct Contract {
    std::uint32_t cluster = 0;
    Money cents_per_firm_per_quarter = 0;
    std::int32_t quarters_left = 0;
    std::vector<std::uint32_t> firms;  ///< SME ids
  };
  /// Indices of the clusters that run the service (fixed for a run).
  std::vector<std::uint32_t> service_clusters;
  // By cluster, this quarter:
  std::vector<std::int64_t> submitted, won;
  std::vector<double> revenue_eur;  ///< contract revenue booked to the firms of the cluster's contracts
  // By cluster, since the start of the replicate:
  std::vector<std::int64_t> firms_won;  ///< distinct SMEs that were in a winning consortium
  std::vector<std::vector<std::uint32_t>> winners;  ///< their ids, sorted
  std::vector<Contract> contracts;
};

/// The clusters that run the service: those in joint_tenders.regions serving a
/// joint_tenders.sectors ecosystem (empty lists: all), the max(1, round(world.scale x
/// clusters_at_eu_scale)) with the largest target membership, or all when that key is 0.
std::vector<std::uint32_t> joint_tender_clusters(const World& world, const JointTenderParams& p);

/// Refuses (ScenarioError from `origin`) region codes and ecosystems the world lacks, with the
/// nearest name, and an area without a cluster, with the scale at which one is expected.
void check_joint_tenders(const World& world, const JointTenderParams& p, const std::string& origin);

/// Empties the state (and the SMEs' booked contract revenue) for a replicate and fixes the
/// service clusters.
void start_joint_tenders(JointTenderState& state, Smes& smes, const World& world, const Params& params);

/// Start of a quarter, before the SME phase: clears the quarter's counts, and the running
/// contracts book this quarter's revenue to their firms alive at the end of the last quarter
/// (Smes::contract_revenue and event::kContractRevenue; exited firms' shares lapse); contracts
/// whose last quarter this is are then dropped.
void pay_joint_tender_contracts(JointTenderState& state, Smes& smes);

/// After the clusters' update: each service cluster's bids are drawn, their consortia formed
/// from its current members and decided; a won contract pays from the next quarter on.
/// `search` is the members-by-cluster snapshot of the end of the last step (rows still valid:
/// compaction comes later).
void update_joint_tenders(JointTenderState& state, const Params& params, const ClusterState& clusters,
                          const SearchIndex& search, const Smes& smes, std::uint64_t seed, std::int32_t step);

/// Win probability of a consortium of `smes` firms with capability `capability` (0-1):
/// logit p = logit(win_probability) + size_effect ln(smes / reference) + capability_effect
/// (capability - reference).
double joint_tender_win_probability(const JointTenderParams& p, double smes, double capability);

}  // namespace clustersim::model
