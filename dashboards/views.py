"""The dashboard's views: Solara components that read the model and draw its charts.

Each view takes the model and re-renders when SolaraViz steps it (through Mesa's
``update_counter``, as Mesa's own components do). Views only read the model.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from agents.elites import ACTION_NAMES, KIND_NAMES
from dashboards import charts, sweeps
from dashboards.compare import baseline_for, changed_levers
from dashboards.formatting import format_value, plain_label, unit_of
from dashboards.vegalite import VegaLite
from model.model import OutlastModel
from outlast.analysis.labels import axis_label

#: Seed of the elite network's drawing, so a model's network is drawn the same way every time.
LAYOUT_SEED = 1


@solara.component
def Chart(spec: dict[str, Any], name: str):
    """A Vega-Lite chart drawn in the browser, in a box of class ``outlast-chart-<name>``.

    The widget ``solara.FigureAltair`` draws with, given a ready spec, with the front-end fix of
    :mod:`dashboards.vegalite`.
    """
    with solara.Div(classes=["outlast-chart", f"outlast-chart-{name}"]) as box:
        VegaLite.element(spec=spec)
    return box


@solara.component
def ChartGrid(specs: list[dict[str, Any]], name: str):
    """A view's panels in a grid as wide as the page, each panel as wide as its cell.

    The grid is of class ``outlast-chart-<name>``; its cells hold one chart each (class
    ``outlast-chart``), drawn at their cell's width (`charts`' panels are ``width="container"``).
    """
    with solara.Div(classes=["outlast-grid", f"outlast-chart-{name}"]) as grid:
        for spec in specs:
            with solara.Div(classes=["outlast-chart"]):
                VegaLite.element(spec=spec)
                if spec.get("description"):
                    ChartNote(spec["description"])
    return grid


@solara.component
def ChartNote(description: str):
    """What a panel shows, from the model's declaration of its metric, on hover under the panel."""
    with solara.Tooltip(description), solara.Div(classes=["outlast-chart-note"]):
        solara.v.Icon(children=["mdi-information-outline"], size="small")
        solara.Text("What is this?")


def status_line(model: OutlastModel) -> str:
    """Week, date, outcome and stability of the model, in one line."""
    m = model.metrics
    week = int(m["week"])
    date = pd.Timestamp(model.params.start_date) + pd.Timedelta(weeks=week)
    outcome = model.outcome.replace("_", " ")
    if model.outcome_week >= 0:
        outcome += f" in week {model.outcome_week}"
    elif not model.running:
        outcome += " at the end of the run"
    return (
        f"Week {week} of {model.params.horizon_weeks} ({date:%d %b %Y}) · {outcome} · "
        f"stability index {m['stability_index']:.2f} · active force {m['force_active']:,.0f}"
    )


@solara.component
def StatusBar(model: OutlastModel):
    """The model's week, outcome and headline numbers."""
    update_counter.get()
    solara.Text(status_line(model), classes=["outlast-status"], style={"font-weight": "bold"})
    if getattr(model, "input_error", None):
        solara.Warning(model.input_error, dense=True)


@solara.component
def StabilityView(model: OutlastModel):
    """Regime-stability metrics week by week, with coups and the war's end marked."""
    update_counter.get()
    events = model_events(model)
    ChartGrid(
        charts.stability_spec(model.weekly_table(), model.params.horizon_weeks, events),
        "stability",
    )


def model_events(model: OutlastModel) -> list[charts.RunEvent]:
    """The weeks of the model's coups and of the war's end, to mark on its time series."""
    coup_weeks = [event.week for event in model.coup_events]
    return charts.run_events(coup_weeks, model.outcome, model.outcome_week, model.war_ended)


@solara.component
def RegionsView(model: OutlastModel):
    """The 85 regions as tiles, coloured by a chosen variable."""
    update_counter.get()
    variable, set_variable = solara.use_state("unrest")
    labels = {label: name for name, (label, _) in charts.REGION_VARIABLES.items()}
    solara.Select(
        "Colour regions by",
        value=charts.REGION_VARIABLES[variable][0],
        values=list(labels),
        on_value=lambda label: set_variable(labels[label]),
    )
    regions = model.region_table()
    with solara.Columns([3, 1]):
        Chart(charts.regions_spec(regions, variable), "regions")
        listed = charts.region_list(regions, variable)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=_table_html(listed),
            classes=["outlast-region-list"],
            style={"max-height": "560px", "overflow-y": "auto", "font-size": "0.85em"},
        )


def _table_html(table: pd.DataFrame) -> str:
    """A small table as HTML, numbers with 4 significant digits."""
    head = "".join(f"<th style='text-align:left'>{html.escape(str(c))}</th>" for c in table)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(f'{v:,.4g}' if isinstance(v, float) else str(v))}</td>" for v in row
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def elite_layout(graph: nx.Graph) -> dict[int, np.ndarray]:
    """Positions of the elite network's nodes (spring layout, seeded)."""
    return nx.spring_layout(graph, seed=LAYOUT_SEED)


def elite_tables(model: OutlastModel, positions: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The elite network as the ``nodes`` and ``edges`` tables of `charts.elites_template`."""
    elites = model.elites
    xy = np.array([positions[i] for i in range(elites.n)])
    states = charts.elite_states(
        np.asarray(ACTION_NAMES)[elites.action], elites.purged_week, model.week
    )
    nodes = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "power": elites.power,
            "state": states,
            "kind": np.asarray(KIND_NAMES)[elites.kind],
            "faction": elites.faction,
            "loyalty": elites.loyalty,
            "fear": elites.fear,
        }
    )
    ends = np.array(list(elites.graph.edges()), dtype=int).reshape(-1, 2)
    edges = pd.DataFrame(
        {
            "x": xy[ends[:, 0], 0],
            "y": xy[ends[:, 0], 1],
            "x2": xy[ends[:, 1], 0],
            "y2": xy[ends[:, 1], 1],
        }
    )
    return nodes, edges


@solara.component
def ElitesView(model: OutlastModel):
    """The elite patronage network coloured by what each elite does this week."""
    update_counter.get()
    positions = solara.use_memo(lambda: elite_layout(model.elites.graph), dependencies=[model])
    nodes, edges = elite_tables(model, positions)
    m = model.metrics
    solara.Text(
        f"Coup attempts {m['coup_attempts']:.0f} · elites purged {m['elites_purged']:.0f} · "
        f"a coup is attempted when conspirators hold "
        f"{model.params.coup_threshold_power_share:.0%} of elite power"
    )
    ChartGrid(charts.elites_spec(nodes, edges, model.params.coup_threshold_power_share), "elites")


@solara.component
def SoldiersView(model: OutlastModel):
    """The army by state (`charts.SOLDIER_STATES`), minority or not."""
    update_counter.get()
    corps = model.corps
    breakdown = charts.soldier_breakdown(
        corps.view("status"),
        corps.view("at_front"),
        corps.view("minority"),
        model.params.soldiers_per_agent,
    )
    solara.Text(
        f"Minority share of the dead over their share of men 16-61: "
        f"{model.metrics['minority_death_overrep']:.2f}"
    )
    ChartGrid(charts.panels_with_data(charts.soldiers_template(), soldiers=breakdown), "soldiers")


@solara.component
def FundView(model: OutlastModel):
    """The defection fund's balance, its payments and the offer's credibility."""
    update_counter.get()
    m = model.metrics
    solara.Text(
        f"Balance {format_value(m['fund_balance_usd'], 'USD')} · "
        f"paid out {format_value(m['fund_spent_usd'], 'USD')} · "
        f"offer {format_value(model.levers.defection_payment_usd, 'USD/soldier')} · "
        f"credibility {m['offer_credibility']:.2f}"
    )
    ChartGrid(
        charts.fund_spec(model.weekly_table(), model.params.horizon_weeks, model_events(model)),
        "fund",
    )


@solara.component
def CompareView(model: OutlastModel):
    """The current levers against the baseline (no levers) on the same seed, overlaid."""
    update_counter.get()
    if model.seed is None:
        solara.Warning("This run has no integer seed, so it has no baseline to compare with.")
        return
    baseline = baseline_for(model)
    base = baseline.weekly(model.week)
    changed = changed_levers(model.params)
    if changed:
        text = "; ".join(
            f"{plain_label(name)}: {format_value(now, unit_of(name))} "
            f"(baseline {format_value(was, unit_of(name))})"
            for name, (now, was) in changed.items()
        )
        solara.Text(f"Levers changed from the baseline: {text}.")
    else:
        solara.Info("The current levers are the baseline's: move a lever and press reset.")
    solara.Text(
        f"Same seed ({model.seed}) and other parameters. Outcome with the current levers: "
        f"{model.outcome.replace('_', ' ')}; baseline: {baseline.model.outcome.replace('_', ' ')}. "
        "This is one draw of each: the headline above the tabs and the Many seeds tab compare "
        "the same levers over many seeds."
    )
    ChartGrid(
        charts.comparison_spec(model.weekly_table(), base, model.params.horizon_weeks), "compare"
    )


def _summary_html(summary: dict[str, str]) -> str:
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in summary.items()
    )
    return f"<table>{rows}</table>"


def _load_sweep(folder: str, name: str | None) -> sweeps.Sweep | str:
    """The sweep `name` in `folder`, or the one-line reason it cannot be read."""
    if name is None:
        return ""
    try:
        return sweeps.load_sweep(Path(folder) / name)
    except sweeps.SweepError as exc:
        return str(exc)


#: Where `outlast sweep` writes, found from this file (not from where the server was started);
#: the environment variable OUTLAST_SWEEPS_DIR, or the page's folder box, points elsewhere.
PROJECT_SWEEPS = Path(__file__).resolve().parents[1] / "runs" / "output"


def sweeps_folder() -> str:
    """The folder of finished sweeps the Sweeps tab opens at."""
    return os.environ.get("OUTLAST_SWEEPS_DIR") or str(PROJECT_SWEEPS)


#: What the Sweeps tab says when a folder holds no sweep: how to make one.
HOW_TO_SWEEP = (
    "A sweep runs an experiment file's design over many seeds: `outlast sweep runs/policies.toml` "
    "(every lever against the baseline, 40 seeds each) writes `runs/output/policies`; "
    "`outlast sweep --help` lists the options, runs/README.md the experiment files."
)


@solara.component
def SweepView(root: str | None = None):
    """A finished sweep from a folder of sweeps: its manifest and plots of its results."""
    folder, set_folder = solara.use_state(root or sweeps_folder())
    chosen, set_chosen = solara.use_state(None)
    names = sweeps.find_sweeps(Path(folder))
    name = chosen if chosen in names else sweeps.default_sweep(names)
    loaded = solara.use_memo(lambda: _load_sweep(folder, name), [folder, name])
    solara.InputText("Folder of finished sweeps", value=folder, on_value=set_folder)
    if not names:
        solara.Info(
            f"No finished sweep in '{folder}' (a folder holding manifest.json and results.parquet)."
        )
        solara.Markdown(HOW_TO_SWEEP)
    elif isinstance(loaded, str):
        solara.Select("Sweep", value=name, values=names, on_value=set_chosen)
        solara.Error(loaded)
    else:
        solara.Select("Sweep", value=name, values=names, on_value=set_chosen)
        SweepResults(loaded)


def _pick(choice: str | None, options: tuple[str, ...]) -> str | None:
    """The chosen option if it is still offered, else the first (None if there are none)."""
    return choice if choice in options else (options[0] if options else None)


@solara.component
def LabelledSelect(
    label: str,
    value: str,
    names: tuple[str, ...],
    on_value: Callable[[str], None],
    kind: str = "metric",
):
    """A choice among parameters or metrics shown by their plain labels with units."""
    shown = {
        (sweeps.parameter_title(n) if kind == "parameter" else axis_label(n)): n for n in names
    }
    solara.Select(
        label,
        value=next(k for k, n in shown.items() if n == value),
        values=list(shown),
        on_value=lambda k: on_value(shown[k]),
    )


@solara.component
def SweepResults(sweep: sweeps.Sweep):
    """Outcomes, final metrics and weekly metrics of a sweep, by a chosen design parameter."""
    parameter, set_parameter = solara.use_state(None)
    metric, set_metric = solara.use_state(None)
    weekly, set_weekly = solara.use_state(None)
    parameter = _pick(parameter, sweep.parameters)
    metric = _pick(metric, sweep.metrics)
    weekly = _pick(weekly, sweep.weekly_metrics)

    solara.HTML(tag="div", unsafe_innerHTML=_summary_html(sweeps.manifest_summary(sweep)))
    design = sweep.manifest.get("design")
    if isinstance(design, dict) and design.get("kind") == "robustness":
        solara.Info(
            "A robustness experiment: here its runs by one parameter at a time; the Robustness "
            "tab shows its measures across futures (distributions, backfires, PRIM boxes)."
        )
    failed = len(sweep.results) - len(sweep.ok)
    if failed:
        solara.Warning(f"{failed} run(s) failed and are left out of the plots.")
    if parameter is None or sweep.ok.empty:
        solara.Info("This sweep has no design parameter or no finished run to plot.")
        return
    LabelledSelect("Design parameter", parameter, sweep.parameters, set_parameter, "parameter")
    if "war_ended" in sweep.ok.columns:
        Chart(sweeps.war_ended_chart(sweep, parameter).to_dict(), "sweep-war-ended")
    Chart(sweeps.outcome_chart(sweep, parameter).to_dict(), "sweep-outcomes")
    if metric is not None:
        LabelledSelect("Final metric", metric, sweep.metrics, set_metric)
        Chart(sweeps.metric_scatter(sweep, parameter, metric).to_dict(), "sweep-metric")
    if weekly is not None:
        LabelledSelect("Weekly metric", weekly, sweep.weekly_metrics, set_weekly)
        Chart(sweeps.weekly_chart(sweep, parameter, weekly).to_dict(), "sweep-weekly")
