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
  PartnerRule partner_rule() const override { return PartnerRule::OtherRegion; }
  double readiness_weight() const override { return 1.0; }
  double award_eur(random::Stream& rng) const override {
    const double size = project_min_eur + (project_max_eur - project_min_eur) * rng.uniform();
    return size * ((1.0 - third_party_share) * funding_rate + third_party_share);
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
  return {"interregional_investment", "I3-like interregional co-investment in joint projects of SMEs from >= 2 regions.",
          [](config::Schema& s) {
            const Interregional d;
            s.string("strand", "investment").choices({"investment", "capacity_building"}).doc("I3 strand.");
            s.real("project_min_eur", d.project_min_eur).at_least(0).units("EUR").doc("Smallest project.");
            s.real("project_max_eur", d.project_max_eur).at_least(0).units("EUR").doc("Largest project.");
            s.real("funding_rate", d.funding_rate).range(0, 1).doc("Share of project cost the programme pays.");
            s.real("third_party_share", d.third_party_share).range(0, 1)
                .doc("Share of the project that is support to third parties, funded at 100 %.");
            s.real("failure_hazard_per_quarter", d.failure_hazard_per_quarter).range(0, 1).units("1/quarter")
                .doc("Failure hazard of a project at readiness 0.5 (x 2 (1 - readiness)).");
            s.real("smes_per_project", d.smes_per_project).at_least(0).units("SMEs").doc("SMEs taking part in one project.");
            s.real("knowledge_gain", d.knowledge_gain).range(0, 10).doc("Knowledge a participating SME gains.");
          },
          [](const config::TableElement& e) -> std::unique_ptr<Instrument> {
            auto i = std::make_unique<Interregional>();
            read_common(e, i->common);
            i->investment = e.string("strand") == "investment";
            i->project_min_eur = e.real("project_min_eur");
            i->project_max_eur = e.real("project_max_eur");
            if (i->project_max_eur < i->project_min_eur)
              throw ScenarioError(e.origin, e.key_name("project_max_eur"), "must be >= project_min_eur");
            i->funding_rate = e.real("funding_rate");
            i->third_party_share = e.real("third_party_share");
            i->failure_hazard_per_quarter = e.real("failure_hazard_per_quarter");
            i->smes_per_project = e.real("smes_per_project");
            i->knowledge_gain = e.real("knowledge_gain");
            return i;
          }};
}
}  // namespace clustersim::model::instruments
