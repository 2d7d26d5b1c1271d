"""Counterfactual impact evaluation: on a panel with a known effect and selection on size,
the naive comparison is biased, DiD and PSM recover the true effect; bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from clustersim_analysis import evaluate
from clustersim_analysis.panel_demo import panel_pair


@pytest.fixture(scope="module")
def panels(tmp_path_factory):
    d = tmp_path_factory.mktemp("panel")
    truth = panel_pair(d / "vouchers.h5", d / "no_vouchers.h5")
    return d / "vouchers.h5", d / "no_vouchers.h5", truth


def test_estimators_against_the_known_truth(panels):
    sc, cf, truth = panels
    per_rep, summary, meta = evaluate.evaluate(evaluate.open_panel(str(sc)), evaluate.open_panel(str(cf)),
                                               "panel_employees")
    assert meta["pre_step"] == 4 and meta["post_step"] == 12  # support paid at step 5
    s = summary.set_index("estimator")
    # The truth comes from the counterfactual file, SME by SME, and matches the generator's.
    assert s.loc["did", "true_att"] == pytest.approx(truth, rel=0.02)
    # Selection on size: supported SMEs are larger, so the naive gap is far from the effect.
    assert s.loc["naive", "bias"] > 3.0
    for est in ("did", "psm_did"):
        assert abs(s.loc[est, "bias"]) < 0.25, est
        assert s.loc[est, "bias_ci_low"] < 0.25 and s.loc[est, "bias_ci_high"] > -0.25
    assert abs(s.loc["psm", "bias"]) < 0.6  # levels after matching on noisy pre-levels
    assert abs(s.loc["psm", "bias"]) < s.loc["naive", "bias"] / 5
    first = per_rep.drop_duplicates("replicate")
    # Common shocks: without support the supported SMEs change by 0.3 per quarter x 8 quarters.
    expected_dw = 0.3 * 8 / (0.3 * 8 + truth)
    assert first.deadweight_share.mean() == pytest.approx(expected_dw, abs=0.08)
    assert np.allclose(first.additionality_share + first.deadweight_share, 1.0)
    assert (first.common_support > 0.9).all()


def test_cli_writes_tables_and_reports_bias(panels, tmp_path, capsys):
    sc, cf, _ = panels
    out = tmp_path / "cie"
    assert evaluate.run([str(sc), str(cf), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| did |" in text and "deadweight" in text and "true ATT" in text
    est = pd.read_csv(out / "estimators.csv")
    assert set(est.estimator) == {"naive", "did", "psm", "psm_did"}
    assert (out / "estimates_by_replicate.csv").is_file() and (out / "summary.md").is_file()


def test_bad_input(panels, tmp_path, capsys):
    sc, cf, _ = panels
    no_panel = tmp_path / "nopanel.h5"
    xr.Dataset({"x": ("step", np.arange(3))}).to_netcdf(no_panel, engine="h5netcdf")
    assert evaluate.run([str(sc), str(no_panel), "-o", str(tmp_path / "o")]) == 2
    assert "no 'panel_sme' dimension" in capsys.readouterr().err
    assert evaluate.run([str(sc), str(cf), "--outcome", "panel_nope", "-o", str(tmp_path / "o")]) == 2
    assert "panel_nope" in capsys.readouterr().err
    assert evaluate.run([str(sc), str(cf), "--pre-step", "6", "-o", str(tmp_path / "o")]) == 2
    assert "not after the pre step" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
