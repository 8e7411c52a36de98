"""Plain labels with units for figures and tables, from the metrics' and the Scenario's declarations.

A name such as ``defection_payment_usd`` becomes "Defection payment (USD/soldier)": the words of
the name without the unit it ends in, and the unit declared beside it (`model.metrics.METRICS`,
`model.scenario.Scenario`'s ``param(..., unit=...)``). A few names read better spelled out
(`LABELS`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.metrics import METRICS
from model.scenario import Scenario

#: Names whose plain words are not their parts.
LABELS: dict[str, str] = {
    "p_war_ended": "Share of runs in which the war ended",
    "p_end_or_change": "Share of runs ended by negotiation or regime change",
    "desertion_rate_month": "Desertions over 4 weeks, share of the force",
    "minority_death_overrep": "Minority over-representation among the dead",
    "stability_index": "Regime-stability index",
    "min_stability_index": "Lowest regime-stability index",
    "fund_balance_usd": "Defection fund left",
    "fund_spent_usd": "Defection fund paid out",
    "force_active": "Soldiers serving",
    "force_at_front": "Soldiers at the front",
    "signup_bonus_rub": "Sign-up bonus",
    "leader_belief_outlast": "Leader's belief he can outlast the West",
    "leader_threat": "Leader's threat perception",
    "leader_commitment": "Leader's commitment to the war",
    "successor_stance_code": "Successor's stance",
    "outcome_code": "Outcome",
    "war_ended": "War ended",
    "army_cracked": "Army cracked",
    "exile_agreement": "Exile agreement",
    "regime_change": "Regime change",
}
#: Name endings that are units, dropped from the words (the unit is shown in parentheses).
UNIT_ENDINGS = ("_usd", "_rub", "_per_week", "_weeks")
#: Units that are no unit: categories, switches and dates.
NO_UNIT = frozenset({"code", "choice", "date", "constant", "flag", "week"})
#: Abbreviations kept in capitals.
ACRONYMS = {"usd": "USD", "rub": "RUB", "gdp": "GDP", "eu": "EU", "us": "US"}

_METRICS = {m.name: m for m in METRICS}


def _declared(name: str) -> dict[str, Any] | None:
    """The unit and bounds a metric or Scenario parameter declares, or None if neither."""
    if name in _METRICS:
        m = _METRICS[name]
        return {"unit": m.unit, "lo": m.lo, "hi": m.hi}
    field = Scenario.model_fields.get(name)
    if field is None or not isinstance(field.json_schema_extra, dict):
        return None
    return field.json_schema_extra


def plain(name: str) -> str:
    """A name's plain words: "surrenders_week" -> "Surrenders per week"."""
    if name in LABELS:
        return LABELS[name]
    stem = name
    for ending in UNIT_ENDINGS:
        if stem.endswith(ending):
            stem = stem[: -len(ending)]
            break
    if stem.endswith("_week") and name in _METRICS:
        stem = stem[: -len("_week")] + "_per_week"
    elif stem.endswith("_total") and name in _METRICS:
        stem = stem[: -len("_total")] + "_since_the_start"
    words = [ACRONYMS.get(w, w) for w in stem.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def unit(name: str) -> str | None:
    """The unit to show after a name's label, or None where it has none.

    An index whose unit only repeats its name ("legitimacy", "threat") is shown as its range.
    """
    declared = _declared(name)
    if declared is None:
        return None
    shown = str(declared["unit"])
    if shown in NO_UNIT:
        return None
    if shown.lower() in plain(name).lower() and shown != "soldiers":
        if (declared.get("lo"), declared.get("hi")) == (0, 1):
            return "0-1"
        return None
    return shown


def axis_label(name: str) -> str:
    """A name's label with its unit: "Defection payment (USD/soldier)"."""
    shown = unit(name)
    return f"{plain(name)} ({shown})" if shown else plain(name)


def value_label(name: str, value: Any) -> str:
    """A parameter's value with its plain name and unit: "Defection payment 20k USD/soldier"."""
    shown = unit(name)
    number = compact_number(value) if isinstance(value, int | float) else str(value)
    # A share or an index needs no unit after its value.
    return f"{plain(name)} {number}" + (
        f" {shown}" if shown and shown not in ("0-1", "share") else ""
    )


def point_title(row: Any, parameters: list[str]) -> str:
    """A design point's title: its preset's name in words, or its parameters' values."""
    if parameters == ["preset"]:
        return str(row["preset"]).replace("_", " ")
    return ", ".join(value_label(p, row[p]) for p in parameters)


def compact_number(value: float) -> str:
    """A short label: 250k, 1.5m, 100bn; small numbers with 3 significant digits."""
    if pd.isna(value):
        return "-"
    for scale, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"
