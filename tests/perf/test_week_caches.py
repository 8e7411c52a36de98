"""What the week reuses instead of recomputing gives what the plain computation gives.

Each value the model keeps or reads through a shortcut (for speed, issue #15) is checked against
the computation it replaces after every week of runs that purge, refill and defect elites, and
grow and shrink the army.
"""

import numpy as np
import pytest

from model.model import OutlastModel

RUNS = [
    {"rng": 3, "preset": "combined"},
    {"rng": 5, "preset": "exile"},
    {"rng": 7, "preset": None},
]


def _weeks(case):
    m = OutlastModel(
        rng=case["rng"],
        preset=case["preset"],
        n_soldier_agents=3_000,
        citizens_per_region=40,
        horizon_weeks=60,
    )
    yield m
    while m.running:
        m.step()
        yield m


@pytest.mark.parametrize("case", RUNS, ids=lambda c: f"{c['preset']}-{c['rng']}")
def test_shortcuts_equal_the_plain_computations_after_every_week(case):
    weeks = 0
    for m in _weeks(case):
        weeks += 1
        r = m.regions
        elites = m.elites
        assert m.minority_unrest() == float(
            np.average(r.unrest, weights=r.men_16_61 * r.minority_share)
        )
        assert elites.mean_fear() == float(np.average(elites.fear, weights=elites.power))
        assert np.array_equal(elites._neighbour_power, elites.adjacency @ elites.power)
    assert weeks > 10
