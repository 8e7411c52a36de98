"""The regime's aggregate state as insiders read it: perceived strength and unrest pressure.

Elites, the leader and the stability index all read the same few aggregates (the army's decline,
unrest, economic capacity, legitimacy). They are defined once here so that the three agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from agents.from_scenario import STRENGTH_PARTS, ScenarioLike, by_part


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.float64:
    """``np.average(values, weights=weights)`` of float64 arrays, by numpy's own operations.

    The weighted sum (`np.multiply` then `sum`) over the sum of the weights, as ``np.average``
    computes it, without its argument handling, which costs more than the sums for 85 regions or
    100 elites (about 8 against 2 us). Equal to ``np.average`` bit for bit
    (tests/agents/test_regime.py).

    Raises:
        ZeroDivisionError: If the weights sum to zero, as ``np.average`` does.

    Examples:
        >>> float(weighted_mean(np.array([1.0, 3.0]), np.array([3.0, 1.0])))
        1.5

    """
    total = weights.sum(dtype=np.float64)
    if total == 0.0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return np.multiply(values, weights, dtype=np.float64).sum() / total


def unit_interval(x: float) -> float:
    """``x`` clipped to [0, 1] by Python's min and max: ``np.clip``'s value, without its cost.

    ``np.clip`` on a Python float makes an array and back (about 3 us); a NaN stays NaN either way.

    Examples:
        >>> unit_interval(1.5), unit_interval(-0.5), unit_interval(0.25)
        (1.0, 0.0, 0.25)

    """
    return min(max(x, 0.0), 1.0)


def unrest_pressure(unrest: float, saturation: float) -> float:
    """Unrest scaled to [0, 1]: ``min(1, unrest / saturation)``.

    Examples:
        >>> unrest_pressure(0.1, 0.2)
        0.5

    """
    return float(min(1.0, max(0.0, unrest) / saturation))


@dataclass(frozen=True)
class RegimeRule:
    """How insiders read the regime's state.

    Attributes:
        unrest_saturation: Population-weighted unrest at which its effect saturates.
        strength_weights: Weights of the strength components (`STRENGTH_PARTS`), summing to 1
            so that strength is in [0, 1].

    """

    unrest_saturation: float
    strength_weights: Mapping[str, float]

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> RegimeRule:
        """The rule of a Scenario (``unrest_saturation``, ``strength_weight_*``)."""
        return cls(
            unrest_saturation=scenario.unrest_saturation,
            strength_weights=by_part(scenario, "strength_weight_{}", STRENGTH_PARTS),
        )

    def unrest_pressure(self, unrest: float) -> float:
        """Unrest scaled to [0, 1] by this rule's saturation."""
        return unrest_pressure(unrest, self.unrest_saturation)

    def strength(
        self, army_decline: float, unrest: float, capacity: float, legitimacy: float
    ) -> float:
        """The regime's strength in [0, 1] as elites see it.

        A weighted mean of the army's intactness (1 - decline), calm (1 - unrest pressure),
        economic capacity and legitimacy, each clipped to [0, 1].

        Examples:
            >>> rule = RegimeRule(0.2, {"army": 0.35, "calm": 0.25, "capacity": 0.2, "legitimacy": 0.2})
            >>> rule.strength(0.0, 0.0, 1.0, 1.0)
            1.0
            >>> round(rule.strength(1.0, 0.2, 0.0, 0.0), 6)
            0.0

        """
        parts = {
            "army": 1.0 - army_decline,
            "calm": 1.0 - self.unrest_pressure(unrest),
            "capacity": capacity,
            "legitimacy": legitimacy,
        }
        return weighted_index(self.strength_weights, parts)


def weighted_index(
    weights: Mapping[str, float], parts: Mapping[str, float], compensated: bool = True
) -> float:
    """The weighted sum of ``parts``, each clipped to [0, 1], capped at 1.

    The regime's strength, the leader's threat and the stability index are such indices. Their
    weights sum to 1 only within rounding (`model.scenario`'s tolerance), hence the cap. The
    terms are added in the order of ``weights``. Python's `sum` (3.12 and later) compensates the
    rounding of a sum of Python floats (Neumaier), which the strength and the threat have always
    had; the stability index has always been added plainly, term after term (its terms were
    numpy floats, which `sum` does not compensate), and ``compensated=False`` keeps its recorded
    values to the bit: the two ways differ in the last bit in a quarter of the golden runs' weeks.

    Examples:
        >>> weighted_index({"a": 0.75, "b": 0.25}, {"a": 2.0, "b": 0.5})
        0.875

    """
    terms = (weight * min(1.0, max(0.0, parts[k])) for k, weight in weights.items())
    if compensated:
        return float(min(1.0, sum(terms)))
    total = 0.0
    for term in terms:
        total += term
    return float(min(1.0, total))
