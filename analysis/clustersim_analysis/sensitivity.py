"""Global sensitivity analysis: Morris elementary effects and Sobol indices.

Implemented here because SALib is not packaged for Debian. Designs live in the unit cube
[0, 1]^d and are mapped to parameter bounds by params.Parameter; elementary effects are
therefore per unit of a parameter's (possibly log) range.

Usage: scripts/sensitivity --method morris --params P.toml --output-indicator smes_innovating -o DIR
       scripts/sensitivity --sweep SWEEP.h5 --output-indicator smes_innovating -o DIR
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import qmc

from . import AnalysisError, USAGE_EXIT_CODE
from .indicators import RATIOS, aggregate, lookup

# ---------------------------------------------------------------- Morris


def morris_sample(d: int, trajectories: int, levels: int = 4, seed: int = 0) -> np.ndarray:
    """Morris (1991) one-at-a-time trajectories: (trajectories*(d+1), d) points on a grid of
    ``levels`` values in [0, 1], with step delta = levels / (2 (levels - 1)).

    With an even number of levels every grid value has exactly one admissible move (up from
    the lower half, down from the upper half), so each trajectory stays inside the cube and
    all d moves have size delta."""
    if levels < 2 or levels % 2:
        raise AnalysisError(f"--levels {levels}: must be an even number >= 2")
    rng = np.random.default_rng(seed)
    delta = levels / (2 * (levels - 1))
    grid = np.arange(levels) / (levels - 1)
    out = np.empty((trajectories, d + 1, d))
    for t in range(trajectories):
        x = rng.choice(grid, size=d)
        out[t, 0] = x
        for k, i in enumerate(rng.permutation(d)):
            x = x.copy()
            x[i] = x[i] + delta if x[i] + delta <= 1 + 1e-12 else x[i] - delta
            out[t, k + 1] = x
        out[t] = np.clip(out[t], 0, 1)
    return out.reshape(-1, d)


def morris_effects(x: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """Elementary effects (trajectories, d) from consecutive points that differ in one input."""
    r = x.shape[0] // (d + 1)
    xt = x.reshape(r, d + 1, d)
    yt = np.asarray(y, float).reshape(r, d + 1)
    ee = np.full((r, d), np.nan)
    for t in range(r):
        for k in range(d):
            dx = xt[t, k + 1] - xt[t, k]
            moved = np.flatnonzero(np.abs(dx) > 1e-12)
            if moved.size != 1:
                raise AnalysisError(f"trajectory {t}, step {k}: {moved.size} inputs change; not a Morris design")
            i = moved[0]
            ee[t, i] = (yt[t, k + 1] - yt[t, k]) / dx[i]
    return ee


def morris_analyze(x: np.ndarray, y: np.ndarray, names: list[str], resamples: int = 1000,
                   seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """mu, mu* (mean |EE|, Campolongo et al. 2007) and sigma per input, with a bootstrap
    interval of mu* over trajectories."""
    d = len(names)
    ee = morris_effects(x, y, d)
    rng = np.random.default_rng(seed)
    r = ee.shape[0]
    idx = rng.integers(0, r, size=(resamples, r))
    boot = np.abs(ee)[idx].mean(axis=1)
    a = (1 - level) / 2
    return pd.DataFrame({
        "parameter": names,
        "mu": ee.mean(axis=0),
        "mu_star": np.abs(ee).mean(axis=0),
        "mu_star_ci_low": np.quantile(boot, a, axis=0),
        "mu_star_ci_high": np.quantile(boot, 1 - a, axis=0),
        "sigma": ee.std(axis=0, ddof=1) if r > 1 else np.full(d, np.nan),
        "trajectories": r,
    }).sort_values("mu_star", ascending=False, ignore_index=True)


# ---------------------------------------------------------------- Sobol

def saltelli_sample(d: int, n: int, seed: int = 0) -> np.ndarray:
    """Saltelli (2010) design without second-order terms: n blocks of d + 2 rows, each
    block A_j, AB_j^(1..d), B_j, where AB^(i) is A with column i from B. A and B are the two
    halves of a scrambled 2d-dimensional Sobol' sequence (same layout as SALib)."""
    if n < 2:
        raise AnalysisError("--samples must be >= 2")
    sob = qmc.Sobol(2 * d, scramble=True, seed=seed)
    m = int(math.log2(n))
    base = sob.random_base2(m) if 2 ** m == n else sob.random(n)
    a, b = base[:, :d], base[:, d:]
    out = np.empty((n, d + 2, d))
    out[:, 0] = a
    for i in range(d):
        out[:, i + 1] = a
        out[:, i + 1, i] = b[:, i]
    out[:, d + 1] = b
    return out.reshape(-1, d)


def _sobol_point(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray):
    var = np.var(np.concatenate([ya, yb]), ddof=1)
    if var == 0:
        nan = np.full(yab.shape[1], np.nan)
        return nan, nan
    s1 = np.mean(yb[:, None] * (yab - ya[:, None]), axis=0) / var          # Saltelli 2010
    st = 0.5 * np.mean((ya[:, None] - yab) ** 2, axis=0) / var             # Jansen 1999
    return s1, st


def sobol_analyze(y: np.ndarray, names: list[str], resamples: int = 1000, seed: int = 0,
                  level: float = 0.95) -> pd.DataFrame:
    """First-order (Saltelli 2010) and total (Jansen 1999) indices with percentile
    bootstrap intervals over the n base rows."""
    d = len(names)
    y = np.asarray(y, float).reshape(-1, d + 2)
    ya, yab, yb = y[:, 0], y[:, 1:d + 1], y[:, d + 1]
    s1, st = _sobol_point(ya, yb, yab)
    rng = np.random.default_rng(seed)
    n = y.shape[0]
    b1, bt = np.empty((resamples, d)), np.empty((resamples, d))
    for k in range(resamples):
        i = rng.integers(0, n, size=n)
        b1[k], bt[k] = _sobol_point(ya[i], yb[i], yab[i])
    a = (1 - level) / 2
    return pd.DataFrame({
        "parameter": names, "S1": s1,
        "S1_ci_low": np.nanquantile(b1, a, axis=0), "S1_ci_high": np.nanquantile(b1, 1 - a, axis=0),
        "ST": st,
        "ST_ci_low": np.nanquantile(bt, a, axis=0), "ST_ci_high": np.nanquantile(bt, 1 - a, axis=0),
        "base_samples": n,
    })


def detect_design(x: np.ndarray) -> tuple[str, np.ndarray]:
    """Recognises a Saltelli or Morris design among swept points (unit-cube rows in run
    order) and returns (method, rows in the order the estimators expect)."""
    n_rows, d = x.shape
    same = lambda u, v: np.allclose(u, v, rtol=1e-9, atol=1e-12)  # noqa: E731

    def saltelli_ok(blocks):  # blocks: (n, d+2, d)
        for blk in blocks:
            a, b = blk[0], blk[d + 1]
            for i in range(d):
                expect = a.copy()
                expect[i] = b[i]
                if not same(blk[i + 1], expect):
                    return False
        return True

    if n_rows % (d + 2) == 0:
        n = n_rows // (d + 2)
        interleaved = x.reshape(n, d + 2, d)
        if saltelli_ok(interleaved):
            return "sobol", x
        # Blocked layout: all of A, then AB^(1..d), then B.
        blocked = x.reshape(d + 2, n, d).transpose(1, 0, 2)
        if saltelli_ok(blocked):
            return "sobol", blocked.reshape(-1, d)
    if n_rows % (d + 1) == 0:
        steps = np.abs(np.diff(x.reshape(-1, d + 1, d), axis=1)) > 1e-12
        if np.all(steps.sum(axis=2) == 1) and np.all(steps.sum(axis=1) == 1):
            return "morris", x
    raise AnalysisError(f"the {n_rows} swept points over {d} parameters form neither a Saltelli design "
                        f"(n*(d+2) rows, A/AB/B blocks) nor Morris trajectories (r*(d+1) rows, one "
                        "input changing per step)")


# ---------------------------------------------------------------- outputs of runs

def indicator_total(ds: xr.Dataset, name: str) -> xr.DataArray:
    """EU total (or EU ratio) of an indicator: (replicate, step)."""
    if name in ds.variables and "step" in ds[name].dims and "region" not in ds[name].dims:
        da = ds[name].astype(float)
        return da.sum([dim for dim in da.dims if dim not in ("replicate", "run", "step")])
    # Region series, ratios and <flow>_cumulative; stock/flow is not needed for a total.
    return aggregate(ds, lookup(ds, name, with_kind=False), "EU").isel(group=0)


def horizon_values(ds: xr.Dataset, indicators: list[str], horizon: int | None) -> dict[str, float]:
    steps = ds["step"].values
    h = int(steps[-1]) if horizon is None else horizon
    if h not in steps:
        raise AnalysisError(f"--horizon {h}: not a step of the runs ({steps[0]}..{steps[-1]})")
    return {name: float(indicator_total(ds, name).sel(step=h).mean("replicate")) for name in indicators}


# ---------------------------------------------------------------- command

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/sensitivity",
        description="Global sensitivity of clustersim indicators: Morris elementary effects (mu, mu*, "
                    "sigma) or Sobol first-order and total indices (Saltelli sampling, Saltelli 2010 and "
                    "Jansen estimators), with bootstrap intervals. Either drives clustersim itself "
                    "(--params) or analyses a merged sweep with a Saltelli or Morris design (--sweep).",
        epilog="Examples:\n"
               "  scripts/sensitivity --method morris --params analysis/params/morris_five.toml \\\n"
               "      --output-indicator smes_innovating,employment --horizon 20 --trajectories 8 \\\n"
               "      --set population.smes=50000 --set run.steps=20 -o out/morris\n"
               "  scripts/sensitivity --sweep out/sweep.h5 --params P.toml --output-indicator smes_innovating -o out/sobol\n"
               "Exit codes: 0 ok, 2 bad input or options, 1 a clustersim run failed.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory (replaced atomically)")
    p.add_argument("--method", choices=["morris", "sobol", "auto"], default="auto",
                   help="method (default: morris when driving clustersim, detected from a sweep)")
    p.add_argument("--params", metavar="P.toml", help="parameter bounds ([parameters.\"key\"] lower/upper)")
    p.add_argument("--sweep", metavar="SWEEP.h5", help="analyse a merged sweep instead of running clustersim")
    p.add_argument("--output-indicator", required=True, metavar="NAMES",
                   help="comma-separated indicators (EU totals at the horizon, mean over replicates); "
                        "any series variable of the output, " + ", ".join(r[0] for r in RATIOS) +
                        " or <flow>_cumulative")
    p.add_argument("--horizon", type=int, metavar="STEP", help="step at which outputs are taken (default: last)")
    p.add_argument("--scenario", default=None, help="scenario to perturb (default: scenarios/baseline.toml)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="fixed override for every run (repeatable), e.g. population.smes=50000")
    p.add_argument("--replicates", type=int, default=1, help="replicates per point (default 1)")
    p.add_argument("--seed", type=int, default=20261121,
                   help="run.seed for every point: common random numbers (default 20261121)")
    p.add_argument("--trajectories", type=int, default=10, help="Morris trajectories (default 10)")
    p.add_argument("--levels", type=int, default=4, help="Morris grid levels, even (default 4)")
    p.add_argument("--samples", type=int, default=64, help="Sobol base samples N, a power of 2 (default 64); "
                                                           "runs = N (d + 2)")
    p.add_argument("--design-seed", type=int, default=0, help="seed of the sampling design and bootstrap")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--jobs", type=int, default=2, help="clustersim runs in parallel (default 2)")
    p.add_argument("--threads", type=int, default=None, help="threads per clustersim run (default cores/jobs)")
    p.add_argument("--clustersim", default=None, help="path to the clustersim binary")
    return p.parse_args(argv)


def _parse_sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise AnalysisError(f"--set {item}: expected KEY=VALUE")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _from_sweep(args, indicators):
    from .io import ok_runs, open_parameter_sweep
    from .params import Parameter, load_parameters
    notes: list[str] = []
    ds, swept = open_parameter_sweep(args.sweep)
    keep = ok_runs(ds, notes)
    if keep.size < ds.sizes["run"]:
        raise AnalysisError(f"{args.sweep}: {ds.sizes['run'] - keep.size} failed run(s); a sensitivity design "
                            "needs every point (" + "; ".join(notes) + ")")
    keys = list(swept.values())
    vals = np.column_stack([ds[v].values.astype(float) for v in swept])
    if args.params:
        params = {p.key: p for p in load_parameters(args.params)}
        missing = [k for k in keys if k not in params]
        if missing:
            raise AnalysisError(f"{args.params}: no bounds for swept parameter(s) {', '.join(missing)}")
        plist = [params[k] for k in keys]
    else:
        plist = [Parameter(k, float(vals[:, i].min()), float(vals[:, i].max())) for i, k in enumerate(keys)]
        notes.append("no --params: bounds taken as the swept minimum and maximum of each parameter")
    # Runs sharing parameter values are replicates of one point (first-appearance order).
    point_of, points = {}, []
    for r in range(ds.sizes["run"]):
        key = tuple(np.round(vals[r], 12))
        if key not in point_of:
            point_of[key] = len(points)
            points.append(r)
    point_index = np.array([point_of[tuple(np.round(vals[r], 12))] for r in range(ds.sizes["run"])])
    unit = np.column_stack([p.to_unit(vals[points, i]) for i, p in enumerate(plist)])
    y = {}
    for name in indicators:
        steps = ds["step"].values
        h = int(steps[-1]) if args.horizon is None else args.horizon
        if h not in steps:
            raise AnalysisError(f"--horizon {h}: not a step of {args.sweep} ({steps[0]}..{steps[-1]})")
        per_run = indicator_total(ds.rename(run="replicate"), name).sel(step=h).values
        y[name] = np.array([per_run[point_index == k].mean() for k in range(len(points))])
    method, order = detect_design(unit)
    if args.method != "auto" and args.method != method:
        raise AnalysisError(f"{args.sweep}: --method {args.method} but the design is a {method} design")
    perm = [int(np.flatnonzero(np.all(np.isclose(unit, row), axis=1))[0]) for row in order]
    return method, plist, order, {k: v[perm] for k, v in y.items()}, notes


def _drive(args, indicators):
    from .params import format_value, load_parameters
    from .runner import evaluate, find_clustersim, repo_root
    if not args.params:
        raise AnalysisError("--params P.toml is required unless --sweep is given")
    plist = load_parameters(args.params)
    d = len(plist)
    method = "morris" if args.method == "auto" else args.method
    if method == "morris":
        unit = morris_sample(d, args.trajectories, args.levels, args.design_seed)
    else:
        unit = saltelli_sample(d, args.samples, args.design_seed)
    binary = find_clustersim(args.clustersim)
    scenario = args.scenario or str(repo_root() / "scenarios" / "baseline.toml")
    if not Path(scenario).is_file():
        raise AnalysisError(f"{scenario}: no such scenario file")
    common = {**_parse_sets(args.set), "run.seed": str(args.seed), "run.replicates": str(args.replicates)}
    points = [{p.key: format_value(p, p.from_unit(u)) for p, u in zip(plist, row)} for row in unit]
    print(f"sensitivity: {method}, {d} parameters, {len(points)} clustersim runs "
          f"({args.replicates} replicate(s) each, {args.jobs} in parallel)", file=sys.stderr)

    def progress(k, n):
        if k == n or k % max(1, n // 10) == 0:
            print(f"sensitivity: {k}/{n} runs done", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="clustersim-sensitivity-") as work:
        res = evaluate(binary, scenario, common, points, lambda ds: horizon_values(ds, indicators, args.horizon),
                       Path(work), jobs=args.jobs, threads=args.threads, progress=progress)
    y = {name: np.array([r[name] for r in res]) for name in indicators}
    return method, plist, unit, y, []


def _label_points(ax, x, y, labels):
    """Labels in a column right of the axes, in the points' vertical order, evenly spaced
    and joined to their points: they cannot overlap however close the points are."""
    fig = ax.figure
    fig.canvas.draw()  # limits are final only after a draw
    y0, y1 = ax.get_ylim()
    frac = (y - y0) / (y1 - y0) if y1 > y0 else np.full(len(y), 0.5)
    order = np.argsort(frac)
    slots = np.linspace(0.02, 0.98, len(labels)) if len(labels) > 1 else np.array([0.5])
    for slot, i in zip(slots, order):
        ax.annotate(labels[i], (x[i], y[i]), xytext=(1.03, slot), textcoords="axes fraction", fontsize=8,
                    va="center", arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.6})


def _plot(method, table, indicator, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10, 4.8))
    if method == "morris":
        err = np.vstack([table.mu_star - table.mu_star_ci_low, table.mu_star_ci_high - table.mu_star])
        ax.errorbar(table.mu_star, table.sigma, xerr=err, fmt="o", capsize=3)
        _label_points(ax, table.mu_star.to_numpy(float), table.sigma.to_numpy(float), list(table.parameter))
        ax.set_xlabel(f"mu* (mean |elementary effect|, {indicator} per unit of parameter range)")
        ax.set_ylabel("sigma (s.d. of elementary effects)")
        ax.set_title(f"Morris screening of {indicator}")
    else:
        y = np.arange(len(table))
        for off, col, lab in ((-0.2, "S1", "first order S1"), (0.2, "ST", "total ST")):
            err = np.vstack([table[col] - table[f"{col}_ci_low"], table[f"{col}_ci_high"] - table[col]])
            ax.barh(y + off, table[col], height=0.4, xerr=np.nan_to_num(np.abs(err)), capsize=3, label=lab)
        ax.set_yticks(y, table.parameter, fontsize=8)
        ax.set_xlabel("Sobol index (share of output variance, 1)")
        ax.set_title(f"Sobol indices of {indicator} (bars: 95% bootstrap interval)")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def run(argv=None) -> int:
    from .io import AtomicDir
    from .runner import RunFailed
    args = parse_args(argv)
    try:
        indicators = [s.strip() for s in args.output_indicator.split(",") if s.strip()]
        if args.sweep:
            method, plist, unit, y, notes = _from_sweep(args, indicators)
        else:
            method, plist, unit, y, notes = _drive(args, indicators)
        names = [p.key for p in plist]
        tables = []
        for name in indicators:
            if method == "morris":
                t = morris_analyze(unit, y[name], names, args.bootstrap, args.design_seed)
            else:
                t = sobol_analyze(y[name], names, args.bootstrap, args.design_seed)
            t.insert(0, "indicator", name)
            tables.append(t)
        with AtomicDir(args.output) as tmp:
            design = pd.DataFrame({p.key: p.from_unit(unit[:, i]) for i, p in enumerate(plist)})
            for name in indicators:
                design[name] = y[name]
            design.to_csv(tmp / "design.csv", index_label="point")
            pd.concat(tables).to_csv(tmp / f"{method}.csv", index=False)
            md = [f"# {method.capitalize()} sensitivity\n", f"- parameters: {', '.join(names)}",
                  f"- points: {len(unit)}; horizon step: {args.horizon if args.horizon is not None else 'last'}"]
            md += [f"- note: {n}" for n in notes]
            for name, t in zip(indicators, tables):
                safe = "".join(c if c.isalnum() else "_" for c in name)
                _plot(method, t.reset_index(drop=True), name, tmp / f"{method}_{safe}.png")
                md += [f"\n## {name}\n", t.drop(columns="indicator").to_markdown(index=False)
                       if hasattr(t, "to_markdown") and _has_tabulate() else t.drop(columns="indicator").to_string(index=False),
                       f"\n![{name}]({method}_{safe}.png)"]
            (tmp / "summary.md").write_text("\n".join(md) + "\n")
    except AnalysisError as exc:
        print(f"sensitivity: error: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    except RunFailed as exc:
        print(f"sensitivity: {exc}", file=sys.stderr)
        return 1
    for t in tables:
        print(t.to_string(index=False))
    print(f"sensitivity: results written to {args.output}")
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    sys.exit(run())
