// cluster_core_funding: pays for cluster management and services over long horizons
// (Flanders' spearhead programme, DOMAIN.md). The grant is cluster income, so it reaches
// members through the cluster's staff and services (organisations.cpp), whose effects
// saturate with spending per member, and through their value to members.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class CoreFunding final : public Instrument {
 public:
  double grant_eur_per_quarter = 25000;
  static void bind(config::Binding<CoreFunding>& b) {
    b.bind("grant_eur_per_quarter", &CoreFunding::grant_eur_per_quarter).at_least(0).units("EUR/quarter")
        .doc("Core funding per awarded cluster per quarter (paid into its budget).");
  }

  double award_eur(random::Stream&) const override { return grant_eur_per_quarter * common.award_quarters; }
  void act(const Award& a, double paid_eur, const Context&, ClusterSupport& s, StepCounts&, random::Stream&,
           const OfferFn&) const override {
    s.income_cents[static_cast<std::size_t>(a.cluster)] += to_cents(paid_eur);
  }
};
}  // namespace

TypeEntry core_funding_type() {
  return type_entry<CoreFunding>("cluster_core_funding", "Core funding of cluster organisations: management and services.");
}
}  // namespace clustersim::model::instruments
