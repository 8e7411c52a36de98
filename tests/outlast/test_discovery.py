"""Scenario discovery finds a known box, calls noise noise, and says what it needs."""

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest

from outlast.analysis.discovery import (
    EMA_MISSING,
    MIN_BOX_CASES,
    MIN_LEAF_RUNS,
    Discovery,
    PrimBox,
    backfires,
    discover,
    ends_war,
    find_box,
    sweep_box,
)
from tests.outlast.test_report import synthetic

needs_ema = pytest.mark.skipif(
    importlib.util.find_spec("ema_workbench") is None, reason="needs the extra ema"
)


def uniform_futures(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.random((n, 4)), columns=["x1", "x2", "x3", "x4"])


@pytest.fixture(scope="module")
def known_box() -> PrimBox:
    # 2,000 futures; the outcome holds when x1 > 0.7 and x2 < 0.4, with 5% of labels flipped.
    x = uniform_futures(2_000, seed=1)
    y = ((x["x1"] > 0.7) & (x["x2"] < 0.4)).to_numpy()
    flip = np.random.default_rng(2).random(len(y)) < 0.05
    box = find_box(x, np.where(flip, ~y, y), "x1 high and x2 low")
    assert isinstance(box, PrimBox)
    return box


@needs_ema
def test_prim_finds_the_known_box(known_box):
    limits = known_box.limits.set_index("dimension")
    significant_dims = set(limits.index[limits["quasi_p"] <= known_box.quasi_p_threshold])
    assert significant_dims == {"x1", "x2"}
    assert limits.at["x1", "low"] == pytest.approx(0.7, abs=0.05)
    assert limits.at["x2", "high"] == pytest.approx(0.4, abs=0.05)
    assert limits.at["x1", "low_restricted"] and limits.at["x2", "high_restricted"]
    # With 5% noise the best box holds ~0.12 of 0.16 positives (coverage ~0.7) and is ~0.95 dense.
    assert known_box.coverage > 0.6
    assert known_box.density > 0.85
    assert known_box.mass == pytest.approx(0.3 * 0.4, abs=0.03)
    assert known_box.significant and known_box.why_not is None
    # The noise dimensions are unrestricted, or restricted without significance.
    for noise in {"x3", "x4"} & set(limits.index):
        assert limits.at[noise, "quasi_p"] > known_box.quasi_p_threshold


@needs_ema
def test_the_trajectory_runs_from_the_whole_ensemble_to_denser_boxes(known_box):
    traj = known_box.trajectory
    first = traj.iloc[0]
    assert (first["coverage"], first["mass"], first["restricted_dimensions"]) == (1.0, 1.0, 0)
    assert first["density"] == pytest.approx(known_box.base_rate)
    assert traj["density"].iloc[-1] > 3 * known_box.base_rate
    assert {"coverage", "density", "mass", "max_quasi_p", "significant"} <= set(traj.columns)
    assert traj.loc[known_box.step, "coverage"] == known_box.coverage


@pytest.mark.parametrize("seed", [11, 12, 13])
@needs_ema
def test_a_box_on_pure_noise_is_not_significant(seed):
    x = uniform_futures(600, seed)
    y = np.random.default_rng(seed + 100).random(600) < 0.3
    box = find_box(x, y, "noise")
    assert isinstance(box, PrimBox)
    assert not box.significant
    assert box.why_not


def test_too_few_cases_of_interest_give_a_sentence_not_a_box():
    x = uniform_futures(200, 3)
    y = np.zeros(200, dtype=bool)
    y[: MIN_BOX_CASES - 1] = True
    said = find_box(x, y, "rare")
    assert isinstance(said, str) and f"{MIN_BOX_CASES - 1} of 200" in said


def test_missing_ema_workbench_gives_one_clear_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis", None)
    x = uniform_futures(200, 4)
    said = find_box(x, x["x1"] > 0.5, "x1 high")
    assert said == EMA_MISSING
    assert "\n" not in said and "pip install outlast[ema]" in said


def per_future_table() -> pd.DataFrame:
    # Future 0: the lever ends the war in 0 of 20 seeds against the baseline's 12 (a backfire);
    # future 1: 9 against 11 of 20 (seed noise); future 2: better than the baseline.
    rows = []
    for future, (lever, base) in enumerate([(0, 12), (9, 11), (15, 5)]):
        rows.append(
            {"policy": "lever", "future_id": future, "n_seeds": 20, "p_war_ended": lever / 20}
        )
        rows.append(
            {"policy": "baseline", "future_id": future, "n_seeds": 20, "p_war_ended": base / 20}
        )
    return pd.DataFrame(rows)


def test_backfire_is_a_drop_beyond_seed_noise():
    flags = backfires(per_future_table(), "lever")
    assert flags.to_dict() == {0: True, 1: False, 2: False}


def test_ends_war_counts_half_the_seeds_as_ending_it():
    assert ends_war(per_future_table(), "baseline").to_dict() == {0: True, 1: True, 2: False}


def test_an_unknown_policy_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"no rows for policy 'fund'.*baseline, lever"):
        ends_war(per_future_table(), "fund")


def test_the_tree_calls_a_real_split_a_finding_and_labels_its_classes():
    found = discover(synthetic())
    assert isinstance(found, Discovery)
    assert found.leaves.iloc[0]["finding"] and found.leaves.iloc[0]["low"] > 0.9
    assert set(found.classes) == {"war ongoing at the horizon", "regime change"}


def test_the_tree_on_noise_reports_no_finding():
    sweep = synthetic(600)
    rng = np.random.default_rng(9)
    sweep.results["outcome"] = np.where(rng.random(600) < 0.3, "regime_change", "ongoing")
    found = discover(sweep)
    assert isinstance(found, Discovery)
    assert not found.leaves["finding"].any()
    assert (found.leaves["runs"] >= MIN_LEAF_RUNS).all()


def test_the_tree_refuses_too_few_runs():
    said = discover(synthetic(4 * MIN_LEAF_RUNS - 1))
    assert isinstance(said, str) and f"at least {4 * MIN_LEAF_RUNS}" in said


@needs_ema
def test_a_sweeps_box_is_judged_by_the_same_rules():
    box = sweep_box(synthetic())  # regime change exactly when x > 0.6
    assert isinstance(box, PrimBox)
    assert box.cases == "runs" and box.n_futures == 400
    assert box.describe().startswith("x >= 0.6")
    assert box.significant and box.density == 1.0 and box.coverage > 0.9
    noisy = synthetic(400)
    noisy.results["outcome"] = np.where(
        np.random.default_rng(5).random(400) < 0.3, "regime_change", "ongoing"
    )
    box = sweep_box(noisy)
    assert isinstance(box, PrimBox) and not box.significant
