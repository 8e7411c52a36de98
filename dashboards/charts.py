"""The dashboard's charts: Vega-Lite templates written with Altair, and the tables they show.

A chart is compiled once from Altair into a Vega-Lite spec whose data are named slots
(`template`, cached by the few things that shape it: the horizon, the variable shown), and each
redraw only fills the slots with this week's tables (`with_data`). Compiling an Altair chart costs
a few tenths of a second; filling a template costs milliseconds, which keeps a step's redraw fast.
Nothing here reads a model: `dashboards.views` turns the model's state into the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from agents.elites import ACTION_NAMES
from agents.soldiers import SoldierStatus
from dashboards.region_tiles import GRID_COLUMNS, GRID_ROWS, tile_grid
from model.metrics import METRICS

METRIC = {m.name: m for m in METRICS}

#: The time-series panels of regime stability: a title and metrics of one unit each.
STABILITY_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Army", ("force_active", "force_at_front")),
    ("Leaving the army each week", ("desertions_week", "surrenders_week")),
    ("Elites and the leader", ("elite_loyalty", "elite_pressure", "leader_threat")),
    ("Society, partners and the regime", ("unrest", "partner_cooperation", "stability_index")),
)
STABILITY_METRICS = tuple(name for _, names in STABILITY_PANELS for name in names)

#: Metrics drawn for the current levers against the baseline.
COMPARE_METRICS = (
    "stability_index",
    "force_active",
    "elite_loyalty",
    "unrest",
    "partner_cooperation",
    "leader_threat",
)
RUNS = ("current levers", "baseline")
RUN_COLOURS = ("#d62728", "#7f7f7f")

FUND_METRICS = ("fund_balance_usd", "fund_spent_usd")

#: What the regions view can colour the tiles by: column of the region table -> (label, unit).
REGION_VARIABLES: dict[str, tuple[str, str]] = {
    "unrest": ("Unrest", "share of citizens"),
    "deaths_per_100k_men": ("Deaths per 100,000 men aged 16-61", "deaths"),
    "recruits": ("Recruits since the start", "soldiers"),
    "desertions": ("Desertions since the start", "soldiers"),
    "surrenders": ("Surrenders since the start", "soldiers"),
    "grievance": ("Grievance", "share"),
}

EVENT_LABELS = ("coup fails", "coup succeeds", "war ends")
ELITE_STATES = (*ACTION_NAMES, "purged")
ELITE_COLOURS = ("#4c78a8", "#f2a541", "#d62728", "#7f7f7f")
#: A purged seat is shown as purged for this many weeks, so a purge can be seen while playing.
PURGE_SHOWN_WEEKS = 4
#: The Soldiers tab's label of each status. The active are shown in two bars, at the front and in
#: the rear; each other status has a bar of its own, so none is counted in another's.
STATUS_LABELS: dict[SoldierStatus, str] = {
    SoldierStatus.ACTIVE: "in the rear",
    SoldierStatus.DESERTED: "deserted, at large",
    SoldierStatus.SURRENDERED: "surrendered",
    SoldierStatus.KILLED: "killed",
    SoldierStatus.INVALIDED: "invalided out",
}
SOLDIER_STATES = ("at the front", *(STATUS_LABELS[status] for status in SoldierStatus))
SOLDIER_GROUPS = ("minority", "not minority")

PANEL_WIDTH = 380
PANEL_HEIGHT = 170


# ---- templates and data ---------------------------------------------------------------------


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready rows (missing values as null)."""
    return table.astype(object).where(table.notna(), None).to_dict("records")


def with_data(template: dict[str, Any], **tables: pd.DataFrame) -> dict[str, Any]:
    """A template spec with its named data slots filled; the template is not changed."""
    return {**template, "datasets": {name: records(t) for name, t in tables.items()}}


def _compile(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return chart.to_dict()


def _named(name: str) -> alt.Data:
    return alt.Data(name=name)


# ---- regime stability -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunEvent:
    """A week to mark on the time series: a coup attempt, a regime change, the war's end."""

    week: int
    label: str


def run_events(
    coup_weeks: Sequence[int], outcome: str, outcome_week: int, war_ended: bool
) -> list[RunEvent]:
    """The weeks to mark: each coup attempt (failed or successful) and the end of the war."""
    events = []
    for week in coup_weeks:
        succeeded = outcome == "regime_change" and week == outcome_week
        events.append(RunEvent(int(week), EVENT_LABELS[1] if succeeded else EVENT_LABELS[0]))
    if war_ended and outcome_week >= 0:
        events.append(RunEvent(int(outcome_week), EVENT_LABELS[2]))
    return events


def events_table(events: Sequence[RunEvent]) -> pd.DataFrame:
    """The events as a table for the ``events`` slot."""
    return pd.DataFrame({"week": [e.week for e in events], "event": [e.label for e in events]})


def metric_label(name: str) -> str:
    """A metric's name as a legend label: ``force_at_front`` -> "force at front"."""
    return name.replace("_", " ")


def long_metrics(weekly: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Weekly metrics in long form (week, metric label, value), the form the line charts take."""
    long = weekly.melt(id_vars=["week"], value_vars=list(metrics), var_name="metric")
    long["metric"] = long["metric"].map(metric_label)
    return long


def _week_axis(horizon_weeks: int) -> alt.X:
    return alt.X("week:Q", scale=alt.Scale(domain=[0, horizon_weeks]), title="week")


def _event_rules() -> alt.Chart:
    return (
        alt.Chart(_named("events"))
        .mark_rule(color="#333333", strokeWidth=1.5)
        .encode(
            x="week:Q",
            strokeDash=alt.StrokeDash(
                "event:N",
                scale=alt.Scale(domain=list(EVENT_LABELS), range=[[2, 2], [8, 3], [1, 0]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["event:N", "week:Q"],
        )
    )


def _panel(title: str, metrics: Sequence[str], horizon_weeks: int) -> alt.LayerChart:
    unit = METRIC[metrics[0]].unit
    y_scale = alt.Scale(domain=[0, 1]) if unit == "share" else alt.Scale(zero=True)
    labels = [metric_label(m) for m in metrics]
    lines = (
        alt.Chart(_named("weekly"), title=title)
        .transform_filter(alt.FieldOneOfPredicate(field="metric", oneOf=labels))
        # Points show week 0, before there is a line to draw.
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=_week_axis(horizon_weeks),
            y=alt.Y("value:Q", scale=y_scale, title=unit, axis=alt.Axis(format="~s")),
            color=alt.Color(
                "metric:N",
                scale=alt.Scale(domain=labels),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["metric:N", "week:Q", alt.Tooltip("value:Q", format=",.3~f")],
        )
        .properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)
    )
    return alt.layer(lines, _event_rules())


@cache
def stability_template(horizon_weeks: int) -> dict[str, Any]:
    """Regime stability week by week in four panels, with coups and the war's end marked.

    The panels: the army, leavers each week, elites and the leader, society and partners. Slots:
    ``weekly`` (`long_metrics` of `STABILITY_METRICS`) and ``events`` (`events_table`).
    """
    panels = [_panel(title, metrics, horizon_weeks) for title, metrics in STABILITY_PANELS]
    rows = [alt.hconcat(*panels[:2]), alt.hconcat(*panels[2:])]
    rows = [row.resolve_scale(color="independent") for row in rows]
    return _compile(alt.vconcat(*rows).resolve_scale(color="independent"))


def stability_spec(
    weekly: pd.DataFrame, horizon_weeks: int, events: Sequence[RunEvent]
) -> dict[str, Any]:
    """The stability chart for a run's weekly table and events."""
    return with_data(
        stability_template(horizon_weeks),
        weekly=long_metrics(weekly, STABILITY_METRICS),
        events=events_table(events),
    )


# ---- the defection fund -----------------------------------------------------------------------


@cache
def fund_template(horizon_weeks: int) -> dict[str, Any]:
    """The defection fund's balance and payments, and the offer's credibility.

    Slots: ``money`` (`long_metrics` of `FUND_METRICS`, in billion USD) and ``weekly`` (week,
    offer_credibility).
    """
    money = (
        alt.Chart(_named("money"), title="Defection fund")
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=_week_axis(horizon_weeks),
            y=alt.Y("value:Q", title="billion USD"),
            color=alt.Color("metric:N", legend=alt.Legend(title=None, orient="bottom")),
            tooltip=["metric:N", "week:Q", alt.Tooltip("value:Q", format=",.3f", title="bn USD")],
        )
        .properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)
    )
    credibility = (
        alt.Chart(_named("weekly"), title="Credibility of the offer")
        .mark_line(color="#54a24b", point=alt.OverlayMarkDef(size=12, color="#54a24b"))
        .encode(
            x=_week_axis(horizon_weeks),
            y=alt.Y("offer_credibility:Q", scale=alt.Scale(domain=[0, 1]), title="share"),
            tooltip=["week:Q", alt.Tooltip("offer_credibility:Q", format=".3f")],
        )
        .properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)
    )
    return _compile(alt.hconcat(money, credibility))


def fund_spec(weekly: pd.DataFrame, horizon_weeks: int) -> dict[str, Any]:
    """The fund chart for a run's weekly table."""
    money = long_metrics(weekly, FUND_METRICS)
    money["value"] /= 1e9
    return with_data(
        fund_template(horizon_weeks),
        money=money,
        weekly=weekly[["week", "offer_credibility"]],
    )


# ---- regions ----------------------------------------------------------------------------------


@cache
def regions_template(variable: str) -> dict[str, Any]:
    """A tile map of the 85 regions coloured by `variable` (slot ``tiles``: `region_tiles`)."""
    label, unit = REGION_VARIABLES[variable]
    base = alt.Chart(_named("tiles")).encode(
        x=alt.X("column:O", axis=None),
        y=alt.Y("row:O", axis=None),
        tooltip=["region:N", "iso:N", alt.Tooltip("value:Q", title=label, format=",.4~f")],
    )
    squares = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color(
            "value:Q",
            scale=alt.Scale(scheme="orangered", domainMin=0),
            legend=alt.Legend(title=f"{label} ({unit})", orient="bottom", gradientLength=300),
        )
    )
    codes = base.mark_text(fontSize=9).encode(
        text="iso:N",
        color=alt.condition(alt.datum.dark, alt.value("white"), alt.value("black")),
    )
    chart = alt.layer(squares, codes).properties(width=GRID_COLUMNS * 46, height=GRID_ROWS * 40)
    return _compile(chart)


def region_tiles(regions: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Each region's tile and value: iso, region, column, row, value, and whether it is dark."""
    tiles = tile_grid().merge(regions[["iso", "region", variable]], on="iso", validate="1:1")
    tiles = tiles.rename(columns={variable: "value"})
    top = tiles["value"].max()
    tiles["dark"] = tiles["value"] > 0.6 * top if top > 0 else False
    return tiles


def regions_spec(regions: pd.DataFrame, variable: str) -> dict[str, Any]:
    """The regions map for the model's region table."""
    return with_data(regions_template(variable), tiles=region_tiles(regions, variable))


# ---- elites -----------------------------------------------------------------------------------


def elite_states(action_names: np.ndarray, purged_week: np.ndarray, week: int) -> np.ndarray:
    """Each elite seat's state to colour by: its action, or "purged" in the weeks after a purge.

    A purged elite is replaced at once by a loyalist; the seat shows as purged for
    `PURGE_SHOWN_WEEKS` weeks.
    """
    recently_purged = (purged_week >= 0) & (week - purged_week < PURGE_SHOWN_WEEKS)
    return np.where(recently_purged, "purged", action_names)


def _elite_colour(legend: alt.Legend | None) -> alt.Color:
    return alt.Color(
        "state:N",
        scale=alt.Scale(domain=list(ELITE_STATES), range=list(ELITE_COLOURS)),
        legend=legend,
    )


@cache
def elites_template() -> dict[str, Any]:
    """The elite patronage network coloured by state, and the share of power in each state.

    Nodes are sized by power. Slots: ``nodes`` (x, y, power, state, kind, faction, loyalty, fear)
    and ``edges`` (x, y, x2, y2).
    """
    axis = {"axis": None, "scale": alt.Scale(zero=False, nice=False)}
    ties = (
        alt.Chart(_named("edges"))
        .mark_rule(color="#bbbbbb", strokeWidth=0.7, opacity=0.6)
        .encode(x=alt.X("x:Q", **axis), y=alt.Y("y:Q", **axis), x2="x2:Q", y2="y2:Q")
    )
    elites = (
        alt.Chart(_named("nodes"))
        .mark_circle(opacity=0.95, stroke="white", strokeWidth=0.8)
        .encode(
            x=alt.X("x:Q", **axis),
            y=alt.Y("y:Q", **axis),
            size=alt.Size("power:Q", scale=alt.Scale(range=[30, 700]), legend=None),
            color=_elite_colour(alt.Legend(title="elite", orient="right")),
            tooltip=[
                "state:N",
                "kind:N",
                "faction:Q",
                alt.Tooltip("power:Q", format=".2f"),
                alt.Tooltip("loyalty:Q", format=".2f"),
                alt.Tooltip("fear:Q", format=".2f"),
            ],
        )
    )
    network = alt.layer(ties, elites).properties(width=560, height=460, title="Patronage network")
    power = (
        alt.Chart(_named("nodes"), title="Share of elite power")
        .transform_joinaggregate(total="sum(power)")
        .transform_calculate(share="datum.power / datum.total")
        .mark_bar()
        .encode(
            x=alt.X("sum(share):Q", scale=alt.Scale(domain=[0, 1]), title=None),
            y=alt.Y(
                "state:N",
                sort=list(ELITE_STATES),
                title=None,
                scale=alt.Scale(domain=list(ELITE_STATES)),
            ),
            color=_elite_colour(None),
            tooltip=["state:N", alt.Tooltip("sum(share):Q", format=".1%", title="share of power")],
        )
        .properties(width=260, height=120)
    )
    return _compile(alt.hconcat(network, power))


# ---- soldiers ---------------------------------------------------------------------------------


def soldier_breakdown(
    status: np.ndarray, at_front: np.ndarray, minority: np.ndarray, soldiers_per_agent: float
) -> pd.DataFrame:
    """Soldiers by state (`SOLDIER_STATES`) and group (minority or not), in real soldiers.

    Args:
        status: `SoldierStatus` code per soldier agent.
        at_front: Whether each agent is at the front.
        minority: Whether each agent is from a minority.
        soldiers_per_agent: Real soldiers each agent stands for.

    Returns:
        One row per state and group: ``state``, ``group``, ``soldiers``, ``share_of_group``.

    """
    state_of_status = np.array([SOLDIER_STATES.index(STATUS_LABELS[s]) for s in SoldierStatus])
    at_the_front = (status == SoldierStatus.ACTIVE) & at_front
    state_index = np.where(
        at_the_front, SOLDIER_STATES.index("at the front"), state_of_status[status]
    )
    group_index = np.where(minority, 0, 1)
    counts = np.zeros((len(SOLDIER_STATES), len(SOLDIER_GROUPS)))
    np.add.at(counts, (state_index, group_index), 1)
    group_totals = counts.sum(axis=0)
    shares = np.divide(counts, group_totals, out=np.zeros_like(counts), where=group_totals > 0)
    states, groups = np.meshgrid(
        range(len(SOLDIER_STATES)), range(len(SOLDIER_GROUPS)), indexing="ij"
    )
    return pd.DataFrame(
        {
            "state": np.asarray(SOLDIER_STATES)[states.ravel()],
            "group": np.asarray(SOLDIER_GROUPS)[groups.ravel()],
            "soldiers": counts.ravel() * soldiers_per_agent,
            "share_of_group": shares.ravel(),
        }
    )


@cache
def soldiers_template() -> dict[str, Any]:
    """The army by state, minority soldiers and others: counts, and each group's shares.

    Slot ``soldiers``: `soldier_breakdown`.
    """
    colour = alt.Color(
        "group:N",
        scale=alt.Scale(domain=list(SOLDIER_GROUPS), range=["#e45756", "#4c78a8"]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    state = alt.Y("state:N", sort=list(SOLDIER_STATES), title=None)
    counts = (
        alt.Chart(_named("soldiers"), title="Soldiers by state")
        .mark_bar()
        .encode(
            x=alt.X("soldiers:Q", title="soldiers", axis=alt.Axis(format="~s")),
            y=state,
            color=colour,
            tooltip=["state:N", "group:N", alt.Tooltip("soldiers:Q", format=",.0f")],
        )
        .properties(width=PANEL_WIDTH, height=200)
    )
    shares = (
        alt.Chart(_named("soldiers"), title="Share of each group in each state")
        .mark_bar()
        .encode(
            x=alt.X("share_of_group:Q", title="share of the group", axis=alt.Axis(format="%")),
            y=state,
            yOffset="group:N",
            color=colour,
            tooltip=["state:N", "group:N", alt.Tooltip("share_of_group:Q", format=".2%")],
        )
        .properties(width=PANEL_WIDTH, height=200)
    )
    return _compile(alt.hconcat(counts, shares))


# ---- comparison with the baseline ----------------------------------------------------------


@cache
def comparison_template(horizon_weeks: int) -> dict[str, Any]:
    """The current levers against the baseline on the same seed, metric by metric, overlaid.

    Slot ``runs``: `comparison_table`.
    """
    panels = []
    for name in COMPARE_METRICS:
        unit = METRIC[name].unit
        y_scale = alt.Scale(domain=[0, 1]) if unit == "share" else alt.Scale(zero=True)
        panels.append(
            alt.Chart(_named("runs"), title=metric_label(name))
            .transform_filter(alt.datum.metric == metric_label(name))
            .mark_line()
            .encode(
                x=_week_axis(horizon_weeks),
                y=alt.Y("value:Q", title=unit, scale=y_scale, axis=alt.Axis(format="~s")),
                color=alt.Color(
                    "run:N",
                    scale=alt.Scale(domain=list(RUNS), range=list(RUN_COLOURS)),
                    legend=alt.Legend(title=None, orient="bottom"),
                ),
                tooltip=["run:N", "week:Q", alt.Tooltip("value:Q", format=",.3~f")],
            )
            .properties(width=250, height=150)
        )
    return _compile(alt.concat(*panels, columns=3))


def comparison_table(current: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Both runs' `COMPARE_METRICS` in long form with a ``run`` column."""
    return pd.concat(
        [
            long_metrics(current, COMPARE_METRICS).assign(run=RUNS[0]),
            long_metrics(baseline, COMPARE_METRICS).assign(run=RUNS[1]),
        ],
        ignore_index=True,
    )


def comparison_spec(
    current: pd.DataFrame, baseline: pd.DataFrame, horizon_weeks: int
) -> dict[str, Any]:
    """The comparison chart for the weekly tables of the two runs."""
    return with_data(comparison_template(horizon_weeks), runs=comparison_table(current, baseline))
