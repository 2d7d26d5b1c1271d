"""Report writing for compare: CSV tables, summary.md, PNG plots and report.html.

The HTML has no script and embeds the plots as base64 data URIs, so the one file can be
mailed or opened from disk with no server. It opens with the world's scale, a table of
contents and an executive summary (headline effects at the horizon, extra public
spending), then one section per scenario: effects over time, the money, groups,
cost per outcome and regional convergence.
"""
from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .effects import PUBLIC_SOURCES, spend_by_source
from .money import has_instruments, instrument_table, windows
from .plots import (TimeAxis, human, plot_convergence, plot_eu_effects, plot_group_effects, plot_money,
                    plot_top_regions)


def fmt(x, digits=4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    x = float(x)
    if x != 0 and abs(x) < 1e-3:
        return f"{x:.{digits - 1}e}"
    if abs(x) >= 1e6:
        return human(x)
    return f"{x:,.{digits}g}" if abs(x) < 1e4 else f"{x:,.0f}"


def pct(x) -> str:
    """A relative effect in percent, in plain notation: 0.001 rather than 8.6e-04."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.3f}" if abs(x) < 10 else f"{x:,.1f}"


def spending_change(extra: float) -> str:
    """The change in public spending, worded: a negative change is a saving, not a cost."""
    if extra > 0:
        return f"extra public spending EUR {fmt(extra)}"
    if extra < 0:
        return f"public spending EUR {fmt(-extra)} lower than the baseline's (money moved or saved)"
    return "no change in public spending"


def effect_cell(m, lo, hi) -> str:
    return f"{fmt(m)} [{fmt(lo)}, {fmt(hi)}]"


def anchor(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


# ---------------------------------------------------------------- facts

def world_scale(ds: xr.Dataset) -> str:
    """One line on the size of the simulated world, from the file itself."""
    parts = []
    if "smes_active" in ds.variables:
        parts.append(f"{float(ds['smes_active'].isel(step=0).sum('region').mean('replicate')):,.0f} SMEs at step 0")
    for dim, noun in (("region", "regions"), ("sector", "industrial ecosystems"), ("cluster", "cluster organisations")):
        if dim in ds.dims:
            parts.append(f"{ds.sizes[dim]} {noun}")
    if "replicate" in ds.dims:
        parts.append(f"{ds.sizes['replicate']} replicate(s) of {ds.sizes['step'] - 1} quarters")
    return ", ".join(parts)


def public_spending(ds: xr.Dataset, horizon: int) -> float:
    s = spend_by_source(ds, horizon)
    if s is None:
        return 0.0
    cols = [c for c in map(str, s["source"].values) if c in PUBLIC_SOURCES or c.startswith("all")]
    return float(s.sel(source=cols).sum("source").mean("replicate")) if cols else 0.0


# ---------------------------------------------------------------- tables

def headline_table(eff: pd.DataFrame, scenario: str, horizon: int, indicators: list[str]) -> pd.DataFrame:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "EU") & (eff.step == horizon)].set_index("indicator")
    rows = []
    for name in indicators:
        if name not in sel.index:
            continue
        r = sel.loc[name]
        rows.append({"indicator": r.label, "variable": name,
                     "measured": "total over steps 1..h" if r.kind == "flow" else "at the horizon",
                     "units": r.units or "count", "baseline": fmt(r.baseline_mean), "scenario": fmt(r.scenario_mean),
                     "effect [95% interval]": effect_cell(r.effect_mean, r.effect_ci_low, r.effect_ci_high),
                     "relative (%)": pct(r.relative_effect_pct),
                     "interval excludes 0": "yes" if r.significant else "no"})
    return pd.DataFrame(rows)


def summary_table(eff: pd.DataFrame, scenario: str, horizon: int, indicators: list[str]) -> pd.DataFrame:
    """The executive summary's rows: effects whose interval excludes 0 first, by size."""
    t = headline_table(eff, scenario, horizon, indicators)
    if t.empty:
        return t
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "EU") & (eff.step == horizon)].set_index("indicator")
    t["_rel"] = [abs(sel.loc[v, "relative_effect_pct"]) if np.isfinite(sel.loc[v, "relative_effect_pct"]) else 0
                 for v in t.variable]
    t["_sig"] = t["interval excludes 0"] == "yes"
    t = t.sort_values(["_sig", "_rel"], ascending=False)
    return t[["indicator", "units", "measured", "effect [95% interval]", "relative (%)", "interval excludes 0"]]


def moving_indicators(eff: pd.DataFrame, scenario: str, indicators: list[str]) -> tuple[list[str], list[str]]:
    """Indicators whose EU total differs from the baseline in some replicate at some step,
    and those that never do (a plot of zeros says nothing)."""
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "EU")]
    spread = sel.groupby("indicator")[["effect_mean", "effect_ci_low", "effect_ci_high"]].apply(
        lambda d: float(np.nanmax(np.abs(d.to_numpy()))) if np.isfinite(d.to_numpy()).any() else 0.0)
    moved = [i for i in indicators if i in spread.index and spread[i] > 0]
    return moved, [i for i in indicators if i in spread.index and spread[i] == 0]


def level_table(eff: pd.DataFrame, scenario: str, horizon: int, indicators: list[str]) -> pd.DataFrame:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "development_level") & (eff.step == horizon)]
    rows = []
    for name in indicators:
        d = sel[sel.indicator == name]
        if d.empty:
            continue
        row = {"indicator": d.label.iloc[0], "units": d.units.iloc[0] or "count"}
        for _, r in d.iterrows():
            row[r.group] = effect_cell(r.effect_mean, r.effect_ci_low, r.effect_ci_high)
        rows.append(row)
    return pd.DataFrame(rows)


STATUS_TEXT = {"budget-neutral": "budget-neutral: compare effects",
               "no additional spending": "no additional spending",
               "outcome did not increase": "outcome did not increase",
               "outcome interval includes 0": "n/a: the outcome's interval includes 0",
               "reallocation": "reallocated between public sources: see public (all)"}


def cost_table(costs: pd.DataFrame, scenario: str) -> pd.DataFrame:
    if costs.empty:
        return costs
    sel = costs[costs.scenario == scenario]
    return pd.DataFrame({
        "outcome": sel.label, "measured as": sel.measured_as, "source": sel.source,
        "additional spending (EUR)": sel.additional_spending_eur.map(fmt),
        "additional outcome [95%]": [effect_cell(a, b, c) for a, b, c in
                                     zip(sel.additional_outcome, sel.outcome_ci_low, sel.outcome_ci_high)],
        "EUR per outcome [95%]": [STATUS_TEXT.get(s) or effect_cell(a, b, c) for a, b, c, s in
                                  zip(sel.eur_per_outcome, sel.eur_per_outcome_ci_low, sel.eur_per_outcome_ci_high,
                                      sel.status)],
    })


def money_table(ds: xr.Dataset) -> pd.DataFrame:
    t = instrument_table(ds)
    for col in t.columns:
        if col in ("success rate", "failed share of awards"):
            t[col] = t[col].map(lambda v: "n/a" if not np.isfinite(v) else f"{100 * v:.0f} %")
        elif col not in ("instrument", "type"):
            t[col] = t[col].map(fmt)
    return t


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
                for k in ("baseline", "scenario", "effect"):
                    row[f"beta {k} [95%]"] = effect_cell(b[f"beta_{k}"], b[f"beta_{k}_ci_low"], b[f"beta_{k}_ci_high"])
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- document

CSS = """body{font-family:sans-serif;max-width:1250px;margin:2em auto;color:#222;line-height:1.35}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}
th{background:#eef}td:first-child{text-align:left}img{max-width:100%}.note{background:#ffd;padding:.5em 1em}
code{background:#f4f4f4}nav{background:#f6f6fa;padding:.5em 1.5em;border:1px solid #dde}
.summary{border-left:4px solid #1f4e9c;padding-left:1em}h2{border-bottom:1px solid #ccc;margin-top:2em}"""


class Doc:
    """Builds report.html and summary.md side by side, with a table of contents."""

    def __init__(self, out: Path):
        self.out, self.html, self.md, self.toc = out, [], [], []

    def heading(self, level: int, text: str, ident: str | None = None) -> None:
        ident = ident or anchor(text)
        if level <= 3:
            self.toc.append((level, text, ident))
        self.html.append(f"<h{level} id='{ident}'>{html.escape(text)}</h{level}>")
        self.md.append(f"{'#' * level} {text}\n")

    def para(self, text: str, css: str = "") -> None:
        self.html.append(f"<p{f' class={css!r}' if css else ''}>{html.escape(text)}</p>")
        self.md.append(text + "\n")

    def bullets(self, items: list[str], css: str = "") -> None:
        self.html.append(f"<ul{f' class={css!r}' if css else ''}>"
                         + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>")
        self.md += [f"- {i}" for i in items] + [""]

    def table(self, df: pd.DataFrame) -> None:
        if df.empty:
            self.para("(none)")
            return
        self.html.append(df.to_html(index=False, escape=True, border=0))
        cols = list(df.columns)
        lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(str(r[c]).replace("|", "/") for c in cols) + " |" for _, r in df.iterrows()]
        self.md.append("\n".join(lines) + "\n")

    def image(self, path: Path | None, alt: str) -> None:
        if path is None:
            return
        data = base64.b64encode(path.read_bytes()).decode()
        self.html.append(f"<p><img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'></p>")
        self.md.append(f"![{alt}](plots/{path.name})\n")

    def write(self, title: str, head: list[str], head_md: list[str]) -> None:
        nav = "<nav><b>Contents</b><ul>" + "".join(
            f"<li style='margin-left:{(lvl - 2) * 1.5}em'><a href='#{i}'>{html.escape(t)}</a></li>"
            for lvl, t, i in self.toc) + "</ul></nav>"
        doc = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
               f"<style>{CSS}</style></head><body>" + "\n".join(head) + nav + "\n".join(self.html)
               + "</body></html>\n")
        (self.out / "report.html").write_text(doc)
        toc_md = ["## Contents\n"] + [f"{'  ' * (lvl - 2)}- [{t}](#{i})" for lvl, t, i in self.toc] + [""]
        (self.out / "summary.md").write_text("\n".join(head_md + toc_md + self.md) + "\n")


def _executive_summary(doc: Doc, inputs, effects, costs, horizon, indicators, axis) -> None:
    doc.heading(2, "Executive summary", "summary")
    base = inputs.scenarios[inputs.baseline]
    for name in inputs.others:
        n_rep = int(effects[effects.scenario == name].n_replicates.max())
        extra = public_spending(inputs.scenarios[name], horizon) - public_spending(base, horizon)
        doc.heading(3, f"{name}: headline effects at {axis.describe(horizon)}", f"summary-{anchor(name)}")
        doc.para(f"Scenario minus baseline '{inputs.baseline}', paired by replicate ({n_rep} pairs), mean and 95 % "
                 f"interval; over steps 1..{horizon}, {spending_change(extra)}. "
                 "Stocks are compared at the horizon, flows summed over it.", "summary")
        moved, unmoved = moving_indicators(effects, name, indicators)
        doc.table(summary_table(effects, name, horizon, moved))
        if unmoved:
            doc.para(f"{len(unmoved)} indicator(s) identical to the baseline in every replicate: "
                     + ", ".join(unmoved) + ".")
        job = costs[(costs.scenario == name) & (costs.outcome == "job") & (costs.source == "public (all)")]
        if not job.empty:
            r = job.iloc[0]
            text = STATUS_TEXT.get(r.status) or effect_cell(r.eur_per_outcome, r.eur_per_outcome_ci_low,
                                                             r.eur_per_outcome_ci_high)
            doc.para(f"Public EUR per additional job: {text}.", "summary")


def _scenario_section(doc: Doc, inputs, name, effects, costs, conv, horizon, indicators, axis) -> None:
    ds = inputs.scenarios[name]
    plots = doc.out / "plots"
    safe = anchor(name)
    wins = windows(ds)
    n_rep = int(effects[effects.scenario == name].n_replicates.max())
    doc.heading(2, f"Scenario {name}", f"s-{safe}")
    doc.para(f"source {inputs.sources[name]}, {n_rep} paired replicates")
    if wins:
        doc.bullets([f"instrument {w.instrument}: quarters {w.start}..{w.end}"
                     + (f", stopped at step {w.stop}" if w.stop else "") + " (shaded on time plots)" for w in wins])
    doc.heading(3, "EU total over time", f"s-{safe}-eu")
    moved, unmoved = moving_indicators(effects, name, indicators)
    doc.table(headline_table(effects, name, horizon, moved))  # rows of 0 [0, 0] say nothing: listed below
    if unmoved:
        doc.para("Identical to the baseline in every paired replicate at every step (not plotted): "
                 + ", ".join(unmoved) + ".")
    if moved:
        doc.image(plot_eu_effects(effects, name, inputs.baseline, moved, axis, wins, plots / f"{safe}_eu.png"),
                  "EU total over time")
    doc.heading(3, "Money: spending, calls, failures, returned funds", f"s-{safe}-money")
    if has_instruments(ds):
        doc.table(money_table(ds))
        doc.image(plot_money(ds, name, axis, wins, plots / f"{safe}_money.png"), "money")
    else:
        doc.para("This scenario has no instruments.")
    for title, gt in (("By development level", "development_level"), ("By sector", "sector")):
        doc.heading(3, f"{title} at the horizon", f"s-{safe}-{gt}")
        if gt == "development_level":
            doc.table(level_table(effects, name, horizon, moved))
        doc.image(plot_group_effects(effects, name, gt, moved, horizon, plots / f"{safe}_{gt}.png"), title)
    doc.heading(3, "Regions with the largest effect", f"s-{safe}-regions")
    reg = "employment" if "employment" in indicators else indicators[0]
    doc.image(plot_top_regions(effects, name, reg, horizon, plots / f"{safe}_regions.png"), "regions")
    doc.heading(3, "Cost per additional outcome", f"s-{safe}-cost")
    ct = cost_table(costs, name)
    if ct.empty:
        doc.para("No instrument spending recorded: cost-effectiveness not computed.")
    else:
        doc.table(ct)
        doc.para("Additional public EUR (eu + national + regional instrument money and the clusters' public core "
                 "funding; per source below it) over steps 1..h per additional outcome. Budget-neutral: money moved "
                 "between public sources with a net change within 1 % of it, so compare the effects directly. "
                 "No ratio is given when the outcome's own interval includes 0 (the outcome may not have changed), "
                 "nor for a public source that gained what another lost while public spending did not rise. "
                 "Sources whose spending the scenario did not change are left out, and so is a source that made "
                 "the whole change (its row would repeat the public total's; the money section names it).")
    doc.heading(3, "Regional convergence", f"s-{safe}-convergence")
    doc.para("Sigma: standard deviation across regions of the log measure (falling = converging). Beta: slope "
             "of yearly log growth from step 0 to the horizon on the initial log level (negative = poorer "
             "regions catch up).")
    doc.table(convergence_table(conv, name, horizon))
    doc.image(plot_convergence(conv, name, inputs.baseline, axis, wins, plots / f"{safe}_convergence.png"),
              "convergence")


def write_report(out: Path, inputs, effects: pd.DataFrame, costs: pd.DataFrame, conv, horizon: int,
                 indicators: list[str], regions_over_time: bool) -> None:
    out = Path(out)
    (out / "plots").mkdir()
    effects[effects.step == horizon].to_csv(out / "effects_at_horizon.csv", index=False)
    (effects if regions_over_time else effects[effects.group_type != "region"]).to_csv(
        out / "effects_over_time.csv", index=False)
    costs.to_csv(out / "cost_effectiveness.csv", index=False)
    conv.sigma.to_csv(out / "convergence_sigma.csv", index=False)
    conv.beta.to_csv(out / "convergence_beta.csv", index=False)

    base = inputs.scenarios[inputs.baseline]
    axis = TimeAxis(base)
    meta = [("baseline", f"{inputs.baseline} ({inputs.sources[inputs.baseline]})"),
            ("world", world_scale(base)),
            ("horizon", f"{axis.describe(horizon)}: {horizon} quarters, {horizon / 4:g} years"),
            ("clustersim version", str(base.attrs.get("clustersim_version", "?")))]
    title = f"clustersim comparison against '{inputs.baseline}'"
    head = [f"<h1>{html.escape(title)}</h1><ul>"] + [
        f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in meta] + [
        "<li>Effects are scenario minus baseline, paired by replicate: mean and 95&nbsp;% t-interval over "
        "replicates. Tables: CSV files beside this report.</li></ul>"]
    head_md = [f"# {title}\n"] + [f"- {k}: {v}" for k, v in meta] + [""]
    doc = Doc(out)
    _executive_summary(doc, inputs, effects, costs, horizon, indicators, axis)
    if inputs.notes:
        doc.heading(2, "Notes", "notes")
        doc.bullets(inputs.notes, "note")
    for name in inputs.others:
        _scenario_section(doc, inputs, name, effects, costs, conv, horizon, indicators, axis)
    doc.write(title, head, head_md)
