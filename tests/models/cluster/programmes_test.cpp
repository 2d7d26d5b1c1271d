// Programmes at two scales (issue 13, "one scaling rule"): world.scale sizes SMEs, clusters,
// budgets and awards together, so a programme's per-SME indicators must agree at two scales
// within the noise measured over replicates. docs/PROGRAMMES.md has the figures of every
// programme scenario; tests/scenarios/programme_figures.py computes them from a run.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "model_fixture.hpp"
#include "models/cluster/instruments/instrument.hpp"
#include "models/cluster/model.hpp"

using namespace clustersim;
using model::ClusterModel;

namespace {

// Euroclusters-like vouchers for innovation through clusters everywhere in the EU (no region
// list, so any scale holds clusters for it), 1,000 awards of EUR 200,000 (16 vouchers of EUR
// 10,000 each) at EU scale: 5 at 1:200, 20 at 1:50. With awards five times larger (80 vouchers)
// the indicators drift apart (measured 2026-11-26, 8 replicates: SME-quarters supported per SME
// 0.00275 +- 0.00011 at 1:200 against 0.00304 +- 0.00003 at 1:50; innovation rate of supported
// SMEs 0.102 +- 0.010 against 0.077 +- 0.002): an award keeps its real number of vouchers while
// its cluster's cells shrink with the world, so in a small world the money cannot all be used
// and reaches the same firms more often (docs/PROGRAMMES.md).
const char* kVouchers = R"(
[run]
steps = 12
seed = 4
replicates = 1
[world]
source = "eu"
[record]
panel_smes = 0
[[instruments]]
id = "vouchers"
type = "cascade_funding"
budget_eur = 200000000
start_step = 1
end_step = 12
funding.eu = 1.0
call.steps = [1]
call.apply_probability = 1.0
call.max_awards = 1000
award_quarters = 8
grant_eur = 200000
pass_through_share = 0.8
voucher_eur = 10000
purpose = "innovation"
)";

/// The per-SME indicators of one replicate.
struct Indicators {
  double reach = 0;           ///< SME-quarters supported / SMEs active at the start
  double smes_per_meur = 0;   ///< SME-quarters supported per EUR million disbursed
  double innovation_rate = 0; ///< supported SME-quarters with a new-to-firm product / supported
};

Indicators run_replicate(double scale, std::uint64_t seed) {
  ClusterModel m(test::params_from(kVouchers, {"world.scale=" + std::to_string(scale)}));
  m.start_replicate(seed);
  const double smes = static_cast<double>(m.aggregates().total(model::counter("smes_active")));
  double supported = 0, innovating = 0, spent_eur = 0;
  for (int t = 1; t <= 12; ++t) {
    m.step(t);
    supported += static_cast<double>(m.aggregates().total(model::counter("instrument_smes_supported")));
    innovating += static_cast<double>(m.aggregates().total(model::counter("instrument_smes_product_innovation")));
    spent_eur += static_cast<double>(model::instruments::total(m.programme().spent_this_step(0))) / 100.0;
  }
  return {supported / smes, supported / spent_eur * 1e6, innovating / supported};
}

struct Summary {
  double mean = 0, standard_error = 0;
};

Summary summary(const std::vector<double>& x) {
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / static_cast<double>(x.size() - 1));
  return {mean, sd / std::sqrt(static_cast<double>(x.size()))};
}

}  // namespace

TEST_CASE("a programme's per-SME indicators agree at world.scale 0.005 and 0.02 within replicate noise",
          "[validation]") {
  // Criterion: for each indicator, |mean(0.005) - mean(0.02)| <= 3 x sqrt(se1^2 + se2^2), the
  // standard errors measured over 8 replicates at each scale (a two-sample z-test at ~0.3 %
  // false alarms; with 8 replicates the t quantile for 99.7 % is ~3.9, so 3 is the stricter).
  // The noise must also be small enough for the test to mean something: each indicator's
  // combined standard error below 10 % of its mean.
  const int replicates = 8;
  const std::vector<double> scales{0.005, 0.02};
  std::vector<std::vector<Indicators>> runs(scales.size());
  for (std::size_t k = 0; k < scales.size(); ++k)
    for (int r = 0; r < replicates; ++r) runs[k].push_back(run_replicate(scales[k], 100 + static_cast<std::uint64_t>(r)));
  auto check = [&](const char* name, double Indicators::*field, bool asserted) {
    std::vector<Summary> s;
    for (const auto& at_scale : runs) {
      std::vector<double> x;
      for (const auto& i : at_scale) x.push_back(i.*field);
      s.push_back(summary(x));
    }
    const double se = std::sqrt(s[0].standard_error * s[0].standard_error + s[1].standard_error * s[1].standard_error);
    INFO(name << ": " << s[0].mean << " +- " << s[0].standard_error << " at 0.005, " << s[1].mean << " +- "
              << s[1].standard_error << " at 0.02");
    WARN(name << ": " << s[0].mean << " +- " << s[0].standard_error << " (0.005), " << s[1].mean << " +- "
              << s[1].standard_error << " (0.02)");
    if (!asserted) return;
    CHECK(std::abs(s[0].mean - s[1].mean) <= 3 * se);
    CHECK(se < 0.1 * std::abs(s[1].mean));
  };
  check("SME-quarters supported per SME", &Indicators::reach, true);
  check("SME-quarters supported per EUR million", &Indicators::smes_per_meur, true);
  // ~80 supported SME-quarters per replicate at 1:200 measure an innovation rate of ~0.06 only to
  // ~25 % (s.e.), too coarse to test: printed, not asserted.
  check("product-innovation rate of supported SMEs", &Indicators::innovation_rate, false);
}
