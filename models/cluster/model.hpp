#pragma once
// The cluster-policy model: SMEs, cluster organisations and regions. One step (a quarter),
// in model.cpp, in this order:
//   1. instruments — offers and cluster-level support for the quarter (instruments/);
//   2. messages    — adopter shares, join probabilities, ... from last step's aggregates
//                    (messages.cpp), and markets' displacement (mechanisms/market.cpp);
//   3. SME phase   — in parallel, each SME updates only its own row through the mechanisms
//                    (mechanisms/), then cross-SME tie requests are applied (ties.cpp);
//   4. entry       — start-ups per region, appended in region order (population.cpp);
//   5. aggregate   — exact integer sums by region, sector, cluster, ... (aggregation.cpp);
//   6. organisations — instruments settle, clusters and meta-clusters update;
//   7. compaction  — dead rows removed once they exceed a tenth of the table; the partner
//                    search index is rebuilt (ties.cpp).
// What is recorded is declared in recording.cpp. docs/MODEL.md describes every mechanism
// with its equation, parameters and sources.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/parallel/blocks.hpp"
#include "engine/sim/model.hpp"
#include "models/cluster/aggregation.hpp"
#include "models/cluster/instruments/programme.hpp"
#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/mechanisms/joint_tenders.hpp"
#include "models/cluster/mechanisms/market.hpp"
#include "models/cluster/messages.hpp"
#include "models/cluster/metaclusters.hpp"
#include "models/cluster/organisations.hpp"
#include "models/cluster/panel.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/smes.hpp"
#include "models/cluster/ties.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

class ClusterModel final : public sim::Model {
 public:
  explicit ClusterModel(Params params);

  void describe(record::Layout& layout) const override;
  void start_replicate(std::uint64_t seed) override;
  void step(std::int32_t step) override;
  void observe(record::Frame& frame) const override;
  std::size_t agent_count() const override { return static_cast<std::size_t>(aggregates_.total(counter("smes_active"))); }
  std::string agent_noun() const override { return "SME"; }
  std::string world_summary() const override;

  const Params& params() const { return params_; }
  const World& world() const { return world_; }
  const Smes& smes() const { return smes_; }
  const Aggregates& aggregates() const { return aggregates_; }
  /// The aggregates recounted from the SME table in one full pass. step() keeps aggregates()
  /// up to date incrementally; tests check that the two agree.
  Aggregates count_aggregates() const;
  const ClusterState& clusters() const { return clusters_; }
  const MetaclusterState& metaclusters() const { return metaclusters_; }
  const instruments::Programme& programme() const { return programme_; }
  /// This quarter's support offers, with each instrument's memory of the SMEs it supported.
  const SupportOffers& offers() const { return messages_.offers; }
  const Panel& panel() const { return panel_; }
  const JointTenderState& joint_tenders() const { return joint_tenders_; }
  const MarketState& markets() const { return market_; }

 private:
  struct Observable {
    record::VariableSpec spec;
    std::function<void(const ClusterModel&, std::vector<double>&)> fill;
  };
  static std::vector<Observable> observables();  // recording.cpp
  static void add_organisation_observables(std::vector<Observable>& out);
  static void add_instrument_observables(std::vector<Observable>& out);
  static void add_joint_tender_observables(std::vector<Observable>& out);

  void sme_phase(std::int32_t step, const AggregateLayout& layout, parallel::IntegerSums& sums,
                 std::vector<std::int64_t>& tie_corrections);
  void entry(std::int32_t step, const AggregateLayout& layout, parallel::IntegerSums& sums);
  void compact_if_needed();

  Params params_;
  World world_;
  std::vector<Observable> observables_;
  Panel panel_;  ///< the SME panel's series follow observables_ in the frame
  std::uint64_t seed_ = 0;
  Smes smes_;
  Aggregates aggregates_;
  ClusterState clusters_;
  MetaclusterState metaclusters_;
  JointTenderState joint_tenders_;  ///< the joint-tender service (mechanisms/joint_tenders.hpp)
  Messages messages_;
  instruments::Programme programme_;
  ClusterSupport cluster_support_;
  SearchIndex search_;
  TieClaims tie_claims_;  ///< scratch of apply_tie_requests, kept across steps
  TurnoverHistory turnover_;
  /// Cumulative initial SME counts by sector for each region, to draw entrants' sectors.
  std::vector<double> entrant_sector_cumulative_;
  MarketState market_;  ///< markets' region weights and this quarter's displacement (mechanisms/market.hpp)
};

/// The descriptor registered in clustersim's main().
sim::ModelDescriptor descriptor();

}  // namespace clustersim::model
