#include "models/cluster/mechanisms/partnership.hpp"

#include <algorithm>

#include "engine/random/stream.hpp"

namespace clustersim::model::mechanism {

void search_partner(const Smes& s, std::size_t i, const StepContext& ctx, std::vector<TieRequest>& out) {
  const auto& p = ctx.params.partnership;
  const auto id = static_cast<std::uint32_t>(s.table.id(i));
  const auto step = static_cast<std::uint32_t>(ctx.step);
  const PartnerSlots& slots = s.partners[i];
  const std::int32_t cluster = s.cluster[i];
  const SearchIndex& index = ctx.search;
  random::Stream rng(ctx.seed, id, step, purpose::kPartnerSearch);
  const std::size_t region = s.region[i];
  const std::uint8_t sector = s.sector[i];
  const double max_score = 1.0 + p.trust_shared_cluster;
  double best_score = 0;
  std::uint32_t best = kNoPartner, best_row = TieRequest::kUnknownRow;
  // Trust from an earlier tie: the former partner is considered first. Its sector never
  // changes; whether it is still alive is checked when the request is applied.
  const std::uint32_t former = s.former_partner[i];
  if (former != kNoPartner && !has_partner(slots, former) && rng.uniform() < p.former_partner_share) {
    const std::size_t j = s.row_of(former);
    if (j != SIZE_MAX) {
      best_score = static_cast<double>(ctx.world.relatedness[sector][s.sector[j]]) *
                   std::min(max_score, 1.0 + p.trust_former_partner) / max_score;
      best = former;
      best_row = static_cast<std::uint32_t>(j);
    }
  }
  // Draw every candidate first, then score them: the candidates are random entries of a
  // large index, and picking them all before reading any lets their cache misses overlap
  // instead of waiting on one after another. The draws do not depend on what a candidate
  // holds, so the order of the random numbers is the same as picking and scoring in turn.
  constexpr std::int64_t kBatch = 8;
  const std::int32_t meta = cluster != kNoCluster ? ctx.messages.metacluster_of[static_cast<std::size_t>(cluster)] : -1;
  for (std::int64_t done = 0; done < p.candidates; done += kBatch) {
    const SearchIndex::Entry* picked[kBatch];
    const std::int64_t batch = std::min(kBatch, p.candidates - done);
    for (std::int64_t k = 0; k < batch; ++k) {
      const SearchIndex::Entry* candidate = nullptr;
      if (meta >= 0 && rng.uniform() < ctx.params.metacluster.partner_search_share *
                                           ctx.messages.engagement[static_cast<std::size_t>(cluster)]) {
        // A wider search: a member of another cluster of the same meta-cluster.
        const auto m = static_cast<std::size_t>(meta);
        const std::uint32_t first = ctx.messages.metacluster_start[m], n = ctx.messages.metacluster_start[m + 1] - first;
        const auto other = static_cast<std::size_t>(ctx.messages.metacluster_clusters[first + rng.below(n)]);
        const std::uint32_t from = index.cluster_start[other], size = index.cluster_start[other + 1] - from;
        if (size > 0 && other != static_cast<std::size_t>(cluster)) candidate = &index.cluster_entries[from + rng.below(size)];
      } else if (cluster != kNoCluster && rng.uniform() < p.same_cluster_share) {
        const auto c = static_cast<std::size_t>(cluster);
        const std::uint32_t first = index.cluster_start[c], n = index.cluster_start[c + 1] - first;
        if (n > 0) candidate = &index.cluster_entries[first + rng.below(n)];
      } else {
        const std::size_t target = index.pick_region(region, rng.uniform());
        const std::uint32_t first = index.region_start[target], n = index.region_start[target + 1] - first;
        if (n > 0) candidate = &index.region_entries[first + rng.below(n)];
      }
      if (candidate != nullptr) __builtin_prefetch(candidate);
      picked[k] = candidate;
    }
    for (std::int64_t k = 0; k < batch; ++k) {
      const SearchIndex::Entry* candidate = picked[k];
      if (candidate == nullptr || candidate->id == id || has_partner(slots, candidate->id)) continue;
      const bool same_cluster = cluster != kNoCluster && candidate->cluster == cluster;
      const double score = static_cast<double>(ctx.world.relatedness[sector][candidate->sector]) *
                           (1.0 + (same_cluster ? p.trust_shared_cluster : 0.0)) / max_score;
      if (score > best_score) {
        best_score = score;
        best = candidate->id;
        best_row = candidate->row;
      }
    }
  }
  if (best != kNoPartner && rng.uniform() < best_score)
    out.push_back({id, best, static_cast<std::uint32_t>(i), best_row, TieRequest::kForm});
}

}  // namespace clustersim::model::mechanism
