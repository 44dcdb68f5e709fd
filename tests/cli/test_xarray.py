"""Outputs open in xarray (Debian's python3-xarray + python3-h5netcdf) with named
dimensions, dates, units and the network's coordinates."""
import numpy as np
import xarray as xr

from rumbo_test import main, run_to, scenario

TINY = scenario("tiny.yaml")


def test_single_run_opens_with_named_dimensions(tmp):
    out = run_to(tmp, TINY, "--days", "20")
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["population"].dims == ("time", "node", "state")
        assert ds["edge_flow"].dims == ("time", "edge")
        assert ds["events"].dims == ("time", "event")
        assert ds["left"].dims == ("time", "outcome", "nationality")
        assert str(ds["time"].values[0])[:10] == "2013-01-01"
        assert ds["population"].attrs["units"] == "people"
        for name in ("node_lat", "node_lon", "node_name", "node_label", "edge_mode", "event_name"):
            assert name in ds.coords, name
        entries = ds["events"].where(ds["event_name"] == "entry", drop=True).sum()
        assert int(entries) > 0


def test_ensemble_opens_with_member_dimension(tmp):
    out = run_to(tmp, TINY, "--members", "3", "--days", "20")
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["population"].dims == ("member", "time", "node", "state")
        assert list(ds["member"].values) == [0, 1, 2]
        total = ds["population"].sum(dim=("node", "state"))
        assert total.dims == ("member", "time")
        assert np.all(total.isel(time=-1).values > 0)


if __name__ == "__main__":
    main(globals())
