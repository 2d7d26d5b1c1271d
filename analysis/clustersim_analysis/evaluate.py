"""Counterfactual impact evaluation against the known truth.

An evaluator sees one world: supported SMEs and the others, before and after. They
estimate the effect of support on the supported (the ATT) by difference-in-differences
and by propensity-score matching on pre-treatment attributes. The simulation also knows
the world without the instrument: the paired counterfactual run (same seeds, instrument
off) holds every panel SME's outcome had it not been supported, so the TRUE effect on
each supported SME is its outcome minus its own counterfactual outcome. This module
estimates as an evaluator would and reports each estimator's bias against that truth,
with the deadweight and additionality of the support.

Inputs: two run files with the SME panel (docs/ANALYSIS.md, "SME panel"): the scenario
and its counterfactual. Usage: scripts/evaluate SCENARIO.h5 COUNTERFACTUAL.h5 -o DIR
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import AnalysisError, USAGE_EXIT_CODE
from .stats import t_interval

PANEL_DIM = "panel_sme"
PANEL_ID = "panel_sme_id"
SUPPORT = "panel_support_eur"
ALIVE = "panel_alive"
PANEL_SERIES = ("panel_employees", "panel_turnover_eur", "panel_productivity_eur", SUPPORT, ALIVE)
CATEGORIES = ("panel_region", "panel_sector")   # optional, used as matching covariates
COVARIATES = ("panel_employees", "panel_turnover_eur", "panel_productivity_eur")
ESTIMATORS = ("naive", "did", "psm", "psm_did")


# ---------------------------------------------------------------- reading

def open_panel(path: str) -> xr.Dataset:
    """A run file's SME panel, checked: the panel dimension and variables of docs/ANALYSIS.md."""
    p = Path(path)
    if not p.is_file():
        raise AnalysisError(f"{p}: no such file")
    try:
        ds = xr.open_dataset(p, engine="h5netcdf").load()
    except Exception as exc:  # h5py raises many types for a non-HDF5 file
        raise AnalysisError(f"{p}: not a netCDF-4/HDF5 file ({type(exc).__name__}: {exc})") from None
    if PANEL_DIM not in ds.dims:
        raise AnalysisError(f"{p}: no '{PANEL_DIM}' dimension: the run has no SME panel (docs/ANALYSIS.md, 'SME panel')")
    for var in (PANEL_ID,) + PANEL_SERIES:
        if var not in ds.variables:
            raise AnalysisError(f"{p}: the SME panel lacks '{var}'")
    for var in PANEL_SERIES:
        if tuple(ds[var].dims) != ("replicate", "step", PANEL_DIM):
            raise AnalysisError(f"{p}: '{var}' has dims {ds[var].dims}, expected (replicate, step, {PANEL_DIM})")
    ds.attrs["_source_path"] = str(p)
    return ds


def _per_replicate(ds: xr.Dataset, var: str, r: int) -> np.ndarray:
    da = ds[var]
    return (da.sel(replicate=r) if "replicate" in da.dims else da).values


def replicate_frame(ds: xr.Dataset, r: int, outcome: str, pre: int, post: int) -> pd.DataFrame:
    """One row per panel SME of replicate r, indexed by its id: outcome before and after,
    support, survival and the pre-treatment covariates."""
    ids = _per_replicate(ds, PANEL_ID, r).astype(np.int64)
    one = ds.sel(replicate=r)
    steps = ds["step"].values
    df = pd.DataFrame(index=pd.Index(ids, name="id"))
    df["y_pre"] = one[outcome].sel(step=pre).values
    df["y_post"] = one[outcome].sel(step=post).values
    window = (steps >= 1) & (steps <= post)
    df["support_eur"] = one[SUPPORT].isel(step=window).sum("step").values
    df["alive"] = (one[ALIVE].sel(step=pre).values > 0) & (one[ALIVE].sel(step=post).values > 0)
    for var in COVARIATES:
        df[f"pre_{var}"] = one[var].sel(step=pre).values
        if pre >= 1:
            df[f"trend_{var}"] = one[var].sel(step=pre).values - one[var].sel(step=pre - 1).values
    for var in CATEGORIES:
        if var in ds.variables:
            df[var] = [str(v) for v in _per_replicate(ds, var, r)]
    return df[~df.index.duplicated()]


# ---------------------------------------------------------------- estimators

def did(df: pd.DataFrame) -> tuple[float, float]:
    """Difference-in-differences ATT and its heteroscedasticity-robust standard error:
    OLS of (y_post - y_pre) on the treated flag (two periods, treated vs never treated)."""
    import statsmodels.api as sm
    dy = (df.y_post - df.y_pre).to_numpy(float)
    x = sm.add_constant(df.treated.to_numpy(float))
    fit = sm.OLS(dy, x).fit(cov_type="HC1")
    return float(fit.params[1]), float(fit.bse[1])


def propensity(df: pd.DataFrame) -> np.ndarray:
    """Logit propensity of treatment on pre-treatment attributes: log size and turnover,
    productivity, pre-period trends, region and sector dummies (standardised)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    cols = [c for c in df.columns if c.startswith(("pre_", "trend_"))]
    x = df[cols].astype(float).copy()
    for c in ("pre_panel_employees", "pre_panel_turnover_eur"):
        if c in x:
            x[c] = np.log1p(x[c].clip(lower=0))
    dummies = [pd.get_dummies(df[c], prefix=c, drop_first=True, dtype=float) for c in CATEGORIES if c in df]
    x = pd.concat([x] + dummies, axis=1).fillna(0.0)
    z = StandardScaler().fit_transform(x.to_numpy(float))
    model = LogisticRegression(C=1e4, max_iter=2000).fit(z, df.treated.to_numpy(int))
    return model.predict_proba(z)[:, 1]


def psm(df: pd.DataFrame, score: np.ndarray) -> tuple[float, float, float]:
    """1:1 nearest-neighbour matching on the propensity score, with replacement, among
    controls on common support. Returns (ATT on levels, ATT on changes, share of treated
    on common support)."""
    t = df.treated.to_numpy(bool)
    st, sc = score[t], score[~t]
    support = (st >= sc.min()) & (st <= sc.max())
    order = np.argsort(sc)
    pos = np.clip(np.searchsorted(sc[order], st), 1, len(sc) - 1)
    left, right = order[pos - 1], order[pos]
    nearest = np.where(np.abs(sc[left] - st) <= np.abs(sc[right] - st), left, right)
    yt, yc = df.y_post.to_numpy(float)[t], df.y_post.to_numpy(float)[~t]
    dt, dc = (df.y_post - df.y_pre).to_numpy(float)[t], (df.y_post - df.y_pre).to_numpy(float)[~t]
    m = support
    return (float(np.mean(yt[m] - yc[nearest[m]])), float(np.mean(dt[m] - dc[nearest[m]])), float(m.mean()))


@dataclass
class ReplicateResult:
    replicate: int
    n_treated: int
    n_controls: int
    true_att: float
    estimates: dict
    did_se: float
    common_support: float
    deadweight_share: float
    share_no_effect: float
    support_eur: float


def evaluate_replicate(sc: pd.DataFrame, cf: pd.DataFrame, r: int) -> ReplicateResult:
    """Estimates on the scenario run's panel; the truth from the counterfactual run's
    outcomes for the same SMEs (by id)."""
    df = sc[sc.alive].copy()
    df["treated"] = df.support_eur > 0
    n_t, n_c = int(df.treated.sum()), int((~df.treated).sum())
    if n_t < 2 or n_c < 2:
        raise AnalysisError(f"replicate {r}: {n_t} supported and {n_c} unsupported panel SMEs alive at the pre and "
                            "post steps; need at least 2 of each")
    treated = df[df.treated]
    cf_post = cf.y_post.reindex(treated.index)
    both = cf_post.notna() & cf.alive.reindex(treated.index).fillna(False).astype(bool)
    true_effect = (treated.y_post - cf_post)[both]
    naive = float(df[df.treated].y_post.mean() - df[~df.treated].y_post.mean())
    d, d_se = did(df)
    p_level, p_change, support = psm(df, propensity(df))
    observed = float((treated.y_post - treated.y_pre)[both].sum())
    anyway = float((cf_post - treated.y_pre)[both].sum())
    scale = max(float(np.abs(treated.y_post).mean()), 1e-12)
    return ReplicateResult(
        r, n_t, n_c, float(true_effect.mean()), {"naive": naive, "did": d, "psm": p_level, "psm_did": p_change},
        d_se, support, anyway / observed if observed > 0 else np.nan,
        float(np.mean(np.abs(true_effect) <= 1e-9 * scale)), float(treated.support_eur.sum()))


def evaluate(scenario: xr.Dataset, counterfactual: xr.Dataset, outcome: str, pre: int | None = None,
             post: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Per-replicate rows and a summary per estimator (mean, 95 % interval over
    replicates, bias against the true ATT, RMSE)."""
    src = scenario.attrs.get("_source_path", "scenario")
    if outcome not in scenario.variables or outcome not in counterfactual.variables:
        raise AnalysisError(f"{src}: outcome '{outcome}' is not a panel variable of both files")
    steps = scenario["step"].values
    if not np.array_equal(steps, counterfactual["step"].values):
        raise AnalysisError(f"{counterfactual.attrs.get('_source_path')}: steps differ from {src}")
    support_steps = steps[(scenario[SUPPORT] > 0).any(["replicate", PANEL_DIM]).values]
    if support_steps.size == 0:
        raise AnalysisError(f"{src}: no panel SME received support ({SUPPORT} is 0 everywhere)")
    pre = max(int(support_steps.min()) - 1, int(steps[0])) if pre is None else pre
    post = int(steps[-1]) if post is None else post
    if pre not in steps or post not in steps or pre >= post:
        raise AnalysisError(f"--pre-step {pre} / --post-step {post}: need steps of the run with pre < post")
    if (support_steps <= pre).any():
        raise AnalysisError(f"{src}: support is paid at step {int(support_steps.min())}, not after the pre step {pre}")
    reps = np.intersect1d(scenario["replicate"].values, counterfactual["replicate"].values)
    if reps.size == 0:
        raise AnalysisError(f"{src}: no replicate in common with the counterfactual")
    rows = []
    for r in reps:
        res = evaluate_replicate(replicate_frame(scenario, int(r), outcome, pre, post),
                                 replicate_frame(counterfactual, int(r), outcome, pre, post), int(r))
        for est, value in res.estimates.items():
            rows.append({"replicate": res.replicate, "estimator": est, "estimate": value, "true_att": res.true_att,
                         "bias": value - res.true_att, "n_treated": res.n_treated, "n_controls": res.n_controls,
                         "did_se": res.did_se, "common_support": res.common_support,
                         "deadweight_share": res.deadweight_share, "additionality_share": 1 - res.deadweight_share,
                         "share_treated_no_effect": res.share_no_effect, "support_eur": res.support_eur})
    per_rep = pd.DataFrame(rows)
    return per_rep, summarise(per_rep), {"pre_step": pre, "post_step": post, "outcome": outcome,
                                         "replicates": int(reps.size)}


def summarise(per_rep: pd.DataFrame) -> pd.DataFrame:
    out = []
    for est in ESTIMATORS:
        d = per_rep[per_rep.estimator == est]
        m, lo, hi, n = t_interval(d.estimate.to_numpy())
        bm, blo, bhi, _ = t_interval(d.bias.to_numpy())
        out.append({"estimator": est, "estimate": float(m), "estimate_ci_low": float(lo),
                    "estimate_ci_high": float(hi), "true_att": float(d.true_att.mean()), "bias": float(bm),
                    "bias_ci_low": float(blo), "bias_ci_high": float(bhi),
                    "rmse": float(np.sqrt(np.mean(d.bias.to_numpy() ** 2))), "replicates": int(n)})
    return pd.DataFrame(out)


# ---------------------------------------------------------------- command

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/evaluate",
        description="Counterfactual impact evaluation: difference-in-differences and propensity-score matching "
                    "on the SME panel of a scenario run, compared with the true effect on the supported SMEs "
                    "from the paired counterfactual run (same seeds, instrument off). Reports bias, deadweight "
                    "and additionality.",
        epilog="Example:\n  scripts/evaluate out/vouchers.h5 out/no_vouchers.h5 --outcome panel_employees -o out/cie\n"
               "Exit codes: 0 ok, 2 bad input or options (nothing written).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", metavar="SCENARIO.h5", help="run with the instrument (and the SME panel)")
    p.add_argument("counterfactual", metavar="COUNTERFACTUAL.h5", help="the same scenario and seeds, instrument off")
    p.add_argument("--outcome", default="panel_employees", help="panel outcome variable (default panel_employees)")
    p.add_argument("--pre-step", type=int, help="pre-treatment step (default: the step before the first support)")
    p.add_argument("--post-step", type=int, help="post step (default: last)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory (replaced atomically)")
    return p.parse_args(argv)


def run(argv=None) -> int:
    from .io import AtomicDir
    args = parse_args(argv)
    try:
        per_rep, summary, meta = evaluate(open_panel(args.scenario), open_panel(args.counterfactual), args.outcome,
                                          args.pre_step, args.post_step)
        with AtomicDir(args.output) as out:
            per_rep.to_csv(out / "estimates_by_replicate.csv", index=False)
            summary.to_csv(out / "estimators.csv", index=False)
            (out / "summary.md").write_text(summary_md(per_rep, summary, meta, args))
    except AnalysisError as exc:
        print(f"evaluate: error: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    print(summary_md(per_rep, summary, meta, args))
    return 0


def summary_md(per_rep, summary, meta, args) -> str:
    first = per_rep.drop_duplicates("replicate")
    dw = t_interval(first.deadweight_share.to_numpy())
    lines = [f"# Counterfactual impact evaluation: {meta['outcome']}\n",
             f"- scenario {args.scenario}, counterfactual {args.counterfactual}; {meta['replicates']} replicate(s)",
             f"- pre step {meta['pre_step']}, post step {meta['post_step']}; "
             f"{first.n_treated.mean():.0f} supported and {first.n_controls.mean():.0f} unsupported panel SMEs "
             "alive at both (mean per replicate)",
             f"- true ATT (supported SMEs, outcome minus their own counterfactual outcome): "
             f"{summary.true_att.iloc[0]:.4g}",
             f"- deadweight (share of the supported SMEs' change that happens without support): {dw[0]:.3f} "
             f"[{dw[1]:.3f}, {dw[2]:.3f}]; additionality {1 - dw[0]:.3f}",
             f"- supported SMEs whose outcome support did not change: {first.share_treated_no_effect.mean():.1%}\n",
             "| estimator | estimate [95%] | bias [95%] | RMSE |", "|---|---|---|---|"]
    for r in summary.itertuples():
        lines.append(f"| {r.estimator} | {r.estimate:.4g} [{r.estimate_ci_low:.4g}, {r.estimate_ci_high:.4g}] | "
                     f"{r.bias:.4g} [{r.bias_ci_low:.4g}, {r.bias_ci_high:.4g}] | {r.rmse:.4g} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(run())
