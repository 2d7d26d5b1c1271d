// metacluster_support: seed money for clusters of clusters (DOMAIN.md). The award goes to the
// applicant and a cluster in another country; the seed each receives is held for a
// meta-cluster (ClusterSupport::metacluster_seed_cents, never the cluster's own income) and
// becomes that meta-cluster's budget: it raises the funded clusters' formation hazard (and
// only theirs) with diminishing returns, then pays the meta-cluster's coordination, hence
// its members' engagement and its effects on their SMEs (metaclusters.cpp, MODEL.md 3.12).
// When the money stops, the meta-cluster lives from members' contributions or dissolves.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Metacluster final : public Instrument {
 public:
  double seed_eur = 200000;
  static void bind(config::Binding<Metacluster>& b) {
    b.bind("seed_eur", &Metacluster::seed_eur).at_least(0).units("EUR").doc("Seed money per meta-cluster (split between its two founders).");
  }

  PartnerRule partner_rule() const override { return PartnerRule::OtherCountry; }
  double award_eur(random::Stream&) const override { return seed_eur; }
  void act(const Award& a, double paid_eur, const Context& ctx, ClusterSupport& s, StepCounts&, random::Stream&,
           const OfferFn&) const override {
    // A folded partner receives nothing: the applicant holds the whole seed.
    const bool partner = a.partner >= 0 && ctx.clusters.active[static_cast<std::size_t>(a.partner)];
    const Money paid = to_cents(paid_eur), to_partner = partner ? paid / 2 : 0;
    s.metacluster_seed_cents[static_cast<std::size_t>(a.cluster)] += paid - to_partner;  // the odd cent
    if (partner) s.metacluster_seed_cents[static_cast<std::size_t>(a.partner)] += to_partner;
  }
};
}  // namespace

TypeEntry metacluster_type() {
  return type_entry<Metacluster>("metacluster_support", "Seed money and coordination for a cross-border meta-cluster.");
}
}  // namespace clustersim::model::instruments
