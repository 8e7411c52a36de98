"""Reading rules from a Scenario without importing it: imports run model -> agents, never back.

Every rule's ``from_scenario`` takes any object with the Scenario's attributes (``model.scenario``
's `Scenario`, a test's stand-in). Values that vary by kind, partner or component are flat
Scenario fields named after their part (``threat_weight_unrest``, ``elite_share_military``), so
that a sweep can vary each; `by_part` gathers them back.
"""

from __future__ import annotations

from typing import Any

#: Any object with the Scenario's fields as attributes.
ScenarioLike = Any


def by_part(scenario: ScenarioLike, template: str, parts: tuple[str, ...]) -> dict[str, float]:
    """The fields named ``template.format(part)`` for each part, in the parts' order.

    Examples:
        >>> from types import SimpleNamespace
        >>> by_part(SimpleNamespace(w_a=0.25, w_b=0.75), "w_{}", ("a", "b"))
        {'a': 0.25, 'b': 0.75}

    """
    return {part: getattr(scenario, template.format(part)) for part in parts}
