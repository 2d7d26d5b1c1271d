#pragma once
// Markets (docs/MODEL.md 3.15): every (region, sector) cell is a market. A supported SME stays a
// beneficiary for markets.beneficiary_quarters quarters; while it is one, the growth its
// capabilities give it above its market's competitors (its excess boost) wins sales that
// markets.displacement_share of come out of the competitors' sales — in its own market and,
// for markets.interregional_share of them, in the same ecosystem's markets of other regions,
// weighted by their competitors' turnover x distance^-markets.distance_elasticity. Competitors
// lose that growth the next quarter (messages from this quarter's exact sums, market.cpp), so
// the SME phase stays row-local and the result does not depend on the thread count.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "models/cluster/aggregation.hpp"
#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/mechanisms/growth.hpp"

namespace clustersim::model {

/// What markets keep between quarters and report: the region weights (R x R, zero diagonal),
/// and this quarter's displacement, by the region whose competitors lost it and by the
/// instrument whose beneficiaries caused it (EUR of quarterly turnover).
struct MarketState {
  Eigen::MatrixXd region_weight;
  bool primed = false;  ///< competitors' mean boost set from the first quarter's rows
  std::vector<double> displaced_by_region_eur, displaced_by_instrument_eur;
};

/// The distance weights (once per world) and zero outputs.
MarketState make_market_state(const Params& params, const World& world, std::size_t instruments);
/// A new replicate: the competitors' mean boost is set again from the first quarter's rows.
void start_markets(MarketState& state, Messages& messages);
/// This quarter's market messages from last quarter's sums (and, in the first quarter of a
/// replicate, from one pass over the rows): the competitors' mean boost and growth loss by cell.
void prepare_markets(MarketState& state, Messages& messages, const Smes& smes, const Params& params,
                     const World& world, const Aggregates& aggregates, std::int32_t step, std::uint64_t seed);

namespace mechanism {

/// Keeps the SME's beneficiary status: its last support's code for markets.beneficiary_quarters
/// quarters, this quarter's support included (support.hpp writes s.support before this runs).
inline void track_support(Smes& s, std::size_t i, const StepContext& ctx) {
  if (s.support[i] != 0) {
    s.last_support[i] = s.support[i];
    s.support_age[i] = 0;
    return;
  }
  if (s.last_support[i] == 0) return;
  if (++s.support_age[i] >= ctx.params.markets.beneficiary_quarters) s.last_support[i] = 0;
}

/// Records the SME's capability boost above its market's competitors' mean (market_excess) and
/// returns the log employment growth it loses this quarter: its market's loss if it is a
/// competitor, nothing if it is a beneficiary.
inline float market(Smes& s, std::size_t i, const StepContext& ctx) {
  const std::size_t cell = ctx.world.cell(s.region[i], s.sector[i]);
  s.market_excess[i] = static_cast<float>(add_capability_boost(0.0, s, i, ctx)) - ctx.messages.market_mean_boost[cell];
  return s.last_support[i] != 0 ? 0.0f : ctx.messages.market_loss[cell];
}

}  // namespace mechanism

}  // namespace clustersim::model
