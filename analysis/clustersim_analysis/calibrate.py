"""Calibration by the method of simulated moments, searched with optuna.

Usage: scripts/calibrate --targets analysis/targets/domain.toml --params analysis/params/calibration.toml -o DIR

The study lives in DIR/study.db (optuna RDB storage on sqlite), so a killed calibration
run again with the same command continues where it stopped.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import AnalysisError, USAGE_EXIT_CODE
from .moments import check_variables, moment_values, objective, parse_moments
from .params import format_value, load_parameters, read_toml
from .runner import RunFailed, evaluate, find_clustersim, repo_root

STUDY_NAME = "calibration"


def load_targets(path: str) -> dict:
    doc = read_toml(path, "targets")
    unknown = set(doc) - {"scenario", "run", "moments", "description"}
    if unknown:
        raise AnalysisError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                            "allowed: scenario, run, moments, description")
    base = Path(path).resolve().parent
    scenario = doc.get("scenario")
    scenario = (base / scenario).resolve() if scenario else repo_root() / "scenarios" / "baseline.toml"
    if not scenario.is_file():
        raise AnalysisError(f"{path}: scenario {scenario}: no such file")
    run = doc.get("run", {})
    unknown = set(run) - {"replicates", "seed", "set"}
    if unknown:
        raise AnalysisError(f"{path}: run: unknown key(s) {', '.join(sorted(unknown))}; allowed: replicates, seed, set")
    sets = {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in run.get("set", {}).items()}
    return {"scenario": scenario, "replicates": int(run.get("replicates", 2)), "seed": int(run.get("seed", 20261121)),
            "set": sets, "moments": parse_moments(doc.get("moments"), path), "description": doc.get("description", "")}


def overlay_toml(values: dict[str, float], params, extends: str, comment: list[str]) -> str:
    """A scenario overlay: ``extends`` the baseline, then one table per key prefix."""
    by_table: dict[str, list[str]] = {}
    by_key = {p.key: p for p in params}
    for key, v in values.items():
        table, leaf = key.rsplit(".", 1)
        by_table.setdefault(table, []).append(f"{leaf} = {format_value(by_key[key], v)}")
    lines = [f"# {c}" for c in comment] + [f'extends = "{extends}"', ""]
    for table, items in by_table.items():
        lines += [f"[{table}]"] + items + [""]
    return "\n".join(lines)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/calibrate",
        description="Calibrate clustersim parameters by the method of simulated moments: optuna searches "
                    "the parameter bounds, each candidate is a clustersim run with the same seeds (common "
                    "random numbers), and the distance is sum_k w_k ((m_k - target_k) / scale_k)^2. The "
                    "study is stored in OUT/study.db; rerunning the same command resumes it.",
        epilog="Example:\n  scripts/calibrate --targets analysis/targets/domain.toml \\\n"
               "      --params analysis/params/calibration.toml --trials 60 -o out/calibration\n"
               "Writes OUT/calibrated.toml (a scenario overlay that extends the baseline), OUT/fit.csv, "
               "OUT/fit.md and OUT/trials.csv.\nExit codes: 0 ok, 2 bad input or options, 1 other failure.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", required=True, metavar="TARGETS.toml", help="moments with targets and weights")
    p.add_argument("--params", required=True, metavar="PARAMS.toml", help="parameters to calibrate, with bounds")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output and study directory")
    p.add_argument("--trials", type=int, default=60, help="total candidates, including earlier sessions (default 60)")
    p.add_argument("--sampler", choices=["tpe", "cmaes"], default="tpe",
                   help="optuna sampler (default tpe; cmaes needs the 'cmaes' Python package)")
    p.add_argument("--search-seed", type=int, default=0, help="seed of the optuna sampler (default 0)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="extra fixed override for every run (after the targets file's run.set)")
    p.add_argument("--jobs", type=int, default=1,
                   help="candidates evaluated in parallel (default 1: reproducible order; each run uses --threads)")
    p.add_argument("--threads", type=int, default=None, help="threads per clustersim run (default cores/jobs)")
    p.add_argument("--clustersim", default=None, help="path to the clustersim binary")
    p.add_argument("--fresh", action="store_true", help="discard an existing study in OUT instead of resuming")
    return p.parse_args(argv)


def fingerprint(targets_path: str, params_path: str, settings: dict) -> str:
    h = hashlib.sha256()
    for p in (targets_path, params_path):
        h.update(Path(p).read_bytes())
    h.update(json.dumps(settings, sort_keys=True).encode())
    return h.hexdigest()[:16]


def make_sampler(name: str, seed: int, n_params: int, trials: int):
    import optuna
    if name == "cmaes":
        try:
            import cmaes  # noqa: F401
        except ImportError:
            raise AnalysisError("--sampler cmaes needs the Python package 'cmaes', which Debian does not "
                                "package; use --sampler tpe") from None
        return optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=min(10, max(2, trials // 5)))
    return optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                      n_startup_trials=min(10 + 2 * n_params, max(5, trials // 3)))


def run(argv=None) -> int:
    args = parse_args(argv)
    try:
        return _run(args)
    except AnalysisError as exc:
        print(f"calibrate: error: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE


def _run(args) -> int:
    import warnings

    import optuna
    from optuna.trial import TrialState
    optuna.logging.set_verbosity(logging.WARNING)
    # TPE's multivariate mode is "experimental" in optuna 3.1 but models parameter interactions.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    targets = load_targets(args.targets)
    params = load_parameters(args.params)
    moments = targets["moments"]
    binary = find_clustersim(args.clustersim)
    from .sensitivity import _parse_sets
    common = {**targets["set"], **_parse_sets(args.set), "run.seed": str(targets["seed"]),
              "run.replicates": str(targets["replicates"])}
    out = Path(args.output).resolve()
    if not out.parent.is_dir():
        raise AnalysisError(f"{out}: parent directory does not exist")
    out.mkdir(exist_ok=True)
    db = out / "study.db"
    settings = {"set": common, "scenario": str(targets["scenario"]), "sampler": args.sampler}
    fp = fingerprint(args.targets, args.params, settings)
    if args.fresh and db.exists():
        db.unlink()
    storage = optuna.storages.RDBStorage(f"sqlite:///{db}")
    study = optuna.create_study(study_name=STUDY_NAME, storage=storage, direction="minimize",
                                sampler=make_sampler(args.sampler, args.search_seed, len(params), args.trials),
                                load_if_exists=True)
    old_fp = study.user_attrs.get("fingerprint")
    if old_fp is None:
        study.set_user_attr("fingerprint", fp)
    elif old_fp != fp:
        raise AnalysisError(f"{db}: this study was made with other targets, parameters or settings; "
                            "use another -o directory or --fresh to start over")

    # A trial left RUNNING was killed with its process: fail it and try its point again.
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        storage.set_trial_user_attr(t._trial_id, "interrupted", True)
        storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        study.enqueue_trial(t.params, skip_if_exists=True)
    finished = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL))
                if not t.user_attrs.get("interrupted")]
    remaining = max(0, args.trials - len(finished))
    if finished:
        print(f"calibrate: resuming {db}: {len(finished)} candidate(s) done, {remaining} to go", file=sys.stderr)

    # Fail fast on a targets file that names variables the model does not record.
    work = Path(tempfile.mkdtemp(prefix="clustersim-calibrate-"))
    checked = [False]

    def evaluate_trial(trial: "optuna.Trial") -> float:
        point = {}
        for p in params:
            if p.integer:
                x = trial.suggest_int(p.key, int(p.lower), int(p.upper), log=p.log)
            else:
                x = trial.suggest_float(p.key, p.lower, p.upper, log=p.log)
            point[p.key] = format_value(p, x)

        def extract(ds):
            if not checked[0]:
                check_variables(ds, moments, args.targets)
                checked[0] = True
            return moment_values(ds, moments)

        values = evaluate(binary, str(targets["scenario"]), common, [point], extract, work / str(trial.number),
                          jobs=1, threads=args.threads or max(1, (os.cpu_count() or 1) // max(1, args.jobs)))[0]
        for k, v in values.items():
            trial.set_user_attr(f"moment:{k}", v)
        j = objective(values, moments)
        done = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))) + 1
        if done % 10 == 0:
            print(f"calibrate: {done} candidates, best distance so far "
                  f"{min(j, study.best_value) if done > 1 else j:.4g}", file=sys.stderr)
        return j

    try:
        if remaining:
            print(f"calibrate: {remaining} candidate(s), {len(params)} parameter(s), {len(moments)} moment(s), "
                  f"{targets['replicates']} replicate(s) per run", file=sys.stderr)
            study.optimize(evaluate_trial, n_trials=remaining, n_jobs=args.jobs, catch=(RunFailed,))
    finally:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        raise AnalysisError("no candidate completed; see the clustersim messages above")
    best = study.best_trial
    write_outputs(out, args, targets, params, moments, study, best)
    print(f"calibrate: best distance {best.value:.4g} (candidate {best.number}); "
          f"wrote {out}/calibrated.toml, fit.csv, fit.md, trials.csv")
    return 0


def write_outputs(out: Path, args, targets, params, moments, study, best) -> None:
    values = {p.key: best.params[p.key] for p in params}
    extends = os.path.relpath(targets["scenario"], out)
    comment = [f"Calibrated by scripts/calibrate against {args.targets} (parameters {args.params}).",
               f"Best SMM distance {best.value:.6g} after {len(study.trials)} candidates; calibration runs used "
               + " ".join(f"{k}={v}" for k, v in sorted(targets['set'].items())) + ".",
               "Fit per moment: fit.md beside this file."]
    _atomic_write(out / "calibrated.toml", overlay_toml(values, params, extends, comment))
    rows = []
    for m in moments:
        v = best.user_attrs.get(f"moment:{m.name}", np.nan)
        rows.append({"moment": m.name, "statistic": m.statistic, "target": m.target, "simulated": v,
                     "relative_error_pct": 100 * (v - m.target) / m.target if m.target else np.nan,
                     "weight": m.weight, "scale": m.divisor,
                     "contribution": m.weight * ((v - m.target) / m.divisor) ** 2, "description": m.description})
    fit = pd.DataFrame(rows)
    _atomic_write(out / "fit.csv", fit.to_csv(index=False))
    md = ["# Calibration fit\n", f"- targets: {args.targets}", f"- parameters: {args.params}",
          f"- candidates: {len(study.trials)}; best: candidate {best.number}, distance {best.value:.6g}", "",
          "| parameter | lower | upper | calibrated |", "|---|---|---|---|"]
    md += [f"| {p.key} | {p.lower:g} | {p.upper:g} | {values[p.key]:.6g} |" for p in params]
    md += ["", "| moment | target | simulated | relative error (%) | weight | contribution |", "|---|---|---|---|---|---|"]
    md += [f"| {r.moment} | {r.target:.6g} | {r.simulated:.6g} | {r.relative_error_pct:.3g} | {r.weight:g} | "
           f"{r.contribution:.4g} |" for r in fit.itertuples()]
    _atomic_write(out / "fit.md", "\n".join(md) + "\n")
    trials = study.trials_dataframe(attrs=("number", "value", "state", "params", "user_attrs"))
    _atomic_write(out / "trials.csv", trials.to_csv(index=False))


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(run())
