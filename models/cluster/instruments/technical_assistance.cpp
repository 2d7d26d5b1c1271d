// technical_assistance: coaching of consortia toward fundable projects (TAF, DOMAIN.md:
// projects less mature than planned, weak commercial skills). Raises the cluster's project
// maturity and commercial skills, which raise call scores and lower project failure in
// interregional_investment and intercluster_call. The consortium's entrepreneurs are
// coached too: they count as mentoring participants (Single Market Programme indicator).
#include <algorithm>

#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class TechnicalAssistance final : public Instrument {
 public:
  double grant_eur = 30000, maturity_gain = 0.3, commercial_gain = 0.3, mentored_smes_per_quarter = 4;
  static void bind(config::Binding<TechnicalAssistance>& b) {
    b.bind("grant_eur", &TechnicalAssistance::grant_eur).at_least(0).units("EUR").doc("Coaching budget per awarded cluster.");
    b.bind("maturity_gain", &TechnicalAssistance::maturity_gain).range(0, 1).doc("Project maturity gained over the award (0-1).");
    b.bind("commercial_gain", &TechnicalAssistance::commercial_gain).range(0, 1).doc("Commercial skills gained over the award (0-1).");
    b.bind("mentored_smes_per_quarter", &TechnicalAssistance::mentored_smes_per_quarter).range(0, 1e6).units("SMEs/quarter")
        .doc("Member SMEs whose entrepreneurs are coached each quarter (mentoring participants).");
  }

  double award_eur(random::Stream&) const override { return grant_eur; }
  void act(const Award& a, double, const Context& ctx, ClusterSupport&, const OfferFn& offer) const override {
    const auto k = static_cast<std::size_t>(a.cluster);
    ctx.project_maturity[k] = std::min(1.0, ctx.project_maturity[k] + maturity_gain / common.award_quarters);
    ctx.commercial_skills[k] = std::min(1.0, ctx.commercial_skills[k] + commercial_gain / common.award_quarters);
    if (mentored_smes_per_quarter > 0)
      offer(a.cluster, Purpose::Mentoring, mentored_smes_per_quarter, static_cast<float>(commercial_gain), -1, false);
  }
};
}  // namespace

TypeEntry technical_assistance_type() {
  return type_entry<TechnicalAssistance>("technical_assistance", "Coaching of consortia toward bankable projects (raises project maturity and commercial skills).");
}
}  // namespace clustersim::model::instruments
