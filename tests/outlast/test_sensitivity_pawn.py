"""PAWN over an ensemble of futures: SALib's index, the influential input first, noise as noise."""

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import pawn

from outlast.analysis.sensitivity import pawn_indices, pawn_sensitivity


def ensemble(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """P(end) over 10 seeds rises with u2 alone; u4 shifts it a little; the rest do nothing."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 6)), columns=[f"u{i}" for i in range(6)])
    p = np.clip(0.1 + 0.7 * x["u2"].to_numpy() + 0.1 * x["u4"].to_numpy(), 0, 1)
    return x, rng.binomial(10, p) / 10


def test_the_vectorised_index_equals_salibs():
    x, y = ensemble(500, 1)
    problem = {"num_vars": 6, "names": list(x.columns), "bounds": [[0, 1]] * 6}
    expected = pawn.analyze(problem, x.to_numpy(), y, S=10)["median"]
    np.testing.assert_allclose(pawn_indices(x.to_numpy(), y, 10), expected, rtol=0, atol=1e-12)


def test_pawn_ranks_the_influential_input_first_and_the_inert_ones_within_noise():
    x, y = ensemble(600, 2)
    table = pawn_sensitivity(x, y, bootstrap=100)
    assert table.iloc[0]["parameter"] == "u2"
    assert table.iloc[0]["above_noise"] and table.iloc[0]["low"] > 0.2
    inert = table[table["parameter"].isin(["u0", "u1", "u3", "u5"])]
    assert not inert["above_noise"].any()
    assert (inert["p_value"] > 0.01).all()
    assert table.iloc[0]["p_value"] < 0.01
    assert (table["low"] < table["high"]).all()
    assert table["pawn"].is_monotonic_decreasing
    assert table.attrs["n_futures"] == 600 and table.attrs["slices"] == 10


def test_pawn_works_on_a_yes_no_outcome():
    x, _ = ensemble(400, 3)
    y = (np.random.default_rng(4).random(400) < 0.2 + 0.6 * (x["u4"] > 0.5)).astype(float)
    table = pawn_sensitivity(x, y, bootstrap=60)
    assert table.iloc[0]["parameter"] == "u4" and table.iloc[0]["above_noise"]
    assert table["above_noise"].sum() == 1


def test_pawn_is_reproducible_from_its_seed():
    x, y = ensemble(300, 5)
    a, b = (
        pawn_sensitivity(x, y, bootstrap=30, seed=7),
        pawn_sensitivity(x, y, bootstrap=30, seed=7),
    )
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("n", "y", "said"),
    [
        (50, None, "50 futures; PAWN needs at least 60"),
        (200, 0.5, "the outcome is 0.5 in every future"),
    ],
)
def test_pawn_says_why_it_cannot_be_done(n, y, said):
    x, outcome = ensemble(n, 6)
    if y is not None:
        outcome = np.full(n, y)
    assert pawn_sensitivity(x, outcome).startswith(said)


def test_a_parameter_fixed_across_futures_is_left_out():
    x, y = ensemble(300, 8)
    x["fixed"] = 0.5
    table = pawn_sensitivity(x, y, bootstrap=20)
    assert "fixed" not in set(table["parameter"]) and len(table) == 6
