#include "models/cluster/world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <ostream>

#include "engine/config/csv.hpp"
#include "engine/config/schema.hpp"
#include "engine/core/error.hpp"
#include "engine/random/stream.hpp"
#include "models/cluster/purposes.hpp"

namespace clustersim::model {

std::string_view to_string(DevelopmentLevel level) {
  switch (level) {
    case DevelopmentLevel::MoreDeveloped: return "more_developed";
    case DevelopmentLevel::Transition: return "transition";
    case DevelopmentLevel::LessDeveloped: return "less_developed";
  }
  return "?";
}

namespace {

// EU-27 NUTS 2021 level-2 region counts (242 in all), approximate 2021–2027 cohesion
// categories (more developed, transition, less developed) and country centroids. The
// synthetic world only needs plausible magnitudes; docs/MODEL.md lists the sources.
struct Country {
  const char* code;
  const char* name;
  int nuts2, more, transition;  // less developed = nuts2 - more - transition
  double lon, lat;
};
constexpr Country kCountries[] = {
    {"AT", "Austria", 9, 8, 1, 14.5, 47.5},       {"BE", "Belgium", 11, 7, 4, 4.5, 50.6},
    {"BG", "Bulgaria", 6, 0, 1, 25.5, 42.7},      {"CY", "Cyprus", 1, 0, 1, 33.2, 35.0},
    {"CZ", "Czechia", 8, 1, 1, 15.5, 49.8},       {"DE", "Germany", 38, 30, 8, 10.4, 51.1},
    {"DK", "Denmark", 5, 5, 0, 9.5, 56.0},        {"EE", "Estonia", 1, 0, 1, 25.0, 58.7},
    {"EL", "Greece", 13, 0, 4, 22.5, 39.0},       {"ES", "Spain", 19, 9, 5, -3.7, 40.2},
    {"FI", "Finland", 5, 4, 1, 26.0, 62.5},       {"FR", "France", 27, 8, 14, 2.3, 46.6},
    {"HR", "Croatia", 4, 1, 0, 16.0, 45.1},       {"HU", "Hungary", 8, 1, 0, 19.4, 47.2},
    {"IE", "Ireland", 3, 2, 1, -8.0, 53.2},       {"IT", "Italy", 21, 12, 3, 12.5, 42.8},
    {"LT", "Lithuania", 2, 1, 0, 23.9, 55.3},     {"LU", "Luxembourg", 1, 1, 0, 6.1, 49.8},
    {"LV", "Latvia", 1, 0, 0, 24.6, 56.9},        {"MT", "Malta", 1, 0, 1, 14.4, 35.9},
    {"NL", "Netherlands", 12, 12, 0, 5.3, 52.1},  {"PL", "Poland", 17, 1, 0, 19.4, 52.1},
    {"PT", "Portugal", 7, 1, 2, -8.2, 39.6},      {"RO", "Romania", 8, 1, 0, 25.0, 45.9},
    {"SE", "Sweden", 8, 8, 0, 15.0, 60.5},        {"SI", "Slovenia", 2, 1, 0, 14.8, 46.1},
    {"SK", "Slovakia", 4, 1, 0, 19.7, 48.7},
};

double productivity_factor(DevelopmentLevel level) {
  switch (level) {
    case DevelopmentLevel::MoreDeveloped: return 1.0;
    case DevelopmentLevel::Transition: return 0.75;
    case DevelopmentLevel::LessDeveloped: return 0.5;
  }
  return 1.0;
}

/// Largest-remainder apportionment of `total` over `weights` (deterministic, exact sum).
std::vector<std::int64_t> apportion(std::int64_t total, const std::vector<double>& weights) {
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  CLUSTERSIM_ASSERT(sum > 0, "apportioning over zero weights");
  std::vector<std::int64_t> out(weights.size());
  std::vector<std::pair<double, std::size_t>> remainders(weights.size());
  std::int64_t assigned = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(total) * weights[i] / sum;
    out[i] = static_cast<std::int64_t>(std::floor(exact));
    assigned += out[i];
    remainders[i] = {exact - std::floor(exact), i};
  }
  // Ties broken by index so the result never depends on sort stability.
  std::sort(remainders.begin(), remainders.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (std::int64_t k = 0; k < total - assigned; ++k) ++out[remainders[static_cast<std::size_t>(k)].second];
  return out;
}

/// Apportions `total` SMEs over (region, sector) cells in two stages, regions first, so that
/// every region keeps at least the whole part of its share in a small world.
std::vector<std::int64_t> apportion_cells(std::int64_t total, const std::vector<double>& cell_weights) {
  const std::size_t R = cell_weights.size() / kSectorCount;
  std::vector<double> region_weights(R, 0.0);
  for (std::size_t k = 0; k < cell_weights.size(); ++k) region_weights[k / kSectorCount] += cell_weights[k];
  const auto per_region = apportion(total, region_weights);
  std::vector<std::int64_t> out(cell_weights.size(), 0);
  for (std::size_t r = 0; r < R; ++r) {
    if (per_region[r] == 0) continue;
    const std::vector<double> w(cell_weights.begin() + static_cast<std::ptrdiff_t>(r * kSectorCount),
                                cell_weights.begin() + static_cast<std::ptrdiff_t>((r + 1) * kSectorCount));
    const auto part = apportion(per_region[r], w);
    std::copy(part.begin(), part.end(), out.begin() + static_cast<std::ptrdiff_t>(r * kSectorCount));
  }
  return out;
}

std::size_t pick_weighted(const std::vector<double>& cumulative, double u) {
  const double target = u * cumulative.back();
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

/// Each region's sector mix around the table's (or the EU) mix: a log-normal factor
/// exp(sigma z - sigma^2/2) per (region, sector), z keyed by (world.seed, region, sector), and
/// knowledge-intensive ecosystems tilted by development level; the region's total is kept.
/// Stands in for regional business statistics by ecosystem, which the shipped table lacks
/// (docs/DATA.md, "Sectors").
void specialise(const Params& p, const std::vector<Region>& regions, std::vector<double>& cell_weights) {
  const double sigma = p.world.specialisation_sigma, tilt = p.world.knowledge_tilt;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const double level_tilt = regions[r].level == DevelopmentLevel::MoreDeveloped   ? 1.0 + tilt
                              : regions[r].level == DevelopmentLevel::LessDeveloped ? 1.0 - tilt
                                                                                    : 1.0;
    double before = 0, after = 0;
    std::array<double, kSectorCount> w{};
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      const double base = cell_weights[r * kSectorCount + s];
      random::Stream rng(static_cast<std::uint64_t>(p.world.seed), r, static_cast<std::uint32_t>(s),
                         purpose::kWorldSpecialisation);
      w[s] = base * std::exp(sigma * rng.normal() - 0.5 * sigma * sigma) * (kSectors[s].knowledge_intensive ? level_tilt : 1.0);
      before += base;
      after += w[s];
    }
    for (std::size_t s = 0; s < kSectorCount; ++s) cell_weights[r * kSectorCount + s] = after > 0 ? w[s] * before / after : 0.0;
  }
}

void build_synthetic_regions(const Params& p, World& w) {
  const auto n_regions = static_cast<std::size_t>(p.population.regions);
  std::vector<double> country_weights;
  for (const auto& c : kCountries) country_weights.push_back(c.nuts2);
  const auto per_country = apportion(static_cast<std::int64_t>(n_regions), country_weights);

  for (std::size_t ci = 0; ci < std::size(kCountries); ++ci) {
    const Country& c = kCountries[ci];
    const auto n = static_cast<std::size_t>(per_country[ci]);
    // Scale the cohesion-category counts to the country's (possibly rescaled) region count.
    const auto n_more = static_cast<std::size_t>(std::lround(static_cast<double>(c.more) * static_cast<double>(n) / c.nuts2));
    const auto n_transition =
        static_cast<std::size_t>(std::lround(static_cast<double>(c.transition) * static_cast<double>(n) / c.nuts2));
    for (std::size_t k = 0; k < n; ++k) {
      Region r;
      r.code = std::string(c.code) + (k + 1 < 10 ? "0" : "") + std::to_string(k + 1);
      r.name = std::string(c.name) + " region " + std::to_string(k + 1);
      r.country = c.code;
      r.level = k < n_more                  ? DevelopmentLevel::MoreDeveloped
                : k < n_more + n_transition ? DevelopmentLevel::Transition
                                            : DevelopmentLevel::LessDeveloped;
      r.productivity_factor = productivity_factor(r.level);
      random::Stream rng(static_cast<std::uint64_t>(p.world.seed), w.regions.size(), 0, purpose::kWorldRegion);
      const double spread_deg = 0.8 * std::sqrt(static_cast<double>(c.nuts2));
      r.lon_deg = c.lon + spread_deg * (rng.uniform() - 0.5) * 2.0;
      r.lat_deg = c.lat + spread_deg * (rng.uniform() - 0.5);
      w.regions.push_back(std::move(r));
    }
  }

  // Zipf-like sizes: a seeded random rank per region, weight = rank^-exponent.
  const std::size_t R = w.regions.size();
  std::vector<std::size_t> rank(R);
  std::iota(rank.begin(), rank.end(), 1);
  random::Stream shuffle(static_cast<std::uint64_t>(p.world.seed), 0, 0, purpose::kWorldRegionOrder);
  for (std::size_t i = R; i > 1; --i) std::swap(rank[i - 1], rank[shuffle.below(static_cast<std::uint32_t>(i))]);

  std::vector<double> cell_weights(R * kSectorCount);
  for (std::size_t r = 0; r < R; ++r) {
    const double region_weight = std::pow(static_cast<double>(rank[r]), -p.population.region_zipf_exponent);
    for (std::size_t s = 0; s < kSectorCount; ++s) cell_weights[w.cell(r, s)] = region_weight * kSectors[s].default_sme_share;
  }
  specialise(p, w.regions, cell_weights);
  w.initial_smes = apportion_cells(p.population.smes, cell_weights);
}

DevelopmentLevel parse_level(const config::CsvTable& t, std::size_t row, std::size_t col) {
  const std::string& v = t.nonempty(row, col);
  if (v == "more_developed") return DevelopmentLevel::MoreDeveloped;
  if (v == "transition") return DevelopmentLevel::Transition;
  if (v == "less_developed") return DevelopmentLevel::LessDeveloped;
  t.fail(row, col, "must be one of more_developed, transition, less_developed; got \"" + v + "\"");
}

/// Splits the built-in CSV text into a CsvTable (RFC 4180 quoting, '#' comment lines), so
/// that its cells are read and reported exactly like a file's.
config::CsvTable parse_builtin(std::string_view text, const std::string& name) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::size_t> lines;
  std::size_t line = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view row = text.substr(at, end - at);
    at = end + 1;
    ++line;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (row.empty() || row.front() == '#') continue;
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const char c = row[i];
      if (quoted && c == '"' && i + 1 < row.size() && row[i + 1] == '"') fields.back() += c, ++i;
      else if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) fields.emplace_back();
      else fields.back() += c;
    }
    records.push_back(std::move(fields));
    lines.push_back(line);
  }
  CLUSTERSIM_ASSERT(records.size() > 1, "the built-in regions table is empty");
  std::vector<std::string> header = std::move(records.front());
  const std::size_t header_line = lines.front();
  records.erase(records.begin());
  lines.erase(lines.begin());
  for (const auto& r : records) CLUSTERSIM_ASSERT(r.size() == header.size(), "built-in regions table: ragged row");
  return config::CsvTable(name, std::move(header), std::move(records), std::move(lines), header_line);
}

/// The regions and their SMEs by sector, as a regions table gives them.
struct RegionTable {
  std::string file;
  std::vector<Region> regions;
  std::vector<double> cell_smes;  ///< region-major, kSectorCount per region
  double total_smes = 0;
};

const char* const kBuiltinName = "data/regions/nuts2021_eu27_model.csv (built in)";

/// Reads population.regions_file, or the built-in EU table when it is not set.
RegionTable read_region_table(const Params& p) {
  const bool builtin = p.population.regions_file.empty();
  const auto table = builtin ? parse_builtin(eu_regions_csv(), kBuiltinName) : config::read_csv(p.population.regions_file);
  const std::size_t c_code = table.column("code"), c_name = table.column("name"),
                    c_country = table.column("country"), c_level = table.column("development_level"),
                    c_lon = table.column("lon"), c_lat = table.column("lat");
  std::array<std::size_t, kSectorCount> c_sector{};
  for (std::size_t s = 0; s < kSectorCount; ++s) c_sector[s] = table.column("smes_" + std::string(kSectors[s].key));
  for (std::size_t col = 0; col < table.header().size(); ++col) {
    const std::string& h = table.header()[col];
    if (h.rfind("smes_", 0) == 0 && std::find(c_sector.begin(), c_sector.end(), col) == c_sector.end())
      table.fail_header(col, "unknown sector column; sector columns are smes_<ecosystem>, e.g. smes_digital");
  }
  const bool has_startup_rate = table.has_column("startup_rate_per_quarter");
  const std::size_t c_startup = has_startup_rate ? table.column("startup_rate_per_quarter") : 0;
  if (table.rows() == 0)
    throw ScenarioError(table.file().string(), "line " + std::to_string(table.header_line() + 1),
                        "no data rows after the header; a regions file needs one row per region");

  RegionTable out;
  out.file = table.file().string();
  out.cell_smes.resize(table.rows() * kSectorCount);
  for (std::size_t row = 0; row < table.rows(); ++row) {
    Region r;
    r.code = table.nonempty(row, c_code);
    for (const auto& other : out.regions)
      if (other.code == r.code) table.fail(row, c_code, "duplicate region code \"" + r.code + "\"");
    r.name = table.nonempty(row, c_name);
    r.country = table.nonempty(row, c_country);
    r.level = parse_level(table, row, c_level);
    r.productivity_factor = productivity_factor(r.level);
    r.lon_deg = table.real(row, c_lon, -180, 180);
    r.lat_deg = table.real(row, c_lat, -90, 90);
    if (has_startup_rate) r.startup_rate_per_quarter = table.real(row, c_startup, 0, 1);
    double total = 0;
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      const auto count = static_cast<double>(table.integer(row, c_sector[s], 0, 1'000'000'000));
      out.cell_smes[row * kSectorCount + s] = count;
      total += count;
    }
    if (total <= 0) table.fail(row, c_sector[0], "a region needs at least one SME in some sector");
    out.total_smes += total;
    out.regions.push_back(std::move(r));
  }
  return out;
}

void read_regions_csv(const Params& p, World& w) {
  RegionTable t = read_region_table(p);
  if (static_cast<std::int64_t>(t.regions.size()) != p.population.regions)
    throw ScenarioError(t.file, "population.regions",
                        "the file has " + std::to_string(t.regions.size()) + " regions but population.regions is " +
                            std::to_string(p.population.regions) + "; set population.regions = " +
                            std::to_string(t.regions.size()) + " (or 0: the file's rows)");
  w.regions = std::move(t.regions);
  // The built-in table gives every region the EU mix; a user's file keeps its own.
  if (p.population.regions_file.empty()) specialise(p, w.regions, t.cell_smes);
  // population.smes rescales the table's counts (world.scale), keeping every region and its
  // sectoral structure.
  w.initial_smes = apportion_cells(p.population.smes, t.cell_smes);
}

/// Location quotients by cell: the sector's share of the region's SMEs over its EU share.
std::vector<double> location_quotients(const World& w) {
  const std::size_t R = w.regions.size();
  std::array<double, kSectorCount> eu{};
  double eu_total = 0;
  std::vector<double> region_total(R, 0.0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      const auto n = static_cast<double>(w.initial_smes[w.cell(r, s)]);
      eu[s] += n;
      eu_total += n;
      region_total[r] += n;
    }
  std::vector<double> lq(R * kSectorCount, 0.0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      const double share = region_total[r] > 0 ? static_cast<double>(w.initial_smes[w.cell(r, s)]) / region_total[r] : 0.0;
      const double eu_share = eu_total > 0 ? eu[s] / eu_total : 0.0;
      lq[w.cell(r, s)] = eu_share > 0 ? share / eu_share : 0.0;
    }
  return lq;
}

/// Cluster sites: a systematic sample of population.clusters points along the cumulative
/// placement weight of the (region, sector) cells, SMEs x LQ^cluster_lq_exponent x the
/// ecosystem's cluster propensity (docs/MODEL.md, "World"). Every cell receives its expected
/// number of clusters to within one, so a smaller world keeps a proportionate network; the
/// sample's offset and each cluster's own draws are keyed by world.seed, never run.seed.
void place_clusters(const Params& p, World& w) {
  const std::size_t cells = w.regions.size() * kSectorCount;
  const auto lq = location_quotients(w);
  std::vector<double> weight(cells), cumulative(cells);
  double acc = 0;
  // Critical mass: a cell whose real ecosystem (its SMEs / world.scale) cannot hold a
  // cluster of mean size (target_members_mean / max_share_of_pool SMEs) weighs less, so
  // sites prefer ecosystems large enough to sustain 150-200 members. Measured at the real
  // size, the weights, and so the network, are the same at every scale.
  const double critical_mass = p.membership.target_members_mean / std::max(p.membership.max_share_of_pool, 1e-9);
  for (std::size_t k = 0; k < cells; ++k) {
    const auto n = static_cast<double>(w.initial_smes[k]);
    const double mass = std::min(1.0, n / w.scale / critical_mass);
    weight[k] = n * mass * mass * std::pow(lq[k], p.world.cluster_lq_exponent) *
                kSectors[k % kSectorCount].cluster_propensity;
    acc += weight[k];
    cumulative[k] = acc;
  }
  CLUSTERSIM_ASSERT(acc > 0, "no cell can host a cluster");
  w.cluster_weight = weight;
  const auto world_seed = static_cast<std::uint64_t>(p.world.seed);
  const auto n_clusters = static_cast<std::size_t>(p.population.clusters);
  const double offset = random::Stream(world_seed, 0, 0, purpose::kWorldClusterPlacement).uniform();
  for (std::size_t c = 0; c < n_clusters; ++c) {
    random::Stream rng(world_seed, c, 0, purpose::kWorldCluster);
    ClusterSite site;
    site.id = fmt::format("C{:04d}", c + 1);
    const std::size_t cell = pick_weighted(cumulative, (static_cast<double>(c) + offset) / static_cast<double>(n_clusters));
    site.region = static_cast<std::uint32_t>(cell / kSectorCount);
    site.sector = static_cast<std::uint8_t>(cell % kSectorCount);
    if (rng.bernoulli(p.clusters.second_sector_share)) {
      // Second ecosystem: weighted like the first within the region, excluding it.
      double without = 0;
      std::vector<double> cum(kSectorCount);
      for (std::size_t s = 0; s < kSectorCount; ++s) {
        if (s != site.sector) without += weight[w.cell(site.region, s)];
        cum[s] = without;
      }
      if (without > 0) site.second_sector = static_cast<std::uint8_t>(pick_weighted(cum, rng.uniform()));
    }
    site.pool_smes = static_cast<double>(w.initial_smes[w.cell(site.region, site.sector)]);
    if (site.second_sector != kNoSector)
      site.pool_smes += static_cast<double>(w.initial_smes[w.cell(site.region, site.second_sector)]);
    const double sigma = p.membership.target_members_sigma;
    const double target = p.membership.target_members_mean * std::exp(sigma * rng.normal() - 0.5 * sigma * sigma);
    site.target_members = std::min(target, p.membership.max_share_of_pool * site.pool_smes);
    w.clusters.push_back(std::move(site));
  }
  // Clusters sharing a main cell split its max_share_of_pool between them, so an SME's
  // joining probabilities (target / pool, summed over its cell's clusters) stay below one.
  std::vector<double> cell_targets(cells, 0.0);
  for (const auto& c : w.clusters) cell_targets[w.cell(c.region, c.sector)] += c.target_members;
  for (auto& c : w.clusters) {
    const double cap = p.membership.max_share_of_pool * static_cast<double>(w.initial_smes[w.cell(c.region, c.sector)]);
    const double sum = cell_targets[w.cell(c.region, c.sector)];
    if (sum > cap && sum > 0) c.target_members *= cap / sum;
  }

  // CSR index: clusters serving each (region, sector) cell.
  std::vector<std::uint32_t> count(cells + 1, 0);
  for (const auto& c : w.clusters) {
    ++count[w.cell(c.region, c.sector)];
    if (c.second_sector != kNoSector) ++count[w.cell(c.region, c.second_sector)];
  }
  w.cluster_start.assign(cells + 1, 0);
  for (std::size_t k = 0; k < cells; ++k) w.cluster_start[k + 1] = w.cluster_start[k] + count[k];
  w.cluster_index.assign(w.cluster_start.back(), 0);
  std::vector<std::uint32_t> fill(w.cluster_start.begin(), w.cluster_start.end() - 1);
  for (std::uint32_t c = 0; c < w.clusters.size(); ++c) {
    const auto& site = w.clusters[c];
    w.cluster_index[fill[w.cell(site.region, site.sector)]++] = c;
    if (site.second_sector != kNoSector) w.cluster_index[fill[w.cell(site.region, site.second_sector)]++] = c;
  }
}

double absorptive_capacity(const RegionParams& p, DevelopmentLevel level) {
  switch (level) {
    case DevelopmentLevel::MoreDeveloped: return p.absorptive_more_developed;
    case DevelopmentLevel::Transition: return p.absorptive_transition;
    case DevelopmentLevel::LessDeveloped: return p.absorptive_less_developed;
  }
  return 1.0;
}

/// Regions' S3 priorities (top location quotients), absorptive capacity, and the distance,
/// spillover and partner-affinity matrices.
void add_regional_structure(const Params& p, World& w) {
  const std::size_t R = w.regions.size();
  const auto quotients = location_quotients(w);
  for (std::size_t r = 0; r < R; ++r) {
    Region& region = w.regions[r];
    region.absorptive_capacity = absorptive_capacity(p.region, region.level);
    std::array<std::pair<double, std::uint8_t>, kSectorCount> lq{};
    for (std::size_t s = 0; s < kSectorCount; ++s) lq[s] = {quotients[w.cell(r, s)], static_cast<std::uint8_t>(s)};
    // Highest location quotient first; ties by sector index, so the order is deterministic.
    std::sort(lq.begin(), lq.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    const auto n = static_cast<std::size_t>(p.region.s3_priorities);
    for (std::size_t k = 0; k < n && k < kSectorCount; ++k) region.s3_sectors.push_back(lq[k].second);
  }

  w.country_index.resize(R);
  std::vector<std::string> countries;
  for (std::size_t r = 0; r < R; ++r) {
    auto it = std::find(countries.begin(), countries.end(), w.regions[r].country);
    if (it == countries.end()) it = countries.insert(countries.end(), w.regions[r].country);
    w.country_index[r] = static_cast<std::uint16_t>(it - countries.begin());
  }

  const auto n = static_cast<Eigen::Index>(R);
  w.distance_km.resize(n, n);
  w.spillover_weights.resize(n, n);
  w.partner_affinity.resize(n, n);
  for (Eigen::Index a = 0; a < n; ++a) {
    const Region& ra = w.regions[static_cast<std::size_t>(a)];
    for (Eigen::Index b = 0; b < n; ++b) {
      const Region& rb = w.regions[static_cast<std::size_t>(b)];
      const double d = a == b ? 0.0 : distance_km(ra.lon_deg, ra.lat_deg, rb.lon_deg, rb.lat_deg);
      w.distance_km(a, b) = d;
      w.spillover_weights(a, b) = a == b ? 0.0 : std::exp(-d / p.region.spillover_decay_km);
      w.partner_affinity(a, b) = a == b ? 1.0
                                        : p.partnership.other_region_factor * std::exp(-d / p.partnership.distance_decay_km) *
                                              (ra.country == rb.country ? 1.0 : p.partnership.cross_border_factor);
    }
    const double row = w.spillover_weights.row(a).sum();
    if (row > 0) w.spillover_weights.row(a) /= row;
  }

  for (std::size_t a = 0; a < kSectorCount; ++a)
    for (std::size_t b = 0; b < kSectorCount; ++b)
      w.relatedness[a][b] = static_cast<float>(a == b ? 1.0 : p.partnership.unrelated_sector_weight);
  auto index_of = [](std::string_view key) {
    for (std::size_t s = 0; s < kSectorCount; ++s)
      if (kSectors[s].key == key) return s;
    CLUSTERSIM_ASSERT(false, "unknown sector in kRelatedSectors");
    return std::size_t{0};
  };
  for (const auto& [x, y] : kRelatedSectors) {
    const std::size_t a = index_of(x), b = index_of(y);
    w.relatedness[a][b] = w.relatedness[b][a] = static_cast<float>(p.partnership.related_sector_weight);
  }
}

}  // namespace

double distance_km(double lon1_deg, double lat1_deg, double lon2_deg, double lat2_deg) {
  constexpr double kRadians = 3.14159265358979323846 / 180.0, kEarthRadiusKm = 6371.0;
  const double dlat = (lat2_deg - lat1_deg) * kRadians, dlon = (lon2_deg - lon1_deg) * kRadians;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1_deg * kRadians) * std::cos(lat2_deg * kRadians) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2.0 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

void resolve_world_size(Params& p) {
  const bool synthetic = p.world.source == WorldSource::Synthetic;
  // The synthetic world has the EU's SMEs; a table has its own.
  Params table_params = p;
  if (synthetic) table_params.population.regions_file.clear();
  const RegionTable table = read_region_table(table_params);
  const auto rows = static_cast<std::int64_t>(table.regions.size());
  if (p.population.regions == 0) p.population.regions = rows;
  // The synthetic world with an explicit SME count is a world of its own size: world.scale
  // then scales only its programmes (model tests use it so).
  if (p.population.smes > 0 && !synthetic)
    p.world.scale = static_cast<double>(p.population.smes) / table.total_smes;
  else if (p.population.smes == 0)
    p.population.smes = std::max<std::int64_t>(1, std::llround(p.world.scale * table.total_smes));
  if (p.population.clusters == 0)
    p.population.clusters = std::max<std::int64_t>(1, std::llround(p.world.scale * p.world.clusters_at_eu_scale));
  if (p.population.clusters > p.population.smes)
    throw ScenarioError(synthetic ? std::string("population") : table.file, "population.clusters",
                        "must be <= population.smes (" + std::to_string(p.population.smes) + "), got " +
                            std::to_string(p.population.clusters));
}

World build_world(const Params& p) {
  CLUSTERSIM_ASSERT(p.population.smes > 0 && p.population.clusters > 0 && p.population.regions > 0,
                    "build_world needs resolved sizes (resolve_world_size)");
  World w;
  w.scale = p.world.scale;
  if (p.world.source == WorldSource::Synthetic)
    build_synthetic_regions(p, w);
  else
    read_regions_csv(p, w);
  place_clusters(p, w);
  add_regional_structure(p, w);
  return w;
}

void require_known(const std::string& name, const std::vector<std::string>& known, const std::string& origin,
                   const std::string& key, const std::string& what) {
  if (std::find(known.begin(), known.end(), name) != known.end()) return;
  std::string nearest;
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (const auto& k : known) {
    const std::size_t d = config::edit_distance(name, k);
    if (d < best) best = d, nearest = k;
  }
  throw ScenarioError(origin, key,
                      "no " + what + " '" + name + "' in this world" +
                          (nearest.empty() ? std::string() : "; did you mean '" + nearest + "'?"));
}

void check_eligible_names(const World& world, const std::vector<config::TableElement>& instruments) {
  std::vector<std::string> codes, countries, sectors;
  for (const auto& r : world.regions) {
    codes.push_back(r.code);
    if (std::find(countries.begin(), countries.end(), r.country) == countries.end()) countries.push_back(r.country);
  }
  for (const auto& s : kSectors) sectors.emplace_back(s.key);
  for (const auto& e : instruments) {
    for (const auto& code : e.strings("eligible.regions")) require_known(code, codes, e.origin, e.key_name("eligible.regions"), "region");
    for (const auto& c : e.strings("eligible.countries")) require_known(c, countries, e.origin, e.key_name("eligible.countries"), "country");
    for (const auto& s : e.strings("eligible.sectors")) require_known(s, sectors, e.origin, e.key_name("eligible.sectors"), "ecosystem");
  }
}

void check_eligible_clusters(const World& world, const std::vector<config::TableElement>& instruments) {
  for (const auto& e : instruments) {
    auto listed = [&](const char* key, const std::string& name) {
      const auto& list = e.strings(key);
      return list.empty() || std::find(list.begin(), list.end(), name) != list.end();
    };
    auto eligible = [&](std::size_t region, std::uint8_t sector) {
      const Region& r = world.regions[region];
      return listed("eligible.regions", r.code) && listed("eligible.countries", r.country) &&
             listed("eligible.development_levels", std::string(to_string(r.level))) &&
             listed("eligible.sectors", std::string(kSectors[sector].key));
    };
    std::size_t hosted = 0;
    for (const auto& c : world.clusters)
      if (eligible(c.region, c.sector) || (c.second_sector != kNoSector && eligible(c.region, c.second_sector))) ++hosted;
    if (hosted > 0) continue;
    // The eligible cells' share of the placement weight says how many clusters a larger
    // world places there: about one from scale / (share x clusters) on.
    double area = 0, all = 0;
    for (std::size_t k = 0; k < world.cluster_weight.size(); ++k) {
      all += world.cluster_weight[k];
      if (eligible(k / kSectorCount, static_cast<std::uint8_t>(k % kSectorCount))) area += world.cluster_weight[k];
    }
    const double expected = all > 0 ? area / all * static_cast<double>(world.clusters.size()) : 0.0;
    const std::string hint = expected > 0 ? fmt::format("; at world.scale = {:g} it expects {:.2f} there, about one at "
                                                        "world.scale = {:.2g}",
                                                        world.scale, expected, std::min(1.0, world.scale / expected))
                                          : std::string();
    throw ScenarioError(e.origin, e.key_name("eligible"),
                        "no cluster organisation of this world is eligible, so the instrument would spend nothing" + hint);
  }
}

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// One section of the listing: a header and rows of cells, as CSV or aligned columns.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows, bool csv,
                 std::ostream& out) {
  if (csv) {
    for (const auto* row : {&header}) {
      for (std::size_t k = 0; k < row->size(); ++k) out << (k ? "," : "") << csv_field((*row)[k]);
      out << "\n";
    }
    for (const auto& row : rows) {
      for (std::size_t k = 0; k < row.size(); ++k) out << (k ? "," : "") << csv_field(row[k]);
      out << "\n";
    }
    return;
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t k = 0; k < header.size(); ++k) width[k] = header[k].size();
  for (const auto& row : rows)
    for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t k = 0; k < row.size(); ++k) text += fmt::format("{:<{}}", row[k], k + 1 < row.size() ? width[k] + 2 : 0);
    out << text << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
}

std::string sector_list(std::uint8_t first, std::uint8_t second) {
  std::string text(kSectors[first].key);
  if (second != kNoSector) text += ";" + std::string(kSectors[second].key);
  return text;
}

}  // namespace

void print_world(const World& world, const WorldListing& what, std::ostream& out) {
  const std::size_t R = world.regions.size();
  std::vector<std::int64_t> region_smes(R, 0), region_clusters(R, 0), sector_clusters(kSectorCount, 0);
  std::array<std::int64_t, kSectorCount> sector_smes{};
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      region_smes[r] += world.initial_smes[world.cell(r, s)];
      sector_smes[s] += world.initial_smes[world.cell(r, s)];
    }
  for (const auto& c : world.clusters) {
    ++region_clusters[c.region];
    ++sector_clusters[c.sector];
  }
  bool first = true;
  auto section = [&](const char* title) {
    if (!first) out << "\n";
    first = false;
    if (what.sections() > 1) out << (what.csv ? "# " : "== ") << title << (what.csv ? "\n" : " ==\n");
  };
  if (what.regions) {
    section("regions");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t r = 0; r < R; ++r) {
      const Region& g = world.regions[r];
      std::string s3;
      for (auto s : g.s3_sectors) s3 += (s3.empty() ? "" : ";") + std::string(kSectors[s].key);
      rows.push_back({g.code, g.name, g.country, std::string(to_string(g.level)), std::to_string(region_smes[r]),
                      std::to_string(region_clusters[r]), s3});
    }
    print_table({"code", "name", "country", "development_level", "smes", "clusters", "s3_sectors"}, rows, what.csv, out);
  }
  if (what.sectors) {
    section("sectors");
    std::vector<std::vector<std::string>> rows;
    for (std::size_t s = 0; s < kSectorCount; ++s)
      rows.push_back({std::string(kSectors[s].key), std::string(kSectors[s].name), std::to_string(sector_smes[s]),
                      std::to_string(sector_clusters[s])});
    print_table({"sector", "name", "smes", "clusters"}, rows, what.csv, out);
  }
  if (what.clusters) {
    section("clusters");
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : world.clusters) {
      const Region& g = world.regions[c.region];
      rows.push_back({c.id, g.code, g.country, std::string(to_string(g.level)), sector_list(c.sector, c.second_sector),
                      fmt::format("{:.0f}", c.target_members), fmt::format("{:.0f}", c.pool_smes)});
    }
    print_table({"id", "region", "country", "development_level", "sectors", "members_at_start", "pool_smes"}, rows,
                what.csv, out);
  }
}

}  // namespace clustersim::model
