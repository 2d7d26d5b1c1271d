#pragma once
// Messages: what every SME reads during a step, computed once from the previous step's
// aggregates and the organisations' state (mechanisms/context.hpp, struct Messages).

#include <vector>

#include "models/cluster/aggregation.hpp"
#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/metaclusters.hpp"
#include "models/cluster/organisations.hpp"

namespace clustersim::model {

/// Regional turnover of the last two quarters (cents), for the demand feedback on growth.
struct TurnoverHistory {
  std::vector<double> last, before;
};

/// Fills everything in `messages` but the instruments' offers (Programme::prepare).
void prepare_messages(Messages& messages, const Params& params, const World& world, const Aggregates& aggregates,
                      const ClusterState& clusters, const MetaclusterState& metaclusters,
                      const TurnoverHistory& turnover);

}  // namespace clustersim::model
