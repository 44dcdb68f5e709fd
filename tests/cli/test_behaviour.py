"""Behaviour rules on the five-place network (tests/scenarios/behaviour.yaml): agents,
route choice, trains, fares, shelters, labour, outcomes and their outputs."""
import datetime

import h5py
import numpy as np

from rumbo_test import assert_same_datasets, main, run, run_to, scenario

BEHAVIOUR = scenario("behaviour.yaml")
FINAL_EVENTS = ("arrival", "death", "settled", "returned_home")


def names(f, dim):
    return [s.decode() if isinstance(s, bytes) else s for s in f[dim + "_name"][()]]


def load(path):
    """The datasets the tests read, with label lists."""
    with h5py.File(path, "r") as f:
        d = {k: f[k][()] for k in ("events", "events_by_group", "population", "edge_flow",
                                   "outcomes", "arrival_transit_days", "wages_paid",
                                   "shelter_turned_away", "mode_flow")}
        for dim in ("event", "node", "edge", "state", "outcome", "mode"):
            d[dim] = names(f, dim)
    return d


def event(d, name):
    return d["events"][:, d["event"].index(name)]


def test_conservation_with_every_outcome(tmp):
    """entries = people present + people who left, every day, with all rules on."""
    d = load(run_to(tmp, BEHAVIOUR))
    entries = np.cumsum(event(d, "entry"))
    present = d["population"].sum(axis=(1, 2))
    left = sum(np.cumsum(event(d, e)) for e in FINAL_EVENTS)
    assert entries[-1] > 5000
    assert np.array_equal(entries, present + left), entries - present - left
    for e in FINAL_EVENTS:
        assert event(d, e).sum() > 0, f"no {e} at all: the test would not see a leak"
    # outcomes[time, node, outcome] counts the same people by place.
    by_outcome = d["outcomes"].sum(axis=1)
    for k, o in enumerate(d["outcome"]):
        ev = {"arrived": "arrival", "dead": "death", "settled": "settled",
              "returned_home": "returned_home"}[o]
        assert np.array_equal(by_outcome[:, k], event(d, ev)), o


def test_groups_and_transit_times_add_up(tmp):
    d = load(run_to(tmp, BEHAVIOUR))
    assert np.array_equal(d["events_by_group"].sum(axis=2), d["events"])
    assert np.array_equal(d["arrival_transit_days"].sum(axis=1), event(d, "arrival"))
    # Women and minors are drawn: several groups carry entries.
    entries_by_group = d["events_by_group"][:, d["event"].index("entry"), :].sum(axis=0)
    assert (entries_by_group > 0).sum() >= 10
    # Every arrival came in at least the river crossing's day before.
    assert d["arrival_transit_days"][:, 0].sum() == 0


def test_threads_give_identical_files(tmp):
    one = run_to(tmp, BEHAVIOUR, "--threads", "1", name="one.h5")
    two = run_to(tmp, BEHAVIOUR, "--threads", "2", name="two.h5")
    assert_same_datasets(one, two)


def test_zero_train_capacity_means_nobody_rides(tmp):
    d = load(run_to(tmp, BEHAVIOUR, "--set", "movement.trains.south.riders_per_train=0",
                    "--set", "movement.trains.main.riders_per_train=0"))
    assert event(d, "boarding").sum() == 0 and event(d, "boarding_failure").sum() == 0
    rail = [k for k, e in enumerate(d["edge"]) if e.endswith("-rail")]
    assert d["edge_flow"][:, rail].sum() == 0
    assert event(d, "arrival").sum() > 1000  # they went by road instead


def test_no_money_means_no_bus(tmp):
    """Entrants with no money and no way to earn any never take a bus."""
    broke = ["--set", "inflow.people.money={median: 0, sigma: 0}",
             "--set", "movement.modes.river.fare_per_trip=0",
             "--set", "labour.farms.crossing.jobs=0", "--set", "labour.odd_jobs.junction.jobs=0"]
    d = load(run_to(tmp, BEHAVIOUR, *broke, name="broke.h5"))
    road = [k for k, e in enumerate(d["edge"]) if e.endswith("-road")]
    assert d["edge_flow"][:, road].sum() == 0
    assert event(d, "arrival").sum() > 1000  # by train and on foot
    # The same people with money do take buses: the test can fail.
    rich = load(run_to(tmp, BEHAVIOUR, *broke[2:], name="rich.h5"))
    assert rich["edge_flow"][:, road].sum() > 500


def test_shelter_never_holds_more_than_its_beds(tmp):
    d = load(run_to(tmp, BEHAVIOUR, "--set", "shelters.rest_share=1",
                    "--set", "shelters.beds={junction: 25, north: 10}"))
    sheltered = d["population"][:, :, d["state"].index("sheltered")]
    for node, beds in (("junction", 25), ("north", 10)):
        v = d["node"].index(node)
        assert sheltered[:, v].max() <= beds, (node, sheltered[:, v].max())
        assert sheltered[:, v].max() == beds, "beds never filled: the limit was not tested"
        assert d["shelter_turned_away"][:, v].sum() > 0
    others = [v for v, n in enumerate(d["node"]) if n not in ("junction", "north")]
    assert sheltered[:, others].sum() == 0


def test_wages_arrive_only_in_demand_months(tmp):
    demand = "[1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1]"
    d = load(run_to(tmp, BEHAVIOUR, "--days", "150",
                    "--set", f"labour.farms.crossing.monthly_demand={demand}",
                    "--set", "labour.odd_jobs.junction.jobs=0"))
    start = datetime.date(2013, 1, 1)
    month = np.array([(start + datetime.timedelta(days=t)).month for t in range(150)])
    wages = d["wages_paid"].sum(axis=1)
    paid_days = event(d, "wage_day")
    for m in (2, 4):
        assert wages[month == m].sum() == 0 and paid_days[month == m].sum() == 0, m
    for m in (1, 3, 5):
        assert wages[month == m].sum() > 0, m
    # Without work in February the seasonal workers went home, and came back.
    assert event(d, "season_home").sum() > 0 and event(d, "season_back").sum() > 0


def test_faster_trains_are_harder_and_more_dangerous_to_board(tmp):
    def rates(kmh):
        d = load(run_to(tmp, BEHAVIOUR, "--days", "90",
                        "--set", f"movement.trains.main.speed_kmh={kmh}", name=f"s{kmh}.h5"))
        board, miss = event(d, "boarding").sum(), event(d, "boarding_failure").sum()
        falls = event(d, "injury").sum() + event(d, "death").sum()
        return miss / (board + miss), falls / (board + miss)
    slow_miss, slow_falls = rates(10)
    fast_miss, fast_falls = rates(30)
    assert fast_miss > slow_miss + 0.1, (slow_miss, fast_miss)
    assert fast_falls > 2 * slow_falls, (slow_falls, fast_falls)


def test_goals_need_a_labour_section(tmp):
    p = run("check", BEHAVIOUR, "--set", "inflow.people.goals.GT.transit=0.5")
    assert p.returncode == 2
    assert "behaviour.yaml" in p.stderr and "inflow.people.goals.GT" in p.stderr, p.stderr
    assert "add up to 1" in p.stderr
    p = run("check", BEHAVIOUR, "--set", "behaviour.groups.family.crime=-1")
    assert p.returncode == 2 and "behaviour.groups.family.crime" in p.stderr, p.stderr


if __name__ == "__main__":
    main(globals())
