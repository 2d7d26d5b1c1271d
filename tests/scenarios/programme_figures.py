"""The figures of docs/PROGRAMMES.md from a programme scenario's output: for each replicate, the
model's counterparts of the source figures, then their mean and range over replicates.

Usage: programme_figures.py PROGRAMME RUN.h5 [--json]
PROGRAMME: spearhead, euroclusters, i3, taf, clusterxchange, excellence, metacluster,
funding_cliff, neopolia, intercluster (docs/PROGRAMMES.md says which scenario file each reads).
Figures are measured at the run's own world.scale (the file's `world_scale` is not stored, so
it is passed by the caller's command); counts of awards and SMEs scale with the world,
per-award and per-SME figures do not (docs/MODEL.md 3.1).
"""
import json
import sys

import h5py
import numpy as np


def strings(f, name):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in np.asarray(f[name])]


def instrument(f, name, inst):
    """Series (replicate, step) of an instrument variable."""
    return np.asarray(f[name])[:, :, strings(f, "instrument").index(inst)]


def regions_sum(f, name, codes):
    idx = [i for i, c in enumerate(strings(f, "region")) if c in codes]
    return np.asarray(f[name])[:, :, idx].sum(axis=2)


def euroclusters(f):
    spent = instrument(f, "instrument_spent_eur", "euroclusters").sum(axis=1)
    awards = instrument(f, "instrument_awards", "euroclusters").sum(axis=1)
    vouchers = instrument(f, "instrument_smes_supported", "euroclusters").sum(axis=1)
    figures = {"partnerships (awards)": awards, "EUR spent": spent, "EUR per partnership": spent / awards,
               "vouchers used (SME-quarters supported)": vouchers}
    if "instrument_paid_to_smes_eur" in f:  # files written since integer-cent books (issue 11)
        to_smes = instrument(f, "instrument_paid_to_smes_eur", "euroclusters").sum(axis=1)
        figures["share of spending paid to SMEs"] = to_smes / spent
        figures["distinct SMEs supported"] = instrument(f, "instrument_smes_supported_distinct", "euroclusters")[:, -1]
    else:
        figures["share of spending to SMEs (vouchers x EUR 10,000 / spent)"] = vouchers * 10000.0 / spent
    return figures | {
            "SMEs supported outside the lead region": instrument(f, "instrument_smes_supported_outside",
                                                                 "euroclusters").sum(axis=1)}


def clusterxchange(f):
    awards = instrument(f, "instrument_awards", "clusterxchange").sum(axis=1)
    spent = instrument(f, "instrument_spent_eur", "clusterxchange").sum(axis=1)
    visits = spent / 3000.0  # visits are paid per participant at exchange_eur = EUR 3,000
    return {"partnerships (awards)": awards, "exchanges (visits paid)": visits,
            "exchanges per partnership": visits / awards, "EUR spent": spent,
            "mobility participants counted": instrument(f, "instrument_mobility_participants",
                                                        "clusterxchange").sum(axis=1)}


def i3(f):
    awards = instrument(f, "instrument_awards", "i3_investment").sum(axis=1)
    committed = instrument(f, "instrument_spent_eur", "i3_investment").sum(axis=1) + \
        instrument(f, "instrument_committed_eur", "i3_investment")[:, -1]
    return {"projects (awards)": awards,
            "EUR paid + committed at the end": committed,
            "EUR paid + committed per project": committed / awards,
            "projects failed": instrument(f, "instrument_projects_failed", "i3_investment").sum(axis=1),
            "SME-quarters supported": instrument(f, "instrument_smes_supported", "i3_investment").sum(axis=1)}


def taf(f):
    awards = instrument(f, "instrument_awards", "taf").sum(axis=1)
    return {"consortia coached (awards)": awards,
            "entrepreneurs coached (mentoring participants)": instrument(f, "instrument_mentoring_participants",
                                                                          "taf").sum(axis=1),
            "EUR spent per award": instrument(f, "instrument_spent_eur", "taf").sum(axis=1) / awards}


def excellence(f):
    awards = instrument(f, "instrument_awards", "excellence_catalonia").sum(axis=1)
    spent = instrument(f, "instrument_spent_eur", "excellence_catalonia").sum(axis=1)
    return {"awards": awards, "clusters trained": instrument(f, "instrument_clusters_trained",
                                                            "excellence_catalonia").sum(axis=1),
            "EUR spent per award": spent / awards}


def intercluster(f):
    awards = instrument(f, "instrument_awards", "intercluster_flanders").sum(axis=1)
    committed = instrument(f, "instrument_spent_eur", "intercluster_flanders").sum(axis=1) + \
        instrument(f, "instrument_committed_eur", "intercluster_flanders")[:, -1]
    return {"inter-cluster collaborations (awards)": awards,
            "EUR paid + committed per collaboration": committed / awards,
            "projects failed": instrument(f, "instrument_projects_failed", "intercluster_flanders").sum(axis=1),
            "SME-quarters supported": instrument(f, "instrument_smes_supported", "intercluster_flanders").sum(axis=1),
            "supported SMEs concluding a partnership": instrument(f, "instrument_smes_new_partnerships",
                                                                  "intercluster_flanders").sum(axis=1)}


FLANDERS = {"BE21", "BE22", "BE23", "BE24", "BE25"}


def spearhead(f):
    awards = instrument(f, "instrument_awards", "spearhead")
    in_flanders = [i for i, c in enumerate(strings(f, "cluster_region")) if c in FLANDERS]
    members = np.asarray(f["cluster_members"])[:, 4, in_flanders].sum(axis=1)
    # SMEs of Flanders that concluded a partnership in year 1 (both ends of a tie count).
    partnered = regions_sum(f, "partnerships_concluded", FLANDERS)[:, 1:5].sum(axis=1)
    return {"organisations funded in the first call": awards[:, 1],
            "cluster organisations in Flanders": np.full(awards.shape[0], len(in_flanders)),
            "members of Flanders' clusters after year 1": members,
            "SMEs of Flanders concluding a partnership in year 1": partnered,
            "EUR spent over the run": instrument(f, "instrument_spent_eur", "spearhead").sum(axis=1)}


def metacluster(f):
    members = np.asarray(f["metacluster_members"])  # (replicate, step, slot)
    return {"meta-clusters active at step 12 (seed money ends)": np.asarray(f["metaclusters_active"])[:, 12],
            "meta-clusters active at step 40": np.asarray(f["metaclusters_active"])[:, -1],
            "largest meta-cluster (member clusters), any step": members.max(axis=(1, 2)),
            "member clusters at step 12": members[:, 12, :].sum(axis=1),
            "member clusters at step 40": members[:, -1, :].sum(axis=1)}


def funding_cliff(f):
    members = np.asarray(f["cluster_members"]).sum(axis=2)
    active = np.asarray(f["cluster_active"]).sum(axis=2)
    return {"cluster members at step 12 (before the stop)": members[:, 12],
            "cluster members at step 40": members[:, -1],
            "change in members after the stop (%)": 100.0 * (members[:, -1] / members[:, 12] - 1),
            "active clusters at step 12": active[:, 12], "active clusters at step 40": active[:, -1]}


def neopolia(f):
    bids = np.asarray(f["cluster_joint_tenders_submitted"]).sum(axis=(1, 2))
    wins = np.asarray(f["cluster_joint_tenders_won"]).sum(axis=(1, 2))
    revenue = np.asarray(f["cluster_joint_tender_turnover_eur"]).sum(axis=(1, 2))
    firms = np.asarray(f["cluster_joint_tender_firms"])[:, -1, :].sum(axis=1)
    service = (np.asarray(f["cluster_joint_tenders_submitted"]).sum(axis=1) > 0).sum(axis=1)
    return {"clusters that bid": service, "joint responses to calls for tender": bids, "won": wins,
            "extra turnover (EUR, contract revenue in the run)": revenue, "EUR per bid": revenue / bids,
            "member companies that won": firms}


PROGRAMMES = {"spearhead": spearhead, "euroclusters": euroclusters, "i3": i3, "taf": taf,
              "clusterxchange": clusterxchange, "excellence": excellence, "metacluster": metacluster,
              "funding_cliff": funding_cliff, "neopolia": neopolia,
              "intercluster": intercluster}


def main(argv):
    if len(argv) < 3 or argv[1] not in PROGRAMMES:
        print(__doc__, file=sys.stderr)
        return 2
    with h5py.File(argv[2], "r") as f:
        figures = PROGRAMMES[argv[1]](f)
    out = {}
    for name, values in figures.items():
        v = np.asarray(values, dtype=float)
        out[name] = {"mean": float(v.mean()), "min": float(v.min()), "max": float(v.max()),
                     "replicates": v.tolist()}
    if "--json" in argv:
        print(json.dumps(out, indent=1))
    else:
        for name, s in out.items():
            print(f"{name}: {s['mean']:,.4g} [{s['min']:,.4g}, {s['max']:,.4g}] over {len(s['replicates'])} replicates")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
