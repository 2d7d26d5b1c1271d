#pragma once
// The static world of a run: regions (NUTS-2-like), sectors (the 14 ecosystems) and
// cluster organisations' sites, plus how many SMEs each region holds in each sector at
// step 0. Built once per run from the master seed (synthetic EU-like world) or from a
// regions CSV, and shared by all replicates so that replicates differ only in the agents.

#include <Eigen/Dense>

#include <array>
#include <optional>
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
  /// Scales the knowledge SMEs of the region absorb (region.absorptive_*).
  double absorptive_capacity = 1.0;
  /// The region's own start-up rate from the regions file (column startup_rate_per_quarter).
  std::optional<double> startup_rate_per_quarter;
  /// Smart-specialisation priorities: the ecosystems with the highest location quotients.
  std::vector<std::uint8_t> s3_sectors;
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

  /// A small integer per country, by region, for cheap same-country tests.
  std::vector<std::uint16_t> country_index;
  /// Great-circle distances between regions (km).
  Eigen::MatrixXd distance_km;
  /// Interregional knowledge spillover weights: exp(-d / region.spillover_decay_km), zero
  /// diagonal, rows summing to one. Used once per step as a matrix-vector product, so no
  /// per-SME work grows with the number of regions.
  Eigen::MatrixXd spillover_weights;
  /// Partner-search affinity between regions: 1 for the own region; otherwise
  /// partnership.other_region_factor x exp(-d / partnership.distance_decay_km), times
  /// partnership.cross_border_factor across countries.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> partner_affinity;  ///< row-major: read row by row each step
  /// Acceptance weight of a partner by ecosystem pair (1 same, related, unrelated).
  std::array<std::array<float, kSectorCount>, kSectorCount> relatedness{};

  std::size_t cell(std::size_t region, std::size_t sector) const { return region * kSectorCount + sector; }
};

/// Great-circle distance (haversine, Earth radius 6371 km).
double distance_km(double lon1_deg, double lat1_deg, double lon2_deg, double lat2_deg);

/// Builds the synthetic world, or reads population.regions_file when it is set.
/// Throws ScenarioError for a bad CSV (naming line and column) or inconsistent counts.
World build_world(const Params& params);

}  // namespace clustersim::model
