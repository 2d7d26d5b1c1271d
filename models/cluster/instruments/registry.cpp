// The instrument types a scenario can use. A new type is one file NAME.cpp defining
// `TypeEntry NAME_type()` (its parameters, rules and effect; see core_funding.cpp), one
// entry in the list below, and its source line in models/CMakeLists.txt.
#include "models/cluster/instruments/types.hpp"

// X(NAME) for every type, in the order `keys` and docs/SCENARIOS.md list them.
#define CLUSTERSIM_INSTRUMENT_TYPES(X) \
  X(core_funding)                      \
  X(excellence)                        \
  X(cascade)                           \
  X(interregional)                     \
  X(intercluster)                      \
  X(internationalisation)              \
  X(staff_exchange)                    \
  X(technical_assistance)              \
  X(metacluster)                       \
  X(skills)

namespace clustersim::model::instruments {

#define CLUSTERSIM_DECLARE_TYPE(name) TypeEntry name##_type();
CLUSTERSIM_INSTRUMENT_TYPES(CLUSTERSIM_DECLARE_TYPE)
#undef CLUSTERSIM_DECLARE_TYPE

const std::vector<TypeEntry>& registry() {
#define CLUSTERSIM_LIST_TYPE(name) name##_type(),
  static const std::vector<TypeEntry> types{CLUSTERSIM_INSTRUMENT_TYPES(CLUSTERSIM_LIST_TYPE)};
#undef CLUSTERSIM_LIST_TYPE
  return types;
}

}  // namespace clustersim::model::instruments
