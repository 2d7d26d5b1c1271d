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
  double award_eur(random::Stream&) const override { return grant_eur; }
  void on_award(const Award&, const Context&, StepCounts& counts) const override { counts.agreements += agreements_per_award; }
  void act(const Award& a, double, const Context&, ClusterSupport&, const OfferFn& offer) const override {
    offer(a.cluster, Purpose::Internationalisation, smes_per_award / common.award_quarters,
          static_cast<float>(export_probability), -1, false);
  }
};
}  // namespace

TypeEntry internationalisation_type() {
  return {"internationalisation", "Cluster-run market opening for members (Go International).",
          [](config::Schema& s) {
            const Internationalisation d;
            s.real("grant_eur", d.grant_eur).at_least(0).units("EUR").doc("Grant per awarded cluster.");
            s.real("smes_per_award", d.smes_per_award).at_least(0).units("SMEs").doc("SMEs supported over one award.");
            s.real("export_probability", d.export_probability).range(0, 1)
                .doc("Probability that a supported non-exporter starts exporting.");
            s.integer("agreements_per_award", d.agreements_per_award).range(0, 1000)
                .doc("Collaboration agreements with third countries signed per award.");
          },
          [](const config::TableElement& e) -> std::unique_ptr<Instrument> {
            auto i = std::make_unique<Internationalisation>();
            read_common(e, i->common);
            i->grant_eur = e.real("grant_eur");
            i->smes_per_award = e.real("smes_per_award");
            i->export_probability = e.real("export_probability");
            i->agreements_per_award = e.integer("agreements_per_award");
            return i;
          }};
}
}  // namespace clustersim::model::instruments
