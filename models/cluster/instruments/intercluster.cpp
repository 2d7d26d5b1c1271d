// intercluster_call: funds cross-sectoral projects between clusters (a Flemish call produced
// 13 inter-cluster collaborations, DOMAIN.md). The consortium is the applicant and a cluster
// of another main ecosystem; members of both join the project (knowledge, productivity and
// ties across sectors).
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Intercluster final : public Instrument {
 public:
  double project_eur = 200000, smes_per_project = 10, knowledge_gain = 0.1, failure_hazard_per_quarter = 0.02;
  PartnerRule partner_rule() const override { return PartnerRule::OtherSector; }
  double readiness_weight() const override { return 0.5; }
  double award_eur(random::Stream&) const override { return project_eur; }
  double failure_hazard(const Award& a, const Context& ctx) const override {
    const auto k = static_cast<std::size_t>(a.cluster);
    return failure_hazard_per_quarter * 2.0 * (1.0 - 0.5 * (ctx.project_maturity[k] + ctx.commercial_skills[k]));
  }
  void act(const Award& a, double, const Context&, ClusterSupport&, const OfferFn& offer) const override {
    const double per_side = smes_per_project / 2.0 / common.award_quarters;
    const auto strength = static_cast<float>(knowledge_gain);
    offer(a.cluster, Purpose::JointProject, per_side, strength, a.partner, false);
    offer(a.partner, Purpose::JointProject, per_side, strength, a.cluster, false);
  }
};
}  // namespace

TypeEntry intercluster_type() {
  return {"intercluster_call", "Calls for cross-sectoral projects between clusters.",
          [](config::Schema& s) {
            const Intercluster d;
            s.real("project_eur", d.project_eur).at_least(0).units("EUR").doc("Funding per inter-cluster project.");
            s.real("smes_per_project", d.smes_per_project).at_least(0).units("SMEs").doc("SMEs taking part in one project.");
            s.real("knowledge_gain", d.knowledge_gain).range(0, 10).doc("Knowledge a participating SME gains.");
            s.real("failure_hazard_per_quarter", d.failure_hazard_per_quarter).range(0, 1).units("1/quarter")
                .doc("Failure hazard at readiness 0.5.");
          },
          [](const config::TableElement& e) -> std::unique_ptr<Instrument> {
            auto i = std::make_unique<Intercluster>();
            read_common(e, i->common);
            i->project_eur = e.real("project_eur");
            i->smes_per_project = e.real("smes_per_project");
            i->knowledge_gain = e.real("knowledge_gain");
            i->failure_hazard_per_quarter = e.real("failure_hazard_per_quarter");
            return i;
          }};
}
}  // namespace clustersim::model::instruments
