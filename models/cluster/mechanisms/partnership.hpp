#pragma once
// Business partnerships (docs/MODEL.md, "Partnerships"). Each tie ends at a constant
// hazard, decided by its lower-id end so that a tie has one hazard, not two. A new tie is
// sought at a hazard that cluster membership (matchmaking) raises: the SME samples
// `partnership.candidates` candidates — from its own cluster, or from regions drawn by the
// distance/border kernel — scores them by ecosystem relatedness and trust (shared cluster),
// and proposes the best, accepted with probability equal to its score. Candidates are read
// from last step's snapshot (SearchIndex), never from rows being written this step; the
// proposals are applied serially, in block order, after the parallel phase.

#include <cstdint>
#include <vector>

#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model::mechanism {

inline bool has_partner(const PartnerSlots& slots, std::uint32_t id) {
  for (auto p : slots)
    if (p != kNoPartner && partner_id(p) == id) return true;
  return false;
}

/// Samples `partnership.candidates` candidates, scores them and proposes the best
/// (partnership.cpp: out of line, as few SMEs search in a quarter).
void search_partner(const Smes& s, std::size_t i, const StepContext& ctx, std::vector<TieRequest>& out);

/// Tie endings and the decision to search, for every SME (inline: the hot path); the search
/// itself, for the few who search, is out of line.
inline void partnership(const Smes& s, std::size_t i, const Draws& u, const StepContext& ctx,
                        std::vector<TieRequest>& out) {
  const auto& p = ctx.params.partnership;
  const auto id = static_cast<std::uint32_t>(s.table.id(i));
  const PartnerSlots& slots = s.partners[i];

  static_assert(purpose::slot::kPartnerEndLast + 1 - purpose::slot::kPartnerEnd == kMaxPartners,
                "a draw for each partner slot");
  for (std::size_t k = 0; k < kMaxPartners; ++k) {
    const std::uint32_t slot = slots[k];
    if (slot == kNoPartner) continue;
    const std::uint32_t partner = partner_id(slot);
    if (id < partner && u[purpose::slot::kPartnerEnd + static_cast<int>(k)] < p.dissolve_rate_per_quarter)
      out.push_back({id, partner, static_cast<std::uint32_t>(i), TieRequest::kUnknownRow, TieRequest::kEnd});
  }

  const std::int32_t cluster = s.cluster[i];
  const double multiplier =
      cluster != kNoCluster ? p.member_multiplier + p.matchmaking_effect * service_effect(ctx.messages, cluster, kMatchmaking)
                            : 1.0;
  if (u[purpose::slot::kPartnerNew] < p.rate_per_quarter * multiplier) search_partner(s, i, ctx, out);
}

}  // namespace clustersim::model::mechanism
