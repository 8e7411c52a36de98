"""Plain words for the page: values with their units, labels and tooltips of parameters and metrics.

Everything here is text drawn from the Scenario's and the metrics' own declarations
(`model.scenario.param`, `model.metrics.METRICS`), so a tooltip cannot drift from the model.
"""

from __future__ import annotations

import math
import re

from model.metrics import METRICS
from model.scenario import Scenario

METRIC = {m.name: m for m in METRICS}

#: Labels for names whose words alone read badly; every other name is turned into words.
PLAIN_LABELS: dict[str, str] = {
    "defection_payment_usd": "Payment to each surrendering soldier",
    "defection_offer_start_week": "Payment offered from week",
    "seized_asset_fund_usd": "Defection fund from seized assets",
    "fund_income_usd_per_week": "Income paid into the fund",
    "offer_reach_per_week": "Reach of the surrender line's broadcasts",
    "minority_campaign_intensity": "Campaign on the treatment of minorities",
    "minority_campaign_start_week": "Minority campaign from week",
    "partner_diplomacy": "Diplomacy with Russia's partners",
    "exile_support": "Support for a government-in-exile",
    "exile_formation_week": "Government-in-exile formed in week",
    "western_resolve": "Western resolve",
    "resolve_start_week": "Resolve shown from week",
    "horizon_weeks": "Length of a run",
    "n_soldier_agents": "Soldier agents",
    "soldiers_per_agent": "Soldiers per agent",
    "front_death_hazard_per_week": "Weekly death risk at the front",
    "signup_bonus_rub": "Sign-up bonus",
    "leave_threshold_mean": "Soldiers' threshold for leaving (mean)",
    "punishment_severity": "Punishment of caught deserters",
    "deserter_detection_per_week": "Chance a deserter is caught",
    "crossing_success_prob": "Chance a surrender attempt succeeds",
    "legitimacy": "Regime legitimacy",
    "repression_cop_density": "Police per citizen",
    "conspiracy_cost": "Cost of a failed plot",
    "coup_threshold_power_share": "Coup threshold",
    "leader_commitment": "Leader's commitment to the war",
    "belief_outlast_west": "Leader's belief he can outlast the West",
    "bonus_budget_rub": "Most the leader will pay as a bonus",
    "stability_index": "Stability index",
    "force_active": "Soldiers serving",
    "force_at_front": "Soldiers at the front",
    "desertions_week": "Desertions this week",
    "surrenders_week": "Surrenders this week",
    "elite_loyalty": "Elites loyal (share of power)",
    "elite_pressure": "Elites pressing (share of power)",
    "conspiracy_share": "Elites conspiring (share of power)",
    "leader_threat": "Leader's sense of threat",
    "unrest": "Unrest",
    "partner_cooperation": "Partners' cooperation",
    "fund_balance_usd": "Fund balance",
    "fund_spent_usd": "Paid out",
    "offer_credibility": "Credibility of the offer",
    "war_ended": "War ended",
}


def format_money(value: float, symbol: str) -> str:
    """Money in words a reader takes in at a glance: ``$5 bn``, ``$145 m``, ``1.0 m RUB``.

    Args:
        value: The amount.
        symbol: "USD" (written as a leading $) or another currency code (written after).

    """
    size = abs(value)
    if size >= 1e9:
        number = f"{value / 1e9:.3g} bn"
    elif size >= 1e6:
        number = f"{value / 1e6:.3g} m" if symbol == "USD" else f"{value / 1e6:.1f} m"
    else:
        number = f"{value:,.0f}"
    return f"${number}" if symbol == "USD" else f"{number} {symbol}"


#: Words a typed amount may end with, and what they multiply it by ("5 bn" is 5e9).
AMOUNT_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
                 "bn": 1e9, "b": 1e9, "billion": 1e9}  # fmt: skip
_AMOUNT = re.compile(r"^\$?\s*([-+]?[0-9][0-9,_ ]*(?:\.[0-9]*)?(?:e[-+]?[0-9]+)?)\s*([a-z]*)$")


def format_amount(value: float) -> str:
    """An amount as a number box shows it: whole with thousands separators, ``5,000,000,000``.

    Examples:
        >>> format_amount(5e9)
        '5,000,000,000'
        >>> format_amount(1500.5)
        '1,500.5'

    """
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def parse_amount(text: str) -> float:
    """An amount typed in a number box: digits with separators, an exponent or a scale word.

    Examples:
        >>> parse_amount("5,000,000,000")
        5000000000.0
        >>> parse_amount("$5 bn")
        5000000000.0
        >>> parse_amount("145m USD")
        145000000.0
        >>> parse_amount("1.5e6")
        1500000.0

    Raises:
        ValueError: If `text` is not an amount, with a line saying what is allowed.

    """
    cleaned = text.strip().lower()
    for currency in ("usd", "rub"):
        cleaned = cleaned.removesuffix(currency).strip()
    match = _AMOUNT.match(cleaned)
    scale = AMOUNT_SCALES.get(match.group(2)) if match and match.group(2) else 1.0
    if match is None or scale is None:
        raise ValueError(
            f"'{text}' is not an amount: type a number such as 5000000000, 5,000,000,000, "
            "5e9 or 5 bn"
        )
    return float(re.sub(r"[,_ ]", "", match.group(1))) * scale


def format_value(value: float, unit: str) -> str:
    """A parameter's or metric's value with its unit, as a label shows it.

    Examples:
        >>> format_value(5e9, "USD")
        '$5 bn'
        >>> format_value(1e6, "RUB")
        '1.0 m RUB'
        >>> format_value(50_000, "USD/soldier")
        '$50,000 per soldier'
        >>> format_value(0.3, "share of elite power")
        '30% of elite power'
        >>> format_value(26, "week")
        'week 26'

    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    currency, _, per = unit.partition("/")
    if currency in ("USD", "RUB"):
        text = format_money(value, currency)
        return f"{text} per {per}" if per else text
    if unit == "share":
        return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"
    if unit.startswith("share of "):
        return f"{value:.0%} of {unit.removeprefix('share of ')}"
    if unit in ("probability", "probability/week"):
        text = f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.2%}"
        return f"{text} a week" if unit.endswith("week") else text
    if unit == "week":
        return f"week {value:.0f}"
    if unit == "weeks":
        return f"{value:.0f} weeks ({value / 52:.1f} years)"
    if unit in ("agents", "soldiers", "count"):
        return f"{value:,.0f} {unit}" if unit != "count" else f"{value:,.0f}"
    return f"{value:,.4g} {unit}".strip()


def plain_label(name: str) -> str:
    """A parameter's or metric's name in plain words: ``elite_loyalty`` -> "Elites loyal ..."."""
    if name in PLAIN_LABELS:
        return PLAIN_LABELS[name]
    words = name.replace("_usd", "").replace("_rub", "").replace("_per_week", "").split("_")
    text = " ".join(words)
    return text[0].upper() + text[1:]


def unit_of(name: str) -> str:
    """The unit of a Scenario field or a metric."""
    if name in Scenario.model_fields:
        extra = Scenario.model_fields[name].json_schema_extra or {}
        return str(extra.get("unit", ""))
    return METRIC[name].unit


#: What each parameter role means, in a tooltip's words (model.scenario.param's roles).
ROLE_MEANINGS = {
    "lever": "a Western policy choice",
    "uncertainty": "an assumption whose true value is unknown; the robustness analysis varies it",
    "calibrated": "fitted to a published figure",
    "setting": "how the run is set up or measured",
}


def tooltip(name: str) -> str:
    """What a parameter or metric means, with its unit, bounds and role, from its declaration.

    Raises:
        KeyError: If `name` is neither a Scenario field nor a metric.

    """
    if name in Scenario.model_fields:
        info = Scenario.model_fields[name]
        extra = info.json_schema_extra or {}
        unit = extra.get("unit", "")
        text = f"{info.description} Unit: {unit}." if unit else str(info.description)
        if extra.get("lo") is not None:
            lo, hi = (
                format_value(extra[k], unit) if unit else f"{extra[k]:,g}" for k in ["lo", "hi"]
            )
            text += f" From {lo} to {hi}."
        role = extra.get("role")
        if role:
            text += (
                f" Role: {role} ({ROLE_MEANINGS.get(role, role)}). "
                f"Source: {extra.get('source') or 'assumption'}."
            )
        return text
    metric = METRIC[name]
    return f"{metric.description} Unit: {metric.unit}."
