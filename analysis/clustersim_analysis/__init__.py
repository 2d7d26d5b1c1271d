"""Analysis and tuning for clustersim runs: compare scenarios, impact evaluation,
scenario discovery, sensitivity, calibration.

The command-line entry points are ``scripts/compare``, ``scripts/evaluate``,
``scripts/discover``, ``scripts/sensitivity`` and ``scripts/calibrate``; the methods are
described in docs/ANALYSIS.md.
"""


class AnalysisError(Exception):
    """A user error (bad input file, bad options). Commands print it and exit with 2."""


USAGE_EXIT_CODE = 2
