"""`rumbo bench` on a tiny size: it runs the full default model, prints every figure
and exits 0. Speed is not tested (no timed assertions); only that the tool works."""
import os
import re
import subprocess

import rumbo_test

from rumbo_test import REPO, main, run

BASELINE = os.path.join(REPO, "scenarios", "baseline.yaml")
TINY = os.path.join(REPO, "tests", "scenarios", "tiny.yaml")


def test_bench_prints_its_figures(tmp):
    p = run("bench", BASELINE, "--sizes", "500,1000", "--warmup", "5", "--days", "2",
            "--threads", "1,2", "--tmpdir", tmp, "--phases", check=0)
    for words in ("agent-days/s", "bytes/ag", "SoA B", "loop", "routes", "daily", "output",
                  "2-thread speedup at 500:", "2-thread speedup at 1000:",
                  "ns/agent-day: plan", "day_start/day_end: inflow",
                  "beside the phases above: tomorrow's route tables",
                  "removing a small day's leavers",
                  "output, whole run: making the file",
                  "memory per added live agent from 500 to 1000:"):
        assert words in p.stdout, (words, p.stdout)
    # target, population scale, threads, live, agent-days/s, median day, ns, bytes per agent...
    rows = [l.split() for l in p.stdout.splitlines() if re.match(r"\s+\d+\s+\S+\s+[12]\s", l)]
    assert len(rows) == 4, p.stdout
    for r in rows:
        assert 0 < float(r[1]) < 1, r  # 500 and 1000 live agents: a sample of the baseline
        assert float(r[4]) > 0 and float(r[5]) > 0 and float(r[7]) > 0, r
    assert not os.listdir(tmp), os.listdir(tmp)  # the HDF5 output is deleted


def test_bench_run_failure_is_reported_once(tmp):
    """Each run is a process of its own: its error reaches the user once, with the
    exit code of a runtime failure."""
    p = run("bench", BASELINE, "--sizes", "500", "--warmup", "2", "--days", "1", "--threads",
            "1", "--tmpdir", os.path.join(tmp, "missing"), check=1)
    assert "cannot create the output file" in p.stderr, p.stderr
    errors = [l for l in p.stderr.splitlines() if not l.startswith("rumbo bench: ")]
    assert len(errors) == 1, p.stderr  # besides the line saying which run starts


def pilot_live_agents(stdout):
    """The live agents the pilot run (a process of its own) found after the warm-up."""
    m = re.search(r"population_scale 1, (\d+) live agents", stdout)
    assert m, stdout
    return int(m.group(1))


def test_bench_scenario_after_double_dash(tmp):
    """The runs' own processes get the user's arguments as given, `--` included: with
    the tiny scenario after `--`, the pilot simulates the tiny scenario (not bench's
    default, the baseline, whose pilot finds other numbers)."""
    args = ("--sizes", "500", "--warmup", "2", "--days", "1", "--threads", "1", "--tmpdir", tmp)
    dashed = run("bench", *args, "--", TINY, check=0)
    plain = run("bench", TINY, *args, check=0)
    default = run("bench", *args, check=0)
    assert "2-thread speedup" not in dashed.stdout and "bytes/ag" in dashed.stdout, dashed.stdout
    assert pilot_live_agents(dashed.stdout) == pilot_live_agents(plain.stdout)
    assert pilot_live_agents(dashed.stdout) != pilot_live_agents(default.stdout)


def test_bench_runs_in_process_when_it_cannot_start_itself(tmp):
    """Under a loader /proc/self/exe is not the program started (sim/self.h): the runs
    share bench's process and still print every figure. Here the program is started
    through a link of another name, so that /proc/self/exe names rumbo, not it."""
    copy = os.path.join(tmp, "simulator")
    os.symlink(os.path.abspath(rumbo_test.RUMBO), copy)
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    p = subprocess.run([copy, "bench", BASELINE, "--sizes", "500,1000", "--warmup", "2",
                        "--days", "1", "--threads", "1", "--tmpdir", work],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    rows = [l.split() for l in p.stdout.splitlines() if re.match(r"\s+\d+\s+\S+\s+1\s", l)]
    assert len(rows) == 2 and all(float(r[4]) > 0 for r in rows), p.stdout
    assert "memory per added live agent" in p.stdout, p.stdout
    assert not os.listdir(work), os.listdir(work)


def test_bench_repeat_prints_the_fastest_run(tmp):
    """--repeat N runs every size and thread count N times, in rounds of all of them,
    and prints one line each: the fastest."""
    p = run("bench", BASELINE, "--sizes", "500,700", "--warmup", "3", "--days", "2",
            "--threads", "1,2", "--repeat", "3", "--tmpdir", tmp, check=0)
    assert "the fastest of 3 runs" in p.stdout, p.stdout
    rows = [l.split() for l in p.stdout.splitlines() if re.match(r"\s+\d+\s+\S+\s+[12]\s", l)]
    assert [(r[0], r[2]) for r in rows] == [("500", "1"), ("500", "2"), ("700", "1"),
                                            ("700", "2")], p.stdout
    assert "2-thread speedup at 500:" in p.stdout, p.stdout
    # The runs, in order: round after round, each with every size and thread count.
    runs = re.findall(r"rumbo bench: (\d+) agents, (\d) threads?, round (\d) of 3", p.stderr)
    assert runs == [(size, threads, str(r)) for r in (1, 2, 3)
                    for size in ("500", "700") for threads in ("1", "2")], p.stderr


def test_bench_refuses_bad_options(tmp):
    assert "THREADS:SCALE:FD" in run("bench", "--measure", "x", check=2).stderr
    assert "--sizes" in run("bench", "--sizes", "x", check=2).stderr
    assert "--threads" in run("bench", "--threads", "", check=2).stderr
    assert "--repeat" in run("bench", "--repeat", "0", check=2).stderr
    assert run("bench", "--help", check=0).stdout.startswith("usage: rumbo bench")


if __name__ == "__main__":
    main(globals())
