"""Regime-stability metrics: each declared once with the function that computes it; the run summary.

Every weekly metric is declared once in `METRICS` with its unit, range, meaning and compute
function, as EMA Workbench's ``Outcome(name, function=...)`` and Mesa's DataCollector reporters
are. The model evaluates them once a week (`compute_metrics`), its DataCollector reports them
(`metric_reporters`), and the CLI's tables, the dashboard and the tests read this list; the run
`summary` is declared the same way (`SUMMARY`).

A compute function takes the model and the week's `WeekContext`: what several metrics share is
computed once a week there (the army census counts every soldier; it must not run per metric).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import mesa
import numpy as np

from agents.from_scenario import ScenarioLike, by_part
from agents.partners import SupplyChannel
from agents.regime import weighted_index
from agents.soldiers import Census, SoldierStatus

INF = float("inf")

OUTCOMES = ("ongoing", "ended_by_negotiation", "regime_change")
#: A new regime's stance towards the war: no new regime, it ends the war, it continues it as
#: before, or it is hard-line (docs/MODEL.md, "Coups").
SUCCESSOR_STANCES = ("none", "ends_war", "continues", "hard_line")

#: The components of the composite regime-stability index; each weight is the Scenario field
#: ``stability_weight_<component>``.
STABILITY_PARTS = ("elite_loyalty", "calm", "force_ratio", "partner_cooperation", "security")


def stability_weights(scenario: ScenarioLike) -> dict[str, float]:
    """The stability index's weights of a Scenario, by component (`STABILITY_PARTS`)."""
    return by_part(scenario, "stability_weight_{}", STABILITY_PARTS)


@dataclass(frozen=True)
class WeekContext:
    """What several metrics read, computed once per week.

    Attributes:
        census: The army's census (counts of soldier agents by status and more).
        per: Real soldiers each agent stands for.
        unrest: Unrest weighted by men 16-61.
        elite_loyalty: Power share of elites who stay loyal.
        partner_cooperation: Partners' cooperation relative to its start, capped at 1.

    """

    census: Census
    per: float
    unrest: float
    elite_loyalty: float
    partner_cooperation: float

    @classmethod
    def of(cls, model: mesa.Model) -> WeekContext:
        """This week's context of an OutlastModel."""
        return cls(
            census=model.corps.census(),
            per=model.params.soldiers_per_agent,
            unrest=model.unrest(),
            elite_loyalty=1.0 - model.elite_pressure,
            partner_cooperation=min(1.0, model.partner_cooperation()),
        )

    @property
    def counts(self) -> np.ndarray:
        """Soldier agents by status."""
        return self.census.by_status


#: A metric's compute function: the model and the week's context -> the value.
Compute = Callable[[mesa.Model, WeekContext], float]


@dataclass(frozen=True)
class Metric:
    """A weekly metric: name, unit, allowed range, meaning and the function that computes it.

    `flow` marks a count within the week (zero once a run has ended); every other metric is a
    stock, a level at the week, unknown once a run has ended (a "flag" metric is 1 from the week
    it happens on and stays 1, so its last value holds after the end).
    """

    name: str
    unit: str
    lo: float
    hi: float
    description: str
    compute: Compute
    flow: bool = False


def _this_week(count: str) -> Compute:
    """A metric of this week's soldiers counted under `count` (recruits, deaths, ...)."""
    return lambda m, w: m.week_counts[count] * w.per


def _since_start(count: str) -> Compute:
    """A metric of the soldiers counted under `count` since the start."""
    return lambda m, w: m.cumulative[count] * w.per


def _desertion_rate_month(m: mesa.Model, w: WeekContext) -> float:
    return min(1.0, sum(m.recent_desertions) / max(w.counts[SoldierStatus.ACTIVE], 1))


def _aware_share(m: mesa.Model, w: WeekContext) -> float:
    active = w.counts[SoldierStatus.ACTIVE]
    return w.census.active_aware / active if active else 0.0


def _minority_death_overrep(m: mesa.Model, w: WeekContext) -> float:
    # With no dead yet, the ratio is 1: the dead are taken to mirror the men.
    minority_men = m.regions.population_weighted(m.regions.minority_share)
    dead = w.counts[SoldierStatus.KILLED]
    dead_minority = w.census.killed_minority / dead if dead else minority_men
    return float(dead_minority / minority_men)


def _stability_index(m: mesa.Model, w: WeekContext) -> float:
    force_ratio = w.counts[SoldierStatus.ACTIVE] / m.initial_active if m.initial_active else 0.0
    return stability_index(
        w.elite_loyalty,
        m.regime_rule.unrest_pressure(w.unrest),
        force_ratio,
        w.partner_cooperation,
        m.leader.threat,
        m.stability_weights,
    )


def _army_cracked(m: mesa.Model, w: WeekContext) -> float:
    # A stock: 1 from the first week the force fell below the share of its highest level so far.
    history = np.asarray(m.active_history)
    return float(np.any(history < m.params.army_crack_share * np.maximum.accumulate(history)))


METRICS: tuple[Metric, ...] = (
    Metric("week", "week", 0, INF, "Weeks since the start.", lambda m, w: float(m.week)),
    Metric(
        "force_active",
        "soldiers",
        0,
        INF,
        "Soldiers serving (front and rear).",
        lambda m, w: w.counts[SoldierStatus.ACTIVE] * w.per,
    ),
    Metric(
        "force_at_front",
        "soldiers",
        0,
        INF,
        "Soldiers serving at the front.",
        lambda m, w: float(w.census.active_at_front) * w.per,
    ),
    Metric(
        "recruits_week",
        "soldiers",
        0,
        INF,
        "Soldiers recruited this week.",
        _this_week("recruits"),
        flow=True,
    ),
    Metric(
        "deaths_week",
        "soldiers",
        0,
        INF,
        "Soldiers killed this week.",
        _this_week("deaths"),
        flow=True,
    ),
    Metric(
        "invalided_week",
        "soldiers",
        0,
        INF,
        "Soldiers who left the force for good this week through wounds, illness or discharge.",
        _this_week("invalided"),
        flow=True,
    ),
    Metric(
        "desertions_week",
        "soldiers",
        0,
        INF,
        "Soldiers who deserted this week.",
        _this_week("desertions"),
        flow=True,
    ),
    Metric(
        "surrenders_week",
        "soldiers",
        0,
        INF,
        "Soldiers who surrendered this week.",
        _this_week("surrenders"),
        flow=True,
    ),
    Metric(
        "recruits_total",
        "soldiers",
        0,
        INF,
        "Soldiers recruited since the start (incl. the initial force).",
        lambda m, w: m.corps.size * w.per,
    ),
    Metric(
        "deaths_total",
        "soldiers",
        0,
        INF,
        "Soldiers killed since the start.",
        lambda m, w: w.counts[SoldierStatus.KILLED] * w.per,
    ),
    Metric(
        "invalided_total",
        "soldiers",
        0,
        INF,
        "Soldiers invalided out since the start.",
        lambda m, w: w.counts[SoldierStatus.INVALIDED] * w.per,
    ),
    Metric(
        "desertions_total",
        "soldiers",
        0,
        INF,
        "Desertions since the start (a returned deserter counts).",
        _since_start("desertions"),
    ),
    Metric(
        "surrenders_total",
        "soldiers",
        0,
        INF,
        "Surrenders since the start.",
        lambda m, w: w.counts[SoldierStatus.SURRENDERED] * w.per,
    ),
    Metric(
        "deserters_at_large",
        "soldiers",
        0,
        INF,
        "Deserters not (yet) caught.",
        lambda m, w: w.counts[SoldierStatus.DESERTED] * w.per,
    ),
    Metric(
        "deserters_returned_total",
        "soldiers",
        0,
        INF,
        "Deserters caught and returned to units.",
        _since_start("returned"),
    ),
    Metric(
        "hotline_contacts_week",
        "soldiers",
        0,
        INF,
        "Aware front soldiers who contacted the surrender line for the first time this week.",
        _this_week("contacts"),
        flow=True,
    ),
    Metric(
        "hotline_contacts_total",
        "soldiers",
        0,
        INF,
        "Soldiers who have contacted the surrender line (each counted once).",
        _since_start("contacts"),
    ),
    Metric(
        "hotline_surrenders_total",
        "soldiers",
        0,
        INF,
        "Surrenders by soldiers aware of the line and offer (those the line would count).",
        lambda m, w: m.hotline_surrenders * w.per,
    ),
    Metric(
        "desertion_rate_month",
        "share",
        0,
        1,
        "Desertions in the last 4 weeks over the force.",
        _desertion_rate_month,
    ),
    Metric(
        "fund_balance_usd",
        "USD",
        0,
        INF,
        "Money left in the defection fund.",
        lambda m, w: m.fund.balance_usd,
    ),
    Metric(
        "fund_spent_usd",
        "USD",
        0,
        INF,
        "Money paid out to surrendering soldiers.",
        lambda m, w: m.fund.spent_usd,
    ),
    Metric(
        "claims_unpaid_total",
        "soldiers",
        0,
        INF,
        "Surrendered soldiers the fund could not pay.",
        lambda m, w: m.fund.claims_unpaid * w.per,
    ),
    Metric(
        "offer_credibility",
        "share",
        0,
        1,
        "Credibility of the Western offer.",
        lambda m, w: m.fund.credibility,
    ),
    Metric(
        "aware_share",
        "share",
        0,
        1,
        "Share of serving soldiers aware of the Western offer.",
        _aware_share,
    ),
    Metric(
        "minority_death_overrep",
        "ratio",
        0,
        INF,
        "Minority share of the dead over minority share of men 16-61.",
        _minority_death_overrep,
    ),
    Metric(
        "signup_bonus_rub",
        "RUB",
        0,
        INF,
        "The sign-up bonus in force.",
        lambda m, w: m.leader.bonus_rub,
    ),
    Metric(
        "unrest",
        "share",
        0,
        1,
        "Share of citizens active in unrest, weighted by men 16-61.",
        lambda m, w: w.unrest,
    ),
    Metric(
        "unrest_max_region",
        "share",
        0,
        1,
        "Unrest in the most restive region.",
        lambda m, w: float(m.regions.unrest.max()),
    ),
    Metric(
        "minority_unrest",
        "share",
        0,
        1,
        "Regional unrest weighted by minority men (men 16-61 x minority share).",
        lambda m, w: m.minority_unrest(),
    ),
    Metric(
        "grievance",
        "share",
        0,
        1,
        "Mean citizen grievance G = H(1 - L), weighted by men 16-61.",
        lambda m, w: m.regions.population_weighted(m.regions.grievance),
    ),
    Metric(
        "elite_loyalty",
        "share",
        0,
        1,
        "Power-weighted share of elites who stay loyal.",
        lambda m, w: w.elite_loyalty,
    ),
    Metric(
        "elite_pressure",
        "share",
        0,
        1,
        "Power-weighted share of elites pressing or conspiring.",
        lambda m, w: m.elite_pressure,
    ),
    Metric(
        "conspiracy_share",
        "share",
        0,
        1,
        "Power-weighted share of elites conspiring.",
        lambda m, w: m.conspiring_power,
    ),
    Metric(
        "elite_fear",
        "share",
        0,
        1,
        "Power-weighted mean of elites' own fear (purges).",
        lambda m, w: m.elites.mean_fear(),
    ),
    Metric(
        "coup_attempts",
        "count",
        0,
        INF,
        "Coup attempts since the start.",
        lambda m, w: float(m.coup_attempts),
    ),
    Metric(
        "coups_succeeded",
        "count",
        0,
        INF,
        "Successful coups since the start.",
        lambda m, w: float(m.coups_succeeded),
    ),
    Metric(
        "elites_purged",
        "count",
        0,
        INF,
        "Elites purged and replaced since the start.",
        lambda m, w: float(m.elites.purges),
    ),
    Metric(
        "partner_cooperation",
        "share",
        0,
        1,
        "Partners' cooperation relative to its start.",
        lambda m, w: w.partner_cooperation,
    ),
    Metric(
        "regime_capacity",
        "share",
        0,
        1,
        "Economic capacity (partners' support).",
        lambda m, w: m.regime_capacity(),
    ),
    Metric(
        "legitimacy",
        "share",
        0,
        1,
        "Legitimacy L in the unrest rule, including any rally effect.",
        lambda m, w: m.legitimacy(),
    ),
    Metric(
        "leader_threat",
        "share",
        0,
        1,
        "The leader's threat perception.",
        lambda m, w: m.leader.threat,
    ),
    Metric(
        "leader_commitment",
        "share",
        0,
        1,
        "The leader's commitment to continuing the war.",
        lambda m, w: m.leader.commitment,
    ),
    Metric(
        "leader_belief_outlast",
        "share",
        0,
        1,
        "The leader's belief that he can outlast the West.",
        lambda m, w: m.leader.belief_outlast,
    ),
    Metric(
        "repression",
        "share",
        0,
        1,
        "Repression added by the leader in response to threats.",
        lambda m, w: m.leader.repression,
    ),
    Metric(
        "exile_progress",
        "share",
        0,
        1,
        "Progress of the exile government's talks with Kyiv.",
        lambda m, w: m.exile.progress,
    ),
    Metric(
        "exile_agreement",
        "flag",
        0,
        1,
        "1 once the exile government and Kyiv agree.",
        lambda m, w: float(m.exile.agreement),
    ),
    Metric(
        "regime_strength",
        "share",
        0,
        1,
        "The regime's strength as elites see it.",
        lambda m, w: m.regime_strength(),
    ),
    Metric(
        "stability_index",
        "share",
        0,
        1,
        "Composite regime-stability index (weights in docs/MODEL.md).",
        _stability_index,
    ),
    Metric(
        "outcome_code",
        "code",
        0,
        2,
        "0 war ongoing, 1 ended by negotiation, 2 regime change.",
        lambda m, w: float(OUTCOMES.index(m.outcome)),
    ),
    Metric(
        "war_ended",
        "flag",
        0,
        1,
        "1 once the war has ended (by negotiation or after a coup).",
        lambda m, w: float(m.war_ended),
    ),
    Metric(
        "regime_change",
        "flag",
        0,
        1,
        "1 once a coup has replaced the leader (whether or not the war then ends).",
        lambda m, w: float(m.outcome == "regime_change"),
    ),
    Metric(
        "successor_stance_code",
        "code",
        0,
        3,
        "A new regime's stance: 0 no new regime, 1 ends the war, 2 continues it, 3 hard-line.",
        lambda m, w: float(SUCCESSOR_STANCES.index(m.successor_stance)),
    ),
    Metric(
        "army_strain",
        "share",
        0,
        1,
        "Share of the army's losses over the trend window that recruits did not replace.",
        lambda m, w: m.army_strain(),
    ),
    Metric(
        "economic_strain",
        "share",
        0,
        1,
        "1 - economic capacity after partners' cooperation and sanctions, as the leader reads it.",
        lambda m, w: m.economic_strain(),
    ),
    Metric(
        "army_cracked",
        "flag",
        0,
        1,
        "1 from the first week the active force fell below army_crack_share of its highest level "
        "so far.",
        _army_cracked,
    ),
    Metric(
        "elites_defected",
        "count",
        0,
        INF,
        "Military and security elites who defected to the government-in-exile since the start.",
        lambda m, w: float(m.elites.defections),
    ),
    Metric(
        "exile_contacts_detected",
        "count",
        0,
        INF,
        "Elites' contacts with the government-in-exile detected (and purged) since the start.",
        lambda m, w: float(m.elites.contacts_detected),
    ),
    Metric(
        "partner_munitions_supply",
        "share",
        0,
        1,
        "Partners' munitions and drones relative to their start.",
        lambda m, w: m.partner_supply(SupplyChannel.MUNITIONS),
    ),
    Metric(
        "partner_labour_supply",
        "share",
        0,
        1,
        "Partners' migrant labour relative to its start.",
        lambda m, w: m.partner_supply(SupplyChannel.LABOUR),
    ),
)

METRIC_NAMES = tuple(m.name for m in METRICS)


def compute_metrics(model: mesa.Model) -> dict[str, float]:
    """This week's value of every metric, by name in `METRICS` order."""
    week = WeekContext.of(model)
    return {m.name: m.compute(model, week) for m in METRICS}


def read_metric(model: mesa.Model, name: str) -> float:
    """A DataCollector reporter: one of the metrics the model computed this week."""
    return model.metrics[name]


def metric_reporters() -> dict[str, Callable[[mesa.Model], float]]:
    """The DataCollector's model reporters, one per metric in `METRICS` order."""
    return {name: partial(read_metric, name=name) for name in METRIC_NAMES}


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector over `METRICS`, reading the values the model computed this week.

    The first collection goes through Mesa's own `collect` (which validates the reporters); later
    ones append ``model.metrics[name]`` to each column directly. Mesa would call each reporter
    and deep-copy its value: the values are Python or numpy floats and ints, which are immutable,
    so the copy is the value itself (equality with Mesa's own collector is tested in
    tests/model/test_metric_declarations.py). That saves about 40 us of a week's 2 ms.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters=metric_reporters())

    def collect(self, model: mesa.Model) -> None:
        """Record this week's metrics (``model.metrics``) as one row."""
        if not getattr(self, "_validated", False) or self.agent_reporters or self.tables:
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        metrics = model.metrics
        for name, column in self.model_vars.items():
            column.append(metrics[name])


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
    return weighted_index(weights, parts, compensated=False)


@dataclass(frozen=True)
class SummaryItem:
    """One entry of the run summary: its name and the function of the model that gives it."""

    name: str
    compute: Callable[[mesa.Model], Any]


def _last(name: str) -> SummaryItem:
    """A summary entry that is a metric's value in the last week collected."""
    if name not in METRIC_NAMES:
        raise ValueError(f"the summary names '{name}', which is not a metric")
    return SummaryItem(name, lambda m: m.metrics[name])


def _force_below_start_week(m: mesa.Model) -> int | None:
    # The fund's test (docs/ROBUSTNESS.md, "The fund's price"): did the active force ever fall
    # below its starting size, and when? active_history[i] is the force at the end of week i.
    below = np.flatnonzero(np.asarray(m.active_history) < m.initial_active)
    return int(below[0]) if below.size else None


#: The run summary: the outcome and its week, then the last week's key metrics.
SUMMARY: tuple[SummaryItem, ...] = (
    SummaryItem("outcome", lambda m: m.outcome),
    SummaryItem("outcome_week", lambda m: m.outcome_week),
    SummaryItem("war_ended", lambda m: bool(m.war_ended)),
    SummaryItem("successor_stance", lambda m: m.successor_stance),
    SummaryItem("weeks_run", lambda m: int(m.metrics["week"])),
    _last("force_active"),
    _last("army_cracked"),
    SummaryItem("force_below_start_week", _force_below_start_week),
    _last("desertions_total"),
    _last("surrenders_total"),
    _last("deaths_total"),
    _last("recruits_total"),
    _last("invalided_total"),
    _last("hotline_contacts_total"),
    _last("hotline_surrenders_total"),
    _last("fund_spent_usd"),
    _last("fund_balance_usd"),
    _last("elite_loyalty"),
    _last("unrest"),
    _last("coup_attempts"),
    _last("coups_succeeded"),
    _last("elites_purged"),
    SummaryItem("exile_agreement_week", lambda m: m.exile.agreement_week),
    _last("elites_defected"),
    _last("exile_contacts_detected"),
    _last("leader_belief_outlast"),
    _last("partner_cooperation"),
    _last("stability_index"),
    SummaryItem("min_stability_index", lambda m: float(min(m.stability_history))),
)


def summary(model: mesa.Model) -> dict[str, object]:
    """The run's final summary (`SUMMARY`): outcome, its week, and the last week's key metrics."""
    return {item.name: item.compute(model) for item in SUMMARY}
