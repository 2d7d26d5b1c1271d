#pragma once
// The instrument types, one file each; registry.cpp lists them.
#include <memory>

#include "models/cluster/instruments/instrument.hpp"

namespace clustersim::model::instruments {

using OfferFn = std::function<void(std::int32_t cluster, Purpose, double smes, float strength, std::int32_t partner,
                                   bool outside)>;

TypeEntry core_funding_type();
TypeEntry excellence_type();
TypeEntry cascade_type();
TypeEntry interregional_type();
TypeEntry intercluster_type();
TypeEntry internationalisation_type();
TypeEntry staff_exchange_type();
TypeEntry technical_assistance_type();
TypeEntry metacluster_type();
TypeEntry skills_type();

}  // namespace clustersim::model::instruments
