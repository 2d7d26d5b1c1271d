// cluster_core_funding: pays for cluster management and services over long horizons
// (Flanders' spearhead programme, DOMAIN.md). The grant is cluster income, so it reaches
// members through the cluster's services (organisations.cpp) and its value to them.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class CoreFunding final : public Instrument {
 public:
  double grant_eur_per_quarter = 25000;
  double award_eur(random::Stream&) const override { return grant_eur_per_quarter * common.award_quarters; }
  void act(const Award& a, double paid_eur, const Context&, ClusterSupport& s, const OfferFn&) const override {
    s.extra_income_eur[static_cast<std::size_t>(a.cluster)] += paid_eur;
  }
};
}  // namespace

TypeEntry core_funding_type() {
  return {"cluster_core_funding", "Core funding of cluster organisations: management and services.",
          [](config::Schema& s) {
            s.real("grant_eur_per_quarter", CoreFunding{}.grant_eur_per_quarter).at_least(0).units("EUR/quarter")
                .doc("Core funding per awarded cluster per quarter (paid into its budget).");
          },
          [](const config::TableElement& e) -> std::unique_ptr<Instrument> {
            auto i = std::make_unique<CoreFunding>();
            read_common(e, i->common);
            i->grant_eur_per_quarter = e.real("grant_eur_per_quarter");
            return i;
          }};
}
}  // namespace clustersim::model::instruments
