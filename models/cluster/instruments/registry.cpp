// The instrument types a scenario can use: one line each. A new type is a file with its
// parameters, rules and effect (see core_funding.cpp) plus one line here.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {

const std::vector<TypeEntry>& registry() {
  static const std::vector<TypeEntry> types{
      core_funding_type(),
      excellence_type(),
      cascade_type(),
      interregional_type(),
      intercluster_type(),
      internationalisation_type(),
      staff_exchange_type(),
      technical_assistance_type(),
      metacluster_type(),
      skills_type(),
  };
  return types;
}

}  // namespace clustersim::model::instruments
