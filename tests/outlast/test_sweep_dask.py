"""A sweep or a validation on a real Dask cluster (scheduler and workers on 127.0.0.1) equals
the local one."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from outlast.analysis import validate as v
from outlast.experiments.design import load_experiment
from outlast.experiments.engine import DaskBackend, LocalBackend, run_sweep
from tests.outlast.test_validate import PROBE, PROBE_REGIONS

EXPERIMENT = """
    seeds = 3
    master_seed = 5
    [parameters]
    n_soldier_agents = 500
    horizon_weeks = 10
    [design]
    kind = "lhs"
    samples = 4
    [design.parameters.western_resolve]
    range = [0.1, 0.9]
    [design.parameters.exile_support]
    range = [0.0, 1.0]
    [keep]
    final = ["stability_index", "elite_loyalty", "war_ended"]
    weekly = ["stability_index", "leader_belief_outlast"]
"""


def start(args: list, log: Path, env: dict) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(procs: list[subprocess.Popen]) -> None:
    """Stop the workers before the scheduler, or they wait to reconnect to it."""
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def cluster(tmp_path):
    """`dask scheduler` and `dask worker` (two processes) on 127.0.0.1; stopped afterwards."""
    dask = str(Path(sys.executable).parent / "dask")
    scratch = str(tmp_path / "dask-tmp")
    env = {**os.environ, "DASK_TEMPORARY_DIRECTORY": scratch}
    scheduler_file = tmp_path / "scheduler.json"
    local = ["--host", "127.0.0.1", "--no-dashboard"]
    procs = [
        start(
            [dask, "scheduler", *local, "--port", "0", "--scheduler-file", str(scheduler_file)],
            tmp_path / "scheduler.log",
            env,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        worker = [
            dask,
            "worker",
            address,
            *local,
            "--nworkers",
            "2",
            "--nthreads",
            "1",
            "--local-directory",
            scratch,
        ]
        procs.insert(0, start(worker, tmp_path / "worker.log", env))
        yield address
    finally:
        stop(procs)


def test_dask_cluster_gives_the_same_results_as_the_local_pool(tmp_path, cluster):
    path = tmp_path / "lhs.toml"
    path.write_text(textwrap.dedent(EXPERIMENT), encoding="utf-8")
    exp = load_experiment(path)
    run_sweep(exp, tmp_path / "local", LocalBackend(1), progress=False)
    backend = DaskBackend(cluster)
    backend.client.wait_for_workers(2, timeout=60)
    try:
        run_sweep(exp, tmp_path / "dask", backend, batch_size=2, progress=False)
    finally:
        backend.close()
    for name in ("results.parquet", "weekly.parquet"):
        local = pd.read_parquet(tmp_path / "local" / name)
        dask = pd.read_parquet(tmp_path / "dask" / name)
        pd.testing.assert_frame_equal(local, dask, check_exact=True)
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][0]["backend"].startswith(f"dask {cluster}")


def test_validate_on_a_dask_cluster_gives_the_same_table_as_the_local_pool(
    tmp_path, cluster, monkeypatch
):
    # Registered here only: workers run scenarios, the checks are evaluated in this process.
    for check in (PROBE, PROBE_REGIONS):
        monkeypatch.setitem(v.CHECKS, check.name, check)
    names = [PROBE.name, PROBE_REGIONS.name]
    local = v.validate(seeds=3, names=names, master_seed=3, out=tmp_path / "local")
    backend = DaskBackend(cluster)
    backend.client.wait_for_workers(2, timeout=60)
    try:
        dask = v.validate(
            seeds=3, names=names, master_seed=3, backend=backend, out=tmp_path / "dask"
        )
    finally:
        backend.close()
    pd.testing.assert_frame_equal(local, dask, check_exact=True)
    for name in ("results.parquet", "weekly.parquet", "regions.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "local" / name),
            pd.read_parquet(tmp_path / "dask" / name),
            check_exact=True,
        )
