import numpy as np
import pytest

from agents.regime import RegimeRule, unit_interval, unrest_pressure, weighted_index, weighted_mean
from model.scenario import Scenario

RULE = RegimeRule.from_scenario(Scenario())


def test_strength_weights_sum_to_one():
    assert sum(RULE.strength_weights.values()) == pytest.approx(1.0)


def test_unrest_pressure_saturates():
    assert unrest_pressure(0.0, RULE.unrest_saturation) == 0.0
    assert RULE.unrest_pressure(RULE.unrest_saturation / 2) == pytest.approx(0.5)
    assert RULE.unrest_pressure(0.9) == 1.0


@pytest.mark.parametrize(
    ("field", "worse"),
    [("army_decline", 0.4), ("unrest", 0.1), ("capacity", 0.6), ("legitimacy", 0.4)],
)
def test_strength_falls_as_any_input_worsens(field, worse):
    good = {"army_decline": 0.0, "unrest": 0.0, "capacity": 1.0, "legitimacy": 0.8}
    assert RULE.strength(**{**good, field: worse}) < RULE.strength(**good)
    assert 0.0 <= RULE.strength(**{**good, field: worse}) <= 1.0


def test_weighted_index_clips_each_part_and_adds_in_the_weights_order():
    weights = {"a": 0.5, "b": 0.25, "c": 0.25}
    assert weighted_index(weights, {"c": 0.5, "b": -3.0, "a": 7.0}) == 0.625
    # Compensated and plain sums of the same terms can differ in the last bit, never more.
    weights = {"a": 0.3, "b": 0.15, "c": 0.2, "d": 0.15, "e": 0.2}
    parts = {"a": 1.0, "b": 0.6408427688623055, "c": 1.0, "d": 1.0, "e": 0.9461264153293458}
    plain = weighted_index(weights, parts, compensated=False)
    assert weighted_index(weights, parts) == pytest.approx(plain, rel=1e-15, abs=0)


@pytest.mark.parametrize("n", [1, 7, 85, 100, 1_000])
def test_weighted_mean_is_np_average_bit_for_bit(n):
    rng = np.random.default_rng(n)
    for _ in range(50):
        values = rng.random(n) * rng.choice([1e-3, 1.0, 1e6])
        weights = rng.pareto(1.5, n) + rng.choice([0.0, 1.0])
        assert weighted_mean(values, weights) == np.average(values, weights=weights)
    with pytest.raises(ZeroDivisionError):
        weighted_mean(np.ones(n), np.zeros(n))


def test_unit_interval_is_np_clip():
    for x in [-np.inf, -1.5, -1e-300, 0.0, 1e-300, 0.3, 1.0 - 1e-16, 1.0, 1.5, np.inf]:
        assert unit_interval(x) == float(np.clip(x, 0.0, 1.0))
    assert np.isnan(unit_interval(float("nan")))
