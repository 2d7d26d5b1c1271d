// internationalisation: cluster-run market opening for members (Go International, DOMAIN.md).
// The euros buy market-opening actions (missions, fairs, partner searches) at action_eur
// each — their number scales with the money paid; a fractional action is bought with the
// matching probability. Each action takes smes_per_action members abroad; members are drawn
// with repeats, so more actions reach fewer new firms (distinct_reached). A participating
// non-exporter starts exporting with probability export_probability x (1 - 2^(-EUR per
// participant / participant_eur_half)) — a richer action (longer mission, bigger stand) does
// more for each participant, with diminishing returns; each action signs a
// collaboration agreement with a third country with probability agreement_probability.
#include <cmath>

#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Internationalisation final : public Instrument {
 public:
  double grant_eur = 100000, action_eur = 10000, smes_per_action = 2, export_probability = 0.4,
         participant_eur_half = 2500, agreement_probability = 0.2;
  static void bind(config::Binding<Internationalisation>& b) {
    b.bind("grant_eur", &Internationalisation::grant_eur).at_least(0).units("EUR").doc("Grant per awarded cluster.");
    b.bind("action_eur", &Internationalisation::action_eur).at_least(1).units("EUR/action")
        .doc("Cost of one market-opening action (mission, fair, partner search).");
    b.bind("smes_per_action", &Internationalisation::smes_per_action).at_least(0).units("SMEs/action")
        .doc("Member SMEs taking part in one action.");
    b.bind("export_probability", &Internationalisation::export_probability).range(0, 1)
        .doc("Largest probability that a participating non-exporter starts exporting, reached as the euros per "
             "participant grow.");
    b.bind("participant_eur_half", &Internationalisation::participant_eur_half).at_least(1).units("EUR/SME")
        .doc("Euros of an action per participant (action_eur / smes_per_action) that buy half of export_probability.");
    b.bind("agreement_probability", &Internationalisation::agreement_probability).range(0, 1)
        .doc("Probability that an action ends in a collaboration agreement with a third country.");
  }

  Recipient instalment_recipient() const override { return Recipient::Providers; }
  double award_eur(random::Stream&) const override { return grant_eur; }
  /// Participations the money paid so far has bought (an action's smes_per_action places).
  double smes_bought(const Award& a) const override { return a.paid_eur() / action_eur * smes_per_action; }
  void act(const Award& a, double paid_eur, const Context& ctx, ClusterSupport&, StepCounts& counts,
           random::Stream& rng, const OfferFn& offer) const override {
    // Actions bought this quarter: the whole ones, and one more with the fraction's probability.
    const double exact = paid_eur / action_eur;
    double actions = std::floor(exact);
    if (rng.uniform() < exact - actions) actions += 1.0;
    const auto n = static_cast<std::int64_t>(actions);
    counts.actions += n;
    for (std::int64_t k = 0; k < n; ++k) counts.agreements += rng.uniform() < agreement_probability ? 1 : 0;
    // New firms reached: distinct participants after the award's actions so far, minus before.
    const double members = static_cast<double>(ctx.cluster_members[static_cast<std::size_t>(a.cluster)]);
    const double after = a.paid_eur() / action_eur * smes_per_action, before = after - exact * smes_per_action;
    const double firms = distinct_reached(members, after) - distinct_reached(members, before);
    const double per_participant = smes_per_action > 0 ? action_eur / smes_per_action : 0.0;
    offer(a.cluster, Purpose::Internationalisation, firms,
          static_cast<float>(export_probability * saturation(per_participant, participant_eur_half)), -1, false);
  }
};
}  // namespace

TypeEntry internationalisation_type() {
  return type_entry<Internationalisation>("internationalisation", "Cluster-run market opening for members (Go International).");
}
}  // namespace clustersim::model::instruments
