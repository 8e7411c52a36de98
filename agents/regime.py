"""The regime's aggregate state as insiders read it: perceived strength and unrest pressure.

Elites, the leader and the stability index all read the same few aggregates (the army's decline,
unrest, economic capacity, legitimacy). They are defined once here so that the three agree.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Population-weighted unrest (share of citizens active) at which its effect saturates
#: (assumption: a fifth of men out in the streets is a regime-threatening uprising).
UNREST_SATURATION = 0.2

#: Weights of perceived regime strength (assumption; they sum to 1 so strength is in [0, 1]).
STRENGTH_WEIGHTS = {"army": 0.35, "calm": 0.25, "capacity": 0.2, "legitimacy": 0.2}


def unrest_pressure(unrest: float) -> float:
    """Unrest scaled to [0, 1]: ``min(1, unrest / UNREST_SATURATION)``."""
    return float(min(1.0, max(0.0, unrest) / UNREST_SATURATION))


def regime_strength(
    army_decline: float, unrest: float, capacity: float, legitimacy: float
) -> float:
    """The regime's strength in [0, 1] as elites see it.

    A weighted mean of the army's intactness (1 - decline), calm (1 - unrest pressure), economic
    capacity and legitimacy, each clipped to [0, 1].

    Examples:
        >>> regime_strength(0.0, 0.0, 1.0, 1.0)
        1.0
        >>> round(regime_strength(1.0, 0.2, 0.0, 0.0), 6)
        0.0

    """
    parts = {
        "army": 1.0 - army_decline,
        "calm": 1.0 - unrest_pressure(unrest),
        "capacity": capacity,
        "legitimacy": legitimacy,
    }
    return weighted_index(STRENGTH_WEIGHTS, parts)


def weighted_index(
    weights: Mapping[str, float], parts: Mapping[str, float], compensated: bool = True
) -> float:
    """The weighted sum of ``parts``, each clipped to [0, 1]: in [0, 1] when the weights sum to 1.

    The regime's strength, the leader's threat and the stability index are such indices. The
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
        return float(sum(terms))
    total = 0.0
    for term in terms:
        total += term
    return float(total)
