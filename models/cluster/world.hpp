#pragma once
// The static world of a run: regions (NUTS-2), sectors (the 14 ecosystems) and cluster
// organisations' sites, plus how many SMEs each region holds in each sector at step 0.
// Built once per run from the built-in table of the EU-27's 242 NUTS 2021 regions, a
// regions CSV, or a synthetic EU-like world, and shared by all replicates so that
// replicates differ only in the agents. The geography depends on world.seed, never on
// run.seed; world.scale sizes it (docs/MODEL.md, "World").

#include <Eigen/Dense>

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
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
  /// Size against the real EU (world.scale, or population.smes / the table's SMEs).
  double scale = 1.0;
  std::vector<Region> regions;
  std::vector<ClusterSite> clusters;
  /// Cluster-placement weight of each cell (SMEs x LQ^exponent x propensity; place_clusters).
  std::vector<double> cluster_weight;
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

/// The built-in regions table (data/regions/nuts2021_eu27_model.csv, compiled into the
/// binary by a CMake step so that the executable runs from any directory).
std::string_view eu_regions_csv();

/// Fills the sizes that follow from world.scale: population.smes (world.scale x the
/// table's SMEs) or, when population.smes is given, world.scale (smes / the table's SMEs);
/// population.regions (the table's rows) and population.clusters (world.scale x
/// world.clusters_at_eu_scale, at least 1). Reads the regions table; throws ScenarioError
/// for a bad table or a population.regions that disagrees with it.
void resolve_world_size(Params& params);

/// Builds the world of resolved `params` (resolve_world_size): the built-in EU table,
/// population.regions_file, or the synthetic world. Throws ScenarioError for a bad CSV
/// (naming line and column) or inconsistent counts.
World build_world(const Params& params);

/// `name` in `known`, or a ScenarioError at (origin, key) naming the nearest known name.
void require_known(const std::string& name, const std::vector<std::string>& known, const std::string& origin,
                   const std::string& key, const std::string& what);

/// Checks that every region code, country and ecosystem an instrument's eligible.* lists
/// name exists in `world`; throws ScenarioError naming the file and key, with the nearest
/// existing name ("did you mean").
void check_eligible_names(const World& world, const std::vector<config::TableElement>& instruments);

/// Refuses an instrument no cluster of `world` is eligible for (it would spend nothing),
/// naming the scale at which about one cluster is expected in its eligible area.
void check_eligible_clusters(const World& world, const std::vector<config::TableElement>& instruments);

/// What `clustersim world` lists; no section chosen means all three.
struct WorldListing {
  bool regions = false, sectors = false, clusters = false, csv = false;
  int sections() const { return int{regions} + int{sectors} + int{clusters}; }
};

/// Lists the world: regions (code, name, country, level, SMEs, clusters, S3 priorities),
/// sectors (SMEs and clusters per ecosystem) and clusters (id, region, sectors, expected
/// members at start, SMEs of its cells), as aligned tables or as CSV. With more than one
/// section, each starts with a title line ("# regions" in CSV, a comment for CSV readers).
void print_world(const World& world, const WorldListing& what, std::ostream& out);

}  // namespace clustersim::model
