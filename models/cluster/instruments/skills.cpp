// skills: up- and re-skilling of SME staff through clusters (Pact for Skills, DOMAIN.md).
// Training is offered only while the award has the money for it and paid per trained SME;
// the cluster's share follows those payments (programme.cpp). A trained SME invests in skills
// (mechanisms/skills.hpp's gain) times effect x (1 - 2^(-training_eur_per_sme / training_eur_half)):
// a longer, dearer course teaches more, with diminishing returns.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Skills final : public Instrument {
 public:
  double grant_eur = 60000, training_eur_per_sme = 1000, pass_through_share = 0.9, effect = 1.33,
         training_eur_half = 500;
  static void bind(config::Binding<Skills>& b) {
    b.bind("grant_eur", &Skills::grant_eur).at_least(0).units("EUR").doc("Grant per awarded cluster.");
    b.bind("training_eur_per_sme", &Skills::training_eur_per_sme).at_least(1).units("EUR/SME").doc("Cost of training one SME's staff.");
    b.bind("pass_through_share", &Skills::pass_through_share).range(0, 1).doc("Share of the grant spent on SME training.");
    b.bind("effect", &Skills::effect).range(0, 10)
        .doc("Largest multiplier of skills.gain for a trained SME, reached as the training grows.");
    b.bind("training_eur_half", &Skills::training_eur_half).at_least(1).units("EUR/SME")
        .doc("Training cost per SME that buys half of effect.");
  }

  double award_eur(random::Stream&) const override { return grant_eur; }
  double per_sme_eur() const override { return training_eur_per_sme; }
  double per_sme_share() const override { return pass_through_share; }
  void act(const Award& a, double, const Context& ctx, ClusterSupport&, StepCounts&, random::Stream&,
           const OfferFn& offer) const override {
    offer(a.cluster, Purpose::Skills, sme_quota(a, training_eur_per_sme, ctx.step),
          static_cast<float>(effect * saturation(training_eur_per_sme, training_eur_half)), -1, false);
  }
};
}  // namespace

TypeEntry skills_type() {
  return type_entry<Skills>("skills", "Up- and re-skilling of SME staff through clusters (Pact for Skills).");
}
}  // namespace clustersim::model::instruments
