#include "models/cluster/instruments/programme.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/core/error.hpp"
#include "models/cluster/purposes.hpp"

namespace clustersim::model::instruments {

namespace {

std::uint64_t key(std::size_t instrument, std::size_t agent) {
  return (static_cast<std::uint64_t>(instrument) << 32) | static_cast<std::uint64_t>(agent);
}

std::size_t level_index(DevelopmentLevel level) { return static_cast<std::size_t>(level); }

/// One scaling rule (docs/MODEL.md, "World"): scenario files state a programme's real budget
/// and award counts; a world at `scale` runs it with scale x the budget and scale x the
/// awards per call, while award sizes stay in real euros. A programme keeps at least one
/// award: its budget never falls below its largest award (or its full budget, if smaller)
/// and a call makes at least one award, so a small world still runs every programme (with
/// a larger share of the world's clusters than in reality; docs/MODEL.md says when).
void scale_to_world(Instrument& inst, double scale) {
  Common& c = inst.common;
  const double one_award = std::min(c.budget_eur, inst.largest_award_eur());
  c.budget_eur = std::max(c.budget_eur * scale, one_award);
  for (std::int64_t* count : {&c.max_awards_per_call, &c.award_slots})
    if (*count > 0) *count = std::max<std::int64_t>(1, std::llround(static_cast<double>(*count) * scale));
}

/// Ends award `a` (run to its end, failed, stopped or its cluster folded): the programme's
/// unpaid money returns to it, the partners keep their unspent own contribution.
void end_award(Ledger& ledger, Award& a) {
  Cents own{};
  own[kPrivate] = a.own_left;
  Cents programme = a.remaining;
  programme[kPrivate] -= a.own_left;
  ledger.cancel(programme);
  ledger.release(own);
  a.remaining = {};
  a.own_left = 0;
  a.ended = true;
}

}  // namespace

std::array<double, kSourceCount> award_shares(const Common& c, DevelopmentLevel level) {
  std::array<double, kSourceCount> shares = c.funding;
  const double rate = c.eu_rate[level_index(level)];
  if (rate >= 0) {
    const double others = 1.0 - c.funding[kEu];
    for (std::size_t s = 0; s < kSourceCount; ++s)
      shares[s] = s == kEu ? rate : (others > 0 ? (1.0 - rate) * c.funding[s] / others : 0.0);
    if (others <= 0) shares[kEu] = 1.0;
  }
  return shares;
}

Programme::Programme(const std::vector<config::TableElement>& elements, const World& world) {
  if (elements.size() > kMaxInstruments)
    throw ScenarioError(elements.back().origin, "instruments",
                        "at most " + std::to_string(kMaxInstruments) + " instruments, got " + std::to_string(elements.size()));
  const std::size_t R = world.regions.size();
  for (const auto& e : elements) {
    const auto type = std::find_if(registry().begin(), registry().end(), [&](const TypeEntry& t) { return t.name == e.type; });
    CLUSTERSIM_ASSERT(type != registry().end(), "instrument type '" + e.type + "' passed validation but is not registered");
    auto inst = type->make(e);
    inst->index = static_cast<std::uint16_t>(instruments_.size());
    scale_to_world(*inst, world.scale);
    const Common& c = inst->common;
    // Eligibility lists must name things that exist in this world.
    std::vector<std::uint8_t> ok(R, 1);
    for (const auto& code : c.regions)
      if (std::none_of(world.regions.begin(), world.regions.end(), [&](const Region& r) { return r.code == code; }))
        throw ScenarioError(e.origin, e.key_name("eligible.regions"), "no region with code '" + code + "' in this world");
    for (const auto& code : c.countries)
      if (std::none_of(world.regions.begin(), world.regions.end(), [&](const Region& r) { return r.country == code; }))
        throw ScenarioError(e.origin, e.key_name("eligible.countries"), "no region in country '" + code + "' in this world");
    for (std::size_t r = 0; r < R; ++r) {
      const Region& reg = world.regions[r];
      if (!c.regions.empty() && std::find(c.regions.begin(), c.regions.end(), reg.code) == c.regions.end()) ok[r] = 0;
      if (!c.countries.empty() && std::find(c.countries.begin(), c.countries.end(), reg.country) == c.countries.end()) ok[r] = 0;
      if (!c.levels.empty() &&
          std::find(c.levels.begin(), c.levels.end(), std::string(to_string(reg.level))) == c.levels.end())
        ok[r] = 0;
    }
    region_ok_.push_back(std::move(ok));
    std::uint16_t mask = 0;
    for (std::size_t s = 0; s < kSectorCount; ++s)
      if (c.sectors.empty() || std::find(c.sectors.begin(), c.sectors.end(), kSectors[s].key) != c.sectors.end())
        mask = static_cast<std::uint16_t>(mask | (1u << s));
    sector_masks_.push_back(mask);
    // Tranches: the budget spread over [start, end], rising linearly over the ramp; exact cents.
    const auto steps = static_cast<std::size_t>(c.end_step - c.start_step + 1);
    std::vector<double> w(steps);
    for (std::size_t k = 0; k < steps; ++k)
      w[k] = c.ramp_steps > 0 ? std::min(1.0, static_cast<double>(k + 1) / (c.ramp_steps + 1)) : 1.0;
    const double wsum = std::accumulate(w.begin(), w.end(), 0.0);
    const std::int64_t budget = to_cents(c.budget_eur, e.key_name("budget_eur"));
    std::vector<std::int64_t> t(steps);
    std::int64_t given = 0;
    for (std::size_t k = 0; k < steps; ++k) {
      t[k] = static_cast<std::int64_t>(std::floor(static_cast<double>(budget) * w[k] / wsum));
      given += t[k];
    }
    for (std::size_t k = 0; given < budget; k = (k + 1) % steps, ++given) ++t[k];
    tranches_.push_back(std::move(t));
    std::vector<std::int32_t> calls;
    if (c.call_steps.empty()) {
      for (std::int32_t s = c.start_step; s <= c.end_step; s += c.call_every_steps) calls.push_back(s);
    } else {
      for (auto s : c.call_steps)
        if (s >= c.start_step && s <= c.end_step) calls.push_back(static_cast<std::int32_t>(s));
      std::sort(calls.begin(), calls.end());
      calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
    }
    calls_.push_back(std::move(calls));
    instruments_.push_back(std::move(inst));
  }
}

void Programme::start_replicate(std::uint64_t seed, const World& world) {
  seed_ = seed;
  state_.assign(instruments_.size(), State{});
  // Projects brought to funding are less mature than planned and consortia lack commercial
  // skills (DOMAIN.md): both start low; technical assistance raises them.
  project_maturity_.assign(world.clusters.size(), kInitialProjectMaturity);
  commercial_skills_.assign(world.clusters.size(), kInitialCommercialSkills);
}

std::uint16_t Programme::mask_for(std::size_t i, const World& world, std::size_t region) const {
  std::uint16_t mask = sector_masks_[i];
  if (instruments_[i]->common.s3_only) {
    std::uint16_t s3 = 0;
    for (auto s : world.regions[region].s3_sectors) s3 = static_cast<std::uint16_t>(s3 | (1u << s));
    mask &= s3;
  }
  return mask;
}

bool Programme::eligible(std::size_t i, const World& world, std::size_t cluster) const {
  const auto& site = world.clusters[cluster];
  if (!region_ok_[i][site.region]) return false;
  const std::uint16_t mask = mask_for(i, world, site.region);
  return ((mask >> site.sector) & 1u) || (site.second_sector != kNoSector && ((mask >> site.second_sector) & 1u));
}

std::int32_t Programme::choose_partner(const Instrument& inst, std::size_t applicant, const Context& ctx,
                                      random::Stream& rng) const {
  const auto& site = ctx.world.clusters[applicant];
  std::vector<std::int32_t> candidates;
  for (std::size_t k = 0; k < ctx.world.clusters.size(); ++k) {
    if (k == applicant || !ctx.clusters.active[k]) continue;
    const auto& other = ctx.world.clusters[k];
    bool fits = false;
    switch (inst.partner_rule()) {
      case PartnerRule::OtherRegion: fits = other.region != site.region; break;
      case PartnerRule::OtherCountry:
        fits = ctx.world.country_index[other.region] != ctx.world.country_index[site.region];
        break;
      case PartnerRule::OtherSector: fits = other.sector != site.sector; break;
      case PartnerRule::None: break;
    }
    if (fits) candidates.push_back(static_cast<std::int32_t>(k));
  }
  if (candidates.empty()) return -1;
  if (!inst.weighted_partners()) return candidates[rng.below(static_cast<std::uint32_t>(candidates.size()))];
  // A partner in proportion to the type's preference (S3 match, relatedness, distance).
  std::vector<double> cumulative(candidates.size());
  double sum = 0;
  for (std::size_t n = 0; n < candidates.size(); ++n) {
    sum += std::max(0.0, inst.partner_weight(ctx, applicant, static_cast<std::size_t>(candidates[n])));
    cumulative[n] = sum;
  }
  if (!(sum > 0)) return -1;
  const double u = rng.uniform() * sum;
  const auto at = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
  return candidates[std::min<std::size_t>(static_cast<std::size_t>(at), candidates.size() - 1)];
}

void Programme::run_call(std::size_t i, const Context& ctx) {
  const Instrument& inst = *instruments_[i];
  const Common& c = inst.common;
  State& st = state_[i];
  const std::size_t C = ctx.world.clusters.size();
  struct Applicant {
    double score;
    std::size_t cluster;
  };
  std::vector<Applicant> applicants;
  for (std::size_t k = 0; k < C; ++k) {
    if (!ctx.clusters.active[k] || !eligible(i, ctx.world, k)) continue;
    const bool holds = std::any_of(st.awards.begin(), st.awards.end(), [&](const Award& a) {
      return !a.ended && a.cluster == static_cast<std::int32_t>(k) && a.last_step >= ctx.step;
    });
    if (holds) continue;
    random::Stream rng(seed_, key(i, k), static_cast<std::uint32_t>(ctx.step), purpose::kInstrumentCall);
    const double maturity = ctx.clusters.maturity[k] / 3.0;
    if (!(rng.uniform() < std::min(1.0, c.apply_probability * (1.0 + c.maturity_apply_bonus * maturity)))) continue;
    const double readiness = 0.5 * (ctx.project_maturity[k] + ctx.commercial_skills[k]);
    const double score = maturity + ctx.clusters.manager_skill[k] + inst.readiness_weight() * readiness + 0.3 * rng.uniform();
    applicants.push_back({score, k});
  }
  st.counts.applications += static_cast<std::int64_t>(applicants.size());
  std::stable_sort(applicants.begin(), applicants.end(), [](const Applicant& a, const Applicant& b) { return a.score > b.score; });
  std::int64_t made = 0;
  // Slots the programme has free: awards it holds (renewals included) keep theirs.
  const std::int64_t free_slots = c.award_slots > 0 ? std::max<std::int64_t>(0, c.award_slots - held(i))
                                                    : std::numeric_limits<std::int64_t>::max();
  for (const auto& ap : applicants) {
    if (made >= c.max_awards_per_call || made >= free_slots) break;
    random::Stream rng(seed_, key(i, ap.cluster), static_cast<std::uint32_t>(ctx.step), purpose::kInstrumentAward);
    std::int32_t partner = -1;
    if (inst.partner_rule() != PartnerRule::None) {
      partner = choose_partner(inst, ap.cluster, ctx, rng);
      if (partner < 0) continue;  // no consortium possible
    }
    const std::int64_t cost = to_cents(inst.award_eur(rng));
    const std::int32_t first = ctx.step + c.lag_steps + inst.start_delay_quarters(ap.cluster, partner, ctx);
    if (!make_award(i, ctx, static_cast<std::int32_t>(ap.cluster), partner, cost, first, 0)) continue;
    ++st.counts.awards;
    ++made;
  }
}

std::int64_t Programme::held(std::size_t i) const {
  const auto& awards = state_[i].awards;
  return std::count_if(awards.begin(), awards.end(), [](const Award& a) { return !a.ended; });
}

bool Programme::make_award(std::size_t i, const Context& ctx, std::int32_t cluster, std::int32_t partner,
                           std::int64_t cost, std::int32_t first_step, std::int32_t renewals) {
  const Instrument& inst = *instruments_[i];
  const Common& c = inst.common;
  State& st = state_[i];
  if (cost <= 0) return false;
  const auto& site = ctx.world.clusters[static_cast<std::size_t>(cluster)];
  const Cents part = split(cost, award_shares(c, ctx.world.regions[site.region].level));
  for (std::size_t s = 0; s < kSourceCount; ++s)
    if (part[s] > st.ledger.available[s]) return false;  // every source must pay its part
  st.ledger.commit(part);
  // The partners' own contribution (I3: beyond the 70 % funding rate) comes with the award,
  // from their own resources, and is paid with every payment like declared private money.
  Cents own{};
  own[kPrivate] = std::llround(static_cast<double>(cost) * inst.own_contribution_per_eur());
  st.ledger.contribute(own);
  Award a;
  a.own_cents = a.own_left = own[kPrivate];
  cost += own[kPrivate];
  a.private_fraction = static_cast<double>(part[kPrivate] + own[kPrivate]) / static_cast<double>(cost);
  a.cluster = cluster;
  a.partner = partner;
  a.first_step = first_step;
  a.last_step = a.first_step + c.award_quarters - 1;
  a.remaining = part;
  a.remaining[kPrivate] += own[kPrivate];
  a.cost_cents = cost;
  const double unit = inst.per_sme_eur();
  a.per_sme_left = unit > 0 ? static_cast<std::int64_t>(std::floor(static_cast<double>(cost) * inst.per_sme_share())) : 0;
  a.instalment_left = cost - a.per_sme_left;
  // With a per-SME part, the rest (the cluster's management share) follows the SME
  // payments in settle(); otherwise it is paid in equal instalments.
  a.share_follows_smes = a.per_sme_left > 0;
  a.instalment_cents = a.share_follows_smes ? 0 : a.instalment_left / c.award_quarters;
  a.smes_per_quarter = unit > 0 ? static_cast<double>(a.per_sme_left) / 100.0 / unit / c.award_quarters : 0.0;
  st.awards.push_back(a);
  st.renewals.push_back(renewals);
  st.completed.push_back(0);
  inst.on_award(st.awards.back(), ctx, st.counts);
  return true;
}

void Programme::renew(std::size_t i, const Context& ctx) {
  const Common& c = instruments_[i]->common;
  State& st = state_[i];
  // The programme renews only within its window, and only awards that ran to their end
  // (not failed, stopped or folded) in the quarter before this one.
  if (c.max_renewals <= 0 || ctx.step > c.end_step) return;
  const std::size_t n = st.awards.size();  // renewals appended below are not renewed again now
  for (std::size_t k = 0; k < n; ++k) {
    if (!st.completed[k] || st.awards[k].last_step != ctx.step - 1 || st.renewals[k] >= c.max_renewals) continue;
    const std::int32_t cluster = st.awards[k].cluster, partner = st.awards[k].partner;
    if (!ctx.clusters.active[static_cast<std::size_t>(cluster)]) continue;
    if (partner >= 0 && !ctx.clusters.active[static_cast<std::size_t>(partner)]) continue;
    // The same commitment again, from now on (no lag: the work continues).
    const std::int64_t programme_part = st.awards[k].cost_cents - st.awards[k].own_cents;
    if (make_award(i, ctx, cluster, partner, programme_part, ctx.step, st.renewals[k] + 1))
      ++st.counts.renewals;
  }
}

void Programme::prepare(std::int32_t step, const World& world, const ClusterState& clusters,
                        const std::vector<std::int64_t>& cluster_members, const std::vector<std::int64_t>& cell_active,
                        const std::vector<std::int64_t>& cell_members, SupportOffers& offers, ClusterSupport& support) {
  const std::size_t C = world.clusters.size(), cells = world.regions.size() * kSectorCount;
  support.reset(C);
  std::vector<std::vector<Offer>> by_cluster(C), by_cell;
  bool any_cell = false;
  support_ = &support;
  // Clusters in a running joint project this quarter (their coached readiness is in use).
  in_project_.assign(C, 0);
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    if (!(instruments_[i]->readiness_weight() > 0)) continue;
    for (const Award& a : state_[i].awards)
      if (!a.ended && step >= a.first_step && step <= a.last_step)
        for (std::int32_t k : {a.cluster, a.partner})
          if (k >= 0) in_project_[static_cast<std::size_t>(k)] = 1;
  }
  Context ctx{world,        clusters, cluster_members, cell_active, cell_members, project_maturity_, commercial_skills_,
              in_project_, seed_,    step};
  for (const auto& inst : instruments_) inst->begin_step(ctx);
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    Instrument& inst = *instruments_[i];
    const Common& c = inst.common;
    State& st = state_[i];
    st.counts = {};
    st.payments.start_step();
    if (st.stopped) continue;
    if (c.stop_step > 0 && step >= c.stop_step) {
      // The funding cliff: every award stops now, and what is left goes back to the funders.
      for (auto& a : st.awards)
        if (!a.ended) {
          end_award(st.ledger, a);
        }
      st.ledger.close();
      st.stopped = true;
      continue;
    }
    const auto& calls = calls_[i];
    const auto call = std::find(calls.begin(), calls.end(), step);
    if (call != calls.end()) {
      // Allocate the tranches up to the next call (or the end), then run the call.
      const std::int32_t next = call + 1 != calls.end() ? *(call + 1) : c.end_step + 1;
      std::int64_t cents = 0;
      const auto until = static_cast<std::size_t>(next - c.start_step);
      for (std::size_t k = st.allocated_until; k < until && k < tranches_[i].size(); ++k) cents += tranches_[i][k];
      st.allocated_until = std::max(st.allocated_until, until);
      st.ledger.allocate(split(cents, c.funding));
    }
    // Renewals first: they keep their slots and their money before a call competes for them.
    renew(i, ctx);
    if (call != calls.end()) run_call(i, ctx);
    for (std::size_t n = 0; n < st.awards.size(); ++n) {
      Award& a = st.awards[n];
      if (a.ended || step < a.first_step || step > a.last_step) continue;
      if (!clusters.active[static_cast<std::size_t>(a.cluster)]) {
        // The cluster has folded: the award ends and its unpaid money returns.
        end_award(st.ledger, a);
        continue;
      }
      random::Stream rng(seed_, key(i, n), static_cast<std::uint32_t>(step), purpose::kInstrumentAward);
      if (rng.uniform() < inst.failure_hazard(a, ctx)) {
        end_award(st.ledger, a);
        ++st.counts.failed;
        continue;
      }
      const std::int64_t due = a.share_follows_smes ? 0  // paid in settle(), after the SME payments
                               : step == a.last_step ? a.instalment_left
                                                     : std::min(a.instalment_cents, a.instalment_left);
      pay(a, due, inst.instalment_recipient(), st.ledger, st.payments, &support);
      a.instalment_left -= due;
      const std::uint16_t instrument = inst.index;
      inst.act(a, static_cast<double>(due) / 100.0, ctx, support, st.counts, rng,
               [&](std::int32_t cluster, Purpose purpose, double smes, float strength, std::int32_t partner, bool outside) {
                 if (cluster < 0 || smes <= 0) return;
                 const auto cl = static_cast<std::size_t>(cluster);
                 if (!clusters.active[cl]) return;  // a folded partner passes nothing on
                 const auto& site = world.clusters[cl];
                 Offer o;
                 o.instrument = instrument;
                 o.award = static_cast<std::uint32_t>(n);
                 o.purpose = purpose;
                 o.outside = outside;
                 o.sector_mask = mask_for(i, world, site.region);
                 o.partner_cluster = partner;
                 o.strength = strength;
                 o.min_employees = static_cast<float>(c.min_employees);
                 o.max_employees = static_cast<float>(c.max_employees);
                 o.copay_eur = static_cast<float>(inst.sme_unit_eur(a) * a.private_fraction);
                 const double members = static_cast<double>(cluster_members[cl]);
                 const bool members_only =
                     purpose == Purpose::JointProject || purpose == Purpose::Mobility || purpose == Purpose::Mentoring;
                 double others = 0;
                 if (!members_only)
                   for (std::uint8_t sec : {site.sector, site.second_sector})
                     if (sec != kNoSector)
                       others += static_cast<double>(cell_active[world.cell(site.region, sec)] -
                                                     cell_members[world.cell(site.region, sec)]);
                 const double weight = members_only ? members : c.member_weight * members + others;
                 if (weight <= 0) return;
                 Offer m = o;
                 m.probability = static_cast<float>(std::min(1.0, smes * (members_only ? 1.0 : c.member_weight) / weight));
                 by_cluster[cl].push_back(m);
                 if (!members_only && others > 0) {
                   if (!any_cell) {
                     by_cell.assign(cells, {});
                     any_cell = true;
                   }
                   Offer n2 = o;
                   n2.probability = static_cast<float>(std::min(1.0, smes / weight));
                   for (std::uint8_t sec : {site.sector, site.second_sector})
                     if (sec != kNoSector) by_cell[world.cell(site.region, sec)].push_back(n2);
                 }
               });
    }
  }
  // CSR layout of the offers.
  offers.member_start.assign(C + 1, 0);
  offers.member.clear();
  for (std::size_t k = 0; k < C; ++k) {
    offers.member.insert(offers.member.end(), by_cluster[k].begin(), by_cluster[k].end());
    offers.member_start[k + 1] = static_cast<std::uint32_t>(offers.member.size());
  }
  offers.cell_start.assign(cells + 1, 0);
  offers.cell.clear();
  if (any_cell)
    for (std::size_t k = 0; k < cells; ++k) {
      offers.cell.insert(offers.cell.end(), by_cell[k].begin(), by_cell[k].end());
      offers.cell_start[k + 1] = static_cast<std::uint32_t>(offers.cell.size());
    }
  offers.any = !offers.member.empty() || !offers.cell.empty();
}

void Programme::pay_management_share(const Instrument& inst, Award& a, State& st) {
  // The cluster's share follows what reached SMEs: paid to SMEs x (1 - share) / share, so
  // the pass-through share holds on actual payments, per grant (Euroclusters: >= 75 %).
  const double share = inst.per_sme_share();
  if (!a.share_follows_smes || a.instalment_left <= 0 || !(share > 0) || a.per_sme_paid <= 0) return;
  const auto earned = static_cast<std::int64_t>(std::floor(static_cast<double>(a.per_sme_paid) * (1.0 - share) / share));
  const std::int64_t due = std::min(a.instalment_left, earned - a.overhead_paid);
  if (due <= 0) return;
  pay(a, due, Recipient::Cluster, st.ledger, st.payments, support_);
  a.instalment_left -= due;
  a.overhead_paid += due;
  if (support_ != nullptr && !support_->income_cents.empty())
    support_->income_cents[static_cast<std::size_t>(a.cluster)] += due;
}

std::vector<std::vector<std::int64_t>> Programme::smes_payable(std::int32_t step) const {
  std::vector<std::vector<std::int64_t>> payable(instruments_.size());
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    const Instrument& inst = *instruments_[i];
    const State& st = state_[i];
    payable[i].assign(st.awards.size(), 0);
    if (st.stopped) continue;
    const std::int64_t unit = to_cents(inst.per_sme_eur(), inst.common.id + ": per-SME amount");
    for (std::size_t n = 0; n < st.awards.size(); ++n) {
      const Award& a = st.awards[n];
      if (a.ended || step < a.first_step || step > a.last_step) continue;
      // Per-SME types: the money the award has left for SMEs, in units (settle() pays from it).
      // Others: whole SMEs bought so far, less those already counted (the epsilon keeps an
      // exact whole number, e.g. 10 firms at the last instalment, from rounding down).
      payable[i][n] = unit > 0 ? a.per_sme_left / unit
                               : std::max<std::int64_t>(
                                     0, static_cast<std::int64_t>(std::floor(inst.smes_bought(a) + 1e-9)) -
                                            a.smes_supported);
    }
  }
  return payable;
}

void Programme::take_up(const std::vector<std::vector<std::int64_t>>& taken) {
  CLUSTERSIM_ASSERT(taken.size() == state_.size(), "take-up for every instrument");
  for (std::size_t i = 0; i < state_.size(); ++i) {
    auto& awards = state_[i].awards;
    CLUSTERSIM_ASSERT(taken[i].size() == awards.size(), "take-up for every award");
    for (std::size_t n = 0; n < awards.size(); ++n) {
      awards[n].smes_step = taken[i][n];
      awards[n].smes_supported += taken[i][n];
    }
  }
}

void Programme::settle(std::int32_t step) {
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    const Instrument& inst = *instruments_[i];
    State& st = state_[i];
    if (st.stopped) continue;
    // Each award pays for the SMEs it took up this quarter, from its own money for SMEs.
    const std::int64_t unit = to_cents(inst.per_sme_eur(), inst.common.id + ": per-SME amount");
    for (auto& a : st.awards) {
      const std::int64_t owed = a.smes_step * unit;
      a.smes_step = 0;
      if (a.ended || step < a.first_step || step > a.last_step) {
        CLUSTERSIM_ASSERT(owed == 0, "instrument '" + inst.common.id + "': SMEs taken up by an award not running");
        continue;
      }
      CLUSTERSIM_ASSERT(owed <= a.per_sme_left,
                        "instrument '" + inst.common.id + "': an award took up more SMEs than its money pays for");
      if (owed > 0) {
        instruments::pay(a, owed, Recipient::Smes, st.ledger, st.payments, support_);
        a.per_sme_left -= owed;
        a.per_sme_paid += owed;
      }
      pay_management_share(inst, a, st);
    }
    // Awards in their last quarter end; money they did not use returns to the programme.
    for (std::size_t k = 0; k < st.awards.size(); ++k) {
      Award& a = st.awards[k];
      if (a.ended || step < a.last_step) continue;
      end_award(st.ledger, a);
      st.completed[k] = 1;  // ran to its end: renewable (renew())
    }
    if (step >= inst.common.end_step) st.ledger.close();
    CLUSTERSIM_ASSERT(st.ledger.balanced(), "instrument '" + inst.common.id + "': ledger out of balance");
  }
}

}  // namespace clustersim::model::instruments
