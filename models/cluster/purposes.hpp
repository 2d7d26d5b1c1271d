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
inline constexpr std::uint32_t kPartnerEnd = 8;     ///< one draw per partnership the SME decides on
inline constexpr std::uint32_t kClusterStart = 9;   ///< agent = cluster index
inline constexpr std::uint32_t kSupportSearch = 10;   ///< partner draw of a joint project or mobility visit
inline constexpr std::uint32_t kInstrumentCall = 11;  ///< agent = instrument << 32 | cluster: apply, score, partner
inline constexpr std::uint32_t kInstrumentAward = 12; ///< agent = instrument << 32 | award: project size, failure

/// Fixed slots of the kSmeStep draws: mechanism k always reads slot k, so a mechanism
/// added later takes new slots and leaves these untouched.
namespace slot {
inline constexpr int kGrowth1 = 0, kGrowth2 = 1;  // one Box–Muller pair: employment and productivity shocks
inline constexpr int kExit = 2, kMembership = 3, kMembershipPick = 4, kInnovation = 5;
inline constexpr int kExport = 6, kDigital = 7, kGreen = 8, kPartnerNew = 9, kPartnerEnd = 10;
inline constexpr int kSkills = 11, kProcessInnovation = 12;
inline constexpr int kSupport = 13, kSupportEffect = 14;  // policy instruments (mechanisms/support.hpp)
inline constexpr int kCount = 15;
}  // namespace slot

}  // namespace clustersim::model::purpose
