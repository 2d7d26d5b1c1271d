"""The compare report in a real browser: headless Chromium renders report.html with no
script errors, and the screenshots are not blank."""
from __future__ import annotations

import shutil
import subprocess

import matplotlib.image as mpimg
import numpy as np
import pytest

from conftest import synthetic_run, write
from clustersim_analysis import compare

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def chromium(tmp_path, *args, timeout=120):
    profile = tmp_path / "profile"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=timeout)
    return proc


def console_errors(stderr: str) -> list[str]:
    """Chromium logs page console messages as 'CONSOLE(line)' lines; script errors say 'Uncaught'."""
    return [l for l in stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (scripts/common.sh installs it)")
def test_report_renders_without_errors_and_is_not_blank(tmp_path):
    base = write(synthetic_run(spend={"eu": 0.0, "national": 100.0}), tmp_path / "baseline.h5")
    scen = write(synthetic_run(add={"employment": [10.0, 12, 14, 20], "turnover_eur": [3e6, 3.2e6, 2.9e6, 3.1e6]},
                               spend={"eu": 600.0, "national": 300.0}, stop=6), tmp_path / "vouchers.h5")
    out = tmp_path / "report"
    assert compare.run([str(base), str(scen), "-o", str(out)]) == 0
    page = out / "report.html"
    text = page.read_text()
    assert "<script" not in text.lower()
    for section in ("Executive summary", "Contents", "Money: spending, calls, failures, returned funds",
                    "Cost per additional outcome", "Regional convergence", "2023-01-01"):
        assert section in text, section

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Executive summary" in dom.stdout and dom.stdout.count("<img") >= 5
    assert console_errors(dom.stderr) == []

    for height, name in ((6000, "page.png"),):
        shot = tmp_path / name
        proc = chromium(tmp_path, f"--screenshot={shot}", f"--window-size=1280,{height}", page.as_uri())
        assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
        assert console_errors(proc.stderr) == []
        img = mpimg.imread(shot)[..., :3]
        ink = np.mean(np.any(img < 0.85, axis=-1))  # share of pixels that are not (near) white
        assert ink > 0.03, f"{name}: {ink:.3%} of pixels are not white: blank page?"
        assert img.std() > 0.05
