#include "models/cluster/ties.hpp"

#include <tbb/parallel_for.h>

#include <array>
#include <atomic>
#include <string>
#include <utility>

#include "engine/core/error.hpp"
#include "models/cluster/mechanisms/partnership.hpp"
#include "models/cluster/support.hpp"

namespace clustersim::model {

void apply_tie_requests(Smes& smes, const World& world, const parallel::BlockBuffers<TieRequest>& requests,
                        const AggregateLayout& layout, TieClaims& claims, std::vector<std::int64_t>& corrections) {
  // The SME pass has already counted every row. A tie change alters only the counters
  // marked `recount` (aggregation.hpp: they read the partner slots, the "partnered now" /
  // "cross-region tie now" flags and the selection score), so every row a request may change
  // is retracted from them before the changes and counted again after. Both run in
  // parallel, and the changes themselves serially, in request order:
  //   1. each row a request may change (both ends of a tie formed or ended; an exiting SME
  //      and its partners) is claimed by one block, and retracted; the rows of ended ties'
  //      partners are looked up here, once (row_of: cache misses on random rows);
  //   2. the ends, then the new ties, are applied in block order;
  //   3. the claimed rows get their selection scores, are counted again and unclaimed.
  // A claimed row that no change touched is retracted and added back unchanged: the integer
  // sums cancel exactly, whichever block claimed it.
  constexpr std::uint32_t kNoRow = TieRequest::kUnknownRow;
  using PartnerRows = std::array<std::uint32_t, kMaxPartners>;
  const std::size_t blocks = requests.blocks();
  // Per request, the rows found in step 1: for an ended tie, the partner's (entry 0); for
  // an exit, each partner slot's (kNoRow: empty slot, or the partner is gone).
  std::vector<std::vector<PartnerRows>> found(blocks);
  std::vector<std::vector<std::uint32_t>> claimed(blocks);
  // Rows appended since the last call start unclaimed; compaction leaves an all-zero mask
  // all zero, whatever rows moved.
  std::vector<std::uint8_t>& is_claimed = claims.claimed;
  if (is_claimed.size() < smes.rows()) is_claimed.resize(smes.rows(), 0);
  parallel::IntegerSums sums(corrections.size());
  tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t block) {
    std::int64_t* acc = sums.local().data();
    auto claim = [&](std::size_t row) {
      if (std::atomic_ref<std::uint8_t>(is_claimed[row]).exchange(1, std::memory_order_relaxed) != 0) return;
      claimed[block].push_back(static_cast<std::uint32_t>(row));
      recount(smes, layout, acc, row, -1);
    };
    found[block].resize(requests[block].size());
    for (std::size_t k = 0; k < requests[block].size(); ++k) {
      const TieRequest& q = requests[block][k];
      PartnerRows& rows = found[block][k];
      rows.fill(kNoRow);
      claim(q.from_row);
      if (q.kind == TieRequest::kForm) {
        claim(q.to_row);
      } else if (q.kind == TieRequest::kEnd) {
        const std::size_t b = smes.row_of(q.to);
        if (b != SIZE_MAX) claim(rows[0] = static_cast<std::uint32_t>(b));
      } else {  // kUnlinkAll: the SME has exited
        for (std::size_t s = 0; s < kMaxPartners; ++s) {
          const std::uint32_t slot = smes.partners[q.from_row][s];
          if (slot == kNoPartner) continue;
          const std::size_t b = smes.row_of(partner_id(slot));
          if (b != SIZE_MAX) claim(rows[s] = static_cast<std::uint32_t>(b));
        }
      }
    }
  });

  auto unlink = [&](std::size_t row, std::uint32_t partner) {
    for (auto& slot : smes.partners[row])
      if (slot != kNoPartner && partner_id(slot) == partner) slot = kNoPartner;
  };
  for (std::size_t block = 0; block < blocks; ++block)
    for (std::size_t k = 0; k < requests[block].size(); ++k) {
      const TieRequest& q = requests[block][k];
      if (q.kind == TieRequest::kForm) continue;
      const std::size_t a = q.from_row;
      const PartnerRows& rows = found[block][k];
      if (q.kind == TieRequest::kEnd) {
        // Both remember the tie: a former partner is trusted when they search again.
        unlink(a, q.to);
        smes.former_partner[a] = q.to;
        if (rows[0] != kNoRow) {
          unlink(rows[0], q.from);
          smes.former_partner[rows[0]] = q.from;
        }
        continue;
      }
      // kUnlinkAll. Ends applied before may have emptied slots, never refilled them (new
      // ties come after), so a slot still held names the partner found in step 1.
      for (std::size_t s = 0; s < kMaxPartners; ++s) {
        std::uint32_t& slot = smes.partners[a][s];
        if (slot == kNoPartner) continue;
        if (rows[s] != kNoRow) unlink(rows[s], q.from);
        slot = kNoPartner;
      }
    }
  auto free_slot = [&](std::size_t row) -> std::uint32_t* {
    for (auto& slot : smes.partners[row])
      if (slot == kNoPartner) return &slot;
    return nullptr;
  };
  requests.for_each_in_order([&](const TieRequest& q) {
    if (q.kind != TieRequest::kForm) return;
    const std::size_t a = q.from_row, b = q.to_row;
    CLUSTERSIM_ASSERT(a != b, "a tie request from an SME to itself");
    if (!smes.alive(a) || !smes.alive(b)) return;
    if (mechanism::has_partner(smes.partners[a], q.to)) return;
    std::uint32_t* slot_a = free_slot(a);
    std::uint32_t* slot_b = free_slot(b);
    if (slot_a == nullptr || slot_b == nullptr) return;
    const bool foreign = world.country_index[smes.region[a]] != world.country_index[smes.region[b]];
    *slot_a = q.to | (foreign ? kForeignPartner : 0u);
    *slot_b = q.from | (foreign ? kForeignPartner : 0u);
    std::uint8_t bits = flag::kPartneredNow;
    if (smes.region[a] != smes.region[b]) bits |= flag::kCrossRegionTieNow;
    smes.flags[a] |= bits;
    smes.flags[b] |= bits;
  });

  tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t block) {
    std::int64_t* acc = sums.local().data();
    for (std::uint32_t row : claimed[block]) {
      update_score(smes, row, layout.selection);  // its partner count may have changed
      recount(smes, layout, acc, row, +1);
      is_claimed[row] = 0;  // the mask is all zero again when every block is done
    }
  });
  const std::vector<std::int64_t> change = sums.total();
  for (std::size_t k = 0; k < corrections.size(); ++k) corrections[k] += change[k];
}

namespace {
/// Sizes a list of the search index that its rebuild overwrites entirely. When it must grow
/// past its capacity, its old entries are dropped first, not copied, and it gets half as much
/// room again, like the SME table (agents::Table::append): at 2.5x10^7 SMEs a copy of the
/// region list was 400 MB of serial copying into fresh pages.
void resize_for_rebuild(agents::DefaultInitVector<SearchIndex::Entry>& entries, std::size_t n) {
  if (n > entries.capacity()) {
    entries.clear();
    entries.reserve(n + n / 2);
  }
  // Entries past the old size may be in pages never written: mapped before the fill.
  agents::resize_for_writing(entries, n);
}

/// This thread's counters by region for the rebuild's counting sort, all zero between blocks
/// (each block zeroes again those it used).
std::vector<std::uint32_t>& region_counters(std::size_t regions) {
  thread_local std::vector<std::uint32_t> counters;
  if (counters.size() < regions) counters.assign(regions, 0);
  return counters;
}
}  // namespace

void build_search_index(SearchIndex& index, const Smes& smes, const World& world,
                        const std::vector<std::int64_t>& cluster_members) {
  const std::size_t R = world.regions.size(), C = world.clusters.size();
  const std::size_t rows = smes.rows(), blocks = parallel::block_count(rows);
  auto& idx = index;
  idx.regions = R;
  // Counting sort of living SMEs by region: per-block counts, offsets in (region, block)
  // order, then a parallel fill; the order inside a region is row order, as serially.
  // Rows are laid out region by region (the initial SMEs cell by cell, each quarter's
  // start-ups region by region, and compaction keeps the order), so most blocks hold one or
  // two regions: a block's counts are kept as a list of runs, one per region it holds, not
  // as a row of R counters. A blocks x R matrix, zeroed and walked serially each step, was
  // ~10 MB and ~25 ms a step at 10^7 SMEs (docs/PERFORMANCE.md).
  auto& runs = idx.region_runs;
  runs.resize(blocks);
  parallel::for_each_block(rows, [&](std::size_t block, std::size_t begin, std::size_t end) {
    std::vector<std::uint32_t>& count = region_counters(R);
    auto& list = runs[block];
    list.clear();
    for (std::size_t i = begin; i < end; ++i)
      if (smes.alive(i) && count[smes.region[i]]++ == 0) list.push_back({smes.region[i], 0, 0});
    for (auto& run : list) run.count = std::exchange(count[run.region], 0);
  });
  // Offsets: region by region, and within a region block by block. The runs are bucketed by
  // region in block order (a counting sort of the runs themselves; a block has at most one
  // run per region, so the order of its list does not matter).
  std::vector<std::uint32_t> runs_before(R + 1, 0);  // runs of the regions before r
  for (const auto& list : runs)
    for (const auto& run : list) ++runs_before[run.region + 1];
  for (std::size_t r = 0; r < R; ++r) runs_before[r + 1] += runs_before[r];
  std::vector<SearchIndex::RegionRun*> by_region(runs_before[R]);
  for (auto& list : runs)
    for (auto& run : list) by_region[runs_before[run.region]++] = &run;  // ends as the next region's start
  idx.region_start.assign(R + 1, 0);
  std::uint32_t offset = 0;
  std::size_t sorted = 0;
  for (std::size_t r = 0; r < R; ++r) {
    idx.region_start[r] = offset;
    for (; sorted < runs_before[r]; ++sorted) {
      by_region[sorted]->offset = offset;
      offset += by_region[sorted]->count;
    }
  }
  idx.region_start[R] = offset;
  resize_for_rebuild(idx.region_entries, offset);
  parallel::for_each_block(rows, [&](std::size_t block, std::size_t begin, std::size_t end) {
    // The block's next place by region: the counters of its own regions, zeroed again after.
    std::vector<std::uint32_t>& next = region_counters(R);
    for (const auto& run : runs[block]) next[run.region] = run.offset;
    for (std::size_t i = begin; i < end; ++i)
      if (smes.alive(i))
        idx.region_entries[next[smes.region[i]]++] = {static_cast<std::uint32_t>(smes.table.id(i)),
                                                        static_cast<std::uint32_t>(i), smes.cluster[i],
                                                        smes.sector[i]};
    for (const auto& run : runs[block]) next[run.region] = 0;
  });
  // Cluster members are a subset of their region's list (membership is regional).
  idx.cluster_start.assign(C + 1, 0);
  for (std::size_t c = 0; c < C; ++c) idx.cluster_start[c + 1] = idx.cluster_start[c] +
      static_cast<std::uint32_t>(cluster_members[c]);
  resize_for_rebuild(idx.cluster_entries, idx.cluster_start[C]);
  // Each cluster's members all live in its region, so regions fill disjoint cluster lists:
  // in parallel over the regions that host clusters, each in row order.
  std::vector<std::uint32_t> fill(idx.cluster_start.begin(), idx.cluster_start.end() - 1);
  std::vector<std::uint8_t> hosts(R, 0);
  for (const auto& site : world.clusters) hosts[site.region] = 1;
  tbb::parallel_for(std::size_t{0}, R, [&](std::size_t r) {
    if (!hosts[r]) return;
    for (std::uint32_t k = idx.region_start[r]; k < idx.region_start[r + 1]; ++k) {
      const auto& e = idx.region_entries[k];
      if (e.cluster != kNoCluster) idx.cluster_entries[fill[static_cast<std::size_t>(e.cluster)]++] = e;
    }
  });
  // The lists are not zeroed (resize_for_rebuild): every entry must have been written.
  for (std::size_t c = 0; c < C; ++c)
    CLUSTERSIM_ASSERT(fill[c] == idx.cluster_start[c + 1], "cluster " + std::to_string(c) +
                                                               ": members counted and members indexed differ");
  // Partner-region kernel: affinity x living SMEs of the target region.
  idx.region_cumulative.resize(R * R);
  for (std::size_t r = 0; r < R; ++r) {
    double acc = 0;
    for (std::size_t q = 0; q < R; ++q) {
      acc += world.partner_affinity(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(q)) *
             static_cast<double>(idx.region_start[q + 1] - idx.region_start[q]);
      idx.region_cumulative[r * R + q] = acc;
    }
  }
}

}  // namespace clustersim::model
