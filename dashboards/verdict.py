"""The verdict of a run in words: what happened, when, and which threshold drove it.

`run_facts` reads what the verdict needs from a model (its outcome, the leader's threat against
the threat he tolerates, its parts, the coups); `verdict` writes it as two sentences. The split
keeps the wording testable without running a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.from_scenario import THREAT_PARTS
from agents.regime import unrest_pressure
from model.model import OutlastModel

#: How each part of the leader's threat reads in a sentence, given its value.
THREAT_PART_WORDS: dict[str, str] = {
    "elite_pressure": "elites pressing {:.0%} of power",
    "coup_risk": "conspirators at {:.0%} of the coup threshold",
    "army_decline": "army decline {:.2f}",
    "unrest": "unrest pressure {:.2f}",
    "exile_agreement": "an exile agreement weighing {:.2f}",
    "army_strain": "army strain {:.2f} (losses not replaced)",
    "economic_strain": "economic strain {:.2f}",
}
SUCCESSOR_WORDS = {
    "ends_war": "the new regime ended the war",
    "continues": "the new regime continued the war",
    "hard_line": "a hard-line regime continued the war",
}


@dataclass(frozen=True)
class CoupFact:
    """A coup attempt: week, conspirators' share of elite power, its chance, its result."""

    week: int
    conspiring_power: float
    success_probability: float
    succeeded: bool


@dataclass(frozen=True)
class RunFacts:
    """What a verdict says, read from a model at its current week.

    Attributes:
        week: The model's week.
        horizon_weeks: The run's length.
        running: Whether the run goes on.
        outcome: "ongoing", "ended_by_negotiation" or "regime_change".
        outcome_week: Week of the outcome, or -1.
        war_ended: Whether the war has ended.
        threat: The leader's threat perception this week.
        tolerance: The threat he tolerates (he ends the war when his threat passes it).
        threat_parts: Each part of his threat: name -> (value in [0, 1], weight).
        coup_threshold: Conspiring share of elite power that triggers a coup attempt.
        coups: The coup attempts so far.
        successor_stance: A new regime's stance ("ends_war", "continues", "hard_line") or "".

    """

    week: int
    horizon_weeks: int
    running: bool
    outcome: str
    outcome_week: int
    war_ended: bool
    threat: float
    tolerance: float
    threat_parts: dict[str, tuple[float, float]]
    coup_threshold: float
    coups: tuple[CoupFact, ...] = field(default=())
    successor_stance: str = ""


def run_facts(model: OutlastModel) -> RunFacts:
    """The facts of a verdict, read from `model` (only read, never stepped)."""
    leader = model.leader
    rule = leader.rule
    threshold = model.coup_rule.threshold
    values = {
        "elite_pressure": model.threat_elite_pressure,
        "coup_risk": min(1.0, model.threat_conspiring_power / threshold),
        "army_decline": model.army_decline(),
        "unrest": unrest_pressure(model.unrest(), rule.unrest_saturation),
        "exile_agreement": model.exile.support if model.exile.agreement else 0.0,
        "army_strain": model.army_strain(),
        "economic_strain": model.economic_strain(),
    }
    parts = {name: (float(values[name]), float(rule.threat_weights[name])) for name in THREAT_PARTS}
    coups = tuple(
        CoupFact(e.week, e.conspiring_power, e.success_probability, e.succeeded)
        for e in model.coup_events
    )
    return RunFacts(
        week=int(model.week),
        horizon_weeks=int(model.params.horizon_weeks),
        running=bool(model.running),
        outcome=str(model.outcome),
        outcome_week=int(model.outcome_week),
        war_ended=bool(model.war_ended),
        threat=float(leader.threat),
        tolerance=float(leader.bar),
        threat_parts=parts,
        coup_threshold=float(threshold),
        coups=coups,
        successor_stance=str(getattr(model, "successor_stance", "") or ""),
    )


def main_pressures(parts: dict[str, tuple[float, float]], n: int = 3) -> str:
    """The `n` parts adding most to the threat (weight x value), in words, largest first."""
    ranked = sorted(parts.items(), key=lambda kv: kv[1][0] * kv[1][1], reverse=True)
    words = [THREAT_PART_WORDS[name].format(value) for name, (value, w) in ranked[:n] if w * value]
    return ", ".join(words) if words else "no pressure on him at all"


def _failed_coups(facts: RunFacts) -> str:
    failed = [c for c in facts.coups if not c.succeeded]
    if not failed:
        return ""
    weeks = ", ".join(str(c.week) for c in failed)
    return f" {len(failed)} coup attempt(s) failed (week {weeks}) and were followed by purges."


def verdict(facts: RunFacts) -> tuple[str, str]:
    """A headline and its why.

    Examples:
        >>> f = RunFacts(73, 156, False, "ended_by_negotiation", 73, True, 0.52, 0.48,
        ...     {"elite_pressure": (0.41, 0.3), "army_strain": (0.35, 0.2),
        ...      "unrest": (0.0, 0.1)}, 0.3)
        >>> verdict(f)[0]
        'The leader ended the war by negotiation in week 73.'
        >>> print(verdict(f)[1])  # doctest: +NORMALIZE_WHITESPACE
        The leader's threat 0.52 passed his tolerance 0.48 in week 73: elites pressing 41% of
        power, army strain 0.35 (losses not replaced).

    """
    pressures = main_pressures(facts.threat_parts)
    if facts.outcome == "ended_by_negotiation":
        return (
            f"The leader ended the war by negotiation in week {facts.outcome_week}.",
            f"The leader's threat {facts.threat:.2f} passed his tolerance {facts.tolerance:.2f} "
            f"in week {facts.outcome_week}: {pressures}." + _failed_coups(facts),
        )
    if facts.outcome == "regime_change":
        coup = next((c for c in facts.coups if c.succeeded), None)
        stance = SUCCESSOR_WORDS.get(facts.successor_stance, "a new regime took over")
        ended = "The war ended" if facts.war_ended else "The war went on"
        why = (
            f"A coup succeeded in week {facts.outcome_week}: {stance}."
            if coup is None
            else f"Conspirators held {coup.conspiring_power:.0%} of elite power, past the coup "
            f"threshold of {facts.coup_threshold:.0%}, in week {coup.week}; the coup succeeded "
            f"(its chance was {coup.success_probability:.0%}) and {stance}."
        )
        return f"{ended} after a coup in week {facts.outcome_week}.", why + _failed_coups(facts)
    margin = facts.tolerance - facts.threat
    if facts.running:
        head = f"Week {facts.week}: the war goes on."
    else:
        head = f"The war went on to the end of the run (week {facts.week})."
    return (
        head,
        f"The leader's threat {facts.threat:.2f} is {margin:.2f} below his tolerance "
        f"{facts.tolerance:.2f} (he ends the war when it passes); the main pressures: "
        f"{pressures}." + _failed_coups(facts),
    )
