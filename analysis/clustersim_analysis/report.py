"""Report writing for compare: CSV tables, summary.md, PNG plots and report.html.

The HTML embeds the plots as base64 data URIs so the one file can be mailed or opened
from disk with no server.
"""
from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on build machines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .indicators import HEADLINE, INDICATORS  # noqa: E402

LEVEL_ORDER = ["less_developed", "transition", "more_developed"]


def fmt(x, digits=4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-3):
        return f"{x:.{digits - 1}e}"
    return f"{x:,.{digits}g}" if abs(x) < 1e4 else f"{x:,.0f}"


def effect_cell(m, lo, hi) -> str:
    return f"{fmt(m)} [{fmt(lo)}, {fmt(hi)}]"


# ---------------------------------------------------------------- plots

def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_eu_effects(eff: pd.DataFrame, scenario: str, baseline: str, indicators: list[str], path: Path) -> Path:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "EU")]
    inds = [i for i in indicators if i in set(sel.indicator)]
    cols = 3
    rows = max(1, math.ceil(len(inds) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(13, 3.2 * rows), squeeze=False)
    for ax, name in zip(axes.flat, inds):
        d = sel[sel.indicator == name].sort_values("step")
        ind = INDICATORS[name]
        ax.fill_between(d.step, d.effect_ci_low, d.effect_ci_high, alpha=0.3, color="tab:blue", label="95% interval")
        ax.plot(d.step, d.effect_mean, color="tab:blue", label="mean effect")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(ind.label, fontsize=10)
        ax.set_xlabel("step (quarter)")
        ax.set_ylabel(f"effect ({ind.units})")
    for ax in list(axes.flat)[len(inds):]:
        ax.axis("off")
    if inds:
        axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"EU total: {scenario} minus {baseline}, paired by replicate", fontsize=12)
    return _save(fig, path)


def plot_group_effects(eff: pd.DataFrame, scenario: str, group_type: str, indicators: list[str],
                       horizon: int, path: Path) -> Path | None:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == group_type) & (eff.step == horizon)]
    inds = [i for i in indicators if i in set(sel.indicator)]
    if not inds:
        return None
    cols = 3
    rows = math.ceil(len(inds) / cols)
    height = 3.2 if group_type == "development_level" else 4.5
    fig, axes = plt.subplots(rows, cols, figsize=(13, height * rows), squeeze=False)
    for ax, name in zip(axes.flat, inds):
        d = sel[sel.indicator == name]
        if group_type == "development_level":
            d = d.set_index("group").reindex([g for g in LEVEL_ORDER if g in set(d.group)]
                                             + sorted(set(d.group) - set(LEVEL_ORDER))).reset_index()
        ind = INDICATORS[name]
        y = np.arange(len(d))
        err = np.vstack([d.effect_mean - d.effect_ci_low, d.effect_ci_high - d.effect_mean])
        ax.barh(y, d.effect_mean, xerr=np.nan_to_num(err), color="tab:orange", alpha=0.8, capsize=3)
        ax.set_yticks(y, d.group, fontsize=8)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(ind.label, fontsize=10)
        ax.set_xlabel(f"effect at step {horizon} ({ind.units})")
    for ax in list(axes.flat)[len(inds):]:
        ax.axis("off")
    fig.suptitle(f"{scenario}: effect by {group_type.replace('_', ' ')} at step {horizon} (bars: 95% interval)",
                 fontsize=12)
    return _save(fig, path)


def plot_top_regions(eff: pd.DataFrame, scenario: str, indicator: str, horizon: int, path: Path, top=20):
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "region") & (eff.step == horizon)
              & (eff.indicator == indicator)].copy()
    if sel.empty:
        return None
    sel = sel.reindex(sel.effect_mean.abs().sort_values(ascending=False).index).head(top)[::-1]
    ind = INDICATORS[indicator]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(sel) + 1.5))
    err = np.vstack([sel.effect_mean - sel.effect_ci_low, sel.effect_ci_high - sel.effect_mean])
    ax.barh(np.arange(len(sel)), sel.effect_mean, xerr=np.nan_to_num(err), color="tab:green", alpha=0.8, capsize=2)
    ax.set_yticks(np.arange(len(sel)), sel.group, fontsize=8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel(f"effect on {ind.label.lower()} at step {horizon} ({ind.units})")
    ax.set_title(f"{scenario}: {len(sel)} regions with the largest effect", fontsize=11)
    return _save(fig, path)


def plot_convergence(conv, scenario: str, baseline: str, path: Path) -> Path:
    from .compare import CONVERGENCE_MEASURES
    measures = list(CONVERGENCE_MEASURES)
    fig, axes = plt.subplots(1, len(measures), figsize=(13, 3.8), squeeze=False)
    for ax, m in zip(axes.flat, measures):
        raw = conv.sigma_raw[(scenario, m)]
        for label, key, color in ((baseline, "baseline", "tab:grey"), (scenario, "scenario", "tab:blue")):
            mean, lo, hi = raw[key]
            ax.fill_between(raw["step"], lo, hi, alpha=0.25, color=color)
            ax.plot(raw["step"], mean, color=color, label=label)
        ax.set_xlabel("step (quarter)")
        ax.set_ylabel("sigma: s.d. of log across regions (log points)")
        ax.set_title("Sigma-convergence of " + CONVERGENCE_MEASURES[m][2], fontsize=10)
        ax.legend(fontsize=8)
    return _save(fig, path)


# ---------------------------------------------------------------- tables

def headline_table(eff: pd.DataFrame, scenario: str, horizon: int, indicators: list[str]) -> pd.DataFrame:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "EU") & (eff.step == horizon)].set_index("indicator")
    rows = []
    for name in indicators:
        if name not in sel.index:
            continue
        r = sel.loc[name]
        rows.append({"indicator": name, "units": r.units, "baseline": fmt(r.baseline_mean),
                     "scenario": fmt(r.scenario_mean),
                     "effect [95% interval]": effect_cell(r.effect_mean, r.effect_ci_low, r.effect_ci_high),
                     "relative (%)": fmt(r.relative_effect_pct, 3),
                     "interval excludes 0": "yes" if r.significant else "no"})
    return pd.DataFrame(rows)


def level_table(eff: pd.DataFrame, scenario: str, horizon: int, indicators: list[str]) -> pd.DataFrame:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "development_level") & (eff.step == horizon)]
    rows = []
    for name in indicators:
        d = sel[sel.indicator == name]
        if d.empty:
            continue
        row = {"indicator": name, "units": d.units.iloc[0]}
        for _, r in d.iterrows():
            row[r.group] = effect_cell(r.effect_mean, r.effect_ci_low, r.effect_ci_high)
        rows.append(row)
    return pd.DataFrame(rows)


def cost_table(costs: pd.DataFrame, scenario: str) -> pd.DataFrame:
    if costs.empty:
        return costs
    sel = costs[costs.scenario == scenario]
    return pd.DataFrame({
        "outcome": sel.label, "source": sel.source,
        "additional spending (EUR)": sel.additional_spending_eur.map(fmt),
        "additional outcome [95%]": [effect_cell(a, b, c) for a, b, c in
                                     zip(sel.additional_outcome, sel.outcome_ci_low, sel.outcome_ci_high)],
        "EUR per outcome [95%]": ["outcome did not increase" if y <= 0 else effect_cell(a, b, c) for a, b, c, y in
                                  zip(sel.eur_per_outcome, sel.eur_per_outcome_ci_low, sel.eur_per_outcome_ci_high,
                                      sel.additional_outcome)],
    })


def convergence_table(conv, scenario: str, horizon: int) -> pd.DataFrame:
    rows = []
    sig = conv.sigma[(conv.sigma.scenario == scenario)]
    for m in sig.measure.unique():
        d = sig[sig.measure == m].set_index("step")
        first, last = d.index.min(), horizon
        row = {"measure": m,
               f"sigma baseline step {first}": fmt(d.loc[first, "sigma_baseline"]),
               f"sigma baseline step {last}": fmt(d.loc[last, "sigma_baseline"]),
               f"sigma scenario step {last}": fmt(d.loc[last, "sigma_scenario"]),
               f"sigma effect step {last} [95%]": effect_cell(d.loc[last, "sigma_effect"],
                                                              d.loc[last, "sigma_effect_ci_low"],
                                                              d.loc[last, "sigma_effect_ci_high"])}
        if not conv.beta.empty:
            b = conv.beta[(conv.beta.scenario == scenario) & (conv.beta.measure == m)]
            if not b.empty:
                b = b.iloc[0]
                row["beta baseline [95%]"] = effect_cell(b.beta_baseline, b.beta_baseline_ci_low, b.beta_baseline_ci_high)
                row["beta scenario [95%]"] = effect_cell(b.beta_scenario, b.beta_scenario_ci_low, b.beta_scenario_ci_high)
                row["beta effect [95%]"] = effect_cell(b.beta_effect, b.beta_effect_ci_low, b.beta_effect_ci_high)
        rows.append(row)
    return pd.DataFrame(rows)


def _md(df: pd.DataFrame) -> str:
    if df.empty:
        return "(none)\n"
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(str(r[c]).replace("|", "/") for c in cols) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- writer

CSS = """body{font-family:sans-serif;max-width:1250px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}
th{background:#eef}td:first-child{text-align:left}img{max-width:100%}.note{background:#ffd;padding:.5em 1em}
code{background:#f4f4f4}"""


def write_report(out: Path, inputs, effects: pd.DataFrame, costs: pd.DataFrame, conv, horizon: int,
                 indicators: list[str], regions_over_time: bool) -> None:
    out = Path(out)
    (out / "plots").mkdir()
    at_h = effects[effects.step == horizon]
    at_h.to_csv(out / "effects_at_horizon.csv", index=False)
    over_time = effects if regions_over_time else effects[effects.group_type != "region"]
    over_time.to_csv(out / "effects_over_time.csv", index=False)
    costs.to_csv(out / "cost_effectiveness.csv", index=False)
    conv.sigma.to_csv(out / "convergence_sigma.csv", index=False)
    conv.beta.to_csv(out / "convergence_beta.csv", index=False)

    headline = [i for i in HEADLINE if i in indicators] or indicators
    base = inputs.scenarios[inputs.baseline]
    meta = [("baseline", f"{inputs.baseline} ({inputs.sources[inputs.baseline]})"),
            ("horizon", f"step {horizon} (quarter; {horizon / 4:g} years)"),
            ("clustersim version", str(base.attrs.get("clustersim_version", "?")))]
    md = [f"# clustersim comparison against '{inputs.baseline}'\n"]
    md += [f"- {k}: {v}" for k, v in meta]
    md.append("- effects: scenario minus baseline, paired by replicate; mean and 95 % t-interval over "
              "replicates (docs/ANALYSIS.md)\n")
    body = [f"<h1>clustersim comparison against '{html.escape(inputs.baseline)}'</h1><ul>"]
    body += [f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in meta]
    body.append("<li>Effects are scenario minus baseline, paired by replicate: mean and 95&nbsp;% "
                "t-interval over replicates. Tables: CSV files beside this report.</li></ul>")
    if inputs.notes:
        md.append("## Notes\n")
        md += [f"- {n}" for n in inputs.notes]
        md.append("")
        body.append("<div class='note'><b>Notes</b><ul>"
                    + "".join(f"<li>{html.escape(n)}</li>" for n in inputs.notes) + "</ul></div>")

    def img(path: Path | None, alt: str) -> str:
        if path is None:
            return ""
        data = base64.b64encode(path.read_bytes()).decode()
        return f"<p><img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'></p>"

    def table(df: pd.DataFrame) -> str:
        return "<p>(none)</p>" if df.empty else df.to_html(index=False, escape=True, border=0)

    for name in inputs.others:
        n_rep = int(effects[effects.scenario == name].n_replicates.max())
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        md.append(f"## {name} (source {inputs.sources[name]}, {n_rep} paired replicates)\n")
        body.append(f"<h2>{html.escape(name)}</h2><p>source {html.escape(inputs.sources[name])}, "
                    f"{n_rep} paired replicates</p>")
        p_eu = plot_eu_effects(effects, name, inputs.baseline, headline, out / "plots" / f"{safe}_eu_over_time.png")
        p_lv = plot_group_effects(effects, name, "development_level", headline, horizon,
                                  out / "plots" / f"{safe}_by_development_level.png")
        p_sec = plot_group_effects(effects, name, "sector", headline, horizon, out / "plots" / f"{safe}_by_sector.png")
        reg_ind = "employment" if "employment" in indicators else indicators[0]
        p_reg = plot_top_regions(effects, name, reg_ind, horizon, out / "plots" / f"{safe}_top_regions.png")
        p_cv = plot_convergence(conv, name, inputs.baseline, out / "plots" / f"{safe}_convergence.png")

        tables = [("EU total at the horizon", headline_table(effects, name, horizon, indicators), p_eu),
                  ("By development level at the horizon", level_table(effects, name, horizon, headline), p_lv),
                  ("By sector at the horizon", pd.DataFrame(), p_sec),
                  ("Regions with the largest effect", pd.DataFrame(), p_reg)]
        for title, df, plot in tables:
            md.append(f"### {title}\n")
            if not df.empty:
                md.append(_md(df))
            if plot is not None:
                md.append(f"![{title}](plots/{plot.name})\n")
            body.append(f"<h3>{html.escape(title)}</h3>" + ("" if df.empty else table(df)) + img(plot, title))
        ct = cost_table(costs, name)
        md.append("### Cost-effectiveness (additional public EUR per additional outcome)\n")
        body.append("<h3>Cost-effectiveness (additional public EUR per additional outcome)</h3>")
        if ct.empty:
            md.append("No instrument spending recorded: cost-effectiveness not computed.\n")
            body.append("<p>No instrument spending recorded: cost-effectiveness not computed.</p>")
        else:
            md.append(_md(ct))
            body.append(table(ct) + "<p>An interval is n/a when the outcome's own interval includes 0 "
                                    "(the cost per outcome is then unbounded).</p>")
        cv = convergence_table(conv, name, horizon)
        md.append("### Regional convergence\n")
        md.append(_md(cv))
        md.append(f"![convergence](plots/{p_cv.name})\n")
        body.append("<h3>Regional convergence</h3><p>Sigma: standard deviation across regions of the log "
                    "measure (falling = converging). Beta: slope of yearly log growth from step 0 to the "
                    "horizon on the initial log level (negative = poorer regions catch up).</p>"
                    + table(cv) + img(p_cv, "convergence"))
    (out / "summary.md").write_text("\n".join(md) + "\n")
    doc = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>clustersim comparison</title>"
           f"<style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n")
    (out / "report.html").write_text(doc)
