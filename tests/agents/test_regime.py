import pytest

from agents.regime import STRENGTH_WEIGHTS, UNREST_SATURATION, regime_strength, unrest_pressure


def test_strength_weights_sum_to_one():
    assert sum(STRENGTH_WEIGHTS.values()) == pytest.approx(1.0)


def test_unrest_pressure_saturates():
    assert unrest_pressure(0.0) == 0.0
    assert unrest_pressure(UNREST_SATURATION / 2) == pytest.approx(0.5)
    assert unrest_pressure(0.9) == 1.0


@pytest.mark.parametrize(
    ("field", "worse"),
    [("army_decline", 0.4), ("unrest", 0.1), ("capacity", 0.6), ("legitimacy", 0.4)],
)
def test_strength_falls_as_any_input_worsens(field, worse):
    good = {"army_decline": 0.0, "unrest": 0.0, "capacity": 1.0, "legitimacy": 0.8}
    assert regime_strength(**{**good, field: worse}) < regime_strength(**good)
    assert 0.0 <= regime_strength(**{**good, field: worse}) <= 1.0
