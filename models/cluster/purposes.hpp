#pragma once
// Random-stream purposes of the cluster model. Each mechanism draws from its own purpose
// (engine/random/stream.hpp), so adding one never shifts another's numbers. Append new
// purposes before kEnd; never renumber (a number is part of every stream it keys).

#include <cstdint>

#include "engine/random/stream.hpp"

namespace clustersim::model::purpose {

enum Purpose : std::uint32_t {
  kWorldRegion = 1,     ///< agent = region: attributes of a synthetic region
  kWorldCluster = 2,
  kInitialSme = 3,
  kSmeStep = 4,         ///< the per-SME, per-step draws (slots below)
  kEntryCount = 5,      ///< agent = region
  kEntrant = 6,         ///< agent = the entrant's id
  kPartnerSearch = 7,   ///< candidate draws of a partner search
  kPartnerEnd = 8,      ///< retired: tie endings now use kSmeStep slots kPartnerEnd..
  kClusterStart = 9,    ///< agent = cluster index
  kMetacluster = 10,    ///< agent = cluster index
  kSupportSearch = 11,  ///< partner draw of a joint project or mobility visit
  kInstrumentCall = 12,   ///< agent = instrument << 32 | cluster: apply, score, partner
  kInstrumentAward = 13,  ///< agent = instrument << 32 | award: project size, failure
  kWorldSpecialisation = 14,    ///< seed = world.seed, agent = region, step = sector
  kWorldClusterPlacement = 15,  ///< seed = world.seed: the systematic sample's offset
  kJointTenders = 16,           ///< agent = cluster index: bids, consortia, wins, contract values
  kInitialSelection = 17,       ///< agent = SME id: initial membership drawn by selection score
  kSupportRationing = 18,       ///< agent = SME id: which claims an instrument short of money takes up
  kEnd,                   ///< sentinel: purposes are below this
  /// Order in which synthetic regions are placed (world.cpp). Its number, 101, was once
  /// written kWorldRegion + 100; it is kept so that worlds stay the same.
  kWorldRegionOrder = 101,
};
/// The purpose is the high half of the counter's last word (stream.hpp).
static_assert(kWorldRegionOrder < (1u << (32 - random::Stream::kBlockBits)), "purposes must fit their counter bits");
static_assert(kEnd <= kWorldRegionOrder, "a new purpose would collide with kWorldRegionOrder: give it a number past 101");

/// Fixed slots of the kSmeStep draws: mechanism k always reads slot k, so a mechanism
/// added later takes new slots (before kCount) and leaves these untouched. The SME phase
/// computes ceil(kCount / 4) Philox blocks for 64 SMEs at once (engine/random/batch.hpp),
/// however many slots there are. A choice made only after a success (which cluster to
/// join, which kind of innovation) reuses the success's uniform, rescaled, instead of a
/// slot of its own.
namespace slot {
enum Slot : int {
  kGrowth1, kGrowth2,  // one Box–Muller pair: employment and productivity shocks
  kExit, kMembership, kInnovation, kExport, kDigital, kGreen,
  kPartnerNew, kSkills,
  kSupport, kSupportEffect,  // policy instruments (mechanisms/support.hpp)
  kPartnerEnd,               // kPartnerEnd + k: whether the tie in partner slot k ends (partnership.hpp)
  kPartnerEndLast = kPartnerEnd + 3,
  kCount  ///< sentinel: the number of slots
};
/// Philox blocks (four 32-bit draws each) that hold the slots.
inline constexpr unsigned kBlocks = (kCount + 3) / 4;
static_assert(kBlocks < (1u << random::Stream::kBlockBits), "slots must fit the stream's block counter");
}  // namespace slot

}  // namespace clustersim::model::purpose
