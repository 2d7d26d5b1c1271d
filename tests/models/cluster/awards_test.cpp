// Awards over time (issue 11, item 4): multi-year awards up to the whole horizon, a fixed
// number of award slots, and renewal only where the programme renews
// (renewal.max_renewals; docs/MODEL.md 3.13, "Awards").
#include <catch2/catch.hpp>

#include <numeric>
#include <string>

#include "model_fixture.hpp"
#include "models/cluster/instruments/instrument.hpp"
#include "models/cluster/model.hpp"

using namespace clustersim;
namespace in = clustersim::model::instruments;

namespace {

/// Per step of a run: awards made, renewals, awards held (not ended) and EUR paid to clusters.
struct History {
  std::vector<std::int64_t> awards, renewals, held, paid_to_clusters_cents;
  std::int64_t total_awards() const { return std::accumulate(awards.begin(), awards.end(), std::int64_t{0}); }
  std::int64_t total_renewals() const { return std::accumulate(renewals.begin(), renewals.end(), std::int64_t{0}); }
};

History run(const std::string& instrument, int steps = 12) {
  const auto params = test::params_from(std::string(test::kSmallWorld) + "\n" + instrument);
  model::ClusterModel m(params);
  m.start_replicate(7);
  History h;
  for (int t = 1; t <= steps; ++t) {
    m.step(t);
    const auto& p = m.programme();
    h.awards.push_back(p.counts(0).awards);
    h.renewals.push_back(p.counts(0).renewals);
    h.held.push_back(p.held(0));
    h.paid_to_clusters_cents.push_back(p.paid_to(0, in::Recipient::Cluster));
  }
  return h;
}

/// Core funding of EUR 10,000 a quarter for every cluster that applies (all do).
std::string core(const std::string& extra, const std::string& budget_eur = "100000000") {
  return R"(
[[instruments]]
id = "core"
type = "cluster_core_funding"
budget_eur = )" + budget_eur + R"(
start_step = 1
end_step = 12
call.apply_probability = 1.0
grant_eur_per_quarter = 10000
)" + extra;
}

}  // namespace

TEST_CASE("a multi-year award pays every quarter of its term from one call, without re-awards", "[model]") {
  // Ten-year commitments (Flanders' spearhead clusters) in a 12-quarter run: one award per
  // cluster at the first call, none later although calls come every 4 quarters.
  const auto h = run(core("award_quarters = 40\ncall.every_steps = 4\n"));
  CHECK(h.awards[0] == 6);
  CHECK(h.total_awards() == 6);
  for (int t = 0; t < 12; ++t) CHECK(h.held[static_cast<std::size_t>(t)] == 6);
  // Every cluster is paid EUR 10,000 in each of the 12 quarters (no cluster folds with it).
  CHECK(h.paid_to_clusters_cents.back() == 6 * 12 * 1000000);
}

TEST_CASE("award slots cap the awards a programme holds at once, and a freed slot is refilled", "[model]") {
  // Without slots all six clusters are funded; with two slots, two at a time.
  const auto open = run(core("award_quarters = 4\ncall.every_steps = 4\n"));
  CHECK(open.awards[0] == 6);
  const auto slots = run(core("award_quarters = 4\ncall.every_steps = 4\naward_slots = 2\n"));
  for (auto held : slots.held) CHECK(held <= 2);
  // Awards end after quarter 4 and 8, so the calls of quarters 5 and 9 fill the slots again.
  CHECK(slots.awards[0] == 2);
  CHECK(slots.awards[4] == 2);
  CHECK(slots.awards[8] == 2);
  CHECK(slots.total_awards() == 6);
  // Multi-year awards keep their slots: later calls find none free.
  const auto long_slots = run(core("award_quarters = 40\ncall.every_steps = 4\naward_slots = 2\n"));
  CHECK(long_slots.total_awards() == 2);
}

TEST_CASE("award_slots scales with world.scale like call.max_awards, never below one", "[unit]") {
  const std::string world = R"(
[run]
steps = 4
seed = 1
replicates = 1
[world]
source = "synthetic"
scale = 0.02
[population]
smes = 30000
regions = 30
clusters = 6
)";
  auto slots_at = [&](const std::string& slots) {
    const auto params = test::params_from(world + core("award_slots = " + slots + "\n"));
    model::ClusterModel m(params);
    return m.programme().instrument(0).common.award_slots;
  };
  CHECK(slots_at("20") == 1);    // 0.4 rounds to 0: a programme keeps at least one slot
  CHECK(slots_at("300") == 6);   // 300 x 0.02
  CHECK(slots_at("0") == 0);     // no limit stays no limit
}

TEST_CASE("renewal only where the programme renews: renewal.max_renewals", "[model]") {
  // One call (quarter 1), one-year awards.
  const std::string once = "award_quarters = 4\ncall.steps = [1]\n";
  const auto none = run(core(once));
  CHECK(none.total_awards() == 6);
  CHECK(none.total_renewals() == 0);
  CHECK(none.held[4] == 0);  // the default: no renewal, and no call to win again
  CHECK(none.paid_to_clusters_cents.back() == 6 * 4 * 1000000);

  const auto twice = run(core(once + "renewal.max_renewals = 2\n"));
  CHECK(twice.total_awards() == 6);  // renewals are not new awards
  CHECK(twice.renewals[4] == 6);     // renewed in quarter 5 ...
  CHECK(twice.renewals[8] == 6);     // ... and 9, then no more
  CHECK(twice.total_renewals() == 12);
  // Continuous funding, no gap between terms: every cluster is paid in every quarter (an
  // award ends after its last quarter's payment and its renewal starts in the next one).
  for (std::size_t t = 1; t < 12; ++t)
    CHECK(twice.paid_to_clusters_cents[t] - twice.paid_to_clusters_cents[t - 1] == 6 * 1000000);
  CHECK(twice.paid_to_clusters_cents.back() == 6 * 12 * 1000000);

  const auto once_more = run(core(once + "renewal.max_renewals = 1\n"));
  CHECK(once_more.total_renewals() == 6);
  CHECK(once_more.paid_to_clusters_cents.back() == 6 * 8 * 1000000);
}

TEST_CASE("renewals stop with the programme's window and do not cross a funding cliff", "[model]") {
  // end_step 6: renewed in quarter 5 (inside the window), not in quarter 9.
  const auto window = run(R"(
[[instruments]]
id = "core"
type = "cluster_core_funding"
budget_eur = 100000000
start_step = 1
end_step = 6
call.steps = [1]
call.apply_probability = 1.0
award_quarters = 4
grant_eur_per_quarter = 10000
renewal.max_renewals = 5
)");
  CHECK(window.total_renewals() == 6);
  CHECK(window.held[8] == 0);
  // A cliff at quarter 7 stops the renewed awards; nothing is renewed after it.
  const auto cliff = run(core("award_quarters = 4\ncall.steps = [1]\nrenewal.max_renewals = 5\nstop_step = 7\n"));
  CHECK(cliff.total_renewals() == 6);
  CHECK(cliff.paid_to_clusters_cents.back() == 6 * 6 * 1000000);
}

TEST_CASE("a renewal needs the money: without it the award ends", "[model]") {
  // The budget pays six one-year awards and three renewals (EUR 40,000 each).
  const auto h = run(core("award_quarters = 4\ncall.steps = [1]\nrenewal.max_renewals = 1\n", "360000"));
  CHECK(h.total_awards() == 6);
  CHECK(h.total_renewals() == 3);
  CHECK(h.paid_to_clusters_cents.back() == 360000 * 100);
}
