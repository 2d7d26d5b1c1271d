#pragma once
// Selection's work outside the SME phase (docs/MODEL.md 3.16): the group means each quarter, and
// the initial members, drawn by the same rule (mechanisms/selection.hpp).

#include <cstdint>

#include "models/cluster/aggregation.hpp"
#include "models/cluster/mechanisms/context.hpp"

namespace clustersim::model {

/// The selection weights and last quarter's mean scores by cell (free non-members) and by cluster (members).
void prepare_selection(Messages& messages, const Params& params, const World& world, const Aggregates& aggregates);
/// Replaces the initial SMEs' random membership by the selected one: an SME of a cell with
/// clusters joins cluster c with probability target_c / pool_c x a / mean a of its cell.
void select_initial_members(Smes& smes, const Params& params, const World& world, std::uint64_t seed);

}  // namespace clustersim::model
