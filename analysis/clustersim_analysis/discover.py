"""Scenario discovery: which boxes of inputs make an outcome pass a threshold.

PRIM (Friedman & Fisher 1999), as EMA Workbench does it (Kwakkel 2017): peel an
``alpha`` share of the points off one face of the box at a time, always the face whose
removal raises the density most, down to a minimum mass; each box of that peeling
trajectory has a coverage (share of all cases of interest inside it) and a density
(share of the points inside that are cases of interest). The chosen box is then pasted:
faces are moved back out while that raises the density. CART (sklearn's decision tree)
gives the same question a second, axis-aligned answer.

Usage: scripts/discover --sweep SWEEP.h5 --outcome NAME --threshold X [--below] -o DIR
       scripts/discover --table T.csv --inputs a,b,c --outcome y --threshold X -o DIR
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import AnalysisError, USAGE_EXIT_CODE


@dataclass
class Box:
    lower: np.ndarray
    upper: np.ndarray

    def contains(self, x: np.ndarray) -> np.ndarray:
        return np.all((x >= self.lower) & (x <= self.upper), axis=1)

    def copy(self) -> "Box":
        return Box(self.lower.copy(), self.upper.copy())


def box_stats(box: Box, x: np.ndarray, y: np.ndarray) -> dict:
    inside = box.contains(x)
    n_in, hits = int(inside.sum()), float(y[inside].sum())
    return {"coverage": hits / max(float(y.sum()), 1e-300), "density": hits / n_in if n_in else np.nan,
            "mass": n_in / len(y), "n_points": n_in}


def _peel_candidates(box: Box, x: np.ndarray, inside: np.ndarray, alpha: float):
    """Every box one peel smaller: for each input, cut the lowest or highest alpha share
    of the points inside the box."""
    xi = x[inside]
    for j in range(x.shape[1]):
        col = xi[:, j]
        lo, hi = np.quantile(col, alpha), np.quantile(col, 1 - alpha)
        for side, value in (("lower", lo), ("upper", hi)):
            cand = box.copy()
            # Points strictly beyond the quantile stay: tied values (a grid level) go
            # together, and on a coarse grid a peel removes at least the outermost level.
            if side == "lower":
                above = col[col > value]
                if above.size == 0:
                    continue
                cand.lower[j] = above.min()
            else:
                below = col[col < value]
                if below.size == 0:
                    continue
                cand.upper[j] = below.max()
            yield cand


def prim_peel(x: np.ndarray, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05) -> list[Box]:
    """The peeling trajectory: boxes from the whole input space down to ``min_mass``."""
    box = Box(x.min(axis=0).astype(float), x.max(axis=0).astype(float))
    boxes = [box.copy()]
    while True:
        inside = box.contains(x)
        best, best_density = None, -np.inf
        for cand in _peel_candidates(box, x, inside, alpha):
            keep = cand.contains(x)
            if keep.sum() / len(y) < min_mass:
                continue
            density = y[keep].mean()
            if density > best_density:
                best, best_density = cand, density
        if best is None:
            return boxes
        box = best
        boxes.append(box.copy())


def prim_paste(box: Box, x: np.ndarray, y: np.ndarray, alpha: float = 0.05) -> Box:
    """Moves faces back out by about ``alpha`` of the box's points while that does not
    lower the density (Friedman & Fisher's pasting; at equal density the box that takes in
    the most cases of interest wins, so a pure box grows to its true edges)."""
    box = box.copy()
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    while True:
        inside = box.contains(x)
        density, n_in = y[inside].mean(), inside.sum()
        step = max(1, int(round(alpha * n_in)))
        best, best_key = None, (density, y[inside].sum())
        for j in range(x.shape[1]):
            others = np.all(np.delete((x >= box.lower) & (x <= box.upper), j, axis=1), axis=1)
            for side in ("lower", "upper"):
                if side == "lower":
                    outside = np.sort(x[others & (x[:, j] < box.lower[j]), j])[::-1]
                else:
                    outside = np.sort(x[others & (x[:, j] > box.upper[j]), j])
                if outside.size == 0:
                    continue
                cand = box.copy()
                value = outside[min(step, outside.size) - 1]
                if side == "lower":
                    cand.lower[j] = max(value, full_lo[j])
                else:
                    cand.upper[j] = min(value, full_hi[j])
                keep = cand.contains(x)
                key = (y[keep].mean(), y[keep].sum())
                if key[0] > best_key[0] + 1e-12 or (key[0] >= best_key[0] - 1e-12 and key[1] > best_key[1]):
                    best, best_key = cand, key
        if best is None:
            return box
        box = best


@dataclass
class PrimResult:
    trajectory: pd.DataFrame   # one row per peeling step
    box: pd.DataFrame          # the chosen, pasted box: one row per input
    stats: dict


def prim(x: np.ndarray, y: np.ndarray, names: list[str], alpha: float = 0.05, min_mass: float = 0.05,
         min_density: float = 0.8) -> PrimResult:
    """Peels, picks the box with the largest coverage whose density is at least
    ``min_density`` (the densest box if none is), and pastes it."""
    y = np.asarray(y, float)
    if y.sum() == 0:
        raise AnalysisError("no case passes the threshold: nothing to discover")
    boxes = prim_peel(x, y, alpha, min_mass)
    rows = []
    for k, b in enumerate(boxes):
        s = box_stats(b, x, y)
        restricted = [names[j] for j in range(len(names)) if b.lower[j] > x[:, j].min() or b.upper[j] < x[:, j].max()]
        rows.append({"box": k, **s, "restricted_dims": len(restricted), "restricted": ", ".join(restricted)})
    traj = pd.DataFrame(rows)
    ok = traj[traj.density >= min_density]
    pick = int(ok.sort_values(["coverage", "density"], ascending=False).box.iloc[0]) if not ok.empty \
        else int(traj.density.idxmax())
    box = prim_paste(boxes[pick], x, y, alpha)
    lo, hi = x.min(axis=0), x.max(axis=0)
    table = pd.DataFrame({"input": names, "lower": box.lower, "upper": box.upper,
                          "restricted": (box.lower > lo) | (box.upper < hi), "data_min": lo, "data_max": hi})
    return PrimResult(traj, table, {"peeling_box": pick, **box_stats(box, x, y)})


def cart(x: np.ndarray, y: np.ndarray, names: list[str], max_depth: int = 3, min_leaf_share: float = 0.05):
    """A shallow classification tree (sklearn): its rules as text and one row per leaf
    with coverage and density, densest first."""
    from sklearn.tree import DecisionTreeClassifier, export_text
    y = np.asarray(y, int)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(1, int(min_leaf_share * len(y))),
                                  random_state=0).fit(x, y)
    leaf = tree.apply(x)
    rows = []
    for node in np.unique(leaf):
        inside = leaf == node
        rows.append({"leaf": int(node), "n_points": int(inside.sum()), "density": float(y[inside].mean()),
                     "coverage": float(y[inside].sum() / max(y.sum(), 1))})
    leaves = pd.DataFrame(rows).sort_values("density", ascending=False)
    return export_text(tree, feature_names=list(names)), leaves


# ---------------------------------------------------------------- inputs

def table_from_sweep(path: str, outcome: str, horizon: int | None) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One row per done run: swept parameters and the outcome's EU total at the horizon."""
    from .io import ok_runs, open_parameter_sweep
    from .sensitivity import indicator_total
    notes: list[str] = []
    ds, swept = open_parameter_sweep(path)
    keep = ok_runs(ds, notes)
    steps = ds["step"].values
    h = int(steps[-1]) if horizon is None else horizon
    if h not in steps:
        raise AnalysisError(f"--horizon {h}: not a step of {path} ({steps[0]}..{steps[-1]})")
    y = indicator_total(ds.rename(run="replicate"), outcome).sel(step=h).values[keep]
    df = pd.DataFrame({key: ds[var].values.astype(float)[keep] for var, key in swept.items()})
    df[outcome] = y
    return df, list(swept.values()), notes


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/discover",
        description="Scenario discovery: PRIM boxes (peeling trajectory, coverage, density, pasting) and a CART "
                    "tree over a merged sweep or a CSV table of inputs -> outcome.",
        epilog="Examples:\n  scripts/discover --sweep out/sweep/merged.h5 --outcome employment --threshold 1e6 -o out/disc\n"
               "  scripts/discover --table runs.csv --inputs a,b --outcome y --threshold 0.5 -o out/disc\n"
               "Exit codes: 0 ok, 2 bad input or options (nothing written).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--sweep", metavar="SWEEP.h5", help="merged sweep: inputs are its swept__* parameters")
    src.add_argument("--table", metavar="T.csv", help="CSV table with input columns and an outcome column")
    p.add_argument("--inputs", help="comma-separated input columns of --table (default: all but the outcome)")
    p.add_argument("--outcome", required=True, help="outcome: a column of --table, or an indicator of the sweep "
                                                     "(EU total at --horizon)")
    p.add_argument("--threshold", type=float, required=True, help="cases of interest: outcome >= threshold")
    p.add_argument("--below", action="store_true", help="cases of interest are outcome <= threshold instead")
    p.add_argument("--horizon", type=int, metavar="STEP", help="sweep step of the outcome (default: last)")
    p.add_argument("--alpha", type=float, default=0.05, help="peeling/pasting share (default 0.05)")
    p.add_argument("--min-mass", type=float, default=0.05, help="smallest box mass (default 0.05)")
    p.add_argument("--min-density", type=float, default=0.8,
                   help="pick the widest-coverage box with at least this density (default 0.8)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory (replaced atomically)")
    return p.parse_args(argv)


def _load(args) -> tuple[pd.DataFrame, list[str], list[str]]:
    if args.sweep:
        return table_from_sweep(args.sweep, args.outcome, args.horizon)
    path = Path(args.table)
    if not path.is_file():
        raise AnalysisError(f"{path}: no such file")
    df = pd.read_csv(path)
    if args.outcome not in df.columns:
        raise AnalysisError(f"{path}: no column '{args.outcome}' (columns: {', '.join(df.columns)})")
    inputs = [s.strip() for s in args.inputs.split(",")] if args.inputs else [c for c in df.columns if c != args.outcome]
    bad = [c for c in inputs if c not in df.columns or not np.issubdtype(df[c].dtype, np.number)]
    if bad:
        raise AnalysisError(f"{path}: input column(s) {', '.join(bad)} missing or not numeric")
    return df, inputs, []


def run(argv=None) -> int:
    from .io import AtomicDir
    args = parse_args(argv)
    try:
        if not 0 < args.alpha < 0.5 or not 0 < args.min_mass < 1:
            raise AnalysisError("--alpha must be in (0, 0.5) and --min-mass in (0, 1)")
        df, inputs, notes = _load(args)
        df = df.dropna(subset=inputs + [args.outcome])
        x = df[inputs].to_numpy(float)
        y = (df[args.outcome] <= args.threshold) if args.below else (df[args.outcome] >= args.threshold)
        y = y.to_numpy(int)
        res = prim(x, y, inputs, args.alpha, args.min_mass, args.min_density)
        rules, leaves = cart(x, y, inputs)
        with AtomicDir(args.output) as out:
            res.trajectory.to_csv(out / "prim_trajectory.csv", index=False)
            res.box.to_csv(out / "prim_box.csv", index=False)
            leaves.to_csv(out / "cart_leaves.csv", index=False)
            (out / "cart_rules.txt").write_text(rules)
            _plot_trajectory(res, out / "prim_trajectory.png")
            sign = "<=" if args.below else ">="
            md = [f"# Scenario discovery: {args.outcome} {sign} {args.threshold:g}\n",
                  f"- {len(y)} cases, {int(y.sum())} of interest; inputs: {', '.join(inputs)}"]
            md += [f"- {n}" for n in notes]
            s = res.stats
            md += [f"\n## PRIM box (peeling step {s['peeling_box']}, pasted)\n",
                   f"coverage {s['coverage']:.3f}, density {s['density']:.3f}, mass {s['mass']:.3f}\n"]
            md += [f"- {r.input}: [{r.lower:.6g}, {r.upper:.6g}]" for r in res.box.itertuples() if r.restricted]
            md += ["\n## CART rules\n", "```", rules, "```"]
            (out / "summary.md").write_text("\n".join(md) + "\n")
    except AnalysisError as exc:
        print(f"discover: error: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    print(f"discover: PRIM box with coverage {res.stats['coverage']:.2f}, density {res.stats['density']:.2f}; "
          f"written to {args.output}")
    return 0


def _plot_trajectory(res: PrimResult, path: Path) -> None:
    from .plots import plt
    fig, ax = plt.subplots(figsize=(6, 4.5))
    t = res.trajectory
    sc = ax.scatter(t.coverage, t.density, c=t.restricted_dims, cmap="viridis", s=18)
    fig.colorbar(sc, label="restricted inputs")
    ax.plot(t.coverage, t.density, color="grey", lw=0.6)
    ax.scatter([res.stats["coverage"]], [res.stats["density"]], marker="*", s=160, color="tab:red", label="chosen box")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title("PRIM peeling trajectory")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(run())
