"""scripts/programmes (tests/scenarios/programmes_table.py): one real programme run, its figures
as a markdown section, and the generated block of a page replaced without touching the rest."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "scenarios"))
import programmes_table as pt  # noqa: E402

RUN = pt.run


def test_a_real_run_gives_a_section_with_every_figure_of_the_programme(clustersim_binary, tmp_path):
    euroclusters = next(p for p in pt.PROGRAMMES if p.scenario == "euroclusters.toml")
    out, wall_s = pt.run(clustersim_binary, euroclusters, 0.002, 2, tmp_path)
    text = pt.section(euroclusters, 0.002, 2, wall_s, out, "abc1234", "2026-11-27")
    assert "world.scale = 0.002, 2 replicates" in text and "clustersim abc1234, 2026-11-27)" in text
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


def old_section(scenario, figure):
    p = next(p for p in pt.PROGRAMMES if p.scenario == scenario)
    return (f"### {p.name} (`{scenario}`, world.scale = 1, 3 replicates, 9.0 min; clustersim old0000, 2026-11-01)\n\n"
            f"| figure | mean | [min, max] |\n|---|---:|---:|\n| {figure} | 1 | [1, 1] |\n\n")


def test_only_replaces_the_chosen_sections_and_keeps_the_others(clustersim_binary, tmp_path, monkeypatch):
    # An EU block measured earlier: the spearhead and Euroclusters sections. A real run of
    # Euroclusters alone (--only) replaces its section, in the order of the programme list,
    # and keeps the spearhead section as it was, with its own version and date.
    old = "an old header\n\n" + old_section("euroclusters.toml", "old euroclusters figure") + old_section(
        "spearhead_core_funding.toml", "old spearhead figure")
    page = tmp_path / "PROGRAMMES.md"
    page.write_text("head\n" + pt.EU_BEGIN + old + pt.EU_END + "\ntail\n")
    monkeypatch.setattr(pt, "DOC", page)
    # --scale 1 writes the EU block; the run itself is made at 1:500 to stay short.
    monkeypatch.setattr(pt, "run", lambda binary, p, scale, replicates, out_dir: RUN(binary, p, 0.002, replicates,
                                                                                      out_dir))
    assert pt.main([clustersim_binary, "--scale", "1", "--replicates", "1", "--only", "euroclusters"]) == 0
    block = page.read_text().split(pt.EU_BEGIN, 1)[1].split(pt.EU_END, 1)[0]
    assert block.startswith(pt.HEADER)
    sections = pt.sections_of(block)
    assert list(sections) == ["spearhead_core_funding.toml", "euroclusters.toml"]
    assert "old spearhead figure" in sections["spearhead_core_funding.toml"]
    assert "clustersim old0000, 2026-11-01" in sections["spearhead_core_funding.toml"]
    assert "old euroclusters figure" not in sections["euroclusters.toml"]
    assert "share of spending paid to SMEs" in sections["euroclusters.toml"]
    assert page.read_text().startswith("head\n") and page.read_text().endswith(pt.EU_END + "\ntail\n")


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
