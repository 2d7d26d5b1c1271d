#include "models/cluster/population.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/core/error.hpp"
#include "engine/parallel/blocks.hpp"
#include "engine/random/stream.hpp"
#include "models/cluster/purposes.hpp"

namespace clustersim::model {

namespace {

/// Truncated Pareto on [1, max]: P(E >= e) proportional to e^-a (inverse-CDF draw). The
/// tail mass max^-a is computed once per population, not once per SME (a `pow` per draw
/// was ~3 % of building 2.5x10^7 SMEs).
struct ParetoEmployees {
  ParetoEmployees(double a, double max) : exponent(a), tail(std::pow(max, -a)) {}
  double draw(double u) const { return std::pow(1.0 - u * (1.0 - tail), -1.0 / exponent); }
  double exponent, tail;
};

/// Mean-one log-normal factor exp(sigma z - sigma^2 / 2).
double lognormal_factor(double sigma, double z) { return std::exp(sigma * z - 0.5 * sigma * sigma); }

/// Size (one uniform) and productivity (one normal) of a new SME, in that order.
void draw_size_and_productivity(random::Stream& rng, NewSme& sme, const Params& params, const World& world,
                                const ParetoEmployees& size) {
  const auto& pop = params.population;
  sme.employees = static_cast<float>(size.draw(rng.uniform()));
  sme.productivity_eur_per_year =
      static_cast<float>(pop.turnover_per_employee_eur_per_year * world.regions[sme.region].productivity_factor *
                         lognormal_factor(pop.productivity_sigma, rng.normal()));
}

/// Staff skills of a new SME, uniform on [0.2, 0.6].
float draw_skills(random::Stream& rng) { return static_cast<float>(0.2 + 0.4 * rng.uniform()); }

/// One initial SME of `cell`: its draws, in the order of purpose::kInitialSme's stream.
NewSme initial_sme(random::Stream& rng, std::size_t cell, const Params& params, const World& world,
                   const ParetoEmployees& size, double knowledge_steady, double innovation_hazard) {
  NewSme sme;
  sme.region = static_cast<std::uint16_t>(cell / kSectorCount);
  sme.sector = static_cast<std::uint8_t>(cell % kSectorCount);
  draw_size_and_productivity(rng, sme, params, world, size);
  sme.knowledge = static_cast<float>(knowledge_steady * lognormal_factor(0.5, rng.normal()));
  if (rng.bernoulli(params.exporting.initial_share)) sme.flags |= flag::kExporting;
  if (rng.bernoulli(params.adoption.digital.initial_share)) sme.flags |= flag::kDigital;
  if (rng.bernoulli(params.adoption.green.initial_share)) sme.flags |= flag::kGreen;
  sme.skills = draw_skills(rng);
  // Time since the last innovation from the stationary geometric distribution, so
  // smes_innovating starts at its steady level instead of ramping up from zero.
  const double quarters = std::floor(std::log(rng.uniform()) / std::log1p(-std::min(innovation_hazard, 0.999999)));
  sme.quarters_since_innovation = static_cast<std::uint8_t>(std::min(quarters, 254.0));
  // Membership at its equilibrium probability target / pool for each serving cluster.
  const double u = rng.uniform();
  double acc = 0;
  for (std::uint32_t k = world.cluster_start[cell]; k < world.cluster_start[cell + 1]; ++k) {
    const auto& site = world.clusters[world.cluster_index[k]];
    acc += site.pool_smes > 0 ? site.target_members / site.pool_smes : 0.0;
    if (u < acc) {
      sme.cluster = static_cast<std::int32_t>(world.cluster_index[k]);
      break;
    }
  }
  return sme;
}

}  // namespace

void init_row(Smes& smes, std::size_t i, const NewSme& sme) {
  smes.region[i] = sme.region;
  smes.sector[i] = sme.sector;
  smes.employees[i] = sme.employees;
  smes.productivity_eur_per_year[i] = sme.productivity_eur_per_year;
  smes.knowledge[i] = sme.knowledge;
  smes.cluster[i] = sme.cluster;
  smes.flags[i] = sme.flags;
  smes.shrinking_quarters[i] = 0;
  smes.quarters_since_innovation[i] = sme.quarters_since_innovation;
  smes.partners[i].fill(kNoPartner);
  smes.former_partner[i] = kNoPartner;
  smes.skills[i] = sme.skills;
  smes.events[i] = 0;
  smes.support[i] = 0;
  smes.last_support[i] = 0;
  smes.support_age[i] = 0;
  smes.market_excess[i] = 0.0f;
}

void create_initial_smes(Smes& smes, const Params& params, const World& world, std::uint64_t seed) {
  const auto n = static_cast<std::size_t>(params.population.smes);
  smes.table.clear();
  // Room for a decade of net growth plus the dead rows kept until compaction (10 %), so that
  // no step copies the columns to grow them. The reserve costs no resident memory until
  // rows are written (Table::append).
  smes.table.reserve(n + n / 2);
  smes.table.append(n);

  // Row -> cell: rows are laid out cell by cell (region-major), so each cell is a range.
  std::vector<std::int64_t> cell_end(world.initial_smes.size());
  std::partial_sum(world.initial_smes.begin(), world.initial_smes.end(), cell_end.begin());

  const auto& innov = params.innovation;
  const double knowledge_steady = innov.effort_per_quarter / std::max(innov.depreciation_per_quarter, 1e-9);
  const double innovation_hazard = 1.0 - std::exp(-innov.hazard_per_knowledge * knowledge_steady);
  const ParetoEmployees size(params.population.size_tail_exponent, params.population.max_initial_employees);

  parallel::for_each_block(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    std::size_t cell = static_cast<std::size_t>(
        std::upper_bound(cell_end.begin(), cell_end.end(), static_cast<std::int64_t>(begin)) - cell_end.begin());
    for (std::size_t i = begin; i < end; ++i) {
      while (static_cast<std::int64_t>(i) >= cell_end[cell]) ++cell;
      random::Stream rng(seed, smes.table.id(i), 0, purpose::kInitialSme);
      init_row(smes, i, initial_sme(rng, cell, params, world, size, knowledge_steady, innovation_hazard));
    }
  });
}

std::vector<double> entrant_sector_cumulative(const World& world) {
  const std::size_t R = world.regions.size();
  std::vector<double> cumulative(R * kSectorCount, 0.0);
  for (std::size_t r = 0; r < R; ++r) {
    double acc = 0;
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      acc += static_cast<double>(world.initial_smes[world.cell(r, s)]);
      cumulative[world.cell(r, s)] = acc;
    }
  }
  return cumulative;
}

std::size_t add_entrants(Smes& smes, const Params& params, const World& world, const Messages& messages,
                         const std::vector<double>& sector_cumulative, const std::vector<std::int64_t>& active_by_region,
                         std::uint64_t seed, std::int32_t step) {
  const std::size_t R = world.regions.size();
  const auto t = static_cast<std::uint32_t>(step);
  std::vector<std::size_t> entrants(R);
  std::size_t total = 0;
  for (std::size_t r = 0; r < R; ++r) {
    random::Stream rng(seed, r, t, purpose::kEntryCount);
    // Regional start-up rate: the region's own rate (regions file) or the default, more
    // where demand grew last quarter.
    const double rate = world.regions[r].startup_rate_per_quarter.value_or(params.entry.rate_per_quarter) *
                        std::exp(params.entry.demand_elasticity * messages.region_demand_growth[r]);
    const double mean = rate * static_cast<double>(active_by_region[r]);
    entrants[r] = sector_cumulative[world.cell(r, kSectorCount - 1)] > 0 ? rng.poisson(mean) : 0;
    total += entrants[r];
  }
  const std::size_t first = smes.rows();
  if (total == 0) return first;
  smes.table.append(total);
  CLUSTERSIM_ASSERT(smes.table.next_id() < kForeignPartner, "more SMEs born than 31-bit partner ids can name");
  std::vector<std::size_t> region_end(R);
  std::partial_sum(entrants.begin(), entrants.end(), region_end.begin());

  // Start-ups bring half the knowledge of an established SME.
  const double knowledge_start =
      0.5 * params.innovation.effort_per_quarter / std::max(params.innovation.depreciation_per_quarter, 1e-9);
  const ParetoEmployees size(params.population.size_tail_exponent, params.entry.max_employees);
  parallel::for_each_range(total, kEntrantGrain, [&](std::size_t begin, std::size_t end) {
    std::size_t region = static_cast<std::size_t>(
        std::upper_bound(region_end.begin(), region_end.end(), begin) - region_end.begin());
    for (std::size_t k = begin; k < end; ++k) {
      while (k >= region_end[region]) ++region;
      const std::size_t i = first + k;
      random::Stream rng(seed, smes.table.id(i), t, purpose::kEntrant);
      const double* cum = &sector_cumulative[world.cell(region, 0)];
      const double target = rng.uniform() * cum[kSectorCount - 1];
      const auto sector = static_cast<std::size_t>(std::upper_bound(cum, cum + kSectorCount, target) - cum);
      NewSme sme;
      sme.region = static_cast<std::uint16_t>(region);
      sme.sector = static_cast<std::uint8_t>(std::min(sector, kSectorCount - 1));
      draw_size_and_productivity(rng, sme, params, world, size);
      sme.knowledge = static_cast<float>(knowledge_start);
      sme.flags = static_cast<std::uint8_t>(flag::kAlive | flag::kEnteredNow);
      // Start-ups are born digital as often as their region already is.
      if (rng.uniform() < messages.digital_share[peer_group(params.adoption.peers, sme.region, sme.sector, kNoCluster,
                                                            world.clusters.size())])
        sme.flags |= flag::kDigital;
      sme.skills = draw_skills(rng);
      init_row(smes, i, sme);
    }
  });
  return first;
}

}  // namespace clustersim::model
