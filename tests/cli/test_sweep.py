"""`rumbo sweep`: designs, indicators, the sweep file, Sobol indices, stop and resume."""
import math
import os
import signal
import subprocess
import time

import h5py
import numpy as np

from rumbo_test import assert_same_datasets, datasets, main, run, run_to, scenario, write
import rumbo_test

TINY = scenario("tiny.yaml")
PI = "3.141592653589793"


def ishigami_spec(tmp, n, name="ish.yaml", extra=""):
    return write(tmp, name, f"""
model: ishigami
parameters:
  x1: {{range: [-{PI}, {PI}]}}
  x2: {{range: [-{PI}, {PI}]}}
  x3: {{range: [-{PI}, {PI}]}}
design: saltelli
samples: {n}
bootstrap: 100
{extra}""")


def tiny_spec(tmp, body, name="sweep.yaml"):
    return write(tmp, name, f"scenario: {TINY}\n" + body)


def sweep(spec, out, *args, check=0):
    return run("sweep", spec, "-o", out, *args, check=check)


def ishigami_exact(a=7.0, b=0.1):
    v1 = 0.5 * (1 + b * math.pi ** 4 / 5) ** 2
    v2 = a * a / 8
    v13 = 8 * b * b * math.pi ** 8 / 225
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def test_ishigami_indices_within_002_at_n4096(tmp):
    """The whole pipeline (spec, Saltelli design, runs, file, estimator) on Ishigami:
    N = 4096 base samples (20480 runs) gives every S and ST within 0.02 of the exact."""
    out = os.path.join(tmp, "ish.h5")
    p = sweep(ishigami_spec(tmp, 4096), out)
    assert "Sobol indices" in p.stdout
    S, ST = ishigami_exact()
    with h5py.File(out, "r") as f:
        assert f["indicators"].shape == (20480, 1)
        assert f["parameters"].shape == (20480, 3)
        got_S, got_ST = f["sensitivity/S"][0], f["sensitivity/ST"][0]
        lo, hi = f["sensitivity/S_lo"][0], f["sensitivity/S_hi"][0]
        assert np.all(lo <= hi)
    for i in range(3):
        assert abs(got_S[i] - S[i]) < 0.02, (i, got_S, S)
        assert abs(got_ST[i] - ST[i]) < 0.02, (i, got_ST, ST)
    assert not os.path.exists(out + ".partial")


def test_ishigami_takes_a_and_b(tmp):
    out = os.path.join(tmp, "ish.h5")
    sweep(ishigami_spec(tmp, 2048, extra="set: {a: 5, b: 0.2}"), out, "-q")
    S, ST = ishigami_exact(5, 0.2)
    with h5py.File(out, "r") as f:
        assert np.allclose(f["sensitivity/S"][0], S, atol=0.03), (f["sensitivity/S"][0], S)
        assert np.allclose(f["sensitivity/ST"][0], ST, atol=0.03)


def test_grid_covers_every_combination(tmp):
    spec = write(tmp, "grid.yaml", f"""
model: ishigami
parameters:
  x1: {{range: [-1, 2], levels: 4}}
  x3: {{values: [0.5, -0.25, 3]}}
design: grid
replicates: 2
""")
    out = os.path.join(tmp, "grid.h5")
    sweep(spec, out, "-q")
    with h5py.File(out, "r") as f:
        par = f["parameters"][()]
        assert par.shape == (4 * 3 * 2, 2)
        assert list(f["point"][()]) == [i // 2 for i in range(24)]
        assert list(f["replicate"][()]) == [i % 2 for i in range(24)]
        assert np.all(f["done"][()] == 1)
        names = [s.decode() if isinstance(s, bytes) else s for s in f["parameter_name"][()]]
        assert names == ["x1", "x3"]
        combos = {(a, b) for a, b in par}
        assert combos == {(a, b) for a in (-1.0, 0.0, 1.0, 2.0) for b in (0.5, -0.25, 3.0)}
        # Odometer order: the last parameter varies fastest.
        assert list(par[::2, 1][:3]) == [0.5, -0.25, 3.0]
        assert "sensitivity" not in f
        y = f["indicators"][:, 0]
        x = par
        expect = np.sin(x[:, 0]) + 0.1 * x[:, 1] ** 4 * np.sin(x[:, 0])
        assert np.allclose(y, expect)


def test_lhs_stratifies_every_range(tmp):
    n = 40
    spec = write(tmp, "lhs.yaml", f"""
model: ishigami
parameters:
  x1: {{range: [-2, 6]}}
  x2: {{range: [10, 11]}}
  x3: {{values: [1, 2, 3, 4]}}
design: lhs
samples: {n}
seed: 5
""")
    out = os.path.join(tmp, "lhs.h5")
    sweep(spec, out, "-q")
    with h5py.File(out, "r") as f:
        par = f["parameters"][()]
    assert par.shape == (n, 3)
    for j, (lo, hi) in enumerate([(-2, 6), (10, 11)]):
        assert par[:, j].min() >= lo and par[:, j].max() <= hi
        strata = np.floor((par[:, j] - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n)), (j, sorted(strata))
    counts = [int(np.sum(par[:, 2] == v)) for v in (1, 2, 3, 4)]
    assert counts == [10, 10, 10, 10], counts
    # Another seed gives another design; the same seed the same one.
    out2 = os.path.join(tmp, "lhs2.h5")
    sweep(spec, out2, "-q")
    assert_same_datasets(out, out2)


def test_indicators_match_a_plain_run(tmp):
    spec = tiny_spec(tmp, """
set: {days: 30}
parameters:
  inflow.per_year: {values: [10000, 40000]}
  movement.trains.main.riders_per_train: {values: [5, 300]}
design: grid
indicators: [entry, arrival, boarding, share_arriving, in_mexico_at_end]
store_series: true
""")
    out = os.path.join(tmp, "s.h5")
    sweep(spec, out, "-q", "--threads", "2")
    with h5py.File(out, "r") as f:
        ind = f["indicators"][()]
        par = f["parameters"][()]
        names = [s.decode() if isinstance(s, bytes) else s for s in f["indicator_name"][()]]
        assert names == ["entry", "arrival", "boarding", "share_arriving", "in_mexico_at_end"]
        series_events = f["series/events"][()]
        assert f["series/population"].shape[:2] == (4, 30)
    for row in range(4):
        plain = run_to(tmp, TINY, "--days", "30", "--set", f"inflow.per_year={par[row, 0]:.17g}",
                       "--set", f"movement.trains.main.riders_per_train={par[row, 1]:.17g}",
                       name=f"plain{row}.h5")
        d = datasets(plain)
        ev = d["events"]
        assert np.array_equal(series_events[row], ev)
        en = [s.decode() if isinstance(s, bytes) else s for s in d["event_name"]]
        entries, arrivals = ev[:, en.index("entry")].sum(), ev[:, en.index("arrival")].sum()
        assert ind[row, 0] == entries and ind[row, 1] == arrivals
        assert ind[row, 2] == ev[:, en.index("boarding")].sum()
        assert math.isclose(ind[row, 3], arrivals / entries)
        assert ind[row, 4] == d["population"][-1].sum()
    # More inflow, more entries; fewer seats, fewer boardings.
    assert ind[2, 0] > ind[0, 0] and ind[0, 2] < ind[1, 2]


def test_jobs_and_threads_do_not_change_the_file(tmp):
    body = """
set: {days: 40}
parameters:
  inflow.per_year: {range: [5000, 40000]}
design: lhs
samples: 4
replicates: 2
store_series: true
"""
    one = os.path.join(tmp, "one.h5")
    sweep(tiny_spec(tmp, body), one, "-q", "--jobs", "1", "--threads", "1")
    for jobs, threads in (("1", "2"), ("2", "1"), ("2", "2"), ("3", "1")):
        other = os.path.join(tmp, f"j{jobs}t{threads}.h5")
        p = sweep(tiny_spec(tmp, body), other, "--jobs", jobs, "--threads", threads)
        assert f"{jobs} job" in p.stdout and f"{threads} thread" in p.stdout, p.stdout
        assert_same_datasets(one, other)
    with h5py.File(one, "r") as f:
        ind = f["indicators"][()]
    # Replicates are different members: same parameters, different entries.
    assert ind[0, 0] != ind[1, 0]


def test_stop_and_resume_equals_straight_sweep(tmp):
    spec = ishigami_spec(tmp, 64)
    straight = os.path.join(tmp, "straight.h5")
    sweep(spec, straight, "-q")
    out = os.path.join(tmp, "resumed.h5")
    p = sweep(spec, out, "--stop-after", "100", check=3)
    assert "100 of 320 runs done" in p.stderr, p.stderr
    assert os.path.exists(out + ".partial") and not os.path.exists(out)
    with h5py.File(out + ".partial", "r") as f:
        assert f["done"][()].sum() == 100
    sweep(spec, out, "-q", "--stop-after", "150", check=3)
    p = sweep(spec, out)
    assert "(250 done before)" in p.stdout, p.stdout
    assert not os.path.exists(out + ".partial")
    assert_same_datasets(straight, out)
    assert subprocess.run(["h5diff", straight, out]).returncode == 0


def test_stop_after_with_parallel_runs(tmp):
    """--stop-after N with runs in parallel: N runs finish, none is abandoned."""
    spec = tiny_spec(tmp, """
set: {days: 200}
parameters:
  inflow.per_year: {range: [5000, 40000]}
design: lhs
samples: 12
""")
    straight = os.path.join(tmp, "straight.h5")
    sweep(spec, straight, "-q", "--jobs", "1", "--threads", "1")
    out = os.path.join(tmp, "s.h5")
    sweep(spec, out, "-q", "--jobs", "3", "--stop-after", "5", check=3)
    with h5py.File(out + ".partial", "r") as f:
        assert f["done"][()].sum() == 5
    sweep(spec, out, "-q", "--jobs", "2")
    assert_same_datasets(straight, out)


def start_sweep(spec, out, *args):
    return subprocess.Popen([rumbo_test.RUMBO, "sweep", spec, "-o", out, "-q", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_runs(path, n, proc, timeout=120):
    """Waits until the partial file shows n finished runs (flushed after the first run,
    then every 2 s)."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            with h5py.File(path, "r", locking=False) as f:
                if f["done"][()].sum() >= n:
                    return
        except (OSError, KeyError):
            pass
        time.sleep(0.1)


def killed_sweep_resumes(tmp, sig):
    body = """
set: {days: 800, inflow.per_year: 20000}
parameters:
  inflow.per_year: {range: [5000, 30000]}
  movement.modes.road.km_per_day: {range: [100, 600]}
design: saltelli
samples: 16
bootstrap: 50
store_series: true
"""
    spec = tiny_spec(tmp, body)
    straight = os.path.join(tmp, "straight.h5")
    sweep(spec, straight, "-q")
    out = os.path.join(tmp, "killed.h5")
    p = start_sweep(spec, out, "--jobs", "2")
    wait_for_runs(out + ".partial", 1, p)
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    expected = 3 if sig == signal.SIGTERM else -signal.SIGKILL
    assert p.returncode == expected, (p.returncode, err)
    assert os.path.exists(out + ".partial") and not os.path.exists(out)
    if sig == signal.SIGTERM:
        with h5py.File(out + ".partial", "r") as f:
            done = int(f["done"][()].sum())
        assert 1 <= done < 64, done
    sweep(spec, out, "-q", "--threads", "1")
    assert_same_datasets(straight, out)


def test_sigterm_mid_sweep_then_resume_equals_straight(tmp):
    killed_sweep_resumes(tmp, signal.SIGTERM)


def test_sigkill_mid_sweep_then_resume_equals_straight(tmp):
    """A crash between flushes: the rerun picks up the partial file (or, if the crash
    left it damaged, starts over); either way the result is the straight sweep's."""
    killed_sweep_resumes(tmp, signal.SIGKILL)


def test_partial_file_of_another_sweep_is_refused(tmp):
    out = os.path.join(tmp, "s.h5")
    sweep(ishigami_spec(tmp, 16), out, "--stop-after", "5", check=3)
    other = ishigami_spec(tmp, 32, name="other.yaml")
    p = sweep(other, out, check=2)
    assert "different sweep" in p.stderr and "--fresh" in p.stderr, p.stderr
    sweep(other, out, "-q", "--fresh")
    with h5py.File(out, "r") as f:
        assert f["done"].shape == (32 * 5,)


def bad(tmp, text, *fragments, name="bad.yaml"):
    spec = write(tmp, name, text)
    out = os.path.join(tmp, "bad.h5")
    p = sweep(spec, out, check=2)
    for frag in fragments:
        assert frag in p.stderr, (frag, p.stderr)
    assert not os.path.exists(out) and not os.path.exists(out + ".partial")
    return p


def test_bad_specs_name_file_line_and_key(tmp):
    base = f"scenario: {TINY}\n"
    bad(tmp, base + "parameters:\n  inflow.per_year: {range: [1, 2]}\ndesign: lhs\nsamples: 4\n"
        "replicate: 2\n", "bad.yaml:6", "replicate", "unknown key")
    bad(tmp, base + "parameters:\n  inflow.per_year: {range: [5, 2]}\ndesign: lhs\nsamples: 4\n",
        "bad.yaml:3", "lo must not exceed hi")
    bad(tmp, base + "parameters:\n  inflow.per_year: {range: [1, 2]}\ndesign: grid\n",
        "levels")
    bad(tmp, base + "parameters:\n  inflow.per_year: {range: [1, 2]}\ndesign: sobol\n"
        "samples: 4\n", "bad.yaml:4", "design")
    bad(tmp, base + "parameters:\n  inflow.per_year: {range: [1, 2]}\ndesign: lhs\nsamples: 4\n"
        "indicators: [entry, arrivals]\n", "bad.yaml:6", "unknown indicator", "arrival")
    bad(tmp, base + "parameters:\n  inflow.per_yer: {range: [1, 2]}\ndesign: lhs\nsamples: 4\n",
        "bad.yaml:3", "inflow.per_yer", "unknown key")
    bad(tmp, base + "parameters:\n  inflow.per_year: {range: [-10, 2]}\ndesign: lhs\n"
        "samples: 4\n", "bad.yaml:3", "rejects the value -10")
    bad(tmp, base + "parameters:\n  days: {values: [10, 20]}\ndesign: grid\n",
        "bad.yaml:3", "cannot be varied")
    bad(tmp, base + "set: {inflow.per_year: -1}\nparameters:\n  seed: {values: [1, 2]}\n"
        "design: grid\n", "bad.yaml", "base scenario", "inflow.per_year")
    bad(tmp, "model: ishigami\nparameters:\n  x4: {range: [0, 1]}\ndesign: lhs\nsamples: 4\n",
        "bad.yaml:3", "x1, x2 and x3")
    bad(tmp, "parameters:\n  x1: {range: [0, 1]}\ndesign: lhs\nsamples: 4\n",
        "scenario: FILE")
    bad(tmp, "scenario: nowhere.yaml\nparameters:\n  x1: {range: [0, 1]}\ndesign: lhs\n"
        "samples: 4\n", "nowhere.yaml")
    p = run("sweep", os.path.join(tmp, "missing.yaml"), check=2)
    assert "missing.yaml" in p.stderr


if __name__ == "__main__":
    main(globals())
