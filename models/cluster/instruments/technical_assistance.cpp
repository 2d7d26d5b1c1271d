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
  return {"technical_assistance", "Coaching of consortia toward bankable projects (raises project maturity and commercial skills).",
          [](config::Schema& s) {
            const TechnicalAssistance d;
            s.real("grant_eur", d.grant_eur).at_least(0).units("EUR").doc("Coaching budget per awarded cluster.");
            s.real("maturity_gain", d.maturity_gain).range(0, 1).doc("Project maturity gained over the award (0-1).");
            s.real("commercial_gain", d.commercial_gain).range(0, 1).doc("Commercial skills gained over the award (0-1).");
            s.real("mentored_smes_per_quarter", d.mentored_smes_per_quarter).range(0, 1e6).units("SMEs/quarter")
                .doc("Member SMEs whose entrepreneurs are coached each quarter (mentoring participants).");
          },
          [](const config::TableElement& e) -> std::unique_ptr<Instrument> {
            auto i = std::make_unique<TechnicalAssistance>();
            read_common(e, i->common);
            i->grant_eur = e.real("grant_eur");
            i->maturity_gain = e.real("maturity_gain");
            i->commercial_gain = e.real("commercial_gain");
            i->mentored_smes_per_quarter = e.real("mentored_smes_per_quarter");
            return i;
          }};
}
}  // namespace clustersim::model::instruments
