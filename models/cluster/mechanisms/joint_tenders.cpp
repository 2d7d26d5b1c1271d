#include "models/cluster/mechanisms/joint_tenders.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "engine/config/schema.hpp"
#include "engine/core/error.hpp"
#include "engine/random/stream.hpp"
#include "models/cluster/purposes.hpp"

namespace clustersim::model {

namespace {

/// "A, B" -> {"A", "B"} (blanks around names dropped; "" -> {}).
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::size_t first = text.find_first_not_of(" \t", begin);
    if (first < end) out.push_back(text.substr(first, text.find_last_not_of(" \t", end - 1) - first + 1));
    begin = end + 1;
  }
  return out;
}

bool listed(const std::string& list, const std::string& name) {
  const auto names = split_list(list);
  return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

bool eligible(const World& world, const JointTenderParams& p, std::size_t region, std::uint8_t sector) {
  return sector != kNoSector && listed(p.regions, world.regions[region].code) &&
         listed(p.sectors, std::string(kSectors[sector].key));
}

bool eligible(const World& world, const JointTenderParams& p, const ClusterSite& c) {
  return eligible(world, p, c.region, c.sector) || eligible(world, p, c.region, c.second_sector);
}

/// Poisson(mean) by inversion of one uniform (means here are below ~10).
std::int64_t poisson(double mean, double u) {
  double term = std::exp(-mean), cumulative = term;
  std::int64_t k = 0;
  while (u > cumulative && k < 1000) {
    ++k;
    term *= mean / static_cast<double>(k);
    cumulative += term;
  }
  return k;
}

/// Members of cluster c now (alive, still in c), as rows, from last step's snapshot.
std::vector<std::uint32_t> current_members(const SearchIndex& search, const Smes& smes, std::uint32_t c) {
  std::vector<std::uint32_t> rows;
  if (c + 1 >= search.cluster_start.size()) return rows;
  for (std::uint32_t k = search.cluster_start[c]; k < search.cluster_start[c + 1]; ++k) {
    const auto row = search.cluster_entries[k].row;
    if (smes.alive(row) && smes.cluster[row] == static_cast<std::int32_t>(c)) rows.push_back(row);
  }
  return rows;
}

/// One bid of cluster c: a consortium of members (partial Fisher-Yates over `members`), its
/// capability, the decision and, if won, the contract.
void bid(JointTenderState& s, const JointTenderParams& p, const ClusterState& clusters, const Smes& smes,
         std::uint32_t c, std::vector<std::uint32_t>& members, random::Stream& rng) {
  const auto lo = static_cast<std::size_t>(p.min_consortium_smes), hi = static_cast<std::size_t>(p.max_consortium_smes);
  const std::size_t wanted = lo + rng.below(static_cast<std::uint32_t>(hi - lo + 1));
  const std::size_t n = std::min(wanted, members.size());
  double skills = 0;
  for (std::size_t k = 0; k < n; ++k) {
    std::swap(members[k], members[k + rng.below(static_cast<std::uint32_t>(members.size() - k))]);
    skills += static_cast<double>(smes.skills[members[k]]);
  }
  ++s.submitted[c];
  // Capability: the cluster's maturity label and manager (call scores use the same two) and
  // the consortium's staff skills, each on 0-1.
  const double capability = (static_cast<double>(clusters.maturity[c]) / 3.0 + clusters.manager_skill[c] +
                             skills / static_cast<double>(n)) / 3.0;
  const double u_win = rng.uniform(), u1 = rng.uniform(), u2 = rng.uniform();
  if (u_win >= joint_tender_win_probability(p, static_cast<double>(n), capability)) return;
  ++s.won[c];
  // Contract value: mean contract_eur, log-normal (one Box-Muller normal).
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  const double value = p.contract_eur * std::exp(p.contract_sigma * z - 0.5 * p.contract_sigma * p.contract_sigma);
  // Each firm's share of a quarter, in whole cents (value <= a few times contract_eur, which the
  // schema caps at kMaxAmountEur, so the cents fit an int64 with room to spare).
  const auto cents = static_cast<Money>(std::llround(value * 100.0 / static_cast<double>(p.contract_quarters) /
                                                     static_cast<double>(n)));
  JointTenderState::Contract contract{c, cents, static_cast<std::int32_t>(p.contract_quarters), {}};
  auto& winners = s.winners[c];
  for (std::size_t k = 0; k < n; ++k) {
    const auto id = static_cast<std::uint32_t>(smes.table.ids()[members[k]]);
    contract.firms.push_back(id);
    const auto at = std::lower_bound(winners.begin(), winners.end(), id);
    if (at == winners.end() || *at != id) winners.insert(at, id);
  }
  s.firms_won[c] = static_cast<std::int64_t>(winners.size());
  s.contracts.push_back(std::move(contract));
}

}  // namespace

double joint_tender_win_probability(const JointTenderParams& p, double smes, double capability) {
  const double base = std::log(p.win_probability / (1.0 - p.win_probability));
  const double logit = base + p.size_effect * std::log(smes / p.reference_consortium_smes) +
                       p.capability_effect * (capability - p.reference_capability);
  return 1.0 / (1.0 + std::exp(-logit));
}

std::vector<std::uint32_t> joint_tender_clusters(const World& world, const JointTenderParams& p) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t c = 0; c < world.clusters.size(); ++c)
    if (eligible(world, p, world.clusters[c])) out.push_back(c);
  if (p.clusters_at_eu_scale <= 0) return out;
  const auto wanted = static_cast<std::size_t>(std::max(1.0, std::round(world.scale * p.clusters_at_eu_scale)));
  // The established ones: largest target membership first, ties by index (world-only, so the
  // same clusters for any run.seed).
  std::stable_sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) {
    return world.clusters[a].target_members > world.clusters[b].target_members;
  });
  if (out.size() > wanted) out.resize(wanted);
  std::sort(out.begin(), out.end());
  return out;
}

void check_joint_tenders(const World& world, const JointTenderParams& p, const std::string& origin) {
  std::vector<std::string> codes, sectors;
  for (const auto& r : world.regions) codes.push_back(r.code);
  for (const auto& s : kSectors) sectors.emplace_back(s.key);
  for (const auto& code : split_list(p.regions)) require_known(code, codes, origin, "joint_tenders.regions", "region");
  for (const auto& s : split_list(p.sectors)) require_known(s, sectors, origin, "joint_tenders.sectors", "ecosystem");
  if (!joint_tender_clusters(world, p).empty()) return;
  double area = 0, all = 0;  // the eligible cells' share of the cluster-placement weight
  for (std::size_t k = 0; k < world.cluster_weight.size(); ++k) {
    all += world.cluster_weight[k];
    if (eligible(world, p, k / kSectorCount, static_cast<std::uint8_t>(k % kSectorCount))) area += world.cluster_weight[k];
  }
  const double expected = all > 0 ? area / all * static_cast<double>(world.clusters.size()) : 0.0;
  const std::string hint = expected > 0 ? fmt::format("; at world.scale = {:g} it expects {:.2f} there, about one at "
                                                      "world.scale = {:.2g}",
                                                      world.scale, expected, std::min(1.0, world.scale / expected))
                                        : std::string();
  throw ScenarioError(origin, "joint_tenders.regions",
                      "no cluster organisation of this world is in the listed regions and ecosystems, so no joint "
                      "tender would be made" + hint);
}

void start_joint_tenders(JointTenderState& state, Smes& smes, const World& world, const Params& params) {
  const std::size_t C = world.clusters.size();
  state = JointTenderState{};
  smes.contract_revenue.clear();
  state.service_clusters = params.joint_tenders.enabled ? joint_tender_clusters(world, params.joint_tenders)
                                                        : std::vector<std::uint32_t>{};
  state.submitted.assign(C, 0);
  state.won.assign(C, 0);
  state.revenue_eur.assign(C, 0.0);
  state.firms_won.assign(C, 0);
  state.winners.assign(C, {});
}

void pay_joint_tender_contracts(JointTenderState& s, Smes& smes) {
  std::fill(s.submitted.begin(), s.submitted.end(), 0);
  std::fill(s.won.begin(), s.won.end(), 0);
  std::fill(s.revenue_eur.begin(), s.revenue_eur.end(), 0.0);
  // Last quarter's bookings end.
  for (const auto& [id, cents] : smes.contract_revenue)
    if (const std::size_t row = smes.row_of(id); row != SIZE_MAX)
      smes.events[row] = static_cast<std::uint8_t>(smes.events[row] & ~event::kContractRevenue);
  smes.contract_revenue.clear();
  std::vector<Money> revenue_cents(s.revenue_eur.size(), 0);
  for (auto& contract : s.contracts) {
    for (std::uint32_t id : contract.firms) {
      const std::size_t row = smes.row_of(id);
      if (row == SIZE_MAX || !smes.alive(row)) continue;  // an exited firm's share lapses
      smes.contract_revenue.emplace_back(id, contract.cents_per_firm_per_quarter);
      smes.events[row] |= event::kContractRevenue;
      revenue_cents[contract.cluster] += contract.cents_per_firm_per_quarter;
    }
    --contract.quarters_left;
  }
  std::erase_if(s.contracts, [](const JointTenderState::Contract& c) { return c.quarters_left <= 0; });
  // One entry per firm: a firm in several running contracts gets their sum.
  std::sort(smes.contract_revenue.begin(), smes.contract_revenue.end());
  std::size_t out = 0;
  for (std::size_t k = 0; k < smes.contract_revenue.size(); ++k) {
    if (out > 0 && smes.contract_revenue[out - 1].first == smes.contract_revenue[k].first)
      smes.contract_revenue[out - 1].second += smes.contract_revenue[k].second;
    else
      smes.contract_revenue[out++] = smes.contract_revenue[k];
  }
  smes.contract_revenue.resize(out);
  for (std::size_t c = 0; c < revenue_cents.size(); ++c) s.revenue_eur[c] = to_eur(revenue_cents[c]);
}

void update_joint_tenders(JointTenderState& state, const Params& params, const ClusterState& clusters,
                          const SearchIndex& search, const Smes& smes, std::uint64_t seed, std::int32_t step) {
  const JointTenderParams& p = params.joint_tenders;
  for (std::uint32_t c : state.service_clusters) {
    if (!clusters.active[c]) continue;
    random::Stream rng(seed, c, static_cast<std::uint32_t>(step), purpose::kJointTenders);
    const std::int64_t bids = poisson(p.bids_per_cluster_per_quarter, rng.uniform());
    if (bids == 0) continue;
    std::vector<std::uint32_t> members = current_members(search, smes, c);
    if (members.size() < static_cast<std::size_t>(p.min_consortium_smes)) continue;  // too few to bid together
    for (std::int64_t b = 0; b < bids; ++b) bid(state, p, clusters, smes, c, members, rng);
  }
}

}  // namespace clustersim::model
