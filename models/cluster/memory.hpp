#pragma once
// The cluster model's memory estimate (sim::ModelDescriptor::estimate_memory): what a run
// of a scenario needs, from its sizes alone, before the world is built.

#include "engine/config/scenario.hpp"
#include "engine/sim/memory.hpp"

namespace clustersim::model {

sim::MemoryEstimate estimate_memory(const config::Scenario& scenario);

}  // namespace clustersim::model
