#!/usr/bin/python3
"""Runs the Python blocks of docs/OUTPUT.md's "Merged sweep files" section exactly as
written, in a directory that holds out/policies/merged.h5: a sweep of
scenarios/experiments/policies.toml shrunk to 2 replicates and a small world. Then
checks what the pairing recipe computed. Likewise the "SME panel" section's blocks, on
out/panel.h5: a small baseline run with a panel, checked against the file.

Usage: /usr/bin/python3 output_recipes.py SOURCE_DIR   (CLUSTERSIM_BIN names the binary)
"""

import os
import re
import subprocess
import sys
import tempfile

BIN = os.environ.get("CLUSTERSIM_BIN", "")
SOURCE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")


def section_blocks(markdown, heading):
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def small_policies(scratch):
    with open(os.path.join(SOURCE, "scenarios/experiments/policies.toml")) as f:
        text = f.read()
    text = text.replace('baseline = "../baseline.toml"', f'baseline = "{SOURCE}/scenarios/baseline.toml"')
    text = re.sub(r"^replicates = \d+", "replicates = 2", text, flags=re.M)
    text += "\n[set]\nrun.steps = 40\npopulation.smes = 3000\npopulation.regions = 12\nworld.source = \"synthetic\"\n"
    path = os.path.join(scratch, "policies.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def sme_panel_recipe():
    """Runs the "SME panel" blocks on a small baseline with 2 replicates and 400 panel SMEs;
    returns the failures."""
    import numpy as np
    import xarray as xr
    with open(os.path.join(SOURCE, "docs/OUTPUT.md")) as f:
        blocks = section_blocks(f.read(), "## SME panel")
    if not blocks:
        return ["no python block in docs/OUTPUT.md, 'SME panel'"]
    with tempfile.TemporaryDirectory(prefix="clustersim-panel-recipe-") as scratch:
        os.makedirs(os.path.join(scratch, "out"))
        args = [BIN, "run", os.path.join(SOURCE, "scenarios/baseline.toml"), "-o", os.path.join(scratch, "out/panel.h5"),
                "--set", "run.replicates=2", "--set", "run.steps=12", "--set", "population.smes=3000",
                "--set", "population.regions=12", "--set", "world.source=synthetic", "--set", "record.panel_smes=400", "--quiet"]
        r = subprocess.run(args, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            return [f"the panel run failed: {r.stderr}"]
        cwd = SOURCE  # the sweep recipe left its (deleted) scratch directory
        os.chdir(scratch)
        try:
            namespace = {}
            for block in blocks:
                exec(compile(block, "docs/OUTPUT.md", "exec"), namespace)
            ds = xr.open_dataset("out/panel.h5", engine="h5netcdf").load()
        finally:
            os.chdir(cwd)
    failures = []
    df, growth = namespace.get("df"), namespace.get("growth")
    if df is None or growth is None:
        return ["the SME panel recipe did not define df and growth"]
    if ds.sizes["panel_sme"] != 400:
        failures.append(f"panel_sme has {ds.sizes['panel_sme']} slots, not 400")
    # Every (replicate, step, born SME) is a row; values are the file's.
    born = int(np.isfinite(ds.panel_alive.values).sum())
    if len(df) != born:
        failures.append(f"{len(df)} rows, {born} born (replicate, step, SME) cells in the file")
    sme = int(ds.panel_sme_id.values[5])
    rows = df.xs((1, sme), level=["replicate", "sme_id"])
    file_emp = ds.panel_employees.sel(replicate=1).isel(panel_sme=5).values
    file_emp = file_emp[np.isfinite(ds.panel_alive.sel(replicate=1).isel(panel_sme=5).values)]
    if not np.array_equal(rows.panel_employees.values, file_emp, equal_nan=True):
        failures.append(f"SME {sme}'s employees in pandas differ from the file's")
    if df.region.dropna().empty or not set(df.region.dropna()) <= set(ds.region.values):
        failures.append("the region codes of the recipe are not the file's regions")
    if (df.panel_employees.dropna() <= 0).any():
        failures.append("a living panel SME with no employees")
    return failures


def main():
    if not BIN:
        print("usage: CLUSTERSIM_BIN=... output_recipes.py SOURCE_DIR")
        return 2
    with open(os.path.join(SOURCE, "docs/OUTPUT.md")) as f:
        blocks = section_blocks(f.read(), "## Merged sweep files")
    if not blocks:
        print("FAIL: no python block in docs/OUTPUT.md, 'Merged sweep files'")
        return 1
    with tempfile.TemporaryDirectory(prefix="clustersim-output-recipes-") as scratch:
        r = subprocess.run([BIN, "sweep", small_policies(scratch), "-d", os.path.join(scratch, "out/policies"), "-j", "2",
                            "--quiet"], capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            print("FAIL: the sweep failed:", r.stderr)
            return 1
        os.chdir(scratch)
        namespace = {}
        for block in blocks:
            exec(compile(block, "docs/OUTPUT.md", "exec"), namespace)
    failures = []
    effect = namespace.get("effect")
    if effect is None or dict(effect.sizes) != {"scenario": 3, "replicate": 2}:
        failures.append(f"effect is not scenario x replicate (3 x 2): {None if effect is None else dict(effect.sizes)}")
    elif not (effect.sel(scenario="baseline") == 0).all():
        failures.append(f"the baseline minus itself is not 0: {effect.sel(scenario='baseline').values}")
    elif (effect.sel(scenario="more_partnerships") == 0).all() and (effect.sel(scenario="more_clusters") == 0).all():
        failures.append("every effect is 0: nothing was paired")
    table = namespace.get("table")
    if table is None or len(table) != 6 or set(table.scenario) != {"baseline", "more_clusters", "more_partnerships"}:
        failures.append("the pandas table of the recipe is not one row per (scenario, replicate)")
    failures += sme_panel_recipe()
    for failure in failures:
        print("FAIL:", failure)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
