"""The shock's brackets hold the exact shock of every draw numpy's float32 generator can make.

numpy draws a float32 uniform as (32 random bits >> 8) x 2^-24: exactly the 2^24 values k / 2^24.
The compiled decision settles a soldier from the bounds of his draw's bin when both fall on the
same side of a boundary of the rule, so the bounds must hold the exact shock for every one of
them; this checks them all.
"""

import numpy as np
import pytest

from agents import soldier_kernel
from agents.soldier_kernel import SHOCK_BINS, logistic_shock, shock_brackets

ALL_DRAWS = 2**24
PART = 2**20


@pytest.mark.parametrize("scale", [0.0, 0.08, 0.3, 1.0])
def test_brackets_hold_the_exact_shock_of_every_float32_draw(scale):
    lower, upper = shock_brackets(scale)
    assert lower.shape == upper.shape == (SHOCK_BINS,)
    assert np.all(lower <= upper)
    widest = 0.0
    for start in range(0, ALL_DRAWS, PART):
        draws = np.arange(start, start + PART, dtype=np.float32) * np.float32(2**-24)
        exact = logistic_shock(draws.copy(), scale).astype(np.float64)
        bins = (np.clip(draws, 1e-7, 1 - 1e-7) * np.float32(SHOCK_BINS)).astype(np.intp)
        assert np.all(lower[bins] <= exact), f"scale {scale}: a shock below its bracket"
        assert np.all(exact <= upper[bins]), f"scale {scale}: a shock above its bracket"
        widest = max(widest, float(np.max(upper[bins] - lower[bins])))
    # Narrow enough to settle nearly everyone: in the middle bins a bracket is 0.1% of the scale.
    middle = slice(SHOCK_BINS // 8, SHOCK_BINS - SHOCK_BINS // 8)
    assert np.all(upper[middle] - lower[middle] <= 0.004 * scale + 1e-12)
    assert widest <= 16.2 * scale + 1e-12


def test_bins_must_be_a_power_of_two(monkeypatch):
    monkeypatch.setattr(soldier_kernel, "SHOCK_BINS", 3000)
    with pytest.raises(ValueError, match="power of two"):
        shock_brackets(0.08)
