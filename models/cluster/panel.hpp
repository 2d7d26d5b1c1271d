#pragma once
// The SME panel (docs/OUTPUT.md, "SME panel"): a fixed random sample of SMEs followed every
// step, one slot per sampled SME along the `panel_sme` dimension.
//
// Membership rule: SME ids are handed out in order of birth (0 .. N0-1 at step 0, then
// entrants). Id `i` is sampled iff hash(run.seed, i) / 2^64 < p, and slot k holds the k-th
// sampled id; the panel keeps the first `record.panel_smes` sampled ids. p is the slot count
// over the SMEs expected to live in the run, N0 * (1 + entry.rate_per_quarter * run.steps)
// (capped at 1), so entrants join by the same rule as the initial SMEs and the slots are
// about used up by the end of the run. Membership depends on the seed and the id only: the
// same for every thread count, every replicate and the counterfactual run of the same
// scenario (which is what `scripts/evaluate` needs); a slot whose SME is not yet born, or
// whose SME has exited, holds fill values.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/record/layout.hpp"
#include "models/cluster/aggregation.hpp"
#include "models/cluster/instruments/programme.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/smes.hpp"

namespace clustersim::model {

/// The sampled ids for a panel of `slots` SMEs (the rule above).
std::vector<std::uint64_t> panel_ids(std::uint64_t seed, std::size_t slots, double sample_probability);
/// p of the rule above.
double panel_sample_probability(const Params& params);

class Panel {
 public:
  explicit Panel(const Params& params);
  std::size_t slots() const { return ids_.size(); }
  const std::vector<std::uint64_t>& ids() const { return ids_; }
  /// Adds the panel_sme dimension, panel_sme_id and the panel series (none if off).
  void describe(record::Layout& layout) const;
  /// Number of series describe() adds.
  std::size_t series_count() const;
  void start_replicate() { next_id_by_step_.clear(); }
  /// Fills the panel series, frame[first ...], for the step just done. Called once per
  /// step in order: it notes the ids born by then, which gives each SME's birth step.
  void observe(const Smes& smes, const instruments::Programme& programme, const Aggregates& aggregates,
               record::Frame& frame, std::size_t first) const;

 private:
  std::vector<std::uint64_t> ids_;  ///< sampled ids, increasing
  /// next_id of the SME table when step t was observed: id i was born at the first t with
  /// next_id_by_step_[t] > i. Recording state, hence mutable in the const observe().
  mutable std::vector<std::uint64_t> next_id_by_step_;
};

}  // namespace clustersim::model
