"""compare: paired effects, intervals, cost per outcome, convergence, merged sweeps, bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from conftest import merged_sweep, synthetic_run, write
from clustersim_analysis import compare
from clustersim_analysis.io import load_inputs

EMPLOYMENT_EFFECT = np.array([10.0, 12.0, 14.0, 20.0])  # per replicate, added in every region


def expected_interval(per_replicate):
    m = per_replicate.mean()
    h = stats.t.ppf(0.975, per_replicate.size - 1) * per_replicate.std(ddof=1) / np.sqrt(per_replicate.size)
    return m, m - h, m + h


@pytest.fixture()
def pair(tmp_path):
    base = write(synthetic_run(), tmp_path / "baseline.h5")
    scen = write(synthetic_run(add={"employment": EMPLOYMENT_EFFECT, "partnerships_concluded": [2.0, 2, 2, 2]},
                               spend={"eu": 600.0, "national": 300.0, "regional": 100.0, "private": 500.0}),
                 tmp_path / "vouchers.h5")
    return base, scen


def test_paired_effect_mean_and_t_interval(pair):
    eff = compare.effects_table(load_inputs([str(p) for p in pair]), ["employment", "productivity_eur_per_fte"])
    eu = eff[(eff.indicator == "employment") & (eff.group_type == "EU") & (eff.step == 8)].iloc[0]
    m, lo, hi = expected_interval(6 * EMPLOYMENT_EFFECT)  # six regions
    assert eu.effect_mean == pytest.approx(m)
    assert eu.effect_ci_low == pytest.approx(lo)
    assert eu.effect_ci_high == pytest.approx(hi)
    assert eu.n_replicates == 4 and eu.significant
    level = eff[(eff.indicator == "employment") & (eff.group_type == "development_level") & (eff.step == 8)]
    assert set(level.group) == {"more_developed", "transition", "less_developed"}
    assert level.effect_mean.to_numpy() == pytest.approx(2 * EMPLOYMENT_EFFECT.mean())
    at0 = eff[(eff.indicator == "employment") & (eff.step == 0)]
    assert np.allclose(at0.effect_mean, 0)
    # Productivity is a ratio of sums: more FTE at equal turnover lowers it.
    prod = eff[(eff.indicator == "productivity_eur_per_fte") & (eff.group_type == "EU") & (eff.step == 8)].iloc[0]
    assert prod.effect_mean < 0
    assert {"region", "sector"} <= set(eff.group_type)


def test_cost_per_outcome_by_source(pair):
    costs, notes = compare.cost_effectiveness(load_inputs([str(p) for p in pair]), horizon=8)
    # No sme_partnerships in this file: SMEs concluding a partnership, summed over quarters.
    part = costs[costs.outcome == "sme_partnering"].set_index("source")
    # 8 quarters x 2 instruments; partnerships: +2 per region per quarter x 6 regions x 8 quarters.
    extra_partnerships = 2 * 6 * 8
    assert part.loc["public (all)", "additional_spending_eur"] == pytest.approx(8 * 2 * 1000)
    assert part.loc["public (all)", "eur_per_outcome"] == pytest.approx(16000 / extra_partnerships)
    assert part.loc["eu", "eur_per_outcome"] == pytest.approx(8 * 2 * 600 / extra_partnerships)
    assert part.loc["private", "eur_per_outcome"] == pytest.approx(8 * 2 * 500 / extra_partnerships)
    job = costs[(costs.outcome == "job") & (costs.source == "public (all)")].iloc[0]
    assert job.eur_per_outcome == pytest.approx(16000 / (6 * EMPLOYMENT_EFFECT.mean()))
    assert job.eur_per_outcome_ci_low <= job.eur_per_outcome <= job.eur_per_outcome_ci_high
    assert any("instrument_smes_supported_distinct not recorded" in n for n in notes)
    assert any("smes_product_innovation not recorded" in n for n in notes)
    assert "new_to_firm_product" not in set(costs.outcome)  # smes_innovating also counts process innovation


def test_spending_for_a_fall_in_the_outcome_has_no_cost_per_outcome(tmp_path):
    # Jobs fall in every replicate: a negative "EUR per job" would read as a saving.
    base = write(synthetic_run(), tmp_path / "baseline.h5")
    scen = write(synthetic_run(add={"employment": -EMPLOYMENT_EFFECT}, spend={"eu": 1000.0}), tmp_path / "cut.h5")
    costs, _ = compare.cost_effectiveness(load_inputs([str(base), str(scen)]), horizon=8)
    job = costs[(costs.outcome == "job") & (costs.source == "public (all)")].iloc[0]
    assert job.additional_outcome < 0
    assert np.isnan(job.eur_per_outcome) and np.isnan(job.eur_per_outcome_ci_low)


def test_flows_are_summed_over_the_horizon_stocks_taken_at_it(pair):
    eff = compare.effects_table(load_inputs([str(p) for p in pair]), ["partnerships_concluded", "employment"])
    eu = eff[(eff.group_type == "EU") & (eff.step == 8)].set_index("indicator")
    assert eu.loc["partnerships_concluded", "kind"] == "flow"
    assert eu.loc["partnerships_concluded", "effect_mean"] == pytest.approx(2 * 6 * 8)  # 8 quarters x 6 regions
    assert eu.loc["employment", "kind"] == "stock"
    assert eu.loc["employment", "effect_mean"] == pytest.approx(6 * EMPLOYMENT_EFFECT.mean())
    # Names, units and labels come from the file's attributes.
    assert eu.loc["employment", "units"] == "FTE" and eu.loc["employment", "label"] == "employment"


def supported(ds, per_quarter, distinct_new, paid_per_sme=100.0):
    """Adds what the model records about SMEs supported: ``per_quarter`` SMEs supported by
    each instrument every quarter, of which ``distinct_new`` are supported for the first
    time (instrument_smes_supported_distinct is their running total, a stock), each paid
    ``paid_per_sme`` EUR (instrument_paid_to_smes_eur, a flow). Until the accounts branch
    is merged the model does not write the last two; this is the fixture with them."""
    like = ds["instrument_spent_eur"]
    quarters = (ds["step"] >= 1).astype(float)
    ds["instrument_smes_supported"] = (xr.ones_like(like) * per_quarter * quarters).transpose(*like.dims)
    ds["instrument_smes_supported_distinct"] = (xr.ones_like(like) * distinct_new * quarters).cumsum("step").transpose(*like.dims)
    ds["instrument_paid_to_smes_eur"] = ds["instrument_smes_supported"] * paid_per_sme
    for var, flow in (("instrument_smes_supported", True), ("instrument_smes_supported_distinct", False),
                      ("instrument_paid_to_smes_eur", True)):
        ds[var].attrs.update({"units": "EUR" if var.endswith("_eur") else "1", "long_name": var,
                              "cell_methods": "step: sum" if flow else "step: point"})
    return ds


def test_cost_per_distinct_sme_supported_and_the_fallback_for_older_files(tmp_path):
    from clustersim_analysis import money
    base = write(synthetic_run(spend={"eu": 0.0}), tmp_path / "baseline.h5")
    scen_ds = supported(synthetic_run(spend={"eu": 1000.0}), per_quarter=10, distinct_new=4)
    scen = write(scen_ds, tmp_path / "vouchers.h5")
    costs, notes = compare.cost_effectiveness(load_inputs([str(base), str(scen)]), horizon=8)
    public = costs[costs.source == "public (all)"].set_index("outcome")
    # 2 instruments x 4 new SMEs x 8 quarters = 64 distinct SMEs, not 2 x 10 x 8 = 160 SME-quarters.
    assert public.loc["beneficiary", "additional_outcome"] == pytest.approx(64)
    assert public.loc["beneficiary", "eur_per_outcome"] == pytest.approx(8 * 2 * 1000 / 64)
    assert "instrument_smes_supported_distinct" in public.loc["beneficiary", "measured_as"]
    assert "support_quarter" not in public.index  # the distinct count replaces SME-quarters
    assert not any("not recorded (a file from before" in n for n in notes)
    table = money.instrument_table(scen_ds).set_index("instrument")
    assert table.loc["vouchers", "distinct SMEs supported"] == pytest.approx(32)
    assert table.loc["vouchers", "paid to SMEs (EUR)"] == pytest.approx(8 * 10 * 100)
    assert table.loc["vouchers", "paid to SMEs per SME (EUR)"] == pytest.approx(8 * 10 * 100 / 32)

    # An older file without the distinct count: SME-quarters, labelled as such, and a note.
    old_ds = scen_ds.drop_vars(["instrument_smes_supported_distinct", "instrument_paid_to_smes_eur"])
    old = write(old_ds, tmp_path / "old.h5")
    costs, notes = compare.cost_effectiveness(load_inputs([str(base), str(old)]), horizon=8)
    public = costs[costs.source == "public (all)"].set_index("outcome")
    assert "beneficiary" not in public.index
    assert public.loc["support_quarter", "additional_outcome"] == pytest.approx(160)
    assert "SME-quarter" in public.loc["support_quarter", "label"]
    assert any("instrument_smes_supported_distinct not recorded" in n for n in notes)
    assert "distinct SMEs supported" not in money.instrument_table(old_ds).columns


def test_partnerships_counted_once_products_only_and_zero_sources_dropped(tmp_path):
    extra = ["sme_partnerships", "smes_product_innovation"]
    base = write(synthetic_run(extra=extra, spend={"eu": 0.0, "national": 0.0}), tmp_path / "baseline.h5")
    scen = write(synthetic_run(extra=extra, add={"sme_partnerships": [4.0] * 4, "smes_product_innovation": [1.0] * 4},
                               spend={"eu": 500.0, "national": 0.0}), tmp_path / "s.h5")
    costs, _ = compare.cost_effectiveness(load_inputs([str(base), str(scen)]), horizon=8)
    part = costs[(costs.outcome == "partnership") & (costs.source == "public (all)")].iloc[0]
    assert part.additional_outcome == pytest.approx(4 * 6 / 2)  # ties held: both ends counted in the file
    assert part.eur_per_outcome == pytest.approx(8 * 2 * 500 / 12)
    assert "sme_partnering" not in set(costs.outcome)
    prod = costs[(costs.outcome == "new_to_firm_product") & (costs.source == "public (all)")].iloc[0]
    assert prod.additional_outcome == pytest.approx(1 * 6 * 8)
    # national spent nothing in either run; eu made the whole change, so its row would repeat the total
    assert set(costs.source) == {"public (all)"}


def test_no_ratio_over_an_outcome_that_may_not_have_changed_nor_for_a_reallocated_source(tmp_path):
    base = write(synthetic_run(spend={"eu": 1000.0, "regional": 0.0}), tmp_path / "baseline.h5")
    noisy = write(synthetic_run(add={"employment": [-1.0, 1.0, -1.0, 1.2]}, spend={"eu": 2000.0, "regional": 0.0}),
                  tmp_path / "noisy.h5")
    costs, _ = compare.cost_effectiveness(load_inputs([str(base), str(noisy)]), horizon=8)
    job = costs[(costs.outcome == "job") & (costs.source == "public (all)")].iloc[0]
    assert job.outcome_ci_low < 0 < job.outcome_ci_high and job.additional_spending_eur > 0
    assert job.status == "outcome interval includes 0" and np.isnan(job.eur_per_outcome)
    # EU money replaced by less regional money: public spending fell, so the regional
    # source's gain is no cost of anything, and the total is a saving.
    moved = write(synthetic_run(add={"employment": EMPLOYMENT_EFFECT}, spend={"eu": 0.0, "regional": 900.0}),
                  tmp_path / "moved.h5")
    costs, _ = compare.cost_effectiveness(load_inputs([str(base), str(moved)]), horizon=8)
    job = costs[costs.outcome == "job"].set_index("source")
    assert job.loc["public (all)", "status"] == "no additional spending"
    assert job.loc["regional", "status"] == "reallocation" and job.loc["eu", "status"] == "reallocation"
    assert job.eur_per_outcome.isna().all()


def test_budget_neutral_reallocation_has_no_cost_per_outcome(tmp_path):
    base = write(synthetic_run(spend={"eu": 1000.0, "national": 0.0}), tmp_path / "baseline.h5")
    scen = write(synthetic_run(add={"employment": EMPLOYMENT_EFFECT}, spend={"eu": 500.0, "national": 500.0}),
                 tmp_path / "realloc.h5")
    inputs = load_inputs([str(base), str(scen)])
    costs, notes = compare.cost_effectiveness(inputs, horizon=8)
    assert set(costs.status) == {"budget-neutral"}
    assert costs.eur_per_outcome.isna().all()
    eu = costs[(costs.outcome == "job") & (costs.source == "eu")].iloc[0]
    assert eu.additional_spending_eur == pytest.approx(-8 * 2 * 500)
    assert any("budget-neutral" in n for n in notes)


def test_moving_cluster_core_funding_into_an_instrument_is_budget_neutral(tmp_path):
    # Baseline: EUR 50,000 a quarter to each of 2 clusters for 8 quarters, no instrument.
    # Scenario: 30,000 to each cluster, the 2 x 8 x 20,000 saved paid out as vouchers.
    base = synthetic_run()
    base.attrs["scenario"] = "[clusters]\npublic_funding_eur_per_quarter = 50000\n"
    scen = synthetic_run(add={"employment": EMPLOYMENT_EFFECT}, spend={"regional": 20000.0})
    scen.attrs["scenario"] += "\n[clusters]\npublic_funding_eur_per_quarter = 30000\n"
    inputs = load_inputs([str(write(base, tmp_path / "baseline.h5")), str(write(scen, tmp_path / "realloc.h5"))])
    costs, notes = compare.cost_effectiveness(inputs, horizon=8)
    job = costs[costs.outcome == "job"].set_index("source")
    assert job.loc["public (all)", "additional_spending_eur"] == pytest.approx(0.0)
    assert job.loc["cluster core funding", "additional_spending_eur"] == pytest.approx(-2 * 8 * 20000)
    assert job.loc["regional", "additional_spending_eur"] == pytest.approx(2 * 8 * 20000)
    assert set(job.status) == {"budget-neutral"} and job.eur_per_outcome.isna().all()


def test_missing_cell_methods_is_a_clear_error(tmp_path, capsys):
    base = synthetic_run()
    del base["turnover_eur"].attrs["cell_methods"]
    a = write(base, tmp_path / "a.h5")
    b = write(synthetic_run(), tmp_path / "b.h5")
    assert compare.run([str(a), str(b), "-o", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert str(a) in err and "'turnover_eur' has no 'cell_methods'" in err
    assert not (tmp_path / "r").exists()


def test_no_spending_is_a_note_not_an_error(tmp_path):
    a = write(synthetic_run(), tmp_path / "a.h5")
    b = write(synthetic_run(add={"employment": EMPLOYMENT_EFFECT}), tmp_path / "b.h5")
    costs, notes = compare.cost_effectiveness(load_inputs([str(a), str(b)]), horizon=8)
    assert costs.empty and any("no instrument spending recorded" in n for n in notes)


def test_sigma_and_beta_convergence(tmp_path):
    base = synthetic_run()
    rich = np.array([0.5, 0.7, 1.0, 1.3, 1.6, 2.0])  # turnover per SME relative to the mean
    base["turnover_eur"] = base["turnover_eur"] * xr.DataArray(rich, dims="region")
    scen = base.copy(deep=True)
    # The scenario halves the log gap of every region from step 1 on: poorer regions grow faster.
    scen["turnover_eur"] = scen["turnover_eur"] * xr.DataArray(rich ** -0.5, dims="region") ** (scen["step"] >= 1)
    a, b = write(base, tmp_path / "a.h5"), write(scen, tmp_path / "b.h5")
    conv = compare.convergence(load_inputs([str(a), str(b)]), horizon=8)
    last = conv.sigma[(conv.sigma.measure == "turnover_per_sme_eur") & (conv.sigma.step == 8)].iloc[0]
    assert last.sigma_effect < 0 and last.sigma_effect_ci_high < 0
    beta = conv.beta.set_index("measure").loc["turnover_per_sme_eur"]
    assert beta.beta_effect < 0


def test_cli_writes_self_contained_report(pair, tmp_path, capsys):
    out = tmp_path / "report"
    assert compare.run([str(pair[0]), str(pair[1]), "-o", str(out), "--horizon", "6"]) == 0
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 4 and "http" not in html.split("<body>")[1][:200]
    for name in ("effects_at_horizon.csv", "effects_over_time.csv", "cost_effectiveness.csv",
                 "convergence_sigma.csv", "convergence_beta.csv", "summary.md"):
        assert (out / name).is_file(), name
    assert list((out / "plots").glob("*.png"))
    at_h = pd.read_csv(out / "effects_at_horizon.csv")
    assert set(at_h.step) == {6}
    assert "EUR per outcome" in html


def test_merged_sweep_regroups_by_scenario_and_replicate(tmp_path, pair):
    base = synthetic_run()
    scen = synthetic_run(add={"employment": EMPLOYMENT_EFFECT})
    sweep = merged_sweep({"vouchers": scen, "baseline": base}, failed={"vouchers/r3"})
    path = write(sweep, tmp_path / "sweep.h5")
    inputs = load_inputs([str(path)])
    assert inputs.baseline == "baseline" and inputs.others == ["vouchers"]
    assert any("failed run" in n for n in inputs.notes)
    eff = compare.effects_table(inputs, ["employment"])
    eu = eff[(eff.group_type == "EU") & (eff.step == 8)].iloc[0]
    m, lo, hi = expected_interval(6 * EMPLOYMENT_EFFECT[:3])
    assert eu.n_replicates == 3
    assert (eu.effect_mean, eu.effect_ci_low, eu.effect_ci_high) == pytest.approx((m, lo, hi))
    assert compare.run([str(path), "-o", str(tmp_path / "rep")]) == 0


def _nothing_written(tmp_path, out):
    return not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("case", ["missing", "not_hdf5", "not_clustersim", "regions", "indicator", "steps"])
def test_bad_input_exit_2_names_file_and_writes_nothing(tmp_path, capsys, case):
    good = write(synthetic_run(), tmp_path / "baseline.h5")
    other = tmp_path / "other.h5"
    if case == "not_hdf5":
        other.write_text("hello")
    elif case == "not_clustersim":
        ds = synthetic_run()
        ds.attrs.pop("clustersim_version")
        write(ds, other)
    elif case == "regions":
        write(synthetic_run(regions=["AA01", "AA02", "BB01", "BB02", "CC01", "ZZ99"]), other)
    elif case == "indicator":
        write(synthetic_run().drop_vars("smes_innovating"), other)
    elif case == "steps":
        write(synthetic_run(steps=6), other)
    out = tmp_path / "report"
    assert compare.run([str(good), str(other), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(other) in err
    expected = {"missing": "no such file", "not_hdf5": "not a netCDF-4/HDF5 file",
                "not_clustersim": "not a clustersim output", "regions": "different regions",
                "indicator": "lacks the indicator 'smes_innovating'", "steps": "steps"}[case]
    assert expected in err
    assert _nothing_written(tmp_path, out)


def test_unknown_baseline_and_horizon(pair, tmp_path, capsys):
    out = tmp_path / "r"
    assert compare.run([str(pair[0]), str(pair[1]), "-o", str(out), "--baseline", "nope"]) == 2
    assert compare.run([str(pair[0]), str(pair[1]), "-o", str(out), "--horizon", "99"]) == 2
    assert "--horizon 99" in capsys.readouterr().err
    assert _nothing_written(tmp_path, out)


def test_report_dates_from_the_time_coordinate_and_steps_without_it(pair, tmp_path):
    from clustersim_analysis.plots import TimeAxis
    dated = TimeAxis(xr.open_dataset(pair[1], engine="h5netcdf"))
    assert dated.dated and dated.describe(8) == "step 8 (2023-01-01)"
    html = (tmp_path / "dated")
    assert compare.run([str(pair[0]), str(pair[1]), "-o", str(html)]) == 0
    assert "step 8 (2023-01-01)" in (html / "report.html").read_text()
    undated = [write(synthetic_run(**kw).drop_vars("time"), tmp_path / name)
               for name, kw in (("a.h5", {}), ("b.h5", {"add": {"employment": EMPLOYMENT_EFFECT}}))]
    axis = TimeAxis(xr.open_dataset(undated[0], engine="h5netcdf"))
    assert not axis.dated and axis.label == "step (quarter)" and axis.describe(3) == "step 3"
    assert compare.run([str(p) for p in undated] + ["-o", str(tmp_path / "undated")]) == 0


def test_a_regional_mean_is_averaged_not_summed(tmp_path):
    def run(add=None):
        ds = synthetic_run(extra=["region_knowledge"], add=add)
        ds["region_knowledge"].attrs["cell_methods"] = "step: point region: mean"
        return ds
    a = write(run(), tmp_path / "a.h5")
    b = write(run({"region_knowledge": [0.5] * 4}), tmp_path / "b.h5")
    eff = compare.effects_table(load_inputs([str(a), str(b)]), ["region_knowledge"])
    at = eff[eff.step == 8].set_index("group_type")
    assert at.loc["EU", "effect_mean"] == pytest.approx(0.5)           # mean of six regions, not 3.0
    assert at.loc["EU", "kind"] == "stock" and "sector" not in at.index
    assert eff[(eff.group_type == "development_level") & (eff.step == 8)].effect_mean.to_numpy() == pytest.approx(0.5)


def test_a_small_addition_next_to_large_core_funding_is_not_budget_neutral(tmp_path):
    runs = []
    for name, kw in (("baseline", {}), ("i3", {"add": {"employment": EMPLOYMENT_EFFECT}, "spend": {"eu": 100.0}})):
        ds = synthetic_run(**kw)
        ds.attrs["scenario"] += "\n[clusters]\npublic_funding_eur_per_quarter = 5000000\n"
        runs.append(str(write(ds, tmp_path / f"{name}.h5")))
    costs, notes = compare.cost_effectiveness(load_inputs(runs), horizon=8)
    job = costs[costs.outcome == "job"].set_index("source")
    assert job.loc["public (all)", "status"] == "ratio"
    assert job.loc["public (all)", "eur_per_outcome"] == pytest.approx(8 * 2 * 100 / (6 * EMPLOYMENT_EFFECT.mean()))
    assert not any("budget-neutral" in n for n in notes)
