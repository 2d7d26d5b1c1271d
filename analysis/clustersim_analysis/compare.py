"""Scenario against baseline: paired effects, cost-effectiveness, regional convergence.

Usage: scripts/compare BASELINE.h5 SCENARIO.h5 [...] -o REPORT_DIR
       scripts/compare SWEEP.h5 -o REPORT_DIR        (a merged sweep; baseline = 'baseline')

The computations live in effects.py and convergence.py, the report in report.py; this
module is the command line only (nothing imports it, so there is no import cycle).
"""
from __future__ import annotations

import argparse
import sys

from . import AnalysisError, USAGE_EXIT_CODE
from .convergence import convergence
from .effects import cost_effectiveness, effects_table
from .indicators import RATIOS, indicators_of, kind_of, lookup, variables_of
from .io import AtomicDir, load_inputs, require_variables
from .report import write_report

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/compare",
        description="Compare clustersim scenarios against a baseline, replicate by replicate: "
                    "effects with 95%% intervals (EU total, development level, region, sector), cost per "
                    "additional outcome by funding source, and sigma/beta regional convergence. Writes "
                    "CSV tables, summary.md, PNG plots and one self-contained report.html.",
        epilog="Examples:\n  scripts/compare out/baseline.h5 out/vouchers.h5 -o out/report\n"
               "  scripts/compare out/sweep.h5 -o out/report --horizon 20\n"
               "Exit codes: 0 ok, 2 bad input or options (nothing written), 1 other failure.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="FILE.h5",
                   help="run files (the first is the baseline unless --baseline names one) or a merged sweep")
    p.add_argument("-o", "--output", required=True, metavar="REPORT_DIR",
                   help="report directory (replaced atomically if it exists)")
    p.add_argument("--baseline", help="name of the baseline scenario (file name without .h5, or the "
                                      "scenario name in a merged sweep; default: first file / 'baseline')")
    p.add_argument("--horizon", type=int, metavar="STEP", help="step for the horizon tables (default: last)")
    p.add_argument("--indicators", help="comma-separated indicators (default: every series on (replicate, step, "
                                        "region) in the file, plus " + ", ".join(r[0] for r in RATIOS) + ")")
    p.add_argument("--regions-over-time", action="store_true",
                   help="also write every region's effect at every step (large)")
    return p.parse_args(argv)


def run(argv=None) -> int:
    args = parse_args(argv)
    try:
        inputs = load_inputs(args.inputs, args.baseline)
        base = inputs.scenarios[inputs.baseline]
        require_variables(inputs, ["partnerships_concluded", "employment", "turnover_eur", "smes_active",
                                   "region_development_level"])
        if args.indicators:
            names = [s.strip() for s in args.indicators.split(",") if s.strip()]
        else:
            names = list(indicators_of(base))
        # Every scenario must carry every indicator's variables, with the same cell_methods.
        needed = sorted({v for n in names for v in variables_of(lookup(base, n))})
        require_variables(inputs, needed)
        for var in needed:
            for name, ds in inputs.scenarios.items():
                if kind_of(ds, var) != kind_of(base, var):
                    raise AnalysisError(f"{inputs.sources[name]}: '{var}' is a {kind_of(ds, var)} there but a "
                                        f"{kind_of(base, var)} in the baseline {inputs.sources[inputs.baseline]}")
        steps = base["step"].values
        horizon = int(steps[-1]) if args.horizon is None else args.horizon
        if horizon not in steps:
            raise AnalysisError(f"--horizon {horizon}: not a step of the runs ({steps[0]}..{steps[-1]})")
        effects = effects_table(inputs, names)
        costs, cost_notes = cost_effectiveness(inputs, horizon)
        conv = convergence(inputs, horizon)
        inputs.notes.extend(cost_notes)
        with AtomicDir(args.output) as tmp:
            write_report(tmp, inputs, effects, costs, conv, horizon, names, args.regions_over_time)
    except AnalysisError as exc:
        print(f"compare: error: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    print(f"compare: report written to {args.output}/report.html "
          f"({len(inputs.others)} scenario(s) vs '{inputs.baseline}', horizon step {horizon})")
    return 0


if __name__ == "__main__":
    sys.exit(run())
