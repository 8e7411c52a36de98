"""The model's invariants, checked week by week on a live OutlastModel (used by several tests).

Soldiers: every agent ever enlisted is in exactly one status, and each status other than active
holds exactly the agents its counter says went there (deserters at large = desertions - those
caught and returned). In soldiers: recruits_total = active + deserters at large + surrendered +
killed + invalided. Fund: its start plus every week's income = what it paid + what is left, and
the balance is never negative. Metrics: finite and inside their declared [lo, hi] (every share
in [0, 1]); running totals never fall. Outcome: final once reached, and the run stops there.
"""

from __future__ import annotations

import math

import numpy as np

from agents.soldiers import SoldierStatus
from model.metrics import METRICS, OUTCOMES
from model.model import OutlastModel

#: Metrics that count since the start: they never fall.
RUNNING_TOTALS = tuple(
    m.name
    for m in METRICS
    if m.name.endswith("_total")
    or m.name in ("week", "coup_attempts", "coups_succeeded", "elites_purged", "fund_spent_usd")
)
#: Units whose values are shares or flags: declared in [0, 1].
UNIT_SHARES = ("share", "flag", "probability")


def close(a: float, b: float) -> bool:
    """Equal up to floating-point rounding of sums of products."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


class Invariants:
    """Checks an OutlastModel after construction and after every step.

    Args:
        model: The model, before its first step.

    """

    def __init__(self, model: OutlastModel) -> None:
        self.model = model
        self.paid_in_usd = model.params.seized_asset_fund_usd
        self.outcome: str | None = None
        self.outcome_week = -1
        self.previous = dict(model.metrics)
        self.weeks_checked = 0
        self.check_week()
        assert close(
            model.metrics["recruits_total"],
            model.params.n_soldier_agents * model.params.soldiers_per_agent,
        )

    def step(self) -> None:
        """Step the model one week and check every invariant."""
        week_before = self.model.week
        self.model.step()
        self.stepped(week_before)

    def stepped(self, week_before: int) -> None:
        """Check every invariant after the model was stepped once (by us or by a widget)."""
        m = self.model
        if not m.running and m.week == week_before:
            return  # stepping a finished run changes nothing
        assert m.week == week_before + 1
        self.paid_in_usd += m.levers.fund_income_usd
        self.check_week()

    def run(self) -> None:
        """Step to the end of the run, checking every week."""
        while self.model.running:
            self.step()
        self.check_end()

    def check_week(self) -> None:
        """Every invariant on the model's current state."""
        m = self.model
        corps = m.corps
        counts = corps.census().by_status
        per = m.params.soldiers_per_agent
        # Soldiers: each agent in one status; each status holds what its counter says.
        assert counts.sum() == corps.size <= corps.capacity
        assert counts[SoldierStatus.KILLED] == m.cumulative["deaths"]
        assert counts[SoldierStatus.SURRENDERED] == m.cumulative["surrenders"]
        assert counts[SoldierStatus.INVALIDED] == m.cumulative["invalided"]
        assert (
            counts[SoldierStatus.DESERTED] == m.cumulative["desertions"] - m.cumulative["returned"]
        )
        metrics = m.metrics
        statuses = (
            "force_active",
            "deserters_at_large",
            "surrenders_total",
            "deaths_total",
            "invalided_total",
        )
        assert close(metrics["recruits_total"], sum(metrics[k] for k in statuses))
        assert metrics["force_active"] == counts[SoldierStatus.ACTIVE] * per
        # The fund: nothing created or lost, never negative.
        assert m.fund.balance_usd >= 0.0
        assert close(self.paid_in_usd, m.fund.balance_usd + m.fund.spent_usd)
        # Metrics: finite, inside their declared ranges, running totals never fall.
        for metric in METRICS:
            value = metrics[metric.name]
            assert np.isfinite(value), metric.name
            assert metric.lo <= value <= metric.hi, (metric.name, value)
            if metric.unit in UNIT_SHARES:
                assert (metric.lo, metric.hi) == (0, 1), metric.name
        for name in RUNNING_TOTALS:
            assert metrics[name] >= self.previous.get(name, 0.0), name
        if m.week > 0:
            recruits = metrics["recruits_total"] - self.previous["recruits_total"]
            assert close(recruits, metrics["recruits_week"])
        self.previous = dict(metrics)
        # The outcome: final once reached; the war ends only with an outcome.
        if self.outcome is not None:
            assert (m.outcome, m.outcome_week) == (self.outcome, self.outcome_week)
            assert not m.running
        elif m.outcome != OUTCOMES[0]:
            self.outcome, self.outcome_week = m.outcome, m.outcome_week
            assert m.outcome_week == m.week
        if metrics["war_ended"]:
            assert m.outcome != OUTCOMES[0]
        self.weeks_checked += 1

    def check_end(self) -> None:
        """At the end: the run stopped at its outcome or horizon; the weekly table is whole."""
        m = self.model
        assert m.outcome != OUTCOMES[0] or m.week == m.params.horizon_weeks
        table = m.weekly_table()
        assert table["week"].tolist() == list(range(m.week + 1))
        assert np.isfinite(table.drop(columns="date").to_numpy(dtype=float)).all()
        week = m.week
        m.step()  # stepping a finished run changes nothing
        assert m.week == week and not m.running
