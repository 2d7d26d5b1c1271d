"""Exit 1 unless a programme scenario's run shows the figures that follow from its rules at
the run's world.scale s (docs/MODEL.md 3.1: awards A_s = max(1, round(s x A)); unit sizes in
real euros). Usage: check_programme_rules.py PROGRAMME RUN.h5 SCALE

What each programme's rules imply (the scenario file states the real figures):
- euroclusters: at most max(1, round(30 s)) partnerships, at least one; at least 75 % of what
  was spent reached SMEs as EUR 10,000 vouchers; some SMEs outside the lead partner's region.
- clusterxchange: at most max(1, round(14 s)) partnerships; every euro spent paid whole
  EUR 3,000 visits, at most 72 per partnership.
- i3: projects paid + committed at most EUR 10 M each and, when none failed (a failed project's
  unpaid money returns), at least 70 % x EUR 2 M (funding rate 70 %, 100 % on the third-party
  share).
- excellence: each award paid EUR 50,000 once fully disbursed (awards of the first call).
- spearhead: at most max(1, round(20 s)) organisations funded per call, at least one over the
  run, each EUR 50,000 a quarter.
- metacluster: one award whose seed money paid is at most EUR 200,000.
- intercluster: at most max(1, round(13 s)) collaborations, at least one, each at most
  EUR 200,000 paid + committed.
- neopolia: bids within 4 s.d. of 0.45 x service clusters x quarters, and wins <= bids.
"""
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import programme_figures as pf  # noqa: E402

import h5py  # noqa: E402


def expect(ok, what, failures):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def awards_floor(real, scale):
    return max(1, round(real * scale))


def check(programme, f, scale, failures):
    if programme == "euroclusters":
        fig = pf.euroclusters(f)
        a = fig["partnerships (awards)"]
        expect(np.all((a >= 1) & (a <= awards_floor(30, scale))), f"partnerships {a} in [1, {awards_floor(30, scale)}]",
               failures)
        share = fig["share of spending paid to SMEs"]
        expect(np.all(share >= 0.75 - 1e-9), f"share to SMEs {share} >= 0.75", failures)
        out = fig["SMEs supported outside the lead region"]
        expect(np.all(out > 0), f"SMEs supported outside the lead region {out} > 0", failures)
    elif programme == "clusterxchange":
        fig = pf.clusterxchange(f)
        a, spent = fig["partnerships (awards)"], fig["EUR spent"]
        expect(np.all((a >= 1) & (a <= awards_floor(14, scale))), f"partnerships {a} in [1, {awards_floor(14, scale)}]",
               failures)
        visits = spent / 3000.0
        expect(np.all(np.abs(visits - np.round(visits)) < 1e-6), f"spending {spent} is whole EUR 3,000 visits", failures)
        expect(np.all(visits <= 72 * a + 1e-9), f"visits {visits} <= 72 per partnership", failures)
    elif programme == "i3":
        fig = pf.i3(f)
        per, failed = fig["EUR paid + committed per project"], fig["projects failed"]
        # A failed project's unpaid money returns, so the lower bound holds without failures.
        low = np.where(failed == 0, 0.7 * 2e6 - 1, 0.0)
        expect(np.all((per >= low) & (per <= 10e6 + 1)), f"EUR per project {per} in [1.4 M (no failures: {failed}), 10 M]",
               failures)
    elif programme == "excellence":
        awards = pf.instrument(f, "instrument_awards", "excellence_catalonia")[:, 1]
        paid = pf.instrument(f, "instrument_spent_eur", "excellence_catalonia")[:, 1:9].sum(axis=1)
        expect(np.all(np.abs(paid - 50000.0 * awards) < 0.01), f"first call: paid {paid} = 50,000 x {awards} awards",
               failures)
    elif programme == "spearhead":
        awards = pf.instrument(f, "instrument_awards", "spearhead")
        cap = awards_floor(20, scale)
        # A small world's budget tranches (s x EUR 40 M over 40 quarters) reach one award by a
        # later call (at 1:50, the call of step 9), so only "at least one" over the run.
        expect(bool(np.all(awards <= cap)) and bool(np.all(awards.sum(axis=1) >= 1)),
               f"awards per call {awards.max()} <= {cap}, at least one over the run", failures)
        spent = pf.instrument(f, "instrument_spent_eur", "spearhead")[:, 2:5]
        expect(bool(np.all(np.abs(spent / 50000.0 - np.round(spent / 50000.0)) < 1e-9)),
               "quarterly spending is whole EUR 50,000 grants", failures)
    elif programme == "metacluster":
        awards = pf.instrument(f, "instrument_awards", "metacluster_seed").sum(axis=1)
        spent = pf.instrument(f, "instrument_spent_eur", "metacluster_seed").sum(axis=1)
        expect(bool(np.all(awards == 1)), f"one award {awards}", failures)
        expect(bool(np.all((spent > 0) & (spent <= 200000.0 + 0.01))), f"seed paid {spent} in (0, 200,000]", failures)
    elif programme == "intercluster":
        fig = pf.intercluster(f)
        a = fig["inter-cluster collaborations (awards)"]
        expect(np.all((a >= 1) & (a <= awards_floor(13, scale))), f"collaborations {a} in [1, {awards_floor(13, scale)}]",
               failures)
        per = fig["EUR paid + committed per collaboration"]
        expect(np.all(per <= 200000.0 + 0.01), f"EUR per collaboration {per} <= 200,000 (failed projects return the rest)",
               failures)
    elif programme == "neopolia":
        submitted = np.asarray(f["cluster_joint_tenders_submitted"])
        active = np.asarray(f["cluster_active"])
        bids = submitted.sum(axis=(1, 2))
        service = submitted.sum(axis=1) > 0  # (replicate, cluster): clusters that bid
        steps = submitted.shape[1] - 1
        for r in range(submitted.shape[0]):
            mean = 0.45 * sum(active[r, 1:, c].sum() for c in np.flatnonzero(service[r]))
            expect(abs(bids[r] - mean) < 4 * np.sqrt(max(mean, 1.0)), f"replicate {r}: bids {bids[r]} ~ {mean:.1f}",
                   failures)
            expect(service[r].sum() <= awards_floor(5, scale), f"replicate {r}: {service[r].sum()} clusters bid", failures)
        wins = np.asarray(f["cluster_joint_tenders_won"]).sum(axis=(1, 2))
        expect(bool(np.all(wins <= bids)), f"wins {wins} <= bids {bids}", failures)
        del steps
    else:
        raise SystemExit(f"unknown programme {programme!r}")


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    failures = []
    with h5py.File(argv[2], "r") as f:
        check(argv[1], f, float(argv[3]), failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
