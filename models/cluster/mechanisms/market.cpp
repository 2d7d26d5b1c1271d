#include "models/cluster/mechanisms/market.hpp"

#include <algorithm>
#include <cmath>

#include "engine/parallel/blocks.hpp"

namespace clustersim::model {

namespace {

/// Closest distance between two regions' markets that the weights use, so that regions with
/// the same representative point do not get an infinite weight.
constexpr double kMinDistanceKm = 10.0;

/// The competitors' mean capability boost by cell, from one pass over the rows (exact integer
/// sums of turnover and turnover x boost, in cents, so any thread count gives the same bits).
/// Used in the first quarter of a replicate; later quarters update it from the aggregates.
void prime_mean_boost(Messages& messages, const Smes& smes, const Params& params, const World& world,
                      const StepContext& ctx) {
  const std::size_t cells = world.regions.size() * kSectorCount;
  parallel::IntegerSums sums(2 * cells);
  parallel::for_each_block(smes.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    std::int64_t* acc = sums.local().data();
    for (std::size_t i = begin; i < end; ++i) {
      if (!smes.alive(i)) continue;
      const SmeRow row{smes, i, params.innovation.recent_quarters};
      const auto turnover = static_cast<double>(row.turnover_cents());
      const std::size_t cell = world.cell(smes.region[i], smes.sector[i]);
      acc[2 * cell] += row.turnover_cents();
      acc[2 * cell + 1] += static_cast<std::int64_t>(std::floor(turnover * mechanism::add_capability_boost(0.0, smes, i, ctx) + 0.5));
    }
  });
  const std::vector<std::int64_t> total = sums.total();
  messages.market_mean_boost.assign(cells, 0.0f);
  for (std::size_t c = 0; c < cells; ++c)
    if (total[2 * c] > 0)
      messages.market_mean_boost[c] = static_cast<float>(static_cast<double>(total[2 * c + 1]) / static_cast<double>(total[2 * c]));
}

/// Spreads the sales each market's beneficiaries take (displacement_share x their gross gain;
/// negative when they grew more slowly than their competitors) over the markets they are taken from: 1 - interregional_share in their own,
/// the rest over the same ecosystem's markets of other regions in proportion to competitors'
/// turnover x region weight; a side without competitors passes its share to the other.
std::vector<double> displaced_to(const MarketState& state, const Params& params, const World& world,
                                 const Aggregates& a) {
  const std::size_t R = world.regions.size();
  const auto& mp = params.markets;
  std::vector<double> landed(R * kSectorCount, 0.0);
  for (std::size_t s = 0; s < kSectorCount; ++s)
    for (std::size_t r = 0; r < R; ++r) {
      const std::size_t cell = world.cell(r, s);
      const auto gain = a.value(counter("cell_market_gross_gain"), cell);
      if (gain == 0) continue;
      const double displaced = mp.displacement_share * static_cast<double>(gain);
      double remote_total = 0;
      for (std::size_t q = 0; q < R; ++q)
        remote_total += state.region_weight(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(q)) *
                        static_cast<double>(a.value(counter("cell_competitor_turnover"), world.cell(q, s)));
      const double local_share = a.value(counter("cell_competitor_turnover"), cell) > 0 ? 1.0 - mp.interregional_share : 0.0;
      const double remote_share = remote_total > 0 ? mp.interregional_share : 0.0;
      if (local_share + remote_share <= 0) continue;
      landed[cell] += displaced * local_share / (local_share + remote_share);
      if (remote_share <= 0) continue;
      const double per_weight = displaced * remote_share / (local_share + remote_share) / remote_total;
      for (std::size_t q = 0; q < R; ++q)
        landed[world.cell(q, s)] += per_weight * state.region_weight(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(q)) *
                                    static_cast<double>(a.value(counter("cell_competitor_turnover"), world.cell(q, s)));
    }
  return landed;
}

}  // namespace

MarketState make_market_state(const Params& params, const World& world, std::size_t instruments) {
  const auto R = static_cast<Eigen::Index>(world.regions.size());
  MarketState state;
  state.region_weight = Eigen::MatrixXd::Zero(R, R);
  for (Eigen::Index r = 0; r < R; ++r)
    for (Eigen::Index q = 0; q < R; ++q)
      if (q != r)
        state.region_weight(r, q) =
            std::pow(std::max(world.distance_km(r, q), kMinDistanceKm), -params.markets.distance_elasticity);
  state.displaced_by_region_eur.assign(world.regions.size(), 0.0);
  state.displaced_by_instrument_eur.assign(instruments, 0.0);
  return state;
}

void start_markets(MarketState& state, Messages& messages) {
  state.primed = false;
  std::fill(state.displaced_by_region_eur.begin(), state.displaced_by_region_eur.end(), 0.0);
  std::fill(state.displaced_by_instrument_eur.begin(), state.displaced_by_instrument_eur.end(), 0.0);
  messages.market_mean_boost.clear();
  messages.market_loss.clear();
}

void prepare_markets(MarketState& state, Messages& messages, const Smes& smes, const Params& params,
                     const World& world, const Aggregates& a, std::int32_t step, std::uint64_t seed) {
  if (!params.markets.enabled) return;
  const std::size_t R = world.regions.size(), cells = R * kSectorCount;
  if (!state.primed) {
    const SearchIndex no_search;
    prime_mean_boost(messages, smes, params, world, StepContext{params, world, messages, no_search, seed, step});
    state.primed = true;
  }
  // The competitors' mean boost moves by their mean excess over the old mean last quarter.
  for (std::size_t c = 0; c < cells; ++c) {
    const auto turnover = a.value(counter("cell_competitor_turnover"), c);
    if (turnover > 0)
      messages.market_mean_boost[c] += static_cast<float>(static_cast<double>(a.value(counter("cell_competitor_excess"), c)) /
                                                          static_cast<double>(turnover));
  }
  // Growth the competitors lose, and what that takes from them (EUR).
  const std::vector<double> landed = displaced_to(state, params, world, a);
  messages.market_loss.assign(cells, 0.0f);
  std::fill(state.displaced_by_region_eur.begin(), state.displaced_by_region_eur.end(), 0.0);
  for (std::size_t c = 0; c < cells; ++c) {
    const auto turnover = static_cast<double>(a.value(counter("cell_competitor_turnover"), c));
    if (turnover <= 0 || landed[c] == 0) continue;
    const double cap = params.markets.max_loss_per_quarter;
    messages.market_loss[c] = static_cast<float>(std::clamp(landed[c] / turnover, -cap, cap));
    const double taken_cents = static_cast<double>(messages.market_loss[c]) * turnover;
    state.displaced_by_region_eur[c / kSectorCount] += taken_cents * 1e-2;
  }
  // By instrument: displacement_share x its beneficiaries' gross gain (the displacement is linear
  // in the gains, so the instruments' shares add up to what the regions lost, except where the
  // loss cap binds or a market and its ecosystem have no competitors).
  for (std::size_t k = 0; k < state.displaced_by_instrument_eur.size(); ++k)
    state.displaced_by_instrument_eur[k] = params.markets.displacement_share *
                                           static_cast<double>(a.value(counter("instrument_market_gross_gain_eur"), k)) * 1e-2;
}

}  // namespace clustersim::model
