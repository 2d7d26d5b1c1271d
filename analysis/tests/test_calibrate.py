"""Moments, the SMM objective, and parameter recovery with real clustersim runs."""
from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from conftest import synthetic_run
from clustersim_analysis import AnalysisError, calibrate
from clustersim_analysis.moments import moment_values, objective, parse_moments

ROOT = Path(__file__).resolve().parents[2]
SMALL_WORLD = {"population.smes": 20000, "run.steps": 8, "population.clusters": 4}
TRUTH = {"exit.base_rate_per_quarter": 0.012, "partnership.rate_per_quarter": 0.02}
# TPE with 40 candidates on two parameters; both moments respond almost linearly to their
# parameter, so the true values are recovered to well within this relative tolerance.
RECOVERY_TOLERANCE = 0.15

MOMENTS = [
    {"name": "yearly_exit_rate", "statistic": "rate", "flow": "smes_exited", "stock": "smes_active", "window": 4},
    {"name": "yearly_partnership_rate", "statistic": "rate", "flow": "partnerships_concluded",
     "stock": "smes_active", "window": 4},
]


def test_moment_statistics_on_synthetic_run():
    ds = synthetic_run()
    ms = parse_moments([
        {"name": "lvl", "statistic": "level", "indicator": "smes_active", "step": 4, "target": 1},
        {"name": "members_per_cluster", "statistic": "ratio", "numerator": "cluster_members",
         "denominator": "cluster_active", "target": 175},
        {"name": "rate", "statistic": "rate", "flow": "smes_exited", "stock": "smes_active", "window": 4, "target": 1},
        {"name": "spread", "statistic": "spread", "numerator": "turnover_eur", "denominator": "employment",
         "measure": "cv", "target": 1},
    ], "t.toml")
    v = moment_values(ds, ms)
    assert v["lvl"] == pytest.approx(float(ds.smes_active.sel(step=4).sum("region").mean()))
    assert v["members_per_cluster"] == pytest.approx(100.0)
    exits = ds.smes_exited.sel(step=slice(5, 8)).sum(["step", "region"]) / ds.smes_active.sel(step=4).sum("region")
    assert v["rate"] == pytest.approx(float(exits.mean()))
    assert v["spread"] >= 0
    assert objective({"lvl": 2, "members_per_cluster": 175, "rate": 1, "spread": 1},
                     ms[:1] + ms[1:2]) == pytest.approx(1.0)


@pytest.mark.parametrize("bad, message", [
    ({"statistic": "median", "target": 1}, "statistic must be one of"),
    ({"statistic": "rate", "flow": "smes_exited", "target": 1}, "missing 'stock'"),
    ({"statistic": "level", "indicator": "x", "target": 1, "wieght": 2}, "unknown field"),
])
def test_bad_moments_are_named(bad, message):
    with pytest.raises(AnalysisError, match=message):
        parse_moments([bad], "t.toml")


def _targets(path: Path, values: dict, replicates=1) -> Path:
    lines = [f'scenario = "{ROOT / "scenarios" / "baseline.toml"}"', "[run]", f"replicates = {replicates}",
             "seed = 7", "set = { " + ", ".join(f'"{k}" = {v}' for k, v in SMALL_WORLD.items()) + " }"]
    for m in MOMENTS:
        lines += ["[[moments]]"] + [f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}" for k, v in m.items()]
        lines.append(f"target = {values[m['name']]!r}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _params(path: Path) -> Path:
    path.write_text('[parameters."exit.base_rate_per_quarter"]\nlower = 0.004\nupper = 0.03\n'
                    '[parameters."partnership.rate_per_quarter"]\nlower = 0.005\nupper = 0.06\n')
    return path


def test_parameter_recovery_and_resume(tmp_path, clustersim_binary):
    # Targets from a run at known parameter values, same seed as the calibration (CRN).
    truth_run = tmp_path / "truth.h5"
    cmd = [clustersim_binary, "run", str(ROOT / "scenarios" / "baseline.toml"), "-o", str(truth_run), "-q",
           "--set", "run.seed=7", "--set", "run.replicates=1"]
    for k, v in {**SMALL_WORLD, **TRUTH}.items():
        cmd += ["--set", f"{k}={v}"]
    subprocess.run(cmd, check=True)
    with xr.open_dataset(truth_run, engine="h5netcdf") as ds:
        targets_values = moment_values(ds, parse_moments([{**m, "target": 0} for m in MOMENTS], "t"))
    targets = _targets(tmp_path / "targets.toml", targets_values)
    params = _params(tmp_path / "params.toml")
    out = tmp_path / "cal"
    common = ["--targets", str(targets), "--params", str(params), "-o", str(out), "--clustersim", clustersim_binary]
    assert calibrate.run(common + ["--trials", "15"]) == 0          # a first session ...
    assert calibrate.run(common + ["--trials", "40"]) == 0          # ... resumed to 40 candidates
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 40
    overlay = tomllib.loads((out / "calibrated.toml").read_text())
    for key, true_value in TRUTH.items():
        table, leaf = key.split(".")
        assert overlay[table][leaf] == pytest.approx(true_value, rel=RECOVERY_TOLERANCE), key
    fit = pd.read_csv(out / "fit.csv")
    assert set(fit.moment) == {"yearly_exit_rate", "yearly_partnership_rate"}
    assert (fit.relative_error_pct.abs() < 10).all()
    # The overlay is a valid scenario whose relative `extends` resolves to the baseline.
    check = subprocess.run([clustersim_binary, "check", str(out / "calibrated.toml")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert not Path(overlay["extends"]).is_absolute()


def test_changed_targets_refuse_to_resume(tmp_path, clustersim_binary, capsys):
    targets = _targets(tmp_path / "targets.toml", {"yearly_exit_rate": 0.05, "yearly_partnership_rate": 0.08})
    params = _params(tmp_path / "params.toml")
    out = tmp_path / "cal"
    common = ["--params", str(params), "-o", str(out), "--clustersim", clustersim_binary, "--trials", "2"]
    assert calibrate.run(["--targets", str(targets)] + common) == 0
    _targets(targets, {"yearly_exit_rate": 0.06, "yearly_partnership_rate": 0.08})
    assert calibrate.run(["--targets", str(targets)] + common) == 2
    assert "other targets" in capsys.readouterr().err
    assert calibrate.run(["--targets", str(targets), "--fresh"] + common) == 0


def test_shipped_targets_parse_and_name_recorded_variables(clustersim_binary, tmp_path):
    targets = calibrate.load_targets(str(ROOT / "analysis" / "targets" / "domain.toml"))
    run = tmp_path / "r.h5"
    subprocess.run([clustersim_binary, "run", str(targets["scenario"]), "-o", str(run), "-q",
                    "--set", "population.smes=20000", "--set", "run.steps=8"], check=True)
    from clustersim_analysis.moments import check_variables
    with xr.open_dataset(run, engine="h5netcdf") as ds:
        ms = [m for m in targets["moments"] if m.step is None or m.step <= 8]
        check_variables(ds, targets["moments"], "domain.toml")
        values = moment_values(ds, ms)
    assert all(v == v for v in values.values()), values  # no NaN
