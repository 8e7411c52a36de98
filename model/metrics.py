"""Regime-stability metrics: their definitions, ranges, and the run summary.

Every weekly metric is declared once in `METRICS` with its unit, range and meaning; the model's
DataCollector, the CLI's tables, the dashboard and the tests all read this list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.from_scenario import ScenarioLike, by_part

if TYPE_CHECKING:
    from model.model import OutlastModel

INF = float("inf")

OUTCOMES = ("ongoing", "ended_by_negotiation", "regime_change")

#: The components of the composite regime-stability index; each weight is the Scenario field
#: ``stability_weight_<component>``.
STABILITY_PARTS = ("elite_loyalty", "calm", "force_ratio", "partner_cooperation", "security")


def stability_weights(scenario: ScenarioLike) -> dict[str, float]:
    """The stability index's weights of a Scenario, by component (`STABILITY_PARTS`)."""
    return by_part(scenario, "stability_weight_{}", STABILITY_PARTS)


@dataclass(frozen=True)
class Metric:
    """A weekly metric: name, unit, allowed range and meaning."""

    name: str
    unit: str
    lo: float
    hi: float
    description: str


METRICS: tuple[Metric, ...] = (
    Metric("week", "week", 0, INF, "Weeks since the start."),
    Metric("force_active", "soldiers", 0, INF, "Soldiers serving (front and rear)."),
    Metric("force_at_front", "soldiers", 0, INF, "Soldiers serving at the front."),
    Metric("recruits_week", "soldiers", 0, INF, "Soldiers recruited this week."),
    Metric("deaths_week", "soldiers", 0, INF, "Soldiers killed this week."),
    Metric(
        "invalided_week",
        "soldiers",
        0,
        INF,
        "Soldiers who left the force for good this week through wounds, illness or discharge.",
    ),
    Metric("desertions_week", "soldiers", 0, INF, "Soldiers who deserted this week."),
    Metric("surrenders_week", "soldiers", 0, INF, "Soldiers who surrendered this week."),
    Metric(
        "recruits_total",
        "soldiers",
        0,
        INF,
        "Soldiers recruited since the start (incl. the initial force).",
    ),
    Metric("deaths_total", "soldiers", 0, INF, "Soldiers killed since the start."),
    Metric("invalided_total", "soldiers", 0, INF, "Soldiers invalided out since the start."),
    Metric(
        "desertions_total",
        "soldiers",
        0,
        INF,
        "Desertions since the start (a returned deserter counts).",
    ),
    Metric("surrenders_total", "soldiers", 0, INF, "Surrenders since the start."),
    Metric("deserters_at_large", "soldiers", 0, INF, "Deserters not (yet) caught."),
    Metric(
        "deserters_returned_total", "soldiers", 0, INF, "Deserters caught and returned to units."
    ),
    Metric(
        "hotline_contacts_week",
        "soldiers",
        0,
        INF,
        "Aware front soldiers who contacted the surrender line for the first time this week.",
    ),
    Metric(
        "hotline_contacts_total",
        "soldiers",
        0,
        INF,
        "Soldiers who have contacted the surrender line (each counted once).",
    ),
    Metric(
        "hotline_surrenders_total",
        "soldiers",
        0,
        INF,
        "Surrenders by soldiers aware of the line and offer (those the line would count).",
    ),
    Metric("desertion_rate_month", "share", 0, 1, "Desertions in the last 4 weeks over the force."),
    Metric("fund_balance_usd", "USD", 0, INF, "Money left in the defection fund."),
    Metric("fund_spent_usd", "USD", 0, INF, "Money paid out to surrendering soldiers."),
    Metric(
        "claims_unpaid_total", "soldiers", 0, INF, "Surrendered soldiers the fund could not pay."
    ),
    Metric("offer_credibility", "share", 0, 1, "Credibility of the Western offer."),
    Metric("aware_share", "share", 0, 1, "Share of serving soldiers aware of the Western offer."),
    Metric(
        "minority_death_overrep",
        "ratio",
        0,
        INF,
        "Minority share of the dead over minority share of men 16-61.",
    ),
    Metric("signup_bonus_rub", "RUB", 0, INF, "The sign-up bonus in force."),
    Metric("unrest", "share", 0, 1, "Share of citizens active in unrest, weighted by men 16-61."),
    Metric("unrest_max_region", "share", 0, 1, "Unrest in the most restive region."),
    Metric(
        "minority_unrest",
        "share",
        0,
        1,
        "Regional unrest weighted by minority men (men 16-61 x minority share).",
    ),
    Metric(
        "grievance", "share", 0, 1, "Mean citizen grievance G = H(1 - L), weighted by men 16-61."
    ),
    Metric("elite_loyalty", "share", 0, 1, "Power-weighted share of elites who stay loyal."),
    Metric(
        "elite_pressure", "share", 0, 1, "Power-weighted share of elites pressing or conspiring."
    ),
    Metric("conspiracy_share", "share", 0, 1, "Power-weighted share of elites conspiring."),
    Metric("elite_fear", "share", 0, 1, "Power-weighted mean of elites' own fear (purges)."),
    Metric("coup_attempts", "count", 0, INF, "Coup attempts since the start."),
    Metric("coups_succeeded", "count", 0, INF, "Successful coups since the start."),
    Metric("elites_purged", "count", 0, INF, "Elites purged and replaced since the start."),
    Metric("partner_cooperation", "share", 0, 1, "Partners' cooperation relative to its start."),
    Metric("regime_capacity", "share", 0, 1, "Economic capacity (partners' support)."),
    Metric(
        "legitimacy", "share", 0, 1, "Legitimacy L in the unrest rule, including any rally effect."
    ),
    Metric("leader_threat", "share", 0, 1, "The leader's threat perception."),
    Metric("leader_commitment", "share", 0, 1, "The leader's commitment to continuing the war."),
    Metric(
        "leader_belief_outlast", "share", 0, 1, "The leader's belief that he can outlast the West."
    ),
    Metric("repression", "share", 0, 1, "Repression added by the leader in response to threats."),
    Metric("exile_progress", "share", 0, 1, "Progress of the exile government's talks with Kyiv."),
    Metric("exile_agreement", "flag", 0, 1, "1 once the exile government and Kyiv agree."),
    Metric("regime_strength", "share", 0, 1, "The regime's strength as elites see it."),
    Metric(
        "stability_index",
        "share",
        0,
        1,
        "Composite regime-stability index (weights in docs/MODEL.md).",
    ),
    Metric("outcome_code", "code", 0, 2, "0 war ongoing, 1 ended by negotiation, 2 regime change."),
    Metric("war_ended", "flag", 0, 1, "1 once the war has ended (by negotiation or after a coup)."),
)

METRIC_NAMES = tuple(m.name for m in METRICS)


def stability_index(
    elite_loyalty: float,
    unrest_pressure: float,
    force_ratio: float,
    partner_cooperation: float,
    leader_threat: float,
    weights: Mapping[str, float],
) -> float:
    """Weighted mean of five components, each in [0, 1]; 1 is a fully stable regime.

    Components: power-weighted elite loyalty; calm = 1 - unrest pressure (unrest over its
    saturation, capped at 1); the active force relative to its start (capped at 1); partners'
    cooperation relative to its start; security = 1 - the leader's threat.

    Examples:
        >>> w = {"elite_loyalty": 0.3, "calm": 0.15, "force_ratio": 0.2,
        ...      "partner_cooperation": 0.15, "security": 0.2}
        >>> stability_index(1.0, 0.0, 1.0, 1.0, 0.0, w)
        1.0
        >>> stability_index(0.0, 1.0, 0.0, 0.0, 1.0, w)
        0.0

    """
    parts = {
        "elite_loyalty": elite_loyalty,
        "calm": 1.0 - unrest_pressure,
        "force_ratio": min(1.0, force_ratio),
        "partner_cooperation": partner_cooperation,
        "security": 1.0 - leader_threat,
    }
    return float(sum(weights[k] * np.clip(v, 0.0, 1.0) for k, v in parts.items()))


def summary(model: OutlastModel) -> dict[str, object]:
    """The run's final summary: outcome, its week, and the last week's key metrics."""
    last = model.metrics
    return {
        "outcome": model.outcome,
        "outcome_week": model.outcome_week,
        "war_ended": bool(model.war_ended),
        "weeks_run": int(last["week"]),
        "force_active": last["force_active"],
        "desertions_total": last["desertions_total"],
        "surrenders_total": last["surrenders_total"],
        "deaths_total": last["deaths_total"],
        "recruits_total": last["recruits_total"],
        "invalided_total": last["invalided_total"],
        "hotline_contacts_total": last["hotline_contacts_total"],
        "hotline_surrenders_total": last["hotline_surrenders_total"],
        "fund_spent_usd": last["fund_spent_usd"],
        "fund_balance_usd": last["fund_balance_usd"],
        "elite_loyalty": last["elite_loyalty"],
        "unrest": last["unrest"],
        "coup_attempts": last["coup_attempts"],
        "coups_succeeded": last["coups_succeeded"],
        "elites_purged": last["elites_purged"],
        "exile_agreement_week": model.exile.agreement_week,
        "leader_belief_outlast": last["leader_belief_outlast"],
        "partner_cooperation": last["partner_cooperation"],
        "stability_index": last["stability_index"],
        "min_stability_index": float(min(model.stability_history)),
    }
