#pragma once
// SME state as columns (structure of arrays), one row per SME, with stable ids kept by the
// engine's agent table. About 45 bytes per SME, so 25 million SMEs fit in about 1 GB.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/agents/table.hpp"

namespace clustersim::model {

namespace flag {
inline constexpr std::uint8_t kAlive = 1u << 0;
inline constexpr std::uint8_t kExporting = 1u << 1;
inline constexpr std::uint8_t kDigital = 1u << 2;
inline constexpr std::uint8_t kGreen = 1u << 3;
inline constexpr std::uint8_t kPartneredNow = 1u << 4;  ///< concluded a partnership this step
inline constexpr std::uint8_t kEnteredNow = 1u << 5;    ///< born this step
inline constexpr std::uint8_t kExitedNow = 1u << 6;     ///< died this step (row kept until compaction)
inline constexpr std::uint8_t kCrossRegionTieNow = 1u << 7;  ///< concluded a partnership across regions this step
}  // namespace flag

inline constexpr std::int32_t kNoCluster = -1;
inline constexpr std::size_t kMaxPartners = 4;
inline constexpr std::uint32_t kNoPartner = 0xFFFFFFFFu;
/// Ids of an SME's current partners (kNoPartner = free slot). 32-bit ids cover 4 billion
/// SMEs born over a run; the model asserts it never gets there.
using PartnerSlots = std::array<std::uint32_t, kMaxPartners>;
inline constexpr std::uint8_t kNeverInnovated = 0xFF;

struct Smes {
  std::vector<std::uint16_t> region;
  std::vector<std::uint8_t> sector;
  std::vector<float> employees;                  ///< full-time equivalents
  std::vector<float> productivity_eur_per_year;  ///< turnover per employee
  std::vector<float> knowledge;                  ///< knowledge stock (model units)
  std::vector<std::int32_t> cluster;             ///< kNoCluster or a cluster index
  std::vector<std::uint8_t> flags;
  std::vector<std::uint8_t> shrinking_quarters;        ///< consecutive quarters of decline (saturating)
  std::vector<std::uint8_t> quarters_since_innovation;  ///< kNeverInnovated = none on record
  std::vector<PartnerSlots> partners;
  agents::Table table;

  Smes() {
    table.attach(region);
    table.attach(sector);
    table.attach(employees);
    table.attach(productivity_eur_per_year);
    table.attach(knowledge);
    table.attach(cluster);
    table.attach(flags);
    table.attach(shrinking_quarters);
    table.attach(quarters_since_innovation);
    table.attach(partners);
  }
  std::size_t rows() const { return table.size(); }
  bool alive(std::size_t row) const { return flags[row] & flag::kAlive; }
  std::size_t partner_count(std::size_t row) const {
    std::size_t n = 0;
    for (auto id : partners[row]) n += id != kNoPartner ? 1 : 0;
    return n;
  }
  /// Row of a living or recently dead SME, or SIZE_MAX. Ids increase with the row (births are
  /// appended, compaction keeps order), so this is a binary search.
  std::size_t row_of(std::uint64_t id) const {
    const auto& ids = table.ids();
    const auto it = std::lower_bound(ids.begin(), ids.end(), id);
    return it != ids.end() && *it == id ? static_cast<std::size_t>(it - ids.begin()) : SIZE_MAX;
  }
};

}  // namespace clustersim::model
