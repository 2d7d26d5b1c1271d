"""Every python block of docs/ANALYSIS.md runs exactly as written, in order, in one
namespace, in a scratch directory holding out/baseline.h5 (a small baseline run)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ANALYSIS.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_analysis_md_python_blocks_run(clustersim_binary, tmp_path):
    blocks = python_blocks(DOC.read_text())
    assert len(blocks) >= 3
    (tmp_path / "out").mkdir()
    proc = subprocess.run([clustersim_binary, "run", str(ROOT / "scenarios" / "baseline.toml"), "-o",
                           str(tmp_path / "out" / "baseline.h5"), "--quiet", "--set", "population.smes=2000",
                           "--set", "run.steps=8"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        for k, code in enumerate(blocks):
            exec(compile(code, f"{DOC}:python block {k + 1}", "exec"), namespace)
    finally:
        os.chdir(cwd)
