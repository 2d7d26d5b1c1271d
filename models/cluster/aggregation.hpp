#pragma once
// Aggregation: every aggregate is an exact int64 sum over SME rows, declared once in
// kCounters below (engine/record/counters.hpp derives the offsets, the accumulation and the
// recording from it). A step accumulates each row where the row is final (in the SME pass
// right after the row's mechanisms, for newborns after entry) and recounts the few rows
// that tie changes touch afterwards (ties.cpp); count_aggregates() is the plain
// recount (the initial state; tests check that both agree).
//
// To add a counted output variable: one line in kCounters. Its name, units, meaning and
// whether it is a stock or a flow go to the output file and to docs/OUTPUT.md
// (`clustersim variables --markdown`, scripts/update-docs).

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/record/counters.hpp"
#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/mechanisms/selection.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/smes.hpp"
#include "models/cluster/support.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

/// What a counter sees of an SME row: the small columns most counters test, read once,
/// and the table for the rest (read only by the counters that need them).
struct SmeRow {
  SmeRow(const Smes& s, std::size_t row, std::int64_t recent)
      : smes(s), i(row), recent_quarters(recent), flags(s.flags[row]), events(s.events[row]),
        support_code(s.support[row]), cluster(s.cluster[row]),
        employment_milli_(round(static_cast<double>(s.employees[row]) * 1000.0)),
        turnover_cents_(s.turnover_cents(row)) {}
  const Smes& smes;
  std::size_t i;
  std::int64_t recent_quarters;  ///< innovation.recent_quarters
  std::uint8_t flags, events;
  std::uint16_t support_code;
  std::int32_t cluster;

  bool has(std::uint8_t f) const { return (flags & f) != 0; }
  bool event(std::uint8_t e) const { return (events & e) != 0; }
  bool alive() const { return has(flag::kAlive); }
  bool member() const { return cluster != kNoCluster; }
  std::uint16_t support() const { return support_code; }
  bool purpose(Purpose p) const { return support_purpose(support_code) == p; }
  /// Rounds a non-negative amount to the nearest integer unit (cheaper than llround, which
  /// matters in the per-SME aggregation loop).
  static std::int64_t round(double x) { return static_cast<std::int64_t>(x + 0.5); }
  std::int64_t employment_milli() const { return employment_milli_; }
  std::int64_t turnover_cents() const { return turnover_cents_; }

 private:
  // Computed once per row: about ten counters and the market excess read them, and the
  // compiler does not share the conversions across the counters' separate lambdas.
  std::int64_t employment_milli_, turnover_cents_;
};

/// What counters are summed by. Recorded counters need a group with a dimension.
/// kByBeneficiary: the instrument of a beneficiary's last support (markets, mechanisms/market.hpp).
enum Group : std::size_t { kByRegion, kBySector, kByCluster, kByCell, kByPeerGroup, kByInstrument, kOverall, kByBeneficiary,
                           kGroupCount };
inline constexpr std::array<std::string_view, kGroupCount> kGroupDims{"region", "sector", "cluster", "", "", "instrument", "",
                                                                      "instrument"};

namespace rows {  // which rows a counter counts
inline bool alive(const SmeRow& r) { return r.alive(); }
inline bool dead(const SmeRow& r) { return !r.alive(); }
inline bool member(const SmeRow& r) { return r.alive() && r.member(); }
/// Counted even if the SME exited later in the quarter: it was supported and paid for.
inline bool supported(const SmeRow& r) { return r.support() != 0; }
inline std::int64_t one(const SmeRow&) { return 1; }
/// What a row adds: 1 if it has flag F (smes.hpp, flag::), event E (event::), support
/// of purpose P, or support from outside the lead partner's region.
template <std::uint8_t F>
std::int64_t with_flag(const SmeRow& r) { return r.has(F); }
template <std::uint8_t E>
std::int64_t with_event(const SmeRow& r) { return r.event(E); }
template <Purpose P>
std::int64_t for_purpose(const SmeRow& r) { return r.purpose(P); }
inline std::int64_t outside(const SmeRow& r) { return support_outside(r.support()); }
inline std::int64_t employment_milli(const SmeRow& r) { return r.employment_milli(); }
inline std::int64_t turnover_cents(const SmeRow& r) { return r.turnover_cents(); }
inline std::int64_t contract_revenue_cents(const SmeRow& r) { return r.smes.contract_revenue_cents(r.i); }
/// Selection: free non-members (not in any cluster) and the selection score in 1/kScoreUnits
/// (0 when selection is off or, for non-members, when no cluster serves the SME's cell), as
/// update_score() stored it when the row was last changed (selection.hpp).
inline bool non_member(const SmeRow& r) { return r.alive() && !r.member(); }
inline std::int64_t score_units(const SmeRow& r) {
  return SmeRow::round(static_cast<double>(r.smes.score[r.i]) * kScoreUnits);
}
/// Markets: beneficiaries (supported within markets.beneficiary_quarters) and their competitors.
inline bool beneficiary(const SmeRow& r) { return r.alive() && r.smes.last_support[r.i] != 0; }
inline bool competitor(const SmeRow& r) { return r.alive() && r.smes.last_support[r.i] == 0; }
/// Turnover x the SME's growth boost above its market's competitors (cents of quarterly
/// turnover gained in the quarter; signed, rounded to the nearest cent).
inline std::int64_t excess_cents(const SmeRow& r) {
  return static_cast<std::int64_t>(
      std::floor(static_cast<double>(r.turnover_cents()) * static_cast<double>(r.smes.market_excess[r.i]) + 0.5));
}
}  // namespace rows

using record::Accumulation::Flow;
using record::Accumulation::Stock;
using Counter = record::Counter<SmeRow>;

// clang-format off
inline constexpr std::array kCounterList{
  // By region: active SMEs.
  Counter{"smes_active", kByRegion, rows::alive, rows::one, {"1", "active SMEs at the end of the quarter", Stock, 1, true}},
  Counter{"employment", kByRegion, rows::alive, rows::employment_milli,
          {"FTE", "employment in active SMEs (full-time equivalents)", Stock, 1e-3, true}},
  Counter{"turnover_eur", kByRegion, rows::alive, rows::turnover_cents,
          {"EUR", "turnover of active SMEs in the quarter (joint-tender contract revenue included)", Flow, 1e-2, true}},
  Counter{"joint_tender_turnover_eur", kByRegion, rows::alive, rows::contract_revenue_cents,
          {"EUR", "joint-tender contract revenue of active SMEs in the quarter (part of turnover_eur)", Flow, 1e-2}},
  Counter{"smes_innovating", kByRegion, rows::alive,
          [](const SmeRow& r) -> std::int64_t { return r.smes.quarters_since_innovation[r.i] < r.recent_quarters; },
          {"1", "SMEs that introduced a new-to-firm product or process in the last innovation.recent_quarters quarters", Stock, 1, true}},
  Counter{"partnerships_concluded", kByRegion, rows::alive, rows::with_flag<flag::kPartneredNow>,
          {"1", "SMEs that concluded a new business partnership in the quarter", Flow, 1, true}, true},
  Counter{"partnerships_cross_region", kByRegion, rows::alive, rows::with_flag<flag::kCrossRegionTieNow>,
          {"1", "SMEs that concluded a partnership with an SME of another region in the quarter", Flow}, true},
  Counter{"sme_partnerships", kByRegion, rows::alive,
          [](const SmeRow& r) { return static_cast<std::int64_t>(r.smes.partner_count(r.i)); },
          {"1", "business partnerships held by the region's SMEs (a tie counts at both ends)", Stock}, true},
  Counter{"smes_product_innovation", kByRegion, rows::alive, rows::with_event<event::kProductInnovation>,
          {"1", "SMEs that introduced a new-to-firm product or service in the quarter", Flow}},
  Counter{"smes_process_innovation", kByRegion, rows::alive, rows::with_event<event::kProcessInnovation>,
          {"1", "SMEs that introduced a business process innovation in the quarter", Flow}},
  Counter{"smes_investing_skills", kByRegion, rows::alive, rows::with_event<event::kSkillsInvestment>,
          {"1", "SMEs that invested in their staff's skills in the quarter", Flow}},
  Counter{"cluster_member_digital_adopters", kByRegion, rows::member, rows::with_flag<flag::kDigital>,
          {"1", "cluster members that have adopted digital technologies", Stock}},
  Counter{"smes_exporting", kByRegion, rows::alive, rows::with_flag<flag::kExporting>,
          {"1", "SMEs selling abroad", Stock, 1, true}},
  Counter{"digital_adopters", kByRegion, rows::alive, rows::with_flag<flag::kDigital>,
          {"1", "SMEs that have adopted digital technologies", Stock, 1, true}},
  Counter{"green_adopters", kByRegion, rows::alive, rows::with_flag<flag::kGreen>,
          {"1", "SMEs that have adopted green practices", Stock, 1, true}},
  Counter{"smes_entered", kByRegion, rows::alive, rows::with_flag<flag::kEnteredNow>,
          {"1", "start-ups in the quarter", Flow}},
  Counter{"smes_exited", kByRegion, rows::dead, rows::with_flag<flag::kExitedNow>,
          {"1", "SME exits in the quarter", Flow}},
  Counter{"cluster_member_smes", kByRegion, rows::member, rows::one,
          {"1", "SMEs that are members of a cluster organisation", Stock, 1, true}},
  // By region: size classes (EU SME definition, employees in FTE; 250 and more: none).
  Counter{"smes_micro", kByRegion, rows::alive, [](const SmeRow& r) -> std::int64_t { return r.smes.employees[r.i] < 10.0f; },
          {"1", "active micro SMEs (fewer than 10 employees)", Stock}},
  Counter{"smes_small", kByRegion, rows::alive,
          [](const SmeRow& r) -> std::int64_t { return r.smes.employees[r.i] >= 10.0f && r.smes.employees[r.i] < 50.0f; },
          {"1", "active small SMEs (10 to 49 employees)", Stock}},
  Counter{"smes_medium", kByRegion, rows::alive,
          [](const SmeRow& r) -> std::int64_t { return r.smes.employees[r.i] >= 50.0f && r.smes.employees[r.i] < 250.0f; },
          {"1", "active medium-sized SMEs (50 to 249 employees)", Stock}},
  // By region, read by messages and derived variables, not recorded as they are.
  Counter{"knowledge_micro", kByRegion, rows::alive,
          [](const SmeRow& r) { return SmeRow::round(static_cast<double>(r.smes.knowledge[r.i]) * 1e6); }, {}},
  Counter{"productivity_eur", kByRegion, rows::alive,
          [](const SmeRow& r) { return SmeRow::round(static_cast<double>(r.smes.productivity_eur_per_year[r.i])); }, {}},
  // By region: instrument support (mechanisms/support.hpp), SMEs in the quarter.
  Counter{"smes_supported", kByRegion, rows::supported, rows::one,
          {"1", "SMEs supported by a policy instrument in the quarter", Flow}},
  Counter{"smes_supported_internationalisation", kByRegion, rows::supported,
          rows::for_purpose<Purpose::Internationalisation>,
          {"1", "SMEs supported for internationalisation in the quarter", Flow}},
  Counter{"smes_supported_digitalisation", kByRegion, rows::supported, rows::for_purpose<Purpose::Digital>,
          {"1", "SMEs supported for digitalisation in the quarter", Flow}},
  Counter{"smes_supported_sustainability", kByRegion, rows::supported, rows::for_purpose<Purpose::Green>,
          {"1", "SMEs supported for sustainability (green) in the quarter", Flow}},
  Counter{"smes_supported_outside", kByRegion, rows::supported, rows::outside,
          {"1", "SMEs supported from outside the funded (lead) partner's region in the quarter", Flow}},
  Counter{"mobility_participants", kByRegion, rows::supported, rows::for_purpose<Purpose::Mobility>,
          {"1", "SMEs taking part in mobility schemes (staff exchange, meta-cluster visits) in the quarter", Flow}},
  Counter{"mentoring_participants", kByRegion, rows::supported, rows::for_purpose<Purpose::Mentoring>,
          {"1", "SMEs whose entrepreneurs were coached (technical assistance) in the quarter", Flow}},

  // By ecosystem.
  Counter{"sector_smes_active", kBySector, rows::alive, rows::one, {"1", "active SMEs by ecosystem", Stock}},
  Counter{"sector_employment", kBySector, rows::alive, rows::employment_milli,
          {"FTE", "employment by ecosystem", Stock, 1e-3}},
  Counter{"sector_turnover_eur", kBySector, rows::alive, rows::turnover_cents,
          {"EUR", "turnover in the quarter by ecosystem", Flow, 1e-2}},

  // By cluster, by (region, sector) cell and by adoption peer group (mechanisms/context.hpp).
  Counter{"cluster_members", kByCluster, rows::member, rows::one,
          {"1", "member SMEs of the cluster organisation", Stock, 1, true}},
  // Members' own turnover, read by cluster_member_turnover_eur (recording.cpp adds joint-tender revenue).
  Counter{"cluster_member_turnover_cents", kByCluster, rows::member, rows::turnover_cents, {}},
  Counter{"cell_active", kByCell, rows::alive, rows::one, {}},
  Counter{"cell_members", kByCell, rows::member, rows::one, {}},
  Counter{"peer_active", kByPeerGroup, rows::alive, rows::one, {}},
  Counter{"peer_digital", kByPeerGroup, rows::alive, rows::with_flag<flag::kDigital>, {}},
  Counter{"peer_green", kByPeerGroup, rows::alive, rows::with_flag<flag::kGreen>, {}},

  // By instrument: SMEs it supported in the quarter.
  Counter{"instrument_smes_supported", kByInstrument, rows::supported, rows::one,
          {"1", "SMEs the instrument supported in the quarter", Flow}},
  Counter{"instrument_smes_new_partnerships", kByInstrument, rows::supported, rows::with_flag<flag::kPartneredNow>,
          {"1", "supported SMEs that concluded a new partnership in the quarter", Flow}, true},
  Counter{"instrument_smes_product_innovation", kByInstrument, rows::supported,
          rows::with_event<event::kProductInnovation>,
          {"1", "supported SMEs with a new-to-firm product in the quarter", Flow}},
  Counter{"instrument_smes_process_innovation", kByInstrument, rows::supported,
          rows::with_event<event::kProcessInnovation>,
          {"1", "supported SMEs with a business process innovation in the quarter", Flow}},
  Counter{"instrument_smes_investing_skills", kByInstrument, rows::supported,
          rows::with_event<event::kSkillsInvestment>,
          {"1", "supported SMEs that invested in skills in the quarter", Flow}},
  Counter{"instrument_smes_internationalisation", kByInstrument, rows::supported,
          rows::for_purpose<Purpose::Internationalisation>,
          {"1", "SMEs that benefited from internationalisation support in the quarter", Flow}},
  Counter{"instrument_smes_digitalisation", kByInstrument, rows::supported, rows::for_purpose<Purpose::Digital>,
          {"1", "SMEs supported for digitalisation in the quarter", Flow}},
  Counter{"instrument_smes_sustainability", kByInstrument, rows::supported, rows::for_purpose<Purpose::Green>,
          {"1", "SMEs supported for sustainability (green) in the quarter", Flow}},
  Counter{"instrument_smes_supported_outside", kByInstrument, rows::supported, rows::outside,
          {"1", "SMEs supported outside the funded (lead) partner's region in the quarter", Flow}},
  Counter{"instrument_mobility_participants", kByInstrument, rows::supported, rows::for_purpose<Purpose::Mobility>,
          {"1", "mobility participants (staff exchange, meta-cluster visits) in the quarter", Flow}},
  Counter{"instrument_deadweight_smes", kByInstrument, rows::supported, rows::with_event<event::kDeadweight>,
          {"1", "supported SMEs that had already reached the support's outcome (adopted, innovated, exported, "
                "invested in skills, partnered) before it: deadweight, in the quarter", Flow}},
  Counter{"instrument_mentoring_participants", kByInstrument, rows::supported, rows::for_purpose<Purpose::Mentoring>,
          {"1", "SMEs whose entrepreneurs were coached in the quarter", Flow}},

  // Markets (mechanisms/market.hpp): the beneficiaries' growth above their competitors (the gross
  // gain), by region, by the instrument of their last support and by market, and the competitors'
  // turnover and excess by market; displacement is recorded in recording.cpp.
  Counter{"market_gross_gain_eur", kByRegion, rows::beneficiary, rows::excess_cents,
          {"EUR", "quarterly turnover gained in the quarter by beneficiaries (SMEs supported within markets.beneficiary_quarters) through growth above their market's competitors", Flow, 1e-2}},
  Counter{"instrument_beneficiaries", kByBeneficiary, rows::beneficiary, rows::one,
          {"1", "active SMEs whose last support, within markets.beneficiary_quarters quarters, came from the instrument", Stock}},
  Counter{"instrument_market_gross_gain_eur", kByBeneficiary, rows::beneficiary, rows::excess_cents,
          {"EUR", "quarterly turnover gained in the quarter by the instrument's beneficiaries through growth above their market's competitors", Flow, 1e-2}},
  // Selection (mechanisms/selection.hpp): summed scores of each cell's free non-members and
  // each cluster's members (partners change the score: recounted after tie changes).
  Counter{"cell_free_score", kByCell, rows::non_member, rows::score_units, {}, true},
  Counter{"cluster_member_score", kByCluster, rows::member, rows::score_units, {}, true},
  Counter{"cell_market_gross_gain", kByCell, rows::beneficiary, rows::excess_cents, {}},
  Counter{"cell_competitor_turnover", kByCell, rows::competitor, rows::turnover_cents, {}},
  Counter{"cell_competitor_excess", kByCell, rows::competitor, rows::excess_cents, {}},

  // Rows of dead SMEs still in the table (compaction).
  Counter{"rows_dead", kOverall, rows::dead, rows::one, {}},
};
// clang-format on

inline constexpr record::CounterTable<SmeRow, kCounterList.size(), kGroupCount> kCounters{kCounterList, kGroupDims};
static_assert(kCounters.valid(), "kCounters: duplicate name, bad group, or a recorded counter in a group without a dimension");

inline constexpr auto kCounterSlots = kCounters.slot_table();

/// Index of the counter called `name`; a misspelt name does not compile.
consteval std::size_t counter(std::string_view name) { return kCounters.find(name); }

using CounterLayout = record::CounterLayout<kGroupCount>;

/// The layout of a step's sums and what a row's groups depend on.
struct AggregateLayout {
  CounterLayout counters;
  Peers peers;
  std::size_t clusters;
  std::int64_t recent_quarters;
  SelectionWeights selection;  ///< for update_score() before a row is counted
};

AggregateLayout aggregate_layout(const Params& params, const World& world, std::size_t instruments);

/// Exact step totals. Money is held in cents and employment in milli-FTE as int64, so the
/// sums do not depend on how rows were spread over threads.
struct Aggregates {
  AggregateLayout layout;
  std::vector<std::int64_t> sums;

  /// Counter k at entry `index` of its group (region r, cluster c, ...).
  std::int64_t value(std::size_t k, std::size_t index) const { return sums[position(k, index)]; }
  std::int64_t& value(std::size_t k, std::size_t index) { return sums[position(k, index)]; }
  /// Counter k summed over its group.
  std::int64_t total(std::size_t k) const;
  /// Counter k along its group.
  std::vector<std::int64_t> column(std::size_t k) const;
  /// Entries of group g (regions, peer groups, ...).
  std::size_t size(Group g) const { return layout.counters.size[g]; }

 private:
  std::size_t position(std::size_t k, std::size_t index) const {
    return layout.counters.base(kCounters.counters[k].group, index) + kCounterSlots[k];
  }
};

/// Start of row i's entry in each group. Groups a row has no entry in (no cluster, no
/// support) get a base that no counter counting the row reads.
inline void row_bases(const Smes& smes, const AggregateLayout& l, std::size_t i, std::size_t* base) {
  const std::size_t region = smes.region[i], sector = smes.sector[i];
  const auto& c = l.counters;
  base[kByRegion] = c.base(kByRegion, region);
  base[kBySector] = c.base(kBySector, sector);
  base[kByCluster] = c.base(kByCluster, static_cast<std::size_t>(smes.cluster[i]));
  base[kByCell] = c.base(kByCell, region * kSectorCount + sector);
  base[kByPeerGroup] = c.base(kByPeerGroup, peer_group(l.peers, smes.region[i], smes.sector[i], smes.cluster[i], l.clusters));
  base[kByInstrument] = c.base(kByInstrument, support_instrument(smes.support[i]));
  base[kOverall] = c.offset[kOverall];
  base[kByBeneficiary] = c.base(kByBeneficiary, support_instrument(smes.last_support[i]));
}

/// Adds row i's contribution to the flat sums `acc`.
inline void accumulate(const Smes& smes, const AggregateLayout& l, std::int64_t* acc, std::size_t i) {
  std::size_t base[kGroupCount];
  row_bases(smes, l, i, base);
  record::accumulate<kCounters>(SmeRow{smes, i, l.recent_quarters}, base, acc);
}

/// Retracts (sign -1) or adds back (+1) row i's contribution to the counters marked
/// `recount`: around a change to a row that has already been counted.
inline void recount(const Smes& smes, const AggregateLayout& l, std::int64_t* acc, std::size_t i, std::int64_t sign) {
  std::size_t base[kGroupCount];
  row_bases(smes, l, i, base);
  record::recount<kCounters>(SmeRow{smes, i, l.recent_quarters}, base, acc, sign);
}

Aggregates unpack_aggregates(const AggregateLayout& layout, std::vector<std::int64_t> sums);
/// The aggregates recounted from the SME table in one full pass.
Aggregates count_aggregates(const Smes& smes, const AggregateLayout& layout);

}  // namespace clustersim::model
