"""scripts/programmes (tests/scenarios/programmes_table.py): one real programme run, its figures
as a markdown section, and the generated block of a page replaced without touching the rest."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "scenarios"))
import programmes_table as pt  # noqa: E402


def test_a_real_run_gives_a_section_with_every_figure_of_the_programme(clustersim_binary, tmp_path):
    euroclusters = next(p for p in pt.PROGRAMMES if p.scenario == "euroclusters.toml")
    out, wall_s = pt.run(clustersim_binary, euroclusters, 0.002, 2, tmp_path)
    text = pt.section(euroclusters, 0.002, 2, wall_s, out)
    assert "world.scale = 0.002, 2 replicates" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    names = [r.split(" | ")[0][2:] for r in rows]
    assert "share of spending paid to SMEs" in names and "EUR per partnership" in names
    share = next(r for r in rows if r.startswith("| share of spending paid to SMEs"))
    # Euroclusters' rule: at least 75 % of each grant reaches SMEs (mean and min over replicates).
    assert float(share.split(" | ")[1]) >= 0.75


def test_the_generated_block_is_replaced_and_the_rest_of_the_page_kept(tmp_path, monkeypatch):
    page = tmp_path / "PROGRAMMES.md"
    page.write_text("head\n" + pt.BEGIN + "old figures\n" + pt.END + "\ntail\n")
    monkeypatch.setattr(pt, "DOC", page)
    pt.write_doc("new figures\n")
    assert page.read_text() == "head\n" + pt.BEGIN + "new figures\n" + pt.END + "\ntail\n"


def test_a_page_without_markers_is_refused(tmp_path, monkeypatch):
    page = tmp_path / "PROGRAMMES.md"
    page.write_text("no markers\n")
    monkeypatch.setattr(pt, "DOC", page)
    with pytest.raises(SystemExit, match="markers"):
        pt.write_doc("x")
    assert page.read_text() == "no markers\n"


def test_a_scale_outside_0_1_is_refused_before_any_run(clustersim_binary):
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "scenarios" / "programmes_table.py"), clustersim_binary,
                           "--scale", "0", "--no-docs"], capture_output=True, text=True)
    assert done.returncode != 0 and "--scale must be in (0, 1]" in done.stderr


def test_an_unknown_programme_is_refused_with_the_list_of_programmes(clustersim_binary):
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "scenarios" / "programmes_table.py"), clustersim_binary,
                           "--only", "euroclustres", "--no-docs"], capture_output=True, text=True)
    assert done.returncode != 0 and "euroclustres: no such programme scenario" in done.stderr
    assert "euroclusters" in done.stderr
