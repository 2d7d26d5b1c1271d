// interregional_investment: I3-like co-investment in joint projects of SMEs from at least two
// regions (DOMAIN.md: EUR 490 M for 2021-2027, projects of EUR 2-10 M, funding rate 70 %,
// 100 % for support to third parties). A consortium is the applicant cluster and a partner
// cluster in another region, chosen by relatedness, S3 match and distance. Strand
// "investment": the award finances its member SMEs' investment (joint_project.hpp); strand
// "capacity_building": the euros raise both clusters' project maturity and commercial skills
// by capacity_gain x (1 - 2^(-EUR paid / capacity_eur_half)) over the project.
#include <algorithm>

#include "engine/core/error.hpp"
#include "models/cluster/instruments/joint_project.hpp"

namespace clustersim::model::instruments {
namespace {
class Interregional final : public Instrument {
 public:
  bool investment = true;
  double project_min_eur = 2e6, project_max_eur = 10e6, funding_rate = 0.7, third_party_share = 0.0;
  double capacity_gain = 0.3, capacity_eur_half = 500000;
  ProjectEconomics project{};
  static void bind(config::Binding<Interregional>& b) {
    b.choice("strand", std::vector<std::pair<std::string, bool>>{{"investment", true}, {"capacity_building", false}},
             &Interregional::investment)
        .doc("I3 strand.");
    b.bind("project_min_eur", &Interregional::project_min_eur).at_least(0).units("EUR").doc("Smallest project.");
    b.bind("project_max_eur", &Interregional::project_max_eur).at_least(0).units("EUR").doc("Largest project.");
    b.bind("funding_rate", &Interregional::funding_rate).range(0, 1).doc("Share of project cost the programme pays.");
    b.bind("third_party_share", &Interregional::third_party_share).range(0, 1)
        .doc("Share of the project that is support to third parties, funded at 100 %.");
    b.bind("capacity_gain", &Interregional::capacity_gain).range(0, 1)
        .doc("Capacity building: largest gain of project maturity and commercial skills (0-1) over a project.");
    b.bind("capacity_eur_half", &Interregional::capacity_eur_half).at_least(1).units("EUR")
        .doc("Capacity building: euros that buy half of capacity_gain.");
    bind_project(b, &Interregional::project);
  }
  void check(const config::TableElement& e) const override {
    if (project_max_eur < project_min_eur)
      throw ScenarioError(e.origin, e.key_name("project_max_eur"), "must be >= project_min_eur");
  }

  PartnerRule partner_rule() const override { return PartnerRule::OtherRegion; }
  bool weighted_partners() const override { return true; }
  double partner_weight(const Context& ctx, std::size_t applicant, std::size_t candidate) const override {
    return project_partner_weight(ctx, applicant, candidate, project.s3_partner_bonus, project.partner_distance_km);
  }
  std::int32_t start_delay_quarters(std::size_t cluster, std::int32_t partner, const Context& ctx) const override {
    return project_delay(project, cluster, partner, ctx);
  }
  double readiness_weight() const override { return 1.0; }
  Recipient instalment_recipient() const override { return investment ? Recipient::Smes : Recipient::Providers; }
  double award_eur(random::Stream& rng) const override {
    const double size = project_min_eur + (project_max_eur - project_min_eur) * rng.uniform();
    return size * funded_share();
  }
  double smes_bought(const Award& a) const override { return investment ? project_smes_bought(project, a) : 0.0; }
  double sme_unit_eur(const Award& a) const override { return investment ? project_sme_unit_eur(project, a) : 0.0; }
  /// The partners pay the rest of the project: (1 - funded share) per euro of project, i.e.
  /// (1 - f) / f per euro of the award (I3: 70 % funding rate, DOMAIN.md).
  double own_contribution_per_eur() const override {
    const double f = funded_share();
    return f > 0 ? (1.0 - f) / f : 0.0;
  }
  double largest_award_eur() const override { return project_max_eur * funded_share(); }
  double smallest_award_eur() const override { return project_min_eur * funded_share(); }
  /// Share of a project's cost the programme pays: funding_rate, and 100 % of the third-party part.
  double funded_share() const { return (1.0 - third_party_share) * funding_rate + third_party_share; }
  double failure_hazard(const Award& a, const Context& ctx) const override {
    return project_failure_hazard(project, a, ctx);
  }
  void act(const Award& a, double paid_eur, const Context& ctx, ClusterSupport&, StepCounts&, random::Stream&,
           const OfferFn& offer) const override {
    if (investment) {
      project_offers(project, a, paid_eur, common.award_quarters, true, offer);
      return;
    }
    const double after = a.paid_eur(), before = after - paid_eur;
    const double gain = capacity_gain * (saturation(after, capacity_eur_half) - saturation(before, capacity_eur_half));
    for (std::int32_t c : {a.cluster, a.partner}) {
      if (c < 0) continue;
      const auto k = static_cast<std::size_t>(c);
      ctx.project_maturity[k] = std::min(1.0, ctx.project_maturity[k] + gain);
      ctx.commercial_skills[k] = std::min(1.0, ctx.commercial_skills[k] + gain);
    }
  }
};
}  // namespace

TypeEntry interregional_type() {
  return type_entry<Interregional>("interregional_investment",
                                   "I3-like interregional co-investment in joint projects of SMEs from >= 2 regions.");
}
}  // namespace clustersim::model::instruments
