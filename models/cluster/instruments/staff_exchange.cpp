// staff_exchange: short mobility visits between clusters and firms (ClusterXchange: more
// than 1,000 exchanges in 14 partnerships, DOMAIN.md). An award pairs the cluster with one in
// another region; visits are offered only while the award has the money for them and paid per
// participant. Each visiting SME meets a member of the other cluster and forms a cross-region
// tie with probability tie_probability x (1 - 2^(-exchange_eur / exchange_eur_half)): a
// longer (dearer) stay makes a partnership likelier, with diminishing returns.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class StaffExchange final : public Instrument {
 public:
  double exchange_eur = 3000, exchanges_per_award = 20, tie_probability = 0.54, exchange_eur_half = 780;
  static void bind(config::Binding<StaffExchange>& b) {
    b.bind("exchange_eur", &StaffExchange::exchange_eur).at_least(1).units("EUR/participant").doc("Cost of one exchange.");
    b.bind("exchanges_per_award", &StaffExchange::exchanges_per_award).at_least(0).units("participants")
        .doc("Exchanges funded by one award (half each way).");
    b.bind("tie_probability", &StaffExchange::tie_probability).range(0, 1)
        .doc("Largest probability that a visit ends in a partnership with the host, reached as the stay grows.");
    b.bind("exchange_eur_half", &StaffExchange::exchange_eur_half).at_least(1).units("EUR/participant")
        .doc("Cost of a visit that buys half of tie_probability.");
  }

  PartnerRule partner_rule() const override { return PartnerRule::OtherRegion; }
  double award_eur(random::Stream&) const override { return exchange_eur * exchanges_per_award; }
  double per_sme_eur() const override { return exchange_eur; }
  double per_sme_share() const override { return 1.0; }
  void act(const Award& a, double, const Context& ctx, ClusterSupport&, StepCounts&, random::Stream&,
           const OfferFn& offer) const override {
    const double visits = sme_quota(a, exchange_eur, ctx.step);
    const auto strength = static_cast<float>(tie_probability * saturation(exchange_eur, exchange_eur_half));
    offer(a.cluster, Purpose::Mobility, visits / 2.0, strength, a.partner, false);
    offer(a.partner, Purpose::Mobility, visits / 2.0, strength, a.cluster, true);
  }
};
}  // namespace

TypeEntry staff_exchange_type() {
  return type_entry<StaffExchange>("staff_exchange", "Staff exchange / mobility visits between clusters (ClusterXchange).");
}
}  // namespace clustersim::model::instruments
