// cluster_excellence: manager training, labelling and mobility of cluster managers (a Catalan
// scheme co-funds about EUR 50,000 per cluster, DOMAIN.md). The grant enters the cluster's
// budget: training_share of it is spent at once on the manager's training, whose skill gain
// saturates with the euros (max_skill_gain x (1 - 2^(-training EUR / skill_eur_half)) over
// the award); the rest pays staff and services like any income (organisations.cpp), so
// capacity and maturity rise with the euros.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Excellence final : public Instrument {
 public:
  double grant_eur = 50000, max_skill_gain = 0.3, skill_eur_half = 25000, training_share = 0.5;
  static void bind(config::Binding<Excellence>& b) {
    b.bind("grant_eur", &Excellence::grant_eur).at_least(0).units("EUR").doc("Grant per awarded cluster.");
    b.bind("max_skill_gain", &Excellence::max_skill_gain).range(0, 1)
        .doc("Manager skill (0-1) that unlimited training money would add over one award.");
    b.bind("skill_eur_half", &Excellence::skill_eur_half).at_least(1).units("EUR")
        .doc("Training euros that buy half of max_skill_gain.");
    b.bind("training_share", &Excellence::training_share).range(0, 1)
        .doc("Share of the grant spent on the manager's training; the rest is cluster income (staff, services).");
  }

  double award_eur(random::Stream&) const override { return grant_eur; }
  void on_award(const Award&, const Context&, StepCounts& counts) const override { ++counts.clusters_trained; }
  void act(const Award& a, double paid_eur, const Context&, ClusterSupport& s, StepCounts&, random::Stream&,
           const OfferFn&) const override {
    const auto k = static_cast<std::size_t>(a.cluster);
    const Money paid = to_cents(paid_eur), training = share_of(paid, training_share);
    const double after = training_share * a.paid_eur(), before = after - to_eur(training);
    s.skill_gain[k] += max_skill_gain * (saturation(after, skill_eur_half) - saturation(before, skill_eur_half));
    s.income_cents[k] += paid;
    s.earmarked_spending_cents[k] += training;
  }
};
}  // namespace

TypeEntry excellence_type() {
  return type_entry<Excellence>("cluster_excellence",
                                "Cluster-management excellence: training and labelling of cluster managers.");
}
}  // namespace clustersim::model::instruments
