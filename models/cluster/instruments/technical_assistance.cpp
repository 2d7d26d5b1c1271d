// technical_assistance: coaching of consortia toward fundable projects (TAF, DOMAIN.md:
// projects less mature than planned, weak commercial skills). The grant buys coaching hours
// at eur_per_hour. The consortium's share of the hours raises the cluster's project maturity
// and commercial skills by maturity_gain (commercial_gain) x (1 - 2^(-hours / hours_half)) over
// the award, which raise call scores, shorten start delays and lower project failure in
// interregional_investment and intercluster_call. Without use (no running joint project) the
// gains decay by decay_per_quarter a quarter toward the starting level. The rest of the hours
// coach member SMEs' entrepreneurs, hours_per_sme each (mentoring participants; members are
// drawn with repeats, distinct_reached).
#include <algorithm>

#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class TechnicalAssistance final : public Instrument {
 public:
  double grant_eur = 30000, eur_per_hour = 100, hours_half = 75, maturity_gain = 0.4, commercial_gain = 0.4,
         decay_per_quarter = 0.05, sme_hours_share = 0.5, hours_per_sme = 8, mentoring_effect = 0.3;
  static void bind(config::Binding<TechnicalAssistance>& b) {
    b.bind("grant_eur", &TechnicalAssistance::grant_eur).at_least(0).units("EUR").doc("Coaching budget per awarded cluster.");
    b.bind("eur_per_hour", &TechnicalAssistance::eur_per_hour).at_least(1).units("EUR/hour").doc("Cost of one coaching hour.");
    b.bind("hours_half", &TechnicalAssistance::hours_half).at_least(1).units("hours")
        .doc("Consortium coaching hours that buy half of maturity_gain and commercial_gain.");
    b.bind("maturity_gain", &TechnicalAssistance::maturity_gain).range(0, 1)
        .doc("Largest project-maturity gain (0-1) over an award.");
    b.bind("commercial_gain", &TechnicalAssistance::commercial_gain).range(0, 1)
        .doc("Largest commercial-skills gain (0-1) over an award.");
    b.bind("decay_per_quarter", &TechnicalAssistance::decay_per_quarter).range(0, 1).units("1/quarter")
        .doc("Share of the gains above the starting level lost each quarter without a running joint project.");
    b.bind("sme_hours_share", &TechnicalAssistance::sme_hours_share).range(0, 1)
        .doc("Share of the hours coaching member SMEs' entrepreneurs.");
    b.bind("hours_per_sme", &TechnicalAssistance::hours_per_sme).at_least(0.1).units("hours/SME")
        .doc("Coaching hours per mentored SME.");
    b.bind("mentoring_effect", &TechnicalAssistance::mentoring_effect).range(0, 10)
        .doc("Skills-gain multiplier for a mentored SME.");
  }

  Recipient instalment_recipient() const override { return Recipient::Providers; }
  double award_eur(random::Stream&) const override { return grant_eur; }
  /// Coachings of hours_per_sme the SME hours paid so far have bought.
  double smes_bought(const Award& a) const override {
    return a.paid_eur() * sme_hours_share / eur_per_hour / hours_per_sme;
  }
  void begin_step(const Context& ctx) const override {
    for (std::size_t k = 0; k < ctx.project_maturity.size(); ++k) {
      if (ctx.in_project[k]) continue;
      auto decay = [&](double& x, double start) {
        if (x > start) x = start + (x - start) * (1.0 - decay_per_quarter);
      };
      decay(ctx.project_maturity[k], kInitialProjectMaturity);
      decay(ctx.commercial_skills[k], kInitialCommercialSkills);
    }
  }
  void act(const Award& a, double paid_eur, const Context& ctx, ClusterSupport&, StepCounts&, random::Stream&,
           const OfferFn& offer) const override {
    const auto k = static_cast<std::size_t>(a.cluster);
    const double consortium = (1.0 - sme_hours_share) / eur_per_hour;  // hours per EUR
    const double after = a.paid_eur() * consortium, before = after - paid_eur * consortium;
    const double bought = saturation(after, hours_half) - saturation(before, hours_half);
    ctx.project_maturity[k] = std::min(1.0, ctx.project_maturity[k] + maturity_gain * bought);
    ctx.commercial_skills[k] = std::min(1.0, ctx.commercial_skills[k] + commercial_gain * bought);
    const double per_eur = sme_hours_share / eur_per_hour / hours_per_sme;  // coachings per EUR
    const double members = static_cast<double>(ctx.cluster_members[k]);
    const double firms = distinct_reached(members, a.paid_eur() * per_eur) -
                         distinct_reached(members, (a.paid_eur() - paid_eur) * per_eur);
    offer(a.cluster, Purpose::Mentoring, firms, static_cast<float>(mentoring_effect), -1, false);
  }
};
}  // namespace

TypeEntry technical_assistance_type() {
  return type_entry<TechnicalAssistance>("technical_assistance", "Coaching of consortia toward bankable projects (raises project maturity and commercial skills).");
}
}  // namespace clustersim::model::instruments
