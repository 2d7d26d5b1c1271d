// interregional_investment: I3-like co-investment in joint projects of SMEs from at least two
// regions (DOMAIN.md: EUR 490 M for 2021-2027, projects of EUR 2-10 M, funding rate 70 %,
// 100 % for support to third parties). A consortium is the applicant cluster and a partner
// cluster in another region. Strand "investment": members of both join the joint project
// (knowledge, productivity, ties across the consortium); strand "capacity_building": the
// consortium's project maturity and commercial skills rise. Projects fail at a hazard that
// falls with the consortium's readiness (maturity and commercial skills), and readiness also
// raises the call score.
#include <algorithm>

#include "engine/core/error.hpp"
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Interregional final : public Instrument {
 public:
  bool investment = true;
  double project_min_eur = 2e6, project_max_eur = 10e6, funding_rate = 0.7, third_party_share = 0.0;
  double failure_hazard_per_quarter = 0.05, smes_per_project = 10, knowledge_gain = 0.1;
  static void bind(config::Binding<Interregional>& b) {
    b.choice("strand", std::vector<std::pair<std::string, bool>>{{"investment", true}, {"capacity_building", false}},
             &Interregional::investment)
        .doc("I3 strand.");
    b.bind("project_min_eur", &Interregional::project_min_eur).at_least(0).units("EUR").doc("Smallest project.");
    b.bind("project_max_eur", &Interregional::project_max_eur).at_least(0).units("EUR").doc("Largest project.");
    b.bind("funding_rate", &Interregional::funding_rate).range(0, 1).doc("Share of project cost the programme pays.");
    b.bind("third_party_share", &Interregional::third_party_share).range(0, 1)
        .doc("Share of the project that is support to third parties, funded at 100 %.");
    b.bind("failure_hazard_per_quarter", &Interregional::failure_hazard_per_quarter).range(0, 1).units("1/quarter")
        .doc("Failure hazard of a project at readiness 0.5 (x 2 (1 - readiness)).");
    b.bind("smes_per_project", &Interregional::smes_per_project).at_least(0).units("SMEs")
        .doc("SMEs taking part in one project.");
    b.bind("knowledge_gain", &Interregional::knowledge_gain).range(0, 10).doc("Knowledge a participating SME gains.");
  }
  void check(const config::TableElement& e) const override {
    if (project_max_eur < project_min_eur)
      throw ScenarioError(e.origin, e.key_name("project_max_eur"), "must be >= project_min_eur");
  }

  PartnerRule partner_rule() const override { return PartnerRule::OtherRegion; }
  double readiness_weight() const override { return 1.0; }
  double award_eur(random::Stream& rng) const override {
    const double size = project_min_eur + (project_max_eur - project_min_eur) * rng.uniform();
    return size * ((1.0 - third_party_share) * funding_rate + third_party_share);
  }
  double largest_award_eur() const override {
    return project_max_eur * ((1.0 - third_party_share) * funding_rate + third_party_share);
  }
  double failure_hazard(const Award& a, const Context& ctx) const override {
    auto readiness = [&](std::int32_t c) {
      const auto k = static_cast<std::size_t>(c);
      return 0.5 * (ctx.project_maturity[k] + ctx.commercial_skills[k]);
    };
    const double r = a.partner >= 0 ? 0.5 * (readiness(a.cluster) + readiness(a.partner)) : readiness(a.cluster);
    return failure_hazard_per_quarter * 2.0 * (1.0 - r);
  }
  void act(const Award& a, double, const Context& ctx, ClusterSupport&, const OfferFn& offer) const override {
    if (!investment) {
      for (std::int32_t c : {a.cluster, a.partner}) {
        if (c < 0) continue;
        const auto k = static_cast<std::size_t>(c);
        ctx.project_maturity[k] = std::min(1.0, ctx.project_maturity[k] + 0.05);
        ctx.commercial_skills[k] = std::min(1.0, ctx.commercial_skills[k] + 0.05);
      }
      return;
    }
    const double per_side = smes_per_project / 2.0 / common.award_quarters;
    const auto strength = static_cast<float>(knowledge_gain);
    offer(a.cluster, Purpose::JointProject, per_side, strength, a.partner, false);
    offer(a.partner, Purpose::JointProject, per_side, strength, a.cluster, true);
  }
};
}  // namespace

TypeEntry interregional_type() {
  return type_entry<Interregional>("interregional_investment",
                                   "I3-like interregional co-investment in joint projects of SMEs from >= 2 regions.");
}
}  // namespace clustersim::model::instruments
