// Validation against known results (docs/MODEL.md, "Validation"): the Bass closed form,
// Gibrat's law, the heavy tail and size classes of firms, regional convergence and the
// productivity trend, and the persistence of innovation (docs/MODEL.md, section 4).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include "model_fixture.hpp"
#include "models/cluster/mechanisms/adoption.hpp"

using namespace clustersim;
using model::Aggregates;
using model::ClusterModel;

namespace {

// Only the mechanism under test runs; the population is closed.
const std::vector<std::string> kOnlyAdoption{
    "growth.enabled=false",     "exit.enabled=false",        "entry.enabled=false",
    "membership.enabled=false", "innovation.enabled=false",  "exporting.enabled=false",
    "partnership.enabled=false", "skills.enabled=false", "adoption.member_p_multiplier=1",
    "adoption.intelligence_effect=0", "adoption.peers=everyone",
    "adoption.digital.initial_share=0", "adoption.green.initial_share=0"};

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

/// Largest |simulated share - closed form| over `steps` quarters.
double bass_max_error(std::int64_t smes, double p, double q, int steps) {
  const auto params = test::params_from(
      test::kSmallWorld, with(kOnlyAdoption, {"population.smes=" + std::to_string(smes),
                                              "adoption.digital.p_per_quarter=" + std::to_string(p),
                                              "adoption.digital.q_per_quarter=" + std::to_string(q)}));
  ClusterModel m(params);
  m.start_replicate(2024);
  double worst = 0;
  for (int t = 1; t <= steps; ++t) {
    m.step(t);
    const double share = static_cast<double>(m.aggregates().total(model::counter("digital_adopters"))) /
                         static_cast<double>(m.aggregates().total(model::counter("smes_active")));
    worst = std::max(worst, std::fabs(share - model::mechanism::bass_share(p, q, t)));
  }
  return worst;
}

}  // namespace

TEST_CASE("fully mixed adoption follows the Bass closed form, closer as the SME count grows", "[validation]") {
  struct Case { double p, q; };
  for (const Case c : {Case{0.01, 0.1}, Case{0.03, 0.38}, Case{0.002, 0.25}}) {
    INFO("p = " << c.p << ", q = " << c.q);
    const double small = bass_max_error(20000, c.p, c.q, 40);
    const double large = bass_max_error(320000, c.p, c.q, 40);
    // The error is sampling noise, O(1/sqrt(N)): a share's standard error is at most
    // 0.5/sqrt(N), but with a small p the first adopters are few and imitation (q) turns
    // their noise into a shift of the whole S-curve, so the bound is 5/sqrt(N).
    CHECK(small < 5.0 / std::sqrt(20000.0));
    CHECK(large < 5.0 / std::sqrt(320000.0));
    CHECK(large < small);
  }
}

TEST_CASE("Gibrat's law: growth is independent of size and log-size variance grows linearly", "[validation]") {
  const double sigma = 0.08;
  const auto params = test::params_from(
      test::kSmallWorld,
      {"exit.enabled=false", "entry.enabled=false", "membership.enabled=false", "innovation.enabled=false",
       "exporting.enabled=false", "adoption.enabled=false", "partnership.enabled=false", "population.smes=100000",
       "growth.innovation_boost_per_quarter=0", "growth.export_boost_per_quarter=0",
       "growth.digital_boost_per_quarter=0", "region.knowledge_growth_effect=0", "region.demand_growth_effect=0",
       "growth.productivity_effect_per_quarter=0",
       "growth.shock_sigma_per_quarter=" + std::to_string(sigma)});
  ClusterModel m(params);
  m.start_replicate(77);
  auto log_sizes = [&] {
    std::vector<double> v(m.smes().rows());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::log(static_cast<double>(m.smes().employees[i]));
    return v;
  };
  auto variance = [](const std::vector<double>& v) {
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    return ss / static_cast<double>(v.size() - 1);
  };
  std::vector<double> t_axis, var_axis;
  const auto initial = log_sizes();
  t_axis.push_back(0);
  var_axis.push_back(variance(initial));
  std::vector<double> before = initial, growth;
  for (int t = 1; t <= 40; ++t) {
    m.step(t);
    const auto now = log_sizes();
    if (t == 1) {
      growth.resize(now.size());
      for (std::size_t i = 0; i < now.size(); ++i) growth[i] = now[i] - before[i];
    }
    t_axis.push_back(t);
    var_axis.push_back(variance(now));
  }
  // 1. Growth uncorrelated with log size (|r| below 4 standard errors of zero correlation).
  const double n = static_cast<double>(growth.size());
  const double mx = std::accumulate(initial.begin(), initial.end(), 0.0) / n;
  const double my = std::accumulate(growth.begin(), growth.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < growth.size(); ++i) {
    sxy += (initial[i] - mx) * (growth[i] - my);
    sxx += (initial[i] - mx) * (initial[i] - mx);
    syy += (growth[i] - my) * (growth[i] - my);
  }
  const double r = sxy / std::sqrt(sxx * syy);
  CHECK(std::fabs(r) < 4.0 / std::sqrt(n));
  // 2. var(log E_t) = var(log E_0) + sigma^2 t: the fitted slope matches sigma^2 and the
  //    line explains the curve (R^2 > 0.999).
  const double tm = std::accumulate(t_axis.begin(), t_axis.end(), 0.0) / static_cast<double>(t_axis.size());
  const double vm = std::accumulate(var_axis.begin(), var_axis.end(), 0.0) / static_cast<double>(var_axis.size());
  double stv = 0, stt = 0, svv = 0;
  for (std::size_t k = 0; k < t_axis.size(); ++k) {
    stv += (t_axis[k] - tm) * (var_axis[k] - vm);
    stt += (t_axis[k] - tm) * (t_axis[k] - tm);
    svv += (var_axis[k] - vm) * (var_axis[k] - vm);
  }
  const double slope = stv / stt, r2 = stv * stv / (stt * svv);
  CHECK(slope == Approx(sigma * sigma).epsilon(0.05));
  CHECK(r2 > 0.999);
}

namespace {

/// Employment of the living SMEs, largest first.
std::vector<double> sizes_descending(const ClusterModel& m) {
  std::vector<double> sizes;
  for (std::size_t i = 0; i < m.smes().rows(); ++i)
    if (m.smes().alive(i)) sizes.push_back(static_cast<double>(m.smes().employees[i]));
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  return sizes;
}

/// Hill estimator of the Pareto tail exponent on the largest `share` of firms.
double hill_exponent(const std::vector<double>& descending, double share) {
  const auto k = static_cast<std::size_t>(static_cast<double>(descending.size()) * share);
  double sum = 0;
  for (std::size_t i = 0; i < k; ++i) sum += std::log(descending[i] / descending[k]);
  return static_cast<double>(k) / sum;
}

/// Maximum-likelihood Pareto exponent of the sizes in [lower, upper), for a Pareto law
/// truncated at both ends (Aban, Meerschaert & Panorska 2006). The SME population is truncated
/// at 250 employees by definition, and the Hill estimator ignores the truncation: on an exact
/// Pareto(1.15) sample truncated at 249 it reads ~1.48 on the top 2 %.
double truncated_pareto_exponent(const std::vector<double>& sizes, double lower, double upper) {
  double n = 0, sum_log = 0;
  for (double e : sizes)
    if (e >= lower && e < upper) n += 1, sum_log += std::log(e / lower);
  const double ratio = lower / upper;
  // d log-likelihood / d alpha = n/alpha - sum log(x/L) + n ratio^alpha ln(ratio) / (1 - ratio^alpha),
  // decreasing in alpha: bisection.
  auto score = [&](double a) {
    const double r = std::pow(ratio, a);
    return n / a - sum_log + n * r * std::log(ratio) / (1.0 - r);
  };
  double lo = 0.05, hi = 5.0;
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    (score(mid) > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

TEST_CASE("after burn-in firm sizes have a Pareto tail near Axtell's and Eurostat's size classes", "[validation]") {
  // 100,000 SMEs over 10 years, 2 replicates. The exponent is the truncated-Pareto MLE on the
  // ~8,000 SMEs of 10-249 employees (standard error ~ alpha / sqrt(n) ~ 0.015), so the range
  // 0.9-1.2 around Axtell's 1.06 is many standard errors wide each way. Size-class shares: Eurostat SBS, micro ~93 %,
  // small ~6 %, medium ~1 % of SMEs (DOMAIN.md); with ~100,000 firms their sampling error is
  // below 0.1 point, the tolerances (+-2, +-1.5, +-0.6 points) are what the model is
  // calibrated to, not noise.
  for (const std::uint64_t seed : {9u, 10u}) {
    const auto params = test::params_from(test::kSmallWorld, {"population.smes=100000"});
    ClusterModel m(params);
    m.start_replicate(seed);
    for (int t = 1; t <= 40; ++t) m.step(t);
    const auto sizes = sizes_descending(m);
    const double hill = hill_exponent(sizes, 0.02);
    const double alpha = truncated_pareto_exponent(sizes, 10, 250);
    double micro = 0, small = 0, medium = 0, smes = 0;
    for (double e : sizes) {
      if (e >= 250) continue;  // grown out of the SME class
      smes += 1;
      (e < 10 ? micro : e < 50 ? small : medium) += 1;
    }
    WARN("seed " << seed << ": Pareto exponent of SMEs of 10-249 employees after 10 years (truncated-Pareto MLE) "
                 << alpha << ", Hill on the top 2 % (biased up by the truncation at 250) " << hill
                 << " (Axtell 2001: 1.06); micro " << 100 * micro / smes << " %, small " << 100 * small / smes
                 << " %, medium " << 100 * medium / smes << " % (Eurostat: ~93, 6, 1)");
    CHECK(alpha > 0.9);
    CHECK(alpha < 1.2);
    CHECK(micro / smes == Approx(0.93).margin(0.02));
    CHECK(small / smes == Approx(0.06).margin(0.015));
    CHECK(medium / smes == Approx(0.01).margin(0.006));
  }
}

namespace {

/// log labour productivity (turnover per employee) of each region with SMEs.
std::vector<double> log_regional_productivity(const ClusterModel& m) {
  std::vector<double> y;
  const auto& a = m.aggregates();
  for (std::size_t r = 0; r < a.size(model::kByRegion); ++r) {
    const auto employment = a.value(model::counter("employment"), r);
    const auto turnover = a.value(model::counter("turnover_eur"), r);
    y.push_back(employment > 0 && turnover > 0 ? std::log(static_cast<double>(turnover) / static_cast<double>(employment))
                                               : std::nan(""));
  }
  return y;
}

double eu_log_productivity(const ClusterModel& m) {
  const auto& a = m.aggregates();
  return std::log(static_cast<double>(a.total(model::counter("turnover_eur"))) /
                  static_cast<double>(a.total(model::counter("employment"))));
}

}  // namespace

TEST_CASE("regions converge: beta-convergence of 1-3 %/yr and a productivity trend near 1 %/yr", "[validation]") {
  // Barro & Sala-i-Martin (1991, 1992): beta ~ 2 %/yr; EU regions 1-2 %/yr. SME labour
  // productivity trend ~1 %/yr. 60 regions, 120,000 SMEs, 10 years, 2 replicates. beta is
  // the cross-regional OLS slope b of annual log growth on the initial log level, beta =
  // -ln(1 + b T) / T; with 60 regions its replicate-to-replicate spread is ~0.2 point
  // (docs/MODEL.md 4), so the range 1-3 %/yr tests the mechanism, not the noise. Measured from
  // quarter 1 (quarter 0 has no turnover flow yet).
  for (const std::uint64_t seed : {3u, 4u}) {
    const auto params = test::params_from(test::kSmallWorld, {"population.smes=120000", "population.regions=60"});
    ClusterModel m(params);
    m.start_replicate(seed);
    m.step(1);
    const auto start = log_regional_productivity(m);
    const double eu_start = eu_log_productivity(m);
    for (int t = 2; t <= 41; ++t) m.step(t);
    const auto end = log_regional_productivity(m);
    const double years = 10.0;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (std::size_t r = 0; r < start.size(); ++r) {
      if (!std::isfinite(start[r]) || !std::isfinite(end[r])) continue;
      const double g = (end[r] - start[r]) / years;
      sx += start[r], sy += g, sxx += start[r] * start[r], sxy += start[r] * g, n += 1;
    }
    const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const double beta = -std::log(1.0 + b * years) / years;
    const double trend = (eu_log_productivity(m) - eu_start) / years;
    WARN("seed " << seed << ": beta-convergence " << 100 * beta << " %/yr, EU productivity trend " << 100 * trend
                 << " %/yr");
    CHECK(beta > 0.01);
    CHECK(beta < 0.03);
    CHECK(trend > 0.005);
    CHECK(trend < 0.015);
  }
}

TEST_CASE("innovation persists: last year's innovators innovate again more often", "[validation]") {
  // Peters (2009), Raymond et al. (2010): P(innovate | innovated last year) well above
  // P(innovate | not). 50,000 SMEs after a 2-year burn-in: each probability rests on
  // thousands of firms (standard error < 1 point), so a gap of 5 points is far from noise.
  const auto params = test::params_from(test::kSmallWorld, {"population.smes=50000"});
  ClusterModel m(params);
  m.start_replicate(21);
  auto innovated_last_year = [&] {  // SME id -> innovated in the last 4 quarters
    std::unordered_map<std::uint64_t, bool> out;
    for (std::size_t i = 0; i < m.smes().rows(); ++i)
      if (m.smes().alive(i)) out[m.smes().table.id(i)] = m.smes().quarters_since_innovation[i] < 4;
    return out;
  };
  for (int t = 1; t <= 12; ++t) m.step(t);
  const auto before = innovated_last_year();
  for (int t = 13; t <= 16; ++t) m.step(t);
  const auto after = innovated_last_year();
  double again = 0, innovators = 0, starters = 0, others = 0;
  for (const auto& [id, now] : after) {
    const auto was = before.find(id);
    if (was == before.end()) continue;  // born this year
    if (was->second) innovators += 1, again += now;
    else others += 1, starters += now;
  }
  const double p_again = again / innovators, p_start = starters / others;
  WARN("P(innovate | innovated last year) = " << p_again << ", P(innovate | not) = " << p_start << " (" << innovators
                                             << " and " << others << " SMEs)");
  CHECK(innovators > 1000);
  CHECK(p_again > p_start + 0.05);
}

TEST_CASE("innovation reaches growth with the documented lag: none at once, a peak at three quarters",
          "[validation]") {
  // docs/MODEL.md 3.6: q quarters after an innovation employment growth gains
  // growth.innovation_boost_per_quarter (0.01) x w(q), w(q) = c q rho^q, rho = e^(-1/3), c such
  // that the weights sum to 4: w(0) = 0, w(1) = 0.31, w(3) = 0.48 (the peak), w(8) = 0.18 (Hall,
  // Lotti & Mairesse 2009; Coad & Rao 2008: sales respond to innovation over one to three years).
  // Measured: mean quarterly log employment growth of the SMEs that innovated q quarters ago,
  // minus that of the SMEs innovating in the quarter (the same kind of firm, without the boost).
  // 50,000 SMEs over 24 quarters: ~5,000 SME-quarters per q, growth shocks of s.d. 0.08, so each
  // difference has a standard error of ~0.0017 / sqrt(24 / ...) ~ 0.0008 at most; the tolerance
  // below (0.0015 on 0.0048) is about two of them, and without lags w(0) = 1 reverses the sign.
  auto growth_by_lag = [](const std::vector<std::string>& overrides) {
    ClusterModel m(test::params_from(test::kSmallWorld, with({"population.smes=50000"}, overrides)));
    m.start_replicate(23);
    constexpr std::size_t kLags = 13;
    std::vector<double> sum(kLags, 0.0), n(kLags, 0.0);
    for (int t = 1; t <= 28; ++t) {
      std::unordered_map<std::uint64_t, double> before;  // id -> log employment
      const auto& s = m.smes();
      if (t > 4)  // after a year of burn-in, so that every lag has its innovators
        for (std::size_t i = 0; i < s.rows(); ++i)
          if (s.alive(i)) before[s.table.id(i)] = std::log(static_cast<double>(s.employees[i]));
      m.step(t);
      for (std::size_t i = 0; i < s.rows() && t > 4; ++i) {
        const std::size_t q = s.quarters_since_innovation[i];
        const auto was = before.find(s.table.id(i));
        if (!s.alive(i) || q >= kLags || was == before.end()) continue;
        sum[q] += std::log(static_cast<double>(s.employees[i])) - was->second;
        n[q] += 1;
      }
    }
    std::vector<double> excess(kLags);
    for (std::size_t q = 0; q < kLags; ++q) excess[q] = sum[q] / n[q] - sum[0] / n[0];
    WARN("SME-quarters at lag 0: " << n[0] << ", at lag 3: " << n[3] << ", at lag 12: " << n[12]);
    return excess;
  };
  const double boost = 0.01, rho = std::exp(-1.0 / 3.0), c = 4.0 * (1 - rho) * (1 - rho) / rho;
  auto w = [&](double q) { return c * q * std::pow(rho, q); };
  const auto lagged = growth_by_lag({});
  std::ostringstream shape;
  for (std::size_t q = 1; q < lagged.size(); ++q) shape << " q=" << q << ": " << 1e3 * lagged[q] << " (" << 1e3 * boost * w(static_cast<double>(q)) << ")";
  WARN("growth over that of innovators in the quarter, per mille (expected):" << shape.str());
  const auto peak = std::max_element(lagged.begin() + 1, lagged.begin() + 9) - lagged.begin();
  CHECK(peak >= 2);
  CHECK(peak <= 4);
  CHECK(lagged[1] > 0.5 * boost * w(1));
  CHECK(lagged[3] == Approx(boost * w(3)).margin(0.0015));
  CHECK(lagged[12] < lagged[3] - 0.002);  // the boost fades
  // Without lags the boost is immediate (w = 1 for q < 4, then 0): the innovators of the
  // quarter grow fastest, so every later lag is below them.
  const auto immediate = growth_by_lag({"innovation_lag.enabled=false"});
  WARN("without lags, growth at q = 1, 4, 8 over that at q = 0, per mille: " << 1e3 * immediate[1] << ", "
                                                                            << 1e3 * immediate[4] << ", " << 1e3 * immediate[8]);
  CHECK(std::fabs(immediate[1]) < 0.0015);  // both have the boost
  CHECK(immediate[4] < -0.5 * boost);
  CHECK(immediate[8] < -0.5 * boost);
}
