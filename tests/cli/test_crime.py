"""Criminal networks (models/crime.c) through the real binary on tiny scenarios."""
import os
import re

import h5py
import numpy as np

from rumbo_test import REPO, assert_conserved, assert_same_datasets, main, run, run_to, scenario, write

CRIME = scenario("crime.yaml")
TINY = scenario("tiny.yaml")


def names(f, dim):
    return [s.decode() if isinstance(s, bytes) else s for s in f[dim + "_name"][()]]


def events(path):
    with h5py.File(path, "r") as f:
        return dict(zip(names(f, "event"), f["events"][()].sum(axis=0)))


def strength_total(f):
    return f["crime_strength_node"][()].sum(axis=2) + f["crime_strength_edge"][()].sum(axis=2)


def derived(tmp, name, text):
    return write(tmp, name, f"extends: {CRIME}\n" + text)


def test_outputs_and_every_kind_of_victimisation(tmp):
    out = run_to(tmp, CRIME)
    with h5py.File(out, "r") as f:
        orgs = names(f, "organisation")
        assert orgs == ["cartel", "bandits", "ring"]
        assert names(f, "crime") == ["robbery", "extortion", "kidnapping", "trafficking"]
        days = f["time"].shape[0]
        assert f["crime_strength_node"].shape == (days, 3, 5)
        assert f["crime_strength_edge"].shape == (days, 3, 8)
        assert f["crime_revenue"].attrs["units"] == "pesos per day"
        ev = dict(zip(names(f, "event"), f["events"][()].sum(axis=0)))
        vic = f["victimisations_node"][()].sum(axis=(0, 1)) + f["victimisations_edge"][()].sum(
            axis=(0, 1))
        by_org = f["victimisations_by_organisation"][()].sum(axis=0)
        states = names(f, "state")
        assert "kidnapped" in states and "exploited" in states
    for k in ("robbery", "extortion", "thrown_off", "kidnapping", "trafficked", "ransom_paid",
              "released_unpaid", "killed", "rescued", "escaped"):
        assert ev[k] > 0, k
    # Places and organisations count the same encounters; trafficking after an unpaid
    # kidnapping is an event but not an encounter.
    assert np.array_equal(vic, by_org.sum(axis=0))
    assert vic[0] == ev["robbery"] and vic[1] == ev["extortion"] and vic[2] == ev["kidnapping"]
    assert vic[3] <= ev["trafficked"]
    assert by_org[1, 1] == 0 and by_org[2, 0] == 0, "activities outside an organisation's mix"


def test_zero_strength_means_no_crime(tmp):
    text = ("crime:\n  organisations:\n"
            "    cartel: {strength: {crossing-junction-rail: 0, junction: 0, junction-north: 0}}\n"
            "    bandits: {strength: {crossing-junction-foot: 0, crossing: 0}}\n"
            "    ring: {strength: {crossing: 0}}\n")
    out = run_to(tmp, derived(tmp, "zero.yaml", text))
    ev = events(out)
    for k in ("robbery", "extortion", "kidnapping", "trafficked", "killed"):
        assert ev[k] == 0, k
    with h5py.File(out, "r") as f:
        assert f["crime_revenue"][()].sum() == 0
        assert strength_total(f).max() == 0
        assert f["victimisations_node"][()].sum() == 0


def test_absent_section_means_no_crime_and_no_crime_outputs(tmp):
    out = run_to(tmp, TINY)
    with h5py.File(out, "r") as f:
        assert "crime_revenue" not in f and "organisation" not in f
        assert "robbery" in names(f, "event")
        assert f["events"][:, names(f, "event").index("robbery")].sum() == 0


def test_unaccompanied_girls_victimised_more_than_men_with_contacts(tmp):
    """Only the crossing (which every entrant reaches once) has an organisation, with a
    constant strength; the share victimised per group is 1 - exp(-H) for the hazard H
    the parameters give each group."""
    text = """
inflow:
  people:
    female_share: {GT: 0.5, HN: 0.5, SV: 0.5, NI: 0.5, other: 0.5}
    age_bands: {child: 0, adolescent: 0.5, adult: 0.5}
    minors_accompanied: 0
    adults_with_children: 0
    smuggler_share: 0
    contacts_share: 1
crime:
  vulnerability: {carrying_money: 1}
  kidnapping: {killed_if_unpaid: 0, trafficked_if_unpaid: 0}
  exploitation: {rescue_per_day: 0, escape_per_day: 0}
  dynamics: {decay_per_day: 0, rivalry_per_day: 0, expansion_per_day: 0}
  organisations:
    cartel: {strength: {crossing-junction-rail: 0, junction: 0, junction-north: 0}}
    bandits: {strength: {crossing-junction-foot: 0, crossing: 0}}
    ring:
      activities: {robbery: 0.4, kidnapping: 0.3, trafficking: 0.3}
      strength: {crossing: 0.3}
"""
    out = run_to(tmp, derived(tmp, "groups.yaml", text), "--set", "inflow.per_year=146100")
    with h5py.File(out, "r") as f:
        groups, evn = names(f, "group"), names(f, "event")
        g = f["events_by_group"][()].sum(axis=0)
    girls = [i for i, n in enumerate(groups) if n.endswith("_female_adolescent")]
    men = [i for i, n in enumerate(groups) if n.endswith("_male_adult")]
    count = lambda kind, idx: g[evn.index(kind), idx].sum()
    victims = lambda idx: sum(count(k, idx) for k in ("robbery", "kidnapping", "trafficked"))
    n_g, n_m = count("entry", girls), count("entry", men)
    # rates robbery 0.5, kidnapping 0.3, trafficking 0.3 (crime.yaml); girls: female 1.5 x
    # adolescent 1.5 x unaccompanied 2; men with contacts: 1 (no trafficking).
    s = 0.3
    h_g = s * 1.5 * 1.5 * 2.0 * (0.5 * 0.4 + 0.3 * 0.3 + 0.3 * 0.3)
    h_m = s * (0.5 * 0.4 + 0.3 * 0.3)
    p_g, p_m = 1 - np.exp(-h_g), 1 - np.exp(-h_m)
    o_g, o_m = victims(girls) / n_g, victims(men) / n_m
    ratio = p_g / p_m
    se = ratio * np.sqrt((1 - p_g) / (n_g * p_g) + (1 - p_m) / (n_m * p_m))
    assert n_g > 2000 and n_m > 2000, (n_g, n_m)
    assert abs(o_g - p_g) < 4 * np.sqrt(p_g * (1 - p_g) / n_g), (o_g, p_g)
    assert abs(o_m - p_m) < 4 * np.sqrt(p_m * (1 - p_m) / n_m), (o_m, p_m)
    assert abs(o_g / o_m - ratio) < 4 * se, (o_g / o_m, ratio, se)
    assert ratio > 4


def test_higher_flow_raises_revenue_and_strength(tmp):
    low = run_to(tmp, CRIME, "--set", "inflow.per_year=18000", name="low.h5")
    high = run_to(tmp, CRIME, "--set", "inflow.per_year=72000", name="high.h5")
    with h5py.File(low, "r") as a, h5py.File(high, "r") as b:
        ra, rb = a["crime_revenue"][()].sum(axis=0), b["crime_revenue"][()].sum(axis=0)
        assert np.all(rb > 2 * ra), (ra, rb)
        sa, sb = strength_total(a)[-1], strength_total(b)[-1]
        # Together they grow; one may lose ground to a rival that grew more (the ring
        # shares the crossing with the bandits).
        assert sb.sum() > 1.2 * sa.sum(), (sa, sb)
        assert sb[0] > sa[0] and sb[1] > sa[1], (sa, sb)


def test_anti_crime_pressure_shrinks_organisations(tmp):
    base = run_to(tmp, CRIME, name="base.h5")
    text = "timeline:\n  - date: 2013-01-21\n    crime.anti_crime_pressure: 0.1\n"
    pressed = run_to(tmp, derived(tmp, "pressed.yaml", text), name="pressed.h5")
    with h5py.File(base, "r") as a, h5py.File(pressed, "r") as b:
        sa, sb = strength_total(a), strength_total(b)
        assert np.array_equal(sa[:20], sb[:20]), "identical before the timeline entry"
        assert np.all(sb[-1] < 0.5 * sa[-1]), (sa[-1], sb[-1])
        total = sb.sum(axis=1)
        assert total[-1] < 0.6 * total[25] and total[45] < total[30], total
        assert b["crime_revenue"][30:].sum() < a["crime_revenue"][30:].sum()
    assert events(pressed)["robbery"] < events(base)["robbery"]


def test_ransoms_move_money_and_release_captives(tmp):
    """Kidnapping only, everyone pays, nobody carries money: revenue is exactly the
    ransoms, and every captive whose time is up walks free."""
    text = """
inflow:
  people: {money: {median: 0, sigma: 0}}
crime:
  kidnapping: {pay: {GT: 1, HN: 1, SV: 1, NI: 1, other: 1}, held_days: 4}
  organisations:
    cartel: {activities: {robbery: 0, extortion: 0, kidnapping: 1}}
    bandits: {activities: {robbery: 0, kidnapping: 1}}
    ring: {strength: {crossing: 0}}
"""
    out = run_to(tmp, derived(tmp, "ransom.yaml", text))
    ev = events(out)
    with h5py.File(out, "r") as f:
        revenue = f["crime_revenue"][()].sum()
        held = f["population"][-1, :, names(f, "state").index("kidnapped")].sum()
    assert ev["kidnapping"] > 100
    assert ev["robbery"] == 0 and ev["extortion"] == 0 and ev["killed"] == 0
    assert ev["ransom_paid"] + held == ev["kidnapping"]
    assert revenue == 32000 * ev["ransom_paid"]
    assert 0 < held < ev["kidnapping"] / 10


def test_conservation_and_threads(tmp):
    one = run_to(tmp, CRIME, "--threads", "1", name="one.h5")
    two = run_to(tmp, CRIME, "--threads", "2", name="two.h5")
    assert_same_datasets(one, two)
    assert_conserved(one)


def test_officials_hand_migrants_to_kidnappers_with_enforcement_on(tmp):
    """Baseline (crime and enforcement), small inflow: every hand-over by an official
    becomes a kidnapping the same day (nobody stays handed over); conserved; the same
    with 1 and 2 threads (hand-overs read collusion fixed for the day)."""
    base = os.path.join(REPO, "scenarios", "baseline.yaml")
    args = ("--days", "60", "--set", "inflow.per_year=40000",
            "--set", "enforcement.corruption.handover_probability=0.3")
    one = run_to(tmp, base, "--threads", "1", *args, name="one.h5")
    two = run_to(tmp, base, "--threads", "2", *args, name="two.h5")
    assert_same_datasets(one, two)
    assert_conserved(one)
    with h5py.File(one, "r") as f:
        evn, states = names(f, "event"), names(f, "state")
        ev = f["events"][()]
        held = f["population"][()][:, :, states.index("handed_over")]
    handover, kidnapping = ev[:, evn.index("handover")], ev[:, evn.index("kidnapping")]
    assert handover.sum() > 50, handover.sum()
    assert not held.any()
    assert (kidnapping >= handover).all()


BAD = [
    ("crime:\n  organisations:\n    cartel: {strength: {nowhere: 0.5}}\n",
     r"bad\.yaml:\d+: key 'crime\.organisations\.cartel\.strength\.nowhere'.*not a node"),
    ("crime:\n  organisations:\n    cartel: {activities: {robbery: 0.5, kidnapping: 0.4}}\n",
     r"key 'crime\.organisations\.cartel\.activities'.*add up to 1"),
    ("crime:\n  organisations:\n    cartel: {activities: {robbery: 0.5, extortion: 0, kidnapping: 0, trafficking: 0.5}}\n",
     r"key 'crime\.organisations\.cartel'.*exploits_at"),
    ("crime:\n  rates: {robbery: -1}\n", r"key 'crime\.rates\.robbery'"),
    ("crime:\n  kidnapping: {pay: {XX: 0.5}}\n", r"key 'crime\.kidnapping\.pay\.XX'"),
]


def test_bad_input_names_file_line_and_key(tmp):
    for text, pattern in BAD:
        path = derived(tmp, "bad.yaml", text)
        out = os.path.join(tmp, "out.h5")
        p = run("run", path, "-o", out)
        assert p.returncode == 2, (text, p.returncode, p.stderr)
        assert re.search(pattern, p.stderr), (pattern, p.stderr)
        assert not os.path.exists(out)


if __name__ == "__main__":
    main(globals())
