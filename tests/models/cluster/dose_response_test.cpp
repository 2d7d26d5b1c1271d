// Dose-response of every instrument type (docs/MODEL.md 3.13, "Money to effect"): with the
// budget and the unit size (grant, voucher, project, seed) at 0, 1/4, 1 and 4 times a
// reference, over paired replicates (the same seeds at every level), the type's target
// indicator rises strictly with the money, and the gain per euro falls as the money grows.
// Two money levels with identical output fail.
#include <catch2/catch.hpp>

#include <array>
#include <vector>
#include <cmath>
#include <functional>
#include <sstream>
#include <string>

#include "model_fixture.hpp"
#include "models/cluster/model.hpp"

using namespace clustersim;
using model::Aggregates;
using model::ClusterModel;

namespace {

constexpr std::array<double, 4> kLevels{0.0, 0.25, 1.0, 4.0};
constexpr std::array<std::uint64_t, 2> kSeeds{3, 17};
constexpr int kSteps = 8;

/// The indicator a run adds up: called after every step.
using Indicator = std::function<double(const ClusterModel&, int step)>;

std::string number(double x) {
  std::ostringstream o;
  o.precision(17);
  o << x;
  return o.str();
}

/// `block` with @BUDGET@ and @UNIT@ replaced by budget x level and unit x level, and @GRANT@
/// by 100 units (an award of 100 vouchers or actions at any level: the money per firm grows).
/// Units stay at the reference when the level is 0: no money, no award, whatever its size.
std::string instrument_at(std::string block, double level, double budget, double unit) {
  auto replace = [&](const std::string& key, double value) {
    for (auto at = block.find(key); at != std::string::npos; at = block.find(key)) block.replace(at, key.size(), number(value));
  };
  replace("@BUDGET@", budget * level);
  replace("@GRANT@", unit * 100.0 * (level > 0 ? level : 1.0));  // an award buys 100 units (vouchers, actions)
  replace("@UNIT@", unit * (level > 0 ? level : 1.0));
  return block;
}

/// The indicator summed over paired replicates, for each money level.
std::array<double, 4> responses(const std::string& block, double budget, double unit, const Indicator& indicator,
                                const std::string& world = test::kSmallWorld,
                                const std::vector<std::uint64_t>& seeds = {kSeeds.begin(), kSeeds.end()}) {
  std::array<double, 4> out{};
  for (std::size_t l = 0; l < kLevels.size(); ++l) {
    const auto params = test::params_from(world + "\n" + instrument_at(block, kLevels[l], budget, unit));
    for (std::uint64_t seed : seeds) {
      ClusterModel m(params);
      m.start_replicate(seed);
      for (int t = 1; t <= kSteps; ++t) {
        m.step(t);
        out[l] += indicator(m, t);
      }
    }
  }
  return out;
}

/// Strictly rising with money; the gain over no money per unit of money falls.
void check_dose_response(const std::string& name, const std::array<double, 4>& r) {
  INFO(name << ": responses at 0, 1/4, 1, 4 x reference: " << number(r[0]) << ", " << number(r[1]) << ", "
            << number(r[2]) << ", " << number(r[3]));
  for (std::size_t l = 1; l < r.size(); ++l) CHECK(r[l] > r[l - 1]);
  for (std::size_t l = 2; l < r.size(); ++l)
    CHECK((r[l] - r[0]) / kLevels[l] < (r[l - 1] - r[0]) / kLevels[l - 1]);
}

double last_step_only(int step, double value) { return step == kSteps ? value : 0.0; }

double sum_smes(const ClusterModel& m, const std::function<double(std::size_t)>& of) {
  const auto& s = m.smes();
  double sum = 0;
  for (std::size_t i = 0; i < s.table.size(); ++i)
    if (s.alive(i)) sum += of(i);
  return sum;
}

}  // namespace

TEST_CASE("dose-response: core funding raises cluster services and membership", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "cluster_core_funding"
budget_eur = @BUDGET@
end_step = 8
grant_eur_per_quarter = @UNIT@
call.apply_probability = 1.0
)",
                           3e6, 25000, [](const ClusterModel& m, int) {
                             double effects = 0;
                             for (const auto& e : m.clusters().effects)
                               for (float f : e) effects += f;
                             return effects;
                           });
  check_dose_response("core funding: service effects", r);
}

TEST_CASE("dose-response: excellence grants raise managers' skills", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "cluster_excellence"
budget_eur = @BUDGET@
end_step = 8
grant_eur = @UNIT@
call.apply_probability = 1.0
)",
                           3e6, 50000, [](const ClusterModel& m, int t) {
                             double skill = 0;
                             for (double s : m.clusters().manager_skill) skill += s;
                             return last_step_only(t, skill);
                           });
  check_dose_response("excellence: manager skill", r);
}

TEST_CASE("dose-response: digital vouchers raise digital adoption", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "cascade_funding"
budget_eur = @BUDGET@
end_step = 8
grant_eur = @GRANT@
voucher_eur = @UNIT@
purpose = "digital"
call.apply_probability = 1.0
)",
                           3e6, 2000, [](const ClusterModel& m, int t) {
                             return last_step_only(t, static_cast<double>(m.aggregates().total(model::counter("digital_adopters"))));
                           },
                           // A voucher's strength rises 3.6-fold from 1/4 to 1 x the reference (saturation,
                           // docs/MODEL.md 3.13), close to the 4-fold of constant returns: six seeds, so that
                           // the ~30 adopters the smallest dose buys are not within noise of that margin.
                           test::kSmallWorld, {3, 17, 29, 41, 53, 67});
  check_dose_response("vouchers: digital adopters", r);
}

TEST_CASE("dose-response: interregional investment raises participants' knowledge", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "interregional_investment"
budget_eur = @BUDGET@
end_step = 8
project_min_eur = @UNIT@
project_max_eur = @UNIT@
investment_eur_half = 20000
failure_hazard_per_quarter = 0
max_delay_quarters = 0
call.apply_probability = 1.0
award_quarters = 4
)",
                           4e6, 200000, [](const ClusterModel& m, int t) {
                             return last_step_only(t, static_cast<double>(m.aggregates().total(model::counter("knowledge_micro"))));
                           });
  check_dose_response("interregional: knowledge", r);
}

TEST_CASE("dose-response: inter-cluster projects raise participants' knowledge", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "intercluster_call"
budget_eur = @BUDGET@
end_step = 8
project_eur = @UNIT@
failure_hazard_per_quarter = 0
max_delay_quarters = 0
call.apply_probability = 1.0
)",
                           4e6, 200000, [](const ClusterModel& m, int t) {
                             return last_step_only(t, static_cast<double>(m.aggregates().total(model::counter("knowledge_micro"))));
                           });
  check_dose_response("inter-cluster: knowledge", r);
}

TEST_CASE("dose-response: internationalisation grants raise exporters and agreements", "[validation]") {
  const std::string block = R"(
[[instruments]]
id = "x"
type = "internationalisation"
budget_eur = @BUDGET@
end_step = 8
grant_eur = @GRANT@
action_eur = @UNIT@
call.apply_probability = 1.0
)";
  const auto exporters = responses(block, 4e6, 10000, [](const ClusterModel& m, int t) {
    return last_step_only(t, static_cast<double>(m.aggregates().total(model::counter("smes_exporting"))));
  });
  check_dose_response("internationalisation: exporters", exporters);
  // More money at the same action cost buys more actions, hence more agreements.
  const std::string more_actions = R"(
[[instruments]]
id = "x"
type = "internationalisation"
budget_eur = @BUDGET@
end_step = 8
grant_eur = @UNIT@
call.apply_probability = 1.0
)";
  const auto agreements = responses(more_actions, 4e6, 100000, [](const ClusterModel& m, int) {
    return static_cast<double>(m.programme().size() ? m.programme().counts(0).agreements : 0);
  });
  INFO("agreements " << agreements[0] << " " << agreements[1] << " " << agreements[2] << " " << agreements[3]);
  CHECK(agreements[0] == 0);
  CHECK(agreements[1] < agreements[2]);
  CHECK(agreements[2] < agreements[3]);
}

TEST_CASE("dose-response: staff exchange raises cross-region partnerships", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "staff_exchange"
budget_eur = @BUDGET@
end_step = 8
exchange_eur = @UNIT@
exchanges_per_award = 40
call.apply_probability = 1.0
)",
                           1e6, 780, [](const ClusterModel& m, int t) {  // ClusterXchange: EUR 780 for 5 days
                             return last_step_only(t, static_cast<double>(m.aggregates().total(model::counter("partnerships_cross_region"))));
                           });
  check_dose_response("staff exchange: cross-region ties", r);
}

TEST_CASE("dose-response: technical assistance raises consortium readiness", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "technical_assistance"
budget_eur = @BUDGET@
end_step = 8
grant_eur = @UNIT@
call.apply_probability = 1.0
)",
                           4e6, 30000, [](const ClusterModel& m, int t) {
                             double readiness = 0;
                             for (std::size_t k = 0; k < m.programme().project_maturity().size(); ++k)
                               readiness += m.programme().project_maturity()[k] + m.programme().commercial_skills()[k];
                             return last_step_only(t, readiness);
                           });
  check_dose_response("technical assistance: readiness", r);
}

TEST_CASE("dose-response: meta-cluster seed money raises meta-cluster engagement", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "metacluster_support"
budget_eur = @BUDGET@
end_step = 8
seed_eur = @UNIT@
call.apply_probability = 1.0
award_quarters = 4
)",
                           5e5, 25000,  // a reference where money binds: above ~2e6 every candidate pair of this world has formed
                           [](const ClusterModel& m, int) {
                             double engagement = 0;
                             for (double e : m.metaclusters().engagement) engagement += e;
                             return engagement;
                           },
                           std::string(test::kSmallWorld) + "[metacluster]\nformation_rate_per_quarter = 0.05\n",
                           // Six seeds: the response is a few formation events (Bernoulli draws of a
                           // 6-cluster world), and the smallest dose's seed (~6,000 EUR per award) raises
                           // the hazard and lifts the clusters just below the spare-reserves threshold
                           // (30,000) over it only now and then. With seeds 3 and 17 alone no meta-cluster
                           // formed at 1/4 x the reference once the merges of issues 11-13 (cents and
                           // co-financing, awards, markets and selection, recalibrated entry) changed the
                           // paths, though over 6 and 12 seeds the response at 1/4 is 3.1x and 2.7x that at
                           // no money (docs/MODEL.md 3.13, the dose-response table).
                           {3, 17, 29, 41, 53, 67});
  check_dose_response("meta-cluster support: engagement", r);
}

TEST_CASE("dose-response: skills training raises SMEs' skills", "[validation]") {
  const auto r = responses(R"(
[[instruments]]
id = "x"
type = "skills"
budget_eur = @BUDGET@
end_step = 8
grant_eur = @UNIT@
training_eur_per_sme = 1000
call.apply_probability = 1.0
)",
                           1.5e6, 100000, [](const ClusterModel& m, int t) {
                             if (t != kSteps) return 0.0;
                             return sum_smes(m, [&](std::size_t i) { return static_cast<double>(m.smes().skills[i]); });
                           });
  check_dose_response("skills: SME skills", r);
}
