"""The bad-input suite: every file in tests/bad_inputs is wrong in exactly one way.

Each case must make `rumbo run` and `rumbo check` exit 2 with ONE line on stderr,
"rumbo: error: FILE:LINE: key 'KEY': problem", naming the expected file, line and
key, and `run` must write nothing. Scenario files are based on
tests/scenarios/tiny.yaml; net_X.yaml uses the broken network net_X.net.yaml.
The table below is the manifest: a new file in tests/bad_inputs without an entry
fails the suite, so the directory and the table cannot drift apart.
"""
import os
import re
import shutil
import subprocess

import rumbo_test
from rumbo_test import REPO, Skip, main, run, scenario

BAD = os.path.join(REPO, "tests", "bad_inputs")
TINY = scenario("tiny.yaml")

# (case: a file in tests/bad_inputs, or None for tiny.yaml with the extra args;
#  extra args; file named in the message; line; key ("re:..." a regex) or None where
#  no key applies (the whole file is unusable); a regex the problem text must match)
CASES = [
    ("malformed_yaml.yaml", [], "malformed_yaml.yaml", 10, "inflow.crossings.origin",
     r"malformed YAML after this key: did not find expected ',' or '}'"),
    ("tab_indent.yaml", [], "tab_indent.yaml", 8, "inflow",
     r"malformed YAML after this key: found character that cannot start any token"),
    ("invalid_utf8.yaml", [], "invalid_utf8.yaml", 3, "seed", r"invalid leading UTF-8 octet"),
    ("binary_garbage.yaml", [], "binary_garbage.yaml", 1, None, r"binary data: not a YAML text"),
    ("empty.yaml", [], "empty.yaml", 1, None, r"empty file: expected a scenario mapping"),
    ("comments_only.yaml", [], "comments_only.yaml", 1, None, r"empty file"),
    ("top_level_list.yaml", [], "top_level_list.yaml", 2, None,
     r"expected a mapping of keys at the top level"),
    ("two_documents.yaml", [], "two_documents.yaml", 21, None, r"more than one YAML document"),
    ("alias_bomb.yaml", [], "alias_bomb.yaml", 2, r"re:[a-g]\.0\.[0-9.]+",
     r"too deeply nested or too large \(aliases\?\)"),
    ("unknown_key.yaml", [], "unknown_key.yaml", 8, "inflow.per_yer",
     r"unknown key \(did you mean 'per_year'\? it is required\)"),
    ("unknown_top_key.yaml", [], "unknown_top_key.yaml", 5, "sed", r"unknown key \(known here: "),
    ("missing_key.yaml", [], "missing_key.yaml", 2, "seed", r"missing \(required"),
    ("duplicate_key.yaml", [], "duplicate_key.yaml", 6, "days", r"duplicate key \(line 4"),
    ("wrong_type_days.yaml", [], "wrong_type_days.yaml", 4, "days",
     r"expected a whole number, found 'sixty'"),
    ("wrong_type_map.yaml", [], "wrong_type_map.yaml", 12, "movement.modes",
     r"expected a mapping of keys, found a single value"),
    ("wrong_type_list.yaml", [], "wrong_type_list.yaml", 8, "inflow.monthly_profile",
     r"expected a list, found a single value"),
    ("quoted_number.yaml", [], "quoted_number.yaml", 4, "days",
     r"expected a whole number, found '60'"),
    ("negative_days.yaml", [], "negative_days.yaml", 4, "days", r"-5 is out of range \[1, 36525\]"),
    ("zero_days.yaml", [], "zero_days.yaml", 4, "days", r"0 is out of range \[1, 36525\]"),
    ("huge_days.yaml", [], "huge_days.yaml", 4, "days", r"99999999999999999999999 is out of range"),
    ("negative_seed.yaml", [], "negative_seed.yaml", 5, "seed", r"-7 is out of range"),
    ("nan_value.yaml", [], "nan_value.yaml", 8, "inflow.per_year", r"'nan' is not a finite number"),
    ("inf_value.yaml", [], "inf_value.yaml", 8, "inflow.per_year",
     r"'\.inf' is not a finite number"),
    ("huge_value.yaml", [], "huge_value.yaml", 8, "inflow.per_year",
     r"1e300 is out of range \[0, 1e\+09\]"),
    ("negative_speed.yaml", [], "negative_speed.yaml", 13, "movement.modes.foot.km_per_day",
     r"-35 is out of range"),
    ("probability_above_one.yaml", [], "probability_above_one.yaml", 9, "inflow.crossings.origin",
     r"1\.5 is out of range \[0, 1\]"),
    ("shares_not_one.yaml", [], "shares_not_one.yaml", 10, "inflow.nationalities",
     r"shares must add up to 1 \(they add up to 0\.9\)"),
    ("impossible_date.yaml", [], "impossible_date.yaml", 3, "start_date",
     r"expected a date YYYY-MM-DD, found '2013-02-30'"),
    ("malformed_date.yaml", [], "malformed_date.yaml", 3, "start_date",
     r"found '2013/01/01'"),
    ("timeline_out_of_order.yaml", [], "timeline_out_of_order.yaml", 22, "timeline.1.date",
     r"dates out of order: 2013-01-15 comes after 2013-02-01 \(line 20\)"),
    ("timeline_scale.yaml", [], "timeline_scale.yaml", 21, "timeline.0.population_scale",
     r"'population_scale' defines the run and cannot change in the timeline"),
    ("timeline_fixed_key.yaml", [], "timeline_fixed_key.yaml", 21, "timeline.0.days",
     r"'days' defines the run and cannot change in the timeline"),
    ("timeline_unknown_key.yaml", [], "timeline_unknown_key.yaml", 21, "inflow.per_yer",
     r"unknown key"),
    ("timeline_impossible_date.yaml", [], "timeline_impossible_date.yaml", 20, "timeline.0.date",
     r"found '2013-04-31'"),
    ("unknown_node.yaml", [], "unknown_node.yaml", 9, "inflow.crossings.orgin",
     r"unknown node 'orgin'"),
    ("entry_at_yard.yaml", [], "entry_at_yard.yaml", 9, "inflow.crossings.junction",
     r"'junction' is a yard; migrants enter only at origin or crossing nodes"),
    ("unknown_nationality.yaml", [], "unknown_nationality.yaml", 10, "inflow.nationalities.XX",
     r"unknown name 'XX'"),
    ("monthly_profile_short.yaml", [], "monthly_profile_short.yaml", 8, "inflow.monthly_profile",
     r"expected 12 monthly factors \(January to December\), found 11"),
    ("unknown_train_line.yaml", [], "unknown_train_line.yaml", 18, "movement.trains.east",
     r"no rail edge of the network uses line 'east'"),
    ("extends_cycle_a.yaml", [], "extends_cycle_b.yaml", 2, "extends",
     r"cycle of extends: extends_cycle_a\.yaml is already being loaded"),
    ("extends_self.yaml", [], "extends_self.yaml", 2, "extends",
     r"cycle of extends: extends_self\.yaml is already being loaded"),
    ("extends_missing_parent.yaml", [], "extends_missing_parent.yaml", 2, "extends",
     r"parent scenario .*no_such_parent\.yaml: No such file or directory"),
    ("extends_not_a_path.yaml", [], "extends_not_a_path.yaml", 2, "extends",
     r"expected the path of a parent scenario"),
    ("network_missing_file.yaml", [], "network_missing_file.yaml", 6, "network",
     r"network file .*no_such_network\.yaml: No such file or directory"),
    ("net_edge_to_nowhere.yaml", [], "net_edge_to_nowhere.net.yaml", 19, "network.edges.7.to",
     r"unknown node 'exitt' \(edge to nowhere\)"),
    ("net_disconnected_exit.yaml", [], "net_disconnected_exit.net.yaml", 6,
     "network.nodes.origin", r"no US-border exit is reachable from this origin"),
    ("net_no_exit.yaml", [], "net_no_exit.net.yaml", 5, "network.nodes",
     r"no node has kind 'exit'"),
    ("net_duplicate_node.yaml", [], "net_duplicate_node.net.yaml", 10, "nodes.north",
     r"duplicate key \(line 9 has it too\)"),
    ("net_duplicate_edge.yaml", [], "net_duplicate_edge.net.yaml", 20, "network.edges.8",
     r"duplicate edge north-exit-road \(also at line 19\)"),
    ("net_unknown_kind.yaml", [], "net_unknown_kind.net.yaml", 8, "network.nodes.junction.kind",
     r"unknown value 'city' \(expected one of: origin crossing"),
    ("net_unknown_region.yaml", [], "net_unknown_region.net.yaml", 8,
     "network.nodes.junction.region", r"unknown value 'texas'"),
    ("net_unknown_mode.yaml", [], "net_unknown_mode.net.yaml", 12, "network.edges.0.mode",
     r"unknown value 'boat'"),
    ("net_unknown_key.yaml", [], "net_unknown_key.net.yaml", 12, "network.edges.0.kms",
     r"unknown key \(did you mean 'km'\?"),
    ("net_negative_km.yaml", [], "net_negative_km.net.yaml", 12, "network.edges.0.km",
     r"-1 is out of range"),
    ("net_latitude.yaml", [], "net_latitude.net.yaml", 8, "network.nodes.junction.lat",
     r"96\.0 is out of range \[-90, 90\]"),
    ("net_rail_without_line.yaml", [], "net_rail_without_line.net.yaml", 15, "network.edges.3",
     r"a rail edge needs `line:`"),
    ("net_self_loop.yaml", [], "net_self_loop.net.yaml", 17, "network.edges.5",
     r"edge from 'junction' to itself"),
    ("net_edges_not_list.yaml", [], "net_edges_not_list.net.yaml", 11, "network.edges",
     r"expected a list, found a mapping of keys"),
    ("net_malformed.yaml", [], "net_malformed.net.yaml", 9, "nodes.junction.region",
     r"malformed YAML after this key"),
    ("net_nested_network.yaml", [], "net_nested_network.net.yaml", 2, "network",
     r"a network file holds nodes and edges, not another network"),
    ("hazards_reopens_before_closing.yaml", [], "hazards_reopens_before_closing.yaml", 24,
     "hazards.events.flood.until", r"the reopening date must come after `date`"),
    ("hazards_unknown_edge.yaml", [], "hazards_unknown_edge.yaml", 25,
     "hazards.events.flood.edges.0", r"unknown edge 'crossing-nowhere-foot'"),
    ("hazards_probability_above_one.yaml", [], "hazards_probability_above_one.yaml", 27,
     "hazards.hurricanes.classes.hurricane.close_probability", r"1\.5 is out of range \[0, 1\]"),
    # Command-line mistakes on a good scenario ("--set" is the file, its index the line).
    (None, ["--set", "inflow.per_yer=3"], "--set", 1, "inflow.per_yer",
     r"unknown key \(known here: per_year, "),
    (None, ["--set", "days=90", "--set", "seed=abc"], "--set", 2, "seed",
     r"expected a whole number, found 'abc'"),
    (None, ["--set", "inflow.per_year.x=3"], "--set", 1, "inflow.per_year.x",
     r"'per_year' holds a single value, not keys"),
    (None, ["--set", "network.edges.99.km=3"], "--set", 1, "network.edges.99.km",
     r"'99' is not an index of the list"),
    (None, ["--set", "nodots"], "--set", 1, "nodots", r"expected key\.path=value"),
    (None, ["--set", "population_scale=0"], "--set", 1, "population_scale",
     r"0 is out of range \[0\.001, 1000\]"),
    (None, ["--set", "population_scale=nan"], "--set", 1, "population_scale",
     r"'nan' is not a finite number"),
    (None, ["--set", "population_scale=-2"], "--set", 1, "population_scale", r"out of range"),
    (None, ["--set", "inflow={per_year: [1"], "--set", 1, "inflow",
     r"value '\{per_year: \[1' is not valid YAML: did not find expected"),
    (None, ["--set", "days=5\nseed: 9"], "--set", 1, "days",
     r"value '5\\nseed: 9' must be one YAML value"),
    (None, ["--threads", "0"], "command line", 0, "--threads",
     r"expected a whole number in \[1, 1024\], got '0'"),
    (None, ["--threads", "two"], "command line", 0, "--threads", r"got 'two'"),
    (None, ["--days", "-3"], "command line", 0, "--days", r"got '-3'"),
    (None, ["--days", "1e3"], "command line", 0, "--days", r"got '1e3'"),
    (None, ["--seed", "-1"], "command line", 0, "--seed", r"got '-1'"),
    (None, ["--bogus"], "command line", 0, "--bogus", r"unknown option \(see rumbo \w+ --help\)"),
]

RUN_ONLY = {"--threads"}  # options `rumbo check` does not have


def check_message(stderr, expect_file, line, key, pattern):
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    where = re.escape(expect_file) if expect_file in ("--set", "command line") else \
        r"(?:[^:]*/)?" + re.escape(expect_file)
    if key and key.startswith("re:"):
        key = key[3:]  # a regex, for keys that depend on a limit
    elif key:
        key = re.escape(key)
    keypart = f" key '{key}':" if key else ""
    full = rf"^rumbo: error: {where}:{line}:{keypart} (.*)$"
    m = re.match(full, lines[0])
    assert m, f"message does not match {full!r}:\n{lines[0]}"
    assert re.search(pattern, m.group(1)), f"problem text does not match {pattern!r}:\n{lines[0]}"


def run_case(tmp, path, args, expect):
    out = os.path.join(tmp, "out.h5")
    before = set(os.listdir(tmp))
    p = run("run", path, "-o", out, "--quiet", *args)
    assert p.returncode == 2, f"run exited {p.returncode}\n{p.stderr}"
    assert p.stdout == "", p.stdout
    check_message(p.stderr, *expect)
    assert set(os.listdir(tmp)) == before, "output written on bad input"
    if not RUN_ONLY.intersection(args):
        p = run("check", path, *args)
        assert p.returncode == 2, f"check exited {p.returncode}\n{p.stderr}"
        check_message(p.stderr, *expect)


def test_every_bad_input_is_refused_with_file_line_and_key(tmp):
    failures = []
    for name, args, *expect in CASES:
        path = os.path.join(BAD, name) if name else TINY
        try:
            run_case(tmp, path, args, expect)
        except AssertionError as e:
            failures.append(f"{name or ' '.join(args)}: {e}")
    assert not failures, "\n\n".join(failures)
    assert len(CASES) >= 30


def test_manifest_covers_the_directory(tmp):
    cases = {c[0] for c in CASES if c[0]}
    named = {c[2] for c in CASES}
    parents = {"extends_cycle_b.yaml"}  # reached through extends_cycle_a.yaml
    for name in sorted(os.listdir(BAD)):
        if name.endswith(".net.yaml"):
            assert name in named, f"{name}: no case names this network file"
        else:
            assert name in cases or name in parents, f"{name}: not in the manifest"


def test_missing_scenario_and_directory_as_scenario(tmp):
    out = os.path.join(tmp, "out.h5")
    nope = os.path.join(tmp, "nope.yaml")
    p = run("run", nope, "-o", out, check=2)
    check_message(p.stderr, nope, 0, None, r"cannot open: No such file or directory")
    p = run("run", BAD, "-o", out, check=2)
    check_message(p.stderr, "bad_inputs", 0, None, r"not a regular file")
    assert os.listdir(tmp) == []


def test_output_in_a_missing_directory(tmp):
    out = os.path.join(tmp, "no", "such", "dir", "out.h5")
    p = run("run", TINY, "-o", out, check=2)
    check_message(p.stderr, out, 0, None, r"output directory .*/no/such/dir does not exist")
    assert os.listdir(tmp) == []


def test_unreadable_file(tmp):
    """chmod 000 stops everyone but root: as root, run rumbo as user nobody."""
    prefix = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            raise Skip("running as root without setpriv: chmod 000 cannot stop root")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        os.chmod(tmp, 0o777)
        if subprocess.run(prefix + [rumbo_test.RUMBO, "--version"],
                          capture_output=True).returncode != 0:
            raise Skip("user nobody cannot run the rumbo binary here")
    for name in ("tiny.yaml", "tiny_network.yaml"):
        shutil.copy(scenario(name), tmp)
    net = os.path.join(tmp, "tiny_network.yaml")
    os.chmod(net, 0)  # the scenario is readable; the network file it names is not
    os.chmod(os.path.join(tmp, "tiny.yaml"), 0o644)
    out = os.path.join(tmp, "out.h5")
    p = subprocess.run(prefix + [rumbo_test.RUMBO, "run", os.path.join(tmp, "tiny.yaml"),
                                 "-o", out], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, (p.returncode, p.stderr)
    check_message(p.stderr, net, 0, None, r"cannot open: Permission denied")
    assert not os.path.exists(out)


if __name__ == "__main__":
    main(globals())
