"""`categorical` draws what numpy's `rng.choice(k, size=n, p=p)` draws, from the same generator."""

import numpy as np
import pytest

from agents.draws import categorical


@pytest.mark.parametrize("k", [1, 2, 3, 5, 85, 1000])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_categorical_equals_rng_choice(k, seed):
    shape = np.random.default_rng(seed + 100)
    p = shape.random(k)
    p[shape.random(k) < 0.3] = 0.0  # empty categories, first and last included at times
    p[-1] = 0.0 if k > 1 and seed == 1 else p[-1]
    if p.sum() == 0.0:
        p[0] = 1.0
    p /= p.sum()
    rng_a, rng_b = np.random.default_rng(seed), np.random.default_rng(seed)
    expected = rng_a.choice(k, size=20_000, p=p)
    got = categorical(rng_b, 20_000, p)
    assert np.array_equal(got, expected)
    assert rng_a.random() == rng_b.random()  # the generators stand at the same place after


def test_categorical_handles_draws_on_the_cumulative_values():
    """Draws equal to a cumulative value go to the next category, as searchsorted(side='right')."""
    p = np.array([0.25, 0.25, 0.5])

    class Fixed:
        def random(self, n):
            return np.array([0.0, 0.25, 0.5, 0.7499999999999999, 0.999])[:n]

    assert categorical(Fixed(), 5, p).tolist() == [0, 1, 2, 2, 2]


@pytest.mark.parametrize(
    "p", [[], [0.5, -0.1, 0.6], [0.0, 0.0], [np.nan, 1.0], [[0.5, 0.5]]], ids=str
)
def test_categorical_rejects_bad_probabilities(p):
    with pytest.raises(ValueError, match="p must"):
        categorical(np.random.default_rng(0), 10, np.array(p, dtype=float))
