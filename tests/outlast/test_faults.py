"""Faults during a sweep or a run lose nothing: a rerun completes with every run present once.

Tried: the disk filling at every single write of a sweep (simulated), a real full tmpfs (root
only), a pool worker killed mid-sweep (once: the pool restarts; past the limit: the sweep stops
in one line), Ctrl-C, finished tables deleted or damaged after the sweep, a symbolic link in a
directory being overwritten. The kill -9 of the coordinator is in test_sweep.py, a lost Dask
worker in test_faults_dask.py.
"""

import contextlib
import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import outlast.experiments.store
from outlast.cli import main
from outlast.experiments import engine as sweep_module
from outlast.experiments.design import load_experiment
from outlast.experiments.engine import LocalBackend, run_sweep
from outlast.experiments.store import SweepStore

EXPERIMENT = """\
name = "faults"
seeds = 3
master_seed = 11
[parameters]
n_soldier_agents = 300
n_elites = 30
citizens_per_region = 20
horizon_weeks = 4
[design]
kind = "grid"
[design.parameters.western_resolve]
values = [0.2, 0.8]
[keep]
final = ["force_active", "stability_index", "war_ended"]
weekly = ["unrest", "surrenders_week"]
"""
N_RUNS = 6
LONG_RUNS = 40

#: `python -c` this, then a command: runs the command with SIGINT at its default disposition.
EXEC_WITH_DEFAULT_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def cli(*args) -> tuple[int, str, str]:
    """Run `outlast ARGS` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_parquet(out / "results.parquet"), pd.read_parquet(out / "weekly.parquet")


def assert_complete_and_same(out: Path, reference: Path, n_runs: int = N_RUNS) -> None:
    """Every run present once, with exactly the numbers of an undisturbed sweep."""
    results, weekly = tables(out)
    assert results["run_id"].tolist() == list(range(n_runs))
    assert not weekly.duplicated(["run_id", "week"]).any()
    for mine, theirs in zip((results, weekly), tables(reference), strict=True):
        pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
    assert not (out / "parts").exists()
    assert not list(out.rglob("*.tmp"))


def assert_no_partial_result(out: Path) -> None:
    """Whatever a failed sweep left: every results part whole, with its weekly part beside it."""
    assert not list(out.rglob("*.tmp")), "a temporary file was left behind"
    for part in (out / "parts").glob("results-*.parquet"):
        assert pq.read_table(part).num_rows >= 1
        pq.read_table(part.with_name(part.name.replace("results-", "weekly-")))


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    path = root / "faults.toml"
    path.write_text(EXPERIMENT)
    run_sweep(load_experiment(path), root / "reference", LocalBackend(1), progress=False)
    return path, root / "reference"


@pytest.fixture(scope="module")
def long_experiment(tmp_path_factory):
    """The experiment with `LONG_RUNS` runs, and its undisturbed results.

    For killing a worker after the second batch: the runs left (about a second's work) cannot
    all finish before the pool notices its dead worker, as the 4 left of 6 tiny runs could.
    """
    root = tmp_path_factory.mktemp("faults-long")
    path = root / "faults.toml"
    path.write_text(EXPERIMENT.replace("seeds = 3", f"seeds = {LONG_RUNS // 2}"))
    run_sweep(load_experiment(path), root / "reference", LocalBackend(1), progress=False)
    return path, root / "reference"


def count_writes(monkeypatch) -> list[Path]:
    """Record every file the store writes."""
    written: list[Path] = []
    original = outlast.experiments.store.write_atomic

    def recording(path, write):
        written.append(Path(path))
        original(path, write)

    monkeypatch.setattr(outlast.experiments.store, "write_atomic", recording)
    return written


def disk_fills_at(monkeypatch, nth: int) -> None:
    """The `nth` file the store writes (from 1) gets half-written, then the disk is full."""
    original = outlast.experiments.store.write_atomic
    count = 0

    def filling(path, write):
        nonlocal count
        count += 1
        if count != nth:
            return original(path, write)

        def half_then_full(tmp: Path) -> None:
            write(tmp)
            with tmp.open("r+b") as f:
                f.truncate(tmp.stat().st_size // 2)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))

        return original(path, half_then_full)

    monkeypatch.setattr(outlast.experiments.store, "write_atomic", filling)


def test_the_disk_filling_at_any_write_of_a_sweep_loses_nothing(experiment, tmp_path, monkeypatch):
    path, _ = experiment
    args = ["sweep", path, "--seeds", "2", "--workers", "1", "--batch-size", "2", "--quiet"]
    with monkeypatch.context() as m:
        written = count_writes(m)
        assert cli(*args, "--out", tmp_path / "reference")[0] == 0
    reference = tmp_path / "reference"
    # The manifest, the scenarios, two batches of two files, the two tables, the final manifest.
    assert len(written) == 1 + 1 + 2 * 2 + 2 + 1
    for nth in range(1, len(written) + 1):
        out = tmp_path / f"full-at-{nth}"
        with monkeypatch.context() as m:
            disk_fills_at(m, nth)
            code, stdout, err = cli(*args, "--out", out)
        assert stdout == ""
        assert code == 1, (nth, err)
        assert err.count("\n") == 1 and "No space left on device" in err, (nth, err)
        assert err.endswith("run the same command again to resume\n"), err
        assert_no_partial_result(out)
        code, _, err = cli(*args, "--out", out)  # space freed: the same command again
        assert code == 0, (nth, err)
        assert_complete_and_same(out, reference, n_runs=4)


def test_a_run_that_cannot_write_leaves_no_directory_and_reruns(tmp_path, monkeypatch):
    args = ["run", "--weeks", "2", "--quiet", "--out", tmp_path / "r"]
    args += ["--set", "n_soldier_agents=200", "--set", "n_elites=30"]
    with monkeypatch.context() as m:
        disk_fills_at(m, 3)
        code, _, err = cli(*args)
    assert code == 1 and err.count("\n") == 1 and "No space left on device" in err
    assert not (tmp_path / "r").exists()
    assert cli(*args)[0] == 0
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "manifest.json",
        "regions.parquet",
        "summary.json",
        "weekly.parquet",
    ]


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs at `path` (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def fill(disk: Path, leave_bytes: int) -> Path:
    """Fill `disk` with one file, leaving about `leave_bytes` free."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    filler.write_bytes(b"\0" * max(free - leave_bytes, 0))
    return filler


def test_a_real_full_disk_stops_a_sweep_in_one_line_and_a_rerun_completes(
    experiment, tmp_path, record_property
):
    path, reference = experiment
    with tmpfs(tmp_path / "disk", "1m") as disk:
        filler = fill(disk, 24 * 1024)  # room for the manifest and a part or two
        out = disk / "sweep"
        args = ["sweep", path, "--workers", "1", "--batch-size", "1", "--quiet", "--out", out]
        code, _, err = cli(*args)
        assert code == 1 and err.count("\n") == 1, err
        assert "No space left on device" in err and "run the same command again" in err
        assert_no_partial_result(out)
        kept = len(SweepStore(out).finished_run_ids())
        assert kept < N_RUNS
        record_property("runs_kept_on_the_full_disk", kept)
        filler.unlink()
        code, stdout, err = cli(*args)
        assert code == 0, err
        assert f"{N_RUNS - kept} run now, {kept} found finished" in stdout
        assert_complete_and_same(out, reference)
        # `outlast run` on the full disk: one line, no directory left behind, then it runs.
        filler = fill(disk, 8 * 1024)
        run = ["run", "--weeks", "2", "--quiet", "--out", disk / "run", "--set", "n_elites=30"]
        code, _, err = cli(*run, "--set", "n_soldier_agents=200")
        assert code == 1 and err.count("\n") == 1 and "No space left on device" in err, err
        assert not (disk / "run").exists()
        filler.unlink()
        assert cli(*run, "--set", "n_soldier_agents=200")[0] == 0


def pool_workers() -> list[int]:
    """The live processes of this process's pools: the children of its fork server.

    Only the fork server's children: other grandchildren of this process (Chromium under
    Playwright's driver, when the browser tests ran earlier in the session) are not ours to kill.
    Zombies (workers of earlier pools not yet reaped) are left out: killing one does nothing.
    """
    parent, state, command = {}, {}, {}
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            pid = int(proc.name)
            state[pid], parent[pid] = fields[0], int(fields[1])
            command[pid] = (proc / "cmdline").read_bytes()
    servers = {
        pid
        for pid, ppid in parent.items()
        if ppid == os.getpid() and b"multiprocessing.forkserver" in command.get(pid, b"")
    }
    return sorted(pid for pid, ppid in parent.items() if ppid in servers and state[pid] != "Z")


def kill_a_worker_after(
    monkeypatch, batches: int, times: int = 1, sig: int = signal.SIGKILL, every: bool = False
) -> list[float]:
    """Send `sig` to a pool worker (or to `every` one) after the coordinator stores `batches`
    batches (up to `times`)."""
    original = SweepStore.write_batch
    stored = 0
    kills: list[float] = []

    def write_then_kill(self, *frames):
        nonlocal stored
        original(self, *frames)
        stored += 1
        if stored >= batches and len(kills) < times:
            workers = pool_workers()
            assert workers, "no pool worker to kill"
            for pid in workers if every else workers[:1]:
                os.kill(pid, sig)
            kills.append(time.monotonic())

    monkeypatch.setattr(SweepStore, "write_batch", write_then_kill)
    return kills


def test_a_pool_worker_killed_mid_sweep_is_replaced_and_the_sweep_completes(
    long_experiment, tmp_path, monkeypatch, capsys, record_property
):
    path, reference = long_experiment
    kills = kill_a_worker_after(monkeypatch, batches=2)
    done = run_sweep(load_experiment(path), tmp_path / "out", LocalBackend(2), 1, progress=False)
    record_property("sweep_finished_after_kill_s", round(time.monotonic() - kills[0], 2))
    assert len(kills) == 1
    assert (done.n_run_now, done.n_failed) == (LONG_RUNS, 0)
    err = capsys.readouterr().err
    assert "a worker process died; restarting the pool" in err and "(restart 1 of 3)" in err
    assert_complete_and_same(tmp_path / "out", reference, LONG_RUNS)


#: A sweep on a pool of 2 whose workers (not the coordinator) are sent SIGINT after the second
#: stored batch; run in a fresh interpreter with SIGINT at its default, as in a terminal, so that
#: its fork server and workers have it too (a test process run as a background job has SIGINT
#: ignored, and a fork server started by an earlier test would hand that on to its workers).
SIGINT_TO_WORKERS = """
import os, signal, sys
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)
from outlast.experiments.design import load_experiment
from outlast.experiments.store import SweepStore
from outlast.experiments.engine import LocalBackend, run_sweep
from tests.outlast.test_faults import pool_workers
original = SweepStore.write_batch
stored = 0
def write_then_interrupt(self, *frames):
    global stored
    original(self, *frames)
    stored += 1
    if stored == 2:
        for pid in pool_workers():
            os.kill(pid, signal.SIGINT)
SweepStore.write_batch = write_then_interrupt
try:
    done = run_sweep(load_experiment(sys.argv[1]), Path(sys.argv[2]), LocalBackend(2), 1,
                     progress=False)
except KeyboardInterrupt:
    print("interrupted")
else:
    print(done.n_run_now, done.n_failed)
"""


def test_ctrl_c_reaching_the_pool_workers_stops_the_sweep_without_a_traceback(
    long_experiment, tmp_path
):
    """SIGINT to every worker, the one running a batch and the one waiting for its next, and not
    to the coordinator: each worker ends quietly (a waiting worker used to print the traceback
    of its interrupted wait) and the coordinator stops the sweep as for its own Ctrl-C, even
    without seeing one (a pool broken by Ctrl-C is not restarted). A rerun completes."""
    path, reference = long_experiment
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", SIGINT_TO_WORKERS, str(path), str(out)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout == "interrupted\n", done.stdout + done.stderr
    assert done.stderr == "", done.stderr
    assert_no_partial_result(out)
    rerun = run_sweep(load_experiment(path), out, LocalBackend(1), progress=False)
    assert 2 <= rerun.n_done_before < LONG_RUNS
    assert_complete_and_same(out, reference, LONG_RUNS)


def test_workers_dying_past_the_limit_stop_the_sweep_in_one_line_and_a_rerun_completes(
    long_experiment, tmp_path, monkeypatch
):
    path, reference = long_experiment
    args = ["sweep", path, "--workers", "2", "--batch-size", "1", "--quiet"]
    args += ["--out", tmp_path / "out"]
    with monkeypatch.context() as m:
        m.setattr(sweep_module, "MAX_POOL_RESTARTS", 0)
        kill_a_worker_after(m, batches=2)
        code, out, err = cli(*args)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert err.startswith("outlast sweep: error: worker processes died 1 times")
    assert err.endswith("run the same command again to resume\n")
    assert_no_partial_result(tmp_path / "out")
    kept = len(SweepStore(tmp_path / "out").finished_run_ids())
    assert 2 <= kept < LONG_RUNS
    code, out, err = cli(*args)
    assert code == 0, err
    assert f"{LONG_RUNS - kept} run now, {kept} found finished" in out
    assert_complete_and_same(tmp_path / "out", reference, LONG_RUNS)


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_finished_tables_removed_or_damaged_are_rebuilt_by_a_rerun(experiment, tmp_path, damage):
    path, reference = experiment
    out = tmp_path / "out"
    exp = load_experiment(path)
    run_sweep(exp, out, LocalBackend(1), progress=False)
    results = out / "results.parquet"
    if damage == "delete":
        results.unlink()
    else:
        results.write_bytes(results.read_bytes()[:64])
    code, _, err = cli("report", out)
    assert code == 2 and "cannot read the results" in err
    done = run_sweep(exp, out, LocalBackend(1), progress=False)
    assert done.n_run_now == N_RUNS
    assert_complete_and_same(out, reference)


def test_overwriting_a_sweep_removes_a_symbolic_link_in_it_not_what_it_points_to(
    experiment, tmp_path
):
    path, _ = experiment
    out = tmp_path / "out"
    exp = load_experiment(path)
    run_sweep(load_experiment(path, seeds=1), out, LocalBackend(1), progress=False)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.csv").write_text("keep")
    (out / "notes").symlink_to(precious)
    run_sweep(exp, out, LocalBackend(1), overwrite=True, progress=False)
    assert not (out / "notes").exists()
    assert (precious / "data.csv").read_text() == "keep"


def test_ctrl_c_stops_a_sweep_in_one_line_and_a_rerun_completes(experiment, tmp_path):
    path, _ = experiment
    out = tmp_path / "out"
    # 200 runs: enough that the sweep cannot finish between the second part and the Ctrl-C.
    command = [Path(sys.executable).parent / "outlast", "sweep", path, "--seeds", "100"]
    command += ["--out", out, "--workers", "2", "--batch-size", "1", "--quiet"]
    # Its own session, as a terminal's foreground job: Ctrl-C reaches the pool's workers too.
    # And SIGINT at its default, as in a terminal: when the tests run as a background job
    # (`pytest &`) they inherit SIGINT ignored, and so would the sweep.
    sweep = subprocess.Popen(
        [sys.executable, "-c", EXEC_WITH_DEFAULT_SIGINT, *map(str, command)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while sweep.poll() is None and len(list(out.glob("parts/results-*"))) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(sweep.pid, signal.SIGINT)
    stdout, err = sweep.communicate(timeout=60)
    assert sweep.returncode == 130, err
    assert stdout == "" and err.count("\n") == 1, err
    assert err.startswith("outlast sweep: interrupted; finished runs are kept in")
    assert_no_partial_result(out)
    kept = len(SweepStore(out).finished_run_ids())
    assert 2 <= kept < 200
    code, stdout, err = cli(*command[1:])
    assert code == 0, err
    assert f"{200 - kept} run now, {kept} found finished" in stdout
    results, weekly = tables(out)
    assert results["run_id"].tolist() == list(range(200))
    assert not weekly.duplicated(["run_id", "week"]).any()


def test_workers_compiling_into_an_empty_kernel_cache_at_once_give_the_same_results(
    experiment, tmp_path
):
    """A fresh install: both pool workers compile the soldier kernel at the same moment and
    write numba's cache side by side (NUMBA_CACHE_DIR, empty)."""
    path, reference = experiment
    cache = tmp_path / "numba-cache"
    command = [Path(sys.executable).parent / "outlast", "sweep", path, "--out", tmp_path / "out"]
    command += ["--workers", "2", "--batch-size", "1", "--quiet"]
    done = subprocess.run(
        list(map(str, command)),
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert list(cache.rglob("*.nbi"))  # the workers compiled and cached
    assert_complete_and_same(tmp_path / "out", reference)


def test_ctrl_c_during_a_write_takes_effect_once_the_file_is_in_place(tmp_path):
    """Raised inside the writer, a KeyboardInterrupt can land in one of pyarrow's finalizers,
    where Python prints a traceback instead of stopping (seen once in CI's Ctrl-C test)."""
    target = tmp_path / "part.txt"

    def write(tmp: Path) -> None:
        tmp.write_text("half")
        signal.raise_signal(signal.SIGINT)  # Ctrl-C in the middle of the write
        tmp.write_text("whole")

    # SIGINT at its default, as in a terminal (a background job's tests have it ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            outlast.experiments.store.write_atomic(target, write)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert target.read_text() == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["part.txt"]


def test_a_write_with_ctrl_c_ignored_is_not_interrupted(tmp_path):
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as in a background job
    try:
        outlast.experiments.store.write_atomic(
            tmp_path / "part.txt", lambda tmp: (signal.raise_signal(signal.SIGINT), tmp.touch())
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert (tmp_path / "part.txt").exists()
