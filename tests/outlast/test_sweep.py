"""Sweeps: the same results whatever the workers, batches or interruptions; resume; errors."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from outlast.experiments import engine as sweep_module
from outlast.experiments.design import ExperimentError, load_experiment
from outlast.experiments.engine import LocalBackend, RunTask, run_batch, run_sweep
from outlast.experiments.runner import run_simulation
from outlast.experiments.store import SweepStore

EXPERIMENT = """
    preset = "defection_fund"
    seeds = {seeds}
    master_seed = 99
    [parameters]
    n_soldier_agents = {agents}
    horizon_weeks = {weeks}
    [design]
    kind = "grid"
    [design.parameters.defection_payment_usd]
    values = [0, 50000]
    [design.parameters.western_resolve]
    values = [0.2, 0.9]
    [keep]
    final = ["force_active", "surrenders_total", "stability_index", "war_ended"]
    weekly = ["stability_index", "surrenders_week", "unrest"]
"""


def experiment_file(
    tmp_path: Path, seeds: int = 3, agents: int = 500, weeks: int = 12, name: str = "small.toml"
) -> Path:
    path = tmp_path / name
    body = EXPERIMENT.format(seeds=seeds, agents=agents, weeks=weeks)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_parquet(out / "results.parquet"), pd.read_parquet(out / "weekly.parquet")


def assert_same_results(a: Path, b: Path) -> None:
    for left, right in zip(tables(a), tables(b), strict=True):
        pd.testing.assert_frame_equal(left, right, check_exact=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The small experiment run in this process, one run per batch."""
    tmp = tmp_path_factory.mktemp("reference")
    exp = load_experiment(experiment_file(tmp))
    run_sweep(exp, tmp / "out", LocalBackend(1), batch_size=1, progress=False)
    return exp, tmp / "out"


def test_a_sweep_stores_every_run_once_with_its_design_values_and_seed(reference):
    exp, out = reference
    results, weekly = tables(out)
    assert results["run_id"].tolist() == list(range(12))
    assert (results["status"] == "ok").all() and results["error"].isna().all()
    assert results[["point_id", "seed_index", "seed"]].equals(
        exp.runs[["point_id", "seed_index", "seed"]]
    )
    assert set(results.columns) >= {
        "defection_payment_usd",
        "western_resolve",
        "outcome",
        "outcome_week",
        "force_active",
        "war_ended",
    }
    assert list(weekly.columns) == [
        "run_id",
        "point_id",
        "week",
        "stability_index",
        "surrenders_week",
        "unrest",
    ]
    assert not weekly.duplicated(["run_id", "week"]).any()
    assert (weekly.groupby("run_id")["week"].max() == results["weeks_run"]).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["runs_ok"] == 12 and manifest["n_runs"] == 12
    assert manifest["experiment"]["content"] == exp.text
    assert manifest["experiment"]["sha256"] == exp.sha256
    assert manifest["master_seed"] == 99 and manifest["versions"]["mesa"]
    assert not (out / "parts").exists()


def test_any_stored_run_reruns_alone_to_the_same_numbers(reference):
    exp, out = reference
    results, weekly = tables(out)
    row = results.iloc[7]
    alone = run_simulation(exp.scenarios[row.point_id], int(row.seed))
    assert alone.weekly["force_active"].iloc[-1] == row.force_active
    mine = weekly[weekly.run_id == 7]["stability_index"].to_numpy()
    assert (alone.weekly["stability_index"].to_numpy() == mine).all()


def test_two_workers_and_other_batch_sizes_give_bit_identical_results(reference, tmp_path):
    exp, out = reference
    run_sweep(exp, tmp_path / "two", LocalBackend(2), batch_size=5, progress=False)
    assert_same_results(out, tmp_path / "two")


def test_seeds_differ_between_points_so_runs_are_not_copies(reference):
    _, out = reference
    results, _ = tables(out)
    # Same point, different seeds: the runs differ (the model is stochastic and the seeds reach it).
    assert results.groupby("point_id")["stability_index"].nunique().min() > 1


def test_a_failed_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    exp = load_experiment(experiment_file(tmp_path, seeds=2))
    doomed = int(exp.runs.loc[5, "seed"])

    def flaky(scenario, seed, on_week=None):
        if seed == doomed:
            raise RuntimeError("boom")
        return run_simulation(scenario, seed, on_week)

    monkeypatch.setattr(sweep_module, "run_simulation", flaky)
    run_sweep(exp, tmp_path / "out", LocalBackend(1), batch_size=3, progress=False)
    results, weekly = tables(tmp_path / "out")
    assert results["status"].tolist() == ["ok"] * 5 + ["failed"] + ["ok"] * 2
    assert results.loc[5, "error"] == "RuntimeError: boom"
    assert pd.isna(results.loc[5, "force_active"]) and pd.isna(results.loc[5, "outcome"])
    assert 5 not in set(weekly["run_id"]) and set(weekly["run_id"]) == set(range(8)) - {5}
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["runs_failed"] == 1


def test_a_directory_of_another_experiment_is_refused_unless_overwritten(reference, tmp_path):
    exp, out = reference
    other = load_experiment(experiment_file(tmp_path, seeds=2))
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(ExperimentError, match="holds another experiment"):
        run_sweep(other, out, LocalBackend(1), progress=False)
    assert sorted(p.name for p in out.iterdir()) == before
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="holds no sweep"):
        run_sweep(other, tmp_path / "stuff", LocalBackend(1), overwrite=True, progress=False)
    assert (tmp_path / "stuff" / "notes.txt").read_text() == "mine"
    copy = tmp_path / "copy"
    run_sweep(exp, copy, LocalBackend(1), progress=False)
    done = run_sweep(other, copy, LocalBackend(1), overwrite=True, progress=False)
    assert done.n_runs == done.n_run_now == 8
    assert len(tables(copy)[0]) == 8


def test_rerunning_a_finished_sweep_runs_nothing(reference):
    exp, out = reference
    done = run_sweep(exp, out, LocalBackend(1), progress=False)
    assert (done.n_run_now, done.n_done_before) == (0, 12)


def test_resume_skips_finished_batches_and_drops_half_written_ones(reference, tmp_path):
    exp, out = reference
    partial = SweepStore(tmp_path / "partial")
    partial.lock()
    partial.write_manifest(sweep_module.new_manifest(exp))
    labels = exp.runs.merge(exp.points, on="point_id")
    # A sweep that finished three batches, then died while writing a fourth.
    for ids in ([0, 1], [2, 3], [6, 7]):
        tasks = [
            RunTask(i, int(exp.runs.seed[i]), exp.scenarios[int(exp.runs.point_id[i])]) for i in ids
        ]
        batch = run_batch(tasks, exp.keep_final, exp.keep_weekly)
        weekly = batch.weekly.merge(exp.runs[["run_id", "point_id"]], on="run_id")
        partial.write_batch(
            labels.merge(batch.results, on="run_id"),
            weekly[["run_id", "point_id", "week", *exp.keep_weekly]],
        )
    parts = partial.parts
    (parts / "weekly-000000008-000000009.parquet").write_bytes(b"half")
    (parts / ".results-000000008-000000009.parquet.1234.tmp").write_bytes(b"half")
    partial.unlock()
    assert sorted(partial.finished_run_ids()) == [0, 1, 2, 3, 6, 7]
    assert not (parts / "weekly-000000008-000000009.parquet").exists()
    assert len(list(parts.iterdir())) == 6  # three results parts and their weekly parts
    done = run_sweep(exp, partial.root, LocalBackend(1), progress=False)
    assert (done.n_done_before, done.n_run_now) == (6, 6)
    assert_same_results(out, partial.root)


def test_a_second_sweep_on_the_same_directory_is_refused(reference, tmp_path):
    exp, _ = reference
    holder = SweepStore(tmp_path / "busy")
    holder.lock()
    holder.write_manifest(sweep_module.new_manifest(exp))
    with pytest.raises(ExperimentError, match="another `outlast sweep` is writing"):
        run_sweep(exp, tmp_path / "busy", LocalBackend(1), progress=False)


def test_sweep_resumes_after_kill_9_without_losing_or_repeating_a_run(tmp_path):
    path = experiment_file(tmp_path, seeds=5, agents=1000, weeks=16)
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "outlast",
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "2",
        "--batch-size",
        "1",
        "--quiet",
    ]
    # Its own TMPDIR: a killed pool cannot remove its temporary directory.
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    parts = out / "parts"
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.is_dir() and len(list(parts.glob("results-*.parquet"))) >= 4:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its pool's workers, like kill -9
    proc.wait()
    finished = len(SweepStore(out).finished_run_ids())
    assert 4 <= finished < 20
    rerun = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    assert f"{20 - finished} run now, {finished} found finished" in rerun.stdout
    results, weekly = tables(out)
    assert results["run_id"].tolist() == list(range(20))
    assert not weekly.duplicated(["run_id", "week"]).any()
    exp = load_experiment(path)
    run_sweep(exp, tmp_path / "whole", LocalBackend(1), progress=False)
    assert_same_results(tmp_path / "whole", out)


def test_scheduler_without_dask_is_a_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(ExperimentError, match=r"pip install 'outlast\[distributed\]'"):
        sweep_module.make_backend(None, "tcp://127.0.0.1:8786")


@pytest.mark.parametrize("address", ["notanaddress", "tcp://127.0.0.1", "tcp://host:port"])
def test_a_malformed_scheduler_address_is_a_one_line_error(address):
    with pytest.raises(ExperimentError, match="is not an address like tcp://HOST:PORT"):
        sweep_module.make_backend(None, address)
