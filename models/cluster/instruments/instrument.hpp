#pragma once
// Policy instruments (docs/MODEL.md, "Instruments"): the shared framework every instrument
// type uses — schedule, funding mix by source, eligibility, competitive calls, awards,
// disbursement and a cent-exact ledger — and the interface a type implements (its own keys,
// the size of an award, and its effect). Each type lives in its own file and is registered
// by one line in registry.cpp.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/binding.hpp"
#include "engine/config/schema.hpp"
#include "engine/random/stream.hpp"
#include "models/cluster/organisations.hpp"
#include "models/cluster/support.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model::instruments {

enum Source : std::size_t { kEu, kNational, kRegional, kPrivate, kSourceCount };
inline constexpr std::array<std::string_view, kSourceCount> kSourceNames{"eu", "national", "regional", "private"};
using Cents = std::array<std::int64_t, kSourceCount>;

/// Money by source, in cents: allocated + contributed = disbursed + committed + available +
/// returned, always (checked after every operation). Unspent = available + returned.
/// `contributed` is the partners' own contribution to their projects beyond the programme's
/// funding rate (I3's 30 %, Instrument::own_contribution_per_eur): private money committed
/// with an award, not allocated from the budget, and returned to the partners unspent.
struct Ledger {
  Cents allocated{}, contributed{}, available{}, committed{}, disbursed{}, returned{};
  void allocate(const Cents& x);
  void contribute(const Cents& x);  ///< -> committed (the partners' own money, with an award)
  void commit(const Cents& x);   ///< available -> committed
  void pay(const Cents& x);      ///< committed -> disbursed
  void cancel(const Cents& x);   ///< committed -> available (a failed or unused award)
  void release(const Cents& x);  ///< committed -> returned (own contributions an award did not spend)
  void close();                  ///< available -> returned (the programme has ended)
  bool balanced() const;
  std::int64_t unspent(std::size_t s) const { return available[s] + returned[s]; }
};

/// Splits `cents` by `shares` (summing to 1) exactly, largest remainder first.
Cents split(std::int64_t cents, const std::array<double, kSourceCount>& shares);
/// Takes `cents` out of `from` in proportion to what each source holds (exact; <= from).
Cents take_proportional(std::int64_t cents, const Cents& from);
std::int64_t total(const Cents& c);
/// EUR to whole cents through to_cents_checked: an amount no double holds to the cent is
/// refused (ScenarioError naming `what`) rather than rounded wrongly.
std::int64_t to_cents(double eur, std::string_view what = "instruments: a money amount");

/// Diminishing returns to money (docs/MODEL.md 3.13, "Money to effect"): the share of an
/// effect's maximum that `eur` buys, 1 - 2^(-eur / eur_half) — half the maximum at
/// `eur_half`, each further euro buying less. 0 for no money (or eur_half <= 0).
double saturation(double eur, double eur_half);

/// Parameters every instrument has (keys in docs/SCENARIOS.md, "[[instruments]]"); the
/// initialisers are the keys' defaults (instrument.cpp binds each field to its key).
struct Common {
  std::string id, type;
  double budget_eur = 0;
  std::int32_t start_step = 1, end_step = 40, ramp_steps = 0, stop_step = 0;  // stop 0: none
  std::array<double, kSourceCount> funding{1, 0, 0, 0};
  /// EU co-financing rate by development level (more, transition, less); < 0: use `funding`.
  std::array<double, 3> eu_rate{-1, -1, -1};
  std::vector<std::string> regions, countries, levels, sectors;
  bool s3_only = false;
  double min_employees = 0, max_employees = 249;
  std::vector<std::int64_t> call_steps;
  std::int32_t call_every_steps = 4;
  double apply_probability = 0.6, maturity_apply_bonus = 0.5;
  std::int64_t max_awards_per_call = 1000000000;  // no limit
  std::int32_t award_quarters = 4, lag_steps = 0;
  double member_weight = 2.0;  ///< SME support: weight of a member against a non-member of the group
  /// Award slots and renewal (programme.cpp, docs/MODEL.md 3.13 "Awards"): the most awards
  /// held at once (EU scale; 0: no limit), and how often an award is renewed at its end
  /// without a new call (0: the programme does not renew).
  std::int64_t award_slots = 0;
  std::int32_t max_renewals = 0;
};

/// An award to a cluster (with a partner cluster for consortia): money committed by source,
/// paid in equal instalments over its quarters, or per supported SME.
struct Award {
  std::int32_t cluster = -1, partner = -1;
  std::int32_t first_step = 0, last_step = 0;  ///< quarters in which it pays and acts
  Cents remaining{};                           ///< committed, not yet paid
  std::int64_t instalment_cents = 0;           ///< per quarter, the part paid as instalments
  std::int64_t instalment_left = 0, per_sme_left = 0;
  /// Per-SME instruments with a management share (vouchers, skills): what the award has paid
  /// to SMEs and to the cluster so far; the cluster's share is paid only in proportion to the
  /// SME payments, so the pass-through share holds on actual payments, per grant.
  std::int64_t per_sme_paid = 0, overhead_paid = 0;
  bool share_follows_smes = false;
  std::int64_t cost_cents = 0;                 ///< the award's size (own contribution included)
  /// The partners' own contribution in it (private, Ledger::contributed), and the part of it
  /// not yet paid (pay() takes it in proportion from the private money left).
  std::int64_t own_cents = 0, own_left = 0;
  /// Private share of the award (declared funding.private and own contribution): what a
  /// supported SME pays itself of its unit (Offer::copay_eur).
  double private_fraction = 0;
  /// EUR paid so far, this quarter's payment included.
  double paid_eur() const { return static_cast<double>(cost_cents - total(remaining)) / 100.0; }
  double smes_per_quarter = 0;                 ///< expected SMEs supported per quarter
  /// SMEs this award has counted as supported (cumulative), and this quarter's, which
  /// settle() pays for per-SME types: an award counts only SMEs its own money pays for
  /// (Programme::smes_payable, docs/MODEL.md 3.13 "Take-up capped by the money").
  std::int64_t smes_supported = 0, smes_step = 0;
  bool ended = false;
};

/// What an instrument type sees of the world when it acts.
struct Context {
  const World& world;
  const ClusterState& clusters;
  const std::vector<std::int64_t>& cluster_members;
  const std::vector<std::int64_t>& cell_active;   ///< living SMEs by cell, last step
  const std::vector<std::int64_t>& cell_members;
  std::vector<double>& project_maturity;   ///< per cluster, 0-1 (technical assistance raises it)
  std::vector<double>& commercial_skills;  ///< per cluster, 0-1
  /// Per cluster: 1 while it is in a running joint project (interregional or inter-cluster
  /// award, as applicant or partner) — the use that keeps coached readiness from decaying.
  const std::vector<std::uint8_t>& in_project;
  std::uint64_t seed;
  std::int32_t step;
};

struct Context;

/// SMEs an award paid per SME may support this quarter: the money it has left for them, in
/// units of `unit_eur`, spread over its remaining quarters — no offer without money, and
/// what a quarter did not use is offered again later.
double sme_quota(const Award& a, double unit_eur, std::int32_t step);

/// Distinct firms reached by `participations` draws among `members` (with repeats): the
/// expected number, members x (1 - exp(-participations / members)) — more actions reach the
/// same firms again, so each euro reaches fewer new ones.
double distinct_reached(double members, double participations);

/// Where projects start (DOMAIN.md: less mature than planned, weak commercial skills);
/// technical assistance raises both, and they decay back toward these without use.
inline constexpr double kInitialProjectMaturity = 0.4, kInitialCommercialSkills = 0.3;

/// A consortium's readiness: mean project maturity and commercial skills of its clusters.
double readiness(const Context& ctx, std::int32_t cluster, std::int32_t partner);

/// Partner preference of joint-project types: relatedness of the two clusters' ecosystems x
/// (1 + s3_bonus if either's ecosystem is an S3 priority of the other's region) x
/// exp(-distance / distance_km).
double project_partner_weight(const Context& ctx, std::size_t applicant, std::size_t candidate, double s3_bonus,
                              double distance_km);

/// Who receives an award's instalments: the cluster organisation (its budget, or seed money
/// it holds for a meta-cluster), the participating SMEs (joint projects), or providers the
/// award buys from for the cluster (coaching hours, market-opening actions). Per-SME
/// payments (vouchers, trainings, visits) always go to SMEs; management shares to the cluster.
enum class Recipient : std::size_t { Cluster, Smes, Providers, kCount };

/// Money an instrument has paid, by recipient and funding source (cents), cumulative and in
/// this quarter, with the private co-financing in it. Every payment goes through pay(), so
/// the ledger's disbursed money, what recipients got and the flows agree to the cent.
struct Payments {
  static constexpr std::size_t kRecipients = static_cast<std::size_t>(Recipient::kCount);
  std::array<Cents, kRecipients> paid{}, paid_step{};
  Cents spent_step{};  ///< this quarter, all recipients
  void start_step() {
    paid_step = {};
    spent_step = {};
  }
  std::int64_t paid_total(Recipient r) const { return total(paid[static_cast<std::size_t>(r)]); }
  std::int64_t paid_step_total(Recipient r) const { return total(paid_step[static_cast<std::size_t>(r)]); }
  /// Private co-financing paid this quarter (all recipients), cents.
  std::int64_t cofinance_step() const {
    std::int64_t sum = 0;
    for (const auto& c : paid_step) sum += c[kPrivate];
    return sum;
  }
};

/// Pays `due` cents (<= what `a` has committed) of award `a` to `to`: taken from its
/// committed money in proportion to the sources, booked in `ledger` and `payments`. The
/// private part is the recipients' own co-financing (docs/MODEL.md 3.13): a cluster (for
/// money paid to it or to providers for it) owes it from its reserves, booked in
/// `support.cofinance_due_cents` (if `support` is not null); SMEs pay theirs themselves.
Cents pay(Award& a, std::int64_t due, Recipient to, Ledger& ledger, Payments& payments, ClusterSupport* support);

enum class PartnerRule { None, OtherRegion, OtherCountry, OtherSector };

/// Per-instrument counters of one step (output).
struct StepCounts {
  std::int64_t applications = 0, awards = 0, clusters_trained = 0, agreements = 0, failed = 0;
  std::int64_t actions = 0;  ///< market-opening actions bought (internationalisation)
  std::int64_t renewals = 0;  ///< awards renewed without a call (renewal.max_renewals), not in `awards`
};

class Instrument {
 public:
  virtual ~Instrument() = default;
  Common common;
  std::uint16_t index = 0;

  /// Who receives the instalments (see Recipient).
  virtual Recipient instalment_recipient() const { return Recipient::Cluster; }
  /// Who a consortium needs besides the applicant.
  virtual PartnerRule partner_rule() const { return PartnerRule::None; }
  /// Relative chance that `candidate` (which passed the partner rule) is the applicant's
  /// partner; types without a preference return 1 for all (a uniform draw).
  virtual double partner_weight(const Context&, std::size_t applicant, std::size_t candidate) const {
    (void)applicant, (void)candidate;
    return 1.0;
  }
  virtual bool weighted_partners() const { return false; }
  /// Quarters an award's start slips beyond disbursement_lag_steps (immature projects start late).
  virtual std::int32_t start_delay_quarters(std::size_t cluster, std::int32_t partner, const Context&) const {
    (void)cluster, (void)partner;
    return 0;
  }
  /// Once a step, before any award acts (e.g. coached readiness decays without use).
  virtual void begin_step(const Context&) const {}
  /// Total size of one award (EUR), committed at the call.
  virtual double award_eur(random::Stream& rng) const = 0;
  /// The largest award_eur can return: a scaled-down programme keeps at least one award
  /// (Programme, "one scaling rule"). Types whose award size is random override it.
  virtual double largest_award_eur() const {
    random::Stream unused(0, 0, 0, 0);
    return award_eur(unused);
  }
  /// The smallest award_eur can return: `check` refuses a budget that cannot pay one.
  virtual double smallest_award_eur() const { return largest_award_eur(); }
  /// SMEs award `a` has bought support for, for types that pay in instalments and offer SME
  /// support: participations in the market-opening actions and coachings paid so far (this
  /// quarter's payment included), a joint project's firms (its commitment holds their
  /// shares). No award counts more SMEs than this.
  /// Per-SME types are capped by the money they have left instead (Programme::smes_payable).
  /// Default: no SME support bought (0), so a type that offers support must say what it buys.
  virtual double smes_bought(const Award& a) const {
    (void)a;
    return 0;
  }
  /// Part of an award paid per supported SME (EUR per SME; 0: all in instalments) and the
  /// share of the award reserved for it.
  virtual double per_sme_eur() const { return 0; }
  /// What one supported SME receives of award `a` (EUR): the per-SME unit, or for joint
  /// projects its share of the project; its private part is the SME's own co-payment.
  virtual double sme_unit_eur(const Award& a) const {
    (void)a;
    return per_sme_eur();
  }
  /// The partners' own contribution per euro of the programme's award (0: none). I3 funds
  /// 70 % of a project (DOMAIN.md): the partners pay (1 - rate) / rate per programme euro,
  /// out of their own resources, with every payment (docs/MODEL.md 3.13, "Private co-financing").
  virtual double own_contribution_per_eur() const { return 0; }
  virtual double per_sme_share() const { return 0; }
  /// Scoring weight of consortium readiness (project maturity, commercial skills).
  virtual double readiness_weight() const { return 0; }
  /// Hazard per quarter that an active award's project fails (its remaining money returns).
  virtual double failure_hazard(const Award&, const Context&) const { return 0; }
  /// Called once when an award is made (counts, one-off effects).
  virtual void on_award(const Award&, const Context&, StepCounts&) const {}
  /// This quarter's effect of an active award: offers to SMEs (via `offer`) and cluster
  /// effects. `paid_eur` is what the award paid in instalments this quarter (the effect is a
  /// function of it); `rng` is the award's stream for this quarter; `counts` its outputs.
  virtual void act(const Award& a, double paid_eur, const Context& ctx, ClusterSupport& clusters, StepCounts& counts,
                   random::Stream& rng,
                   const std::function<void(std::int32_t cluster, Purpose, double smes, float strength,
                                            std::int32_t partner, bool outside)>& offer) const = 0;
  // `offer(cluster, purpose, smes, strength, partner, outside)`: about `smes` SMEs of the
  // cluster's group (members, weighted by Common::member_weight against eligible non-members
  // of its cells; members only for joint projects and mobility) get support this quarter.
  /// Rules across this type's keys, checked after reading `element` (e.g. a share above the
  /// programme's minimum); throws ScenarioError(element.origin, element.key_name(key), rule).
  virtual void check(const config::TableElement& element) const { (void)element; }
};

/// One instrument type: its name, its keys, how to read them. Registered in registry.cpp.
struct TypeEntry {
  std::string_view name;
  std::string_view doc;
  std::function<void(config::Schema&)> declare;
  std::function<std::unique_ptr<Instrument>(const config::TableElement&)> make;
};
const std::vector<TypeEntry>& registry();

/// Reads the keys every instrument has.
void read_common(const config::TableElement& element, Common& common);

/// The TypeEntry of instrument class T. T's own keys are the table its static
/// `bind(config::Binding<T>&)` fills: declared with the defaults of a default-constructed T,
/// and read, after the common keys, into the new T that `make` returns (then T::check).
template <class T>
TypeEntry type_entry(std::string_view name, std::string_view doc) {
  auto keys = std::make_shared<config::Binding<T>>();
  T::bind(*keys);
  return {name, doc, [keys](config::Schema& schema) { keys->declare(schema); },
          [keys](const config::TableElement& element) -> std::unique_ptr<Instrument> {
            auto instrument = std::make_unique<T>();
            read_common(element, instrument->common);
            keys->read(element, *instrument);
            instrument->check(element);
            return instrument;
          }};
}

/// Declares [[instruments]]: common keys, every registered type's keys, cross-key rules.
void declare(config::Schema& schema);

}  // namespace clustersim::model::instruments
