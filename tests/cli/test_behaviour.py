"""Behaviour rules on the five-place network (tests/scenarios/behaviour.yaml): agents,
route choice, trains, fares, shelters, labour, outcomes and their outputs."""
import datetime

import h5py
import numpy as np

from rumbo_test import FINAL_EVENTS, assert_same_datasets, left_system, main, run, run_to, scenario, write

BEHAVIOUR = scenario("behaviour.yaml")
CORRIDORS = scenario("two_corridors.yaml")
# The ways of leaving that behaviour's rules produce (gave_up needs enforcement).
BEHAVIOUR_EXITS = ("arrival", "death", "settled", "returned_home")


def names(f, dim):
    return [s.decode() if isinstance(s, bytes) else s for s in f[dim + "_name"][()]]


def load(path):
    """The datasets the tests read, with label lists."""
    with h5py.File(path, "r") as f:
        d = {k: f[k][()] for k in ("events", "events_by_group", "population", "edge_flow",
                                   "left_at", "transit_days", "wages_paid",
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
    left = left_system(d["events"], d["event"])
    assert entries[-1] > 5000
    assert np.array_equal(entries, present + left), entries - present - left
    for e in BEHAVIOUR_EXITS:
        assert event(d, e).sum() > 0, f"no {e} at all: the test would not see a leak"
    # left_at[time, outcome, node] counts the same people by place.
    by_outcome = d["left_at"].sum(axis=2)
    for k, o in enumerate(d["outcome"]):
        assert np.array_equal(by_outcome[:, k], event(d, FINAL_EVENTS[o])), o


def test_groups_and_transit_times_add_up(tmp):
    d = load(run_to(tmp, BEHAVIOUR))
    assert np.array_equal(d["events_by_group"].sum(axis=2), d["events"])
    assert np.array_equal(d["transit_days"].sum(axis=1), event(d, "arrival"))
    # Women and minors are drawn: several groups carry entries.
    entries_by_group = d["events_by_group"][:, d["event"].index("entry"), :].sum(axis=0)
    assert (entries_by_group > 0).sum() >= 10
    # Nobody crosses the country on the day they enter.
    assert d["transit_days"][:, 0].sum() == 0


def test_threads_give_identical_files(tmp):
    one = run_to(tmp, BEHAVIOUR, "--threads", "1", name="one.h5")
    two = run_to(tmp, BEHAVIOUR, "--threads", "2", name="two.h5")
    assert_same_datasets(one, two)


def test_threads_identical_with_detentions_and_learning(tmp):
    post = ["--set", "enforcement.checkpoints.places={crossing-a_town: 1.0}"]
    one = run_to(tmp, CORRIDORS, *post, "--threads", "1", name="one.h5")
    two = run_to(tmp, CORRIDORS, *post, "--threads", "2", name="two.h5")
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


def test_timeline_changes_the_rules_midway(tmp):
    """Closing a shelter, speeding trains up and ending farm work on a date: guests
    leave, nobody is admitted, and people still add up."""
    scen = write(tmp, "changes.yaml", f"""
extends: {BEHAVIOUR}
name: changes
timeline:
  - date: 2013-01-21
    shelters.beds.junction: 0
    movement.trains.main.speed_kmh: 30
    labour.farms.crossing.jobs: 0
    behaviour.choice_scale: 3
""")
    d = load(run_to(tmp, scen))
    entries = np.cumsum(event(d, "entry"))
    left = left_system(d["events"], d["event"])
    assert np.array_equal(entries, d["population"].sum(axis=(1, 2)) + left)
    sheltered = d["population"][:, d["node"].index("junction"), d["state"].index("sheltered")]
    assert sheltered[:20].max() > 0 and sheltered[45:].max() == 0
    # Contracts signed before the change run to the end of January, no longer.
    farm = d["node"].index("crossing")
    assert d["wages_paid"][31:, farm].sum() == 0 and d["wages_paid"][:20, farm].sum() > 0


def corridor_b_shares(path, first_day=30):
    """Shares of departures from the crossing, and of arrivals, through corridor B."""
    with h5py.File(path, "r") as f:
        edges, flow = names(f, "edge"), f["edge_flow"][()][first_day:].sum(axis=0)
        detentions = f["events"][()][:, names(f, "event").index("detention")].sum()
    out = lambda town: sum(flow[k] for k, e in enumerate(edges) if e.startswith("crossing-" + town))
    a, b = out("a_town"), out("b_town")
    arr_a, arr_b = flow[edges.index("a_town-exit-road")], flow[edges.index("b_town-exit-road")]
    return b / (a + b), arr_b / (arr_a + arr_b), detentions


def test_detection_on_one_corridor_moves_people_to_the_other(tmp):
    """Emergent: a checkpoint on corridor A (enforcement) detains people; they and those
    they tell learn the risk (behaviour), and corridor B takes the flow. Nothing codes
    the shift: without aversion to detection the same checkpoint moves nobody."""
    post = ["--set", "enforcement.checkpoints.places={crossing-a_town: 1.0}"]
    none_dep, none_arr, none_det = corridor_b_shares(run_to(tmp, CORRIDORS, name="none.h5"))
    post_dep, post_arr, post_det = corridor_b_shares(run_to(tmp, CORRIDORS, *post, name="post.h5"))
    assert none_det == 0 and post_det > 0
    assert 0.35 < none_arr < 0.6, none_arr      # A is a little shorter: about half each
    assert post_arr > 0.9, post_arr              # most arrivals now come through B
    assert post_dep > none_dep + 0.3, (none_dep, post_dep)
    # Control: the same checkpoint, but nobody minds detection. B gains arrivals only
    # because some on A are caught; departures do not shift.
    blind = ["--set", "behaviour.groups={adult_alone: {detection: 0}, family: {detection: 0}, "
                      "unaccompanied_minor: {detection: 0}}"]
    blind_dep, blind_arr, blind_det = corridor_b_shares(
        run_to(tmp, CORRIDORS, *post, *blind, name="blind.h5"))
    assert blind_det > 5 * post_det, (blind_det, post_det)
    assert abs(blind_dep - none_dep) < 0.05, (none_dep, blind_dep)
    assert blind_arr < post_arr - 0.2, (blind_arr, post_arr)


def test_goals_need_a_labour_section(tmp):
    p = run("check", BEHAVIOUR, "--set", "inflow.people.goals.GT.transit=0.5")
    assert p.returncode == 2
    assert "behaviour.yaml" in p.stderr and "inflow.people.goals.GT" in p.stderr, p.stderr
    assert "add up to 1" in p.stderr
    p = run("check", BEHAVIOUR, "--set", "behaviour.groups.family.crime=-1")
    assert p.returncode == 2 and "behaviour.groups.family.crime" in p.stderr, p.stderr


if __name__ == "__main__":
    main(globals())
