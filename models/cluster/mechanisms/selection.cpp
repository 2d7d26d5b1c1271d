#include "models/cluster/mechanisms/selection_phase.hpp"

#include "engine/parallel/blocks.hpp"
#include "engine/random/stream.hpp"
#include "models/cluster/purposes.hpp"

namespace clustersim::model {

namespace {

/// Mean score from a sum in 1/kScoreUnits over n SMEs (1 when there are none).
float mean_score(std::int64_t units, std::int64_t n) {
  return n > 0 && units > 0 ? static_cast<float>(static_cast<double>(units) / kScoreUnits / static_cast<double>(n)) : 1.0f;
}

}  // namespace

void prepare_selection(Messages& m, const Params& params, const World& world, const Aggregates& a) {
  m.selection = selection_weights(params, world.cluster_start.data());
  const std::size_t cells = world.regions.size() * kSectorCount, C = world.clusters.size();
  m.selection_cell_mean.assign(cells, 1.0f);
  m.selection_cluster_mean.assign(C, 1.0f);
  if (!params.selection.enabled) return;
  for (std::size_t c = 0; c < cells; ++c)
    m.selection_cell_mean[c] = mean_score(a.value(counter("cell_free_score"), c),
                                          a.value(counter("cell_active"), c) - a.value(counter("cell_members"), c));
  for (std::size_t k = 0; k < C; ++k)
    m.selection_cluster_mean[k] = mean_score(a.value(counter("cluster_member_score"), k), a.value(counter("cluster_members"), k));
}

void select_initial_members(Smes& smes, const Params& params, const World& world, std::uint64_t seed) {
  if (!params.selection.enabled || !params.membership.enabled) return;
  const SelectionWeights w = selection_weights(params, world.cluster_start.data());
  const std::size_t cells = world.regions.size() * kSectorCount;
  // Mean score by cell (exact sums), then membership at probability target / pool x a / mean a.
  parallel::IntegerSums sums(2 * cells);
  parallel::for_each_block(smes.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    std::int64_t* acc = sums.local().data();
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t cell = world.cell(smes.region[i], smes.sector[i]);
      if (!smes.alive(i) || !in_cluster_cell(w, cell)) continue;
      acc[2 * cell] += 1;
      acc[2 * cell + 1] += static_cast<std::int64_t>(static_cast<double>(selection_score(smes, i, w)) * kScoreUnits + 0.5);
    }
  });
  const std::vector<std::int64_t> total = sums.total();
  parallel::for_each_block(smes.rows(), [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t cell = world.cell(smes.region[i], smes.sector[i]);
      if (!smes.alive(i) || !in_cluster_cell(w, cell)) continue;
      const float relative = selection_score(smes, i, w) / mean_score(total[2 * cell + 1], total[2 * cell]);
      random::Stream rng(seed, smes.table.id(i), 0, purpose::kInitialSelection);
      const double u = rng.uniform();
      smes.cluster[i] = kNoCluster;
      double acc = 0;
      for (std::uint32_t k = world.cluster_start[cell]; k < world.cluster_start[cell + 1]; ++k) {
        const auto& site = world.clusters[world.cluster_index[k]];
        acc += site.pool_smes > 0 ? site.target_members / site.pool_smes * static_cast<double>(relative) : 0.0;
        if (u < acc) {
          smes.cluster[i] = static_cast<std::int32_t>(world.cluster_index[k]);
          break;
        }
      }
    }
  });
}

}  // namespace clustersim::model
