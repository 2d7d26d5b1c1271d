#include "models/cluster/world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/config/csv.hpp"
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

std::size_t pick_weighted(const std::vector<double>& cumulative, double u) {
  const double target = u * cumulative.back();
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
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
      random::Stream rng(p.seed, w.regions.size(), 0, purpose::kWorldRegion);
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
  random::Stream shuffle(p.seed, 0, 0, purpose::kWorldRegionOrder);
  for (std::size_t i = R; i > 1; --i) std::swap(rank[i - 1], rank[shuffle.below(static_cast<std::uint32_t>(i))]);

  std::vector<double> cell_weights(R * kSectorCount);
  for (std::size_t r = 0; r < R; ++r) {
    const double region_weight = std::pow(static_cast<double>(rank[r]), -p.population.region_zipf_exponent);
    random::Stream rng(p.seed, r, 1, purpose::kWorldRegion);
    std::array<double, kSectorCount> share{};
    double sum = 0;
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      share[s] = kSectors[s].default_sme_share * std::exp(p.population.region_specialisation_sigma * rng.normal());
      sum += share[s];
    }
    for (std::size_t s = 0; s < kSectorCount; ++s) cell_weights[w.cell(r, s)] = region_weight * share[s] / sum;
  }
  w.initial_smes = apportion(p.population.smes, cell_weights);
}

DevelopmentLevel parse_level(const config::CsvTable& t, std::size_t row, std::size_t col) {
  const std::string& v = t.nonempty(row, col);
  if (v == "more_developed") return DevelopmentLevel::MoreDeveloped;
  if (v == "transition") return DevelopmentLevel::Transition;
  if (v == "less_developed") return DevelopmentLevel::LessDeveloped;
  t.fail(row, col, "must be one of more_developed, transition, less_developed; got \"" + v + "\"");
}

void read_regions_csv(const Params& p, World& w) {
  const auto table = config::read_csv(p.population.regions_file);
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
  if (static_cast<std::int64_t>(table.rows()) != p.population.regions)
    throw ScenarioError(table.file().string(), "population.regions",
                        "the file has " + std::to_string(table.rows()) + " regions but population.regions is " +
                            std::to_string(p.population.regions) + "; set population.regions = " +
                            std::to_string(table.rows()));

  std::vector<double> cell_weights(table.rows() * kSectorCount);
  for (std::size_t row = 0; row < table.rows(); ++row) {
    Region r;
    r.code = table.nonempty(row, c_code);
    for (const auto& other : w.regions)
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
      const auto count = table.integer(row, c_sector[s], 0, 1'000'000'000);
      cell_weights[row * kSectorCount + s] = static_cast<double>(count);
      total += static_cast<double>(count);
    }
    if (total <= 0) table.fail(row, c_sector[0], "a region needs at least one SME in some sector");
    w.regions.push_back(std::move(r));
  }
  // population.smes rescales the file's counts, so a large real dataset can be run at
  // a fraction of its size with the same regional and sectoral structure.
  w.initial_smes = apportion(p.population.smes, cell_weights);
}

void place_clusters(const Params& p, World& w) {
  const std::size_t R = w.regions.size();
  // Clusters form where an ecosystem is concentrated (agglomeration): the site (region,
  // main sector) is drawn with weight (SMEs in the cell)^2, so the large regional
  // ecosystems that can sustain 150-200 members host most clusters.
  std::vector<double> cell_cumulative(R * kSectorCount);
  double acc = 0;
  for (std::size_t k = 0; k < cell_cumulative.size(); ++k) {
    const auto cell_smes = static_cast<double>(w.initial_smes[k]);
    acc += cell_smes * cell_smes;
    cell_cumulative[k] = acc;
  }
  const auto n_clusters = static_cast<std::size_t>(p.population.clusters);
  for (std::size_t c = 0; c < n_clusters; ++c) {
    random::Stream rng(p.seed, c, 0, purpose::kWorldCluster);
    ClusterSite site;
    site.id = fmt::format("C{:04d}", c + 1);
    // Critical mass: a site must hold enough SMEs for the mean target membership; redraw a
    // bounded number of times, keeping the largest cell seen (deterministic given the seed).
    const double critical_mass = p.membership.target_members_mean / std::max(p.membership.max_share_of_pool, 1e-9);
    std::size_t cell = pick_weighted(cell_cumulative, rng.uniform());
    for (int attempt = 1; attempt < 64 && static_cast<double>(w.initial_smes[cell]) < critical_mass; ++attempt) {
      const std::size_t candidate = pick_weighted(cell_cumulative, rng.uniform());
      if (w.initial_smes[candidate] > w.initial_smes[cell]) cell = candidate;
    }
    site.region = static_cast<std::uint32_t>(cell / kSectorCount);
    site.sector = static_cast<std::uint8_t>(cell % kSectorCount);
    if (rng.bernoulli(p.clusters.second_sector_share)) {
      // Second ecosystem: weighted like the first, excluding it.
      double without = 0;
      std::vector<double> cum(kSectorCount);
      for (std::size_t s = 0; s < kSectorCount; ++s) {
        if (s != site.sector) without += static_cast<double>(w.initial_smes[w.cell(site.region, s)]);
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

  // CSR index: clusters serving each (region, sector) cell.
  const std::size_t cells = R * kSectorCount;
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
  std::array<double, kSectorCount> eu{};
  double eu_total = 0;
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      eu[s] += static_cast<double>(w.initial_smes[w.cell(r, s)]);
      eu_total += static_cast<double>(w.initial_smes[w.cell(r, s)]);
    }
  for (std::size_t r = 0; r < R; ++r) {
    Region& region = w.regions[r];
    region.absorptive_capacity = absorptive_capacity(p.region, region.level);
    double total = 0;
    for (std::size_t s = 0; s < kSectorCount; ++s) total += static_cast<double>(w.initial_smes[w.cell(r, s)]);
    std::array<std::pair<double, std::uint8_t>, kSectorCount> lq{};
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      const double share = total > 0 ? static_cast<double>(w.initial_smes[w.cell(r, s)]) / total : 0.0;
      const double eu_share = eu_total > 0 ? eu[s] / eu_total : 0.0;
      lq[s] = {eu_share > 0 ? share / eu_share : 0.0, static_cast<std::uint8_t>(s)};
    }
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

World build_world(const Params& p) {
  World w;
  if (p.population.regions_file.empty())
    build_synthetic_regions(p, w);
  else
    read_regions_csv(p, w);
  place_clusters(p, w);
  add_regional_structure(p, w);
  return w;
}

}  // namespace clustersim::model
