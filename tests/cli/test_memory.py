"""Memory estimate and --max-memory: refuse, before starting, a run that may not fit."""
import os
import re

from rumbo_test import main, run, scenario

TINY = scenario("tiny.yaml")
# About 2e9 agents (200 GB at least): no test machine holds that, and simulating it
# would never end, so a prompt refusal shows that nothing was started.
HUGE = ("--set", "inflow.per_year=2e8", "--days", "3650")


def estimate_mib(stdout):
    m = re.search(r"memory estimate\s+([\d.]+) MiB at most", stdout)
    assert m, stdout
    return float(m.group(1))


def test_check_shows_what_dominates(tmp):
    out = run("check", TINY, check=0).stdout
    for part in ("agents", "capacity queue", "engine, modules", "HDF5 writer", "libraries",
                 "memory limit"):
        assert re.search(rf"^\s+{part}\s+[\d.]+ MiB", out, re.M), (part, out)
    assert "upper bound: nobody leaves" in out
    assert re.search(r"memory limit\s+[\d.]+ MiB \(80% of (physical memory|the cgroup)", out), out


def test_estimate_grows_with_agents_and_days(tmp):
    small = estimate_mib(run("check", TINY, "--set", "inflow.per_year=1e4", check=0).stdout)
    more = estimate_mib(run("check", TINY, "--set", "inflow.per_year=1e7", check=0).stdout)
    longer = estimate_mib(run("check", TINY, "--set", "inflow.per_year=1e7", "--days", "3000",
                              check=0).stdout)
    assert small < more < longer, (small, more, longer)
    # 1e7 a year for 60 days is ~1.6e6 agents: at least 18 bytes each.
    assert more > 1.6e6 * 18 / 2**20


def test_tiny_limit_refuses_run_and_check_with_exit_2(tmp):
    out = os.path.join(tmp, "out.h5")
    p = run("run", TINY, "-o", out, "--max-memory", "1M")
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert re.match(r"rumbo: error: .*tiny\.yaml: the run may need \d+ MiB, more than the limit "
                    r"of 1 MiB \(--max-memory 1M\); the largest part is ", lines[0]), lines[0]
    assert os.listdir(tmp) == []
    p = run("check", TINY, "--max-memory", "1M", check=2)
    assert "memory estimate" in p.stdout and "more than the limit of 1 MiB" in p.stderr


def test_default_limit_refuses_an_impossible_run_before_starting(tmp):
    out = os.path.join(tmp, "out.h5")
    p = run("run", TINY, "-o", out, *HUGE, timeout=60)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "of physical memory" in p.stderr or "cgroup" in p.stderr, p.stderr
    assert "agent storage and capacity requests" in p.stderr, p.stderr
    assert os.listdir(tmp) == []
    # A limit large enough lets check pass (it simulates nothing).
    run("check", TINY, *HUGE, "--max-memory", "1e6T", check=0)


def test_more_agents_than_32_bit_ids_is_refused(tmp):
    p = run("check", TINY, "--set", "inflow.per_year=1e9", "--days", "36525",
            "--max-memory", "1e6T", check=2)
    assert re.search(r"tiny\.yaml: the run brings in about 1e\+11 agents; at most 4294967295 "
                     r"are supported \(agent ids are 32-bit\)", p.stderr), p.stderr


def test_sizes(tmp):
    for size in ("512M", "4G", "1.5GiB", "100000000", "64mb", "2T"):
        run("check", TINY, "--max-memory", size, check=0)
    for size in ("", "4X", "-1G", "G", "1e400", "nan", " 4G", "4G "):
        p = run("check", TINY, "--max-memory", size, check=2)
        assert re.search(r"key '--max-memory': expected a size such as 512M or 4G", p.stderr), \
            (size, p.stderr)


if __name__ == "__main__":
    main(globals())
