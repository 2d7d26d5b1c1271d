"""Scenario discovery: PRIM recovers a known box; CART finds it too; sweep input; bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import merged_sweep, synthetic_run, write
from clustersim_analysis import discover

BOX = {"x1": (0.2, 0.6), "x2": (0.5, 1.0)}  # x3 is irrelevant


def known_box_table(n=3000, noise=0.0, seed=3):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.uniform(0, 1, size=(n, 3)), columns=["x1", "x2", "x3"])
    inside = (df.x1.between(*BOX["x1"])) & (df.x2.between(*BOX["x2"]))
    flip = rng.uniform(size=n) < noise
    df["y"] = (inside ^ flip).astype(float)
    return df


def test_prim_recovers_the_box():
    df = known_box_table()
    x, y = df[["x1", "x2", "x3"]].to_numpy(), df.y.to_numpy()
    res = discover.prim(x, y, ["x1", "x2", "x3"], min_density=0.95)
    box = res.box.set_index("input")
    assert box.loc["x1", "lower"] == pytest.approx(0.2, abs=0.03)
    assert box.loc["x1", "upper"] == pytest.approx(0.6, abs=0.03)
    assert box.loc["x2", "lower"] == pytest.approx(0.5, abs=0.03)
    assert not box.loc["x3", "restricted"]
    assert res.stats["density"] >= 0.95 and res.stats["coverage"] > 0.95
    t = res.trajectory
    assert t.coverage.iloc[0] == 1.0 and t.mass.iloc[0] == 1.0
    assert t.density.iloc[0] == pytest.approx(df.y.mean())
    assert (np.diff(t.mass) < 0).all()  # every peel removes points


def test_pasting_grows_an_over_peeled_box():
    df = known_box_table(noise=0.0)
    x, y = df[["x1", "x2", "x3"]].to_numpy(), df.y.to_numpy()
    tight = discover.Box(np.array([0.3, 0.6, 0.0]), np.array([0.5, 1.0, 1.0]))
    pasted = discover.prim_paste(tight, x, y)
    before, after = discover.box_stats(tight, x, y), discover.box_stats(pasted, x, y)
    assert after["density"] >= before["density"] and after["coverage"] > before["coverage"] + 0.3


def test_cart_finds_a_pure_leaf():
    df = known_box_table()
    rules, leaves = discover.cart(df[["x1", "x2", "x3"]].to_numpy(), df.y.to_numpy(), ["x1", "x2", "x3"])
    assert "x1" in rules and "x2" in rules and "x3" not in rules
    assert leaves.density.iloc[0] > 0.95 and leaves.coverage.iloc[0] > 0.9


def test_cli_on_a_table_and_on_a_sweep(tmp_path):
    df = known_box_table(n=1500, noise=0.02)
    df.to_csv(tmp_path / "t.csv", index=False)
    assert discover.run(["--table", str(tmp_path / "t.csv"), "--outcome", "y", "--threshold", "0.5",
                         "--min-density", "0.9", "-o", str(tmp_path / "d")]) == 0
    box = pd.read_csv(tmp_path / "d" / "prim_box.csv").set_index("input")
    assert box.loc["x1", "lower"] == pytest.approx(0.2, abs=0.05) and box.loc["x1", "upper"] == pytest.approx(0.6, abs=0.05)
    for name in ("prim_trajectory.csv", "cart_rules.txt", "cart_leaves.csv", "summary.md", "prim_trajectory.png"):
        assert (tmp_path / "d" / name).is_file()
    # A merged sweep on a 5 x 5 grid: employment is higher where p >= 0.5 and q <= 0.5.
    grid = [(p, q) for p in np.linspace(0, 1, 5) for q in np.linspace(0, 1, 5)]
    parts = {f"pt{k}": synthetic_run(replicates=1, steps=2, add={"employment": [1000.0 if p >= 0.5 and q <= 0.5 else 0.0]})
             for k, (p, q) in enumerate(grid)}
    sweep = write(merged_sweep(parts, swept={"a.p": [g[0] for g in grid], "a.q": [g[1] for g in grid]}),
                  tmp_path / "sweep.h5")
    base_total = float(synthetic_run(replicates=1, steps=2)["employment"].isel(step=-1).sum())
    assert discover.run(["--sweep", str(sweep), "--outcome", "employment", "--threshold", str(base_total + 3000),
                         "--min-mass", "0.02", "-o", str(tmp_path / "s")]) == 0
    box = pd.read_csv(tmp_path / "s" / "prim_box.csv").set_index("input")
    assert box.loc["a.p", "lower"] == pytest.approx(0.5, abs=1e-9) and box.loc["a.q", "upper"] == pytest.approx(0.5, abs=1e-9)


def test_bad_input(tmp_path, capsys):
    known_box_table(n=50).to_csv(tmp_path / "t.csv", index=False)
    assert discover.run(["--table", str(tmp_path / "t.csv"), "--outcome", "nope", "--threshold", "1",
                         "-o", str(tmp_path / "d")]) == 2
    assert "no column 'nope'" in capsys.readouterr().err
    assert discover.run(["--table", str(tmp_path / "t.csv"), "--outcome", "y", "--threshold", "5",
                         "-o", str(tmp_path / "d")]) == 2
    assert "no case passes the threshold" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
