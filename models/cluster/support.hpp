#pragma once
// What policy instruments hand to the model each quarter (docs/MODEL.md, "Instruments"):
// support offers that the per-SME `support` mechanism reads (probabilities by cluster for
// members and by (region, sector) cell for non-members, precomputed once per step), and
// cluster-level effects that the cluster organisations' update reads. Mechanisms never see
// an instrument; instruments never touch an SME row.

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/core/money.hpp"

namespace clustersim::model {

/// What a unit of SME support does (mechanisms/support.hpp). Append before kCount.
enum class Purpose : std::uint8_t { Innovation, Digital, Green, Skills, Internationalisation, JointProject, Mobility,
                                    Mentoring, kCount };
inline constexpr std::size_t kPurposeCount = static_cast<std::size_t>(Purpose::kCount);
inline constexpr std::array<std::string_view, kPurposeCount> kPurposeNames{
    "innovation", "digital", "green", "skills", "internationalisation", "joint_project", "mobility", "mentoring"};
static_assert(kPurposeNames.back() != std::string_view(), "a name for every support purpose");

/// One instrument's offer to a group of SMEs this quarter.
struct Offer {
  std::uint16_t instrument = 0;   ///< index in the scenario's [[instruments]]
  std::uint32_t award = 0;        ///< index of the award (Programme::awards) whose money pays for it
  Purpose purpose = Purpose::Innovation;
  bool outside = false;           ///< recipients are outside the funded (lead) partner's region
  std::uint16_t sector_mask = 0;  ///< bit s: ecosystem s is eligible
  std::int32_t partner_cluster = -1;  ///< joint projects and mobility: whose members to meet
  float probability = 0;          ///< that an eligible SME of the group is supported this quarter
  float strength = 0;             ///< effect size (meaning depends on the purpose, docs/MODEL.md)
  float min_employees = 0, max_employees = 1e9f;
  /// What the SME pays itself to take the support up (EUR): the private co-financing share of
  /// a per-SME unit (voucher, training, visit); it must have the own funds for it.
  float copay_eur = 0;
};

/// Offers in CSR layout: members of cluster c read member[member_start[c] .. member_start[c+1]),
/// non-members of cell k read cell[cell_start[k] .. cell_start[k+1]).
struct SupportOffers {
  std::vector<std::uint32_t> member_start, cell_start;
  std::vector<Offer> member, cell;
  bool any = false;
  /// Which SMEs each instrument has ever supported: one bit per (instrument, SME id), words
  /// [instrument x history_words, (instrument + 1) x history_words). The support mechanism
  /// sets bits with an atomic OR (neighbouring ids share a word across row blocks), so it is
  /// `mutable` in the const offers the mechanisms read; an SME is supported at most once a
  /// quarter, so the bits, and the counts, do not depend on the thread count. Reset with the
  /// offers at every replicate; ~1 bit per SME ever born and instrument.
  mutable std::vector<std::uint64_t> history;
  std::size_t history_words = 0;
  /// Grows the history to hold ids below `next_id` for `instruments` instruments (before the
  /// SME phase, which only reads the size).
  void reserve_history(std::uint64_t next_id, std::size_t instruments) {
    const auto words = static_cast<std::size_t>((next_id + 63) / 64);
    if (words <= history_words && history.size() == history_words * instruments) return;
    // Grow by an eighth at least, so that entrants do not make every quarter copy it.
    const std::size_t grown = std::max(words, history_words + history_words / 8);
    std::vector<std::uint64_t> bigger(grown * instruments, 0);
    for (std::size_t i = 0; i < instruments && history_words > 0; ++i)
      std::copy_n(history.begin() + static_cast<std::ptrdiff_t>(i * history_words), history_words,
                  bigger.begin() + static_cast<std::ptrdiff_t>(i * grown));
    history = std::move(bigger);
    history_words = grown;
  }
  /// Marks SME `id` as supported by `instrument`; true if it was the first time.
  bool mark_supported(std::size_t instrument, std::uint64_t id) const {
    const std::uint64_t bit = std::uint64_t{1} << (id % 64);
    std::atomic_ref<std::uint64_t> word(history[instrument * history_words + static_cast<std::size_t>(id / 64)]);
    return (word.fetch_or(bit, std::memory_order_relaxed) & bit) == 0;
  }
  /// Distinct SMEs instrument i has ever supported.
  std::int64_t distinct_supported(std::size_t instrument) const {
    std::int64_t n = 0;
    for (std::size_t w = 0; w < history_words; ++w) n += std::popcount(history[instrument * history_words + w]);
    return n;
  }
};

/// Cluster-level effects of instruments this quarter, by cluster. Money is in whole cents
/// (engine/core/money.hpp): what an instrument pays a cluster is what the cluster books.
struct ClusterSupport {
  std::vector<Money> income_cents;  ///< paid into the cluster's budget (core funding, excellence, management shares)
  std::vector<double> skill_gain;   ///< added to the manager's skill (excellence, training)
  /// Part of income_cents the cluster spends at once on the purpose it was paid for (the
  /// manager's training): booked as income and as spending, never in reserves or services.
  std::vector<Money> earmarked_spending_cents;
  /// Meta-cluster seed money received this quarter (metacluster_support): held by the cluster
  /// for a meta-cluster's budget (organisations.cpp, metaclusters.cpp), not its own income.
  std::vector<Money> metacluster_seed_cents;
  /// Private co-financing the cluster owes this quarter for instrument money paid to it
  /// (the funding.private share of its payments): paid out of its own reserves.
  std::vector<Money> cofinance_due_cents;
  void reset(std::size_t clusters) {
    income_cents.assign(clusters, 0);
    skill_gain.assign(clusters, 0.0);
    earmarked_spending_cents.assign(clusters, 0);
    metacluster_seed_cents.assign(clusters, 0);
    cofinance_due_cents.assign(clusters, 0);
  }
};

/// The SME `support` column: 0, or (instrument + 1) | purpose << kInstrumentBits |
/// outside << (kInstrumentBits + kPurposeBits). The purpose field is as wide as the purposes
/// need, so a new purpose needs no edit here unless the 16 bits run out (asserted).
inline constexpr unsigned kInstrumentBits = 10;
inline constexpr unsigned kPurposeBits = static_cast<unsigned>(std::bit_width(kPurposeCount - 1));
static_assert(kInstrumentBits + kPurposeBits + 1 <= 16, "the support code must fit the 16-bit support column");
inline constexpr std::size_t kMaxInstruments = (std::size_t{1} << kInstrumentBits) - 2;

inline std::uint16_t encode_support(std::uint16_t instrument, Purpose purpose, bool outside) {
  return static_cast<std::uint16_t>((instrument + 1u) | (static_cast<unsigned>(purpose) << kInstrumentBits) |
                                    (outside ? 1u << (kInstrumentBits + kPurposeBits) : 0u));
}
inline std::size_t support_instrument(std::uint16_t code) { return (code & ((1u << kInstrumentBits) - 1u)) - 1u; }
inline Purpose support_purpose(std::uint16_t code) {
  return static_cast<Purpose>((code >> kInstrumentBits) & ((1u << kPurposeBits) - 1u));
}
inline bool support_outside(std::uint16_t code) { return (code >> (kInstrumentBits + kPurposeBits)) & 1u; }

}  // namespace clustersim::model
