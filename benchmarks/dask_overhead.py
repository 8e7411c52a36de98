"""Dask's cost per task on a LocalCluster of 2, 4 and 8 workers: tiny tasks and real runs.

For each cluster size, a LocalCluster of single-threaded worker processes on 127.0.0.1 (its
temporary files under DASK_TEMPORARY_DIRECTORY, a fresh directory removed at the end), started
and warmed (each worker runs a small model: numba loads its compiled loops) before any clock:

- **tiny tasks**: ``--tiny`` tasks that return their argument, submitted at once (``client.map``)
  and gathered: wall seconds per task, i.e. the scheduler's throughput ceiling; and the round
  trip of one task submitted and awaited alone (``--trips`` times, median).
- **real runs**: ``--runs`` runs of the default scenario (156 weeks) through the experiment
  engine's own task (`outlast.experiments.engine.run_batch`), in batches of 1 and of ``--batch``
  runs per task. Each task times itself (CPU and wall inside the worker); the overhead per task
  is the wall time the cluster took beyond the tasks' own wall time, spread over the workers
  that could run at once (``min(workers, cores)``). Also printed: the bytes of a task's result
  (the pickled `BatchResult`: what crosses the network) and what writing it costs the
  coordinating process (`SweepStore.write_batch`, two Parquet files a batch here, three with
  region tables). The overhead is (wall x tasks at once - the tasks' own wall) / tasks, with the
  tasks' own wall time measured inside them: on a loaded machine it is a rough figure, and the
  tiny tasks' time is the cleaner measure of the scheduler.

Wall times on a shared machine: the load is printed beside each figure. With more workers than
cores the workers share the cores, which is the point of measuring 4 and 8 here: the scheduler
and the coordinating process compete with them, as they would on a busy cluster node.

    .venv/bin/python benchmarks/dask_overhead.py [--workers 2 4 8] [--tiny 2000] [--runs 16]
        [--batch 4]
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _common import header, load

from model.scenario import make_scenario
from outlast.experiments.engine import RunTask, run_batch
from outlast.experiments.store import SweepStore

#: What each run keeps, as benchmarks/sweep_throughput.py's experiment does.
KEEP_FINAL = ["force_active", "stability_index", "elite_loyalty"]
KEEP_WEEKLY = ["stability_index"]


def echo(x: int) -> int:
    """A task that does nothing: what is left is the scheduler's and the network's cost."""
    return x


def warm() -> None:
    """Load the compiled loops in a worker (numba's cache), as a sweep's first task would."""
    from model.model import OutlastModel

    OutlastModel(rng=0, n_soldier_agents=2_000, horizon_weeks=2).run_model()


def timed_batch(tasks: list[RunTask]) -> tuple[object, float, float]:
    """`run_batch` of the engine, with its own CPU and wall seconds inside the worker."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_batch(tasks, KEEP_FINAL, KEEP_WEEKLY, False)
    return result, time.process_time() - cpu, time.perf_counter() - wall


def tiny_tasks(client, n: int, trips: int) -> tuple[float, float]:
    """Wall seconds per task of ``n`` tiny tasks at once, and the median lone round trip."""
    start = time.perf_counter()
    client.gather(client.map(echo, range(n), pure=False))
    per_task = (time.perf_counter() - start) / n
    rounds = []
    for k in range(trips):
        start = time.perf_counter()
        client.submit(echo, k, pure=False).result()
        rounds.append(time.perf_counter() - start)
    return per_task, statistics.median(rounds)


def real_runs(client, runs: int, batch: int, workers: int, store_root: Path) -> dict[str, float]:
    """``runs`` default runs in tasks of ``batch``: wall, the tasks' own time, the overhead."""
    scenario = make_scenario({})
    tasks = [RunTask(run_id=i, seed=1 + i, scenario=scenario) for i in range(runs)]
    batches = [tasks[i : i + batch] for i in range(0, runs, batch)]
    start = time.perf_counter()
    outputs = client.gather([client.submit(timed_batch, b, pure=False) for b in batches])
    wall = time.perf_counter() - start
    inside_wall = sum(o[2] for o in outputs)
    inside_cpu = sum(o[1] for o in outputs)
    # Each worker runs its tasks one after another, so with the tasks spread evenly the wall
    # time is (tasks per worker) x (a task's own wall time + the overhead). A task's own wall
    # time counts the time it waited for a core shared with other workers (and other load).
    at_once = min(workers, len(batches))
    overhead = (wall * at_once - inside_wall) / len(batches)
    sizes = [len(pickle.dumps(o[0], protocol=pickle.HIGHEST_PROTOCOL)) for o in outputs]
    store = SweepStore(store_root)
    store.parts.mkdir(parents=True, exist_ok=True)
    writes = []
    for result, _, _ in outputs:
        results = result.results.assign(point_id=0)
        weekly = result.weekly.assign(point_id=0)[["run_id", "point_id", "week", *KEEP_WEEKLY]]
        t = time.perf_counter()
        store.write_batch(results, weekly)
        writes.append(time.perf_counter() - t)
    shutil.rmtree(store_root)
    return {
        "tasks": len(batches),
        "wall_s": wall,
        "runs_per_s": runs / wall,
        "cpu_per_run_s": inside_cpu / runs,
        "wall_per_run_inside_s": inside_wall / runs,
        "overhead_per_task_s": overhead,
        "result_bytes_per_run": sum(sizes) / runs,
        "write_per_batch_s": statistics.median(writes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--tiny", type=int, default=2000, help="tiny tasks per cluster")
    parser.add_argument("--trips", type=int, default=50, help="lone round trips per cluster")
    parser.add_argument("--runs", type=int, default=16, help="real runs per batch size")
    parser.add_argument("--batch", type=int, default=4, help="runs per task, besides 1")
    args = parser.parse_args()
    header(f"Dask LocalCluster overhead per task; {os.cpu_count()} cores")
    tmp = Path(tempfile.mkdtemp(prefix="outlast-dask-"))
    os.environ["DASK_TEMPORARY_DIRECTORY"] = str(tmp / "dask")
    import dask
    from dask.distributed import Client, LocalCluster

    dask.config.set({"temporary-directory": str(tmp / "dask")})
    try:
        for workers in args.workers:
            start = time.perf_counter()
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                ) as cluster,
                Client(cluster, set_as_default=False) as client,
            ):
                started = time.perf_counter() - start
                client.run(warm)
                per_task, trip = tiny_tasks(client, args.tiny, args.trips)
                print(
                    f"{workers} workers (cluster start {started:.1f} s): {args.tiny} tiny tasks "
                    f"{per_task * 1e3:.2f} ms a task ({1 / per_task:.0f} tasks/s); a lone round "
                    f"trip {trip * 1e3:.1f} ms (median of {args.trips}); {load()}"
                )
                for batch in sorted({1, args.batch}):
                    r = real_runs(client, args.runs, batch, workers, tmp / f"store-{workers}")
                    print(
                        f"{workers} workers, {args.runs} default runs in {r['tasks']} tasks of "
                        f"{batch}: {r['wall_s']:.1f} s wall, {r['runs_per_s']:.2f} runs/s; "
                        f"inside the tasks {r['cpu_per_run_s'] * 1e3:.0f} ms CPU "
                        f"({r['wall_per_run_inside_s'] * 1e3:.0f} ms wall) a run; overhead "
                        f"{r['overhead_per_task_s'] * 1e3:.0f} ms a task; result "
                        f"{r['result_bytes_per_run'] / 1e3:.1f} kB a run; the store's write "
                        f"{r['write_per_batch_s'] * 1e3:.1f} ms a batch; {load()}"
                    )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
