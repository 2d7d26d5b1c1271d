#include "models/cluster/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "engine/core/error.hpp"
#include "engine/core/isa.hpp"
#include "engine/numeric/fast_math.hpp"
#include "engine/parallel/blocks.hpp"
#include "engine/random/batch.hpp"
#include "models/cluster/mechanisms/adoption.hpp"
#include "models/cluster/mechanisms/exit.hpp"
#include "models/cluster/mechanisms/exporting.hpp"
#include "models/cluster/mechanisms/growth.hpp"
#include "models/cluster/mechanisms/innovation.hpp"
#include "models/cluster/mechanisms/market.hpp"
#include "models/cluster/mechanisms/membership.hpp"
#include "models/cluster/mechanisms/partnership.hpp"
#include "models/cluster/mechanisms/selection_phase.hpp"
#include "models/cluster/mechanisms/skills.hpp"
#include "models/cluster/mechanisms/support.hpp"
#include "models/cluster/population.hpp"
#include "models/cluster/ties.hpp"
#include "models/cluster/memory.hpp"

namespace clustersim::model {

namespace {
constexpr double kDeadShareBeforeCompaction = 0.10;
}  // namespace

ClusterModel::ClusterModel(Params params)
    : params_(std::move(params)),
      world_(build_world(params_)),
      observables_(observables()),
      panel_(params_),
      programme_(params_.instruments, world_),
      entrant_sector_cumulative_(entrant_sector_cumulative(world_)),
      market_(make_market_state(params_, world_, programme_.size())) {}

std::string ClusterModel::world_summary() const {
  return fmt::format("{} SMEs, {} clusters, {} regions, {} sectors", params_.population.smes, world_.clusters.size(),
                     world_.regions.size(), kSectorCount);
}

Aggregates ClusterModel::count_aggregates() const {
  return model::count_aggregates(smes_, aggregate_layout(params_, world_, programme_.size()));
}

// ---------------------------------------------------------------------------------------
// Replicate start: the initial SME population, drawn from the replicate's seed.

void ClusterModel::start_replicate(std::uint64_t seed) {
  seed_ = seed;
  panel_.start_replicate();
  create_initial_smes(smes_, params_, world_, seed_);
  tie_claims_.reset();
  select_initial_members(smes_, params_, world_, seed_);
  start_clusters(clusters_, params_, world_, seed_);
  start_metaclusters(metaclusters_, world_.clusters.size());
  start_joint_tenders(joint_tenders_, smes_, world_, params_);
  programme_.start_replicate(seed_, world_);
  messages_.offers = {};
  start_markets(market_, messages_);
  cluster_support_.reset(world_.clusters.size());
  const SelectionWeights weights = selection_weights(params_, world_.cluster_start.data());
  parallel::for_each_block(smes_.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) update_score(smes_, i, weights);
  });
  aggregates_ = count_aggregates();
  build_search_index(search_, smes_, world_, aggregates_.column(counter("cluster_members")));
  turnover_.last.assign(world_.regions.size(), 0.0);
  for (std::size_t r = 0; r < world_.regions.size(); ++r)
    turnover_.last[r] = static_cast<double>(aggregates_.value(counter("turnover_eur"), r));
  turnover_.before = turnover_.last;
}

// ---------------------------------------------------------------------------------------
// One step.

void ClusterModel::step(std::int32_t step) {
  // 1. Instruments: this quarter's support offers and cluster-level support.
  programme_.prepare(step, world_, clusters_, aggregates_.column(counter("cluster_members")),
                     aggregates_.column(counter("cell_active")), aggregates_.column(counter("cell_members")),
                     messages_.offers, cluster_support_);
  messages_.offers.reserve_history(smes_.table.next_id(), programme_.size());  // distinct SMEs supported
  // 2. Messages from last quarter's aggregates.
  prepare_messages(messages_, params_, world_, aggregates_, clusters_, metaclusters_, turnover_);
  prepare_markets(market_, messages_, smes_, params_, world_, aggregates_, step, seed_);
  prepare_selection(messages_, params_, world_, aggregates_);
  // This quarter's joint-tender contract revenue, booked to the firms before their rows are counted.
  if (params_.joint_tenders.enabled) pay_joint_tender_contracts(joint_tenders_, smes_);
  // 3-5. SMEs, tie requests and entry; the aggregates are summed as rows become final.
  const AggregateLayout layout = aggregate_layout(params_, world_, programme_.size());
  parallel::IntegerSums sums(layout.counters.total);
  std::vector<std::int64_t> tie_corrections(layout.counters.total, 0);
  sme_phase(step, layout, sums, tie_corrections);
  entry(step, layout, sums);
  std::vector<std::int64_t> total = sums.total();
  for (std::size_t k = 0; k < total.size(); ++k) total[k] += tie_corrections[k];
  aggregates_ = unpack_aggregates(layout, std::move(total));
  // 6. Organisations: instruments settle, clusters and meta-clusters update.
  const auto cluster_members = aggregates_.column(counter("cluster_members"));
  if (programme_.size() > 0) programme_.settle(step);
  update_clusters(clusters_, params_, cluster_members, cluster_support_);
  // Seed money for meta-clusters from a metacluster_support instrument this quarter.
  metaclusters_.external_seed_eur = 0.0;
  for (Money seed : cluster_support_.metacluster_seed_cents) metaclusters_.external_seed_eur += to_eur(seed);
  update_metaclusters(metaclusters_, clusters_, params_, world_, seed_, step);
  if (params_.joint_tenders.enabled) update_joint_tenders(joint_tenders_, params_, clusters_, search_, smes_, seed_, step);
  // 7. Compaction, and the snapshots next quarter reads.
  compact_if_needed();
  build_search_index(search_, smes_, world_, cluster_members);
  turnover_.before = turnover_.last;
  for (std::size_t r = 0; r < world_.regions.size(); ++r)
    turnover_.last[r] = static_cast<double>(aggregates_.value(counter("turnover_eur"), r));
}

namespace {
/// An SME's claim on a support offer this quarter (mechanism::choose_support); offer is set
/// to nullptr when the instrument cannot pay for it.
struct SupportClaim {
  std::size_t row;
  const Offer* offer;
};

/// Nothing counts as supported that is not paid: where an award has more claims than its
/// money pays for (`payable`, Programme::smes_payable, [instrument][award]), it takes up as
/// many as it can pay, those of the lowest priority draws (kSupportRationing, ties by id), and
/// declines the rest. Returns the claims taken up per award. The claims and draws depend only
/// on the seed and the rows, not on the thread count.
std::vector<std::vector<std::int64_t>> ration_support_claims(parallel::BlockBuffers<SupportClaim>& claims,
                                                             const std::vector<std::vector<std::int64_t>>& payable,
                                                             std::uint64_t seed, std::uint32_t step, const Smes& smes) {
  std::vector<std::size_t> first(payable.size() + 1, 0);  // flat index of (instrument, award)
  for (std::size_t k = 0; k < payable.size(); ++k) first[k + 1] = first[k] + payable[k].size();
  std::vector<std::vector<SupportClaim*>> by_award(first.back());
  for (std::size_t block = 0; block < parallel::block_count(smes.rows()); ++block)
    for (SupportClaim& c : claims[block]) {
      CLUSTERSIM_ASSERT(c.offer->award < payable[c.offer->instrument].size(), "a support offer names no award");
      by_award[first[c.offer->instrument] + c.offer->award].push_back(&c);
    }
  std::vector<std::vector<std::int64_t>> taken(payable.size());
  for (std::size_t k = 0; k < payable.size(); ++k) {
    taken[k].assign(payable[k].size(), 0);
    for (std::size_t award = 0; award < payable[k].size(); ++award) {
      auto& list = by_award[first[k] + award];
      const std::int64_t can_pay = std::max<std::int64_t>(payable[k][award], 0);
      taken[k][award] = std::min(static_cast<std::int64_t>(list.size()), can_pay);
      if (static_cast<std::int64_t>(list.size()) <= can_pay) continue;
      std::vector<std::pair<double, std::uint64_t>> priority(list.size());
      std::vector<std::size_t> order(list.size());
      for (std::size_t n = 0; n < list.size(); ++n) {
        const std::uint64_t id = smes.table.id(list[n]->row);
        priority[n] = {random::Stream(seed, id, step, purpose::kSupportRationing).uniform(), id};
        order[n] = n;
      }
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return priority[a] < priority[b]; });
      for (auto n = static_cast<std::size_t>(can_pay); n < order.size(); ++n) list[order[n]]->offer = nullptr;
    }
  }
  return taken;
}
}  // namespace

void ClusterModel::sme_phase(std::int32_t step, const AggregateLayout& layout, parallel::IntegerSums& sums,
                             std::vector<std::int64_t>& tie_corrections) {
  const StepContext ctx{params_, world_, messages_, search_, seed_, step};
  const Params& p = params_;
  const auto t = static_cast<std::uint32_t>(step);
  parallel::BlockBuffers<TieRequest> ties(smes_.rows());
  // Rows go in chunks of 64: the chunk's random draws, growth shocks, growth factors and
  // selection scores are each computed in one vectorised loop, between passes over the rows:
  // the mechanisms up to the growth rate, then growth and exit, then the row's aggregates.
  constexpr std::size_t kChunk = 64;
  // Support claims (choose_support) by block, in row order; their rows finish after rationing.
  parallel::BlockBuffers<SupportClaim> claims(smes_.rows());
  // The mechanisms after support, up to the growth rates.
  const auto finish_row_mechanisms = [&](std::size_t i, const Draws& u, mechanism::GrowthRates& rates) {
    if (p.markets.enabled) mechanism::track_support(smes_, i, ctx);
    if (p.growth.enabled) rates = mechanism::growth_rates(smes_, i, u, ctx);
    // Markets: competitors lose the growth that beneficiaries take from them.
    if (p.growth.enabled && p.markets.enabled) rates.employment -= mechanism::market(smes_, i, ctx);
  };
  const auto grow_and_exit = [&](std::size_t i, const Draws& u, const mechanism::GrowthRates& rates,
                                 float employment_factor, float productivity_factor, std::vector<TieRequest>& out) {
    if (!smes_.alive(i)) return;
    if (p.growth.enabled) mechanism::apply_growth(smes_, i, rates, employment_factor, productivity_factor);
    if (p.exit.enabled) mechanism::exit(smes_, i, u, ctx, out);
  };
  const auto sme_rows = [&](std::size_t block, std::size_t begin, std::size_t end) {
    auto& out = ties[block];
    std::int64_t* acc = sums.local().data();
    std::uint32_t raw[4 * purpose::slot::kBlocks * kChunk];  // 4 KiB for four blocks
    float shocks[2 * kChunk];
    mechanism::GrowthRates rates[kChunk];
    float employment_factor[kChunk], productivity_factor[kChunk];
    bool deferred[kChunk], is_scored[kChunk];
    float scores[kChunk];
    for (std::size_t chunk = begin; chunk < end; chunk += kChunk) {
      const std::size_t rows = std::min(kChunk, end - chunk);
      // All rows' draws at once (dead rows included: rarer than the branch it would take).
      random::fill_draws(seed_, smes_.table.ids().data() + chunk, rows, t, purpose::kSmeStep,
                         purpose::slot::kBlocks, raw, kChunk);
      if (p.growth.enabled) mechanism::growth_shocks(raw, kChunk, rows, shocks, shocks + kChunk);
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t i = chunk + k;
        smes_.support[i] = 0;
        rates[k] = {0.0f, 0.0f};
        deferred[k] = false;
        if (!smes_.alive(i)) {
          smes_.flags[i] = 0;  // dead since an earlier step: no longer "exited now"
          continue;
        }
        smes_.flags[i] = static_cast<std::uint8_t>(
            smes_.flags[i] & ~(flag::kPartneredNow | flag::kEnteredNow | flag::kCrossRegionTieNow));
        smes_.events[i] &= event::kContractRevenue;  // booked for this quarter before the phase
        const Draws u{raw + k, shocks + k, kChunk};
        if (p.membership.enabled) mechanism::membership(smes_, i, u, ctx);
        if (p.skills.enabled) mechanism::skills(smes_, i, u, ctx);
        if (p.innovation.enabled) mechanism::innovation(smes_, i, u, ctx);
        if (p.exporting.enabled) mechanism::exporting(smes_, i, u, ctx);
        if (p.adoption.enabled) mechanism::adoption(smes_, i, u, ctx);
        if (p.partnership.enabled) mechanism::partnership(smes_, i, u, ctx, out);
        if (messages_.offers.any)
          if (const Offer* o = mechanism::choose_support(smes_, i, u, ctx)) {
            // A claim: the rest of this row waits until the claims are rationed to the money.
            claims[block].push_back({i, o});
            deferred[k] = true;
            continue;
          }
        finish_row_mechanisms(i, u, rates[k]);
      }
      if (p.growth.enabled)
        for (std::size_t k = 0; k < rows; ++k) {
          employment_factor[k] = numeric::exp(rates[k].employment);
          productivity_factor[k] = numeric::exp(rates[k].productivity);
        }
      for (std::size_t k = 0; k < rows; ++k)
        if (!deferred[k])
          grow_and_exit(chunk + k, Draws{raw + k, shocks + k, kChunk}, rates[k], employment_factor[k],
                        productivity_factor[k], out);
      // The rows are final: their selection scores (where any row of the chunk is scored,
      // all of its rows in one vectorised loop; rows are laid out cell by cell, so most
      // chunks are all scored or none) and their aggregates.
      std::size_t scored_rows = 0;
      for (std::size_t k = 0; k < rows; ++k) {
        is_scored[k] = scored(smes_, chunk + k, layout.selection);
        scored_rows += is_scored[k] ? 1 : 0;
      }
      if (scored_rows > 0) selection_scores(smes_, chunk, rows, layout.selection, scores);
      for (std::size_t k = 0; k < rows; ++k) {
        if (deferred[k]) continue;
        const std::size_t i = chunk + k;
        smes_.score[i] = is_scored[k] ? scores[k] : 0.0f;
        accumulate(smes_, layout, acc, i);
      }
    }
  };
  // The rows' pass is most of a step's time: compiled for the CPU's vector instructions.
  parallel::for_each_block(smes_.rows(), [&](std::size_t block, std::size_t begin, std::size_t end) {
    isa::dispatch([&] { sme_rows(block, begin, end); });
  });
  programme_.take_up(ration_support_claims(claims, programme_.smes_payable(step), seed_, t, smes_));
  // The claimed rows: the support their instrument pays for, then the rest of the row as above.
  parallel::for_each_block(smes_.rows(), [&](std::size_t block, std::size_t, std::size_t) {
    auto& out = ties[block];
    std::int64_t* acc = sums.local().data();
    std::uint32_t raw[4 * purpose::slot::kBlocks];
    float shocks[2] = {0.0f, 0.0f};
    for (const SupportClaim& claim : claims[block]) {
      const std::size_t i = claim.row;
      random::fill_draws(seed_, smes_.table.ids().data() + i, 1, t, purpose::kSmeStep, purpose::slot::kBlocks, raw, 1);
      if (p.growth.enabled) mechanism::growth_shocks(raw, 1, 1, shocks, shocks + 1);
      const Draws u{raw, shocks, 1};
      if (claim.offer != nullptr) mechanism::apply_support(smes_, i, *claim.offer, u, ctx, out);
      mechanism::GrowthRates rate{0.0f, 0.0f};
      finish_row_mechanisms(i, u, rate);
      float employment_factor = 1.0f, productivity_factor = 1.0f;
      if (p.growth.enabled) {
        employment_factor = numeric::exp(rate.employment);
        productivity_factor = numeric::exp(rate.productivity);
      }
      grow_and_exit(i, u, rate, employment_factor, productivity_factor, out);
      update_score(smes_, i, layout.selection);
      accumulate(smes_, layout, acc, i);
    }
  });
  apply_tie_requests(smes_, world_, ties, layout, tie_claims_, tie_corrections);
}



void ClusterModel::entry(std::int32_t step, const AggregateLayout& layout, parallel::IntegerSums& sums) {
  if (!params_.entry.enabled) return;
  const std::size_t first = add_entrants(smes_, params_, world_, messages_, entrant_sector_cumulative_,
                                         aggregates_.column(counter("smes_active")), seed_, step);
  parallel::for_each_range(smes_.rows() - first, kEntrantGrain, [&](std::size_t begin, std::size_t end) {
    std::int64_t* acc = sums.local().data();
    for (std::size_t k = begin; k < end; ++k) {
      update_score(smes_, first + k, layout.selection);
      accumulate(smes_, layout, acc, first + k);
    }
  });
}

void ClusterModel::compact_if_needed() {
  const auto rows = static_cast<double>(smes_.rows());
  if (static_cast<double>(aggregates_.value(counter("rows_dead"), 0)) <= kDeadShareBeforeCompaction * rows) return;
  // Rows that died this step are still needed by observe() for smes_exited; they are
  // flagged, so keep them until the next compaction.
  // Not zeroed first (at 2.5x10^7 SMEs, 25 MB a serial memset): every byte is written below.
  agents::DefaultInitVector<std::uint8_t> keep;
  agents::resize_for_writing(keep, smes_.rows());
  parallel::for_each_block(smes_.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      keep[i] = (smes_.flags[i] & (flag::kAlive | flag::kExitedNow)) ? 1 : 0;
  });
  smes_.table.compact(keep);
  aggregates_.value(counter("rows_dead"), 0) = aggregates_.total(counter("smes_exited"));
}

sim::ModelDescriptor descriptor() {
  sim::ModelDescriptor d{"cluster", [](config::Schema& schema) { declare(schema); },
                         [](const config::Scenario& scenario) -> std::unique_ptr<sim::Model> {
                           return std::make_unique<ClusterModel>(read(scenario));
                         }};
  // For `sweep --dry-run`: ~150 ns per SME-step on one thread at 10^6 SMEs (docs/PERFORMANCE.md,
  // scripts/bench); SMEs that enter later are not counted.
  d.agent_steps = [](const config::Scenario& s) {
    return static_cast<double>(s.integer("population.smes")) * static_cast<double>(s.integer("run.steps"));
  };
  d.seconds_per_agent_step = 150e-9;
  d.agent_noun = "SME";
  d.estimate_memory = estimate_memory;
  return d;
}

}  // namespace clustersim::model
