// cluster_excellence: manager training, labelling and mobility of cluster managers; raises
// the manager's skill and so the maturity label (organisations.cpp). About EUR 50,000 per
// cluster in one Catalan scheme (DOMAIN.md).
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Excellence final : public Instrument {
 public:
  double grant_eur = 50000, skill_gain = 0.15;
  static void bind(config::Binding<Excellence>& b) {
    b.bind("grant_eur", &Excellence::grant_eur).at_least(0).units("EUR").doc("Grant per awarded cluster.");
    b.bind("skill_gain", &Excellence::skill_gain).range(0, 1).doc("Manager skill gained over the award (0-1 scale).");
  }

  double award_eur(random::Stream&) const override { return grant_eur; }
  void on_award(const Award&, const Context&, StepCounts& counts) const override { ++counts.clusters_trained; }
  void act(const Award& a, double, const Context&, ClusterSupport& s, const OfferFn&) const override {
    s.skill_gain[static_cast<std::size_t>(a.cluster)] += skill_gain / common.award_quarters;
  }
};
}  // namespace

TypeEntry excellence_type() {
  return type_entry<Excellence>("cluster_excellence",
                                "Cluster-management excellence: training and labelling of cluster managers.");
}
}  // namespace clustersim::model::instruments
