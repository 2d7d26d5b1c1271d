#pragma once
// What interregional_investment and intercluster_call share (docs/MODEL.md 3.13, "Joint
// projects"): the award finances the partners' investment — smes_per_project member SMEs of
// the two clusters, each receiving its share of the euros paid, with a knowledge gain (and
// the joint project's productivity gain, mechanisms/support.hpp) of
// knowledge_gain x (1 - 2^(-EUR per firm / investment_eur_half)); partners chosen by
// relatedness, S3 match and distance; readiness (project maturity, commercial skills) lowers
// the failure hazard and the start delay; a failed project returns its unpaid money.
#include <cmath>

#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {

struct ProjectEconomics {
  double smes_per_project = 10, knowledge_gain = 0.2, investment_eur_half = 200000;
  double failure_hazard_per_quarter = 0.05, max_delay_quarters = 4;
  double partner_distance_km = 1000, s3_partner_bonus = 1.0;
};

template <class T>
void bind_project(config::Binding<T>& binding, ProjectEconomics T::*member) {
  auto b = binding.section("", member);
  b.bind("smes_per_project", &ProjectEconomics::smes_per_project).at_least(0).units("SMEs")
      .doc("Member SMEs (of both clusters) whose investment one project finances.");
  b.bind("knowledge_gain", &ProjectEconomics::knowledge_gain).range(0, 10)
      .doc("Largest knowledge gain of a participating SME, reached as its share of the project grows.");
  b.bind("investment_eur_half", &ProjectEconomics::investment_eur_half).at_least(1).units("EUR/SME")
      .doc("Project euros per participating SME that buy half of knowledge_gain.");
  b.bind("failure_hazard_per_quarter", &ProjectEconomics::failure_hazard_per_quarter).range(0, 1).units("1/quarter")
      .doc("Failure hazard of a project at readiness 0.5 (x 2 (1 - readiness)).");
  b.bind("max_delay_quarters", &ProjectEconomics::max_delay_quarters).range(0, 40).units("quarters")
      .doc("Start delay of a project at readiness 0 (x (1 - readiness), rounded down).");
  b.bind("partner_distance_km", &ProjectEconomics::partner_distance_km).at_least(0).units("km")
      .doc("Partner choice: preference falls as exp(-distance / partner_distance_km) (0: no distance effect).");
  b.bind("s3_partner_bonus", &ProjectEconomics::s3_partner_bonus).range(0, 100)
      .doc("Partner choice: extra preference (x (1 + bonus)) when an ecosystem is an S3 priority of the other's region.");
}

inline double project_failure_hazard(const ProjectEconomics& p, const Award& a, const Context& ctx) {
  return p.failure_hazard_per_quarter * 2.0 * (1.0 - readiness(ctx, a.cluster, a.partner));
}

inline std::int32_t project_delay(const ProjectEconomics& p, std::size_t cluster, std::int32_t partner,
                                  const Context& ctx) {
  return static_cast<std::int32_t>(
      std::floor(p.max_delay_quarters * (1.0 - readiness(ctx, static_cast<std::int32_t>(cluster), partner))));
}

/// Firms a project finances: smes_per_project over the whole award, whose shares its
/// commitment holds and its instalments pay (like a per-SME type's money left for SMEs). Capping
/// by the shares paid so far instead would refuse a firm in the first quarters of a long
/// project (10 firms over 12 quarters: none in the first), and halve its take-up.
inline double project_smes_bought(const ProjectEconomics& p, const Award& a) {
  return a.cost_cents > 0 ? p.smes_per_project : 0.0;
}

/// What one participating firm receives of a project (EUR): its share, cost / smes_per_project.
inline double project_sme_unit_eur(const ProjectEconomics& p, const Award& a) {
  return p.smes_per_project > 0 ? static_cast<double>(a.cost_cents) / 100.0 / p.smes_per_project : 0.0;
}

/// This quarter's joint project: paid_eur finances smes_per_project / award_quarters firms,
/// half on each side; `outside` marks the partner's firms as outside the lead's region.
inline void project_offers(const ProjectEconomics& p, const Award& a, double paid_eur, std::int32_t quarters,
                           bool partner_outside, const OfferFn& offer) {
  const double firms = p.smes_per_project / quarters;
  if (!(firms > 0) || !(paid_eur > 0)) return;
  const auto strength = static_cast<float>(p.knowledge_gain * saturation(paid_eur / firms, p.investment_eur_half));
  offer(a.cluster, Purpose::JointProject, firms / 2.0, strength, a.partner, false);
  offer(a.partner, Purpose::JointProject, firms / 2.0, strength, a.cluster, partner_outside);
}

}  // namespace clustersim::model::instruments
