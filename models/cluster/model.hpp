#pragma once
// The cluster-policy model: SMEs, cluster organisations and regions. One step (a quarter):
//   1. messages   — adopter shares and join probabilities from last step's aggregates;
//   2. SME phase  — in parallel, each SME updates only its own row through the mechanisms
//                   (membership, innovation, exporting, adoption, partnership, growth, exit);
//   3. entry      — start-ups per region, appended in region order;
//   4. aggregate  — exact integer sums by region, sector and cluster;
//   5. clusters   — budgets, folding;
//   6. compaction — dead rows removed once they exceed a tenth of the table.
// docs/MODEL.md describes every mechanism with its equation, parameters and sources.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/parallel/blocks.hpp"
#include "engine/sim/model.hpp"
#include "models/cluster/instruments/programme.hpp"
#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/metaclusters.hpp"
#include "models/cluster/organisations.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/smes.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

/// Exact step totals. Money is held in cents and employment in milli-FTE as int64, so the
/// sums do not depend on how rows were spread over threads.
struct Aggregates {
  enum RegionSlot : std::size_t {
    kActive, kEmploymentMilli, kTurnoverCents, kInnovating, kPartnered, kExporting, kDigital, kGreen,
    kEntered, kExited, kMembers, kCrossRegionTies, kPartnerships, kKnowledgeMicro, kSkillsInvesting,
    kProductInnovations, kProcessInnovations, kMemberDigital, kProductivityEur,
    // Instrument support (mechanisms/support.hpp), SMEs in the quarter:
    kSupported, kSupportedIntl, kSupportedDigital, kSupportedGreen, kSupportedOutside, kMobility, kMentoring, kRegionSlots
  };
  /// Per instrument, SMEs it supported in the quarter: [instrument * kInstrumentSlots + slot].
  enum InstrumentSlot : std::size_t { kISupported, kIPartnered, kIProduct, kIProcess, kISkills, kIIntl, kIDigital,
                                      kIGreen, kIOutside, kIMobility, kIMentoring, kInstrumentSlots };
  std::vector<std::int64_t> instrument;
  enum SectorSlot : std::size_t { kSectorActive, kSectorEmploymentMilli, kSectorTurnoverCents, kSectorDigital,
                                  kSectorGreen, kSectorSlots };
  std::vector<std::int64_t> region;        ///< [region * kRegionSlots + slot]
  std::vector<std::int64_t> sector;        ///< [sector * kSectorSlots + slot]
  std::vector<std::int64_t> cluster_members;
  std::vector<std::int64_t> cell_active;   ///< [region * kSectorCount + sector]
  std::vector<std::int64_t> cell_members;  ///< cluster members by cell
  /// Adoption peer groups (mechanisms/context.hpp, peer_group()): [group * kPeerSlots + slot].
  enum PeerSlot : std::size_t { kPeerActive, kPeerDigital, kPeerGreen, kPeerSlots };
  std::vector<std::int64_t> peer;
  std::int64_t rows_dead = 0;

  std::int64_t region_value(std::size_t r, RegionSlot slot) const { return region[r * kRegionSlots + slot]; }
  std::int64_t total(RegionSlot slot) const;
};

class ClusterModel final : public sim::Model {
 public:
  explicit ClusterModel(Params params);

  void describe(record::Layout& layout) const override;
  void start_replicate(std::uint64_t seed) override;
  void step(std::int32_t step) override;
  void observe(record::Frame& frame) const override;
  std::size_t agent_count() const override { return static_cast<std::size_t>(aggregates_.total(Aggregates::kActive)); }
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

 private:
  struct Observable {
    record::VariableSpec spec;
    std::function<void(const ClusterModel&, std::vector<double>&)> fill;
  };
  static std::vector<Observable> observables();

  /// Where each aggregate lives in the flat vector of integer sums (regions first, at 0).
  struct AggregateOffsets {
    std::size_t sector, cluster, cell, cell_member, peer, instrument, dead, slots;
    std::size_t clusters;
    Peers peers;
    std::int64_t recent_quarters;
  };
  AggregateOffsets aggregate_offsets() const;
  void accumulate(const AggregateOffsets& offsets, std::int64_t* sums, std::size_t row) const;
  Aggregates unpack_aggregates(const AggregateOffsets& offsets, const std::vector<std::int64_t>& sums) const;

  void create_initial_smes();
  void prepare_messages();
  void sme_phase(std::int32_t step, const AggregateOffsets& offsets, parallel::IntegerSums& sums,
                 std::vector<std::int64_t>& tie_corrections);
  void entry(std::int32_t step, const AggregateOffsets& offsets, parallel::IntegerSums& sums);
  void compact_if_needed();
  void apply_tie_requests(const parallel::BlockBuffers<TieRequest>& requests, const AggregateOffsets& offsets,
                          std::vector<std::int64_t>& corrections);
  void build_search_index();

  Params params_;
  World world_;
  std::vector<Observable> observables_;
  std::uint64_t seed_ = 0;
  Smes smes_;
  Aggregates aggregates_;
  ClusterState clusters_;
  MetaclusterState metaclusters_;
  Messages messages_;
  instruments::Programme programme_;
  ClusterSupport cluster_support_;
  SearchIndex search_;
  /// Regional turnover of the last two quarters, for the demand feedback on growth.
  std::vector<double> turnover_last_, turnover_before_;
  /// Cumulative initial SME counts by sector for each region, to draw entrants' sectors.
  std::vector<double> entrant_sector_cumulative_;
};

/// The descriptor registered in clustersim's main().
sim::ModelDescriptor descriptor();

}  // namespace clustersim::model
