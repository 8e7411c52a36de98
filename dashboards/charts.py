"""The dashboard's charts: Vega-Lite templates written with Altair, and the tables they show.

A chart is compiled once from Altair into Vega-Lite specs whose data are named slots
(`template`, cached by the few things that shape it: the horizon, the variable shown), and each
redraw only fills the slots with this week's tables (`with_data`). Compiling an Altair chart costs
a few tenths of a second; filling a template costs milliseconds, which keeps a step's redraw fast.
Nothing here reads a model: `dashboards.views` turns the model's state into the tables.

A view is a list of panels, each a chart of its own whose width is its container's
(``width="container"``): Vega-Lite sizes only a single or layered chart to its container, so a
view's panels are laid out by the page's grid (`views.ChartGrid`) and fit any window from 1280 px
up. Each metric has a panel and a y scale of its own, so that a small share (the leader's threat,
unrest, elite pressure near 0) is not flattened against a 0-1 axis. Colours: `dashboards.palette`.
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
from dashboards import palette
from dashboards.formatting import tooltip as describe
from dashboards.region_tiles import GRID_ROWS, tile_grid
from dashboards.style import GRID_CELL_MIN_PX
from model.metrics import METRICS
from outlast.analysis.labels import axis_label

METRIC = {m.name: m for m in METRICS}

#: The time series of regime stability, one panel each: the army, leavers each week, elites and
#: the leader, society, partners and the regime's index.
STABILITY_METRICS = (
    "stability_index",
    "force_active",
    "force_at_front",
    "desertions_week",
    "surrenders_week",
    "elite_loyalty",
    "elite_pressure",
    "leader_threat",
    "unrest",
    "partner_cooperation",
)

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
RUN_COLOURS = (palette.CURRENT_LEVERS, palette.BASELINE)

#: The fund's panels: money in billion USD, and the offer's credibility.
FUND_METRICS = ("fund_balance_usd", "fund_spent_usd", "offer_credibility")
MONEY_METRICS = ("fund_balance_usd", "fund_spent_usd")

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
#: The event labels' font size, and the most a character of it takes (0.62 em: wider than the
#: average letter of any sans-serif font), in pixels.
EVENT_FONT_PX = 10
EVENT_CHAR_PX = 0.62 * EVENT_FONT_PX
#: A label's distance from its rule, and the least gap between two labels in a row, in pixels.
EVENT_LABEL_DX = 3
EVENT_LABEL_GAP_PX = 4
#: The narrowest plot a labelled panel gets: a grid cell (`style.GRID_CELL_MIN_PX`) less its y
#: axis and padding. Labels that do not overlap at this width overlap at no greater width.
EVENT_PLOT_MIN_PX = GRID_CELL_MIN_PX - 80
#: Height of one row of stacked event labels, in pixels.
EVENT_LABEL_ROW_PX = 12
ELITE_STATES = (*ACTION_NAMES, "purged")
ELITE_COLOURS = palette.ELITE_STATE_COLOURS
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

PANEL_HEIGHT = 170
#: Legend titles are never cut (Vega-Lite's default cuts them at 180 px).
LEGEND_TITLE_LIMIT = 0
WEEK_TITLE = "Week of the run"


# ---- templates and data ---------------------------------------------------------------------


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready rows (missing values as null)."""
    return table.astype(object).where(table.notna(), None).to_dict("records")


def with_data(template: dict[str, Any], **tables: pd.DataFrame) -> dict[str, Any]:
    """A template spec with its named data slots filled; the template is not changed.

    Only the slots the template reads are filled, so a panel carries only its own data.
    """
    wanted = _slots(template)
    return {
        **template,
        "datasets": {name: records(t) for name, t in tables.items() if name in wanted},
    }


def panels_with_data(
    templates: Sequence[dict[str, Any]], **tables: pd.DataFrame
) -> list[dict[str, Any]]:
    """Each panel of a view with its slots filled."""
    return [with_data(t, **tables) for t in templates]


def _slots(spec: Any) -> set[str]:
    """The named data slots a spec reads, at any depth."""
    if isinstance(spec, dict):
        found = (
            {spec["data"]["name"]}
            if isinstance(spec.get("data"), dict) and "name" in spec["data"]
            else set()
        )
        for value in spec.values():
            found |= _slots(value)
        return found
    if isinstance(spec, list):
        return set().union(*(_slots(v) for v in spec)) if spec else set()
    return set()


def _compile(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return chart.to_dict()


def _named(name: str) -> alt.Data:
    return alt.Data(name=name)


def _fit(chart: alt.TopLevelMixin, height: int = PANEL_HEIGHT) -> alt.TopLevelMixin:
    """A panel as wide as its container."""
    return chart.properties(width="container", height=height)


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


def event_label_px(label: str) -> float:
    """The most width an event's label takes, in pixels."""
    return len(label) * EVENT_CHAR_PX


def events_table(events: Sequence[RunEvent], horizon_weeks: int = 156) -> pd.DataFrame:
    """The events as a table for the ``events`` slot: each label's side of its rule and its row.

    A label is drawn right of its rule, or left of it where it would run past the plot's right
    edge. Each label goes in the first row (from the top, ``row_px`` pixels down) where it
    overlaps no earlier label at the narrowest plot (`EVENT_PLOT_MIN_PX`): a coup and the war's
    end in the same week, or a few weeks apart, are stacked rather than drawn over each other.
    Columns: week, event, side ("left" or "right": where the label lies from its rule), row_px,
    and the label's extent at the narrowest plot, x0_px and x1_px.
    """
    ordered = sorted(events, key=lambda e: (e.week, EVENT_LABELS.index(e.label)))
    plot = EVENT_PLOT_MIN_PX
    spans: list[tuple[str, float, float]] = []
    for event in ordered:
        x = plot * event.week / max(horizon_weeks, 1)
        width = event_label_px(event.label)
        if x + EVENT_LABEL_DX + width <= plot:
            spans.append(("right", x + EVENT_LABEL_DX, x + EVENT_LABEL_DX + width))
        else:
            spans.append(("left", x - EVENT_LABEL_DX - width, x - EVENT_LABEL_DX))
    rows: list[int] = []
    for i, (_, x0, x1) in enumerate(spans):
        taken = {
            rows[j]
            for j in range(i)
            if x0 < spans[j][2] + EVENT_LABEL_GAP_PX and spans[j][1] < x1 + EVENT_LABEL_GAP_PX
        }
        rows.append(next(r for r in range(len(spans) + 1) if r not in taken))
    return pd.DataFrame(
        {
            "week": [e.week for e in ordered],
            "event": [e.label for e in ordered],
            "side": [side for side, _, _ in spans],
            "row_px": [2 + r * EVENT_LABEL_ROW_PX for r in rows],
            "x0_px": [x0 for _, x0, _ in spans],
            "x1_px": [x1 for _, _, x1 in spans],
        },
        columns=["week", "event", "side", "row_px", "x0_px", "x1_px"],
    )


def metric_label(name: str) -> str:
    """A metric's plain label with its unit: ``force_at_front`` -> "Soldiers at the front ..."."""
    return axis_label(name)


def _week_axis(horizon_weeks: int) -> alt.X:
    return alt.X("week:Q", scale=alt.Scale(domain=[0, horizon_weeks]), title=WEEK_TITLE)


def _event_layers(labelled: bool) -> list[alt.Chart]:
    """Rules at coups and the war's end; if `labelled`, each named at the top (`events_table`).

    A view labels its events on one panel only, and draws plain rules on the others: the same
    labels on every panel crowd the page and say nothing new.
    """
    events = alt.Chart(_named("events"))
    tooltip = [alt.Tooltip("event:N", title="Event"), alt.Tooltip("week:Q", title=WEEK_TITLE)]
    rules = events.mark_rule(color=palette.THRESHOLD, strokeWidth=1.2).encode(
        x="week:Q",
        strokeDash=alt.StrokeDash(
            "event:N",
            scale=alt.Scale(domain=list(EVENT_LABELS), range=[[2, 2], [8, 3], [1, 0]]),
            legend=None,
        ),
        tooltip=tooltip,
    )
    if not labelled:
        return [rules]
    labels = [
        events.transform_filter(alt.datum.side == side)
        .mark_text(
            align=align,
            baseline="top",
            dx=EVENT_LABEL_DX if side == "right" else -EVENT_LABEL_DX,
            fontSize=EVENT_FONT_PX,
            color=palette.THRESHOLD,
        )
        .encode(
            x="week:Q",
            y=alt.Y("row_px:Q", scale=None, axis=None),
            text="event:N",
            tooltip=tooltip,
        )
        for side, align in (("right", "left"), ("left", "right"))
    ]
    return [rules, *labels]


def _metric_panel(
    name: str,
    horizon_weeks: int,
    colour: str = palette.SERIES,
    scale_by: float = 1.0,
    event_labels: bool = False,
) -> alt.LayerChart:
    """One metric week by week on its own y scale, with the run's events marked.

    The events are named at the top if `event_labels`, else drawn as plain rules.
    """
    title = metric_label(name) if scale_by == 1.0 else _billions_label(name)
    # Billions in plain decimals: SI's "100m" of a billion reads as 100 million dollars.
    axis_format = ".2~f" if METRIC[name].unit == "share" else (",.3~g" if scale_by != 1.0 else "~s")
    line = (
        alt.Chart(_named("weekly"))
        # Points show week 0, before there is a line to draw.
        .mark_line(color=colour, point=alt.OverlayMarkDef(size=12, color=colour))
        .encode(
            x=_week_axis(horizon_weeks),
            y=alt.Y(
                f"{name}:Q",
                scale=alt.Scale(zero=True, nice=True),
                title=None,
                axis=alt.Axis(format=axis_format),
            ),
            tooltip=[
                alt.Tooltip("week:Q", title=WEEK_TITLE),
                alt.Tooltip(f"{name}:Q", title=title, format=",.3~f"),
            ],
        )
    )
    layers = _event_layers(event_labels)
    # The spec's description is the metric's own (model.metrics), shown beside the panel.
    panel = alt.layer(line, *layers, title=title, description=describe(name))
    return _fit(panel.resolve_scale(y="independent"))


def _billions_label(name: str) -> str:
    return metric_label(name).replace("(USD)", "(billion USD)")


@cache
def stability_template(horizon_weeks: int) -> tuple[dict[str, Any], ...]:
    """Regime stability week by week, one panel per metric, with coups and the war's end marked.

    The first panel (the stability index) names the events; the others mark them with rules.
    Slots: ``weekly`` (week and `STABILITY_METRICS`) and ``events`` (`events_table`).
    """
    return tuple(
        _compile(_metric_panel(name, horizon_weeks, event_labels=i == 0))
        for i, name in enumerate(STABILITY_METRICS)
    )


def stability_spec(
    weekly: pd.DataFrame, horizon_weeks: int, events: Sequence[RunEvent]
) -> list[dict[str, Any]]:
    """The stability panels for a run's weekly table and events."""
    return panels_with_data(
        stability_template(horizon_weeks),
        weekly=weekly[["week", *STABILITY_METRICS]],
        events=events_table(events, horizon_weeks),
    )


# ---- the defection fund -----------------------------------------------------------------------


@cache
def fund_template(horizon_weeks: int) -> tuple[dict[str, Any], ...]:
    """The defection fund's balance and payments (billion USD), and the offer's credibility.

    The first panel names the run's events; the others mark them with rules. Slots: ``weekly``
    (week and `FUND_METRICS`, money in billion USD) and ``events``.
    """
    return tuple(
        _compile(
            _metric_panel(
                name,
                horizon_weeks,
                scale_by=1e9 if name in MONEY_METRICS else 1.0,
                event_labels=i == 0,
            )
        )
        for i, name in enumerate(FUND_METRICS)
    )


def fund_spec(
    weekly: pd.DataFrame, horizon_weeks: int, events: Sequence[RunEvent] = ()
) -> list[dict[str, Any]]:
    """The fund panels for a run's weekly table."""
    shown = weekly[["week", *FUND_METRICS]].copy()
    for name in MONEY_METRICS:
        shown[name] = shown[name] / 1e9
    return panels_with_data(
        fund_template(horizon_weeks), weekly=shown, events=events_table(events, horizon_weeks)
    )


# ---- regions ----------------------------------------------------------------------------------


def region_title(variable: str) -> str:
    """The plain label and unit of a region variable: "Unrest (share of citizens)"."""
    label, unit = REGION_VARIABLES[variable]
    return f"{label} ({unit})"


@cache
def regions_template(variable: str) -> dict[str, Any]:
    """A tile map of the 85 regions coloured by `variable` (slot ``tiles``: `region_tiles`).

    Each tile shows its region's code; hovering shows its name and value (and the page lists
    the regions by name beside the map, `region_list`).
    """
    title = region_title(variable)
    base = alt.Chart(_named("tiles")).encode(
        x=alt.X("column:O", axis=None),
        y=alt.Y("row:O", axis=None),
        tooltip=[
            alt.Tooltip("region:N", title="Region"),
            alt.Tooltip("iso:N", title="Code on the map"),
            alt.Tooltip("value:Q", title=title, format=",.4~f"),
        ],
    )
    squares = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color(
            "value:Q",
            # Cividis: sequential and readable with colour blindness (no red for "more").
            scale=alt.Scale(scheme="cividis", domainMin=0),
            legend=alt.Legend(
                title=title,
                orient="bottom",
                gradientLength=300,
                titleLimit=LEGEND_TITLE_LIMIT,
            ),
        )
    )
    codes = base.mark_text(fontSize=9).encode(
        text="iso:N",
        color=alt.condition(alt.datum.light, alt.value("black"), alt.value("white")),
    )
    return _compile(_fit(alt.layer(squares, codes), height=GRID_ROWS * 40))


def region_tiles(regions: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Each region's tile and value: iso, region, column, row, value, and whether it is light.

    ``light`` marks tiles whose colour is light enough for black text (cividis runs from dark
    blue at 0 to light yellow at the top).
    """
    tiles = tile_grid().merge(regions[["iso", "region", variable]], on="iso", validate="1:1")
    tiles = tiles.rename(columns={variable: "value"})
    top = tiles["value"].max()
    tiles["light"] = tiles["value"] > 0.6 * top if top > 0 else False
    return tiles


def region_list(regions: pd.DataFrame, variable: str) -> pd.DataFrame:
    """The regions by name with their code and value, highest first (the list beside the map)."""
    table = regions[["region", "iso", variable]].sort_values(variable, ascending=False)
    return table.rename(
        columns={"region": "Region", "iso": "Code", variable: region_title(variable)}
    ).reset_index(drop=True)


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


def threshold_table(coup_threshold: float) -> pd.DataFrame:
    """The coup threshold as a table for the ``threshold`` slot, with its label."""
    return pd.DataFrame(
        {"share": [coup_threshold], "label": [f"coup threshold {coup_threshold:.0%}"]}
    )


@cache
def elites_template() -> tuple[dict[str, Any], ...]:
    """The elite patronage network coloured by state, and the share of power in each state.

    Nodes are sized by power. The power bars carry the coup threshold as a labelled rule: a coup
    is attempted when the conspirators' bar reaches it. Slots: ``nodes`` (x, y, power, state,
    kind, faction, loyalty, fear), ``edges`` (x, y, x2, y2) and ``threshold``
    (`threshold_table`).
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
            color=_elite_colour(
                alt.Legend(title="What the elite does", orient="right", titleLimit=0)
            ),
            tooltip=[
                alt.Tooltip("state:N", title="What the elite does"),
                alt.Tooltip("kind:N", title="Kind of elite"),
                alt.Tooltip("faction:Q", title="Faction (number)"),
                alt.Tooltip("power:Q", format=".2f", title="Power (relative)"),
                alt.Tooltip("loyalty:Q", format=".2f", title="Loyalty (0-1)"),
                alt.Tooltip("fear:Q", format=".2f", title="Fear (0-1)"),
            ],
        )
    )
    network = _fit(alt.layer(ties, elites, title="Patronage network (size: power)"), height=440)
    share_title = "Share of elite power"
    x = alt.X(
        "sum(share):Q",
        scale=alt.Scale(domain=[0, 1]),
        title="Share of elite power (0-1)",
        # Quarters: in a third of a 1280 px page, ticks every 20% ran "80%100%" together.
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    bars = (
        alt.Chart(_named("nodes"))
        .transform_joinaggregate(total="sum(power)")
        .transform_calculate(share="datum.power / datum.total")
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(
                "state:N",
                sort=list(ELITE_STATES),
                title=None,
                scale=alt.Scale(domain=list(ELITE_STATES)),
            ),
            color=_elite_colour(None),
            tooltip=[
                alt.Tooltip("state:N", title="What the elite does"),
                alt.Tooltip("sum(share):Q", format=".1%", title=share_title),
            ],
        )
    )
    threshold = alt.Chart(_named("threshold"))
    rule = threshold.mark_rule(color=palette.THRESHOLD, strokeDash=[4, 3], strokeWidth=1.5).encode(
        x=alt.X("share:Q", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("share:Q", format=".0%", title="Coup threshold (share of power)")],
    )
    label = threshold.mark_text(
        align="left", baseline="bottom", dx=4, dy=-2, fontSize=11, color=palette.THRESHOLD
    ).encode(
        x=alt.X("share:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.value(0),
        text="label:N",
    )
    power = _fit(
        alt.layer(bars, rule, label, title=share_title),
        height=140,
    )
    return (_compile(network), _compile(power))


def elites_spec(
    nodes: pd.DataFrame, edges: pd.DataFrame, coup_threshold: float
) -> list[dict[str, Any]]:
    """The elites' panels for the network's tables and the coup threshold (share of power)."""
    return panels_with_data(
        elites_template(), nodes=nodes, edges=edges, threshold=threshold_table(coup_threshold)
    )


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
def soldiers_template() -> tuple[dict[str, Any], ...]:
    """The army by state, minority soldiers and others: counts, and each group's shares.

    Slot ``soldiers``: `soldier_breakdown`.
    """
    colour = alt.Color(
        "group:N",
        scale=alt.Scale(
            domain=list(SOLDIER_GROUPS), range=[palette.MINORITY, palette.NOT_MINORITY]
        ),
        legend=alt.Legend(title="Soldiers", orient="bottom", titleLimit=LEGEND_TITLE_LIMIT),
    )
    state = alt.Y("state:N", sort=list(SOLDIER_STATES), title=None)
    tooltip = [
        alt.Tooltip("state:N", title="State"),
        alt.Tooltip("group:N", title="Soldiers"),
        alt.Tooltip("soldiers:Q", format=",.0f", title="Soldiers (count)"),
        alt.Tooltip("share_of_group:Q", format=".2%", title="Share of the group"),
    ]
    counts = (
        alt.Chart(_named("soldiers"), title="Soldiers by state")
        .mark_bar(stroke="#333333", strokeWidth=0.3)
        .encode(
            x=alt.X("soldiers:Q", title="Soldiers (count)", axis=alt.Axis(format="~s")),
            y=state,
            color=colour,
            tooltip=tooltip,
        )
    )
    shares = (
        alt.Chart(_named("soldiers"), title="Share of each group in each state")
        .mark_bar(stroke="#333333", strokeWidth=0.3)
        .encode(
            x=alt.X(
                "share_of_group:Q", title="Share of the group (0-1)", axis=alt.Axis(format="%")
            ),
            y=state,
            yOffset="group:N",
            color=colour,
            tooltip=tooltip,
        )
    )
    return (_compile(_fit(counts, 220)), _compile(_fit(shares, 220)))


# ---- comparison with the baseline ----------------------------------------------------------


@cache
def comparison_template(horizon_weeks: int) -> tuple[dict[str, Any], ...]:
    """The current levers against the baseline on the same seed, one panel per metric.

    Slot ``runs``: `comparison_table`.
    """
    panels = []
    for name in COMPARE_METRICS:
        label = metric_label(name)
        axis_format = "~s" if METRIC[name].unit != "share" else ".2~f"
        panels.append(
            alt.Chart(_named("runs"), title=label)
            .transform_filter(alt.datum.metric == name)
            .mark_line()
            .encode(
                x=_week_axis(horizon_weeks),
                y=alt.Y(
                    "value:Q",
                    title=None,
                    scale=alt.Scale(zero=True, nice=True),
                    axis=alt.Axis(format=axis_format),
                ),
                color=alt.Color(
                    "run:N",
                    scale=alt.Scale(domain=list(RUNS), range=list(RUN_COLOURS)),
                    legend=alt.Legend(title=None, orient="bottom"),
                ),
                tooltip=[
                    alt.Tooltip("run:N", title="Levers"),
                    alt.Tooltip("week:Q", title=WEEK_TITLE),
                    alt.Tooltip("value:Q", format=",.3~f", title=label),
                ],
            )
        )
    return tuple(_compile(_fit(panel, 150)) for panel in panels)


def comparison_table(current: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Both runs' `COMPARE_METRICS` in long form (week, metric name, value, run)."""

    def long(weekly: pd.DataFrame, run: str) -> pd.DataFrame:
        table = weekly.melt(id_vars=["week"], value_vars=list(COMPARE_METRICS), var_name="metric")
        return table.assign(run=run)

    return pd.concat([long(current, RUNS[0]), long(baseline, RUNS[1])], ignore_index=True)


def comparison_spec(
    current: pd.DataFrame, baseline: pd.DataFrame, horizon_weeks: int
) -> list[dict[str, Any]]:
    """The comparison panels for the weekly tables of the two runs."""
    return panels_with_data(
        comparison_template(horizon_weeks), runs=comparison_table(current, baseline)
    )
