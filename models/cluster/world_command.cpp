#include "models/cluster/world_command.hpp"

#include <ostream>

#include "models/cluster/params.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

sim::ModelCommand world_command() {
  sim::ModelCommand c;
  c.name = "world";
  c.help = "List a scenario's world: regions, sectors and cluster organisations (id, region, sectors, members at start)";
  c.flags = {{"--csv", "Print CSV instead of aligned columns"},
             {"--regions", "Only the regions"},
             {"--sectors", "Only the sectors"},
             {"--clusters", "Only the cluster organisations"}};
  c.run = [](const config::Scenario* scenario, const std::set<std::string>& flags, std::ostream& out) {
    // Without a scenario, the defaults: the struct initialisers are the keys' defaults.
    Params p = scenario ? read(*scenario) : Params{};
    if (!scenario) resolve_world_size(p);
    WorldListing what;
    what.csv = flags.count("--csv") != 0;
    what.regions = flags.count("--regions") != 0;
    what.sectors = flags.count("--sectors") != 0;
    what.clusters = flags.count("--clusters") != 0;
    if (what.sections() == 0) what.regions = what.sectors = what.clusters = true;
    print_world(build_world(p), what, out);
  };
  return c;
}

}  // namespace clustersim::model
