"""Shared helpers for the command-line tests.

Each tests/cli/test_*.py is run by ctest as `python3 test_x.py PATH/TO/rumbo` from the
repository root. A test module defines functions named test_*; `main()` runs them all,
prints one line per test and a closing "N passed, M failed" line, and exits non-zero if
any failed.
"""
import os
import subprocess
import sys
import tempfile
import traceback

import h5py
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUMBO = None  # set by main() from argv[1]


def scenario(name):
    """Path of a test scenario in tests/scenarios."""
    return os.path.join(REPO, "tests", "scenarios", name)


def run(*args, check=None, env=None, timeout=600):
    """Runs rumbo with args; returns CompletedProcess. check=N asserts the exit code."""
    p = subprocess.run([RUMBO, *map(str, args)], capture_output=True, text=True,
                       env=env, timeout=timeout)
    if check is not None and p.returncode != check:
        raise AssertionError(f"rumbo {' '.join(map(str, args))} exited {p.returncode}, "
                             f"expected {check}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def run_to(tmp, scen, *args, name="out.h5"):
    """Runs a scenario quietly into tmp/name and returns the output path."""
    out = os.path.join(tmp, name)
    run("run", scen, "-o", out, "--quiet", *args, check=0)
    return out


def datasets(path):
    """All datasets of a file as {name: numpy array}."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def assert_same_datasets(a, b):
    da, db = datasets(a), datasets(b)
    assert sorted(da) == sorted(db), f"dataset names differ: {sorted(da)} vs {sorted(db)}"
    for k in da:
        # NaN marks "undefined" (e.g. a Sobol index of a constant): equal to itself here.
        nan_ok = np.asarray(da[k]).dtype.kind == "f"
        assert np.array_equal(da[k], db[k], equal_nan=nan_ok), \
            f"dataset {k} differs between {a} and {b}"


# Every way of leaving the system: final state (the `outcome` dimension, sim/agents.h) ->
# the event counted when a person reaches it. Killed by a criminal group is counted in
# `death` too (state dead). Add a line here when adding a final state; every
# conservation check uses this one list.
FINAL_EVENTS = {"arrived": "arrival", "dead": "death", "settled": "settled",
                "returned_home": "returned_home", "gave_up": "gave_up"}


def _labels(f, dim):
    return [s.decode() if isinstance(s, bytes) else s for s in f[dim + "_name"][()]]


def left_system(events, event_names):
    """Cumulative people who left the system by each day, from events[time, event]."""
    left = np.zeros(events.shape[0], dtype=np.int64)
    for e in FINAL_EVENTS.values():
        left += np.cumsum(events[:, event_names.index(e)])
    return left


def assert_conserved(path):
    """entries = people present + people who left, on every day of the file at `path`;
    and FINAL_EVENTS names every final state the file has."""
    with h5py.File(path, "r") as f:
        events, event_names = f["events"][()], _labels(f, "event")
        present = f["population"][()].sum(axis=(1, 2))
        outcomes = _labels(f, "outcome")
    assert sorted(outcomes) == sorted(FINAL_EVENTS), f"final states {outcomes} vs FINAL_EVENTS"
    entries = np.cumsum(events[:, event_names.index("entry")])
    left = left_system(events, event_names)
    assert np.array_equal(entries, present + left), entries - present - left
    return entries


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class Skip(Exception):
    """Raised by a test that cannot run here (says why); counted as skipped, not passed."""


def main(namespace):
    global RUMBO
    RUMBO = os.path.abspath(sys.argv[1])
    tests = sorted((k, v) for k, v in namespace.items() if k.startswith("test_") and callable(v))
    passed = failed = skipped = 0
    for name, fn in tests:
        with tempfile.TemporaryDirectory(prefix="rumbo-test-") as tmp:
            try:
                fn(tmp)
                passed += 1
                print(f"PASS {name}")
            except Skip as why:
                skipped += 1
                print(f"SKIP {name}: {why}")
            except Exception:  # report every failure, keep going
                failed += 1
                print(f"FAIL {name}")
                traceback.print_exc(file=sys.stdout)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    sys.exit(1 if failed or not passed else 0)
