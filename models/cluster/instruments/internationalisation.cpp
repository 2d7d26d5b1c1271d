// internationalisation: cluster-run market opening for members (Go International, DOMAIN.md).
// Supported members may start exporting (the sunk cost is covered); each award signs
// collaboration agreements with third countries.
#include "models/cluster/instruments/types.hpp"

namespace clustersim::model::instruments {
namespace {
class Internationalisation final : public Instrument {
 public:
  double grant_eur = 100000, smes_per_award = 20, export_probability = 0.3;
  std::int64_t agreements_per_award = 2;
  static void bind(config::Binding<Internationalisation>& b) {
    b.bind("grant_eur", &Internationalisation::grant_eur).at_least(0).units("EUR").doc("Grant per awarded cluster.");
    b.bind("smes_per_award", &Internationalisation::smes_per_award).at_least(0).units("SMEs").doc("SMEs supported over one award.");
    b.bind("export_probability", &Internationalisation::export_probability).range(0, 1)
        .doc("Probability that a supported non-exporter starts exporting.");
    b.bind("agreements_per_award", &Internationalisation::agreements_per_award).range(0, 1000)
        .doc("Collaboration agreements with third countries signed per award.");
  }

  double award_eur(random::Stream&) const override { return grant_eur; }
  void on_award(const Award&, const Context&, StepCounts& counts) const override { counts.agreements += agreements_per_award; }
  void act(const Award& a, double, const Context&, ClusterSupport&, const OfferFn& offer) const override {
    offer(a.cluster, Purpose::Internationalisation, smes_per_award / common.award_quarters,
          static_cast<float>(export_probability), -1, false);
  }
};
}  // namespace

TypeEntry internationalisation_type() {
  return type_entry<Internationalisation>("internationalisation", "Cluster-run market opening for members (Go International).");
}
}  // namespace clustersim::model::instruments
