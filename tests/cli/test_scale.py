"""population_scale: a run of s times the real population multiplies inflow and every
capacity by s, so that each agent meets the same odds (models/params.h). Checked on
the default scenario at scales 1 and 2: twice the entrants, twice the people the
(always full) shelters hold, and the same shares arriving and detained."""
import h5py
import numpy as np

from rumbo_test import REPO, assert_conserved, assert_same_datasets, main, run_to

BASELINE = REPO + "/scenarios/baseline.yaml"
DAYS = "240"


def totals(path):
    with h5py.File(path, "r") as f:
        names = [s.decode() for s in f["event_name"][()]]
        ev = f["events"][()].sum(axis=0)
        states = [s.decode() for s in f["state_name"][()]]
        sheltered = f["population"][()][:, :, states.index("sheltered")].sum(axis=1)
        scen = f.attrs["scenario"]
        scen = scen.decode() if isinstance(scen, bytes) else scen
    return {n: ev[k] for k, n in enumerate(names)}, sheltered, scen


def test_scale_two_doubles_people_and_capacities_and_keeps_the_odds(tmp):
    one = run_to(tmp, BASELINE, "--days", DAYS, name="one.h5")
    two = run_to(tmp, BASELINE, "--days", DAYS, "--set", "population_scale=2", name="two.h5")
    e1, s1, _ = totals(one)
    e2, s2, scen = totals(two)
    assert "population_scale: 2" in scen, "the stored scenario repeats the run"
    assert 1.95 < e2["entry"] / e1["entry"] < 2.05, (e1["entry"], e2["entry"])
    # The shelters are full within weeks: their beds, not the inflow, set the count.
    assert s1.max() > 0 and 1.9 < s2[-60:].max() / s1[-60:].max() <= 2.0, (s1.max(), s2.max())
    for event in ("arrival", "detention", "kidnapping", "hired"):
        r1, r2 = e1[event] / e1["entry"], e2[event] / e2["entry"]
        assert r1 > 0 and abs(r2 / r1 - 1) < 0.1, (event, r1, r2)


def test_large_run_is_the_same_on_one_and_two_threads(tmp):
    """At scale 12 more than 4096 people enter a day and over 100,000 are live within
    40 days: the sizes at which spawning and the moves that fill leavers' slots use
    the threads (small runs do them on one)."""
    args = ("--days", "40", "--set", "population_scale=12")
    one = run_to(tmp, BASELINE, *args, "--threads", "1", name="one.h5")
    two = run_to(tmp, BASELINE, *args, "--threads", "2", name="two.h5")
    with h5py.File(one, "r") as f:
        assert f["population"][-1].sum() > 100000
    assert_same_datasets(one, two)
    assert_conserved(two)


if __name__ == "__main__":
    main(globals())
