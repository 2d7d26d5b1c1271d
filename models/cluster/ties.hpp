#pragma once
// Partnerships across SMEs: the tie requests of the parallel SME phase applied serially,
// in block order, and the partner-search index rebuilt after each step.

#include <cstdint>
#include <vector>

#include "engine/parallel/blocks.hpp"
#include "models/cluster/aggregation.hpp"
#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model {

/// One byte per row: whether this step's tie changes have claimed the row (apply_tie_requests).
/// Kept across steps and all zero between calls: a call clears the rows it claimed, not the
/// whole mask. Zeroing one byte per row every step took 34-53 ms a step at 10^7 SMEs on the
/// benchmark machine (docs/PERFORMANCE.md), where a step claims a few per cent of the rows.
struct TieClaims {
  std::vector<std::uint8_t> claimed;
  /// Forgets everything (a new replicate; rows are renumbered from scratch).
  void reset() { claimed = {}; }
};

/// Ends and forms ties as requested (ends first, then new ties, each in block order), and
/// adds to `corrections` (laid out as the step's sums) the changes of the counts a tie
/// change alters on rows that the SME pass has already counted.
void apply_tie_requests(Smes& smes, const World& world, const parallel::BlockBuffers<TieRequest>& requests,
                        const AggregateLayout& layout, TieClaims& claims, std::vector<std::int64_t>& corrections);

/// Rebuilds the snapshot of living SMEs by region and of cluster members by cluster.
void build_search_index(SearchIndex& index, const Smes& smes, const World& world,
                        const std::vector<std::int64_t>& cluster_members);

}  // namespace clustersim::model
