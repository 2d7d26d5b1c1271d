// intercluster_call: funds cross-sectoral projects between clusters (a Flemish call produced
// 13 inter-cluster collaborations, DOMAIN.md). The consortium is the applicant and a cluster
// of another main ecosystem, chosen by relatedness, S3 match and distance; the award finances
// the member SMEs' joint project (joint_project.hpp).
#include "models/cluster/instruments/joint_project.hpp"

namespace clustersim::model::instruments {
namespace {
class Intercluster final : public Instrument {
 public:
  double project_eur = 200000;
  ProjectEconomics project{10, 0.2, 20000, 0.02, 4, 1000, 1.0};
  static void bind(config::Binding<Intercluster>& b) {
    b.bind("project_eur", &Intercluster::project_eur).at_least(0).units("EUR").doc("Funding per inter-cluster project.");
    bind_project(b, &Intercluster::project);
  }

  PartnerRule partner_rule() const override { return PartnerRule::OtherSector; }
  bool weighted_partners() const override { return true; }
  double partner_weight(const Context& ctx, std::size_t applicant, std::size_t candidate) const override {
    return project_partner_weight(ctx, applicant, candidate, project.s3_partner_bonus, project.partner_distance_km);
  }
  std::int32_t start_delay_quarters(std::size_t cluster, std::int32_t partner, const Context& ctx) const override {
    return project_delay(project, cluster, partner, ctx);
  }
  double readiness_weight() const override { return 0.5; }
  Recipient instalment_recipient() const override { return Recipient::Smes; }
  double award_eur(random::Stream&) const override { return project_eur; }
  double smes_bought(const Award& a) const override { return project_smes_bought(project, a); }
  double sme_unit_eur(const Award& a) const override { return project_sme_unit_eur(project, a); }
  double failure_hazard(const Award& a, const Context& ctx) const override {
    return project_failure_hazard(project, a, ctx);
  }
  void act(const Award& a, double paid_eur, const Context&, ClusterSupport&, StepCounts&, random::Stream&,
           const OfferFn& offer) const override {
    // The partner may be in the same region: its firms are not "outside" by rule.
    project_offers(project, a, paid_eur, common.award_quarters, false, offer);
  }
};
}  // namespace

TypeEntry intercluster_type() {
  return type_entry<Intercluster>("intercluster_call", "Calls for cross-sectoral projects between clusters.");
}
}  // namespace clustersim::model::instruments
