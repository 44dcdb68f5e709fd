"""Checkpoint and restart of `rumbo run`: a restarted run equals a straight one."""
import os
import signal
import subprocess
import time

import h5py

from rumbo_test import assert_same_datasets, main, run, run_to, scenario, write
import rumbo_test

TINY = scenario("tiny.yaml")


def test_restart_equals_straight_run(tmp):
    straight = run_to(tmp, TINY, "--threads", "1", name="straight.h5")
    out = os.path.join(tmp, "split.h5")
    p = run("run", TINY, "-o", out, "--quiet", "--stop-at", "23", "--threads", "2", check=3)
    ckpt = out + ".ckpt"
    assert os.path.exists(ckpt) and not os.path.exists(out), p.stderr
    with h5py.File(ckpt, "r") as f:
        assert f.attrs["format"] == "rumbo checkpoint"
        assert f.attrs["day"] == 23
        assert f["series/events"].shape[0] == 60  # every row; days 23.. still to come
        assert not f["series/events"][23:].any()
        assert "engine.next_id" in f["state"]
        assert len(f["agents/id"]) > 0
    run("run", TINY, "-o", out, "--quiet", "--restart", ckpt, "--threads", "2", check=0)
    assert_same_datasets(straight, out)
    assert subprocess.run(["h5diff", straight, out]).returncode == 0


def shipped_restart_equals_straight(tmp, name, days, stops):
    base = os.path.join(rumbo_test.REPO, "scenarios", name)
    args = ["--days", str(days), "--set", "inflow.per_year=20000"]
    straight = run_to(tmp, base, *args, "--threads", "2", name="straight.h5")
    out = os.path.join(tmp, "split.h5")
    for k, stop in enumerate(stops):
        run("run", base, "-o", out, "--quiet", *args, "--resume", "--stop-at", str(stop),
            "--threads", str(1 + k % 2), check=3)
    run("run", base, "-o", out, "--quiet", *args, "--resume", "--threads", "2", check=0)
    assert_same_datasets(straight, out)


def test_baseline_restart_equals_straight_run(tmp):
    """The shipped scenarios with every module they enable: a module that forgot to
    register its day-to-day state (sim/persist.h) makes these fail."""
    shipped_restart_equals_straight(tmp, "baseline.yaml", 150, [61])


def test_frontera_sur_restart_across_the_program_equals_straight_run(tmp):
    """Stopped before, at and after the Southern Border Program's timeline date
    (2014-07-07, day 918 from 2012-01-01): parameters change between the jobs."""
    shipped_restart_equals_straight(tmp, "frontera_sur_2014.yaml", 1000, [900, 918, 919, 950])


def test_hurricane_scenarios_restart_equal_straight_runs(tmp):
    """Closures (Stan), stochastic storms drawn year by year (a growing damage list),
    stopped across a calendar year and inside closures."""
    shipped_restart_equals_straight(tmp, "stan_2005.yaml", 800, [120, 300, 366, 640])
    # With the shipped seed, storms make landfall on days 1247 and 1348 (2015).
    shipped_restart_equals_straight(tmp, "hurricane_seasons.yaml", 1461, [400, 1096, 1260, 1300])


def test_resume_over_several_jobs(tmp):
    """--resume with --stop-at: three "jobs" of one run, two threads, then one thread."""
    straight = run_to(tmp, TINY, name="straight.h5")
    out = os.path.join(tmp, "jobs.h5")
    common = ["run", TINY, "-o", out, "--quiet", "--resume", "--checkpoint-every", "7"]
    run(*common, "--stop-at", "15", "--threads", "2", check=3)
    run(*common, "--stop-at", "31", "--threads", "1", check=3)
    run(*common, "--threads", "2", check=0)
    assert not os.path.exists(out + ".ckpt"), "checkpoint left behind after completion"
    assert_same_datasets(straight, out)


def test_ensemble_restarts_keep_finished_members(tmp):
    """An ensemble stopped in member 0, then in member 1, then in member 2: the finished
    members come from CHECKPOINT.members, and the file equals a straight ensemble's."""
    straight = run_to(tmp, TINY, "--members", "3", "--member", "4", name="straight.h5")
    out = os.path.join(tmp, "ens.h5")
    common = ["run", TINY, "-o", out, "--quiet", "--members", "3", "--member", "4", "--resume"]
    run(*common, "--stop-at", "20", "--threads", "2", check=3)
    with h5py.File(out + ".ckpt", "r") as f:
        assert f.attrs["member"] == 4 and f.attrs["day"] == 20
    run(*common, "--stop-at", "20", "--threads", "1", check=3)
    with h5py.File(out + ".ckpt", "r") as f:
        assert f.attrs["member"] == 5 and f.attrs["day"] == 20
    with h5py.File(out + ".ckpt.members", "r") as f:
        assert list(f) == ["member_4"]
    run(*common, "--stop-at", "10", "--threads", "2", check=3)
    with h5py.File(out + ".ckpt", "r") as f:
        assert f.attrs["member"] == 6 and f.attrs["day"] == 10
    run(*common, check=0)
    assert not os.path.exists(out + ".ckpt") and not os.path.exists(out + ".ckpt.members")
    assert_same_datasets(straight, out)
    # A checkpoint of a member outside the run is refused.
    run("run", TINY, "-o", out, "--quiet", "--member", "9", "--stop-at", "5", check=3)
    p = run("run", TINY, "-o", out, "--quiet", "--members", "2", "--restart", out + ".ckpt",
            check=2)
    assert "member 9" in p.stderr, p.stderr


def test_sigterm_writes_checkpoint_and_exits_3(tmp):
    """A wall-time SIGTERM mid-run: checkpoint, exit 3; the restart completes the run."""
    args = ["--days", "5000", "--set", "inflow.per_year=20000", "--threads", "2"]
    straight = run_to(tmp, TINY, *args, name="straight.h5")
    out = os.path.join(tmp, "killed.h5")
    ckpt = os.path.join(tmp, "k.ckpt")
    cmd = [rumbo_test.RUMBO, "run", TINY, "-o", out, "--quiet", "--checkpoint", ckpt,
           "--checkpoint-every", "50", *args]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The first scheduled checkpoint shows that the run is under way.
    deadline = time.time() + 120
    while not os.path.exists(ckpt) and p.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 3, (p.returncode, err)
    assert not os.path.exists(out)
    with h5py.File(ckpt, "r") as f:
        day = int(f.attrs["day"])
    assert 0 < day < 5000
    run("run", TINY, "-o", out, "--quiet", "--restart", ckpt, *args, check=0)
    assert_same_datasets(straight, out)


def test_restart_refuses_other_scenario(tmp):
    out = os.path.join(tmp, "a.h5")
    run("run", TINY, "-o", out, "--quiet", "--stop-at", "5", check=3)
    p = run("run", TINY, "-o", out, "--quiet", "--restart", out + ".ckpt", "--seed", "8",
            check=2)
    assert "different scenario" in p.stderr, p.stderr
    assert not os.path.exists(out)


def test_restart_refuses_bad_files(tmp):
    out = os.path.join(tmp, "a.h5")
    p = run("run", TINY, "-o", out, "--restart", os.path.join(tmp, "missing.ckpt"), check=2)
    assert "missing.ckpt" in p.stderr
    junk = write(tmp, "junk.ckpt", "not hdf5\n")
    p = run("run", TINY, "-o", out, "--restart", junk, check=2)
    assert "junk.ckpt" in p.stderr
    plain = run_to(tmp, TINY, name="plain.h5")  # an HDF5 file, but not a checkpoint
    p = run("run", TINY, "-o", out, "--restart", plain, check=2)
    assert "not a rumbo checkpoint" in p.stderr, p.stderr


def test_restart_refuses_other_format_version(tmp):
    out = os.path.join(tmp, "a.h5")
    run("run", TINY, "-o", out, "--quiet", "--stop-at", "5", check=3)
    with h5py.File(out + ".ckpt", "r+") as f:
        f.attrs["checkpoint_version"] = 999
    p = run("run", TINY, "-o", out, "--restart", out + ".ckpt", check=2)
    assert "version 999" in p.stderr, p.stderr


def test_restart_refuses_missing_state(tmp):
    out = os.path.join(tmp, "a.h5")
    run("run", TINY, "-o", out, "--quiet", "--stop-at", "5", check=3)
    with h5py.File(out + ".ckpt", "r+") as f:
        del f["state/engine.incidents"]
        del f["agents/days_left"]
    p = run("run", TINY, "-o", out, "--restart", out + ".ckpt", check=2)
    assert "days_left" in p.stderr, p.stderr


def test_restart_refuses_agents_no_run_could_hold(tmp):
    """An edited or damaged agent field that indexes a table (a state, a node, an
    edge, a document, an organisation) is refused with the field named, exit 2,
    before it is read out of bounds (a state of 200 crashed the run)."""
    out = os.path.join(tmp, "a.h5")
    run("run", TINY, "-o", out, "--quiet", "--stop-at", "10", check=3)
    edits = [({"state": 200}, "'state'"), ({"node": 9999}, "'node'"),
             ({"edge": 5000}, "'edge'"), ({"plan": 5000}, "'plan'"),
             ({"home": 9999}, "'home'"), ({"nationality": 77}, "'nationality'"),
             ({"traits": 255}, "'traits'"), ({"doc": 99}, "'doc'"),
             ({"state": 8, "holder": 250}, "'holder' of a captive"),
             ({"state": 5, "holder": 7}, "'holder' of a detained")]
    for edit, named in edits:
        bad = os.path.join(tmp, "bad.ckpt")
        with open(out + ".ckpt", "rb") as src, open(bad, "wb") as dst:
            dst.write(src.read())
        with h5py.File(bad, "r+") as f:
            for field, value in edit.items():
                values = f["agents/" + field][:]
                values[3] = value
                f["agents/" + field][...] = values
        p = run("run", TINY, "-o", out, "--restart", bad, check=2)
        assert "bad.ckpt" in p.stderr and named in p.stderr and "agent 3" in p.stderr, \
            (edit, p.stderr)
        assert not os.path.exists(out)
    # The untouched checkpoint still restarts.
    run("run", TINY, "-o", out, "--quiet", "--restart", out + ".ckpt")
    assert os.path.exists(out)


if __name__ == "__main__":
    main(globals())
