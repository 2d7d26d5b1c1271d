// What the cluster model records, declared once: the counted variables come from
// kCounters (aggregation.hpp), the others from the functions below; describe() and
// observe() both walk the one list. `clustersim variables` prints it, and docs/OUTPUT.md's
// variable table is generated from it (scripts/update-docs).
#include "models/cluster/model.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace clustersim::model {

namespace {

using record::Accumulation;  // Stock and Flow: aggregation.hpp
using record::DType;

const std::vector<std::string> kRegionDims{"replicate", "step", "region"};
const std::vector<std::string> kClusterDims{"replicate", "step", "cluster"};
const std::vector<std::string> kMetaclusterDims{"replicate", "step", "metacluster"};
const std::vector<std::string> kInstrumentDims{"replicate", "step", "instrument"};
const std::vector<std::string> kSourceDims{"replicate", "step", "instrument", "source"};

/// Region longitude and latitude are CF auxiliary coordinates of every variable by region
/// (CF 1.x section 5: their one dimension is among the variable's).
record::VariableSpec with_coordinates(record::VariableSpec s) {
  if (std::find(s.dims.begin(), s.dims.end(), "region") != s.dims.end())
    s.extra_attributes.push_back({"coordinates", std::string("region_lon region_lat")});
  return s;
}

record::VariableSpec spec(const char* name, DType dtype, const std::vector<std::string>& dims, const char* units,
                          const char* long_name, Accumulation accumulation, bool headline = false) {
  record::VariableSpec s{name, dtype, dims, units, long_name, headline, {}};
  return with_coordinates(record::set_accumulation(s, accumulation));
}

/// A code variable (Int32, the dtype of codes: counts are Int64) with its CF flags.
record::VariableSpec code_spec(const char* name, const std::vector<std::string>& dims, const char* long_name,
                               const std::vector<record::Flag>& flags) {
  auto s = spec(name, DType::Int32, dims, "", long_name, Stock);
  return record::set_flags(s, flags);
}

/// Int32 is the model's dtype of codes, so a new code variable cannot be recorded without
/// its flags, nor a count be mistaken for a code.
void check_codes(const record::Layout& layout) {
  auto check = [](const record::VariableSpec& s) {
    CLUSTERSIM_ASSERT(s.dtype != DType::Int32 || record::is_code(s),
                      "variable '" + s.name + "' is Int32, the dtype of codes, but declares no flags: declare them "
                      "(record::set_flags / set_index_flags), or record a count as Int64");
  };
  for (const auto& v : layout.statics) check(v.spec);
  for (const auto& s : layout.series) check(s);
}

}  // namespace

std::vector<ClusterModel::Observable> ClusterModel::observables() {
  std::vector<Observable> out;
  for (std::size_t k = 0; k < kCounters.size(); ++k) {
    if (!kCounters.counters[k].recorded()) continue;
    out.push_back({with_coordinates(record::spec_of(kCounters, k)), [k](const ClusterModel& m, std::vector<double>& v) {
                     record::fill(kCounters, m.aggregates_.layout.counters, m.aggregates_.sums, k, v);
                   }});
  }
  auto knowledge = spec("region_knowledge", DType::Float64, kRegionDims, "1",
                        "mean knowledge stock of the region's SMEs (model units)", Stock);
  for (auto& a : knowledge.extra_attributes)  // a mean over the region's SMEs: groups average it, never sum
    if (a.name == "cell_methods") a.value = std::string("step: point region: mean");
  out.push_back({knowledge,
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t r = 0; r < v.size(); ++r) {
                     const auto active = m.aggregates_.value(counter("smes_active"), r);
                     v[r] = active > 0 ? static_cast<double>(m.aggregates_.value(counter("knowledge_micro"), r)) *
                                             1e-6 / static_cast<double>(active)
                                       : 0.0;
                   }
                 }});
  add_organisation_observables(out);
  add_instrument_observables(out);
  add_joint_tender_observables(out);
  // Markets (mechanisms/market.hpp): displacement beside the gross gain (market_gross_gain_eur).
  out.push_back({spec("market_displacement_eur", DType::Float64, kRegionDims, "EUR",
                      "quarterly turnover that the region's competitors (non-beneficiary SMEs) lost in the quarter to "
                      "beneficiaries' growth above their markets' (displacement)", Flow),
                 [](const ClusterModel& m, std::vector<double>& v) { v = m.market_.displaced_by_region_eur; }});
  out.push_back({spec("instrument_market_displacement_eur", DType::Float64, kInstrumentDims, "EUR",
                      "quarterly turnover that competitors lost in the quarter to the instrument's beneficiaries "
                      "(displacement, from their gross gain of the quarter before)", Flow),
                 [](const ClusterModel& m, std::vector<double>& v) { v = m.market_.displaced_by_instrument_eur; }});
  return out;
}

void ClusterModel::add_organisation_observables(std::vector<Observable>& out) {
  auto cluster_money = [&](const char* name, const char* long_name, Accumulation acc,
                           std::vector<Money> ClusterState::*field) {
    out.push_back({spec(name, DType::Float64, kClusterDims, "EUR", long_name, acc),
                   [field](const ClusterModel& m, std::vector<double>& v) {
                     const auto& cents = m.clusters_.*field;
                     for (std::size_t c = 0; c < v.size(); ++c) v[c] = to_eur(cents[c]);
                   }});
  };
  cluster_money("cluster_budget_eur", "cluster organisation's budget (reserves) at the end of the quarter",
                Stock, &ClusterState::budget_cents);
  cluster_money("cluster_income_eur", "cluster income in the quarter (fees, public funding and instrument money)", Flow,
                &ClusterState::income_cents);
  cluster_money("cluster_spending_eur",
                "cluster spending in the quarter (running cost, services, earmarked training, co-financing, "
                "meta-cluster contributions)",
                Flow, &ClusterState::spending_cents);
  cluster_money("cluster_service_spending_eur", "cluster spending on member services in the quarter",
                Flow, &ClusterState::service_spending_cents);
  out.push_back({spec("cluster_fee_eur", DType::Float64, kClusterDims, "EUR/member/quarter",
                      "membership fee the cluster charges next quarter (clusters.fee_adjustment_per_quarter)", Stock),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t c = 0; c < v.size(); ++c) v[c] = to_eur(m.clusters_.fee_cents[c]);
                 }});
  cluster_money("cluster_instrument_income_eur", "instrument money paid into the cluster's budget in the quarter", Flow,
                &ClusterState::instrument_income_cents);
  cluster_money("cluster_cofinance_paid_eur",
                "private co-financing the cluster paid from its own resources in the quarter", Flow,
                &ClusterState::cofinance_paid_cents);
  auto cluster_value = [&](const char* name, const char* units, const char* long_name, auto field) {
    out.push_back({spec(name, DType::Float64, kClusterDims, units, long_name, Stock),
                   [field](const ClusterModel& m, std::vector<double>& v) {
                     const auto& src = m.clusters_.*field;
                     for (std::size_t c = 0; c < v.size(); ++c) v[c] = static_cast<double>(src[c]);
                   }});
  };
  cluster_value("cluster_staff_fte", "FTE", "cluster management staff", &ClusterState::staff_fte);
  cluster_value("cluster_manager_skill", "1", "cluster manager's skill (0-1)", &ClusterState::manager_skill);
  out.push_back({code_spec("cluster_maturity", kClusterDims, "maturity label: 0 none, 1 bronze, 2 silver, 3 gold",
                           {{0, "none"}, {1, "bronze"}, {2, "silver"}, {3, "gold"}}),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t c = 0; c < v.size(); ++c) v[c] = static_cast<double>(m.clusters_.maturity[c]);
                 }});
  cluster_value("cluster_value_to_fee", "1", "value of a quarter's services to a member relative to the fee",
                &ClusterState::value_to_fee);
  auto metacluster = spec("cluster_metacluster", DType::Int32, kClusterDims, "",
                          "index along the metacluster dimension of the cluster's meta-cluster (fill: none)", Stock);
  metacluster.fill_value = -1;  // of_cluster's "none"
  out.push_back({record::set_index_flags(metacluster, "metacluster"), [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t c = 0; c < v.size(); ++c) v[c] = m.metaclusters_.of_cluster[c];
                 }});
  out.push_back({spec("cluster_engagement", DType::Float64, kClusterDims, "1",
                      "engagement of the cluster in its meta-cluster (0-1; 0 if none)", Stock),
                 [](const ClusterModel& m, std::vector<double>& v) { v = m.metaclusters_.engagement; }});
  out.push_back({spec("metacluster_members", DType::Int64, kMetaclusterDims, "1", "member clusters of the meta-cluster",
                      Stock),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t k = 0; k < v.size(); ++k) v[k] = m.metaclusters_.members[k];
                 }});
  out.push_back({spec("metacluster_budget_eur", DType::Float64, kMetaclusterDims, "EUR", "meta-cluster's reserves",
                      Stock),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t k = 0; k < v.size(); ++k) v[k] = to_eur(m.metaclusters_.budget_cents[k]);
                 }});
  out.push_back({code_spec("metacluster_active", kMetaclusterDims, "1 while the meta-cluster slot is in use",
                           {{0, "unused"}, {1, "in_use"}}),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t k = 0; k < v.size(); ++k) v[k] = m.metaclusters_.active[k];
                 }});
  out.push_back({spec("metaclusters_active", DType::Int64, {"replicate", "step"}, "1", "meta-clusters operating",
                      Stock, true),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   v[0] = static_cast<double>(m.metaclusters_.count_active());
                 }});
  out.push_back({code_spec("cluster_active", kClusterDims, "1 while the cluster operates, 0 once it has folded",
                           {{0, "folded"}, {1, "operating"}}),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t c = 0; c < v.size(); ++c) v[c] = m.clusters_.active[c];
                 }});
}

void ClusterModel::add_instrument_observables(std::vector<Observable>& out) {
  // Money: cent-exact ledgers, shown in EUR; the counts of SMEs supported are counters.
  using instruments::Cents;
  using P = instruments::Programme;
  auto money = [&](const char* name, const char* long_name, Accumulation acc, auto get) {
    out.push_back({spec(name, DType::Float64, kInstrumentDims, "EUR", long_name, acc),
                   [get](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t i = 0; i < v.size(); ++i)
                       v[i] = static_cast<double>(instruments::total(get(m.programme_, i))) / 100.0;
                   }});
  };
  auto by_src = [&](const char* name, const char* long_name, Accumulation acc, auto get) {
    out.push_back({spec(name, DType::Float64, kSourceDims, "EUR", long_name, acc),
                   [get](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t i = 0; i < m.programme_.size(); ++i) {
                       const Cents c = get(m.programme_, i);
                       for (std::size_t s = 0; s < instruments::kSourceCount; ++s)
                         v[i * instruments::kSourceCount + s] = static_cast<double>(c[s]) / 100.0;
                     }
                   }});
  };
  auto unspent = [](const P& p, std::size_t i) {
    Cents c{};
    for (std::size_t s = 0; s < instruments::kSourceCount; ++s) c[s] = p.ledger(i).unspent(s);
    return c;
  };
  money("instrument_budget_eur", "budget allocated to the instrument so far (cumulative tranches)", Stock,
        [](const P& p, std::size_t i) { return p.ledger(i).allocated; });
  money("instrument_spent_eur", "money the instrument disbursed in the quarter", Flow,
        [](const P& p, std::size_t i) { return p.spent_this_step(i); });
  money("instrument_committed_eur", "money awarded but not yet paid at the end of the quarter", Stock,
        [](const P& p, std::size_t i) { return p.ledger(i).committed; });
  money("instrument_unspent_eur", "allocated money neither paid nor committed (available or returned to funders)", Stock,
        unspent);
  by_src("instrument_spent_by_source_eur", "money disbursed in the quarter by funding source", Flow,
         [](const P& p, std::size_t i) { return p.spent_this_step(i); });
  by_src("instrument_allocated_by_source_eur", "cumulative allocation by funding source", Stock,
         [](const P& p, std::size_t i) { return p.ledger(i).allocated; });
  by_src("instrument_disbursed_by_source_eur", "cumulative disbursement by funding source", Stock,
         [](const P& p, std::size_t i) { return p.ledger(i).disbursed; });
  by_src("instrument_committed_by_source_eur", "committed, not yet paid, by funding source", Stock,
         [](const P& p, std::size_t i) { return p.ledger(i).committed; });
  by_src("instrument_unspent_by_source_eur", "unspent (available or returned) by funding source", Stock, unspent);
  // Payments by recipient (instruments/instrument.hpp, Payments): they add up to
  // instrument_spent_eur, to the cent.
  auto paid_to = [](instruments::Recipient r) {
    return [r](const P& p, std::size_t i) { return p.payments(i).paid_step[static_cast<std::size_t>(r)]; };
  };
  money("instrument_paid_to_smes_eur", "money the instrument paid to SMEs in the quarter (vouchers, trainings, joint projects)",
        Flow, paid_to(instruments::Recipient::Smes));
  money("instrument_paid_to_clusters_eur",
        "money the instrument paid to cluster organisations in the quarter (grants, management shares, seed money)", Flow,
        paid_to(instruments::Recipient::Cluster));
  money("instrument_paid_to_providers_eur",
        "money the instrument paid to providers for clusters in the quarter (coaching, market-opening actions)", Flow,
        paid_to(instruments::Recipient::Providers));
  out.push_back({spec("instrument_cofinance_private_eur", DType::Float64, kInstrumentDims, "EUR",
                      "private co-financing paid in the quarter by the SMEs and clusters the instrument paid", Flow),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t i = 0; i < v.size(); ++i) v[i] = to_eur(m.programme_.payments(i).cofinance_step());
                 }});
  out.push_back({spec("instrument_smes_supported_distinct", DType::Int64, kInstrumentDims, "1",
                      "distinct SMEs the instrument has supported so far (each firm once)", Stock),
                 [](const ClusterModel& m, std::vector<double>& v) {
                   for (std::size_t i = 0; i < v.size(); ++i)
                     v[i] = static_cast<double>(m.messages_.offers.distinct_supported(i));
                 }});
  auto count = [&](const char* name, const char* long_name, auto get) {
    out.push_back({spec(name, DType::Int64, kInstrumentDims, "1", long_name, Flow),
                   [get](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(get(m.programme_.counts(i)));
                   }});
  };
  using Counts = decltype(std::declval<const P&>().counts(0));
  count("instrument_applications", "applications to the instrument's calls in the quarter",
        [](Counts c) { return c.applications; });
  count("instrument_awards", "awards made in the quarter", [](Counts c) { return c.awards; });
  count("instrument_projects_failed", "awarded projects that failed in the quarter (their money returned)",
        [](Counts c) { return c.failed; });
  count("instrument_clusters_trained", "cluster organisations trained (excellence awards) in the quarter",
        [](Counts c) { return c.clusters_trained; });
  count("instrument_third_country_agreements", "collaboration agreements signed with third countries in the quarter",
        [](Counts c) { return c.agreements; });
}

void ClusterModel::add_joint_tender_observables(std::vector<Observable>& out) {
  // Joint tenders (mechanisms/joint_tenders.hpp); zero where the service does not run.
  auto by_cluster = [&](const char* name, DType dtype, const char* units, const char* long_name, Accumulation acc,
                        auto get) {
    out.push_back({spec(name, dtype, kClusterDims, units, long_name, acc),
                   [get](const ClusterModel& m, std::vector<double>& v) {
                     for (std::size_t c = 0; c < v.size(); ++c) v[c] = static_cast<double>(get(m, c));
                   }});
  };
  using M = ClusterModel;
  by_cluster("cluster_member_turnover_eur", DType::Float64, "EUR",
             "turnover of the cluster's member SMEs in the quarter, their joint-tender contract revenue included",
             Flow, [](const M& m, std::size_t c) {
               return to_eur(m.aggregates_.value(counter("cluster_member_turnover_cents"), c));
             });
  by_cluster("cluster_joint_tender_turnover_eur", DType::Float64, "EUR",
             "revenue of the cluster's won joint-tender contracts booked to their consortium firms in the quarter "
             "(part of their turnover)",
             Flow,
             [](const M& m, std::size_t c) { return m.joint_tenders_.revenue_eur[c]; });
  by_cluster("cluster_joint_tenders_submitted", DType::Int64, "1",
             "joint responses to calls for tender submitted by the cluster's members in the quarter", Flow,
             [](const M& m, std::size_t c) { return m.joint_tenders_.submitted[c]; });
  by_cluster("cluster_joint_tenders_won", DType::Int64, "1", "joint tenders won by the cluster's members in the quarter",
             Flow, [](const M& m, std::size_t c) { return m.joint_tenders_.won[c]; });
  by_cluster("cluster_joint_tender_firms", DType::Int64, "1",
             "distinct member SMEs that have been in a winning joint-tender consortium since the start", Stock,
             [](const M& m, std::size_t c) { return m.joint_tenders_.firms_won[c]; });
}

void ClusterModel::describe(record::Layout& layout) const {
  using record::DType;
  const std::size_t R = world_.regions.size(), C = world_.clusters.size();
  layout.dims.push_back({"region", R});
  layout.dims.push_back({"cluster", C});
  layout.dims.push_back({"sector", kSectorCount});
  const std::size_t M = std::max<std::size_t>(1, C / 2);
  layout.dims.push_back({"metacluster", M});
  const std::size_t I = programme_.size();
  layout.dims.push_back({"instrument", I});
  layout.dims.push_back({"source", instruments::kSourceCount});

  auto strings = [](std::size_t n, auto&& get) {
    std::vector<std::string> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = get(i);
    return v;
  };
  auto reals = [](std::size_t n, auto&& get) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = get(i);
    return v;
  };
  const auto& reg = world_.regions;
  const auto& cl = world_.clusters;
  auto sector_key = [](std::uint8_t s) { return s == kNoSector ? std::string() : std::string(kSectors[s].key); };
  layout.statics.push_back({{"region", DType::String, {"region"}, "", "NUTS-2-like region code"},
                            strings(R, [&](std::size_t i) { return reg[i].code; })});
  layout.statics.push_back({{"region_name", DType::String, {"region"}, "", "region name"},
                            strings(R, [&](std::size_t i) { return reg[i].name; })});
  layout.statics.push_back({{"region_country", DType::String, {"region"}, "", "country code (ISO 3166-1 alpha-2, EL = Greece)"},
                            strings(R, [&](std::size_t i) { return reg[i].country; })});
  layout.statics.push_back({{"region_development_level", DType::String, {"region"}, "",
                             "cohesion-policy category: more_developed, transition or less_developed"},
                            strings(R, [&](std::size_t i) { return std::string(to_string(reg[i].level)); })});
  layout.statics.push_back({{"region_s3_sectors", DType::String, {"region"}, "",
                             "smart-specialisation priority ecosystems (comma-separated keys)"},
                            strings(R, [&](std::size_t i) {
                              std::string text;
                              for (auto s3 : reg[i].s3_sectors) {
                                if (!text.empty()) text += ',';
                                text += sector_key(s3);
                              }
                              return text;
                            })});
  layout.statics.push_back({{"region_lon", DType::Float64, {"region"}, "degrees_east", "region longitude", false,
                             {{"standard_name", std::string("longitude")}}},
                            reals(R, [&](std::size_t i) { return reg[i].lon_deg; })});
  layout.statics.push_back({{"region_lat", DType::Float64, {"region"}, "degrees_north", "region latitude", false,
                             {{"standard_name", std::string("latitude")}}},
                            reals(R, [&](std::size_t i) { return reg[i].lat_deg; })});
  layout.statics.push_back({{"cluster", DType::String, {"cluster"}, "", "cluster organisation id"},
                            strings(C, [&](std::size_t i) { return cl[i].id; })});
  layout.statics.push_back({{"cluster_region", DType::String, {"cluster"}, "", "code of the cluster's region"},
                            strings(C, [&](std::size_t i) { return reg[cl[i].region].code; })});
  layout.statics.push_back({{"cluster_sector", DType::String, {"cluster"}, "", "cluster's main ecosystem"},
                            strings(C, [&](std::size_t i) { return sector_key(cl[i].sector); })});
  layout.statics.push_back({{"cluster_second_sector", DType::String, {"cluster"}, "",
                             "cluster's second ecosystem (empty if none)"},
                            strings(C, [&](std::size_t i) { return sector_key(cl[i].second_sector); })});
  layout.statics.push_back({{"cluster_target_members", DType::Float64, {"cluster"}, "1",
                             "equilibrium membership the cluster's join probability aims at"},
                            reals(C, [&](std::size_t i) { return cl[i].target_members; })});
  layout.statics.push_back({{"metacluster", DType::String, {"metacluster"}, "",
                             "meta-cluster slot id (a slot is reused after its meta-cluster dissolves)"},
                            strings(M, [&](std::size_t i) { return fmt::format("M{:04d}", i + 1); })});
  layout.statics.push_back({{"sector", DType::String, {"sector"}, "", "industrial ecosystem key"},
                            strings(kSectorCount, [&](std::size_t i) { return std::string(kSectors[i].key); })});
  layout.statics.push_back({{"sector_name", DType::String, {"sector"}, "", "industrial ecosystem name"},
                            strings(kSectorCount, [&](std::size_t i) { return std::string(kSectors[i].name); })});
  layout.statics.push_back({{"instrument", DType::String, {"instrument"}, "", "policy instrument id ([[instruments]] in the scenario)"},
                            strings(I, [&](std::size_t i) { return programme_.instrument(i).common.id; })});
  layout.statics.push_back({{"instrument_type", DType::String, {"instrument"}, "", "policy instrument type"},
                            strings(I, [&](std::size_t i) { return programme_.instrument(i).common.type; })});
  layout.statics.push_back({{"source", DType::String, {"source"}, "", "funding source"},
                            strings(instruments::kSourceCount,
                                    [&](std::size_t i) { return std::string(instruments::kSourceNames[i]); })});
  for (const auto& o : observables_) layout.series.push_back(o.spec);
  panel_.describe(layout);
  record::resolve_index_flags(layout);
  check_codes(layout);
}

void ClusterModel::observe(record::Frame& frame) const {
  for (std::size_t k = 0; k < observables_.size(); ++k) observables_[k].fill(*this, frame[k]);
  panel_.observe(smes_, programme_, aggregates_, frame, observables_.size());
}

}  // namespace clustersim::model
