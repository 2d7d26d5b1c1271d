"""The CIE demo of docs/ANALYSIS.md ("A walkthrough"), at half the world and 3 replicates:
scenarios/cie_vouchers.toml against its counterfactual scenarios/cie_world.toml through
the real binary and the scripts/evaluate command. The truth (each supported SME against
its own counterfactual) must be non-zero and every estimator's bias against it reported."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

from clustersim_analysis import evaluate

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--set", "world.scale=0.0004", "--set", "run.replicates=3"]


def test_cie_demo_reports_bias_against_a_nonzero_truth(clustersim_binary, tmp_path):
    for name in ("cie_vouchers", "cie_world"):
        proc = subprocess.run([clustersim_binary, "run", str(ROOT / "scenarios" / f"{name}.toml"), "-o",
                               str(tmp_path / f"{name}.h5"), "--quiet", *SMALL], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    out = tmp_path / "cie"
    assert evaluate.run([str(tmp_path / "cie_vouchers.h5"), str(tmp_path / "cie_world.h5"),
                         "--outcome", "panel_digital", "-o", str(out)]) == 0
    est = pd.read_csv(out / "estimators.csv").set_index("estimator")
    per_rep = pd.read_csv(out / "estimates_by_replicate.csv")
    assert set(est.index) == {"naive", "did", "psm", "psm_did"}
    # Enough supported panel SMEs for an estimate, in every replicate.
    assert (per_rep.n_treated >= 30).all() and (per_rep.n_controls >= 1000).all()
    # The vouchers raise digital adoption: the true ATT is positive in every replicate.
    truth = per_rep.groupby("replicate").true_att.first()
    assert (truth > 0.03).all(), truth
    # Bias is reported against that truth, with an interval, for every estimator.
    assert np.allclose(est.bias, est.estimate - est.true_att)
    assert (est.bias_ci_low <= est.bias).all() and (est.bias <= est.bias_ci_high).all()
    # DiD on this panel lands within half the effect of the truth (selection into cluster
    # membership is on levels, which differencing removes).
    assert abs(est.loc["did", "bias"]) < 0.5 * est.loc["did", "true_att"]
    dead = per_rep.deadweight_share.iloc[0]
    assert 0 < dead < 1
    summary = (out / "summary.md").read_text()
    assert "bias [95%]" in summary and "deadweight" in summary
