#include "models/cluster/messages.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "models/cluster/mechanisms/adoption.hpp"

namespace clustersim::model {

namespace {

/// Adopter shares among peers, from last step's exact counts, and the Bass survival ratio
/// over the coming quarter for each peer group.
void adoption_messages(Messages& m, const Params& params, const Aggregates& a) {
  const auto& ad = params.adoption;
  const std::size_t groups = a.size(kByPeerGroup);
  for (auto* v : {&m.digital_share, &m.green_share, &m.digital_survival, &m.green_survival}) v->resize(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    const double active = static_cast<double>(a.value(counter("peer_active"), g));
    m.digital_share[g] = active > 0 ? static_cast<double>(a.value(counter("peer_digital"), g)) / active : 0.0;
    m.green_share[g] = active > 0 ? static_cast<double>(a.value(counter("peer_green"), g)) / active : 0.0;
    m.digital_survival[g] =
        mechanism::bass_survival_ratio(ad.digital.p_per_quarter, ad.digital.q_per_quarter, m.digital_share[g]);
    m.green_survival[g] = mechanism::bass_survival_ratio(ad.green.p_per_quarter, ad.green.q_per_quarter, m.green_share[g]);
  }
}

/// Weights of the innovation growth boost by quarters since the innovation (docs/MODEL.md
/// 3.14). With lags, a Pascal (negative-binomial) lag w(q) = c q rho^q, zero in the quarter of
/// the innovation, peaking at q = peak_quarters (rho = e^{-1/peak}), mean lag (1 + rho) /
/// (1 - rho) quarters, and c set so that the weights sum to innovation.recent_quarters: the
/// cumulative boost equals the step function's used without lags (w = 1 for q < recent).
void innovation_lag_messages(Messages& m, const Params& params) {
  auto& w = m.innovation_lag_weights;
  w.fill(0.0f);
  const auto recent = static_cast<std::size_t>(params.innovation.recent_quarters);
  const std::size_t last = kNeverInnovated;  // quarters_since_innovation's "never": weight 0
  if (!params.innovation_lag.enabled || params.innovation_lag.peak_quarters <= 0) {
    for (std::size_t q = 0; q < std::min(recent, last); ++q) w[q] = 1.0f;
    return;
  }
  const double rho = std::exp(-1.0 / params.innovation_lag.peak_quarters);
  std::array<double, 256> exact{};
  double sum = 0;
  for (std::size_t q = 0; q < last; ++q) sum += exact[q] = static_cast<double>(q) * std::pow(rho, static_cast<double>(q));
  for (std::size_t q = 0; q < last; ++q) w[q] = static_cast<float>(exact[q] * static_cast<double>(recent) / sum);
}

/// Regional catch-up (docs/MODEL.md 3.11): each region's quarterly log-productivity gain
/// lambda * A_r * (k_r / k_mean)^eta * max(0, ln(y_frontier / y_r)), where y_frontier is the
/// frontier_quantile of the regions' labour productivity (a quantile, not the maximum, so that
/// one small region's sampling noise does not move the frontier). The SME multiplies it by
/// its own absorptive capacity, 0.5 + skills (growth.hpp).
void catch_up_messages(Messages& m, const Params& params, const World& world, const Aggregates& a,
                       const Eigen::VectorXd& accessible, double mean_accessible) {
  const std::size_t R = world.regions.size();
  const auto& cp = params.catch_up;
  m.region_catch_up.assign(R, 0.0);
  if (!cp.enabled || R == 0) return;
  // Labour productivity, turnover per employee (employment-weighted, as regional statistics
  // measure it; units cancel in the log gap).
  std::vector<double> level(R, 0.0), levels;
  levels.reserve(R);
  for (std::size_t r = 0; r < R; ++r) {
    const auto employment = a.value(counter("employment"), r);
    if (employment <= 0) continue;
    level[r] = static_cast<double>(a.value(counter("turnover_eur"), r)) / static_cast<double>(employment);
    if (level[r] > 0) levels.push_back(level[r]);
  }
  if (levels.empty()) return;
  const auto at = static_cast<std::size_t>(cp.frontier_quantile * static_cast<double>(levels.size() - 1) + 0.5);
  std::nth_element(levels.begin(), levels.begin() + static_cast<std::ptrdiff_t>(at), levels.end());
  const double frontier = levels[at];
  for (std::size_t r = 0; r < R; ++r) {
    const double y = level[r];
    if (y <= 0 || y >= frontier) continue;
    const double k = accessible[static_cast<Eigen::Index>(r)];
    const double knowledge = mean_accessible > 0 && k > 0 ? std::pow(k / mean_accessible, cp.knowledge_elasticity) : 1.0;
    m.region_catch_up[r] = cp.rate_per_quarter * world.regions[r].absorptive_capacity * knowledge * std::log(frontier / y);
  }
}

/// Regions: accessible knowledge = own mean SME knowledge blended with distance-weighted
/// spillovers (one matrix-vector product), scaled by absorptive capacity; growth bonus
/// from relative knowledge and last quarter's regional demand growth.
void region_messages(Messages& m, const Params& params, const World& world, const Aggregates& a,
                     const TurnoverHistory& turnover) {
  const std::size_t R = world.regions.size();
  const auto& rp = params.region;
  Eigen::VectorXd own(static_cast<Eigen::Index>(R));
  for (std::size_t r = 0; r < R; ++r) {
    const auto active = a.value(counter("smes_active"), r);
    own[static_cast<Eigen::Index>(r)] =
        active > 0 ? static_cast<double>(a.value(counter("knowledge_micro"), r)) * 1e-6 / static_cast<double>(active)
                   : 0.0;
  }
  const Eigen::VectorXd accessible = (1.0 - rp.spillover_share) * own + rp.spillover_share * (world.spillover_weights * own);
  const double mean_accessible = R > 0 ? accessible.mean() : 0.0;
  m.region_knowledge_inflow.resize(R);
  m.region_mean_productivity.resize(R);
  for (std::size_t r = 0; r < R; ++r) {
    const auto active = a.value(counter("smes_active"), r);
    m.region_mean_productivity[r] =
        active > 0 ? static_cast<double>(a.value(counter("productivity_eur"), r)) / static_cast<double>(active)
                   : 0.0;
  }
  m.region_growth_bonus.resize(R);
  m.region_demand_growth.resize(R);
  for (std::size_t r = 0; r < R; ++r) {
    const double k = accessible[static_cast<Eigen::Index>(r)];
    m.region_knowledge_inflow[r] = rp.knowledge_inflow_per_quarter * world.regions[r].absorptive_capacity * k;
    const double relative_knowledge = mean_accessible > 0 ? k / mean_accessible - 1.0 : 0.0;
    const double demand_growth = turnover.before[r] > 0 && turnover.last[r] > 0
                                     ? std::log(turnover.last[r] / turnover.before[r])
                                     : 0.0;
    m.region_demand_growth[r] = demand_growth;
    m.region_growth_bonus[r] = rp.knowledge_growth_effect * relative_knowledge + rp.demand_growth_effect * demand_growth;
  }
  catch_up_messages(m, params, world, a, accessible, mean_accessible);
}

/// The organisations' state as SMEs see it: active clusters, their services, and the
/// member clusters of each meta-cluster (CSR).
void organisation_messages(Messages& m, const ClusterState& clusters, const MetaclusterState& metaclusters) {
  const std::size_t C = clusters.active.size();
  m.cluster_active = clusters.active;
  m.service_effects = clusters.effects;
  m.metacluster_of = metaclusters.of_cluster;
  m.engagement = metaclusters.engagement;
  const std::size_t M = metaclusters.capacity();
  m.metacluster_start.assign(M + 1, 0);
  for (std::size_t c = 0; c < C; ++c)
    if (metaclusters.of_cluster[c] >= 0) ++m.metacluster_start[static_cast<std::size_t>(metaclusters.of_cluster[c]) + 1];
  for (std::size_t k = 0; k < M; ++k) m.metacluster_start[k + 1] += m.metacluster_start[k];
  m.metacluster_clusters.assign(m.metacluster_start[M], 0);
  std::vector<std::uint32_t> fill(m.metacluster_start.begin(), m.metacluster_start.end() - 1);
  for (std::size_t c = 0; c < C; ++c)
    if (metaclusters.of_cluster[c] >= 0)
      m.metacluster_clusters[fill[static_cast<std::size_t>(metaclusters.of_cluster[c])]++] = static_cast<std::uint32_t>(c);
}

/// Join probabilities that make membership settle at each cluster's target: inflow from
/// the non-member pool balances the outflow by leaving and by exit, j = (l + d) T / (pool - T).
/// The exit part of the outflow is last quarter's observed exit rate (the base hazard
/// before any quarter has been observed), so membership settles at the target even when
/// sustained losses push exits above the base rate.
void membership_messages(Messages& m, const Params& params, const World& world, const Aggregates& a,
                         const ClusterState& clusters) {
  const std::size_t C = world.clusters.size();
  const auto exited = static_cast<double>(a.total(counter("smes_exited")));
  const auto alive_before = static_cast<double>(a.total(counter("smes_active"))) + exited -
                            static_cast<double>(a.total(counter("smes_entered")));
  const double observed_exit_rate =
      exited > 0 && alive_before > 0 ? exited / alive_before : params.exit.base_rate_per_quarter;
  m.join_probability.assign(C, 0.0);
  for (std::size_t c = 0; c < C; ++c) {
    if (!clusters.active[c]) continue;
    const auto& site = world.clusters[c];
    // Eligible SMEs and those still free to join (not in this or another cluster serving
    // the same cells).
    double pool = 0, free = 0;
    for (std::uint8_t sector : {site.sector, site.second_sector}) {
      if (sector == kNoSector) continue;
      const std::size_t cell = world.cell(site.region, sector);
      const std::int64_t active = a.value(counter("cell_active"), cell);
      pool += static_cast<double>(active);
      free += static_cast<double>(active - a.value(counter("cell_members"), cell));
    }
    // Members join while services are worth more than the fee and leave when they are not:
    // equilibrium membership scales with (value / fee)^elasticity.
    const double value_factor = std::pow(std::max(clusters.value_to_fee[c], 0.0), params.membership.value_elasticity);
    const double target = std::min(site.target_members * value_factor, params.membership.max_share_of_pool * pool);
    const double members = static_cast<double>(a.value(counter("cluster_members"), c));
    // Inflow replaces the expected outflow and closes the gap to the target, so membership
    // returns to its target after shocks instead of drifting.
    const double outflow_rate = params.membership.leave_rate_per_quarter + observed_exit_rate;
    const double wanted = std::max(0.0, outflow_rate * (target + (target - members)));
    const double non_members = std::max(free, 1.0);
    m.join_probability[c] = std::min(1.0, wanted / non_members);
  }
  const std::size_t cells = world.cluster_start.size() - 1;
  m.cell_join_total.assign(cells, 0.0);
  for (std::size_t cell = 0; cell < cells; ++cell)
    for (std::uint32_t k = world.cluster_start[cell]; k < world.cluster_start[cell + 1]; ++k)
      m.cell_join_total[cell] += m.join_probability[world.cluster_index[k]];
}

}  // namespace

void prepare_messages(Messages& messages, const Params& params, const World& world, const Aggregates& aggregates,
                      const ClusterState& clusters, const MetaclusterState& metaclusters,
                      const TurnoverHistory& turnover) {
  adoption_messages(messages, params, aggregates);
  region_messages(messages, params, world, aggregates, turnover);
  innovation_lag_messages(messages, params);
  const auto& sp = params.size_exit;
  messages.size_exit_max_factor = std::max(1.0, std::pow(params.exit.min_employees / sp.reference_employees, -sp.elasticity));
  organisation_messages(messages, clusters, metaclusters);
  membership_messages(messages, params, world, aggregates, clusters);
  // Adoption by members: e^{-(p_i - p)} from each cluster's intelligence service.
  const auto& ad = params.adoption;
  const std::size_t C = world.clusters.size();
  messages.member_digital_factor.resize(C);
  messages.member_green_factor.resize(C);
  for (std::size_t c = 0; c < C; ++c) {
    const float intelligence = messages.service_effects[c][kIntelligence];
    messages.member_digital_factor[c] = mechanism::adoption_member_factor(ad.digital, ad, intelligence);
    messages.member_green_factor[c] = mechanism::adoption_member_factor(ad.green, ad, intelligence);
  }
}

}  // namespace clustersim::model
