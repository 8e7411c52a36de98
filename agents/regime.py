"""The regime's aggregate state as insiders read it: perceived strength and unrest pressure.

Elites, the leader and the stability index all read the same few aggregates (the army's decline,
unrest, economic capacity, legitimacy). They are defined once here so that the three agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from agents.from_scenario import ScenarioLike, by_part

#: The components of perceived regime strength; each weight is the Scenario field
#: ``strength_weight_<component>``.
STRENGTH_PARTS = ("army", "calm", "capacity", "legitimacy")


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
        weights = self.strength_weights
        # The weights sum to 1 only within rounding: cap the strength at 1.
        return float(min(1.0, sum(weights[k] * min(1.0, max(0.0, v)) for k, v in parts.items())))
