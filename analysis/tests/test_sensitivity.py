"""Morris and Sobol against functions with known indices; sweeps; driving clustersim."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import merged_sweep, synthetic_run, write
from clustersim_analysis import sensitivity as sa

A, B = 7.0, 0.1  # Ishigami constants (Ishigami & Homma 1990; Sobol' & Levitan 1999)


def ishigami(u):
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices():
    v1 = 0.5 * (1 + B * np.pi ** 4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = B ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_ishigami_matches_analytic_indices():
    s1_true, st_true = ishigami_indices()
    x = sa.saltelli_sample(3, 2048, seed=1)
    assert x.shape == (2048 * 5, 3)
    res = sa.sobol_analyze(ishigami(x), ["x1", "x2", "x3"], resamples=300, seed=1)
    assert res.S1.to_numpy() == pytest.approx(s1_true, abs=0.03)
    assert res.ST.to_numpy() == pytest.approx(st_true, abs=0.03)
    for col, truth in (("S1", s1_true), ("ST", st_true)):
        assert np.all(res[f"{col}_ci_low"].to_numpy() - 0.01 <= truth)
        assert np.all(truth <= res[f"{col}_ci_high"].to_numpy() + 0.01)


def test_sobol_linear_model_indices():
    c = np.array([1.0, 2.0, 3.0, 0.0])
    x = sa.saltelli_sample(4, 1024, seed=3)
    res = sa.sobol_analyze(x @ c, list("abcd"), resamples=200)
    truth = c ** 2 / np.sum(c ** 2)  # uniform inputs, additive model: S1 = ST = c_i^2 / sum c^2
    assert res.S1.to_numpy() == pytest.approx(truth, abs=0.03)
    assert res.ST.to_numpy() == pytest.approx(truth, abs=0.02)


def test_morris_linear_model_exact():
    c = np.array([1.0, -2.0, 3.0])
    x = sa.morris_sample(3, 12, levels=4, seed=5)
    res = sa.morris_analyze(x, x @ c, ["a", "b", "c"]).set_index("parameter")
    assert res.loc[["a", "b", "c"], "mu"].to_numpy() == pytest.approx(c)
    assert res.loc[["a", "b", "c"], "mu_star"].to_numpy() == pytest.approx(np.abs(c))
    assert res.sigma.to_numpy() == pytest.approx(0, abs=1e-9)


def test_morris_ishigami_ranking():
    x = sa.morris_sample(3, 40, levels=4, seed=2)
    res = sa.morris_analyze(x, ishigami(x), ["x1", "x2", "x3"])
    # x3 acts only through its interaction with x1: small mu, large sigma relative to mu.
    row = res.set_index("parameter").loc["x3"]
    assert abs(row.mu) < row.mu_star and row.sigma > abs(row.mu)
    assert np.all(x >= 0) and np.all(x <= 1)


def test_detect_design_interleaved_blocked_and_morris():
    x = sa.saltelli_sample(2, 8, seed=0)
    assert sa.detect_design(x)[0] == "sobol"
    blocked = x.reshape(8, 4, 2).transpose(1, 0, 2).reshape(-1, 2)
    method, order = sa.detect_design(blocked)
    assert method == "sobol" and np.allclose(order, x)
    assert sa.detect_design(sa.morris_sample(2, 5, seed=0))[0] == "morris"
    with pytest.raises(Exception, match="neither"):
        sa.detect_design(np.random.default_rng(0).random((7, 2)))


def test_sobol_from_a_merged_sweep(tmp_path):
    """A sweep whose output is a known linear function of the swept values."""
    n, d = 16, 2
    unit = sa.saltelli_sample(d, n, seed=4)
    lo, hi = np.array([0.0, 10.0]), np.array([1.0, 30.0])
    values = lo + unit * (hi - lo)
    runs = {}
    for i, v in enumerate(values):
        ds = synthetic_run(replicates=1)
        ds["smes_innovating"] = ds["smes_innovating"] * 0 + (3 * v[0] + 0.1 * v[1]) / 6
        ds["replicate_seed"] = ("replicate", np.array([7]))
        runs[f"p{i}"] = ds
    sweep = merged_sweep(runs, swept={"a.x": values[:, 0], "b.y": values[:, 1]})
    path = write(sweep, tmp_path / "sweep.h5")
    params = tmp_path / "p.toml"
    params.write_text('[parameters."a.x"]\nlower = 0\nupper = 1\n[parameters."b.y"]\nlower = 10\nupper = 30\n')
    out = tmp_path / "sobol"
    assert sa.run(["--sweep", str(path), "--params", str(params), "--output-indicator", "smes_innovating",
                   "-o", str(out), "--bootstrap", "100"]) == 0
    res = pd.read_csv(out / "sobol.csv").set_index("parameter")
    truth = np.array([3.0, 2.0]) ** 2 / 13  # ranges: 3 * 1 and 0.1 * 20
    assert res.loc[["a.x", "b.y"], "ST"].to_numpy() == pytest.approx(truth, abs=0.1)
    assert (out / "design.csv").is_file() and (out / "summary.md").is_file()


def test_drives_clustersim_morris(tmp_path, clustersim_binary):
    params = tmp_path / "p.toml"
    params.write_text('[parameters."partnership.rate_per_quarter"]\nlower = 0.01\nupper = 0.04\n'
                      '[parameters."innovation.hazard_per_knowledge"]\nlower = 0.02\nupper = 0.1\n')
    out = tmp_path / "morris"
    rc = sa.run(["--params", str(params), "--output-indicator", "partnerships_concluded_cumulative,smes_innovating",
                 "--trajectories", "3", "--set", "population.smes=5000", "--set", "run.steps=4",
                 "--set", "population.clusters=4",
                 "--clustersim", clustersim_binary, "-o", str(out), "--bootstrap", "50"])
    assert rc == 0
    res = pd.read_csv(out / "morris.csv")
    part = res[res.indicator == "partnerships_concluded_cumulative"].set_index("parameter")
    # Common random numbers: the partnership rate dominates partnerships, with a positive effect.
    assert part.loc["partnership.rate_per_quarter", "mu"] > 0
    assert part.loc["partnership.rate_per_quarter", "mu_star"] > part.loc["innovation.hazard_per_knowledge", "mu_star"]
    assert len(pd.read_csv(out / "design.csv")) == 3 * 3
