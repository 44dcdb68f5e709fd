"""Ensembles (`run --members N`, `--member K`) and `rumbo compare`."""
import csv
import os
import shutil

import h5py
import numpy as np

from rumbo_test import assert_same_datasets, datasets, main, run, run_to, scenario

TINY = scenario("tiny.yaml")
SERIES = ("population", "edge_flow", "events", "left", "left_at", "transit_days",
          "incidents_node", "incidents_edge")


def test_members_have_a_leading_member_dimension(tmp):
    out = run_to(tmp, TINY, "--members", "3", "--days", "20")
    with h5py.File(out, "r") as f:
        assert list(f["member"][()]) == [0, 1, 2]
        assert f.attrs["members"] == 3
        for name in SERIES:
            ds = f[name]
            assert ds.shape[:2] == (3, 20), (name, ds.shape)
            assert ds.dims[0][0].name == "/member", name
            assert ds.dims[1][0].name == "/time", name
        ev = f["events"][()]
    # Different random streams: the members differ.
    assert not np.array_equal(ev[0], ev[1]) and not np.array_equal(ev[1], ev[2])


def test_member_k_alone_repeats_member_k(tmp):
    ens = run_to(tmp, TINY, "--members", "3", "--days", "30", name="ens.h5")
    one = run_to(tmp, TINY, "--member", "2", "--days", "30", name="one.h5")
    with h5py.File(one, "r") as f:
        assert "member" not in f and f.attrs["member"] == 2
    a, b = datasets(ens), datasets(one)
    for name in SERIES:
        assert np.array_equal(a[name][2], b[name]), name
    # --member K --members N: members K..K+N-1, the same as in a full ensemble.
    part = run_to(tmp, TINY, "--member", "1", "--members", "2", "--days", "30", name="part.h5")
    c = datasets(part)
    assert list(c["member"]) == [1, 2]
    for name in SERIES:
        assert np.array_equal(a[name][1:], c[name]), name


def test_ensemble_identical_for_1_and_2_threads(tmp):
    one = run_to(tmp, TINY, "--members", "2", "--threads", "1", name="t1.h5")
    two = run_to(tmp, TINY, "--members", "2", "--threads", "2", name="t2.h5")
    assert_same_datasets(one, two)


def test_outcomes_add_up(tmp):
    """left[] and transit_days[] agree with the arrival events and the population."""
    out = run_to(tmp, TINY, "--members", "2")
    d = datasets(out)
    names = [s.decode() for s in d["event_name"]]
    outcomes = [s.decode() for s in d["outcome_name"]]
    arrivals = d["events"][:, :, names.index("arrival")]
    left_arrived = d["left"][:, :, outcomes.index("arrived"), :].sum(axis=2)
    assert np.array_equal(arrivals, left_arrived)
    assert np.array_equal(arrivals, d["transit_days"].sum(axis=2))
    assert np.array_equal(d["left"].sum(axis=3), d["left_at"].sum(axis=3))
    kinds = [s.decode() for s in d["node_kind"]]
    at = d["left_at"][:, :, outcomes.index("arrived"), :].sum(axis=(0, 1))
    assert all(kinds[v] == "exit" for v in np.nonzero(at)[0])


def test_network_coordinates_are_stored(tmp):
    out = run_to(tmp, TINY, "--days", "5")
    with h5py.File(out, "r") as f:
        assert f["node_lat"].shape == f["node"].shape
        assert abs(f["node_lon"][0] - (-92.1)) < 1e-9
        assert f["node_lat"].attrs["units"] == "degrees_north"
        modes = [s.decode() for s in f["edge_mode"][()]]
        assert modes[0] == "river" and "rail" in modes
        assert list(f["edge_from"][()][:2]) == [0, 1] and list(f["edge_to"][()][:2]) == [1, 2]
        coords = f["population"].attrs["coordinates"]
        assert "node_lat" in coords and "node_name" in coords and "state_name" in coords


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def row(rows, indicator, category="", period="whole run"):
    for r in rows:
        if (r["indicator"], r["category"], r["period"]) == (indicator, category, period):
            return r
    raise AssertionError(f"no row {indicator}/{category}/{period}")


def test_compare_finds_a_planted_difference(tmp):
    a = run_to(tmp, TINY, "--members", "4", name="a.h5")
    b = run_to(tmp, TINY, "--members", "4", "--set", "inflow.per_year=45000", name="b.h5")
    out = os.path.join(tmp, "cmp.csv")
    p = run("compare", a, b, "--csv", out, check=0)
    assert "entries into Mexico" in p.stdout and "B - A" in p.stdout
    rows = read_csv(out)
    entries = row(rows, "entries into Mexico")
    # 100 a day vs 123.2 a day over 60 days: about +1,390 entries.
    diff = float(entries["B_minus_A"])
    assert entries["B_minus_A_significant"] == "true", entries
    assert 1000 < diff < 1800, diff
    assert float(entries["B_minus_A_lo"]) < diff < float(entries["B_minus_A_hi"])
    assert float(entries["A_lo"]) < float(entries["A_mean"]) < float(entries["A_hi"])
    assert int(entries["A_n"]) == 4 and int(entries["B_n"]) == 4
    arrivals = row(rows, "arrivals at the US border", "all")
    assert arrivals["B_minus_A_significant"] == "true"
    # Indicators whose events these runs do not have are n/a, not zero.
    # (detention events exist, as zeros, since the enforcement module's events are
    # always in the event list; sexual violence has no module writing it yet.)
    det = row(rows, "victimisation: sexual violence")
    assert det["A_n"] == "0" and det["A_mean"] == "" and det["B_minus_A"] == ""
    assert "n/a" in p.stdout


def test_compare_two_copies_finds_nothing(tmp):
    a = run_to(tmp, TINY, "--members", "3", name="a.h5")
    b = os.path.join(tmp, "copy.h5")
    shutil.copy(a, b)
    out = os.path.join(tmp, "cmp.csv")
    run("compare", a, b, "--csv", out, "--quiet", check=0)
    rows = read_csv(out)
    assert rows
    for r in rows:
        assert r["B_minus_A_significant"] in ("", "false"), r
        if r["B_minus_A"]:
            assert float(r["B_minus_A"]) == 0, r


def test_compare_known_values(tmp):
    """Means over members equal numpy's on the file; intervals are t intervals."""
    a = run_to(tmp, TINY, "--members", "3", name="a.h5")
    out = os.path.join(tmp, "one.csv")
    run("compare", a, "--csv", out, "--quiet", check=0)
    d = datasets(a)
    names = [s.decode() for s in d["event_name"]]
    entries = d["events"][:, :, names.index("entry")].sum(axis=1).astype(float)
    r = row(read_csv(out), "entries into Mexico")
    assert abs(float(r["A_mean"]) - entries.mean()) < 1e-6
    half = 4.302652729911275 * entries.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert abs(float(r["A_hi"]) - (entries.mean() + half)) < 1e-6
    transit = d["transit_days"].sum(axis=1)  # members x bins
    medians = [np.median(np.repeat(np.arange(transit.shape[1]), m)) for m in transit]
    r = row(read_csv(out), "median transit days (arrivals)")
    assert abs(float(r["A_mean"]) - np.mean(medians)) < 1e-9


def test_compare_bad_input(tmp):
    p = run("compare", os.path.join(tmp, "missing.h5"), check=2)
    assert "missing.h5" in p.stderr
    p = run("compare", check=2)
    assert "compare needs" in p.stderr


if __name__ == "__main__":
    main(globals())
