#include "models/cluster/aggregation.hpp"

#include "engine/parallel/blocks.hpp"

namespace clustersim::model {

AggregateLayout aggregate_layout(const Params& params, const World& world, std::size_t instruments) {
  const std::size_t R = world.regions.size(), C = world.clusters.size();
  std::array<std::size_t, kGroupCount> sizes{};
  sizes[kByRegion] = R;
  sizes[kBySector] = kSectorCount;
  sizes[kByCluster] = C;
  sizes[kByCell] = R * kSectorCount;
  sizes[kByPeerGroup] = peer_group_count(params.adoption.peers, R, C);
  sizes[kByInstrument] = instruments;
  sizes[kOverall] = 1;
  sizes[kByBeneficiary] = instruments;
  return {CounterLayout::make(kCounters, sizes), params.adoption.peers, C, params.innovation.recent_quarters,
          selection_weights(params, world.cluster_start.data())};
}

std::int64_t Aggregates::total(std::size_t k) const {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < size(static_cast<Group>(kCounters.counters[k].group)); ++i) sum += value(k, i);
  return sum;
}

std::vector<std::int64_t> Aggregates::column(std::size_t k) const {
  std::vector<std::int64_t> v(size(static_cast<Group>(kCounters.counters[k].group)));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = value(k, i);
  return v;
}

Aggregates unpack_aggregates(const AggregateLayout& layout, std::vector<std::int64_t> sums) {
  return {layout, std::move(sums)};
}

Aggregates count_aggregates(const Smes& smes, const AggregateLayout& layout) {
  parallel::IntegerSums sums(layout.counters.total);
  parallel::for_each_block(smes.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    std::int64_t* acc = sums.local().data();
    for (std::size_t i = begin; i < end; ++i) accumulate(smes, layout, acc, i);
  });
  return unpack_aggregates(layout, sums.total());
}

}  // namespace clustersim::model
