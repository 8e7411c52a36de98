"""Sweep throughput: 1 against 2 local workers, and the Dask backend against the process pool.

A sweep of the default scenario (`outlast.experiments.engine.run_sweep`, one design point, N seeds) runs on a
local pool of 1 and of 2 workers and on a Dask LocalCluster of 2 single-threaded worker processes
on 127.0.0.1 (started before the clock starts). Wall time, so the machine's other load counts:
the script prints it. The results of every backend are checked to be identical.

    .venv/bin/python benchmarks/sweep_throughput.py [--runs 200] [--weeks 156]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import header, load

from outlast.experiments.design import load_experiment
from outlast.experiments.engine import DaskBackend, LocalBackend, run_sweep

EXPERIMENT = """\
description = "Throughput benchmark: the default scenario, many seeds"
master_seed = 7
seeds = {runs}

[parameters]
horizon_weeks = {weeks}

[design]
kind = "presets"
presets = ["baseline"]

[keep]
final = ["force_active", "stability_index", "elite_loyalty"]
weekly = ["stability_index"]
"""


def cpu_jiffies() -> tuple[int, int] | None:
    """Machine-wide (busy, total) CPU time from /proc/stat, where there is one."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def timed_sweep(exp, out: Path, backend) -> tuple[float, str]:
    """Wall seconds of one sweep on ``backend``, and how busy the whole machine was meanwhile."""
    before = cpu_jiffies()
    start = time.perf_counter()
    outcome = run_sweep(exp, out, backend, progress=False)
    seconds = time.perf_counter() - start
    after = cpu_jiffies()
    if outcome.n_failed:
        raise RuntimeError(f"{outcome.n_failed} runs failed on {backend.describe()}")
    busy = ""
    if before and after and after[1] > before[1]:
        share = (after[0] - before[0]) / (after[1] - before[1])
        busy = f"machine {100 * share:.0f}% busy (all processes)"
    return seconds, busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs in the sweep")
    parser.add_argument("--weeks", type=int, default=156, help="weeks per run")
    args = parser.parse_args()
    header(f"sweep of {args.runs} runs of the default scenario, {args.weeks} weeks each")
    with tempfile.TemporaryDirectory(prefix="outlast-bench-") as tmp:
        root = Path(tmp)
        os.environ["DASK_TEMPORARY_DIRECTORY"] = str(root / "dask")
        path = root / "throughput.toml"
        path.write_text(EXPERIMENT.format(runs=args.runs, weeks=args.weeks), encoding="utf-8")
        exp = load_experiment(path)
        seconds = {}
        for workers in (1, 2):
            name = f"pool-{workers}"
            cpu = time.process_time()
            seconds[name], busy = timed_sweep(exp, root / name, LocalBackend(workers))
            cpu = time.process_time() - cpu
            # One worker runs in this process: its CPU time says how much of a core it got.
            got = (
                f"; {cpu:.1f} s CPU here ({cpu / seconds[name]:.2f} of a core)"
                if workers == 1
                else ""
            )
            print(
                f"local pool, {workers} worker(s): {seconds[name]:.1f} s, "
                f"{args.runs / seconds[name]:.2f} runs/s{got}; {busy}; {load()}"
            )
        from dask.distributed import LocalCluster

        start = time.perf_counter()
        with LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:
            started = time.perf_counter() - start
            backend = DaskBackend(cluster.scheduler_address)
            try:
                seconds["dask-2"], busy = timed_sweep(exp, root / "dask-2", backend)
            finally:
                backend.close()
        print(
            f"dask LocalCluster, 2 workers: {seconds['dask-2']:.1f} s, "
            f"{args.runs / seconds['dask-2']:.2f} runs/s (cluster start {started:.1f} s, not "
            f"counted); {busy}; {load()}"
        )
        results = {
            name: pd.read_parquet(root / name / "results.parquet").sort_values("run_id")
            for name in seconds
        }
        for table in results.values():
            pd.testing.assert_frame_equal(
                table.reset_index(drop=True), results["pool-1"].reset_index(drop=True)
            )
    print(
        f"2 workers / 1 worker throughput: {seconds['pool-1'] / seconds['pool-2']:.2f}x; "
        f"dask / pool (2 workers) time: {seconds['dask-2'] / seconds['pool-2']:.2f} "
        f"(results identical on every backend)"
    )


if __name__ == "__main__":
    main()
