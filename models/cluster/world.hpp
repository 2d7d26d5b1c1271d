#pragma once
// The static world of a run: regions (NUTS-2-like), sectors (the 14 ecosystems) and
// cluster organisations' sites, plus how many SMEs each region holds in each sector at
// step 0. Built once per run from the master seed (synthetic EU-like world) or from a
// regions CSV, and shared by all replicates so that replicates differ only in the agents.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/cluster/params.hpp"
#include "models/cluster/sectors.hpp"

namespace clustersim::model {

enum class DevelopmentLevel : std::uint8_t { MoreDeveloped, Transition, LessDeveloped };
std::string_view to_string(DevelopmentLevel level);

struct Region {
  std::string code;     ///< e.g. "DE21"
  std::string name;
  std::string country;  ///< ISO 3166 alpha-2 (EL for Greece, as in NUTS)
  DevelopmentLevel level = DevelopmentLevel::MoreDeveloped;
  double lon_deg = 0, lat_deg = 0;
  /// Mean turnover per employee relative to a more developed region.
  double productivity_factor = 1.0;
};

inline constexpr std::uint8_t kNoSector = 0xFF;

struct ClusterSite {
  std::string id;  ///< e.g. "C0007"
  std::uint32_t region = 0;
  std::uint8_t sector = 0, second_sector = kNoSector;
  double target_members = 0;  ///< equilibrium membership (see docs/MODEL.md, Membership)
  double pool_smes = 0;       ///< SMEs of its region in its sectors at step 0
};

struct World {
  std::vector<Region> regions;
  std::vector<ClusterSite> clusters;
  /// smes[region * kSectorCount + sector] at step 0; sums to population.smes.
  std::vector<std::int64_t> initial_smes;
  /// Clusters serving (region, sector): cluster_index[cluster_start[k] .. cluster_start[k+1]),
  /// k = region * kSectorCount + sector. CSR layout keeps the lookup O(1) per SME.
  std::vector<std::uint32_t> cluster_start, cluster_index;

  std::size_t cell(std::size_t region, std::size_t sector) const { return region * kSectorCount + sector; }
};

/// Builds the synthetic world, or reads population.regions_file when it is set.
/// Throws ScenarioError for a bad CSV (naming line and column) or inconsistent counts.
World build_world(const Params& params);

}  // namespace clustersim::model
