"""Checks of the political mechanisms against published figures: the coup success share.

Powell & Thyne (2011) record 488 coup attempts worldwide from 1950 to 2022, 243 of them successful:
about half. The model's coups are emergent (elites coordinate, the leader purges), so the share of
attempts that succeed is a property of many runs. `coup_success_share` runs a set of conditions in
which coups happen over many seeds, as an experiment on the run engine (`outlast.experiments`:
the sweeps' seeding, local or Dask backend, store and resume), pools their attempts and compares
the share with the data's, with a tolerance set by the number of attempts (binomial standard error).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from model.scenario import PRESETS
from model.seeds import DEFAULT_SEED
from outlast.analysis.tables import wilson_interval
from outlast.experiments.design import Experiment, scenarios_experiment
from outlast.experiments.engine import Backend, LocalBackend, run_and_read

#: Coup outcome codes in the Powell & Thyne data: 1 failed, 2 successful.
PT_SUCCESS = 2

#: Conditions in which coups happen within two years: an exile agreement reached early (fast
#: talks), alone and with each other lever. They span army decline (the defection fund), lost
#: capacity (the minority campaign) and resolve, so that the pooled share is not that of one
#: setting. Calibration of `coup_success_intercept` used plain seeds 0-39 of these (before the check
#: ran on the engine's derived seeds); tests use master seed 1000.
COUP_CONDITIONS: dict[str, dict[str, Any]] = {
    "exile-fast": {
        **PRESETS["exile"],
        "exile_support": 1.0,
        "exile_formation_week": 0,
        "exile_progress_per_week": 0.08,
    },
    "exile-fast+fund": {
        **PRESETS["defection_fund"],
        **PRESETS["exile"],
        "exile_support": 1.0,
        "exile_formation_week": 0,
        "exile_progress_per_week": 0.08,
    },
    "exile-fast+minorities": {
        **PRESETS["minorities"],
        **PRESETS["exile"],
        "exile_support": 1.0,
        "exile_formation_week": 0,
        "exile_progress_per_week": 0.08,
    },
    "combined-fast": {
        **PRESETS["combined"],
        "exile_support": 1.0,
        "exile_formation_week": 0,
        "exile_progress_per_week": 0.08,
    },
}

#: Small sizes for the check: 1,000 soldier agents of 600 soldiers each (the default force of
#: 600,000) and one year (95% of attempts in these conditions come by week 52). Citizens per region
#: stay at their default: Epstein's rule with few citizens per region (rounded C/A) gives several
#: times more unrest, which would bias coups' success.
CHECK_SIZES: dict[str, Any] = {
    "n_soldier_agents": 1_000,
    "soldiers_per_agent": 600.0,
    "horizon_weeks": 52,
}


@dataclass(frozen=True)
class CoupShare:
    """Pooled coup attempts and successes over many runs, against Powell & Thyne.

    Attributes:
        attempts: Coup attempts over all runs.
        successes: Successful attempts.
        runs: Runs made.
        runs_with_attempts: Runs with at least one attempt.
        observed: Powell & Thyne's share of successful attempts.

    """

    attempts: int
    successes: int
    runs: int
    runs_with_attempts: int
    observed: float

    @property
    def share(self) -> float:
        """Share of attempts that succeeded (nan without attempts)."""
        return self.successes / self.attempts if self.attempts else math.nan

    @property
    def standard_error(self) -> float:
        """Binomial standard error of the share if the true share were the observed one."""
        if not self.attempts:
            return math.inf
        return math.sqrt(self.observed * (1.0 - self.observed) / self.attempts)

    def within(self, z: float = 3.0) -> bool:
        """Whether the share is within `z` standard errors of the observed share."""
        return abs(self.share - self.observed) <= z * self.standard_error

    def interval(self, confidence: float = 0.90) -> tuple[float, float]:
        """Wilson interval of the share (NaN without attempts).

        Wilson's rather than the normal approximation: with few attempts and a share near 0 or
        1, the latter's interval is too narrow and leaves [0, 1].
        """
        return wilson_interval(self.successes, self.attempts, confidence)


def powell_thyne_share() -> float:
    """Share of coup attempts that succeeded in Powell & Thyne's data, 1950-2022 (243 / 488)."""
    path = resources.files("model").joinpath("data/powell_thyne_coups_events.csv")
    with path.open("r", encoding="utf-8") as f:
        events = pd.read_csv(f)
    return float((events["coup"] == PT_SUCCESS).mean())


def pool_coups(counts: Iterable[tuple[int, int]]) -> CoupShare:
    """Pool (attempts, successes) over runs into a `CoupShare` against Powell & Thyne.

    The pairs may come from run summaries (``coup_attempts``, ``coups_succeeded``).
    """
    attempts = successes = runs = runs_with_attempts = 0
    for tried, won in counts:
        runs += 1
        attempts += int(tried)
        successes += int(won)
        runs_with_attempts += tried > 0
    return CoupShare(attempts, successes, runs, runs_with_attempts, powell_thyne_share())


def coup_experiment(
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
    seeds: int = 10,
    sizes: Mapping[str, Any] | None = None,
    master_seed: int = DEFAULT_SEED,
) -> Experiment:
    """The experiment of the check: one design point per condition (with `sizes`), `seeds` each.

    Args:
        conditions: Named parameter overrides (default `COUP_CONDITIONS`), in design order.
        seeds: Seeds per condition.
        sizes: Size overrides applied to every condition (default `CHECK_SIZES`).
        master_seed: Seed ``i`` of condition ``p`` is ``run_seed(master_seed, p, i)``.

    """
    conditions = COUP_CONDITIONS if conditions is None else conditions
    sizes = CHECK_SIZES if sizes is None else sizes
    points = [("baseline", {**overrides, **sizes}) for overrides in conditions.values()]
    keep = {"final": ["coup_attempts", "coups_succeeded"]}
    return scenarios_experiment("coup-success-share", points, seeds, master_seed, keep)


def coup_success_share(
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
    seeds: int = 10,
    sizes: Mapping[str, Any] | None = None,
    master_seed: int = DEFAULT_SEED,
    backend: Backend | None = None,
    out: Path | None = None,
) -> CoupShare:
    """Run every condition over `seeds` seeds on the run engine and pool their coup attempts.

    Args:
        conditions: Named parameter overrides (default `COUP_CONDITIONS`).
        seeds: Seeds per condition.
        sizes: Size overrides applied to every run (default `CHECK_SIZES`).
        master_seed: The master seed of every run's seed (see `coup_experiment`).
        backend: Where the runs happen (default: in this process).
        out: Directory to keep the runs in, and to resume them from; None for a temporary one.

    Returns:
        The pooled attempts and successes of the runs that finished, with the observed share.

    Examples:
        >>> share = coup_success_share(seeds=2)  # doctest: +SKIP
        >>> share.within(z=3.0)  # doctest: +SKIP
        True

    """
    exp = coup_experiment(conditions, seeds, sizes, master_seed)
    _, runs = run_and_read(exp, out, backend or LocalBackend(1))
    ok = runs.results[runs.results["status"] == "ok"]
    return pool_coups(zip(ok["coup_attempts"], ok["coups_succeeded"], strict=True))
