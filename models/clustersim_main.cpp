// The clustersim executable: the engine's command line with the cluster-policy model
// registered. Adding a model means one more descriptor here.
#include "engine/cli/app.hpp"
#include "models/cluster/model.hpp"
#include "models/cluster/world_command.hpp"

int main(int argc, char** argv) {
  auto model = clustersim::model::descriptor();
  model.commands.push_back(clustersim::model::world_command());
  return clustersim::cli::main(argc, argv, model);
}
