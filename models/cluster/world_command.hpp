#pragma once
// `clustersim world [SCENARIO] [--csv] [--regions] [--sectors] [--clusters]`: lists the world a
// scenario runs in (docs/CLI.md).

#include "engine/sim/model.hpp"

namespace clustersim::model {

/// The `world` command, for ModelDescriptor::commands.
sim::ModelCommand world_command();

}  // namespace clustersim::model
