#pragma once
// Random-stream purposes of the cluster model. Each mechanism draws from its own purpose
// (engine/random/stream.hpp), so adding one never shifts another's numbers. Append new
// purposes at the end; never renumber.

#include <cstdint>

namespace clustersim::model::purpose {

inline constexpr std::uint32_t kWorldRegion = 1;
inline constexpr std::uint32_t kWorldCluster = 2;
inline constexpr std::uint32_t kInitialSme = 3;
inline constexpr std::uint32_t kSmeStep = 4;      ///< the per-SME, per-step draws (slots below)
inline constexpr std::uint32_t kEntryCount = 5;   ///< agent = region
inline constexpr std::uint32_t kEntrant = 6;      ///< agent = the entrant's id
inline constexpr std::uint32_t kPartnerSearch = 7;  ///< candidate draws of a partner search
inline constexpr std::uint32_t kPartnerEnd = 8;     ///< retired: tie endings now use kSmeStep slots kPartnerEnd..
inline constexpr std::uint32_t kClusterStart = 9;   ///< agent = cluster index
inline constexpr std::uint32_t kMetacluster = 10;   ///< agent = cluster index
inline constexpr std::uint32_t kSupportSearch = 11;   ///< partner draw of a joint project or mobility visit
inline constexpr std::uint32_t kInstrumentCall = 12;  ///< agent = instrument << 32 | cluster: apply, score, partner
inline constexpr std::uint32_t kInstrumentAward = 13; ///< agent = instrument << 32 | award: project size, failure
inline constexpr std::uint32_t kWorldSpecialisation = 14;  ///< seed = world.seed, agent = region, step = sector
inline constexpr std::uint32_t kWorldClusterPlacement = 15;  ///< seed = world.seed: the systematic sample's offset

/// Fixed slots of the kSmeStep draws: mechanism k always reads slot k, so a mechanism
/// added later takes new slots and leaves these untouched. Sixteen slots fill four Philox
/// blocks, computed for 64 SMEs at once (engine/random/batch.hpp). A choice made only
/// after a success (which cluster to join, which kind of innovation) reuses the success's
/// uniform, rescaled, instead of a slot of its own.
namespace slot {
inline constexpr int kGrowth1 = 0, kGrowth2 = 1;  // one Box–Muller pair: employment and productivity shocks
inline constexpr int kExit = 2, kMembership = 3, kInnovation = 4, kExport = 5, kDigital = 6, kGreen = 7;
inline constexpr int kPartnerNew = 8, kSkills = 9;
inline constexpr int kSupport = 10, kSupportEffect = 11;  // policy instruments (mechanisms/support.hpp)
inline constexpr int kPartnerEnd = 12;  // 12..15: whether the tie in partner slot 0..3 ends (partnership.hpp)
inline constexpr int kCount = 16;
}  // namespace slot

}  // namespace clustersim::model::purpose
