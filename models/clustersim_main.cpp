// The clustersim executable: the engine's command line with the cluster-policy model
// registered. Adding a model means one more descriptor here.
#include "engine/cli/app.hpp"
#include "models/cluster/model.hpp"

int main(int argc, char** argv) { return clustersim::cli::main(argc, argv, clustersim::model::descriptor()); }
