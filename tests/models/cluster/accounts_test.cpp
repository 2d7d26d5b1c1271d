// The money accounts of the cluster model (docs/MODEL.md 3.13, "Accounts"): the pass-through
// rule per grant on money actually paid, distinct SMEs per instrument, deadweight, and private
// co-financing paid by the recipients. The every-scenario reconciliation to the cent is in
// instruments_test.cpp.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "model_fixture.hpp"
#include "models/cluster/instruments/instrument.hpp"
#include "models/cluster/instruments/programme.hpp"

using namespace clustersim;
using model::ClusterModel;
namespace in = clustersim::model::instruments;

namespace {

const char* kVouchers = R"(
[[instruments]]
id = "vouchers"
type = "cascade_funding"
budget_eur = 3000000
start_step = 1
end_step = 12
call.steps = [1, 5]
award_quarters = 6
grant_eur = 300000
pass_through_share = 0.8
min_pass_through_share = 0.75
voucher_eur = 10000
purpose = "digital"
)";

std::string world_with(const std::string& instruments) { return std::string(test::kSmallWorld) + "\n" + instruments; }

}  // namespace

TEST_CASE("the pass-through share holds per grant, on money actually paid, every step", "[model]") {
  // Euroclusters: at least 75 % of each grant must reach SMEs. Each award's payments to SMEs
  // and to its cluster are checked after every step, and together they are the instrument's
  // payments (so the per-grant figures are the money actually paid, not a plan).
  static const config::Schema schema = sim::full_schema(model::descriptor());
  for (const char* scenario : {"euroclusters.toml", "reallocation.toml"}) {
    const auto params = model::read(config::load_scenario(
        std::filesystem::path(CLUSTERSIM_SOURCE_DIR) / "scenarios" / scenario, {"run.steps=16"}, schema));
    for (const auto& extra : {std::string(), std::string("vouchers")}) {
      const auto p = extra.empty() ? params : test::params_from(world_with(kVouchers));
      ClusterModel m(p);
      m.start_replicate(5);
      const auto& prog = m.programme();
      std::int64_t grants_checked = 0;
      for (int t = 1; t <= 16; ++t) {
        m.step(t);
        for (std::size_t i = 0; i < prog.size(); ++i) {
          if (prog.instrument(i).common.type != "cascade_funding") continue;
          INFO(scenario << " " << extra << ": " << prog.instrument(i).common.id << " at step " << t);
          std::int64_t to_smes = 0, to_cluster = 0;
          for (const auto& a : prog.awards(i)) {
            // >= 75 % of what the grant has paid went to SMEs: 4 x SMEs >= 3 x (SMEs + cluster).
            CHECK(4 * a.per_sme_paid >= 3 * (a.per_sme_paid + a.overhead_paid));
            CHECK(a.per_sme_paid + a.overhead_paid + in::total(a.remaining) <= a.cost_cents);
            to_smes += a.per_sme_paid;
            to_cluster += a.overhead_paid;
            grants_checked += a.per_sme_paid > 0 ? 1 : 0;
          }
          REQUIRE(to_smes == prog.paid_to(i, in::Recipient::Smes));
          REQUIRE(to_cluster == prog.paid_to(i, in::Recipient::Cluster));
        }
      }
      CHECK(grants_checked > 0);
    }
  }
}

TEST_CASE("distinct SMEs supported count each firm once per instrument", "[model]") {
  // The test keeps its own set of supported SME ids per instrument from the support column;
  // the model's bitset must agree exactly, and the distinct count is below the sum of the
  // quarterly counts once firms are supported twice.
  const auto params = test::params_from(world_with(kVouchers), {"run.steps=12"});
  ClusterModel m(params);
  m.start_replicate(9);
  std::set<std::uint64_t> seen;
  std::int64_t events = 0;
  for (int t = 1; t <= 12; ++t) {
    m.step(t);
    const auto& s = m.smes();
    for (std::size_t r = 0; r < s.rows(); ++r)
      if (s.support[r] != 0 && model::support_instrument(s.support[r]) == 0) seen.insert(s.table.id(r));
    events += m.aggregates().value(model::counter("instrument_smes_supported"), 0);
    INFO("step " << t);
    CHECK(m.offers().distinct_supported(0) == static_cast<std::int64_t>(seen.size()));
  }
  CHECK(seen.size() > 0);
  CHECK(static_cast<std::int64_t>(seen.size()) <= events);
}

TEST_CASE("deadweight: supported SMEs that had already adopted", "[model]") {
  // Digital vouchers: an SME that was a digital adopter before the quarter is deadweight
  // when supported; those that adopt by themselves earlier in the quarter count too.
  const auto params = test::params_from(world_with(kVouchers));
  ClusterModel m(params);
  m.start_replicate(4);
  std::int64_t deadweight = 0, lower = 0;
  for (int t = 1; t <= 12; ++t) {
    std::set<std::uint64_t> adopters;
    for (std::size_t r = 0; r < m.smes().rows(); ++r)
      if (m.smes().alive(r) && (m.smes().flags[r] & model::flag::kDigital)) adopters.insert(m.smes().table.id(r));
    m.step(t);
    std::int64_t known = 0;
    for (std::size_t r = 0; r < m.smes().rows(); ++r)
      if (m.smes().support[r] != 0 && adopters.count(m.smes().table.id(r))) ++known;
    const auto& a = m.aggregates();
    const std::int64_t dw = a.value(model::counter("instrument_deadweight_smes"), 0);
    INFO("step " << t);
    CHECK(dw >= known);
    CHECK(dw <= a.value(model::counter("instrument_smes_supported"), 0));
    deadweight += dw;
    lower += known;
  }
  CHECK(lower > 0);  // the baseline world has digital adopters among the supported
  CHECK(deadweight >= lower);
}

TEST_CASE("private co-financing is paid by the cluster out of its reserves", "[model]") {
  // Core funding with 20 % private co-financing (the spearhead scenario's mix): the clusters
  // pay that fifth from their own budgets, so with the same seeds they end with less than
  // when the programme pays it all — and the co-financing output is the private part.
  const std::string core = R"(
[[instruments]]
id = "core"
type = "cluster_core_funding"
budget_eur = 4000000
start_step = 1
end_step = 12
call.apply_probability = 1.0
award_quarters = 4
grant_eur_per_quarter = 50000
)";
  auto run = [&](const std::string& funding) {
    ClusterModel m(test::params_from(world_with(core + funding)));
    m.start_replicate(3);
    std::int64_t cofinance = 0, private_paid = 0, cluster_paid = 0;
    for (int t = 1; t <= 12; ++t) {
      m.step(t);
      const auto& pay = m.programme().payments(0);
      cofinance += pay.cofinance_step();
      private_paid += pay.paid_step[static_cast<std::size_t>(in::Recipient::Cluster)][in::kPrivate];
      for (auto x : m.clusters().cofinance_paid_cents) cluster_paid += x;
    }
    std::int64_t reserves = 0;
    for (auto b : m.clusters().budget_cents) reserves += b;
    return std::array<std::int64_t, 4>{cofinance, private_paid, cluster_paid, reserves};
  };
  const auto public_only = run("");
  const auto cofinanced = run("funding.eu = 0.8\nfunding.private = 0.2\n");
  CHECK(public_only[0] == 0);
  CHECK(public_only[2] == 0);
  CHECK(cofinanced[0] > 0);
  CHECK(cofinanced[0] == cofinanced[1]);  // all of it was paid to clusters
  CHECK(cofinanced[2] == cofinanced[1]);  // and the clusters paid it
  CHECK(cofinanced[3] < public_only[3]);  // out of their reserves
}

TEST_CASE("the accounts' outputs are bit-identical for 1 and 4 threads", "[model]") {
  // The distinct-SME memory is set with atomic ORs from every thread and deadweight is
  // decided in the SME phase: with vouchers and co-financed core funding running, every
  // output (the new ones included) must not depend on the thread count.
  const auto params = test::params_from(world_with(std::string(kVouchers) + R"(
[[instruments]]
id = "core"
type = "cluster_core_funding"
budget_eur = 2000000
funding.eu = 0.7
funding.private = 0.3
)"), {"population.smes=60000", "exit.base_rate_per_quarter=0.05"});
  const auto one = test::all_frames(params, 1, 10);
  const auto four = test::all_frames(params, 4, 10);
  REQUIRE(one.size() == four.size());
  CHECK(std::memcmp(one.data(), four.data(), one.size() * sizeof(double)) == 0);
}

TEST_CASE("clusters move their fees toward budget balance, within bounds", "[model]") {
  // Every cluster gets core funding; in one run it stops at step 5 (a funding cliff), so
  // income falls below what the clusters spend. With fee adjustment on, the cliff's
  // deficits leave fees higher than without the cliff (same seeds), always within
  // [fee_min_ratio, fee_max_ratio] x the base fee; with it off (the default) every fee stays
  // the base fee. The budget identity holds to the cent throughout.
  auto scenario = [](const std::string& stop) {
    return world_with(R"(
[[instruments]]
id = "core"
type = "cluster_core_funding"
budget_eur = 10000000
start_step = 1
end_step = 12
call.steps = [1]
call.apply_probability = 1.0
award_quarters = 12
grant_eur_per_quarter = 50000
)" + stop);
  };
  struct Fees {
    Money low = std::numeric_limits<Money>::max(), high = 0, total_at_end = 0;
  };
  auto fees = [](const std::string& toml, const std::vector<std::string>& overrides) {
    ClusterModel m(test::params_from(toml, overrides));
    m.start_replicate(6);
    Fees f;
    for (int t = 1; t <= 12; ++t) {
      const auto before = m.clusters().budget_cents;
      m.step(t);
      const auto& c = m.clusters();
      for (std::size_t k = 0; k < c.fee_cents.size(); ++k) {
        REQUIRE(c.budget_cents[k] - before[k] == c.income_cents[k] - c.spending_cents[k]);
        if (!c.active[k]) continue;
        f.low = std::min(f.low, c.fee_cents[k]);
        f.high = std::max(f.high, c.fee_cents[k]);
        if (t == 12) f.total_at_end += c.fee_cents[k];
      }
    }
    return f;
  };
  const auto fixed = fees(scenario("stop_step = 5\n"), {});
  CHECK(fixed.low == 25000);  // EUR 250, the default fee
  CHECK(fixed.high == 25000);
  const std::vector<std::string> adjusting{"clusters.fee_adjustment_per_quarter=0.1", "clusters.fee_max_ratio=1.5"};
  const auto cliff = fees(scenario("stop_step = 5\n"), adjusting);
  const auto steady = fees(scenario(""), adjusting);
  CHECK(cliff.total_at_end > steady.total_at_end);  // the cliff's deficits raised fees
  for (const auto& f : {cliff, steady}) {
    CHECK(f.high <= 37500);  // at most 1.5 x the base fee
    CHECK(f.low >= 12500);   // at least fee_min_ratio (0.5) x it
  }
  CHECK(cliff.high > 25000);
}

TEST_CASE("SMEs pay the private share of a voucher from their own funds, or decline it", "[model]") {
  // Vouchers of EUR 40,000 with half of the money private: an SME pays EUR 20,000 itself.
  // With own funds of a tenth of a quarter's turnover few SMEs can; with ample own funds all
  // that are offered one can. Every SME supported under the tight rule had the own funds
  // (checked on its turnover after the quarter's growth, within 10 %), and the co-financing
  // paid is the private half of what SMEs got.
  const std::string vouchers = R"(
[[instruments]]
id = "vouchers"
type = "cascade_funding"
budget_eur = 8000000
start_step = 1
end_step = 8
call.steps = [1]
award_quarters = 8
grant_eur = 2000000
voucher_eur = 40000
purpose = "digital"
funding.eu = 0.5
funding.private = 0.5
)";
  auto run = [&](const std::string& own_funds, bool check_funds) {
    ClusterModel m(test::params_from(world_with(vouchers), {"cofinance.sme_own_funds_quarters=" + own_funds}));
    m.start_replicate(8);
    std::int64_t supported = 0, cofinance = 0, to_smes = 0;
    for (int t = 1; t <= 8; ++t) {
      m.step(t);
      const auto& s = m.smes();
      for (std::size_t r = 0; r < s.rows() && check_funds; ++r)
        if (s.support[r] != 0) {
          const double own = static_cast<double>(s.employees[r]) * s.productivity_eur_per_year[r] / 4.0 * std::stod(own_funds);
          CHECK(own >= 0.9 * 20000.0);
        }
      supported += m.aggregates().value(model::counter("instrument_smes_supported"), 0);
      const auto& pay = m.programme().payments(0);
      cofinance += pay.paid_step[static_cast<std::size_t>(in::Recipient::Smes)][in::kPrivate];
      to_smes += pay.paid_step_total(in::Recipient::Smes);
    }
    return std::array<std::int64_t, 3>{supported, cofinance, to_smes};
  };
  const auto tight = run("0.1", true);
  const auto ample = run("1000", false);
  CHECK(ample[0] > 0);
  CHECK(tight[0] < ample[0]);  // the co-payment keeps SMEs without the funds out
  for (const auto& r : {tight, ample}) {
    CHECK(r[2] == r[0] * 4000000);             // EUR 40,000 per supported SME
    // Half of it private: each payment splits to within a cent, and there are at most
    // 4 awards x 8 quarters of them.
    CHECK(std::llabs(2 * r[1] - r[2]) <= 2 * 4 * 8);
  }
}

namespace {
/// Per award, after a step: it counted no SME its own money did not pay for. Per-SME types
/// (vouchers, trainings, visits): it paid exactly its SMEs x the unit, from its own money for
/// SMEs; others: its SMEs <= those its payments bought (Instrument::smes_bought). Returns the
/// awards that have run out of money for SMEs (the cap binds on them).
std::int64_t check_awards_paid_their_smes(const in::Programme& prog, std::size_t i) {
  const auto& inst = prog.instrument(i);
  const std::int64_t unit = in::to_cents(inst.per_sme_eur());
  std::int64_t exhausted = 0;
  for (const auto& a : prog.awards(i)) {
    INFO(inst.common.id << ": award of cluster " << a.cluster << " from step " << a.first_step);
    CHECK(a.smes_supported >= 0);
    if (unit > 0) {
      CHECK(a.per_sme_paid == a.smes_supported * unit);
      CHECK(a.per_sme_left >= 0);
      exhausted += a.per_sme_left < unit && a.smes_supported > 0 ? 1 : 0;
    } else {
      CHECK(static_cast<double>(a.smes_supported) <= inst.smes_bought(a) + 1e-9);
    }
  }
  return exhausted;
}
}  // namespace

TEST_CASE("no award counts an SME that its own money did not pay for", "[model]") {
  // The cap on supported SMEs holds per award, not only per instrument: an offer carries its
  // award, and each award takes up at most the SMEs its own money pays for (Euroclusters had
  // paid for about 25 vouchers and counted 29-32 SMEs; staff exchange counted participants it
  // had not paid for). Checked after every step, per award, on the Euroclusters and
  // ClusterXchange files and on tiny vouchers (4 per award over 2 quarters, so that a
  // quarter's claims often exceed an award's money); the awards' counts add up to the
  // instrument's SMEs supported, counted from the SME rows.
  static const config::Schema schema = sim::full_schema(model::descriptor());
  const std::string tiny = R"(
[[instruments]]
id = "tiny_vouchers"
type = "cascade_funding"
budget_eur = 600000
start_step = 1
end_step = 12
call.every_steps = 2
call.apply_probability = 1.0
award_quarters = 2
grant_eur = 50000
pass_through_share = 0.8
voucher_eur = 10000
purpose = "digital"
)";
  const auto scenario = [&](const std::string& file) {
    return model::read(config::load_scenario(std::filesystem::path(CLUSTERSIM_SOURCE_DIR) / "scenarios" / file,
                                             {"run.steps=16"}, schema));
  };
  for (const std::string name : {"euroclusters.toml", "clusterxchange.toml", "tiny"}) {
    ClusterModel m(name == "tiny" ? test::params_from(world_with(tiny), {"run.steps=12"}) : scenario(name));
    m.start_replicate(7);
    const auto& prog = m.programme();
    std::vector<std::int64_t> counted(prog.size(), 0);
    std::int64_t exhausted = 0, supported = 0;
    const int steps = name == "tiny" ? 12 : 16;
    for (int t = 1; t <= steps; ++t) {
      m.step(t);
      INFO(name << " at step " << t);
      exhausted = 0;
      for (std::size_t i = 0; i < prog.size(); ++i) {
        exhausted += check_awards_paid_their_smes(prog, i);
        counted[i] += m.aggregates().value(model::counter("instrument_smes_supported"), i);
        std::int64_t by_awards = 0;
        for (const auto& a : prog.awards(i)) by_awards += a.smes_supported;
        CHECK(by_awards == counted[i]);
        supported += m.aggregates().value(model::counter("instrument_smes_supported"), i);
      }
    }
    INFO(name);
    CHECK(supported > 0);
    // Tiny vouchers run out: the cap binds on some awards.
    if (name == "tiny") CHECK(exhausted > 0);
  }
}

TEST_CASE("I3 partners pay the project's own contribution from their own funds, or decline", "[model]") {
  // I3 funds 70 % of a project (100 % of its support to third parties, DOMAIN.md); the
  // partners pay the rest. With a 70 % rate and no third-party part, each award carries an own
  // contribution of 3/7 of the programme's money, booked as private money the partners
  // brought (Ledger::contributed), paid with every instalment to the participating SMEs: to
  // the cent, the private money paid, committed and returned is what they contributed, and
  // 30 % of what reached SMEs. An SME that cannot pay its part of the project from its own
  // funds declines; the money the programme pays is the same.
  const std::string i3 = R"(
[[instruments]]
id = "i3"
type = "interregional_investment"
budget_eur = 600000
start_step = 1
end_step = 8
call.steps = [1]
call.apply_probability = 1.0
award_quarters = 4
project_min_eur = 100000
project_max_eur = 200000
funding_rate = 0.7
smes_per_project = 10
)";
  auto run = [&](const std::string& own_funds, const std::string& extra) {
    ClusterModel m(test::params_from(world_with(i3 + extra), {"run.steps=8", "cofinance.sme_own_funds_quarters=" + own_funds}));
    m.start_replicate(6);
    const auto& prog = m.programme();
    std::int64_t supported = 0;
    for (int t = 1; t <= 8; ++t) {
      m.step(t);
      INFO("own funds " << own_funds << extra << ", step " << t);
      // A participant pays at least EUR 3,000 (the smallest project, EUR 100,000 with its own
      // part, over 10 firms x 30 %): whoever took part had that much of its own (its turnover
      // is checked after the quarter's growth, within 10 %).
      const auto& s = m.smes();
      for (std::size_t r = 0; r < s.rows() && extra.empty(); ++r)
        if (s.support[r] != 0)
          CHECK(static_cast<double>(s.employees[r]) * s.productivity_eur_per_year[r] / 4.0 * std::stod(own_funds) >=
                0.9 * 3000.0);
      const auto& l = prog.ledger(0);
      std::int64_t own = 0, programme = 0;
      for (const auto& a : prog.awards(0)) {
        own += a.own_cents;
        programme += a.cost_cents - a.own_cents;
        const double expected = extra.empty() ? 0.3 / 0.7 : 0.0;
        CHECK(std::llabs(a.own_cents - std::llround(static_cast<double>(a.cost_cents - a.own_cents) * expected)) == 0);
      }
      CHECK(l.contributed[in::kPrivate] == own);
      CHECK(l.allocated[in::kPrivate] == 0);
      CHECK(l.disbursed[in::kPrivate] + l.committed[in::kPrivate] + l.returned[in::kPrivate] == own);
      // Paid to SMEs: 30 % private (within a cent per payment: one payment a quarter per award).
      const auto& pay = prog.payments(0);
      const auto& to_smes = pay.paid[static_cast<std::size_t>(in::Recipient::Smes)];
      if (extra.empty())
        CHECK(std::llabs(10 * to_smes[in::kPrivate] - 3 * in::total(to_smes)) <=
              10 * static_cast<std::int64_t>(prog.awards(0).size()) * t);
      CHECK(pay.cofinance_step() == pay.paid_step[static_cast<std::size_t>(in::Recipient::Smes)][in::kPrivate]);
      CHECK(in::total(to_smes) == in::total(l.disbursed));
      supported += m.aggregates().value(model::counter("instrument_smes_supported"), 0);
      if (t == 1) CHECK(prog.awards(0).size() > 0);
    }
    return std::pair<std::int64_t, std::int64_t>{supported, in::total(prog.ledger(0).disbursed)};
  };
  const auto ample = run("1000", "");
  const auto poor = run("0.0005", "");
  const auto some = run("0.05", "");  // some firms have the funds, others decline
  CHECK(some.first > poor.first);
  CHECK(some.first < ample.first);
  const auto no_own = run("0.0005", "\nthird_party_share = 1.0\n");  // all support to third parties: 100 %
  WARN("I3 SMEs supported: ample own funds " << ample.first << ", some " << some.first << ", scarce " << poor.first
                                               << ", no own part "
                                               << no_own.first);
  CHECK(ample.first > 0);
  CHECK(poor.first < ample.first);   // partners without the funds decline their part
  CHECK(no_own.first > poor.first);  // with nothing to co-pay, nobody declines for lack of funds
  CHECK(ample.second > 0);
}
