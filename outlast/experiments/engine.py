"""Sweeps: an experiment's runs, batched, on a local process pool or a Dask cluster.

Each run is a pure function of its Scenario and seed (`outlast.experiments.runner.run_simulation`), so the
results are the same whatever the backend, the number of workers, the batch size and the order
in which batches finish. Only this process writes to the output directory: workers return their
batches' tables, which are stored as they arrive (`outlast.experiments.store.SweepStore`). Rerunning the same
command after an interruption, even ``kill -9``, runs only the runs that are missing.

It is the one engine: ``outlast validate`` and the coup-share check build ``scenarios``
experiments and run them here too (`run_and_read`), then compute their statistics from the stored
runs in the calling process.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from model.scenario import Scenario
from outlast.exit_codes import EXIT_INTERRUPTED
from outlast.experiments.allocator import keep_large_blocks_on_the_heap
from outlast.experiments.design import Experiment, ExperimentError
from outlast.experiments.runner import RunResult, run_simulation
from outlast.experiments.store import (
    STORE_NAMES,
    StoredRuns,
    SweepStore,
    output_dir_problem,
    provenance,
    read_manifest,
    scenario_sha256,
)

#: Most runs per task: enough to make a Dask task's overhead small, few enough to keep progress
#: and resumption fine-grained.
MAX_BATCH_RUNS = 50
#: Tasks per worker aimed at when choosing a batch size, so that workers finish close together.
TASKS_PER_WORKER = 4


#: Times a local pool is restarted after one of its processes dies (the kernel's OOM killer, an
#: operator's kill) before the sweep stops; the unfinished batches run again on the new pool.
MAX_POOL_RESTARTS = 3
#: Longest wait for a Dask cluster to have a worker: when connecting, and during a sweep after
#: the last worker is lost, before the sweep stops with a message (it would otherwise wait forever).
DASK_WORKER_WAIT_S = 60.0
#: How often a sweep on Dask with no result arriving checks that the cluster still has workers.
DASK_POLL_S = 0.5
#: How long a TCP connection to a scheduler may take before it counts as unreachable.
CONNECT_TIMEOUT_S = 5.0


class WorkerLost(RuntimeError):
    """A worker or the cluster failed (not a run: a run's own error is recorded as data)."""


@dataclass(frozen=True)
class RunTask:
    """One run to do: its id, its seed and its scenario."""

    run_id: int
    seed: int
    scenario: Scenario


@dataclass
class BatchResult:
    """What a worker returns for a batch: results and weekly rows, region rows if kept."""

    results: pd.DataFrame
    weekly: pd.DataFrame
    regions: pd.DataFrame | None = None


#: What a run keeps: final metrics, weekly metrics, and whether its region table is kept.
Keep = tuple[list[str], list[str], bool]


def run_batch(
    tasks: list[RunTask],
    keep_final: list[str],
    keep_weekly: list[str],
    keep_regions: bool = False,
) -> BatchResult:
    """Run a batch of runs; a run that raises is recorded as failed and the batch goes on.

    Args:
        tasks: The runs.
        keep_final: Metrics kept from each run's last week.
        keep_weekly: Metrics kept for every week.
        keep_regions: Keep each run's region table (deaths, recruits, unrest... by region).

    Returns:
        Results (run_id, scenario_sha256, the final metrics, outcome, outcome_week, weeks_run,
        status, error), weekly rows (run_id, week, the weekly metrics) and, if kept, region rows
        (run_id and the columns of `OutlastModel.region_table`).

    """
    keep_large_blocks_on_the_heap()  # in Dask workers: see outlast/experiments/allocator.py
    kept = []
    for task in tasks:
        try:
            result: RunResult | Exception = run_simulation(task.scenario, task.seed)
        except Exception as exc:  # a failed run is data, not the end of a sweep
            result = exc
        kept.append(kept_tables(task, result, (keep_final, keep_weekly, keep_regions)))
    return join_batches(kept, (keep_final, keep_weekly, keep_regions))


@dataclass
class KeptRun:
    """What a sweep keeps of one run: its results row, weekly rows and region rows (or None)."""

    row: dict[str, Any]
    weekly: pd.DataFrame | None
    regions: pd.DataFrame | None


def kept_tables(task: RunTask, result: RunResult | Exception, keep: Keep) -> KeptRun:
    """What a sweep keeps of one run (or of its failure).

    The one place a run's result becomes stored rows: sweeps and ``outlast rerun`` both use it,
    so a rerun compares like with like.
    """
    keep_final, keep_weekly, keep_regions = keep
    row: dict[str, Any] = {"run_id": task.run_id, "scenario_sha256": scenario_sha256(task.scenario)}
    weekly = regions = None
    if isinstance(result, Exception):
        row.update(dict.fromkeys(keep_final, np.nan))
        row.update(outcome=None, outcome_week=-1, weeks_run=-1, status="failed")
        row["error"] = f"{type(result).__name__}: {result}"
    else:
        last = result.weekly.iloc[-1]
        row.update({m: float(last[m]) for m in keep_final})
        row.update(
            outcome=str(result.summary["outcome"]),
            outcome_week=int(result.summary["outcome_week"]),
            weeks_run=int(result.summary["weeks_run"]),
            status="ok",
            error=None,
        )
        weekly = result.weekly[["week", *keep_weekly]].astype(float)
        weekly.insert(0, "run_id", task.run_id)
        if keep_regions:
            regions = result.regions.copy()
            regions.insert(0, "run_id", task.run_id)
    return KeptRun(row, weekly, regions)


def join_batches(runs: list[KeptRun], keep: Keep) -> BatchResult:
    """The runs' kept tables (from `kept_tables`) as one batch, with the store's column types."""
    keep_final, keep_weekly, keep_regions = keep
    columns = [
        "run_id",
        "scenario_sha256",
        *keep_final,
        "outcome",
        "outcome_week",
        "weeks_run",
        "status",
        "error",
    ]
    results = pd.DataFrame([run.row for run in runs], columns=columns)
    results = results.astype({"run_id": "int64", "outcome_week": "int64", "weeks_run": "int64"})
    results = results.astype(dict.fromkeys(keep_final, "float64"))
    weeks = [run.weekly for run in runs if run.weekly is not None]
    if weeks:
        weekly = pd.concat(weeks, ignore_index=True)
    else:
        weekly = pd.DataFrame(columns=["run_id", "week", *keep_weekly], dtype="float64")
    weekly = weekly.astype({"run_id": "int64", "week": "int64"})
    if not keep_regions:
        return BatchResult(results, weekly)
    regions = [run.regions for run in runs if run.regions is not None]
    if not regions:  # every run failed: an empty part, as compacting expects one per batch
        return BatchResult(results, weekly, pd.DataFrame({"run_id": pd.Series(dtype="int64")}))
    return BatchResult(results, weekly, pd.concat(regions, ignore_index=True))


class Backend(Protocol):
    """Where batches run: yields each batch's result as it finishes, in any order."""

    workers: int

    def run(self, batches: list[list[RunTask]], keep: Keep) -> Iterator[BatchResult]:
        """Run every batch, yielding results as they finish."""
        ...

    def close(self) -> None:
        """Release the workers."""
        ...

    def describe(self) -> str:
        """One line for the manifest."""
        ...


def leave_quietly_on_ctrl_c(interrupted: Any) -> None:
    """In a pool worker: on Ctrl-C (SIGINT), set ``interrupted`` and end at once, quietly.

    A terminal sends Ctrl-C to the whole process group. A worker waiting for its next batch
    would otherwise print the traceback of its interrupted wait, and a busy one would send its
    KeyboardInterrupt back as its batch's result. The coordinating process stops the sweep on its
    own KeyboardInterrupt or, should it not see one, on finding ``interrupted`` set when the pool
    breaks (`LocalBackend`), and reports it in one line. Where SIGINT is ignored (a background
    job) it stays ignored.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return

    def leave(_signum: int, _frame: Any) -> None:
        interrupted.set()
        os._exit(EXIT_INTERRUPTED)

    signal.signal(signal.SIGINT, leave)


class LocalBackend:
    """A pool of local processes; with one worker the runs happen in this process.

    The pool forks its workers from a server that has already imported the model, so a worker
    starts in milliseconds rather than re-importing Mesa and pandas.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(self, batches: list[list[RunTask]], keep: Keep) -> Iterator[BatchResult]:
        """Run every batch, yielding results as they finish."""
        if self.workers == 1:
            for batch in batches:
                yield run_batch(batch, *keep)
            return
        pending = dict(enumerate(batches))
        for restart in range(MAX_POOL_RESTARTS + 1):
            if restart:
                runs = sum(len(batch) for batch in pending.values())
                print(
                    f"outlast sweep: warning: a worker process died; restarting the pool for the "
                    f"{runs} unfinished runs (restart {restart} of {MAX_POOL_RESTARTS})",
                    file=sys.stderr,
                )
            yield from self._pool_pass(pending, keep)
            if not pending:
                return
        raise WorkerLost(
            f"worker processes died {MAX_POOL_RESTARTS + 1} times (out of memory, or killed?)"
        )

    def _pool_pass(self, pending: dict[int, list[RunTask]], keep: Keep) -> Iterator[BatchResult]:
        """Run the pending batches on a new pool, removing each from `pending` as it is yielded.

        A worker that dies breaks the pool: every batch not yet finished stays pending. A worker
        ended by Ctrl-C stops the sweep (KeyboardInterrupt), whether or not this process saw it.
        """
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["outlast.experiments.engine"])
        interrupted = context.Event()
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=leave_quietly_on_ctrl_c,
            initargs=(interrupted,),
        )
        try:
            futures = {pool.submit(run_batch, batch, *keep): i for i, batch in pending.items()}
            for future in as_completed(futures):
                if isinstance(future.exception(), BrokenProcessPool):
                    if interrupted.is_set():  # Ctrl-C: a stop, not a worker to replace
                        raise KeyboardInterrupt
                    continue
                result = future.result()
                del pending[futures[future]]
                yield result
        finally:
            # On an error or Ctrl-C in the caller, do not wait for the batches not yet started.
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Nothing to release: the pool closes when `run` ends."""

    def describe(self) -> str:
        """For the manifest."""
        return f"local process pool, {self.workers} worker(s)"


class DaskBackend:
    """A Dask distributed cluster reached through its scheduler's address.

    Args:
        address: The scheduler's address, tcp://HOST:PORT.
        worker_wait_s: Longest wait for the cluster to have a worker, when connecting and after
            the last one is lost mid-sweep (default `DASK_WORKER_WAIT_S`).

    Raises:
        ExperimentError: If Dask is missing, the address is malformed or unreachable, or the
            cluster has no worker within `worker_wait_s`.

    """

    def __init__(self, address: str, worker_wait_s: float | None = None) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ExperimentError(
                "--scheduler needs Dask distributed: pip install 'outlast[distributed]'"
            ) from None
        from distributed.comm.addressing import parse_address, parse_host_port

        try:
            scheme, location = parse_address(address)
            host, port = parse_host_port(location)
        except ValueError as exc:
            # Checked first: a Client made from a malformed address fails noisily on cleanup.
            raise ExperimentError(
                f"--scheduler '{address}' is not an address like tcp://HOST:PORT ({exc})"
            ) from None
        if scheme == "tcp":
            # Dask's Client retries a refused connection until its timeout; a socket says at once.
            try:
                socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
            except OSError as exc:
                raise ExperimentError(
                    f"cannot reach the Dask scheduler at '{address}': {exc.strerror or exc}"
                ) from None
        self.address = address
        self.worker_wait_s = DASK_WORKER_WAIT_S if worker_wait_s is None else worker_wait_s
        worker_wait_s = self.worker_wait_s
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExperimentError(
                f"cannot reach the Dask scheduler at '{address}': {exc}"
            ) from None
        try:
            self.client.wait_for_workers(1, timeout=worker_wait_s)
        except TimeoutError:
            self.client.close()
            raise ExperimentError(
                f"the Dask scheduler at '{address}' has no worker (waited {worker_wait_s:g} s); "
                f"start some with `dask worker {address}`"
            ) from None
        self.workers = max(sum(self.client.nthreads().values()), 1)
        self._no_worker_since: float | None = None

    def run(self, batches: list[list[RunTask]], keep: Keep) -> Iterator[BatchResult]:
        """Run every batch as one Dask task, yielding results as they finish.

        Dask reruns the task of a lost worker on another. If every worker is gone for longer
        than `worker_wait_s`, the tasks would wait forever: the sweep stops instead.
        """
        from distributed import as_completed as dask_as_completed
        from distributed.comm import CommClosedError
        from distributed.scheduler import KilledWorker

        # pure=False gives each task a fresh key: two sweeps on one cluster never share results.
        futures = [self.client.submit(run_batch, batch, *keep, pure=False) for batch in batches]
        finished = dask_as_completed(futures, loop=self.client.loop)
        self._no_worker_since = None
        try:
            while not finished.is_empty():
                ready = finished.next_batch(block=False)
                for future in ready:
                    yield self._result(future)
                if not ready:
                    self._check_workers()
                    time.sleep(DASK_POLL_S)
        except (KilledWorker, CommClosedError, OSError, CancelledError) as exc:
            raise WorkerLost(f"the Dask cluster failed ({type(exc).__name__}: {exc})") from None

    def _result(self, future: Any) -> BatchResult:
        """A finished task's result, waiting while the cluster has a worker.

        If the task's worker died before its result was fetched, Dask computes it again
        elsewhere: wait for that as for any task, watching for a cluster with no worker.
        """
        while True:
            try:
                return future.result(timeout=DASK_POLL_S)
            except TimeoutError:
                self._check_workers()

    def _check_workers(self) -> None:
        """Stop the sweep once the cluster has had no worker for `worker_wait_s`."""
        if self.client.nthreads():
            self._no_worker_since = None
        elif self._no_worker_since is None:
            self._no_worker_since = time.monotonic()
        elif time.monotonic() - self._no_worker_since > self.worker_wait_s:
            raise WorkerLost(
                f"the Dask cluster at '{self.address}' has had no worker for "
                f"{self.worker_wait_s:g} s"
            )

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()

    def describe(self) -> str:
        """For the manifest."""
        return f"dask {self.address}, {self.workers} thread(s)"


def batch_size_for(n_runs: int, workers: int) -> int:
    """Runs per task: about `TASKS_PER_WORKER` tasks per worker, at most `MAX_BATCH_RUNS`."""
    return max(1, min(MAX_BATCH_RUNS, math.ceil(n_runs / (workers * TASKS_PER_WORKER))))


def make_batches(tasks: list[RunTask], size: int) -> list[list[RunTask]]:
    """Consecutive runs in batches of `size` (the last may be smaller)."""
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


@dataclass
class SweepOutcome:
    """What a sweep did: runs in total, run before, run now, failed; where the results are."""

    n_runs: int
    n_done_before: int
    n_run_now: int
    n_failed: int
    out: Path


def check_output_dir(out: Path, exp: Experiment, overwrite: bool) -> bool:
    """Decide what to do with the output directory before anything is written.

    Returns:
        True if the directory holds this experiment's earlier (possibly finished) results.

    Raises:
        ExperimentError: If the path is a file, not writable, or holds something else.

    """
    problem = output_dir_problem(out)
    if problem:
        raise ExperimentError(problem)
    if not out.is_dir() or SweepStore(out).is_blank():
        return False
    for name in STORE_NAMES:
        if (out / name).is_symlink():
            raise ExperimentError(
                f"'{out / name}' is a symbolic link; a sweep writes only inside its output "
                "directory (remove the link or choose another --out)"
            )
    previous = read_manifest(out)
    if previous is None or previous.get("kind") != "sweep":
        raise ExperimentError(
            f"output directory '{out}' is not empty and holds no sweep; choose another --out"
        )
    same = previous["experiment"]["sha256"] == exp.sha256 and previous["seeds"] == exp.seeds
    if not same and not overwrite:
        raise ExperimentError(
            f"output directory '{out}' holds another experiment ('{previous['name']}', "
            f"sha256 {previous['experiment']['sha256'][:12]}, {previous['seeds']} seeds); "
            "use --overwrite to replace it or --out to choose another"
        )
    return same


def new_manifest(exp: Experiment) -> dict[str, Any]:
    """The manifest of a new sweep: the experiment, its design and where it was run."""
    design = exp.spec.design
    return {
        "kind": "sweep",
        "name": exp.name,
        "experiment": {"file": str(exp.path), "sha256": exp.sha256, "content": exp.text},
        "design": {
            "kind": design.kind,
            "parameters": exp.design_parameters,
            "samples": design.samples,
            "morris_levels": design.morris_levels,
            "salib_problem": exp.salib_problem(),
            "n_points": len(exp.points),
            **({"robustness": exp.robustness} if exp.robustness is not None else {}),
        },
        "seeds": exp.seeds,
        "master_seed": exp.spec.master_seed,
        "n_runs": len(exp.runs),
        "keep": {"final": exp.keep_final, "weekly": exp.keep_weekly, "regions": exp.keep_regions},
        "complete": False,
        "sessions": [],
        **provenance(),
    }


def run_sweep(
    exp: Experiment,
    out: Path,
    backend: Backend,
    batch_size: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> SweepOutcome:
    """Run the experiment's missing runs on `backend`, store them, and compact when all are done.

    Args:
        exp: The validated experiment.
        out: Its output directory.
        backend: Where the runs happen.
        batch_size: Runs per task; by default about four tasks per worker, at most 50 runs.
        overwrite: Replace a directory that holds another experiment.
        progress: Show a progress bar (runs done, rate, time left) on stderr.

    Returns:
        What was run.

    Raises:
        ExperimentError: If the output directory is unusable or another sweep writes to it.

    """
    resume = check_output_dir(out, exp, overwrite)
    store = SweepStore(out)
    try:
        store.lock()
    except BlockingIOError:
        raise ExperimentError(f"another `outlast sweep` is writing to '{out}'") from None
    try:
        return _run_locked(exp, store, resume, backend, batch_size, progress)
    finally:
        store.unlock()


def run_and_read(
    exp: Experiment,
    out: Path | None,
    backend: Backend,
    overwrite: bool = False,
    progress: bool = False,
) -> tuple[SweepOutcome, StoredRuns]:
    """Run (or resume) an experiment with `run_sweep` and read back its tables.

    For callers that compute statistics from the runs (``outlast validate``, the politics
    checks) rather than keep a sweep.

    Args:
        exp: The validated experiment.
        out: Its output directory; None for a temporary one, removed once read.
        backend: Where the runs happen.
        overwrite: Replace a directory that holds another experiment.
        progress: Show a progress bar on stderr.

    Returns:
        What was run, and the tables of every run.

    """
    if out is not None:
        done = run_sweep(exp, out, backend, overwrite=overwrite, progress=progress)
        return done, SweepStore(out).read(exp.keep_regions)
    with tempfile.TemporaryDirectory(prefix=f"outlast-{exp.name}-") as tmp:
        done = run_sweep(exp, Path(tmp), backend, progress=progress)
        return done, SweepStore(Path(tmp)).read(exp.keep_regions)


def _run_locked(
    exp: Experiment,
    store: SweepStore,
    resume: bool,
    backend: Backend,
    batch_size: int | None,
    progress: bool,
) -> SweepOutcome:
    manifest = read_manifest(store.root) if resume else None
    if manifest is None:
        store.clear()
        manifest = new_manifest(exp)
    n_runs = len(exp.runs)
    if manifest["complete"] and store.compacted(n_runs, exp.keep_regions):
        store.remove_parts()
        return SweepOutcome(n_runs, n_runs, 0, manifest["runs_failed"], store.root)
    # A finished sweep whose tables were removed or damaged since runs again from its parts.
    manifest["complete"] = False
    _add_session(manifest, backend)
    store.write_manifest(manifest)
    if not store.has_scenarios():  # after the manifest: a directory with one is a sweep's
        store.write_scenarios(exp.scenarios)
    done, run_now = _run_missing(exp, store, backend, batch_size, progress)
    results = store.compact(n_runs, exp.keep_regions)
    manifest.update(
        complete=True,
        finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        runs_ok=int((results["status"] == "ok").sum()),
        runs_failed=int((results["status"] == "failed").sum()),
    )
    store.write_manifest(manifest)
    store.remove_parts()
    return SweepOutcome(n_runs, done, run_now, manifest["runs_failed"], store.root)


def _add_session(manifest: dict[str, Any], backend: Backend) -> None:
    """Record this invocation; warn if it resumes results made by other code."""
    session = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "backend": backend.describe(),
        **provenance(),
    }
    if manifest["sessions"] and session["git_commit"] != manifest["git_commit"]:
        print(
            f"outlast sweep: warning: resuming results of commit {manifest['git_commit']} "
            f"with commit {session['git_commit']}; the manifest records both",
            file=sys.stderr,
        )
    manifest["sessions"].append(session)


def _run_missing(
    exp: Experiment,
    store: SweepStore,
    backend: Backend,
    batch_size: int | None,
    progress: bool,
) -> tuple[int, int]:
    """Run the runs with no stored results; returns (runs found finished, runs run now)."""
    from tqdm import tqdm

    done = set(store.finished_run_ids())
    todo = exp.runs[~exp.runs["run_id"].isin(done)]
    tasks = [
        RunTask(int(r.run_id), int(r.seed), exp.scenarios[int(r.point_id)])
        for r in todo.itertuples(index=False)
    ]
    size = batch_size or batch_size_for(len(tasks), backend.workers)
    labels = exp.runs.merge(exp.points, on="point_id")
    point_of_run = exp.runs[["run_id", "point_id"]]
    bar = tqdm(
        total=len(exp.runs),
        initial=len(done),
        unit="run",
        desc=exp.name,
        disable=not progress,
        dynamic_ncols=True,
    )
    with bar:
        keep = (exp.keep_final, exp.keep_weekly, exp.keep_regions)
        for batch in backend.run(make_batches(tasks, size), keep):
            results = labels.merge(batch.results, on="run_id", validate="one_to_one")
            weekly = batch.weekly.merge(point_of_run, on="run_id")
            regions = None
            if batch.regions is not None:
                regions = batch.regions.merge(point_of_run, on="run_id")
                regions = regions[["run_id", "point_id", *batch.regions.columns.drop("run_id")]]
            store.write_batch(
                results, weekly[["run_id", "point_id", "week", *exp.keep_weekly]], regions
            )
            bar.update(len(results))
    return len(done), len(tasks)


def make_backend(workers: int | None, scheduler: str | None) -> LocalBackend | DaskBackend:
    """The Dask backend if a scheduler is given, else a local pool (one worker per CPU)."""
    if scheduler is not None:
        return DaskBackend(scheduler)
    return LocalBackend(workers or available_cpus())


def available_cpus() -> int:
    """CPUs this process may use (its affinity where the OS tells, else all)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_output(exp: Experiment, seeds_override: int | None) -> Path:
    """runs/output/<name>, or <name>-seedsN when the seeds are overridden."""
    suffix = f"-seeds{seeds_override}" if seeds_override is not None else ""
    return Path("runs/output") / f"{exp.name}{suffix}"
