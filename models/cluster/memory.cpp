#include "models/cluster/memory.hpp"

#include <algorithm>
#include <cstdint>
#include <thread>

#include "models/cluster/smes.hpp"

namespace clustersim::model {

namespace {

/// Bytes of one SME row: every column attached to the SME table (smes.hpp) plus its id.
double sme_row_bytes() {
  static const double bytes = static_cast<double>(Smes{}.table.row_bytes());
  return bytes;
}
/// Besides the columns, per SME: the table's reserve (address space, resident only
/// where rows are written), the region/cluster member index, the per-block message buffers
/// and the step's temporaries. Measured: 104 bytes of peak RSS per additional SME from 10^6
/// to 2.5x10^7 SMEs (docs/PERFORMANCE.md, `scripts/bench`); 1.75 times the 67 column bytes
/// is 117, about 13 % above, so a run that fits is not refused.
constexpr double kSmeOverhead = 1.75;
/// Region x region matrices of doubles: distances, spillover weights, partner affinity
/// (world.hpp), the partner-search cumulative kernel (model.cpp), and Eigen temporaries
/// while they are built.
constexpr double kRegionMatrices = 6;
/// Per region: 26 int64 aggregate slots in each worker's accumulator and in the totals,
/// the step's region messages and the recorded frame's region series.
constexpr double kRegionBytes = 64 * 8 + 26 * 8;
/// Per cluster: its organisation state, members' aggregates and series (generous).
constexpr double kClusterBytes = 2048;
/// Libraries, HDF5 caches, thread stacks: the fixed ~26 MB of docs/PERFORMANCE.md, with room.
constexpr double kBaseBytes = 64.0 * (1 << 20);

}  // namespace

sim::MemoryEstimate estimate_memory(const config::Scenario& scenario) {
  const auto smes = static_cast<double>(scenario.integer("population.smes"));
  const auto regions = static_cast<double>(scenario.integer("population.regions"));
  const auto clusters = static_cast<double>(scenario.integer("population.clusters"));
  const double threads = std::max(1u, std::thread::hardware_concurrency());
  const double blocks = smes / 1024.0 + 1;  // parallel::kBlockRows
  sim::MemoryEstimate e;
  e.parts.push_back({"population.smes", kBaseBytes + smes * sme_row_bytes() * kSmeOverhead});
  // Per-block counts of SMEs by region (uint32) while the member index is rebuilt, and
  // the per-thread region accumulators.
  e.parts.push_back({"population.regions", regions * regions * 8 * kRegionMatrices + blocks * regions * 4 +
                                               regions * kRegionBytes * (threads + 2)});
  e.parts.push_back({"population.clusters", clusters * kClusterBytes * (threads + 2)});
  return e;
}

}  // namespace clustersim::model
