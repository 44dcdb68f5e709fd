"""The command line itself: help, version, check, and refusals of bad input (exit 2,
a message naming file, line and key, and no output file)."""
import os
import re
import subprocess

import rumbo_test
from rumbo_test import main, run, scenario, write

TINY = scenario("tiny.yaml")
NETWORK = scenario("tiny_network.yaml")


def test_version_and_help(tmp):
    p = run("--version", check=0)
    assert re.match(r"rumbo \d+\.\d+\.\d+ \(commit [0-9a-f]+|unknown", p.stdout), p.stdout
    assert "run SCENARIO" in run("--help", check=0).stdout
    for cmd in ("run", "check"):
        p = run(cmd, "--help", check=0)
        assert p.stdout.startswith(f"usage: rumbo {cmd}"), p.stdout
    assert run(check=2).returncode == 2
    assert "unknown command" in run("frobnicate", check=2).stderr


def test_output_is_named_after_the_input_without_o(tmp):
    """Without -o, `run X/NAME.yaml` writes NAME.h5 in the current directory (the
    name maker is shared with `sweep`)."""
    p = subprocess.run([rumbo_test.RUMBO, "run", TINY, "--days", "3", "--quiet"], cwd=tmp,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert os.listdir(tmp) == ["tiny.h5"], os.listdir(tmp)


def test_check_prints_a_summary_and_simulates_nothing(tmp):
    p = run("check", TINY, check=0)
    for words in ("valid", "nodes              5", "edges              8", "days               60",
                  "expected entries   6000", "memory estimate"):
        assert words in p.stdout, (words, p.stdout)
    assert not os.listdir(tmp)


def test_check_accepts_the_shipped_scenarios(tmp):
    for name in os.listdir("scenarios"):
        if name.endswith(".yaml"):
            run("check", os.path.join("scenarios", name), check=0)


def bad_scenario(tmp, text):
    """A scenario that extends a copy of the tiny scenario with `text`."""
    for src in (NETWORK, TINY):
        with open(src) as f:
            write(tmp, os.path.basename(src), f.read())
    return write(tmp, "bad.yaml", "extends: tiny.yaml\n" + text)


CASES = [
    # (appended text or None, extra args, regex the message must match)
    ("inflow:\n  per_yer: 3\n", [], r"bad\.yaml:\d+: key 'inflow\.per_yer': unknown key"),
    ("movement:\n  modes:\n    foot: {km_per_day: -1}\n", [],
     r"bad\.yaml:\d+: key 'movement\.modes\.foot\.km_per_day': -1 is out of range"),
    ("movement:\n  modes:\n    foot: {km_per_day: .nan}\n", [],
     r"key 'movement\.modes\.foot\.km_per_day': '\.nan' is not a finite number"),
    ("inflow:\n  crossings: {atlantis: 1.0}\n", [],
     r"bad\.yaml:\d+: key 'inflow\.crossings\.atlantis': unknown node 'atlantis'"),
    ("inflow: [1, 2\n", [], r"bad\.yaml:3: key 'inflow': malformed YAML"),
    (None, ["--set", "movement.trains.south.speed_kmh=fast"],
     r"--set:1: key 'movement\.trains\.south\.speed_kmh': expected a number"),
    (None, ["--set", "inflow.nope=1"], r"--set:1: key 'inflow\.nope': unknown key"),
    (None, ["--threads", "zero"], r"key '--threads': expected a whole number"),
]


def test_bad_input_exits_2_names_the_place_and_writes_nothing(tmp):
    for text, args, pattern in CASES:
        path = bad_scenario(tmp, text) if text else TINY
        out = os.path.join(tmp, "out.h5")
        p = run("run", path, "-o", out, *args)
        assert p.returncode == 2, (text, args, p.returncode, p.stderr)
        assert re.search(pattern, p.stderr), (pattern, p.stderr)
        assert p.stderr.count("error") == 1, p.stderr
        assert not os.path.exists(out), "no output on bad input"
        assert not [n for n in os.listdir(tmp) if n.startswith("out.h5")]


def test_missing_file_and_missing_output_directory(tmp):
    p = run("run", os.path.join(tmp, "nope.yaml"), "-o", os.path.join(tmp, "o.h5"), check=2)
    assert "nope.yaml" in p.stderr and "cannot open" in p.stderr
    p = run("run", TINY, "-o", os.path.join(tmp, "no", "such", "dir", "o.h5"), check=2)
    assert "does not exist" in p.stderr


if __name__ == "__main__":
    main(globals())
