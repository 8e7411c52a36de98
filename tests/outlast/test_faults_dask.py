"""Dask workers lost mid-sweep: the sweep goes on while one is left, stops in one line when none
is, and a rerun completes with every run present once. A cluster with no worker is refused.

A real cluster on 127.0.0.1: `dask scheduler` and two `dask worker --no-nanny` processes (no
nanny, so a killed worker stays dead, as when its machine goes away).
"""

import contextlib
import io
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

from outlast.cli import main
from outlast.experiments import engine as sweep_module
from outlast.experiments.design import load_experiment
from outlast.experiments.engine import LocalBackend, run_sweep
from outlast.experiments.store import SweepStore
from tests.outlast.test_faults import EXPERIMENT, assert_no_partial_result, tables
from tests.outlast.test_sweep_dask import start, stop

N_RUNS = 10


def cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def wait_for(predicate, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_lost_dask_workers(tmp_path, monkeypatch, record_property):
    path = tmp_path / "faults.toml"
    path.write_text(EXPERIMENT.replace("seeds = 3", "seeds = 5"))
    exp = load_experiment(path)
    reference = tmp_path / "reference"
    run_sweep(exp, reference, LocalBackend(1), progress=False)

    dask = str(Path(sys.executable).parent / "dask")
    scratch = tmp_path / "dask-tmp"
    env = {**os.environ, "DASK_TEMPORARY_DIRECTORY": str(scratch)}
    local = ["--host", "127.0.0.1", "--no-dashboard"]
    scheduler_file = tmp_path / "scheduler.json"
    procs = [
        start(
            [dask, "scheduler", *local, "--port", "0", "--scheduler-file", str(scheduler_file)],
            tmp_path / "scheduler.log",
            env,
        )
    ]
    try:
        wait_for(scheduler_file.exists)
        address = json.loads(scheduler_file.read_text())["address"]
        out = tmp_path / "out"
        sweep = ["sweep", path, "--scheduler", address, "--batch-size", "1", "--quiet"]

        # A scheduler with no worker: refused after the wait, in one line, nothing written.
        monkeypatch.setattr(sweep_module, "DASK_WORKER_WAIT_S", 1.0)
        began = time.monotonic()
        code, _, err = cli(*sweep, "--out", out)
        waited = time.monotonic() - began
        assert code == 2 and err.count("\n") == 1, err
        assert f"the Dask scheduler at '{address}' has no worker (waited 1 s)" in err
        assert waited < 10 and not out.exists()
        record_property("no_worker_refused_after_s", round(waited, 2))

        worker = [dask, "worker", address, *local, "--no-nanny", "--nthreads", "1"]
        worker += ["--local-directory", str(scratch)]
        workers = [start(worker, tmp_path / f"worker{i}.log", env) for i in range(2)]
        procs = workers + procs
        from distributed import Client

        with Client(address, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=90)

        # Kill one worker after two batches are stored, the other after four.
        original = SweepStore.write_batch
        stored: list[float] = []
        kills: list[float] = []

        def write_then_kill(self, *frames):
            original(self, *frames)
            stored.append(time.monotonic())
            if len(stored) in (2, 4):
                os.kill(workers[len(kills)].pid, signal.SIGKILL)
                kills.append(time.monotonic())

        monkeypatch.setattr(SweepStore, "write_batch", write_then_kill)
        monkeypatch.setattr(sweep_module, "DASK_WORKER_WAIT_S", 3.0)
        code, _, err = cli(*sweep, "--out", out)
        ended = time.monotonic()
        monkeypatch.setattr(SweepStore, "write_batch", original)
        # One worker lost: its batch ran again on the other, and the sweep went on.
        assert len(kills) == 2 and any(kills[0] < t < kills[1] for t in stored)
        # Both lost: the sweep stopped within the wait, in one line that says to rerun.
        assert code == 1 and err.count("\n") == 1, err
        assert "has had no worker for 3 s" in err and "run the same command again" in err
        assert 3.0 <= ended - kills[1] < 15.0
        after_first = [t for t in stored if t > kills[0]]
        record_property("first_result_after_one_worker_lost_s", round(after_first[0] - kills[0], 2))
        record_property("stopped_after_last_worker_lost_s", round(ended - kills[1], 2))
        assert_no_partial_result(out)
        kept = len(SweepStore(out).finished_run_ids())
        assert 4 <= kept < N_RUNS
        record_property("runs_kept_before_rerun", kept)

        # The rerun, here on the local pool, completes with every run once and the same numbers.
        code, stdout, err = cli("sweep", path, "--out", out, "--workers", "1", "--quiet")
        assert code == 0, err
        assert f"{N_RUNS - kept} run now, {kept} found finished" in stdout
        results, weekly = tables(out)
        assert results["run_id"].tolist() == list(range(N_RUNS))
        assert not weekly.duplicated(["run_id", "week"]).any()
        for mine, theirs in zip((results, weekly), tables(reference), strict=True):
            assert mine.equals(theirs)
    finally:
        stop(procs)


def test_an_unreachable_scheduler_is_reported_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "faults.toml"
    path.write_text(EXPERIMENT)
    began = time.monotonic()
    code, _, err = cli("sweep", path, "--scheduler", f"tcp://127.0.0.1:{port}")
    assert code == 2 and "cannot reach the Dask scheduler" in err and "refused" in err
    assert time.monotonic() - began < 5.0
