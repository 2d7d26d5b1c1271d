"""Runs every programme scenario of docs/PROGRAMMES.md and writes the model's figures (mean and
[min, max] over replicates) between the page's `programmes:begin/end` markers (at world.scale
= 1, `programmes-eu:begin/end`). With --only, the chosen programmes' sections are replaced and
the others kept: each section's heading names the clustersim version and date it was
measured with.

Usage (through scripts/programmes, which builds clustersim first):
  programmes_table.py CLUSTERSIM --scale S --replicates R [--only NAME ...] [--no-docs] [--keep DIR]

Each programme runs at max(S, its smallest scale): Neopolia needs world.scale >= 0.1 for a
cluster in FRG0 (docs/PROGRAMMES.md). The figures come from programme_figures.py, the same
functions the programme-rules test reads.
"""
import argparse
import datetime
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

import h5py

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import programme_figures as pf  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "PROGRAMMES.md"
# The page holds two generated sections: the reduced scale every session can afford, and the
# EU at world.scale = 1.
BEGIN, END = "<!-- programmes:begin -->\n", "<!-- programmes:end -->"
EU_BEGIN, EU_END = "<!-- programmes-eu:begin -->\n", "<!-- programmes-eu:end -->"


class Programme:
    def __init__(self, name, scenario, figures, min_scale=0.0):
        self.name, self.scenario, self.figures, self.min_scale = name, scenario, figures, min_scale


PROGRAMMES = [
    Programme("Flanders' spearhead clusters", "spearhead_core_funding.toml", ["spearhead"]),
    Programme("Euroclusters", "euroclusters.toml", ["euroclusters"]),
    Programme("I3 and TAF", "i3_interregional.toml", ["i3", "taf"]),
    Programme("ClusterXchange", "clusterxchange.toml", ["clusterxchange"]),
    Programme("Cluster excellence (Catalonia)", "manager_training.toml", ["excellence"]),
    Programme("Meta-cluster support", "metacluster.toml", ["metacluster"]),
    Programme("Funding cliff", "funding_cliff.toml", ["funding_cliff"]),
    Programme("Inter-cluster call (Flanders)", "intercluster_flanders.toml", ["intercluster"]),
    Programme("Neopolia joint tenders", "neopolia.toml", ["neopolia"], min_scale=0.1),
]


def number(x):
    """Plain decimals with thousands separators; 4 significant digits below 1,000."""
    if x != x:
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def run(binary, programme, scale, replicates, out_dir):
    out = pathlib.Path(out_dir) / (pathlib.Path(programme.scenario).stem + ".h5")
    cmd = [binary, "run", str(ROOT / "scenarios" / programme.scenario), "--set", f"world.scale={scale}",
           "--replicates", str(replicates), "-o", str(out)]
    t0 = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed (exit {done.returncode}):\n{done.stderr}")
    return out, time.monotonic() - t0


HEADER = ("Measured with `scripts/programmes` (seed of each scenario file; wall times on 2 cores, not a "
          "benchmark). Each heading names the world.scale, the replicates (0 to R-1), the clustersim version and "
          "the date of its measurement; `scripts/programmes --only STEM...` re-measures some programmes and keeps "
          "the others.\n\n")


def section(programme, scale, replicates, wall_s, out, version, date):
    lines = [f"### {programme.name} (`{programme.scenario}`, world.scale = {scale:g}, {replicates} replicates, "
             f"{wall_s / 60:.1f} min; clustersim {version}, {date})", "", "| figure | mean | [min, max] |",
             "|---|---:|---:|"]
    with h5py.File(out, "r") as f:
        for key in programme.figures:
            for name, values in pf.PROGRAMMES[key](f).items():
                v = [float(x) for x in values]
                lines.append(f"| {name} | {number(sum(v) / len(v))} | [{number(min(v))}, {number(max(v))}] |")
    return "\n".join(lines) + "\n"


def sections_of(block):
    """The `### ` sections of a generated block, by scenario file (the first `name.toml` in
    backquotes of the heading), each with its text up to the next section."""
    found = {}
    for part in re.split(r"(?m)^(?=### )", block):
        m = re.match(r"### [^\n]*?\(`([^`]+\.toml)`", part)
        if m:
            found[m.group(1)] = part.rstrip("\n") + "\n\n"
    return found


def merge(old_block, new_sections):
    """The block with the programmes in new_sections ({scenario file: section}) replaced and
    the other sections of old_block kept, in the order of PROGRAMMES."""
    old = sections_of(old_block)
    parts = [new_sections.get(p.scenario) or old.get(p.scenario) for p in PROGRAMMES]
    return HEADER + "".join(part for part in parts if part)


def read_block(begin, end):
    text = DOC.read_text()
    if begin not in text or end not in text:
        sys.exit(f"error: {DOC}: the markers {begin.strip()} and {end} are missing")
    return text.split(begin, 1)[1].split(end, 1)[0]


def write_doc(block, begin=BEGIN, end=END):
    text = DOC.read_text()
    read_block(begin, end)  # the markers are there
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(head + begin + block + end + tail)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="scenario stems to run (e.g. euroclusters neopolia)")
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--keep", help="directory for the run files (default: a temporary one, removed)")
    a = ap.parse_args(argv)
    if not 0 < a.scale <= 1 or a.replicates < 1:
        sys.exit("error: --scale must be in (0, 1] and --replicates >= 1")
    stems = [pathlib.Path(p.scenario).stem for p in PROGRAMMES]
    unknown = sorted(set(a.only or []) - set(stems))
    if unknown:
        sys.exit(f"error: --only {' '.join(unknown)}: no such programme scenario (one of: {', '.join(stems)})")
    chosen = [p for p, stem in zip(PROGRAMMES, stems) if not a.only or stem in a.only]
    out_dir = a.keep or tempfile.mkdtemp(prefix="programmes-")
    os.makedirs(out_dir, exist_ok=True)
    version = subprocess.run([a.binary, "--version"], check=True, capture_output=True, text=True).stdout.split()[-1]
    markers = (EU_BEGIN, EU_END) if a.scale == 1 else (BEGIN, END)
    old_block = read_block(*markers) if not a.no_docs else ""
    new_sections = {}
    try:
        for p in chosen:
            scale = max(a.scale, p.min_scale)
            out, wall_s = run(a.binary, p, scale, a.replicates, out_dir)
            text = section(p, scale, a.replicates, wall_s, out, version, datetime.date.today())
            print(text, flush=True)
            new_sections[p.scenario] = text + "\n"
    finally:
        if not a.keep:
            shutil.rmtree(out_dir, ignore_errors=True)
    if not a.no_docs:
        # Without --only every section is new; with it, the others are kept as measured.
        write_doc(merge(old_block if a.only else "", new_sections), *markers)
        print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
