"""Run one simulation: a pure function of a Scenario and a seed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from model.metrics import summary
from model.model import OutlastModel
from model.scenario import Scenario


@dataclass
class RunResult:
    """What one run produces: weekly metrics, the per-region table and the final summary."""

    weekly: pd.DataFrame
    regions: pd.DataFrame
    summary: dict[str, object]


def run_simulation(
    scenario: Scenario,
    seed: int,
    on_week: Callable[[int], None] | None = None,
) -> RunResult:
    """Run `scenario` with `seed` to its outcome or horizon.

    Args:
        scenario: The validated scenario.
        seed: Seed of the run's random generator.
        on_week: Called after each week with the week number (for progress bars).

    Returns:
        The run's weekly table, region table and summary.

    """
    model = OutlastModel(rng=seed, scenario_obj=scenario)
    while model.running:
        model.step()
        if on_week is not None:
            on_week(model.week)
    return RunResult(model.weekly_table(), model.region_table(), summary(model))
