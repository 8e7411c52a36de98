"""Many seeds beside the one draw: the current levers and the baseline over the same N seeds.

One run is one draw of chance. The ensemble runs the scenario with the current levers and the
same scenario without them (the baseline preset's levers) over the same seeds - common random
numbers, so the two arms differ by the levers, not by luck - and summarises them honestly:
shares of runs in which the war ended with Wilson intervals, and weekly medians with 50% and 90%
bands that are censored after each run's end (a run that stopped contributes nothing after its
last week, rather than its last value carried forward).

Seeds are drawn as the sweep engine draws them (`outlast.experiments.design.run_seed` with the
page's seed as master seed, design point 0, seed index i), so an arm's numbers equal those of
``outlast sweep`` on `sweep_experiment_toml` of the same scenario and seeds.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboards.formatting import plain_label
from model.scenario import Scenario
from outlast.analysis.tables import wilson_interval
from outlast.experiments.design import run_seed
from outlast.experiments.engine import RunTask, available_cpus, run_batch

ARMS = ("current levers", "baseline")
DEFAULT_SEEDS = 20
MAX_SEEDS = 200
#: Final metrics kept per run.
FINAL_METRICS = ("war_ended", "regime_change", "stability_index")
#: Weekly metrics kept per run, for the bands.
BAND_METRICS = (
    "stability_index",
    "force_active",
    "elite_pressure",
    "leader_threat",
    "unrest",
    "partner_cooperation",
)
#: Quantiles of the bands: 90% (5-95) and 50% (25-75) around the median.
BAND_QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


def ensemble_seeds(master_seed: int, n: int) -> list[int]:
    """The seeds of an ensemble: those of design point 0 of a sweep with this master seed."""
    return [run_seed(master_seed, 0, i) for i in range(n)]


@dataclass
class Ensemble:
    """The finished runs of both arms.

    Attributes:
        seeds: The seeds, the same for both arms.
        results: One row per run: arm, seed_index, seed, outcome, outcome_week, weeks_run,
            status, error and `FINAL_METRICS`.
        weekly: One row per run and week: arm, seed_index, week and `BAND_METRICS`.

    """

    seeds: list[int]
    results: pd.DataFrame
    weekly: pd.DataFrame = field(repr=False)


def arm_tasks(scenario: Scenario, baseline: Scenario, seeds: Sequence[int]) -> list[tuple]:
    """The runs to do, interleaved so both arms progress together: (arm, seed_index, task)."""
    tasks = []
    for i, seed in enumerate(seeds):
        for arm, arm_scenario in zip(ARMS, (scenario, baseline), strict=True):
            tasks.append((arm, i, RunTask(run_id=len(tasks), seed=seed, scenario=arm_scenario)))
    return tasks


def run_ensemble(
    scenario: Scenario,
    baseline: Scenario,
    master_seed: int,
    n_seeds: int,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
) -> Ensemble | None:
    """Run both arms over `n_seeds` seeds in a pool of local processes.

    Args:
        scenario: The scenario with the current levers.
        baseline: The same scenario with the baseline's levers.
        master_seed: The page's seed (the master seed of `ensemble_seeds`).
        n_seeds: Seeds per arm.
        on_progress: Called with (runs done, runs in all) after each run.
        cancel: When set, the pending runs are dropped and None is returned.
        workers: Worker processes (default: up to 2, as many CPUs as there are).

    Returns:
        The ensemble, or None if cancelled.

    """
    seeds = ensemble_seeds(master_seed, n_seeds)
    tasks = arm_tasks(scenario, baseline, seeds)
    keep = (list(FINAL_METRICS), list(BAND_METRICS), False)
    workers = workers or min(2, available_cpus())
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["outlast.experiments.engine"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    results, weeks = [], []
    try:
        # One run per task, so that progress moves run by run and a cancel drops what is left.
        pending: dict[Future, tuple] = {
            pool.submit(run_batch, [task], *keep): (arm, i) for arm, i, task in tasks
        }
        while pending:
            done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            if cancel is not None and cancel.is_set():
                return None
            for future in done:
                arm, i = pending.pop(future)
                batch = future.result()
                results.append(batch.results.assign(arm=arm, seed_index=i, seed=seeds[i]))
                weeks.append(batch.weekly.assign(arm=arm, seed_index=i))
                if on_progress is not None:
                    on_progress(len(results), len(tasks))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return Ensemble(
        seeds=seeds,
        results=pd.concat(results, ignore_index=True).sort_values(["arm", "seed_index"]),
        weekly=pd.concat(weeks, ignore_index=True),
    )


def censored_bands(weekly: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Weekly quantile bands of each arm, from the runs still going that week.

    A run's table ends at its last week, so a run that stopped contributes nothing afterwards
    (censored, not carried forward); ``runs`` says how many runs each week's band rests on.

    Returns:
        One row per arm, metric and week: runs, q05, q25, median, q75, q95.

    """
    long = weekly.melt(
        id_vars=["arm", "seed_index", "week"], value_vars=list(metrics), var_name="metric"
    ).dropna(subset=["value"])
    grouped = long.groupby(["arm", "metric", "week"])["value"]
    table = grouped.quantile(list(BAND_QUANTILES.values())).unstack()
    table.columns = list(BAND_QUANTILES)
    table["runs"] = grouped.size()
    table = table.reset_index()
    table["metric"] = table["metric"].map(plain_label)
    return table


def war_ended_count(results: pd.DataFrame, arm: str) -> tuple[int, int]:
    """(runs in which the war ended, finished runs) of an arm."""
    ok = results[(results["arm"] == arm) & (results["status"] == "ok")]
    return int((ok["war_ended"] > 0.5).sum()), len(ok)


def _share(k: int, n: int) -> str:
    lo, hi = wilson_interval(k, n)
    return f"{k / n:.0%}, 95% interval {lo:.0%} to {hi:.0%}"


def headline(results: pd.DataFrame) -> str:
    """The ensemble in one sentence: shares with Wilson intervals, and when the war ended.

    Examples:
        >>> r = pd.DataFrame({"arm": ["current levers"] * 2 + ["baseline"] * 2,
        ...     "status": "ok", "war_ended": [1.0, 0.0, 0.0, 0.0],
        ...     "outcome_week": [73, -1, -1, -1]})
        >>> headline(r)  # doctest: +NORMALIZE_WHITESPACE
        'War ended in 1 of 2 seeds (50%, 95% interval 9% to 91%) with the current levers,
        against 0 of 2 (0%, 95% interval 0% to 66%) without them. With the levers it ended in
        week 73.'

    """
    k, n = war_ended_count(results, ARMS[0])
    kb, nb = war_ended_count(results, ARMS[1])
    if n == 0 or nb == 0:
        return "No run finished without an error; see the runs' errors."
    text = (
        f"War ended in {k} of {n} seeds ({_share(k, n)}) with the current levers, "
        f"against {kb} of {nb} ({_share(kb, nb)}) without them."
    )
    ended_runs = results[(results["arm"] == ARMS[0]) & (results["war_ended"] > 0.5)]
    if k and "regime_change" in results:
        # A war that ends with a coup is another answer than one ended by negotiation.
        by_coup = int((ended_runs["regime_change"] > 0.5).sum())
        text += (
            f" With the levers {k - by_coup} of the {k} ended by negotiation and {by_coup} "
            "after a regime change."
        )
    ended = ended_runs["outcome_week"]
    if len(ended) == 1:
        text += f" With the levers it ended in week {int(ended.iloc[0])}."
    elif len(ended) > 1:
        weeks = ended.to_numpy()
        text += (
            f" With the levers the median week of the end, among the {len(ended)} runs in which "
            f"it ended, was {_week(np.median(weeks))} (weeks {weeks.min()} to {weeks.max()})."
        )
    return text


def _week(value: float) -> str:
    return f"{value:.0f}" if math.isclose(value, round(value)) else f"{value:.1f}"


def sweep_experiment_toml(
    name: str, preset: str, overrides: dict, master_seed: int, n_seeds: int
) -> str:
    """An experiment file whose one design point and seeds are an arm of this ensemble.

    ``outlast sweep`` of it gives, run for run, the arm's results (the same seeds and scenario).
    """
    from dashboards.export import toml_value

    lines = [
        f"name = {toml_value(name)}",
        f"seeds = {n_seeds}",
        f"master_seed = {master_seed}",
        "",
        "[design]",
        'kind = "scenarios"',
        "",
        "[[design.points]]",
        f"preset = {toml_value(preset)}",
        "[design.points.parameters]",
        *(f"{k} = {toml_value(v)}" for k, v in sorted(overrides.items())),
        "",
        "[keep]",
        f"final = {toml_value(list(FINAL_METRICS))}",
        f"weekly = {toml_value(list(BAND_METRICS))}",
    ]
    return "\n".join(lines) + "\n"
