#pragma once
// What every instrument type's file includes; registry.cpp lists the types.
#include <memory>

#include "models/cluster/instruments/instrument.hpp"

namespace clustersim::model::instruments {

using OfferFn = std::function<void(std::int32_t cluster, Purpose, double smes, float strength, std::int32_t partner,
                                   bool outside)>;

}  // namespace clustersim::model::instruments
