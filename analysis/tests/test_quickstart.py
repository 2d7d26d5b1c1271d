"""docs/ANALYSIS.md, "Quick start": its shell lines run in a scratch directory, with a
smaller world and fewer steps appended to the clustersim commands (and 2 replicates for
the sweep), then the report and the merged sweep are checked; the merged file then goes
through docs/OUTPUT.md's pairing recipe to a pandas table."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
SMALLER = "--set world.scale=0.002 --set run.steps=8"


def quickstart_lines() -> list[str]:
    text = (ROOT / "docs" / "ANALYSIS.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"^```sh\n(.*?)^```", section, flags=re.S | re.M)
    assert len(block) == 1
    return [line for line in block[0].splitlines() if line.strip()]


def test_quickstart_from_scenarios_to_report_and_from_sweep_to_table(clustersim_binary, tmp_path):
    lines = quickstart_lines()
    assert any(" run " in l for l in lines) and any("scripts/compare" in l for l in lines)
    assert any(" sweep " in l for l in lines)
    for line in lines:
        cmd = line.replace("build/models/clustersim", clustersim_binary)
        cmd = re.sub(r"(^|\s)scripts/", rf"\1{ROOT}/scripts/", cmd)
        cmd = re.sub(r"(^|\s)scenarios/", rf"\1{ROOT}/scenarios/", cmd)
        if clustersim_binary in cmd:
            cmd = re.sub(r"--replicates \d+", "--replicates 2", cmd) + " --quiet " + SMALLER
        proc = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                              env={**os.environ, "CS_QUIET": "1"})
        assert proc.returncode == 0, f"{line}\n{proc.stderr[-2000:]}"
    report = tmp_path / "out" / "report"
    assert (report / "report.html").stat().st_size > 10_000
    assert "euroclusters" in (report / "summary.md").read_text()
    merged = tmp_path / "out" / "policies" / "merged.h5"
    with xr.open_dataset(merged, engine="h5netcdf") as ds:
        assert ds.sizes["run"] == 6 and set(ds.status.values) == {"done"}
    # docs/OUTPUT.md's recipe turns it into a pandas table (as written, in out/'s parent).
    recipe = (ROOT / "docs" / "OUTPUT.md").read_text().split("## Merged sweep files", 1)[1]
    code = re.findall(r"^```python\n(.*?)^```", recipe, flags=re.S | re.M)[-1]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        exec(compile(code, "docs/OUTPUT.md: merged sweep recipe", "exec"), namespace)
    finally:
        os.chdir(cwd)
    table = namespace["table"]
    assert len(table) == 6 and set(table.scenario) == {"baseline", "more_clusters", "more_partnerships"}
    assert (table[table.scenario == "baseline"].effect_smes_innovating == 0).all()
