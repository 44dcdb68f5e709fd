"""`mpirun -n 2 rumbo sweep` writes the same file as a serial sweep.

Needs a RUMBO_MPI build and mpirun; otherwise the test reports itself skipped (exit 77,
which CMake maps to "skipped"). .ci/run builds the MPI variant and runs this test there.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import h5py

from rumbo_test import assert_same_datasets, main, run, scenario, write
import rumbo_test

SKIP = 77
TINY = scenario("tiny.yaml")


def mpirun(n, *args, check=0):
    cmd = ["mpirun", "-n", str(n), "--oversubscribe"]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    p = subprocess.run(cmd + [rumbo_test.RUMBO, *map(str, args)], capture_output=True, text=True,
                       env=env, timeout=600)
    if check is not None and p.returncode != check:
        raise AssertionError(f"mpirun {' '.join(map(str, args))} exited {p.returncode}\n"
                             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def mpi_available():
    if shutil.which("mpirun") is None:
        return False, "no mpirun"
    rumbo_test.RUMBO = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        spec = write(tmp, "s.yaml", "model: ishigami\nparameters:\n  x1: {range: [0, 1]}\n"
                     "design: lhs\nsamples: 2\n")
        p = mpirun(2, "sweep", spec, "-o", os.path.join(tmp, "s.h5"), "-q", check=None)
    if "built without MPI" in p.stderr:
        return False, "rumbo was built without RUMBO_MPI"
    if p.returncode != 0:
        return False, f"mpirun does not work here: {p.stderr.strip()[:200]}"
    return True, ""


def test_mpi_ishigami_equals_serial(tmp):
    spec = write(tmp, "ish.yaml", """
model: ishigami
parameters:
  x1: {range: [-3.141592653589793, 3.141592653589793]}
  x2: {range: [-3.141592653589793, 3.141592653589793]}
  x3: {range: [-3.141592653589793, 3.141592653589793]}
design: saltelli
samples: 256
bootstrap: 100
""")
    serial, par = os.path.join(tmp, "serial.h5"), os.path.join(tmp, "mpi.h5")
    run("sweep", spec, "-o", serial, "-q", check=0)
    mpirun(2, "sweep", spec, "-o", par, "-q")
    assert_same_datasets(serial, par)
    assert subprocess.run(["h5diff", serial, par]).returncode == 0


def scenario_spec(tmp):
    return write(tmp, "tiny_sweep.yaml", f"""
scenario: {TINY}
set: {{days: 40}}
parameters:
  inflow.per_year: {{range: [5000, 40000]}}
  movement.modes.road.km_per_day: {{range: [100, 600]}}
design: saltelli
samples: 4
replicates: 2
bootstrap: 50
store_series: true
""")


def test_mpi_scenario_sweep_with_series_equals_serial(tmp):
    spec = scenario_spec(tmp)
    serial, par = os.path.join(tmp, "serial.h5"), os.path.join(tmp, "mpi.h5")
    run("sweep", spec, "-o", serial, "-q", "--threads", "2", check=0)
    p = mpirun(2, "sweep", spec, "-o", par, "--threads", "1")
    assert "on 2 ranks" in p.stdout, p.stdout
    assert_same_datasets(serial, par)


def test_mpi_stopped_and_resumed_equals_serial(tmp):
    spec = scenario_spec(tmp)
    serial, par = os.path.join(tmp, "serial.h5"), os.path.join(tmp, "mpi.h5")
    run("sweep", spec, "-o", serial, "-q", check=0)
    mpirun(2, "sweep", spec, "-o", par, "-q", "--stop-after", "3", check=None)
    assert os.path.exists(par + ".partial") and not os.path.exists(par)
    with h5py.File(par + ".partial", "r") as f:
        # Rank 0 stops after 3 runs and tells rank 1 to stop too.
        assert 3 <= f["done"][()].sum() <= 6, f["done"][()]
    # Resume on a different number of ranks: the file does not care.
    mpirun(3, "sweep", spec, "-o", par, "-q", "--stop-after", "2", check=None)
    mpirun(2, "sweep", spec, "-o", par, "-q")
    assert_same_datasets(serial, par)


if __name__ == "__main__":
    ok, why = mpi_available()
    if not ok:
        print(f"SKIP: {why}")
        sys.exit(SKIP)
    main(globals())
