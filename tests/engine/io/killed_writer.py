#!/usr/bin/python3
"""Leftovers of killed writers (issue 16): a SIGKILLed `clustersim run` leaves
OUT.h5.tmp-PID; the next `run` to the same OUT removes it, but not the temporary file of a
writer that is still running; `merge` does the same for its output.

Usage: /usr/bin/python3 killed_writer.py SOURCE_DIR   (CLUSTERSIM_BIN names the binary)
"""

import glob
import os
import signal
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("CLUSTERSIM_BIN", "")
SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."
SMALL = ["--quiet", "--set", "population.smes=2000", "--set", "population.regions=10", "--set", "world.source=synthetic"]
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def start_long_run(out):
    """A run that takes minutes, returned once its temporary file exists (mid-write)."""
    process = subprocess.Popen([BIN, "run", f"{SOURCE}/scenarios/baseline.toml", "-o", out, *SMALL,
                                "--set", "run.steps=4000", "--set", "population.smes=20000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    temporary = f"{out}.tmp-{process.pid}"
    deadline = time.time() + 120
    while not os.path.exists(temporary) and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    return process, temporary


def check_run(scratch):
    out = os.path.join(scratch, "out.h5")
    killed, stale = start_long_run(out)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    expect(os.path.exists(stale), f"the killed run left no {stale} (killed too early?)")
    live, live_temporary = start_long_run(out)
    try:
        expect(os.path.exists(live_temporary), f"the live run has no {live_temporary}")
        r = subprocess.run([BIN, "run", f"{SOURCE}/scenarios/baseline.toml", "-o", out, *SMALL, "--set", "run.steps=4"],
                           capture_output=True, text=True, timeout=300)
        expect(r.returncode == 0, f"the second run failed: {r.stderr}")
        expect(os.path.exists(out), "the second run wrote no output")
        expect(not os.path.exists(stale), f"the killed run's {stale} is still there")
        expect(os.path.exists(live_temporary), f"the live run's {live_temporary} was removed")
    finally:
        live.send_signal(signal.SIGKILL)
        live.wait()


def check_merge(scratch):
    experiment = os.path.join(scratch, "exp.toml")
    with open(experiment, "w") as f:
        f.write(f'baseline = "{SOURCE}/scenarios/baseline.toml"\nreplicates = 2\n'
                "[set]\nrun.steps = 4\npopulation.smes = 2000\npopulation.regions = 10\nworld.source = \"synthetic\"\n")
    sweep = os.path.join(scratch, "sweep")
    r = subprocess.run([BIN, "sweep", experiment, "-d", sweep, "--quiet"], capture_output=True, text=True, timeout=300)
    expect(r.returncode == 0, f"the sweep failed: {r.stderr}")
    # A merge killed mid-write leaves its temporary file: an unlocked one here.
    stale = os.path.join(scratch, "all.h5.tmp-999999999")
    with open(stale, "w") as f:
        f.write("partial")
    r = subprocess.run([BIN, "merge", sweep, "-o", os.path.join(scratch, "all.h5")], capture_output=True, text=True,
                       timeout=300)
    expect(r.returncode == 0, f"the merge failed: {r.stderr}")
    expect(not os.path.exists(stale), "merge left a dead merge's temporary file")
    left = glob.glob(os.path.join(scratch, "all.h5.tmp-*")) + glob.glob(os.path.join(sweep, "**", "*.tmp-*"),
                                                                       recursive=True)
    expect(left == [], f"temporary files left: {left}")


def main():
    if not BIN:
        print("usage: CLUSTERSIM_BIN=... killed_writer.py SOURCE_DIR")
        return 2
    with tempfile.TemporaryDirectory(prefix="clustersim-killed-writer-") as scratch:
        check_run(scratch)
        check_merge(scratch)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
