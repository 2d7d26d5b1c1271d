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
  static void bind(config::Binding<Intercluster>& b) {
    b.bind("project_eur", &Intercluster::project_eur).at_least(0).units("EUR").doc("Funding per inter-cluster project.");
    b.bind("smes_per_project", &Intercluster::smes_per_project).at_least(0).units("SMEs").doc("SMEs taking part in one project.");
    b.bind("knowledge_gain", &Intercluster::knowledge_gain).range(0, 10).doc("Knowledge a participating SME gains.");
    b.bind("failure_hazard_per_quarter", &Intercluster::failure_hazard_per_quarter).range(0, 1).units("1/quarter")
        .doc("Failure hazard at readiness 0.5.");
  }

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
  return type_entry<Intercluster>("intercluster_call", "Calls for cross-sectoral projects between clusters.");
}
}  // namespace clustersim::model::instruments
