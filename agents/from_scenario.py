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

#: The components of the leader's threat perception (the fields of `agents.leader.Threats`); each
#: weight is the Scenario field ``threat_weight_<component>``. Declared here, in a module with no
#: imports, so that model/scenario.py's weight groups read the same list without loading agents.
THREAT_PARTS = (
    "elite_pressure",
    "coup_risk",
    "army_decline",
    "unrest",
    "exile_agreement",
    "army_strain",
    "economic_strain",
)
#: The components of perceived regime strength (`agents.regime`); each weight is the Scenario
#: field ``strength_weight_<component>``.
STRENGTH_PARTS = ("army", "calm", "capacity", "legitimacy")


def by_part(scenario: ScenarioLike, template: str, parts: tuple[str, ...]) -> dict[str, float]:
    """The fields named ``template.format(part)`` for each part, in the parts' order.

    Examples:
        >>> from types import SimpleNamespace
        >>> by_part(SimpleNamespace(w_a=0.25, w_b=0.75), "w_{}", ("a", "b"))
        {'a': 0.25, 'b': 0.75}

    """
    return {part: getattr(scenario, template.format(part)) for part in parts}
