// metacluster_support: seed money and coordination for clusters of clusters (DOMAIN.md).
// Interface to the meta-cluster model: the seed money each member cluster receives per
// quarter is ClusterSupport::metacluster_seed_eur (and cluster income). Until meta-clusters
// exist in the model, the effect is coordination: members of the two member clusters (the
// applicant and a cluster in another country) meet each other (mobility visits, cross-border
// ties).
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Metacluster final : public Instrument {
 public:
  double seed_eur = 200000, engaged_smes_per_quarter = 4, tie_probability = 0.5;
  static void bind(config::Binding<Metacluster>& b) {
    b.bind("seed_eur", &Metacluster::seed_eur).at_least(0).units("EUR").doc("Seed money per meta-cluster (split between its members).");
    b.bind("engaged_smes_per_quarter", &Metacluster::engaged_smes_per_quarter).at_least(0).units("SMEs/quarter")
        .doc("Member SMEs taking part in joint meta-cluster activities per quarter.");
    b.bind("tie_probability", &Metacluster::tie_probability).range(0, 1).doc("Probability that an encounter ends in a partnership.");
  }

  PartnerRule partner_rule() const override { return PartnerRule::OtherCountry; }
  double award_eur(random::Stream&) const override { return seed_eur; }
  void act(const Award& a, double paid_eur, const Context&, ClusterSupport& s, const OfferFn& offer) const override {
    for (std::int32_t c : {a.cluster, a.partner}) {
      if (c < 0) continue;
      const auto k = static_cast<std::size_t>(c);
      const double share = a.partner >= 0 ? 0.5 : 1.0;
      s.metacluster_seed_eur[k] += paid_eur * share;
      s.extra_income_eur[k] += paid_eur * share;
    }
    const auto strength = static_cast<float>(tie_probability);
    offer(a.cluster, Purpose::Mobility, engaged_smes_per_quarter / 2.0, strength, a.partner, false);
    offer(a.partner, Purpose::Mobility, engaged_smes_per_quarter / 2.0, strength, a.cluster, true);
  }
};
}  // namespace

TypeEntry metacluster_type() {
  return type_entry<Metacluster>("metacluster_support", "Seed money and coordination for a cross-border meta-cluster.");
}
}  // namespace clustersim::model::instruments
