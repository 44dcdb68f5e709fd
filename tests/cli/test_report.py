"""`rumbo report`: non-empty images of the expected size and an index.html that
references them."""
import os
import re
import struct

from rumbo_test import main, run, run_to, scenario

TINY = scenario("tiny.yaml")


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    assert head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def test_report_two_scenarios(tmp):
    a = run_to(tmp, TINY, "--members", "3", name="a.h5")
    b = run_to(tmp, TINY, "--members", "3", "--set", "inflow.per_year=50000", name="b.h5")
    out = os.path.join(tmp, "rep")
    p = run("report", a, b, "-o", out, check=0)
    assert "index.html" in p.stdout
    files = set(os.listdir(out))
    expected = {"ts_people", "ts_events_entry", "ts_events_arrival", "map_A", "map_B",
                "bars_arrivals", "bars_modes"}
    for base in expected:
        assert base + ".png" in files and base + ".svg" in files, (base, sorted(files))
    assert "ts_deaths.png" not in files  # nobody dies in tiny: no empty plot
    assert not [f for f in files if ".tmp" in f], files
    sizes = {"ts_people": (1000, 600), "ts_events_entry": (1000, 600), "map_A": (1000, 720)}
    for base, size in sizes.items():
        assert png_size(os.path.join(out, base + ".png")) == size, base
    for f in files:
        assert os.path.getsize(os.path.join(out, f)) > 1000, f
        if f.endswith(".svg"):
            with open(os.path.join(out, f), encoding="utf-8") as g:
                assert "<svg" in g.read(400), f
    with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
        html = f.read()
    images = set(re.findall(r'<img src="([^"]+)"', html))
    assert images == {f for f in files if f.endswith(".png")}, (images, files)
    for link in re.findall(r'href="([^"]+)"', html):
        assert link in files, link
    assert "entries into Mexico" in html and "B &minus; A" in html
    assert "n/a" in html  # detentions: no enforcement module in tiny


def test_report_single_run(tmp):
    a = run_to(tmp, TINY, "--days", "30")
    out = os.path.join(tmp, "rep")
    run("report", a, "-o", out, "--quiet", check=0)
    files = os.listdir(out)
    assert "index.html" in files and "map_A.png" in files and "map_B.png" not in files


def test_report_bad_input(tmp):
    p = run("report", os.path.join(tmp, "nope.h5"), "-o", os.path.join(tmp, "r"), check=2)
    assert "nope.h5" in p.stderr
    a = run_to(tmp, TINY, "--days", "5")
    blocker = os.path.join(tmp, "file")
    open(blocker, "w").close()
    p = run("report", a, "-o", blocker, check=2)
    assert "not a directory" in p.stderr
    run("report", a, check=2)


if __name__ == "__main__":
    main(globals())
