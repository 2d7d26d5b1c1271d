#pragma once
// SME state as columns (structure of arrays), one row per SME, with stable ids kept by the
// engine's agent table. 67 bytes per SME with its id: 25 million SMEs take about 1.7 GB of columns.
// The columns are DefaultInitVectors: rows the table appends hold unspecified values until
// init_row() (population.cpp) writes every column but `score`, which update_score() writes
// before the row is counted; so the parallel fills, not a serial zeroing, touch the pages.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/agents/table.hpp"
#include "engine/core/money.hpp"

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

namespace event {
inline constexpr std::uint8_t kSkillsInvestment = 1u << 0;
inline constexpr std::uint8_t kProductInnovation = 1u << 1;  ///< new-to-firm product or service
inline constexpr std::uint8_t kProcessInnovation = 1u << 2;  ///< business process innovation
inline constexpr std::uint8_t kStartedExporting = 1u << 3;
/// Supported this quarter although it had already reached the support's outcome (adopted,
/// innovated, exported, invested, partnered): deadweight (mechanisms/support.hpp).
inline constexpr std::uint8_t kDeadweight = 1u << 4;
/// Has joint-tender contract revenue booked this quarter (Smes::contract_revenue). Set before
/// the SME phase, which keeps it when it clears the other events.
inline constexpr std::uint8_t kContractRevenue = 1u << 5;
}  // namespace event

inline constexpr std::int32_t kNoCluster = -1;
inline constexpr std::size_t kMaxPartners = 4;
inline constexpr std::uint32_t kNoPartner = 0xFFFFFFFFu;
/// Bit 31 of a slot marks a partner in another country, so that mechanisms need not look
/// the partner up; the other 31 bits are its id (2 billion SMEs born over a run, asserted).
inline constexpr std::uint32_t kForeignPartner = 0x80000000u;
/// An SME's current partners (kNoPartner = free slot).
using PartnerSlots = std::array<std::uint32_t, kMaxPartners>;
inline std::uint32_t partner_id(std::uint32_t slot) { return slot & ~kForeignPartner; }
inline bool is_foreign(std::uint32_t slot) { return slot != kNoPartner && (slot & kForeignPartner); }
inline constexpr std::uint8_t kNeverInnovated = 0xFF;

struct Smes {
  agents::DefaultInitVector<std::uint16_t> region;
  agents::DefaultInitVector<std::uint8_t> sector;
  agents::DefaultInitVector<float> employees;                  ///< full-time equivalents
  agents::DefaultInitVector<float> productivity_eur_per_year;  ///< turnover per employee
  agents::DefaultInitVector<float> knowledge;                  ///< knowledge stock (model units)
  agents::DefaultInitVector<std::int32_t> cluster;             ///< kNoCluster or a cluster index
  agents::DefaultInitVector<std::uint8_t> flags;
  agents::DefaultInitVector<std::uint8_t> shrinking_quarters;        ///< consecutive quarters of decline (saturating)
  agents::DefaultInitVector<std::uint8_t> quarters_since_innovation;  ///< kNeverInnovated = none on record
  agents::DefaultInitVector<PartnerSlots> partners;
  agents::DefaultInitVector<std::uint32_t> former_partner;  ///< id of the last partner whose tie ended (kNoPartner: none)
  agents::DefaultInitVector<float> skills;          ///< staff skills, 0..1
  agents::DefaultInitVector<std::uint8_t> events;   ///< what happened to the SME this quarter (event:: bits)
  agents::DefaultInitVector<std::uint16_t> support;  ///< instrument support received this quarter (support.hpp encoding)
  /// Markets (mechanisms/market.hpp): the support code of the SME's last support while it is a
  /// beneficiary (0: none, or longer ago than markets.beneficiary_quarters), the quarters since
  /// then, and its growth boost this quarter above its market's competitors' mean (log points).
  agents::DefaultInitVector<std::uint16_t> last_support;
  agents::DefaultInitVector<std::uint8_t> support_age;
  agents::DefaultInitVector<float> market_excess;
  /// The selection score (mechanisms/selection.hpp) of the row as it was last counted, 0 where
  /// no score is counted: written by update_score() wherever a row is counted, read by the
  /// counters and by next quarter's membership, so each row's score is computed once a step.
  agents::DefaultInitVector<float> score;
  /// Joint-tender contract revenue booked this quarter (mechanisms/joint_tenders.hpp): (SME id,
  /// whole cents), sorted by id. Few SMEs have any, so it is a list, not a column (a column
  /// would cost every SME 8 bytes); their rows carry event::kContractRevenue.
  std::vector<std::pair<std::uint64_t, Money>> contract_revenue;
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
    table.attach(former_partner);
    table.attach(skills);
    table.attach(events);
    table.attach(support);
    table.attach(last_support);
    table.attach(support_age);
    table.attach(market_excess);
    table.attach(score);
  }
  std::size_t rows() const { return table.size(); }
  bool alive(std::size_t row) const { return flags[row] & flag::kAlive; }
  /// Turnover in the quarter, whole cents: the SME's own production, employees x productivity
  /// / 4 (to the nearest cent), plus its joint-tender contract revenue.
  std::int64_t turnover_cents(std::size_t row) const {
    constexpr double kQuartersPerYear = 4.0;
    const double own = static_cast<double>(employees[row]) * static_cast<double>(productivity_eur_per_year[row]) /
                       kQuartersPerYear * 100.0;
    const auto cents = static_cast<std::int64_t>(own + 0.5);  // own >= 0: + 0.5 rounds to nearest
    return cents + contract_revenue_cents(row);
  }
  /// The SME's joint-tender contract revenue this quarter, whole cents (0 if none).
  Money contract_revenue_cents(std::size_t row) const {
    if (!(events[row] & event::kContractRevenue)) return 0;
    const std::uint64_t id = table.id(row);
    const auto at = std::lower_bound(contract_revenue.begin(), contract_revenue.end(), std::make_pair(id, Money{0}),
                                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return at != contract_revenue.end() && at->first == id ? at->second : 0;
  }
  std::size_t partner_count(std::size_t row) const {
    std::size_t n = 0;
    for (auto id : partners[row]) n += id != kNoPartner ? 1 : 0;
    return n;
  }
  /// Row of a living or recently dead SME, or SIZE_MAX. Ids increase with the row (births are
  /// appended, compaction keeps order) and are nearly dense, so an interpolation search finds
  /// a row in a few probes where a binary search would take ~20 cache misses.
  std::size_t row_of(std::uint64_t id) const {
    const auto& ids = table.ids();
    std::size_t lo = 0, hi = ids.size();  // search [lo, hi)
    while (hi - lo > 8) {
      const std::uint64_t first = ids[lo], last = ids[hi - 1];
      if (id < first || id > last) return SIZE_MAX;
      const std::size_t guess =
          lo + static_cast<std::size_t>((static_cast<double>(id - first) / static_cast<double>(last - first + 1)) *
                                        static_cast<double>(hi - lo));
      if (ids[guess] == id) return guess;
      if (ids[guess] < id)
        lo = guess + 1;
      else
        hi = guess;
    }
    for (std::size_t k = lo; k < hi; ++k)
      if (ids[k] == id) return k;
    return SIZE_MAX;
  }
};

}  // namespace clustersim::model
