"""Common random numbers: two policies on one seed draw the same numbers wherever the model lets them.

The two policies differ only in a payment for surrender offered from week 30. Before it they must
be the same run; after it the army, the fund and the leader part ways, but subsystems the payment
does not draw for (the exile's talks, the elites' choices) must keep drawing the same numbers
each week: with one Generator shared by every subsystem (main before issue #15) the soldiers'
extra draws shift them, and the assertion on the streams fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from agents.elites import EliteCircle
from agents.exile import GovernmentInExile
from model.model import OutlastModel

#: Week from which the payment is offered.
LEVER_WEEK = 30
SEED = 11
BASE: dict[str, Any] = {
    "n_soldier_agents": 3_000,
    "n_elites": 30,
    "horizon_weeks": 50,
    "citizens_per_region": 200,
    # An exile government from week 4, so that it draws every week.
    "exile_support": 0.8,
    "exile_formation_week": 4,
    # The line's reach from the start and the seized fund, with its income from week 30, in
    # both: the payment is the only difference.
    "offer_reach_per_week": 0.05,
    "seized_asset_fund_usd": 5e9,
    "fund_income_usd_per_week": 145e6,
    "defection_offer_start_week": LEVER_WEEK,
}
PAYMENT = {"defection_payment_usd": 50_000.0}


def _stream_position(rng: np.random.Generator) -> tuple[int, int, int]:
    """Where a Generator stands in its stream: the numbers it will draw next follow from it."""
    state = rng.bit_generator.state
    return state["state"]["state"], state["state"]["inc"], state["has_uint32"]


def run_recording(monkeypatch: pytest.MonkeyPatch, **levers: Any) -> dict[str, Any]:
    """One run; its weekly table and where the exile's and the elites' draws started each week."""
    positions: dict[str, list[tuple[int, tuple[int, int, int]]]] = {"exile": [], "elites": []}
    negotiate = GovernmentInExile.negotiate
    choose_actions = EliteCircle.choose_actions

    def recording_negotiate(self, week, rng, *args, **kwargs):
        positions["exile"].append((week, _stream_position(rng)))
        return negotiate(self, week, rng, *args, **kwargs)

    def recording_choose_actions(self, signals, rule, rng):
        positions["elites"].append((self.model.week, _stream_position(rng)))
        return choose_actions(self, signals, rule, rng)

    with monkeypatch.context() as patch:
        patch.setattr(GovernmentInExile, "negotiate", recording_negotiate)
        patch.setattr(EliteCircle, "choose_actions", recording_choose_actions)
        model = OutlastModel(rng=SEED, **BASE, **levers)
        model.run_model()
    return {"weekly": model.weekly_table(), "positions": positions, "weeks": model.week}


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return {
            "baseline": run_recording(monkeypatch),
            "payment": run_recording(monkeypatch, **PAYMENT),
        }


def test_every_weekly_metric_is_identical_before_the_lever_acts(runs):
    before = {k: r["weekly"][r["weekly"]["week"] < LEVER_WEEK] for k, r in runs.items()}
    assert len(before["baseline"]) == LEVER_WEEK  # weeks 0..29, none ended early
    pd.testing.assert_frame_equal(before["baseline"], before["payment"], check_exact=True)


def test_the_lever_changes_the_run_after_it_acts(runs):
    """Not two copies of one run: the payment is claimed and the army's figures part ways."""
    after = {k: r["weekly"][r["weekly"]["week"] >= LEVER_WEEK] for k, r in runs.items()}
    assert after["baseline"]["fund_spent_usd"].max() == 0.0
    assert after["payment"]["fund_spent_usd"].max() > 0.0
    assert not np.array_equal(
        after["baseline"]["force_active"].to_numpy(), after["payment"]["force_active"].to_numpy()
    )


@pytest.mark.parametrize("subsystem", ["exile", "elites"])
def test_untouched_subsystems_draw_the_same_numbers_after_the_lever_acts(runs, subsystem):
    """Each week the exile's talks and the elites' choices start from the same place in their
    streams under both policies, so they draw the same numbers, although the soldiers drew
    different amounts since week 30 (and the states they act on may differ)."""
    baseline, payment = (runs[k]["positions"][subsystem] for k in ("baseline", "payment"))
    weeks = min(runs["baseline"]["weeks"], runs["payment"]["weeks"])
    assert weeks >= LEVER_WEEK + 10
    assert [w for w, _ in baseline][:weeks] == [w for w, _ in payment][:weeks]
    after = [
        (week, b == p)
        for (week, b), (_, p) in zip(baseline, payment, strict=False)
        if LEVER_WEEK <= week <= weeks
    ]
    assert len(after) >= 10
    assert all(same for _, same in after), [week for week, same in after if not same]
