"""Enforcement: checkpoints on the timeline, detention capacity, deportation seats,
visitor cards, minors, corruption, re-attempts, conservation and threads.

The scenario tests/scenarios/enforcement.yaml stops everyone who walks into `town`
(Chiapas) on day 3 of the journey; `junction` (Oaxaca) is three days further."""
import os

import h5py
import numpy as np

from rumbo_test import assert_conserved, assert_same_datasets, main, run, run_to, scenario, write

ENF = scenario("enforcement.yaml")
TINY = scenario("tiny.yaml")


def run1(tmp, scen, *args, name="out.h5"):
    """One thread: quicker on a busy machine (threads are tested separately)."""
    return run_to(tmp, scen, "--threads", "1", *args, name=name)


def labels(f, name):
    return [s.decode() if isinstance(s, bytes) else s for s in f[name][()]]


def load(path):
    """Events by name (days x 1 each) and the enforcement datasets."""
    with h5py.File(path, "r") as f:
        names = labels(f, "event_name")
        ev = f["events"][()]
        out = {n: ev[:, k] for k, n in enumerate(names)}
        out["_nodes"] = labels(f, "node_name")
        out["_nats"] = labels(f, "nationality_name")
        out["_states"] = labels(f, "state_name")
        for k in ("detentions", "detention_occupancy", "minor_shelter_occupancy",
                  "deportations", "bribes_paid", "population"):
            out[k] = f[k][()]
    return out


def detained_at(d, node, nat):
    return d["detentions"][:, d["_nodes"].index(node), d["_nats"].index(nat)]


def test_absent_section_means_no_enforcement(tmp):
    d = load(run1(tmp, TINY))
    for e in ("detention", "bribe", "handover", "deportation", "reattempt", "exit_order"):
        assert d[e].sum() == 0, e
    assert d["detentions"].sum() == 0 and d["detention_occupancy"].sum() == 0
    assert d["arrival"].sum() > 0


def test_detection_changes_on_the_timeline_date_and_not_before(tmp):
    scen = write(tmp, "timeline.yaml", f"""
extends: {ENF}
name: checkpoint_from_day_19
enforcement:
  checkpoints:
    places: {{town: 0}}
timeline:
  - date: 2013-01-20
    enforcement.checkpoints.places: {{town: 1}}
""")
    d = load(run1(tmp, scen))
    det = d["detention"]
    assert det[:19].sum() == 0, det[:19]
    assert det[19] > 0 and (det[19:] > 0).all(), det[19:]
    # ...and the intensity lever does the same the other way.
    scen = write(tmp, "off.yaml", f"""
extends: {ENF}
name: intensity_off_from_day_30
timeline:
  - date: 2013-01-31
    enforcement.intensity: 0
""")
    d = load(run1(tmp, scen, name="off.h5"))
    assert (d["detention"][3:30] > 0).all() and d["detention"][30:].sum() == 0


def test_station_occupancy_never_exceeds_its_places(tmp):
    d = load(run1(tmp, ENF, "--set", "enforcement.detention.stations.town=50",
                    "--set", "enforcement.detention.stay_days=5"))
    occ = d["detention_occupancy"][:, d["_nodes"].index("town")]
    assert occ.max() == 50, occ.max()   # full at times...
    assert (occ <= 50).all()             # ...never over
    assert d["exit_order"].sum() > 0     # the rest were released with exit orders
    # Released people carry an exit order honoured at checkpoints: they go on.
    assert d["arrival"].sum() > 0


def test_deportations_never_exceed_daily_seats(tmp):
    d = load(run1(tmp, ENF, "--set", "enforcement.deportation.seats_per_day.GT=2.5",
                    "--set", "enforcement.deportation.seats_per_day.HN=0"))
    gt = d["deportations"][:, d["_nats"].index("GT")]
    hn = d["deportations"][:, d["_nats"].index("HN")]
    days = np.arange(len(gt))
    assert (gt <= 3).all() and (np.cumsum(gt) <= np.floor((days + 1) * 2.5)).all()
    # Caught on day 3, custody, admitted on day 4, two days held: buses full from day 6.
    first = np.nonzero(gt)[0][0]
    assert first == 6 and gt.sum() == np.floor(len(gt) * 2.5) - np.floor(first * 2.5)
    assert hn.sum() == 0 and d["deportation"].sum() == gt.sum()
    # The queue waits at the hub station.
    assert d["detention_occupancy"][-1].sum() > 1000


def test_visitor_card_is_honoured_inside_its_states_and_hours_only(tmp):
    # 96 hours: the card is still valid on day 3 in Chiapas; Hondurans cannot hold it.
    d = load(run1(tmp, ENF, "--set", "enforcement.documents.tvr.uptake=1", name="a.h5"))
    assert detained_at(d, "town", "GT").sum() == 0
    assert detained_at(d, "town", "HN").sum() > 1000
    # 72 hours: days 0, 1 and 2 only; on day 3 at town it has expired.
    d = load(run1(tmp, ENF, "--set", "enforcement.documents.tvr.uptake=1",
                    "--set", "enforcement.documents.tvr.hours=72", name="b.h5"))
    assert detained_at(d, "town", "GT").sum() > 1000
    # Still valid in time but outside its states: a checkpoint at junction (Oaxaca).
    d = load(run1(tmp, ENF, "--set", "enforcement.documents.tvr.uptake=1",
                    "--set", "enforcement.documents.tvr.hours=10000",
                    "--set", "enforcement.checkpoints.places={town: 0, junction: 1}", name="c.h5"))
    assert detained_at(d, "junction", "GT").sum() > 1000
    assert d["detentions"][:, d["_nodes"].index("town")].sum() == 0


def test_unaccompanied_minors_follow_their_own_path(tmp):
    d = load(run1(tmp, ENF, "--set", "inflow.people.age_bands={adolescent: 1, adult: 0}"))
    assert d["detention"].sum() > 0
    assert d["deportation"].sum() == 0 and d["detention_occupancy"].sum() == 0
    assert d["exit_order"].sum() == 0          # never released onto the street
    assert d["minor_return"].sum() > 0
    shelter = d["minor_shelter_occupancy"][:, d["_nodes"].index("town")]
    assert shelter.max() == 10 and (shelter <= 10).all()
    returns = d["minor_return"]
    assert (returns <= 5).all()                # their own procedure's daily capacity
    assert d["reattempt"].sum() == 0           # minors.reattempt_probability is 0
    # Without minors nobody takes that path.
    d = load(run1(tmp, ENF, name="adults.h5"))
    assert d["minor_return"].sum() == 0 and d["minor_shelter_occupancy"].sum() == 0


def test_bribes_move_money_and_hand_overs_feed_a_state(tmp):
    d = load(run1(tmp, ENF, "--set", "enforcement.corruption.bribe_probability=1",
                    "--set", "inflow.people.money={median: 800, sigma: 1}"))
    assert d["bribe"].sum() > 0
    assert d["bribes_paid"].sum() == 1000 * d["bribe"].sum()
    # Those who could not pay were detained: log-normal money with median 800 and
    # sigma 1 leaves P(money >= 1000) = 0.41 of them able to pay.
    assert 0.25 < d["bribe"].sum() / (d["bribe"].sum() + d["detention"].sum()) < 0.5
    d = load(run1(tmp, ENF, "--set", "enforcement.corruption.handover_probability=1",
                    name="h.h5"))
    held = d["population"][:, :, d["_states"].index("handed_over")].sum(axis=1)
    assert d["detention"].sum() == 0 and d["handover"].sum() > 0
    # No crime section: nobody to hand them to, so the crime module lets them go the
    # same day (models/crime.h); nobody stays handed over.
    assert not held.any()


def test_reattempts_and_conservation(tmp):
    out = run1(tmp, ENF, "--days", "120")
    assert_conserved(out)
    d = load(out)
    assert d["reattempt"].sum() > 0 and d["gave_up"].sum() > 0
    # Every detention is an event: people detained again count again.
    assert d["detention"].sum() > d["entry"].sum()
    # With probability 0.5 and a 3-attempt cap, about half of those deported come back.
    share = d["reattempt"].sum() / d["deportation"].sum()
    assert 0.3 < share < 0.6, share


def test_threads_give_identical_files_with_everything_on(tmp):
    sets = ["--set", "enforcement.raids.lodgings={catch: 0.3, per_week: {crossing: 3, town: 3}}",
            "--set", "enforcement.raids.buses={catch: 0.5, per_week: {junction-exit: 3}}",
            "--set", "enforcement.corruption={bribe_probability: 0.2, bribe_pesos: 500, "
                     "handover_probability: 0.05}",
            "--set", "inflow.people.age_bands={adolescent: 0.1, adult: 0.9}",
            "--set", "inflow.people.smuggler_share=0.6",
            "--set", "inflow.people.contacts_share=0.5",
            "--set", "inflow.people.money={median: 800, sigma: 1}",
            "--set", "enforcement.checkpoints.by_mode.foot=0.6",
            "--set", "enforcement.detention.stations.town=40",
            "--set", "enforcement.documents.tvr.uptake=0.3",
            "--set", "enforcement.documents.humanitarian_visa.probability=0.05"]
    one = run_to(tmp, ENF, "--threads", "1", *sets, name="one.h5")
    two = run_to(tmp, ENF, "--threads", "2", *sets, name="two.h5")
    assert_same_datasets(one, two)
    d = load(one)
    for e in ("bribe", "handover", "exit_order", "humanitarian_visa", "minor_return",
              "deportation", "reattempt"):
        assert d[e].sum() > 0, e


def test_bad_enforcement_input_is_reported(tmp):
    p = run("run", ENF, "-o", os.path.join(tmp, "x.h5"),
            "--set", "enforcement.checkpoints.places={nowhere-town: 1}")
    assert p.returncode == 2 and "nowhere-town" in p.stderr and "--set" in p.stderr, p.stderr
    p = run("run", ENF, "-o", os.path.join(tmp, "x.h5"),
            "--set", "enforcement.detention.hub=junction")
    assert p.returncode == 2 and "enforcement.detention.hub" in p.stderr, p.stderr
    p = run("run", ENF, "-o", os.path.join(tmp, "x.h5"),
            "--set", "enforcement.documents.tvr.regions=[chiapas, atlantis]")
    assert p.returncode == 2 and "atlantis" in p.stderr, p.stderr
    scen = write(tmp, "partial.yaml", f"""
extends: {TINY}
name: partial
enforcement:
  intensity: 1
""")
    p = run("run", scen, "-o", os.path.join(tmp, "x.h5"))
    assert p.returncode == 2 and "enforcement.checkpoints" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(tmp, "x.h5"))


def test_shipped_scenarios_are_valid(tmp):
    for name in ("baseline.yaml", "frontera_sur_2014.yaml"):
        path = os.path.join(os.path.dirname(os.path.dirname(ENF)), "..", "scenarios", name)
        run("check", path, check=0)


if __name__ == "__main__":
    main(globals())
