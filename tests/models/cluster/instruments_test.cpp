// Policy instruments: the shared framework (exact money, eligibility, selection), each
// type's accounting, and the direction of their effects with the same seeds as the baseline.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>

#include "engine/core/error.hpp"
#include "engine/parallel/blocks.hpp"
#include "engine/random/stream.hpp"
#include "../../test_paths.hpp"
#include "model_fixture.hpp"
#include "models/cluster/instruments/instrument.hpp"
#include "models/cluster/model.hpp"

using namespace clustersim;
using model::Aggregates;
using model::ClusterModel;
namespace in = clustersim::model::instruments;

namespace {

std::string with(const std::string& instruments, const std::string& world = test::kSmallWorld) {
  return world + "\n" + instruments;
}

/// Runs `steps` quarters and returns the model (for its aggregates and programme).
std::unique_ptr<ClusterModel> run(const model::Params& params, int steps, std::uint64_t seed = 7) {
  auto m = std::make_unique<ClusterModel>(params);
  m->start_replicate(seed);
  for (int t = 1; t <= steps; ++t) m->step(t);
  return m;
}

std::int64_t cumulative(const model::Params& params, int steps, std::size_t slot) {
  ClusterModel m(params);
  m.start_replicate(7);
  std::int64_t sum = 0;
  for (int t = 1; t <= steps; ++t) {
    m.step(t);
    sum += m.aggregates().total(slot);
  }
  return sum;
}

const char* kAllTypes = R"(
[[instruments]]
id = "core"
type = "cluster_core_funding"
budget_eur = 2000000
funding.eu = 0.5
funding.national = 0.25
funding.regional = 0.25
[[instruments]]
id = "excellence"
type = "cluster_excellence"
budget_eur = 300000
[[instruments]]
id = "vouchers"
type = "cascade_funding"
budget_eur = 1000000
voucher_eur = 3333.33
funding.eu = 0.6
funding.private = 0.4
cofinancing.eu_rate_less_developed = 0.85
[[instruments]]
id = "i3"
type = "interregional_investment"
budget_eur = 500000
project_min_eur = 20000
project_max_eur = 80000
third_party_share = 0.3
award_quarters = 8
[[instruments]]
id = "i3_capacity"
type = "interregional_investment"
strand = "capacity_building"
budget_eur = 200000
project_min_eur = 20000
project_max_eur = 40000
[[instruments]]
id = "intercluster"
type = "intercluster_call"
budget_eur = 6000000
[[instruments]]
id = "intl"
type = "internationalisation"
budget_eur = 400000
[[instruments]]
id = "xchange"
type = "staff_exchange"
budget_eur = 1000000
disbursement_lag_steps = 1
[[instruments]]
id = "taf"
type = "technical_assistance"
budget_eur = 100000
[[instruments]]
id = "meta"
type = "metacluster_support"
budget_eur = 2000000
stop_step = 7
[[instruments]]
id = "skills"
type = "skills"
budget_eur = 300000
ramp_steps = 4
)";

}  // namespace

TEST_CASE("money splits by source to the cent and the ledger always balances", "[unit]") {
  const std::array<double, in::kSourceCount> shares{0.5, 0.3, 0.2, 0.0};
  for (std::int64_t cents : {0LL, 1LL, 7LL, 100001LL, 123456789LL}) {
    const auto parts = in::split(cents, shares);
    CHECK(in::total(parts) == cents);
    CHECK(parts[in::kPrivate] == 0);
  }
  const in::Cents from{333, 0, 667, 1};
  for (std::int64_t cents : {0LL, 1LL, 500LL, 1001LL}) {
    const auto taken = in::take_proportional(cents, from);
    CHECK(in::total(taken) == cents);
    for (std::size_t s = 0; s < in::kSourceCount; ++s) CHECK(taken[s] <= from[s]);
  }
  in::Ledger l;
  l.allocate(in::split(1000000, shares));
  l.commit(in::split(400000, shares));
  l.pay(in::take_proportional(150000, l.committed));
  l.cancel(in::take_proportional(50000, l.committed));
  l.close();
  CHECK(l.balanced());
  CHECK(in::total(l.disbursed) == 150000);
  CHECK(in::total(l.committed) == 200000);
  CHECK(in::total(l.returned) == 650000);
}

TEST_CASE("the aggregates a step keeps as it goes equal a full recount", "[model]") {
  // step() sums each row once it is final and corrects the rows that tie requests change
  // afterwards (model.cpp, "Aggregation"); a recount of the whole table must agree exactly,
  // with every instrument type on, ties forming and ending, SMEs exiting and entering.
  const auto params = test::params_from(with(kAllTypes), {"exit.base_rate_per_quarter=0.04",
                                                         "partnership.rate_per_quarter=0.2",
                                                         "partnership.dissolve_rate_per_quarter=0.2"});
  for (std::size_t threads : {1u, 3u}) {
    parallel::ThreadLimit limit(threads);
    ClusterModel m(params);
    m.start_replicate(11);
    std::int64_t ties_formed = 0, supported = 0;
    for (int t = 1; t <= 10; ++t) {
      m.step(t);
      INFO("step " << t << ", " << threads << " threads");
      const Aggregates kept = m.aggregates(), counted = m.count_aggregates();
      // Every counter of every group (aggregation.hpp, kCounters), exactly.
      CHECK(kept.sums == counted.sums);
      // The stored selection scores, which the counters and membership read, are those of
      // the rows as they are now (selection.hpp, update_score).
      const model::Smes& smes = m.smes();
      const model::SelectionWeights w = model::selection_weights(m.params(), m.world().cluster_start.data());
      std::size_t stale = 0, scored_rows = 0;
      for (std::size_t i = 0; i < smes.rows(); ++i) {
        if (!smes.alive(i)) continue;
        scored_rows += model::scored(smes, i, w) ? 1 : 0;
        stale += smes.score[i] != (model::scored(smes, i, w) ? model::selection_score(smes, i, w) : 0.0f) ? 1 : 0;
      }
      CHECK(stale == 0);
      CHECK(scored_rows > 0);
      ties_formed += kept.total(model::counter("partnerships_concluded"));
      supported += kept.total(model::counter("smes_supported"));
    }
    // The corrections were exercised: ties formed (and supported SMEs among them).
    CHECK(ties_formed > 100);
    CHECK(supported > 100);
  }
}

TEST_CASE("every instrument type keeps its ledger exact at every step", "[model]") {
  const auto params = test::params_from(with(kAllTypes));
  ClusterModel m(params);
  m.start_replicate(5);
  const auto& prog = m.programme();
  REQUIRE(prog.size() == 11);
  std::vector<in::Cents> paid(prog.size(), in::Cents{});
  std::vector<std::int64_t> awards(prog.size(), 0);
  for (int t = 1; t <= 12; ++t) {
    m.step(t);
    for (std::size_t i = 0; i < prog.size(); ++i) {
      INFO(prog.instrument(i).common.id << " at step " << t);
      const auto& l = prog.ledger(i);
      REQUIRE(l.balanced());
      CHECK(in::total(l.allocated) <= in::to_cents(prog.instrument(i).common.budget_eur));
      for (std::size_t s = 0; s < in::kSourceCount; ++s) {
        paid[i][s] += prog.spent_this_step(i)[s];
        CHECK(paid[i][s] == l.disbursed[s]);
        CHECK(l.allocated[s] + l.contributed[s] == l.disbursed[s] + l.committed[s] + l.unspent(s));
        if (s != in::kPrivate) CHECK(l.contributed[s] == 0);  // own contributions are private money
      }
      awards[i] += prog.counts(i).awards;
    }
  }
  for (std::size_t i = 0; i < prog.size(); ++i) {
    INFO(prog.instrument(i).common.id);
    CHECK(awards[i] > 0);
    CHECK(in::total(prog.ledger(i).disbursed) > 0);
  }
  // The funding cliff (meta, stop_step = 7): everything left has returned, nothing is owed.
  CHECK(in::total(prog.ledger(9).committed) == 0);
  CHECK(in::total(prog.ledger(9).available) == 0);
  // Only private and EU money funds the vouchers, in their shares.
  CHECK(prog.ledger(2).allocated[in::kNational] == 0);
}

TEST_CASE("instruments keep the output bit-identical for 1 and 4 threads", "[model]") {
  const auto params = test::params_from(with(kAllTypes), {"population.smes=60000"});
  auto frames = [&](std::size_t threads) {
    parallel::ThreadLimit limit(threads);
    ClusterModel m(params);
    record::Layout layout;
    m.describe(layout);
    layout.dims.push_back({"replicate", 1});
    layout.dims.push_back({"step", 9});
    record::Frame frame(layout);
    std::vector<double> all;
    m.start_replicate(9);
    for (int t = 1; t <= 8; ++t) {
      m.step(t);
      frame.clear();
      m.observe(frame);
      for (std::size_t k = 0; k < frame.size(); ++k) all.insert(all.end(), frame[k].begin(), frame[k].end());
    }
    return all;
  };
  const auto one = frames(1), four = frames(4);
  REQUIRE(one.size() == four.size());
  CHECK(std::memcmp(one.data(), four.data(), one.size() * sizeof(double)) == 0);
}

TEST_CASE("eligibility: only clusters of the listed region apply", "[model]") {
  const auto base = test::params_from(test::kSmallWorld);
  const ClusterModel world_only(base);
  const auto& w = world_only.world();
  const std::string code = w.regions[w.clusters[0].region].code;
  std::int64_t in_region = 0;
  for (const auto& c : w.clusters) in_region += w.regions[c.region].code == code ? 1 : 0;
  const auto params = test::params_from(with(R"(
[[instruments]]
id = "ex"
type = "cluster_excellence"
budget_eur = 10000000
call.apply_probability = 1.0
eligible.regions = [")" + code + R"("]
)"));
  auto m = run(params, 1);
  CHECK(m->programme().counts(0).applications == in_region);
  CHECK(m->programme().counts(0).awards == in_region);
  CHECK(m->programme().counts(0).clusters_trained == in_region);
}

TEST_CASE("selection: awards are bounded by call.max_awards and by the money available", "[model]") {
  auto awards = [](const std::string& extra) {
    const auto params = test::params_from(with(R"(
[[instruments]]
id = "ex"
type = "cluster_excellence"
call.apply_probability = 1.0
grant_eur = 50000
)" + extra));
    return run(params, 1)->programme().counts(0);
  };
  // One call a year over 40 quarters: the first year's tranche is a tenth of the budget.
  CHECK(awards("budget_eur = 1000000\n").awards == 2);
  CHECK(awards("budget_eur = 100000000\ncall.max_awards = 3\n").awards == 3);
  const auto all = awards("budget_eur = 100000000\n");
  CHECK(all.awards == all.applications);
  CHECK(all.applications == 6);
}

TEST_CASE("cascade funding enforces its minimum pass-through share", "[unit]") {
  CHECK_THROWS_WITH(test::params_from(with(R"(
[[instruments]]
id = "v"
type = "cascade_funding"
pass_through_share = 0.6
)")),
                    Catch::Contains("instruments[v].pass_through_share: must be >= min_pass_through_share (0.75"));
}

TEST_CASE("an eligibility list naming a region that does not exist is a scenario error", "[unit]") {
  // Refused when the scenario is loaded (check and run alike), with the nearest code.
  CHECK_THROWS_WITH(test::params_from(with(R"(
[[instruments]]
id = "v"
type = "cluster_core_funding"
eligible.regions = ["XX99"]
)")),
                    Catch::Contains("instruments[v].eligible.regions: no region 'XX99' in this world; did you mean"));
}

TEST_CASE("digital vouchers raise digital adoption among eligible SMEs, with the same seeds", "[model][validation]") {
  const std::string vouchers = R"(
[[instruments]]
id = "digital"
type = "cascade_funding"
budget_eur = 20000000
call.apply_probability = 1.0
grant_eur = 400000
voucher_eur = 2000
purpose = "digital"
voucher_effect = 0.8
)";
  const auto with_vouchers = run(test::params_from(with(vouchers)), 8);
  const auto without = run(test::params_from(test::kSmallWorld), 8);
  // Eligible SMEs are those of the clusters' regions; the vouchers go to them only.
  std::int64_t eligible_with = 0, eligible_without = 0, elsewhere_with = 0, elsewhere_without = 0;
  const auto& w = without->world();
  std::vector<bool> cluster_region(w.regions.size(), false);
  for (const auto& c : w.clusters) cluster_region[c.region] = true;
  for (std::size_t r = 0; r < w.regions.size(); ++r) {
    const auto a = with_vouchers->aggregates().value(model::counter("digital_adopters"), r);
    const auto b = without->aggregates().value(model::counter("digital_adopters"), r);
    (cluster_region[r] ? eligible_with : elsewhere_with) += a;
    (cluster_region[r] ? eligible_without : elsewhere_without) += b;
  }
  CHECK(with_vouchers->aggregates().total(model::counter("smes_supported_digitalisation")) > 0);
  CHECK(eligible_with > eligible_without + 100);
  CHECK(elsewhere_with == Approx(elsewhere_without).epsilon(0.01));
}

TEST_CASE("staff exchange raises cross-region partnerships, with the same seeds", "[model][validation]") {
  const std::string exchange = R"(
[[instruments]]
id = "xchange"
type = "staff_exchange"
budget_eur = 4000000
call.apply_probability = 1.0
exchanges_per_award = 100
tie_probability = 0.8
)";
  const auto with_exchange = cumulative(test::params_from(with(exchange)), 8, model::counter("partnerships_cross_region"));
  const auto without = cumulative(test::params_from(test::kSmallWorld), 8, model::counter("partnerships_cross_region"));
  CHECK(with_exchange > without);
  CHECK(cumulative(test::params_from(with(exchange)), 8, model::counter("mobility_participants")) > 0);
}

TEST_CASE("a funding cliff lowers cluster membership after the stop", "[model][validation]") {
  auto members_at = [](const std::string& stop, int steps) {
    const auto params = test::params_from(with(R"(
[clusters]
public_funding_eur_per_quarter = 20000
[[instruments]]
id = "core"
type = "cluster_core_funding"
budget_eur = 100000000
call.apply_probability = 1.0
grant_eur_per_quarter = 30000
)" + stop),
                                          {"population.smes=60000"});
    return run(params, steps, 3)->aggregates().total(model::counter("cluster_member_smes"));
  };
  const auto cliff = members_at("stop_step = 9\n", 24), steady = members_at("", 24);
  CHECK(cliff < steady);
  // Before the stop both runs are the same run.
  CHECK(members_at("stop_step = 9\n", 8) == members_at("", 8));
}

TEST_CASE("technical assistance coaches member SMEs: they count as mentoring participants", "[model]") {
  const auto params = test::params_from(with(R"(
[[instruments]]
id = "taf"
type = "technical_assistance"
budget_eur = 300000
sme_hours_share = 0.8
)"));
  ClusterModel m(params);
  m.start_replicate(3);
  std::int64_t mentored = 0;
  for (int t = 1; t <= 8; ++t) {
    m.step(t);
    const auto& a = m.aggregates();
    // The instrument's own count agrees with the regional one.
    CHECK(a.value(model::counter("instrument_mentoring_participants"), 0) == a.total(model::counter("mentoring_participants")));
    mentored += a.total(model::counter("mentoring_participants"));
  }
  CHECK(mentored > 0);
  // Without the instrument nobody is mentored.
  CHECK(cumulative(test::params_from(test::kSmallWorld), 8, model::counter("mentoring_participants")) == 0);
}

TEST_CASE("every scenario file: instrument money reconciles with what recipients got, to the cent, every step",
          "[model]") {
  // The accounts, in whole cents, every step of every shipped scenario:
  // - by instrument and source: disbursed = paid to clusters + SMEs + providers, and this
  //   quarter's payments by recipient add up to what it spent this quarter;
  // - what instruments paid clusters this quarter = what the clusters booked (instrument
  //   income and meta-cluster seed money), to the cent;
  // - the private co-financing of that money (and of money paid to providers for clusters)
  //   = what the clusters paid from their own resources;
  // - every cluster's budget change = income - spending, and no overdraft;
  // - per-SME money (vouchers, trainings, visits) = SMEs supported x the unit;
  // - what SMEs got for vouchers and trainings is at least the programme's pass-through
  //   share of what the instrument paid to clusters and SMEs together.
  static const config::Schema schema = sim::full_schema(model::descriptor());
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(CLUSTERSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    const auto params = model::read(config::load_scenario(entry.path(), {"run.steps=16"}, schema));
    ClusterModel m(params);
    m.start_replicate(2);
    const auto& prog = m.programme();
    ++files;
    for (int t = 1; t <= 16; ++t) {
      const auto budget_before = m.clusters().budget_cents;
      m.step(t);
      INFO(entry.path().filename().string() << " at step " << t);
      std::int64_t paid_to_clusters = 0, cofinance_of_clusters = 0;
      for (std::size_t i = 0; i < prog.size(); ++i) {
        INFO(prog.instrument(i).common.id);
        const auto& pay = prog.payments(i);
        for (std::size_t s = 0; s < in::kSourceCount; ++s) {
          std::int64_t received = 0, received_now = 0;
          for (std::size_t r = 0; r < in::Payments::kRecipients; ++r) {
            received += pay.paid[r][s];
            received_now += pay.paid_step[r][s];
          }
          REQUIRE(received == prog.ledger(i).disbursed[s]);
          REQUIRE(received_now == prog.spent_this_step(i)[s]);
        }
        paid_to_clusters += pay.paid_step_total(in::Recipient::Cluster);
        for (auto r : {in::Recipient::Cluster, in::Recipient::Providers})
          cofinance_of_clusters += pay.paid_step[static_cast<std::size_t>(r)][in::kPrivate];
        const auto& inst = prog.instrument(i);
        // Per award: no SME counted that its own money did not pay for (accounts_test.cpp).
        for (const auto& a : prog.awards(i)) {
          if (inst.per_sme_eur() > 0)
            REQUIRE(a.per_sme_paid == a.smes_supported * in::to_cents(inst.per_sme_eur()));
          else
            REQUIRE(static_cast<double>(a.smes_supported) <= inst.smes_bought(a) + 1e-9);
        }
        if (inst.per_sme_eur() > 0 && inst.instalment_recipient() != in::Recipient::Smes) {
          const std::int64_t supported = m.aggregates().value(model::counter("instrument_smes_supported"), i);
          CHECK(pay.paid_step_total(in::Recipient::Smes) == supported * in::to_cents(inst.per_sme_eur()));
        }
        const auto& type = inst.common.type;
        if (type == "cascade_funding" || type == "skills") {
          const double to_smes = static_cast<double>(prog.paid_to(i, in::Recipient::Smes));
          const double to_both = to_smes + static_cast<double>(prog.paid_to(i, in::Recipient::Cluster));
          const double share = type == "skills" ? 0.9 : 0.75;  // the shipped files' pass-through rules
          CHECK(to_smes >= share * to_both - 1.0);
        }
      }
      const auto& c = m.clusters();
      std::int64_t booked = 0, cofinanced = 0;
      for (std::size_t k = 0; k < c.budget_cents.size(); ++k) {
        booked += c.instrument_income_cents[k] + c.seed_received_cents[k];
        cofinanced += c.cofinance_paid_cents[k];
        REQUIRE(c.budget_cents[k] - budget_before[k] == c.income_cents[k] - c.spending_cents[k]);
        REQUIRE(c.budget_cents[k] >= 0);
        REQUIRE(c.cofinance_paid_cents[k] <= c.spending_cents[k]);
      }
      REQUIRE(booked == paid_to_clusters);
      // Private co-financing of money paid to clusters or to providers for them: paid by the
      // clusters, from their own resources.
      REQUIRE(cofinanced == cofinance_of_clusters);
    }
  }
  CHECK(files >= 10);
}
