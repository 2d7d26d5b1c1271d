"""Every python block of docs/OUTPUT.md runs, as written, in some test: the sections
"SME panel" and "Merged sweep files" in tests/engine/io/output_recipes.py (ctest
io_output_recipes, which needs a sweep), every other section here, in order, in a scratch
directory holding out/baseline.h5 (a small baseline run with clusters and the panel).
A new section with a python block runs here unless it is added to ELSEWHERE."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "OUTPUT.md"
ELSEWHERE = {"SME panel", "Merged sweep files"}  # run by tests/engine/io/output_recipes.py


def sections_with_python(text: str) -> list[tuple[str, list[str]]]:
    out = []
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title = part.split("\n", 1)[0].strip()
        blocks = re.findall(r"^```python\n(.*?)^```", part, flags=re.S | re.M)
        if blocks:
            out.append((title, blocks))
    return out


def test_other_recipe_file_still_runs_its_sections():
    recipes = (ROOT / "tests" / "engine" / "io" / "output_recipes.py").read_text()
    for title in ELSEWHERE:
        assert f'"## {title}"' in recipes, f"output_recipes.py no longer runs '{title}'"


def test_output_md_python_blocks_run(clustersim_binary, tmp_path):
    sections = sections_with_python(DOC.read_text())
    here = [(t, b) for t, b in sections if t not in ELSEWHERE]
    assert {t for t, _ in here} >= {"Codes", "Reading it"}
    (tmp_path / "out").mkdir()
    proc = subprocess.run([clustersim_binary, "run", str(ROOT / "scenarios" / "baseline.toml"), "-o",
                           str(tmp_path / "out" / "baseline.h5"), "--quiet", "--set", "run.steps=6",
                           "--set", "run.replicates=2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    cwd = os.getcwd()
    os.chdir(tmp_path)
    namespace: dict = {}
    try:
        for title, blocks in here:
            for k, code in enumerate(blocks):
                exec(compile(code, f"{DOC}: '{title}' python block {k + 1}", "exec"), namespace)
    finally:
        os.chdir(cwd)
    # What the Codes recipe decoded is the file's.
    ds = namespace["ds"]
    assert set(namespace["maturity"].values.tolist()) <= {"none", "bronze", "silver", "gold"}
    regions = namespace["regions"].values
    index = ds.panel_region_index.isel(replicate=0, step=0).values
    born = ~np.isnan(index)
    assert born.any() and (regions[~born] == None).all()  # noqa: E711 (object array)
    assert regions[born].tolist() == [str(r) for r in ds.region.values[index[born].astype(int)]]
