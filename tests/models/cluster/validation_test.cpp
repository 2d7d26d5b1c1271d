// Validation against known results (docs/MODEL.md, "Validation"): the Bass closed form,
// Gibrat's law, and the heavy tail of firm sizes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

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

TEST_CASE("after burn-in the firm-size distribution is heavy-tailed, with a Pareto exponent near 1", "[validation]") {
  const auto params = test::params_from(test::kSmallWorld, {"population.smes=100000"});
  ClusterModel m(params);
  m.start_replicate(9);
  for (int t = 1; t <= 40; ++t) m.step(t);
  std::vector<double> sizes;
  for (std::size_t i = 0; i < m.smes().rows(); ++i)
    if (m.smes().alive(i)) sizes.push_back(static_cast<double>(m.smes().employees[i]));
  std::sort(sizes.begin(), sizes.end(), std::greater<>());
  // Hill estimator of the tail exponent on the largest 2 % of firms.
  const std::size_t k = sizes.size() / 50;
  double sum = 0;
  for (std::size_t i = 0; i < k; ++i) sum += std::log(sizes[i] / sizes[k]);
  const double alpha = static_cast<double>(k) / sum;
  WARN("Pareto tail exponent (Hill, top 2 %) after 10 years: " << alpha << " (Axtell 2001: ~1.06 for US firms)");
  CHECK(alpha > 0.7);
  CHECK(alpha < 1.6);
}
