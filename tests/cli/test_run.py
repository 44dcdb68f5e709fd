"""`rumbo run` on the tiny scenario: layout, conservation, determinism, repeatability."""
import os
import subprocess

import h5py
import numpy as np

from rumbo_test import (assert_conserved, assert_same_datasets, datasets, main, run, run_to, scenario,
                        write)

TINY = scenario("tiny.yaml")


def test_layout_and_shapes(tmp):
    out = run_to(tmp, TINY)
    with h5py.File(out, "r") as f:
        n_nodes, n_edges, days = 5, 8, 60
        assert f["time"].shape == (days,)
        assert f["time"].attrs["units"] == "days since 2013-01-01"
        assert f["population"].shape[:2] == (days, n_nodes)
        assert f["population"].shape[2] == f["state"].shape[0]
        assert f["edge_flow"].shape == (days, n_edges)
        assert f["events"].shape == (days, f["event"].shape[0])
        names = [s.decode() if isinstance(s, bytes) else s for s in f["event_name"][()]]
        assert "entry" in names and "arrival" in names
        nodes = [s.decode() if isinstance(s, bytes) else s for s in f["node_name"][()]]
        assert nodes == ["origin", "crossing", "junction", "north", "exit"]
        for name in ("population", "edge_flow", "events"):
            ds = f[name]
            assert ds.attrs["units"], name
            assert ds.compression == "gzip" and ds.chunks is not None, name
            dims = [d.label or (d[0].name.strip("/") if len(d) else "") for d in ds.dims]
            assert dims[0] == "time", (name, dims)
        for attr in ("scenario", "seed", "version", "commit", "start_date"):
            assert attr in f.attrs, attr
        assert f.attrs["seed"] == 7
        assert f.attrs["start_date"] == "2013-01-01"


def test_dimension_scales_attached_both_ways(tmp):
    """Every axis of every dataset names its scale (DIMENSION_LIST), and each scale lists
    exactly those datasets and axes (REFERENCE_LIST), as HDF5's own H5DS checks them."""
    for members in ("1", "2"):
        out = run_to(tmp, TINY, "--days", "10", "--members", members, name=f"scales{members}.h5")
        with h5py.File(out, "r") as f:
            seen = {}
            for name, ds in f.items():
                if ds.attrs.get("CLASS") == b"DIMENSION_SCALE":
                    continue
                assert "DIMENSION_LIST" in ds.attrs, name  # every other dataset has scales
                assert len(ds.dims) == ds.ndim, name
                for axis, dim in enumerate(ds.dims):
                    assert len(dim) == 1, (name, axis)
                    scale = dim[0]
                    assert h5py.h5ds.is_attached(ds.id, scale.id, axis), (name, axis)
                    seen.setdefault(scale.name, []).append((name, axis))
            assert {"/time", "/node", "/edge"} <= set(seen), sorted(seen)
            assert ("/member" in seen) == (members == "2")
            for scale_name, attached in seen.items():
                listed = [(f[ref].name.strip("/"), int(axis))
                          for ref, axis in f[scale_name].attrs["REFERENCE_LIST"]]
                assert sorted(listed) == sorted(attached), scale_name  # no more, no fewer
            time_axis = 1 if members == "2" else 0
            assert ("population", time_axis) in seen["/time"]
            assert ("node_name", 0) in seen["/node"]


def test_conservation_every_day(tmp):
    """entries = agents present + agents that left, on every day."""
    entries = assert_conserved(run_to(tmp, TINY))
    assert entries[-1] > 5000


def test_threads_give_identical_files(tmp):
    one = run_to(tmp, TINY, "--threads", "1", name="one.h5")
    two = run_to(tmp, TINY, "--threads", "2", name="two.h5")
    assert_same_datasets(one, two)
    h5diff = subprocess.run(["h5diff", one, two], capture_output=True, text=True)
    assert h5diff.returncode == 0, h5diff.stdout + h5diff.stderr


def test_more_threads_than_cores_or_request_lists(tmp):
    """300 threads (a list of capacity requests each: 256 lists was once a fixed limit,
    and rumbo aborted above it) give the same file as one."""
    one = run_to(tmp, TINY, "--days", "20", "--threads", "1", name="one.h5")
    many = run_to(tmp, TINY, "--days", "20", "--threads", "300", name="many.h5")
    assert_same_datasets(one, many)


def test_team_smaller_than_threads_asked(tmp):
    """OpenMP may give fewer threads than --threads (OMP_THREAD_LIMIT, a busy node):
    the missing threads' ranges of agents and request lists are taken by those present,
    and the file is the same as a 1-thread run's."""
    one = run_to(tmp, TINY, "--days", "40", "--threads", "1", name="one.h5")
    out = os.path.join(tmp, "limited.h5")
    run("run", TINY, "-o", out, "--quiet", "--days", "40", "--threads", "3", check=0,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    assert_same_datasets(one, out)
    out2 = os.path.join(tmp, "limited2.h5")
    run("run", TINY, "-o", out2, "--quiet", "--days", "40", "--threads", "3", check=0,
        env={**os.environ, "OMP_THREAD_LIMIT": "2"})
    assert_same_datasets(one, out2)


def test_seed_changes_results_and_is_recorded(tmp):
    a = run_to(tmp, TINY, "--seed", "1", name="a.h5")
    b = run_to(tmp, TINY, "--seed", "2", name="b.h5")
    assert not np.array_equal(datasets(a)["events"], datasets(b)["events"])
    with h5py.File(b, "r") as f:
        assert f.attrs["seed"] == 2


def test_repeat_from_output_alone(tmp):
    """The scenario stored in an output reproduces it exactly."""
    first = run_to(tmp, TINY, "--set", "inflow.per_year=20000", "--days", "30", name="a.h5")
    with h5py.File(first, "r") as f:
        text = f.attrs["scenario"]
    text = text.decode() if isinstance(text, bytes) else text
    assert "per_year: 20000" in text
    stored = write(tmp, "stored.yaml", text)
    again = run_to(tmp, stored, name="b.h5")
    assert_same_datasets(first, again)


def test_set_and_days_override(tmp):
    out = run_to(tmp, TINY, "--days", "10", "--set", "inflow.per_year=0")
    d = datasets(out)
    assert d["time"].shape == (10,)
    assert d["events"].sum() == 0


def test_zero_train_capacity_means_nobody_rides(tmp):
    out = run_to(tmp, TINY, "--set", "movement.trains.south.riders_per_train=0",
                 "--set", "movement.trains.main.riders_per_train=0")
    with h5py.File(out, "r") as f:
        names = [s.decode() if isinstance(s, bytes) else s for s in f["event_name"][()]]
        edges = [s.decode() if isinstance(s, bytes) else s for s in f["edge_name"][()]]
        flow = f["edge_flow"][()].sum(axis=0)
        boardings = f["events"][()][:, names.index("boarding")].sum()
    assert boardings == 0
    for e, n in zip(edges, flow):
        if e.endswith("-rail"):
            assert n == 0, e


def test_summary_names_the_output(tmp):
    out = os.path.join(tmp, "named.h5")
    p = run("run", TINY, "-o", out, check=0)
    assert out in p.stdout and "entered" in p.stdout
    assert os.path.exists(out)
    assert not [n for n in os.listdir(tmp) if ".tmp." in n], "temporary file left behind"


if __name__ == "__main__":
    main(globals())
