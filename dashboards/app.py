"""The outlast dashboard: the levers, one run week by week, and the same levers over many seeds.

Serve it with ``outlast dashboard`` (or ``solara run dashboards/app.py``). The sidebar holds the
preset, reset/play/step and the page's own parameter controls; the main area a
verdict card (what happened and why), the ensemble's headline, and the views in tabs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab

from dashboards import ensemble as ens
from dashboards import panels, views
from dashboards.compare import baseline_scenario
from dashboards.controls import (
    DEFAULT_PRESET,
    DEFAULT_SEED,
    NUMBER_BOX_UNITS,
    SLIDER_FIELDS,
    START_WEEK_FIELDS,
    DashboardModel,
    PendingParameters,
    control_values,
    field_bounds,
    resolution_options,
    slider_spec,
    with_resolution,
)
from dashboards.export import scenario_overrides
from dashboards.formatting import (
    format_amount,
    format_value,
    parse_amount,
    plain_label,
    tooltip,
)
from dashboards.player import Player
from dashboards.robustness_view import RobustnessView
from dashboards.style import PAGE_CSS
from model.model import OutlastModel
from model.scenario import PRESETS, ScenarioError, make_scenario, preset_overrides
from model.seeds import parse_seed

#: Scenario overrides every new model starts from (tests set a small scenario here).
START_OVERRIDES: dict[str, Any] = {}
#: Seeds in the ensemble when the page opens.
START_ENSEMBLE_SEEDS = ens.DEFAULT_SEEDS
#: Wait this long after the last change before starting an ensemble (a slider drag is many).
ENSEMBLE_DEBOUNCE_S = 0.6

#: The tabs of the main area: a label and the view drawn from the page's state.
TAB_LABELS = (
    "Stability",
    "Many seeds",
    "Regions",
    "Elites",
    "Soldiers",
    "Fund",
    "Compare with baseline",
    "Sweeps",
    "Robustness",
    "Export",
    "About",
)
SIMPLE_VIEWS: dict[str, Callable[[OutlastModel], solara.Element]] = {
    "Stability": views.StabilityView,
    "Regions": views.RegionsView,
    "Elites": views.ElitesView,
    "Soldiers": views.SoldiersView,
    "Fund": views.FundView,
    "Compare with baseline": views.CompareView,
}
TABS = tuple((label, SIMPLE_VIEWS.get(label)) for label in TAB_LABELS)


def new_model(preset: str = DEFAULT_PRESET, seed: int = DEFAULT_SEED) -> DashboardModel:
    """The model the page starts from, or that a preset's choice rebuilds."""
    return DashboardModel(rng=seed, preset=preset, **START_OVERRIDES)


def start_values(preset: str) -> dict[str, Any]:
    """The controls' values for `preset` on this page (with `START_OVERRIDES`)."""
    values = control_values(preset)
    return {**values, **{k: v for k, v in START_OVERRIDES.items() if k in values}}


def model_values(model: OutlastModel) -> dict[str, Any]:
    """The model's values of the parameters the controls set."""
    return {name: getattr(model.params, name) for name in start_values(DEFAULT_PRESET)}


@solara.component
def NumberBox(name: str, value: float, on_value: Callable[[str, Any], None]):
    """A number box for a parameter whose range is too wide to slide, with its bounds checked.

    The box shows the amount with thousands separators (5,000,000,000) and takes it typed that
    way, plainly (5000000000, 5e9) or with a scale word (5 bn, 145 m); its label the amount with
    its unit ($5 bn).
    """
    lo, hi, unit = field_bounds(name)
    error, set_error = solara.use_state("")

    def accept(text: str | None) -> None:
        try:
            number = parse_amount(text or "")
        except ValueError as exc:
            set_error(str(exc))
            return
        if not lo <= number <= hi:
            set_error(f"allowed: {format_value(lo, unit)} to {format_value(hi, unit)}")
            return
        set_error("")
        on_value(name, float(number))

    with solara.Tooltip(tooltip(name)):
        solara.InputText(
            f"{plain_label(name)}: {format_value(value, unit)}",
            value=format_amount(value),
            on_value=accept,
            continuous_update=False,
            classes=[f"outlast-param-{name}"],
        )
    if error:
        solara.Text(error, style={"color": "#D55E00", "font-size": "0.8em"})


@solara.component
def ParameterSlider(name: str, value: float, horizon: int, on_value: Callable[[str, Any], None]):
    """A slider with its label and unit-formatted value above it, and a tooltip."""
    spec = slider_spec(name, value)
    if name in START_WEEK_FIELDS:
        spec["max"] = max(horizon, int(spec["min"]) + 1)
    label = f"{plain_label(name)}: {format_value(value, field_bounds(name)[2])}"
    slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
    with solara.Tooltip(tooltip(name)), solara.Div():
        slider(
            label,
            value=min(value, spec["max"]),
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=lambda v: on_value(name, v),
            thumb_label=False,
        )


@solara.component
def SeedCountBox(ensemble_seeds: solara.Reactive[int]):
    """The number of seeds in the ensemble, typed; applied as soon as it is a whole number.

    The box keeps its own text (updated at each keystroke), so that the page's redraws while an
    ensemble runs do not put back what was deleted; a count out of range gets one line.
    """
    text = solara.use_reactive(str(ensemble_seeds.value))

    def on_text(typed: str) -> None:
        text.set(typed)
        count = seed_count(typed)
        if count is not None:
            ensemble_seeds.set(count)

    solara.InputText(
        "Seeds in the ensemble", value=text.value, on_value=on_text, continuous_update=True
    )
    if text.value.strip() and seed_count(text.value) is None:
        solara.Text(
            f"allowed: a whole number from 0 to {ens.MAX_SEEDS}",
            style={"color": "#D55E00", "font-size": "0.8em"},
        )


def seed_count(typed: str) -> int | None:
    """The typed number of seeds, or None if it is not a whole number from 0 to MAX_SEEDS."""
    typed = typed.strip().replace(",", "")
    if not typed.isdigit() or int(typed) > ens.MAX_SEEDS:
        return None
    return int(typed)


@solara.component
def ParameterControls(
    model: OutlastModel,
    pending: solara.Reactive[dict],
    seed_text: solara.Reactive[str],
    ensemble_seeds: solara.Reactive[int],
):
    """The sidebar's parameters: the seed, levers, key parameters and the army's resolution."""
    values = pending.value

    def set_value(name: str, value: Any) -> None:
        pending.set({**pending.value, name: value})

    applied = values == model_values(model) and str(seed_text.value).strip() == str(model.seed)
    with solara.Card("Parameters", classes=["outlast-params"], margin=0):
        if not applied:
            solara.Warning(
                "Changed: press Reset to apply.", dense=True, classes=["outlast-changed"]
            )
        solara.InputText("Random seed", value=seed_text, continuous_update=False)
        SeedCountBox(ensemble_seeds)
        army = values["n_soldier_agents"] * values["soldiers_per_agent"]
        options = sorted({*resolution_options(army), int(values["n_soldier_agents"])})
        labels = {f"{n:,} agents ({army / n:,.4g} soldiers each)": n for n in options}
        current = next(k for k, n in labels.items() if n == values["n_soldier_agents"])
        with solara.Tooltip(
            f"The army ({army:,.0f} soldiers) drawn with more or fewer agents: more agents, finer "
            "resolution, slower runs. The army's size stays the same."
        ):
            solara.Select(
                "Resolution",
                value=current,
                values=list(labels),
                on_value=lambda k: pending.set(with_resolution(pending.value, labels[k])),
            )
        for name in SLIDER_FIELDS:
            if name == "n_soldier_agents":
                continue
            if field_bounds(name)[2] in NUMBER_BOX_UNITS:
                NumberBox(name, values[name], set_value)
            else:
                ParameterSlider(name, values[name], int(values["horizon_weeks"]), set_value)


def ensemble_inputs(preset: str, values: dict, seed_text: str) -> tuple[Any, Any, int] | None:
    """The scenarios of both arms and the master seed, or None if the controls hold bad input."""
    try:
        seed = parse_seed(str(seed_text))
        scenario = make_scenario({**preset_overrides(preset), **START_OVERRIDES, **values})
    except ScenarioError:
        return None
    return scenario, baseline_scenario(scenario), seed


@solara.component
def Dashboard(model: solara.Reactive[OutlastModel], preset: solara.Reactive[str]):
    """The whole page for a reactive model and its preset.

    Choosing a preset rebuilds the model from it (same seed) and resets the controls to its
    values. The controls write to `PendingParameters`, which Reset reads; until then a line says
    that the changes wait for Reset. The ensemble follows the controls: a change cancels it and,
    after a short pause, starts it again.
    """
    tab = solara.use_reactive(0)
    pending = solara.use_reactive(start_values(preset.value))
    seed_text = solara.use_reactive(str(model.value.seed))
    n_seeds = solara.use_reactive(START_ENSEMBLE_SEEDS)
    holder = solara.use_memo(
        lambda: PendingParameters(preset.value, seed_text.value, pending.value), []
    )
    holder.preset, holder.seed = preset.value, seed_text.value
    holder.values = {**START_OVERRIDES, **pending.value}
    ensemble_state = solara.use_reactive({"progress": (0, 1)})

    def choose_preset(name: str) -> None:
        seed = model.value.seed if model.value.seed is not None else DEFAULT_SEED
        preset.set(name)
        pending.set(start_values(name))
        seed_text.set(str(seed))
        model.set(new_model(name, seed))

    key = json.dumps(
        [preset.value, pending.value, str(seed_text.value), n_seeds.value],
        sort_keys=True,
        default=str,
    )

    def run_ensemble(cancel: threading.Event) -> None:
        if n_seeds.value < 1:
            ensemble_state.set({"off": True})
            return
        inputs = ensemble_inputs(preset.value, pending.value, seed_text.value)
        if inputs is None:
            ensemble_state.set({"error": "the controls hold a value that is not allowed"})
            return
        total = 2 * n_seeds.value
        ensemble_state.set({"progress": (0, total)})
        if cancel.wait(ENSEMBLE_DEBOUNCE_S):
            return
        scenario, baseline, seed = inputs
        started = time.monotonic()
        try:
            result = ens.run_ensemble(
                scenario,
                baseline,
                seed,
                n_seeds.value,
                on_progress=lambda done, all_: (
                    cancel.is_set() or ensemble_state.set({"progress": (done, all_)})
                ),
                cancel=cancel,
            )
        except Exception as exc:  # shown on the page; the page itself goes on
            ensemble_state.set({"error": f"{type(exc).__name__}: {exc}"})
            return
        if result is not None and not cancel.is_set():
            ensemble_state.set({"ensemble": result, "seconds": time.monotonic() - started})

    solara.use_thread(run_ensemble, dependencies=[key], intrusive_cancel=False)

    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Preset", value=preset.value, values=list(PRESETS), on_value=choose_preset)
    with solara.Sidebar():
        Player(model, lambda: DashboardModel(pending=holder))
        ParameterControls(model.value, pending, seed_text, n_seeds)
    solara.AppBarTitle("outlast: regime stability week by week")
    solara.Style(PAGE_CSS)
    views.StatusBar(model.value)
    panels.VerdictCard(model.value)
    applied = pending.value == model_values(model.value)
    panels.EnsembleStatus(ensemble_state, applied)
    with solara.Div(classes=["outlast-tabs"]), solara.lab.Tabs(value=tab):
        for label in TAB_LABELS:
            solara.lab.Tab(label)
    label = TAB_LABELS[tab.value]
    if label in SIMPLE_VIEWS:
        SIMPLE_VIEWS[label](model.value)
    elif label == "Many seeds":
        panels.EnsembleView(model.value, ensemble_state, applied)
    elif label == "Sweeps":
        views.SweepView()
    elif label == "Robustness":
        RobustnessView()
    elif label == "Export":
        overrides = scenario_overrides(model.value.params, preset.value)
        sweep_toml = ens.sweep_experiment_toml(
            f"dashboard-{preset.value}",
            preset.value,
            overrides,
            model.value.seed or DEFAULT_SEED,
            n_seeds.value,
        )
        panels.ExportView(model.value, preset.value, sweep_toml)
    else:
        panels.AboutView()


@solara.component
def Page():
    """The page ``solara run`` serves: one model per browser session."""
    first = solara.use_memo(new_model, dependencies=[])
    model = solara.use_reactive(first)
    preset = solara.use_reactive(DEFAULT_PRESET)
    Dashboard(model, preset)
