"""Output I/O failures: full devices, unwritable places, size limits, kill -9.

The output is written under a temporary name next to the requested path and renamed
into place when complete (sim/output.c), so whatever happens, the requested path
holds either nothing, the previous file, or a complete new one. Paths that exist
and are not regular files (devices, FIFOs) are written directly and never replaced.
"""
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import time

import h5py

import rumbo_test
from rumbo_test import Skip, datasets, main, run, run_to, scenario

TINY = scenario("tiny.yaml")
# A run of about a second on this machine: enough agents that it is killed mid-way.
SLOW = ("--days", "60", "--set", "inflow.per_year=3e5", "--threads", "1", "--quiet")


def strays(tmp):
    return sorted(n for n in os.listdir(tmp) if ".tmp." in n)


def assert_device(path, major, minor):
    st = os.stat(path)
    assert stat.S_ISCHR(st.st_mode), f"{path} is no longer a character device"
    assert (os.major(st.st_rdev), os.minor(st.st_rdev)) == (major, minor), path


def test_dev_full_fails_cleanly_and_keeps_the_device(tmp):
    if not os.path.exists("/dev/full"):
        raise Skip("no /dev/full on this system")
    p = run("run", TINY, "-o", "/dev/full", "--days", "5", "--quiet")
    assert p.returncode == 1, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("rumbo: error: /dev/full: "), lines[0]
    assert "No space left on device" in lines[0], lines[0]
    assert_device("/dev/full", 1, 7)
    assert not [n for n in os.listdir("/dev") if ".tmp." in n], "temporary file left in /dev"


def test_dev_null_is_written_directly(tmp):
    if not os.path.exists("/dev/null"):
        raise Skip("no /dev/null on this system")
    run("run", TINY, "-o", "/dev/null", "--days", "5", "--quiet", check=0)
    assert_device("/dev/null", 1, 3)


def test_fifo_output_fails_and_stays_a_fifo(tmp):
    fifo = os.path.join(tmp, "pipe.h5")
    os.mkfifo(fifo)
    p = run("run", TINY, "-o", fifo, "--days", "5", "--quiet", timeout=60)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "Illegal seek" in p.stderr, p.stderr  # HDF5 needs a seekable file
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert strays(tmp) == []


def test_symlink_output_replaces_the_target(tmp):
    target = os.path.join(tmp, "real.h5")
    link = os.path.join(tmp, "link.h5")
    open(target, "w").close()
    os.symlink("real.h5", link)
    run("run", TINY, "-o", link, "--days", "5", "--quiet", check=0)
    assert os.path.islink(link), "the symlink was replaced by a file"
    assert datasets(target)["time"].shape == (5,)
    assert strays(tmp) == []


def limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of a signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_file_size_limit_is_a_write_failure_with_no_output(tmp):
    """A disk that fills up while writing (here: RLIMIT_FSIZE) leaves nothing behind,
    and no crash (HDF5 1.10 used to crash at exit after a failed close)."""
    out = os.path.join(tmp, "out.h5")
    p = subprocess.run([rumbo_test.RUMBO, "run", TINY, "-o", out, "--quiet"],
                       capture_output=True, text=True, preexec_fn=limit_file_size, timeout=120)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert re.match(rf"rumbo: error: {re.escape(out)}: (cannot create the output file|writing "
                    r"the output failed|writing member 0 failed): File too large$", p.stderr), \
        p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert os.listdir(tmp) == [], os.listdir(tmp)


def unprivileged(tmp):
    """Command prefix that runs rumbo as an ordinary user (root writes anywhere)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        raise Skip("running as root and setpriv is missing: cannot drop privileges")
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    os.chmod(tmp, 0o755)
    probe = subprocess.run(prefix + [rumbo_test.RUMBO, "--version"], capture_output=True)
    if probe.returncode != 0:
        raise Skip("user 'nobody' cannot run the rumbo binary here")
    return prefix


def copy_tiny(tmp):
    for name in ("tiny.yaml", "tiny_network.yaml"):
        shutil.copy(scenario(name), tmp)
        os.chmod(os.path.join(tmp, name), 0o644)
    return os.path.join(tmp, "tiny.yaml")


def test_read_only_directory_is_refused_before_running(tmp):
    prefix = unprivileged(tmp)
    scen = copy_tiny(tmp)
    ro = os.path.join(tmp, "ro")
    os.mkdir(ro)
    os.chmod(ro, 0o555)
    out = os.path.join(ro, "out.h5")
    p = subprocess.run(prefix + [rumbo_test.RUMBO, "run", scen, "-o", out, "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert p.stderr == (f"rumbo: error: {out}: cannot write the output: directory {ro} is not "
                        "writable: Permission denied\n"), p.stderr
    assert os.listdir(ro) == []


def test_unreadable_scenario_is_bad_input(tmp):
    prefix = unprivileged(tmp)
    scen = copy_tiny(tmp)
    os.chmod(scen, 0)
    writable = os.path.join(tmp, "w")
    os.mkdir(writable)
    os.chmod(writable, 0o777)
    out = os.path.join(writable, "out.h5")
    p = subprocess.run(prefix + [rumbo_test.RUMBO, "run", scen, "-o", out, "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr == f"rumbo: error: {scen}:0: cannot open: Permission denied\n", p.stderr
    assert not os.path.exists(out)


def complete(path):
    """True if path is a whole rumbo output (every dataset readable)."""
    with h5py.File(path, "r") as f:
        ok = "scenario" in f.attrs and f["events"].shape[-2] == f["time"].shape[0]
        for name in ("population", "edge_flow", "events"):
            f[name][()]
    return ok


def test_kill_9_never_leaves_a_partial_file(tmp):
    """SIGKILL at many moments: as the temporary file appears, while members of an
    ensemble are being written into it, and around the final close and rename. The
    requested path always holds the previous complete file or a new complete one."""
    out = run_to(tmp, TINY, "--days", "7", name="out.h5")
    before = open(out, "rb").read()
    cmd = [rumbo_test.RUMBO, "run", TINY, "-o", out, "--members", "3", *SLOW]
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True)
    full = time.monotonic() - t0  # only to spread the kills; nothing asserts on it
    assert complete(out)
    before = open(out, "rb").read()
    moments = ["temporary appears", 0.0, 0.05] + [full * f for f in
                                                    (0.3, 0.5, 0.7, 0.85, 0.95, 0.99, 1.0, 1.05)]
    outcomes = []
    for when in moments:
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if when == "temporary appears":
            tmpname = f"out.h5.tmp.{child.pid}"
            while child.poll() is None and tmpname not in os.listdir(tmp):
                time.sleep(0.0005)
        else:
            time.sleep(when)
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = open(out, "rb").read()
        if now == before:
            outcomes.append("previous")
        else:
            assert complete(out), f"partial file at the requested path (killed at {when})"
            outcomes.append("new")
            before = now
        for name in strays(tmp):  # what kill -9 leaves: a temporary, never the output
            assert name.startswith("out.h5.tmp."), name
            os.unlink(os.path.join(tmp, name))
    print(f"  kill -9 outcomes: {outcomes}")
    assert "previous" in outcomes, outcomes


if __name__ == "__main__":
    main(globals())
