#include "models/cluster/model.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/core/error.hpp"
#include "engine/numeric/fast_math.hpp"
#include "engine/parallel/blocks.hpp"
#include "engine/random/batch.hpp"
#include "engine/random/stream.hpp"
#include "models/cluster/mechanisms/adoption.hpp"
#include "models/cluster/mechanisms/exit.hpp"
#include "models/cluster/mechanisms/exporting.hpp"
#include "models/cluster/mechanisms/growth.hpp"
#include "models/cluster/mechanisms/innovation.hpp"
#include "models/cluster/mechanisms/membership.hpp"
#include "models/cluster/mechanisms/partnership.hpp"
#include "models/cluster/mechanisms/skills.hpp"
#include "models/cluster/mechanisms/support.hpp"
#include "models/cluster/memory.hpp"

namespace clustersim::model {

namespace {

constexpr double kQuartersPerYear = 4.0;
constexpr double kDeadShareBeforeCompaction = 0.10;

/// Truncated Pareto on [1, max]: P(E >= e) proportional to e^-a (inverse-CDF draw).
double pareto_employees(double u, double a, double max) {
  const double tail = std::pow(max, -a);
  return std::pow(1.0 - u * (1.0 - tail), -1.0 / a);
}

/// Mean-one log-normal factor exp(sigma z - sigma^2 / 2).
double lognormal_factor(double sigma, double z) { return std::exp(sigma * z - 0.5 * sigma * sigma); }

/// Rounds a non-negative amount to the nearest integer unit (cheaper than llround, which
/// matters in the per-SME aggregation loop).
std::int64_t round_nonnegative(double x) { return static_cast<std::int64_t>(x + 0.5); }

std::int64_t turnover_cents(float employees, float productivity_eur_per_year) {
  return round_nonnegative(static_cast<double>(employees) * static_cast<double>(productivity_eur_per_year) /
                           kQuartersPerYear * 100.0);
}

}  // namespace

std::int64_t Aggregates::total(RegionSlot slot) const {
  std::int64_t sum = 0;
  for (std::size_t i = slot; i < region.size(); i += kRegionSlots) sum += region[i];
  return sum;
}

ClusterModel::ClusterModel(Params params)
    : params_(std::move(params)),
      world_(build_world(params_)),
      observables_(observables()),
      programme_(params_.instruments, world_) {
  const std::size_t R = world_.regions.size();
  entrant_sector_cumulative_.assign(R * kSectorCount, 0.0);
  for (std::size_t r = 0; r < R; ++r) {
    double acc = 0;
    for (std::size_t s = 0; s < kSectorCount; ++s) {
      acc += static_cast<double>(world_.initial_smes[world_.cell(r, s)]);
      entrant_sector_cumulative_[world_.cell(r, s)] = acc;
    }
  }
}

std::string ClusterModel::world_summary() const {
  return fmt::format("{} SMEs, {} clusters, {} regions, {} sectors", params_.population.smes, world_.clusters.size(),
                     world_.regions.size(), kSectorCount);
}

// ---------------------------------------------------------------------------------------
// Replicate start: the initial SME population, drawn from the replicate's seed.

void ClusterModel::start_replicate(std::uint64_t seed) {
  seed_ = seed;
  create_initial_smes();
  start_clusters(clusters_, params_, world_, seed_);
  start_metaclusters(metaclusters_, world_.clusters.size());
  programme_.start_replicate(seed_, world_);
  messages_.offers = {};
  cluster_support_.reset(world_.clusters.size());
  aggregates_ = count_aggregates();
  build_search_index();
  turnover_last_.assign(world_.regions.size(), 0.0);
  for (std::size_t r = 0; r < world_.regions.size(); ++r)
    turnover_last_[r] = static_cast<double>(aggregates_.region_value(r, Aggregates::kTurnoverCents));
  turnover_before_ = turnover_last_;
}

void ClusterModel::create_initial_smes() {
  const auto& pop = params_.population;
  const auto n = static_cast<std::size_t>(pop.smes);
  smes_.table.clear();
  // Room for a decade of net growth without reallocating (peak memory is a design target).
  smes_.table.reserve(n + n / 8);
  smes_.table.append(n);

  // Row -> cell: rows are laid out cell by cell (region-major), so each cell is a range.
  std::vector<std::int64_t> cell_end(world_.initial_smes.size());
  std::partial_sum(world_.initial_smes.begin(), world_.initial_smes.end(), cell_end.begin());

  const auto& innov = params_.innovation;
  const double knowledge_steady = innov.effort_per_quarter / std::max(innov.depreciation_per_quarter, 1e-9);
  const double innovation_hazard = 1.0 - std::exp(-innov.hazard_per_knowledge * knowledge_steady);

  parallel::for_each_block(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    std::size_t cell = static_cast<std::size_t>(
        std::upper_bound(cell_end.begin(), cell_end.end(), static_cast<std::int64_t>(begin)) - cell_end.begin());
    for (std::size_t i = begin; i < end; ++i) {
      while (static_cast<std::int64_t>(i) >= cell_end[cell]) ++cell;
      const std::size_t region = cell / kSectorCount, sector = cell % kSectorCount;
      random::Stream rng(seed_, smes_.table.id(i), 0, purpose::kInitialSme);
      smes_.region[i] = static_cast<std::uint16_t>(region);
      smes_.sector[i] = static_cast<std::uint8_t>(sector);
      smes_.employees[i] = static_cast<float>(pareto_employees(rng.uniform(), pop.size_tail_exponent,
                                                               pop.max_initial_employees));
      smes_.productivity_eur_per_year[i] = static_cast<float>(
          pop.turnover_per_employee_eur_per_year * world_.regions[region].productivity_factor *
          lognormal_factor(pop.productivity_sigma, rng.normal()));
      smes_.knowledge[i] = static_cast<float>(knowledge_steady * lognormal_factor(0.5, rng.normal()));
      std::uint8_t f = flag::kAlive;
      if (rng.bernoulli(params_.exporting.initial_share)) f |= flag::kExporting;
      if (rng.bernoulli(params_.adoption.digital.initial_share)) f |= flag::kDigital;
      if (rng.bernoulli(params_.adoption.green.initial_share)) f |= flag::kGreen;
      smes_.flags[i] = f;
      smes_.shrinking_quarters[i] = 0;
      smes_.partners[i].fill(kNoPartner);
      smes_.skills[i] = static_cast<float>(0.2 + 0.4 * rng.uniform());
      smes_.events[i] = 0;
      smes_.former_partner[i] = kNoPartner;
      smes_.support[i] = 0;
      // Time since the last innovation from the stationary geometric distribution, so
      // smes_innovating starts at its steady level instead of ramping up from zero.
      const double quarters = std::floor(std::log(rng.uniform()) / std::log1p(-std::min(innovation_hazard, 0.999999)));
      smes_.quarters_since_innovation[i] = static_cast<std::uint8_t>(std::min(quarters, 254.0));
      // Membership at its equilibrium probability target / pool for each serving cluster.
      std::int32_t cluster = kNoCluster;
      const double u = rng.uniform();
      double acc = 0;
      for (std::uint32_t k = world_.cluster_start[cell]; k < world_.cluster_start[cell + 1]; ++k) {
        const auto& site = world_.clusters[world_.cluster_index[k]];
        acc += site.pool_smes > 0 ? site.target_members / site.pool_smes : 0.0;
        if (u < acc) {
          cluster = static_cast<std::int32_t>(world_.cluster_index[k]);
          break;
        }
      }
      smes_.cluster[i] = cluster;
    }
  });
}

// ---------------------------------------------------------------------------------------
// One step.

void ClusterModel::step(std::int32_t step) {
  programme_.prepare(step, world_, clusters_, aggregates_.cluster_members, aggregates_.cell_active,
                     aggregates_.cell_members, messages_.offers, cluster_support_);
  prepare_messages();
  // The step's aggregates are summed as rows become final (see "Aggregation" below).
  const AggregateOffsets offsets = aggregate_offsets();
  parallel::IntegerSums sums(offsets.slots);
  std::vector<std::int64_t> tie_corrections(offsets.slots, 0);
  sme_phase(step, offsets, sums, tie_corrections);
  entry(step, offsets, sums);
  std::vector<std::int64_t> total = sums.total();
  for (std::size_t k = 0; k < total.size(); ++k) total[k] += tie_corrections[k];
  aggregates_ = unpack_aggregates(offsets, total);
  if (programme_.size() > 0) {
    std::vector<std::int64_t> supported(programme_.size());
    for (std::size_t k = 0; k < supported.size(); ++k)
      supported[k] = aggregates_.instrument[k * Aggregates::kInstrumentSlots + Aggregates::kISupported];
    programme_.settle(step, supported);
  }
  update_clusters(clusters_, params_, aggregates_.cluster_members, cluster_support_);
  // Seed money for meta-clusters from a metacluster_support instrument this quarter.
  metaclusters_.external_seed_eur = 0.0;
  for (double seed : cluster_support_.metacluster_seed_eur) metaclusters_.external_seed_eur += seed;
  update_metaclusters(metaclusters_, clusters_, params_, world_, seed_, step);
  compact_if_needed();
  build_search_index();
  turnover_before_ = turnover_last_;
  for (std::size_t r = 0; r < world_.regions.size(); ++r)
    turnover_last_[r] = static_cast<double>(aggregates_.region_value(r, Aggregates::kTurnoverCents));
}

void ClusterModel::prepare_messages() {
  const std::size_t R = world_.regions.size(), C = world_.clusters.size();
  const auto& a = aggregates_;
  // Adopter shares among peers, from last step's exact counts, and the Bass survival ratio
  // over the coming quarter for each peer group.
  const auto& ad = params_.adoption;
  const std::size_t groups = a.peer.size() / Aggregates::kPeerSlots;
  for (auto* v : {&messages_.digital_share, &messages_.green_share, &messages_.digital_survival,
                  &messages_.green_survival})
    v->resize(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    const std::int64_t* counts = &a.peer[g * Aggregates::kPeerSlots];
    const double active = static_cast<double>(counts[Aggregates::kPeerActive]);
    messages_.digital_share[g] = active > 0 ? static_cast<double>(counts[Aggregates::kPeerDigital]) / active : 0.0;
    messages_.green_share[g] = active > 0 ? static_cast<double>(counts[Aggregates::kPeerGreen]) / active : 0.0;
    messages_.digital_survival[g] =
        mechanism::bass_survival_ratio(ad.digital.p_per_quarter, ad.digital.q_per_quarter, messages_.digital_share[g]);
    messages_.green_survival[g] =
        mechanism::bass_survival_ratio(ad.green.p_per_quarter, ad.green.q_per_quarter, messages_.green_share[g]);
  }
  // Regions: accessible knowledge = own mean SME knowledge blended with distance-weighted
  // spillovers (one matrix-vector product), scaled by absorptive capacity; growth bonus
  // from relative knowledge and last quarter's regional demand growth.
  const auto& rp = params_.region;
  Eigen::VectorXd own(static_cast<Eigen::Index>(R));
  for (std::size_t r = 0; r < R; ++r) {
    const auto active = a.region_value(r, Aggregates::kActive);
    own[static_cast<Eigen::Index>(r)] =
        active > 0 ? static_cast<double>(a.region_value(r, Aggregates::kKnowledgeMicro)) * 1e-6 / static_cast<double>(active)
                   : 0.0;
  }
  const Eigen::VectorXd accessible = (1.0 - rp.spillover_share) * own + rp.spillover_share * (world_.spillover_weights * own);
  const double mean_accessible = R > 0 ? accessible.mean() : 0.0;
  messages_.region_knowledge_inflow.resize(R);
  messages_.region_mean_productivity.resize(R);
  for (std::size_t r = 0; r < R; ++r) {
    const auto active = a.region_value(r, Aggregates::kActive);
    messages_.region_mean_productivity[r] =
        active > 0 ? static_cast<double>(a.region_value(r, Aggregates::kProductivityEur)) / static_cast<double>(active)
                   : 0.0;
  }
  messages_.region_growth_bonus.resize(R);
  messages_.region_demand_growth.resize(R);
  for (std::size_t r = 0; r < R; ++r) {
    const double k = accessible[static_cast<Eigen::Index>(r)];
    messages_.region_knowledge_inflow[r] = rp.knowledge_inflow_per_quarter * world_.regions[r].absorptive_capacity * k;
    const double relative_knowledge = mean_accessible > 0 ? k / mean_accessible - 1.0 : 0.0;
    const double demand_growth = turnover_before_[r] > 0 && turnover_last_[r] > 0
                                     ? std::log(turnover_last_[r] / turnover_before_[r])
                                     : 0.0;
    messages_.region_demand_growth[r] = demand_growth;
    messages_.region_growth_bonus[r] = rp.knowledge_growth_effect * relative_knowledge + rp.demand_growth_effect * demand_growth;
  }

  // Join probabilities that make membership settle at each cluster's target: inflow from
  // the non-member pool balances the outflow by leaving and by exit, j = (l + d) T / (pool - T).
  // The exit part of the outflow is last quarter's observed exit rate (the base hazard
  // before any quarter has been observed), so membership settles at the target even when
  // sustained losses push exits above the base rate.
  const auto exited = static_cast<double>(a.total(Aggregates::kExited));
  const auto alive_before = static_cast<double>(a.total(Aggregates::kActive)) + exited -
                            static_cast<double>(a.total(Aggregates::kEntered));
  const double observed_exit_rate =
      exited > 0 && alive_before > 0 ? exited / alive_before : params_.exit.base_rate_per_quarter;
  messages_.join_probability.assign(C, 0.0);
  messages_.cluster_active = clusters_.active;
  messages_.service_effects = clusters_.effects;
  messages_.metacluster_of = metaclusters_.of_cluster;
  messages_.engagement = metaclusters_.engagement;
  const std::size_t M = metaclusters_.capacity();
  messages_.metacluster_start.assign(M + 1, 0);
  for (std::size_t c = 0; c < C; ++c)
    if (metaclusters_.of_cluster[c] >= 0) ++messages_.metacluster_start[static_cast<std::size_t>(metaclusters_.of_cluster[c]) + 1];
  for (std::size_t m = 0; m < M; ++m) messages_.metacluster_start[m + 1] += messages_.metacluster_start[m];
  messages_.metacluster_clusters.assign(messages_.metacluster_start[M], 0);
  {
    std::vector<std::uint32_t> fill(messages_.metacluster_start.begin(), messages_.metacluster_start.end() - 1);
    for (std::size_t c = 0; c < C; ++c)
      if (metaclusters_.of_cluster[c] >= 0)
        messages_.metacluster_clusters[fill[static_cast<std::size_t>(metaclusters_.of_cluster[c])]++] =
            static_cast<std::uint32_t>(c);
  }
  for (std::size_t c = 0; c < C; ++c) {
    if (!clusters_.active[c]) continue;
    const auto& site = world_.clusters[c];
    // Eligible SMEs and those still free to join (not in this or another cluster serving
    // the same cells).
    double pool = 0, free = 0;
    for (std::uint8_t sector : {site.sector, site.second_sector}) {
      if (sector == kNoSector) continue;
      const std::size_t cell = world_.cell(site.region, sector);
      pool += static_cast<double>(a.cell_active[cell]);
      free += static_cast<double>(a.cell_active[cell] - a.cell_members[cell]);
    }
    // Members join while services are worth more than the fee and leave when they are not:
    // equilibrium membership scales with (value / fee)^elasticity.
    const double value_factor = std::pow(std::max(clusters_.value_to_fee[c], 0.0), params_.membership.value_elasticity);
    const double target = std::min(site.target_members * value_factor, params_.membership.max_share_of_pool * pool);
    const double members = static_cast<double>(a.cluster_members[c]);
    // Inflow replaces the expected outflow and closes the gap to the target, so membership
    // returns to its target after shocks instead of drifting.
    const double outflow_rate = params_.membership.leave_rate_per_quarter + observed_exit_rate;
    const double wanted = std::max(0.0, outflow_rate * (target + (target - members)));
    const double non_members = std::max(free, 1.0);
    messages_.join_probability[c] = std::min(1.0, wanted / non_members);
  }
  const std::size_t cells = world_.cluster_start.size() - 1;
  messages_.cell_join_total.assign(cells, 0.0);
  for (std::size_t cell = 0; cell < cells; ++cell)
    for (std::uint32_t k = world_.cluster_start[cell]; k < world_.cluster_start[cell + 1]; ++k)
      messages_.cell_join_total[cell] += messages_.join_probability[world_.cluster_index[k]];
  messages_.member_digital_factor.resize(C);
  messages_.member_green_factor.resize(C);
  for (std::size_t c = 0; c < C; ++c) {
    const float intelligence = messages_.service_effects[c][kIntelligence];
    messages_.member_digital_factor[c] = mechanism::adoption_member_factor(ad.digital, ad, intelligence);
    messages_.member_green_factor[c] = mechanism::adoption_member_factor(ad.green, ad, intelligence);
  }
}

void ClusterModel::sme_phase(std::int32_t step, const AggregateOffsets& offsets, parallel::IntegerSums& sums,
                             std::vector<std::int64_t>& tie_corrections) {
  const StepContext ctx{params_, world_, messages_, search_, seed_, step};
  const Params& p = params_;
  const auto t = static_cast<std::uint32_t>(step);
  parallel::BlockBuffers<TieRequest> ties(smes_.rows());
  static_assert(purpose::slot::kCount % 4 == 0 && purpose::slot::kCount / 4 <= random::kMaxBatchBlocks);
  // Rows go in chunks of 64: the chunk's random draws, growth shocks and growth factors are
  // each computed in one vectorised loop, between two passes over the rows: the mechanisms
  // up to the growth rate, then growth, exit and the row's aggregates.
  constexpr std::size_t kChunk = 64;
  parallel::for_each_block(smes_.rows(), [&](std::size_t block, std::size_t begin, std::size_t end) {
    auto& out = ties[block];
    std::int64_t* acc = sums.local().data();
    std::uint32_t raw[purpose::slot::kCount * kChunk];  // 4 KiB
    float shocks[2 * kChunk];
    mechanism::GrowthRates rates[kChunk];
    float employment_factor[kChunk], productivity_factor[kChunk];
    for (std::size_t chunk = begin; chunk < end; chunk += kChunk) {
      const std::size_t rows = std::min(kChunk, end - chunk);
      // All rows' draws at once (dead rows included: rarer than the branch it would take).
      random::fill_draws(seed_, smes_.table.ids().data() + chunk, rows, t, purpose::kSmeStep,
                         purpose::slot::kCount / 4, raw, kChunk);
      if (p.growth.enabled) mechanism::growth_shocks(raw, kChunk, rows, shocks, shocks + kChunk);
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t i = chunk + k;
        smes_.support[i] = 0;
        rates[k] = {0.0f, 0.0f};
        if (!smes_.alive(i)) {
          smes_.flags[i] = 0;  // dead since an earlier step: no longer "exited now"
          continue;
        }
        smes_.flags[i] = static_cast<std::uint8_t>(
            smes_.flags[i] & ~(flag::kPartneredNow | flag::kEnteredNow | flag::kCrossRegionTieNow));
        smes_.events[i] = 0;
        const Draws u{raw + k, shocks + k, kChunk};
        if (p.membership.enabled) mechanism::membership(smes_, i, u, ctx);
        if (p.skills.enabled) mechanism::skills(smes_, i, u, ctx);
        if (p.innovation.enabled) mechanism::innovation(smes_, i, u, ctx);
        if (p.exporting.enabled) mechanism::exporting(smes_, i, u, ctx);
        if (p.adoption.enabled) mechanism::adoption(smes_, i, u, ctx);
        if (p.partnership.enabled) mechanism::partnership(smes_, i, u, ctx, out);
        if (messages_.offers.any) mechanism::support(smes_, i, u, ctx, out);
        if (p.growth.enabled) rates[k] = mechanism::growth_rates(smes_, i, u, ctx);
      }
      if (p.growth.enabled)
        for (std::size_t k = 0; k < rows; ++k) {
          employment_factor[k] = numeric::exp(rates[k].employment);
          productivity_factor[k] = numeric::exp(rates[k].productivity);
        }
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t i = chunk + k;
        if (smes_.alive(i)) {
          if (p.growth.enabled)
            mechanism::apply_growth(smes_, i, rates[k], employment_factor[k], productivity_factor[k]);
          if (p.exit.enabled) mechanism::exit(smes_, i, Draws{raw + k, shocks + k, kChunk}, ctx, out);
        }
        accumulate(offsets, acc, i);
      }
    }
  });
  apply_tie_requests(ties, offsets, tie_corrections);
}

void ClusterModel::apply_tie_requests(const parallel::BlockBuffers<TieRequest>& requests,
                                      const AggregateOffsets& offsets, std::vector<std::int64_t>& corrections) {
  // The SME pass has already counted every row. A tie change here alters only what
  // accumulate() reads from the partner slots and the "partnered now" / "cross-region tie
  // now" flags, so only those counts are corrected (a full retract-and-recount of the row
  // would touch every column of a random row, a cache miss each).
  auto regional = [&](std::size_t row, Aggregates::RegionSlot slot) -> std::int64_t& {
    return corrections[smes_.region[row] * Aggregates::kRegionSlots + slot];
  };
  auto unlink = [&](std::size_t row, std::uint32_t partner) {
    std::int64_t removed = 0;
    for (auto& slot : smes_.partners[row])
      if (slot != kNoPartner && partner_id(slot) == partner) {
        slot = kNoPartner;
        ++removed;
      }
    if (smes_.alive(row)) regional(row, Aggregates::kPartnerships) -= removed;
  };
  auto concluded = [&](std::size_t row, std::uint8_t bits) {  // a living SME gained a partner
    const std::uint8_t before = smes_.flags[row];
    smes_.flags[row] |= bits;
    regional(row, Aggregates::kPartnerships) += 1;
    if (!(before & flag::kPartneredNow)) {
      regional(row, Aggregates::kPartnered) += 1;
      if (const std::uint16_t code = smes_.support[row])
        corrections[offsets.instrument + support_instrument(code) * Aggregates::kInstrumentSlots +
                    Aggregates::kIPartnered] += 1;
    }
    if ((bits & flag::kCrossRegionTieNow) && !(before & flag::kCrossRegionTieNow))
      regional(row, Aggregates::kCrossRegionTies) += 1;
  };
  requests.for_each_in_order([&](const TieRequest& q) {
    if (q.kind == TieRequest::kForm) return;
    const std::size_t a = q.from_row;
    if (q.kind == TieRequest::kEnd) {
      // Both remember the tie: a former partner is trusted when they search again.
      const std::size_t b = smes_.row_of(q.to);
      unlink(a, q.to);
      smes_.former_partner[a] = q.to;
      if (b != SIZE_MAX) {
        unlink(b, q.from);
        smes_.former_partner[b] = q.from;
      }
      return;
    }
    std::int64_t removed = 0;
    for (auto& slot : smes_.partners[a]) {  // kUnlinkAll: the SME has exited
      if (slot == kNoPartner) continue;
      const std::size_t b = smes_.row_of(partner_id(slot));
      if (b != SIZE_MAX) unlink(b, q.from);
      slot = kNoPartner;
      ++removed;
    }
    if (smes_.alive(a)) regional(a, Aggregates::kPartnerships) -= removed;
  });
  auto free_slot = [&](std::size_t row) -> std::uint32_t* {
    for (auto& slot : smes_.partners[row])
      if (slot == kNoPartner) return &slot;
    return nullptr;
  };
  requests.for_each_in_order([&](const TieRequest& q) {
    if (q.kind != TieRequest::kForm) return;
    const std::size_t a = q.from_row, b = q.to_row;
    CLUSTERSIM_ASSERT(a != b, "a tie request from an SME to itself");
    if (!smes_.alive(a) || !smes_.alive(b)) return;
    if (mechanism::has_partner(smes_.partners[a], q.to)) return;
    std::uint32_t* slot_a = free_slot(a);
    std::uint32_t* slot_b = free_slot(b);
    if (slot_a == nullptr || slot_b == nullptr) return;
    const bool foreign = world_.country_index[smes_.region[a]] != world_.country_index[smes_.region[b]];
    *slot_a = q.to | (foreign ? kForeignPartner : 0u);
    *slot_b = q.from | (foreign ? kForeignPartner : 0u);
    std::uint8_t bits = flag::kPartneredNow;
    if (smes_.region[a] != smes_.region[b]) bits |= flag::kCrossRegionTieNow;
    concluded(a, bits);
    concluded(b, bits);
  });
}

void ClusterModel::build_search_index() {
  const std::size_t R = world_.regions.size(), C = world_.clusters.size();
  const std::size_t rows = smes_.rows(), blocks = parallel::block_count(rows);
  auto& idx = search_;
  idx.regions = R;
  // Counting sort of living SMEs by region: per-block counts, offsets in (region, block)
  // order, then a parallel fill; the order inside a region is row order, as serially.
  std::vector<std::uint32_t> counts(blocks * R, 0);
  parallel::for_each_block(rows, [&](std::size_t block, std::size_t begin, std::size_t end) {
    std::uint32_t* c = &counts[block * R];
    for (std::size_t i = begin; i < end; ++i)
      if (smes_.alive(i)) ++c[smes_.region[i]];
  });
  idx.region_start.assign(R + 1, 0);
  std::uint32_t offset = 0;
  for (std::size_t r = 0; r < R; ++r) {
    idx.region_start[r] = offset;
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::uint32_t n = counts[b * R + r];
      counts[b * R + r] = offset;
      offset += n;
    }
  }
  idx.region_start[R] = offset;
  idx.region_entries.resize(offset);
  parallel::for_each_block(rows, [&](std::size_t block, std::size_t begin, std::size_t end) {
    std::uint32_t* next = &counts[block * R];
    for (std::size_t i = begin; i < end; ++i)
      if (smes_.alive(i))
        idx.region_entries[next[smes_.region[i]]++] = {static_cast<std::uint32_t>(smes_.table.id(i)),
                                                        static_cast<std::uint32_t>(i), smes_.cluster[i],
                                                        smes_.sector[i]};
  });
  // Cluster members are a subset of their region's list (membership is regional).
  idx.cluster_start.assign(C + 1, 0);
  for (std::size_t c = 0; c < C; ++c) idx.cluster_start[c + 1] = idx.cluster_start[c] +
      static_cast<std::uint32_t>(aggregates_.cluster_members[c]);
  idx.cluster_entries.resize(idx.cluster_start[C]);
  // Each cluster's members all live in its region, so regions fill disjoint cluster lists:
  // in parallel over the regions that host clusters, each in row order.
  std::vector<std::uint32_t> fill(idx.cluster_start.begin(), idx.cluster_start.end() - 1);
  std::vector<std::uint8_t> hosts(R, 0);
  for (const auto& site : world_.clusters) hosts[site.region] = 1;
  tbb::parallel_for(std::size_t{0}, R, [&](std::size_t r) {
    if (!hosts[r]) return;
    for (std::uint32_t k = idx.region_start[r]; k < idx.region_start[r + 1]; ++k) {
      const auto& e = idx.region_entries[k];
      if (e.cluster != kNoCluster) idx.cluster_entries[fill[static_cast<std::size_t>(e.cluster)]++] = e;
    }
  });
  // Partner-region kernel: affinity x living SMEs of the target region.
  idx.region_cumulative.resize(R * R);
  for (std::size_t r = 0; r < R; ++r) {
    double acc = 0;
    for (std::size_t q = 0; q < R; ++q) {
      acc += world_.partner_affinity(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(q)) *
             static_cast<double>(idx.region_start[q + 1] - idx.region_start[q]);
      idx.region_cumulative[r * R + q] = acc;
    }
  }
}

void ClusterModel::entry(std::int32_t step, const AggregateOffsets& offsets, parallel::IntegerSums& sums) {
  if (!params_.entry.enabled) return;
  const std::size_t R = world_.regions.size();
  const auto t = static_cast<std::uint32_t>(step);
  std::vector<std::size_t> entrants(R);
  std::size_t total = 0;
  for (std::size_t r = 0; r < R; ++r) {
    random::Stream rng(seed_, r, t, purpose::kEntryCount);
    // Regional start-up rate: the region's own rate (regions file) or the default, more
    // where demand grew last quarter.
    const double rate = world_.regions[r].startup_rate_per_quarter.value_or(params_.entry.rate_per_quarter) *
                        std::exp(params_.entry.demand_elasticity * messages_.region_demand_growth[r]);
    const double mean = rate * static_cast<double>(aggregates_.region_value(r, Aggregates::kActive));
    entrants[r] = entrant_sector_cumulative_[world_.cell(r, kSectorCount - 1)] > 0 ? rng.poisson(mean) : 0;
    total += entrants[r];
  }
  if (total == 0) return;
  const std::size_t first = smes_.table.append(total);
  CLUSTERSIM_ASSERT(smes_.table.next_id() < kForeignPartner, "more SMEs born than 31-bit partner ids can name");
  std::vector<std::size_t> region_end(R);
  std::partial_sum(entrants.begin(), entrants.end(), region_end.begin());

  const auto& pop = params_.population;
  // Start-ups bring half the knowledge of an established SME.
  const double knowledge_start =
      0.5 * params_.innovation.effort_per_quarter / std::max(params_.innovation.depreciation_per_quarter, 1e-9);
  parallel::for_each_block(total, [&](std::size_t, std::size_t begin, std::size_t end) {
    std::int64_t* acc = sums.local().data();
    std::size_t region = static_cast<std::size_t>(
        std::upper_bound(region_end.begin(), region_end.end(), begin) - region_end.begin());
    for (std::size_t k = begin; k < end; ++k) {
      while (k >= region_end[region]) ++region;
      const std::size_t i = first + k;
      random::Stream rng(seed_, smes_.table.id(i), t, purpose::kEntrant);
      const double* cum = &entrant_sector_cumulative_[world_.cell(region, 0)];
      const double target = rng.uniform() * cum[kSectorCount - 1];
      std::size_t sector = static_cast<std::size_t>(std::upper_bound(cum, cum + kSectorCount, target) - cum);
      sector = std::min(sector, kSectorCount - 1);
      smes_.region[i] = static_cast<std::uint16_t>(region);
      smes_.sector[i] = static_cast<std::uint8_t>(sector);
      smes_.employees[i] = static_cast<float>(pareto_employees(rng.uniform(), pop.size_tail_exponent,
                                                               params_.entry.max_employees));
      smes_.productivity_eur_per_year[i] = static_cast<float>(
          pop.turnover_per_employee_eur_per_year * world_.regions[region].productivity_factor *
          lognormal_factor(pop.productivity_sigma, rng.normal()));
      smes_.knowledge[i] = static_cast<float>(knowledge_start);
      std::uint8_t f = flag::kAlive | flag::kEnteredNow;
      // Start-ups are born digital as often as their region already is.
      if (rng.uniform() < messages_.digital_share[peer_group(params_.adoption.peers, static_cast<std::uint16_t>(region),
                                                             static_cast<std::uint8_t>(sector), kNoCluster,
                                                             world_.clusters.size())])
        f |= flag::kDigital;
      smes_.flags[i] = f;
      smes_.cluster[i] = kNoCluster;
      smes_.shrinking_quarters[i] = 0;
      smes_.quarters_since_innovation[i] = kNeverInnovated;
      smes_.partners[i].fill(kNoPartner);
      smes_.skills[i] = static_cast<float>(0.2 + 0.4 * rng.uniform());
      smes_.events[i] = 0;
      smes_.former_partner[i] = kNoPartner;
      smes_.support[i] = 0;
      accumulate(offsets, acc, i);
    }
  });
  CLUSTERSIM_ASSERT(smes_.table.next_id() < kForeignPartner, "more SMEs born than 31-bit partner ids can name");
}

// Aggregation. Every aggregate is an exact int64 sum over rows, so it can be accumulated
// row by row wherever the row is final: in the SME pass right after the row's mechanisms,
// in the entry pass for newborns, and, for the few rows that serial tie changes touch
// afterwards, by correcting the few counts that a tie change can alter. One pass
// over the SME columns per step instead of two; count_aggregates() is the plain recount
// (the initial state, and tests check that both agree).

ClusterModel::AggregateOffsets ClusterModel::aggregate_offsets() const {
  const std::size_t R = world_.regions.size(), C = world_.clusters.size();
  AggregateOffsets o{};
  o.sector = R * Aggregates::kRegionSlots;
  o.cluster = o.sector + kSectorCount * Aggregates::kSectorSlots;
  o.cell = o.cluster + C;
  o.cell_member = o.cell + R * kSectorCount;
  o.peer = o.cell_member + R * kSectorCount;
  o.instrument = o.peer + peer_group_count(params_.adoption.peers, R, C) * Aggregates::kPeerSlots;
  o.dead = o.instrument + programme_.size() * Aggregates::kInstrumentSlots;
  o.slots = o.dead + 1;
  o.clusters = C;
  o.peers = params_.adoption.peers;
  o.recent_quarters = params_.innovation.recent_quarters;
  return o;
}

/// Adds row i's contribution to the flat sums `acc`.
void ClusterModel::accumulate(const AggregateOffsets& o, std::int64_t* acc, std::size_t i) const {
  const std::uint8_t f = smes_.flags[i];
  const std::size_t r = smes_.region[i];
  std::int64_t* reg = &acc[r * Aggregates::kRegionSlots];
  if (const std::uint16_t code = smes_.support[i]) {
    // Counted even if the SME exited later in the quarter: it was supported and paid for.
    const Purpose purpose = support_purpose(code);
    const std::int64_t outside = support_outside(code) ? 1 : 0;
    std::int64_t* ins = &acc[o.instrument + support_instrument(code) * Aggregates::kInstrumentSlots];
    const std::uint8_t ev = smes_.events[i];
    ins[Aggregates::kISupported] += 1;
    ins[Aggregates::kIPartnered] += (f & flag::kPartneredNow) ? 1 : 0;
    ins[Aggregates::kIProduct] += (ev & event::kProductInnovation) ? 1 : 0;
    ins[Aggregates::kIProcess] += (ev & event::kProcessInnovation) ? 1 : 0;
    ins[Aggregates::kISkills] += (ev & event::kSkillsInvestment) ? 1 : 0;
    ins[Aggregates::kIIntl] += purpose == Purpose::Internationalisation ? 1 : 0;
    ins[Aggregates::kIDigital] += purpose == Purpose::Digital ? 1 : 0;
    ins[Aggregates::kIGreen] += purpose == Purpose::Green ? 1 : 0;
    ins[Aggregates::kIOutside] += outside;
    ins[Aggregates::kIMobility] += purpose == Purpose::Mobility ? 1 : 0;
    ins[Aggregates::kIMentoring] += purpose == Purpose::Mentoring ? 1 : 0;
    reg[Aggregates::kSupported] += 1;
    reg[Aggregates::kSupportedIntl] += purpose == Purpose::Internationalisation ? 1 : 0;
    reg[Aggregates::kSupportedDigital] += purpose == Purpose::Digital ? 1 : 0;
    reg[Aggregates::kSupportedGreen] += purpose == Purpose::Green ? 1 : 0;
    reg[Aggregates::kSupportedOutside] += outside;
    reg[Aggregates::kMobility] += purpose == Purpose::Mobility ? 1 : 0;
    reg[Aggregates::kMentoring] += purpose == Purpose::Mentoring ? 1 : 0;
  }
  if (!(f & flag::kAlive)) {
    reg[Aggregates::kExited] += (f & flag::kExitedNow) ? 1 : 0;
    acc[o.dead] += 1;
    return;
  }
  const std::size_t s = smes_.sector[i];
  const std::int64_t employment_milli = round_nonnegative(static_cast<double>(smes_.employees[i]) * 1000.0);
  const std::int64_t cents = turnover_cents(smes_.employees[i], smes_.productivity_eur_per_year[i]);
  const std::int64_t digital = (f & flag::kDigital) ? 1 : 0, green = (f & flag::kGreen) ? 1 : 0;
  reg[Aggregates::kActive] += 1;
  reg[Aggregates::kEmploymentMilli] += employment_milli;
  reg[Aggregates::kTurnoverCents] += cents;
  reg[Aggregates::kInnovating] += smes_.quarters_since_innovation[i] < o.recent_quarters ? 1 : 0;
  reg[Aggregates::kPartnered] += (f & flag::kPartneredNow) ? 1 : 0;
  reg[Aggregates::kExporting] += (f & flag::kExporting) ? 1 : 0;
  reg[Aggregates::kDigital] += digital;
  reg[Aggregates::kGreen] += green;
  reg[Aggregates::kEntered] += (f & flag::kEnteredNow) ? 1 : 0;
  reg[Aggregates::kCrossRegionTies] += (f & flag::kCrossRegionTieNow) ? 1 : 0;
  const std::uint8_t ev = smes_.events[i];
  reg[Aggregates::kSkillsInvesting] += (ev & event::kSkillsInvestment) ? 1 : 0;
  reg[Aggregates::kProductInnovations] += (ev & event::kProductInnovation) ? 1 : 0;
  reg[Aggregates::kProcessInnovations] += (ev & event::kProcessInnovation) ? 1 : 0;
  reg[Aggregates::kPartnerships] += static_cast<std::int64_t>(smes_.partner_count(i));
  reg[Aggregates::kKnowledgeMicro] += round_nonnegative(static_cast<double>(smes_.knowledge[i]) * 1e6);
  reg[Aggregates::kProductivityEur] += round_nonnegative(static_cast<double>(smes_.productivity_eur_per_year[i]));
  std::int64_t* sec = &acc[o.sector + s * Aggregates::kSectorSlots];
  sec[Aggregates::kSectorActive] += 1;
  sec[Aggregates::kSectorEmploymentMilli] += employment_milli;
  sec[Aggregates::kSectorTurnoverCents] += cents;
  sec[Aggregates::kSectorDigital] += digital;
  sec[Aggregates::kSectorGreen] += green;
  acc[o.cell + r * kSectorCount + s] += 1;
  std::int64_t* peer =
      &acc[o.peer + peer_group(o.peers, smes_.region[i], smes_.sector[i], smes_.cluster[i], o.clusters) * Aggregates::kPeerSlots];
  peer[Aggregates::kPeerActive] += 1;
  peer[Aggregates::kPeerDigital] += digital;
  peer[Aggregates::kPeerGreen] += green;
  if (smes_.cluster[i] != kNoCluster) {
    acc[o.cell_member + r * kSectorCount + s] += 1;
    reg[Aggregates::kMembers] += 1;
    reg[Aggregates::kMemberDigital] += digital;
    acc[o.cluster + static_cast<std::size_t>(smes_.cluster[i])] += 1;
  }
}

Aggregates ClusterModel::unpack_aggregates(const AggregateOffsets& o, const std::vector<std::int64_t>& total) const {
  const std::size_t R = world_.regions.size();
  auto slice = [&](std::size_t from, std::size_t to) {
    return std::vector<std::int64_t>(total.begin() + static_cast<std::ptrdiff_t>(from),
                                     total.begin() + static_cast<std::ptrdiff_t>(to));
  };
  Aggregates a;
  a.region = slice(0, o.sector);
  a.sector = slice(o.sector, o.cluster);
  a.cluster_members = slice(o.cluster, o.cell);
  a.cell_active = slice(o.cell, o.cell_member);
  a.cell_members = slice(o.cell_member, o.cell_member + R * kSectorCount);
  a.peer = slice(o.peer, o.instrument);
  a.instrument = slice(o.instrument, o.dead);
  a.rows_dead = total[o.dead];
  return a;
}

Aggregates ClusterModel::count_aggregates() const {
  const AggregateOffsets o = aggregate_offsets();
  parallel::IntegerSums sums(o.slots);
  parallel::for_each_block(smes_.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    std::int64_t* acc = sums.local().data();
    for (std::size_t i = begin; i < end; ++i) accumulate(o, acc, i);
  });
  return unpack_aggregates(o, sums.total());
}

void ClusterModel::compact_if_needed() {
  const auto rows = static_cast<double>(smes_.rows());
  if (static_cast<double>(aggregates_.rows_dead) <= kDeadShareBeforeCompaction * rows) return;
  // Rows that died this step are still needed by observe() for smes_exited; they are
  // flagged, so keep them until the next compaction.
  std::vector<std::uint8_t> keep(smes_.rows());
  parallel::for_each_block(smes_.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      keep[i] = (smes_.flags[i] & (flag::kAlive | flag::kExitedNow)) ? 1 : 0;
  });
  smes_.table.compact(keep);
  aggregates_.rows_dead = aggregates_.total(Aggregates::kExited);
}

// ---------------------------------------------------------------------------------------
// Recording: what the model offers, declared once; describe() and observe() both walk it.

std::vector<ClusterModel::Observable> ClusterModel::observables() {
  using record::DType;
  std::vector<Observable> out;
  const std::vector<std::string> by_region{"replicate", "step", "region"};
  const std::vector<std::string> by_cluster{"replicate", "step", "cluster"};
  const std::vector<std::string> by_sector{"replicate", "step", "sector"};

  // The regional variables the run summary prints (summed over regions).
  static constexpr std::string_view kRegionHeadlines[] = {
      "smes_active",    "employment",       "turnover_eur",   "smes_innovating",    "partnerships_concluded",
      "smes_exporting", "digital_adopters", "green_adopters", "cluster_member_smes"};
  auto region_count = [&](const char* name, const char* long_name, Aggregates::RegionSlot slot, double scale,
                          DType dtype, const char* units) {
    const bool headline = std::find(std::begin(kRegionHeadlines), std::end(kRegionHeadlines), name) !=
                          std::end(kRegionHeadlines);
    out.push_back({{name, dtype, by_region, units, long_name, headline, {}},
                   [slot, scale](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t r = 0; r < v.size(); ++r)
                       v[r] = static_cast<double>(m.aggregates_.region_value(r, slot)) * scale;
                   }});
  };
  region_count("smes_active", "active SMEs at the end of the quarter", Aggregates::kActive, 1, DType::Int64, "1");
  region_count("employment", "employment in active SMEs (full-time equivalents)", Aggregates::kEmploymentMilli, 1e-3,
               DType::Float64, "FTE");
  region_count("turnover_eur", "turnover of active SMEs in the quarter", Aggregates::kTurnoverCents, 1e-2,
               DType::Float64, "EUR");
  region_count("smes_innovating", "SMEs that introduced a new-to-firm product or process in the last innovation.recent_quarters quarters",
               Aggregates::kInnovating, 1, DType::Int64, "1");
  region_count("partnerships_concluded", "SMEs that concluded a new business partnership in the quarter",
               Aggregates::kPartnered, 1, DType::Int64, "1");
  region_count("partnerships_cross_region", "SMEs that concluded a partnership with an SME of another region in the quarter",
               Aggregates::kCrossRegionTies, 1, DType::Int64, "1");
  region_count("sme_partnerships", "business partnerships held by the region's SMEs (a tie counts at both ends)",
               Aggregates::kPartnerships, 1, DType::Int64, "1");
  region_count("smes_product_innovation", "SMEs that introduced a new-to-firm product or service in the quarter",
               Aggregates::kProductInnovations, 1, DType::Int64, "1");
  region_count("smes_process_innovation", "SMEs that introduced a business process innovation in the quarter",
               Aggregates::kProcessInnovations, 1, DType::Int64, "1");
  region_count("smes_investing_skills", "SMEs that invested in their staff's skills in the quarter",
               Aggregates::kSkillsInvesting, 1, DType::Int64, "1");
  region_count("cluster_member_digital_adopters", "cluster members that have adopted digital technologies",
               Aggregates::kMemberDigital, 1, DType::Int64, "1");
  region_count("smes_exporting", "SMEs selling abroad", Aggregates::kExporting, 1, DType::Int64, "1");
  region_count("digital_adopters", "SMEs that have adopted digital technologies", Aggregates::kDigital, 1,
               DType::Int64, "1");
  region_count("green_adopters", "SMEs that have adopted green practices", Aggregates::kGreen, 1, DType::Int64, "1");
  region_count("smes_entered", "start-ups in the quarter", Aggregates::kEntered, 1, DType::Int64, "1");
  region_count("smes_exited", "SME exits in the quarter", Aggregates::kExited, 1, DType::Int64, "1");
  region_count("cluster_member_smes", "SMEs that are members of a cluster organisation", Aggregates::kMembers, 1,
               DType::Int64, "1");
  out.push_back({{"region_knowledge", DType::Float64, by_region, "1", "mean knowledge stock of the region's SMEs (model units)",
                  false, {}},
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t r = 0; r < v.size(); ++r) {
                     const auto active = m.aggregates_.region_value(r, Aggregates::kActive);
                     v[r] = active > 0 ? static_cast<double>(m.aggregates_.region_value(r, Aggregates::kKnowledgeMicro)) *
                                             1e-6 / static_cast<double>(active)
                                       : 0.0;
                   }
                 }});

  out.push_back({{"cluster_members", DType::Int64, by_cluster, "1", "member SMEs of the cluster organisation", true, {}},
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t c = 0; c < v.size(); ++c) v[c] = static_cast<double>(m.aggregates_.cluster_members[c]);
                 }});
  auto cluster_money = [&](const char* name, const char* long_name, std::vector<double> ClusterState::*field) {
    out.push_back({{name, DType::Float64, by_cluster, "EUR", long_name, false, {}},
                   [field](const ClusterModel& m, std::vector<double>& v) { v = m.clusters_.*field; }});
  };
  cluster_money("cluster_budget_eur", "cluster organisation's budget (reserves) at the end of the quarter",
                &ClusterState::budget_eur);
  cluster_money("cluster_income_eur", "cluster income in the quarter (fees and public funding)", &ClusterState::income_eur);
  cluster_money("cluster_spending_eur", "cluster spending in the quarter (running cost and services)",
                &ClusterState::spending_eur);
  cluster_money("cluster_service_spending_eur", "cluster spending on member services in the quarter",
                &ClusterState::service_spending_eur);
  auto cluster_value = [&](const char* name, const char* units, const char* long_name, auto field) {
    out.push_back({{name, DType::Float64, by_cluster, units, long_name, false, {}},
                   [field](const ClusterModel& m, std::vector<double>& v) {
                     const auto& src = m.clusters_.*field;
                     for (std::size_t c = 0; c < v.size(); ++c) v[c] = static_cast<double>(src[c]);
                   }});
  };
  cluster_value("cluster_staff_fte", "FTE", "cluster management staff", &ClusterState::staff_fte);
  cluster_value("cluster_manager_skill", "1", "cluster manager's skill (0-1)", &ClusterState::manager_skill);
  cluster_value("cluster_maturity", "1", "maturity label: 0 none, 1 bronze, 2 silver, 3 gold", &ClusterState::maturity);
  cluster_value("cluster_value_to_fee", "1", "value of a quarter's services to a member relative to the fee",
                &ClusterState::value_to_fee);
  out.push_back({{"cluster_metacluster", DType::Int32, by_cluster, "1",
                  "index along the metacluster dimension of the cluster's meta-cluster, -1 if none", false, {}},
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t c = 0; c < v.size(); ++c) v[c] = m.metaclusters_.of_cluster[c];
                 }});
  out.push_back({{"cluster_engagement", DType::Float64, by_cluster, "1",
                  "engagement of the cluster in its meta-cluster (0-1; 0 if none)", false, {}},
                 [](const ClusterModel& m, std::vector<double>& v) { v = m.metaclusters_.engagement; }});
  const std::vector<std::string> by_meta{"replicate", "step", "metacluster"};
  out.push_back({{"metacluster_members", DType::Int32, by_meta, "1", "member clusters of the meta-cluster", false, {}},
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t k = 0; k < v.size(); ++k) v[k] = m.metaclusters_.members[k];
                 }});
  out.push_back({{"metacluster_budget_eur", DType::Float64, by_meta, "EUR", "meta-cluster's reserves", false, {}},
                 [](const ClusterModel& m, std::vector<double>& v) { v = m.metaclusters_.budget_eur; }});
  out.push_back({{"metacluster_active", DType::Int32, by_meta, "1", "1 while the meta-cluster slot is in use", false, {}},
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t k = 0; k < v.size(); ++k) v[k] = m.metaclusters_.active[k];
                 }});
  out.push_back({{"metaclusters_active", DType::Int64, {"replicate", "step"}, "1", "meta-clusters operating", true, {}},
                 [](const ClusterModel& m, std::vector<double>& v) {
                   v[0] = static_cast<double>(m.metaclusters_.count_active());
                 }});
  out.push_back({{"cluster_active", DType::Int32, by_cluster, "1", "1 while the cluster operates, 0 once it has folded",
                  false, {}},
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t c = 0; c < v.size(); ++c) v[c] = m.clusters_.active[c];
                 }});

  // Instrument support by region (DOMAIN.md indicators).
  region_count("smes_supported", "SMEs supported by a policy instrument in the quarter", Aggregates::kSupported, 1,
               DType::Int64, "1");
  region_count("smes_supported_internationalisation", "SMEs supported for internationalisation in the quarter",
               Aggregates::kSupportedIntl, 1, DType::Int64, "1");
  region_count("smes_supported_digitalisation", "SMEs supported for digitalisation in the quarter",
               Aggregates::kSupportedDigital, 1, DType::Int64, "1");
  region_count("smes_supported_sustainability", "SMEs supported for sustainability (green) in the quarter",
               Aggregates::kSupportedGreen, 1, DType::Int64, "1");
  region_count("smes_supported_outside", "SMEs supported from outside the funded (lead) partner's region in the quarter",
               Aggregates::kSupportedOutside, 1, DType::Int64, "1");
  region_count("mobility_participants", "SMEs taking part in mobility schemes (staff exchange, meta-cluster visits) in the quarter",
               Aggregates::kMobility, 1, DType::Int64, "1");
  region_count("mentoring_participants", "SMEs whose entrepreneurs were coached (technical assistance) in the quarter",
               Aggregates::kMentoring, 1, DType::Int64, "1");

  // Instruments: money (cent-exact ledgers, shown in EUR) and activity, by instrument.
  const std::vector<std::string> by_instrument{"replicate", "step", "instrument"};
  const std::vector<std::string> by_source{"replicate", "step", "instrument", "source"};
  using instruments::Cents;
  using instruments::Ledger;
  auto money = [&](const char* name, const char* long_name, auto get) {
    out.push_back({{name, DType::Float64, by_instrument, "EUR", long_name, false, {}},
                   [get](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(instruments::total(get(m.programme_, i))) / 100.0;
                   }});
  };
  auto by_src = [&](const char* name, const char* long_name, auto get) {
    out.push_back({{name, DType::Float64, by_source, "EUR", long_name, false, {}},
                   [get](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t i = 0; i < m.programme_.size(); ++i) {
                       const Cents c = get(m.programme_, i);
                       for (std::size_t s = 0; s < instruments::kSourceCount; ++s)
                         v[i * instruments::kSourceCount + s] = static_cast<double>(c[s]) / 100.0;
                     }
                   }});
  };
  using P = instruments::Programme;
  money("instrument_budget_eur", "budget allocated to the instrument so far (cumulative tranches)",
        [](const P& p, std::size_t i) { return p.ledger(i).allocated; });
  money("instrument_spent_eur", "money the instrument disbursed in the quarter",
        [](const P& p, std::size_t i) { return p.spent_this_step(i); });
  money("instrument_committed_eur", "money awarded but not yet paid at the end of the quarter",
        [](const P& p, std::size_t i) { return p.ledger(i).committed; });
  money("instrument_unspent_eur", "allocated money neither paid nor committed (available or returned to funders)",
        [](const P& p, std::size_t i) {
          Cents c{};
          for (std::size_t s = 0; s < instruments::kSourceCount; ++s) c[s] = p.ledger(i).unspent(s);
          return c;
        });
  by_src("instrument_spent_by_source_eur", "money disbursed in the quarter by funding source",
         [](const P& p, std::size_t i) { return p.spent_this_step(i); });
  by_src("instrument_allocated_by_source_eur", "cumulative allocation by funding source",
         [](const P& p, std::size_t i) { return p.ledger(i).allocated; });
  by_src("instrument_disbursed_by_source_eur", "cumulative disbursement by funding source",
         [](const P& p, std::size_t i) { return p.ledger(i).disbursed; });
  by_src("instrument_committed_by_source_eur", "committed, not yet paid, by funding source",
         [](const P& p, std::size_t i) { return p.ledger(i).committed; });
  by_src("instrument_unspent_by_source_eur", "unspent (available or returned) by funding source",
         [](const P& p, std::size_t i) {
           Cents c{};
           for (std::size_t s = 0; s < instruments::kSourceCount; ++s) c[s] = p.ledger(i).unspent(s);
           return c;
         });
  auto counter = [&](const char* name, const char* long_name, auto get) {
    out.push_back({{name, DType::Int64, by_instrument, "1", long_name, false, {}},
                   [get](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(get(m, i));
                   }});
  };
  counter("instrument_applications", "applications to the instrument's calls in the quarter",
          [](const ClusterModel& m, std::size_t i) { return m.programme_.counts(i).applications; });
  counter("instrument_awards", "awards made in the quarter",
          [](const ClusterModel& m, std::size_t i) { return m.programme_.counts(i).awards; });
  counter("instrument_projects_failed", "awarded projects that failed in the quarter (their money returned)",
          [](const ClusterModel& m, std::size_t i) { return m.programme_.counts(i).failed; });
  counter("instrument_clusters_trained", "cluster organisations trained (excellence awards) in the quarter",
          [](const ClusterModel& m, std::size_t i) { return m.programme_.counts(i).clusters_trained; });
  counter("instrument_third_country_agreements", "collaboration agreements signed with third countries in the quarter",
          [](const ClusterModel& m, std::size_t i) { return m.programme_.counts(i).agreements; });
  auto supported = [&](const char* name, const char* long_name, Aggregates::InstrumentSlot slot) {
    counter(name, long_name, [slot](const ClusterModel& m, std::size_t i) {
      return m.aggregates_.instrument[i * Aggregates::kInstrumentSlots + slot];
    });
  };
  supported("instrument_smes_supported", "SMEs the instrument supported in the quarter", Aggregates::kISupported);
  supported("instrument_smes_new_partnerships", "supported SMEs that concluded a new partnership in the quarter",
            Aggregates::kIPartnered);
  supported("instrument_smes_product_innovation", "supported SMEs with a new-to-firm product in the quarter",
            Aggregates::kIProduct);
  supported("instrument_smes_process_innovation", "supported SMEs with a business process innovation in the quarter",
            Aggregates::kIProcess);
  supported("instrument_smes_investing_skills", "supported SMEs that invested in skills in the quarter",
            Aggregates::kISkills);
  supported("instrument_smes_internationalisation", "SMEs that benefited from internationalisation support in the quarter",
            Aggregates::kIIntl);
  supported("instrument_smes_digitalisation", "SMEs supported for digitalisation in the quarter", Aggregates::kIDigital);
  supported("instrument_smes_sustainability", "SMEs supported for sustainability (green) in the quarter",
            Aggregates::kIGreen);
  supported("instrument_smes_supported_outside", "SMEs supported outside the funded (lead) partner's region in the quarter",
            Aggregates::kIOutside);
  supported("instrument_mobility_participants", "mobility participants (staff exchange, meta-cluster visits) in the quarter",
            Aggregates::kIMobility);
  supported("instrument_mentoring_participants", "SMEs whose entrepreneurs were coached in the quarter",
            Aggregates::kIMentoring);

  auto sector_value = [&](const char* name, const char* long_name, Aggregates::SectorSlot slot, double scale,
                          DType dtype, const char* units) {
    out.push_back({{name, dtype, by_sector, units, long_name, false, {}},
                   [slot, scale](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t s = 0; s < v.size(); ++s)
                       v[s] = static_cast<double>(m.aggregates_.sector[s * Aggregates::kSectorSlots + slot]) * scale;
                   }});
  };
  sector_value("sector_smes_active", "active SMEs by ecosystem", Aggregates::kSectorActive, 1, DType::Int64, "1");
  sector_value("sector_employment", "employment by ecosystem", Aggregates::kSectorEmploymentMilli, 1e-3, DType::Float64,
               "FTE");
  sector_value("sector_turnover_eur", "turnover in the quarter by ecosystem", Aggregates::kSectorTurnoverCents, 1e-2,
               DType::Float64, "EUR");
  return out;
}

void ClusterModel::describe(record::Layout& layout) const {
  using record::DType;
  const std::size_t R = world_.regions.size(), C = world_.clusters.size();
  layout.dims.push_back({"region", R});
  layout.dims.push_back({"cluster", C});
  layout.dims.push_back({"sector", kSectorCount});
  const std::size_t M = std::max<std::size_t>(1, C / 2);
  layout.dims.push_back({"metacluster", M});
  const std::size_t I = programme_.size();
  layout.dims.push_back({"instrument", I});
  layout.dims.push_back({"source", instruments::kSourceCount});

  auto strings = [](std::size_t n, auto&& get) {
    std::vector<std::string> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = get(i);
    return v;
  };
  auto reals = [](std::size_t n, auto&& get) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = get(i);
    return v;
  };
  const auto& reg = world_.regions;
  const auto& cl = world_.clusters;
  auto sector_key = [](std::uint8_t s) { return s == kNoSector ? std::string() : std::string(kSectors[s].key); };
  layout.statics.push_back({{"region", DType::String, {"region"}, "", "NUTS-2-like region code"},
                            strings(R, [&](std::size_t i) { return reg[i].code; })});
  layout.statics.push_back({{"region_name", DType::String, {"region"}, "", "region name"},
                            strings(R, [&](std::size_t i) { return reg[i].name; })});
  layout.statics.push_back({{"region_country", DType::String, {"region"}, "", "country code (ISO 3166-1 alpha-2, EL = Greece)"},
                            strings(R, [&](std::size_t i) { return reg[i].country; })});
  layout.statics.push_back({{"region_development_level", DType::String, {"region"}, "",
                             "cohesion-policy category: more_developed, transition or less_developed"},
                            strings(R, [&](std::size_t i) { return std::string(to_string(reg[i].level)); })});
  layout.statics.push_back({{"region_s3_sectors", DType::String, {"region"}, "",
                             "smart-specialisation priority ecosystems (comma-separated keys)"},
                            strings(R, [&](std::size_t i) {
                              std::string text;
                              for (auto s3 : reg[i].s3_sectors) {
                                if (!text.empty()) text += ',';
                                text += sector_key(s3);
                              }
                              return text;
                            })});
  layout.statics.push_back({{"region_lon", DType::Float64, {"region"}, "degrees_east", "region longitude"},
                            reals(R, [&](std::size_t i) { return reg[i].lon_deg; })});
  layout.statics.push_back({{"region_lat", DType::Float64, {"region"}, "degrees_north", "region latitude"},
                            reals(R, [&](std::size_t i) { return reg[i].lat_deg; })});
  layout.statics.push_back({{"cluster", DType::String, {"cluster"}, "", "cluster organisation id"},
                            strings(C, [&](std::size_t i) { return cl[i].id; })});
  layout.statics.push_back({{"cluster_region", DType::String, {"cluster"}, "", "code of the cluster's region"},
                            strings(C, [&](std::size_t i) { return reg[cl[i].region].code; })});
  layout.statics.push_back({{"cluster_sector", DType::String, {"cluster"}, "", "cluster's main ecosystem"},
                            strings(C, [&](std::size_t i) { return sector_key(cl[i].sector); })});
  layout.statics.push_back({{"cluster_second_sector", DType::String, {"cluster"}, "",
                             "cluster's second ecosystem (empty if none)"},
                            strings(C, [&](std::size_t i) { return sector_key(cl[i].second_sector); })});
  layout.statics.push_back({{"cluster_target_members", DType::Float64, {"cluster"}, "1",
                             "equilibrium membership the cluster's join probability aims at"},
                            reals(C, [&](std::size_t i) { return cl[i].target_members; })});
  layout.statics.push_back({{"metacluster", DType::String, {"metacluster"}, "",
                             "meta-cluster slot id (a slot is reused after its meta-cluster dissolves)"},
                            strings(M, [&](std::size_t i) { return fmt::format("M{:04d}", i + 1); })});
  layout.statics.push_back({{"sector", DType::String, {"sector"}, "", "industrial ecosystem key"},
                            strings(kSectorCount, [&](std::size_t i) { return std::string(kSectors[i].key); })});
  layout.statics.push_back({{"sector_name", DType::String, {"sector"}, "", "industrial ecosystem name"},
                            strings(kSectorCount, [&](std::size_t i) { return std::string(kSectors[i].name); })});
  layout.statics.push_back({{"instrument", DType::String, {"instrument"}, "", "policy instrument id ([[instruments]] in the scenario)"},
                            strings(I, [&](std::size_t i) { return programme_.instrument(i).common.id; })});
  layout.statics.push_back({{"instrument_type", DType::String, {"instrument"}, "", "policy instrument type"},
                            strings(I, [&](std::size_t i) { return programme_.instrument(i).common.type; })});
  layout.statics.push_back({{"source", DType::String, {"source"}, "", "funding source"},
                            strings(instruments::kSourceCount,
                                    [&](std::size_t i) { return std::string(instruments::kSourceNames[i]); })});
  for (const auto& o : observables_) layout.series.push_back(o.spec);
}

void ClusterModel::observe(record::Frame& frame) const {
  for (std::size_t k = 0; k < observables_.size(); ++k) observables_[k].fill(*this, frame[k]);
}

sim::ModelDescriptor descriptor() {
  return {"cluster", [](config::Schema& schema) { declare(schema); },
          [](const config::Scenario& scenario) -> std::unique_ptr<sim::Model> {
            return std::make_unique<ClusterModel>(read(scenario));
          }, estimate_memory};
}

}  // namespace clustersim::model
