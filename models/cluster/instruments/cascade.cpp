// cascade_funding: financial support to third parties — vouchers passed through clusters to
// SMEs (Euroclusters: at least 75 % of each grant must reach SMEs, DOMAIN.md). A voucher is
// offered only while its award has the money for it (sme_quota), and paid when used; the
// cluster's management share is paid in proportion to what reached SMEs (programme.cpp), so
// the pass-through share holds on actual payments, per grant. A voucher's effect saturates
// with its size: voucher_effect x (1 - 2^(-voucher_eur / voucher_eur_half)). With
// cross_border = true an award goes to a partnership of the cluster and one in another
// country; the partner's SMEs count as supported from outside the funded (lead) partner's region.
#include <algorithm>

#include "engine/core/error.hpp"
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Cascade final : public Instrument {
 public:
  double grant_eur = 200000, pass_through_share = 0.8, min_pass_through_share = 0.75, voucher_eur = 10000,
         voucher_effect = 0.65, voucher_eur_half = 5000;
  Purpose purpose = Purpose::Digital;
  bool cross_border = false;
  static void bind(config::Binding<Cascade>& b) {
    b.bind("grant_eur", &Cascade::grant_eur).at_least(0).units("EUR").doc("Grant per awarded cluster (or partnership).");
    b.bind("pass_through_share", &Cascade::pass_through_share).range(0, 1)
        .doc("Share of each grant passed to SMEs as vouchers; must be >= min_pass_through_share.");
    b.bind("min_pass_through_share", &Cascade::min_pass_through_share).range(0, 1)
        .doc("Programme rule (Euroclusters: 0.75).");
    b.bind("voucher_eur", &Cascade::voucher_eur).at_least(1).units("EUR/SME").doc("Size of one voucher.");
    b.choice("purpose",
             std::vector<std::pair<std::string, Purpose>>{{"innovation", Purpose::Innovation},
                                                          {"digital", Purpose::Digital},
                                                          {"green", Purpose::Green},
                                                          {"skills", Purpose::Skills},
                                                          {"internationalisation", Purpose::Internationalisation}},
             &Cascade::purpose)
        .doc("What the vouchers pay for.");
    b.bind("voucher_effect", &Cascade::voucher_effect).range(0, 10)
        .doc("Largest effect of a voucher (adoption / export-start probability, knowledge gain, or skills-gain "
             "multiplier), reached as the voucher grows.");
    b.bind("voucher_eur_half", &Cascade::voucher_eur_half).at_least(1).units("EUR/SME")
        .doc("Voucher size that buys half of voucher_effect.");
    b.bind("cross_border", &Cascade::cross_border).doc("Awards go to partnerships with a cluster in another country.");
  }
  void check(const config::TableElement& e) const override {
    if (pass_through_share < min_pass_through_share)
      throw ScenarioError(e.origin, e.key_name("pass_through_share"),
                          "must be >= min_pass_through_share (" + std::to_string(min_pass_through_share) + ")");
  }

  PartnerRule partner_rule() const override { return cross_border ? PartnerRule::OtherCountry : PartnerRule::None; }
  double award_eur(random::Stream&) const override { return grant_eur; }
  double per_sme_eur() const override { return voucher_eur; }
  double per_sme_share() const override { return pass_through_share; }
  void act(const Award& a, double, const Context& ctx, ClusterSupport&, StepCounts&, random::Stream&,
           const OfferFn& offer) const override {
    const double smes = sme_quota(a, voucher_eur, ctx.step);
    const double share = a.partner >= 0 ? 0.5 : 1.0;
    const auto strength = static_cast<float>(voucher_effect * saturation(voucher_eur, voucher_eur_half));
    offer(a.cluster, purpose, smes * share, strength, -1, false);
    if (a.partner >= 0) offer(a.partner, purpose, smes * share, strength, -1, true);
  }
};
}  // namespace

TypeEntry cascade_type() {
  return type_entry<Cascade>("cascade_funding",
                             "Financial support to third parties: vouchers passed through clusters to SMEs.");
}
}  // namespace clustersim::model::instruments
